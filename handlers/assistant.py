"""The assistant: free text in a private chat outside any flow, /assistant, and the actions it prepares.

The answer's buttons open the real flows, prefilled (`ai:inc:<turn>` for a report, `ai:bk`/`ai:bd`/`ai:bs`
for a booking, handled by those flows' own conversations), or reuse existing buttons (`ev:open:<id>`,
`menu:<target>`): nothing is written before the flow's own confirmation. Managers answer the questions
residents forward from here, and can add the answer to the residence's FAQ.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, date, datetime, time
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import ui
from bot.delivery import deliver_soon, render_value
from bot.i18n import Raw, fmt_datetime, t
from bot.runtime import RUNTIME_KEY, Ctx
from handlers.bookings import _date as long_date
from handlers.common import PRIVATE, TYPED, current_user, lang_of
from handlers.flow import END, conversation, draft, length_error, wrong_type
from handlers.menu import send_dashboard
from models import IncidentCategory
from services import assistant as svc
from services.assistant_openai import DEFAULT_MODEL, OpenAIConfig, OpenAIEngine
from services.assistant_types import Action, Reply
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from services.people import Me

log = logging.getLogger(__name__)

ENGINE_KEY = "lba.assistant.openai"
FLOW = "assistant_reply"
FORGET_WORDS = frozenset({"oublier", "forget"})
SLOTS_PER_ROW = 3
# The dashboard buttons an answer may point to (`menu:<target>`, labels `menu.btn.<target>`).
OPEN_TARGETS = frozenset({"report", "book", "events", "market", "account", "bookings", "incidents", "help"})
CATEGORIES = frozenset(c.value for c in IncidentCategory)


class Step(IntEnum):
    ANSWER = 1


def _tz(context: Ctx, me: Me) -> str:
    return me.timezone or context.rt.settings.timezone


def _label(lang: str, key: str, **values: object) -> str:
    """A button label: Telegram shows it as plain text, so values are put in as they are (not escaped)."""
    return t(lang, key).format(**values)


# --- the OpenAI engine: one per application, built on first use, closed when the bot stops ---------------


def engine_of(application: Application) -> OpenAIEngine | None:  # type: ignore[type-arg]
    settings = application.bot_data[RUNTIME_KEY].settings
    if not settings.openai_api_key:
        return None
    engine: OpenAIEngine | None = application.bot_data.get(ENGINE_KEY)
    if engine is None:
        config = OpenAIConfig(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            model=settings.openai_model or DEFAULT_MODEL,
            timeout=settings.openai_timeout,
        )
        engine = application.bot_data[ENGINE_KEY] = OpenAIEngine(config)
    return engine


async def close_engine(application: Application) -> None:  # type: ignore[type-arg]
    """The bot's post-stop hook calls this: the engine's HTTP connections are closed."""
    engine: OpenAIEngine | None = application.bot_data.pop(ENGINE_KEY, None)
    if engine is not None:
        await engine.close()


# --- rendering a reply --------------------------------------------------------------------------------------


def _value(lang: str, tz: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return Raw(fmt_datetime(value, lang, tz))
    if isinstance(value, date):
        return long_date(lang, value)
    return render_value(value, lang, tz)


def render_text(reply: Reply, lang: str, tz: str) -> str:
    if reply.text is not None:
        text = html.escape(reply.text, quote=False)
    else:
        text = t(lang, reply.key or "ai.unknown", **{k: _value(lang, tz, v) for k, v in reply.params.items()})
    if reply.sources:
        text += t(lang, "ai.source", question=reply.sources[0].question)
        if reply.engine == "local" and len(reply.sources) > 1:
            text += t(lang, "ai.see_also")
            text += "".join(t(lang, "ai.see_also.line", question=hit.question) for hit in reply.sources[1:])
    if reply.engine == "local":
        lines = [
            t(lang, "ai.events.line", title=a.label or "", when=Raw(fmt_datetime(_start(a), lang, tz)))
            for a in reply.actions
            if a.kind == "event" and "starts_at" in a.params
        ]
        if lines:
            text += "\n" + "\n".join(lines)
        if reply.intent in ("greeting", "thanks", "unknown"):
            text += t(lang, "ai.examples")
    if reply.fallback in ("timeout", "error", "budget"):
        text += t(lang, f"ai.fallback.{reply.fallback}")
    return text


def _start(action: Action) -> datetime:
    return datetime.fromisoformat(str(action.params["starts_at"]))


def _slot_button(space_id: int, epoch: int, label: str) -> InlineKeyboardButton:
    return ui.button(label, "ai", "bk", space_id, epoch)


def _action_button(action: Action, reply: Reply, lang: str, tz: str) -> InlineKeyboardButton | None:
    params = action.params
    if action.kind == "incident" and reply.turn_id is not None:
        hints = [str(params.get(name) or "-") for name in ("category", "urgency", "place")]
        if params.get("category") not in CATEGORIES:
            return ui.button(t(lang, "ai.btn.incident_plain"), "ai", "inc", reply.turn_id, *hints)
        category = t(lang, f"inc.cat.{params['category']}").split(" ", 1)[-1]
        return ui.button(_label(lang, "ai.btn.incident", category=category), "ai", "inc", reply.turn_id, *hints)
    if action.kind == "booking" and isinstance(params.get("space_id"), int):
        space_id = params["space_id"]
        if isinstance(params.get("start"), int):
            local = datetime.fromtimestamp(params["start"], UTC).astimezone(ZoneInfo(tz))
            label = local.strftime("%d/%m" if local.time() == time(0) else "%H:%M")  # a night: its date
            return _slot_button(space_id, params["start"], label)
        if params.get("day"):
            try:
                day = date.fromisoformat(str(params["day"]))
            except ValueError:
                return None
            label = _label(lang, "ai.btn.day", day=long_date(lang, day))
            return ui.button(label, "ai", "bd", space_id, day.strftime("%Y%m%d"))
        label = _label(lang, "ai.btn.space", space=action.label) if action.label else t(lang, "menu.btn.book")
        return ui.button(label, "ai", "bs", space_id)
    if action.kind == "event" and isinstance(params.get("event_id"), int):
        label = _label(lang, "ai.btn.event", title=action.label) if action.label else t(lang, "ev.btn.view")
        return ui.button(label[:60], "ev", "open", params["event_id"])
    if action.kind == "open" and params.get("target") in OPEN_TARGETS:
        return ui.button(t(lang, f"menu.btn.{params['target']}"), "menu", params["target"])
    if action.kind == "ask_manager" and reply.turn_id is not None:
        return ui.button(t(lang, "ai.btn.ask_manager"), "ai", "fw", reply.turn_id)
    return None


def render_markup(reply: Reply, lang: str, tz: str) -> InlineKeyboardMarkup:
    """Slot buttons first (three a row), then one row per action, then the menu; nothing offered twice."""
    seen: set[str] = set()
    slots: list[InlineKeyboardButton] = []
    rows: list[list[InlineKeyboardButton]] = []

    def fresh(button: InlineKeyboardButton | None) -> bool:
        if button is None or button.callback_data in seen:
            return False
        seen.add(str(button.callback_data))
        return True

    for option in reply.slots:
        if fresh(button := _slot_button(option.space_id, option.start_epoch, option.label)):
            slots.append(button)
    for action in reply.actions:
        button = _action_button(action, reply, lang, tz)
        if button is not None and fresh(button):
            if str(button.callback_data).startswith("ai:bk:"):
                slots.append(button)
            else:
                rows.append([button])
    grid = [slots[i : i + SLOTS_PER_ROW] for i in range(0, len(slots), SLOTS_PER_ROW)]
    return ui.keyboard([*grid, *rows, [ui.menu_button(lang)]])


# --- free text ------------------------------------------------------------------------------------------------


async def on_text(update: Update, context: Ctx) -> None:
    """Any text no flow claimed, in a private chat: the assistant answers."""
    me = await current_user(update, context)
    message = update.effective_message
    if me is None:
        await message.reply_text(t(lang_of(update, context), "need_login"))
        return
    await update.effective_chat.send_chat_action(ChatAction.TYPING)
    settings = context.rt.settings
    reply = await svc.ask(
        context.rt.db,
        me,
        message.text or "",
        now=context.rt.now(),
        tz=settings.timezone,
        engine=engine_of(context.application),
        daily_tokens=settings.openai_daily_tokens,
    )
    lang, tz = me.language, _tz(context, me)
    await message.reply_text(render_text(reply, lang, tz), reply_markup=render_markup(reply, lang, tz))
    if reply.intent == "unknown":
        await send_dashboard(update, context, me)


# --- /assistant ------------------------------------------------------------------------------------------------


async def _intro(update: Update, context: Ctx, me: Me) -> None:
    lang = me.language
    text = t(lang, "ai.intro") + t(lang, "ai.examples")
    text += t(lang, "ai.intro.openai" if context.rt.settings.openai_api_key else "ai.intro.local")
    text += t(lang, "ai.intro.forget")
    rows: list[list[InlineKeyboardButton]] = []
    if me.is_staff:
        waiting = await context.rt.db(svc.open_questions, me)
        if waiting:
            text += t(lang, "ai.staff.title", count=len(waiting))
            for n, q in enumerate(waiting, 1):
                when = Raw(fmt_datetime(q.asked_at, lang, _tz(context, me)))
                apartment = q.apartment or "—"
                text += t(lang, "ai.staff.line", n=n, name=q.asker, apartment=apartment, when=when, question=q.question)
                rows.append([ui.button(t(lang, "ai.staff.btn", n=n), "ai", "ans", q.id)])
        else:
            text += t(lang, "ai.staff.none")
    rows.append([ui.button(t(lang, "ai.btn.forget"), "ai", "forget")])
    rows.append([ui.menu_button(lang)])
    await update.effective_chat.send_message(text, reply_markup=ui.keyboard(rows))


async def _forget(update: Update, context: Ctx, me: Me) -> None:
    count = await context.rt.db(svc.forget, me)
    await update.effective_chat.send_message(
        t(me.language, "ai.forgot", count=count), reply_markup=ui.menu_markup(me.language)
    )


async def assistant_command(update: Update, context: Ctx) -> None:
    """/assistant: what it can do; `/assistant oublier` (`forget`) clears my history."""
    me = await current_user(update, context)
    if me is None:
        return
    words = [w.lower() for w in context.args or []]
    if words and words[0] in FORGET_WORDS:
        await _forget(update, context, me)
    else:
        await _intro(update, context, me)


async def assistant_button(update: Update, context: Ctx) -> None:
    """`menu:assistant` (the dashboard) and `ai:forget`."""
    query = update.callback_query
    await query.answer()
    me = await current_user(update, context)
    if me is None:
        return
    if ui.parts(query.data)[1] == "forget":
        await _forget(update, context, me)
    else:
        await _intro(update, context, me)


async def _pressed(update: Update, context: Ctx) -> tuple[Me, int] | None:
    """Who pressed `ai:<action>:<id>`, and the id (0, which matches nothing, when the data is malformed)."""
    me = await current_user(update, context)
    if me is None:
        await update.callback_query.answer()
        return None
    values = ui.ints(update.callback_query.data, 1)
    return me, values[0] if values else 0


# --- forwarding a question to the managers ------------------------------------------------------------------------


async def on_forward(update: Update, context: Ctx) -> None:
    """`ai:fw:<turn>`: my unanswered message goes to my residence's managers."""
    query = update.callback_query
    pressed = await _pressed(update, context)
    if pressed is None:
        return
    me, turn = pressed
    lang = me.language
    try:
        await context.rt.db(svc.forward, me, turn, context.rt.now())
    except InvalidInput:
        await query.answer(t(lang, "ai.forward.already"), show_alert=True)
        return
    except NotAllowed:
        await query.answer(t(lang, "ai.forward.no_residence"), show_alert=True)
        return
    except NotFound:
        await query.answer(t(lang, "ai.gone"), show_alert=True)
        return
    deliver_soon(context.application)
    await query.answer()
    await update.effective_chat.send_message(t(lang, "ai.forward.done"), reply_markup=ui.menu_markup(lang))


# --- a manager answers ---------------------------------------------------------------------------------------------


async def _refuse(update: Update, lang: str, error: DomainError) -> None:
    if isinstance(error, NotAllowed):
        key = "ai.not_allowed"
    elif isinstance(error, InvalidInput) and error.reason == "answered":
        key = "ai.reply.already"
    elif isinstance(error, InvalidInput) and error.reason == "in_faq":
        key = "ai.faq.already"
    else:
        key = "ai.gone"
    if update.callback_query is not None:
        await update.callback_query.answer(t(lang, key), show_alert=True)
    else:
        await update.effective_chat.send_message(t(lang, key), reply_markup=ui.menu_markup(lang))


async def reply_start(update: Update, context: Ctx) -> int:
    """`ai:ans:<question>`: « Répondre » on a forwarded question (a manager of its residence, or an admin)."""
    query = update.callback_query
    pressed = await _pressed(update, context)
    if pressed is None:
        return END
    me, question_id = pressed
    lang = me.language
    try:
        asked = await context.rt.db(svc.question, me, question_id)
        if asked.status != svc.QuestionStatus.OPEN:
            raise InvalidInput("question", "answered")
    except DomainError as error:
        await _refuse(update, lang, error)
        return END
    await query.answer()
    draft(context, FLOW).update(question=asked.id, name=asked.asker)
    text = t(lang, "ai.reply.ask", name=asked.asker, question=asked.question, min=svc.ANSWER_MIN, max=svc.ANSWER_MAX)
    markup = ui.keyboard([[ui.button(t(lang, "btn.cancel"), "ai", "ans", "stop")]])
    await update.effective_chat.send_message(text, reply_markup=markup)
    return Step.ANSWER


async def on_answer(update: Update, context: Ctx) -> int:
    me = await current_user(update, context)
    if me is None:
        return END
    lang = me.language
    question_id = int(draft(context, FLOW).get("question") or 0)
    try:
        answered = await context.rt.db(svc.answer, me, question_id, update.message.text or "", context.rt.now())
    except InvalidInput as error:
        if error.field == "answer":
            await update.message.reply_text(length_error(lang, error))
            return Step.ANSWER
        await _refuse(update, lang, error)
        return END
    except DomainError as error:
        await _refuse(update, lang, error)
        return END
    deliver_soon(context.application)
    markup = ui.keyboard([[ui.button(t(lang, "ai.btn.to_faq"), "ai", "faq", answered.id)], [ui.menu_button(lang)]])
    await update.message.reply_text(t(lang, "ai.reply.sent", name=answered.asker), reply_markup=markup)
    return END


async def reply_stop(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    lang = lang_of(update, context)
    await ui.show(update, t(lang, "cancel.done"), ui.menu_markup(lang))
    return END


async def on_to_faq(update: Update, context: Ctx) -> None:
    """`ai:faq:<question>`: the answered question becomes an entry of the residence's knowledge base."""
    query = update.callback_query
    pressed = await _pressed(update, context)
    if pressed is None:
        return
    me, question_id = pressed
    lang = me.language
    try:
        await context.rt.db(svc.to_faq, me, question_id, context.rt.now())
    except InvalidInput as error:
        if error.field == "question":
            await _refuse(update, lang, error)
        else:  # the knowledge base refused the entry (its own length rules)
            await query.answer(t(lang, "ai.faq.failed", reason=error.reason), show_alert=True)
        return
    except DomainError as error:
        await _refuse(update, lang, error)
        return
    await query.answer()
    await ui.show(update, t(lang, "ai.faq.added"), ui.menu_markup(lang))


# --- wiring --------------------------------------------------------------------------------------------------------


def _reply_conversation() -> BaseHandler[Update, Ctx, object]:
    return conversation(
        FLOW,
        entry_points=[CallbackQueryHandler(reply_start, pattern=r"^ai:ans:\d+$")],
        states={Step.ANSWER: [MessageHandler(TYPED, on_answer), wrong_type()]},
        fallbacks=[CallbackQueryHandler(reply_stop, pattern=r"^ai:ans:stop$")],
    )


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    """Commands and buttons: registered among the flows."""
    return [
        _reply_conversation(),
        CommandHandler("assistant", assistant_command, filters=PRIVATE),
        CallbackQueryHandler(assistant_button, pattern=r"^(menu:assistant|ai:forget)$"),
        CallbackQueryHandler(on_forward, pattern=r"^ai:fw:"),
        CallbackQueryHandler(on_to_faq, pattern=r"^ai:faq:"),
    ]


def free_text_handlers() -> list[BaseHandler[Update, Ctx, object]]:
    """Free text no flow claimed: registered after every flow, before the last-resort answers."""
    return [MessageHandler(TYPED, on_text)]
