"""/faq: the residence's knowledge base — residents read it, managers list, add, edit and delete entries.

Reading is stateless buttons that carry what they need (`faq:o:42:1:0` = open entry 42, back to page 0
of its topic in residence 1's base; scope 0 is the network-wide base an admin looks after). Only the
steps waiting for typed answers are a conversation: adding an entry, and typing a field's new value.
Every press is checked again by services.knowledge, so a forged or stale button changes nothing.
"""

from __future__ import annotations

import logging
from enum import IntEnum
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import ui
from bot.i18n import Raw, fmt_datetime, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, lang_of, signed_in_user
from handlers.flow import END, Callback, conversation, draft, end_flow, length_error, page_buttons, wrong_type
from services import knowledge
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from services.knowledge import TOPICS, FaqHome, FaqPage, FaqView, ScopeChoice
from services.people import Me

log = logging.getLogger(__name__)

FLOW = "faq"
PREFIX = "faq"
LABEL_MAX = 40
SUMMARY_ANSWER_MAX = 1000  # the summary shows both answers: keep it well under Telegram's 4096
ID = r"\d{1,9}"
TOPIC_RE = "|".join(TOPICS)
# Field codes in callback data -> the entry's fields.
FIELDS = {
    "tp": "topic",
    "qfr": "question_fr",
    "afr": "answer_fr",
    "qen": "question_en",
    "aen": "answer_en",
    "kw": "keywords",
}
LIMITS = {
    "question_fr": (knowledge.QUESTION_MIN, knowledge.QUESTION_MAX),
    "question_en": (knowledge.QUESTION_MIN, knowledge.QUESTION_MAX),
    "answer_fr": (knowledge.ANSWER_MIN, knowledge.ANSWER_MAX),
    "answer_en": (knowledge.ANSWER_MIN, knowledge.ANSWER_MAX),
    "keywords": (2, knowledge.KEYWORDS_MAX),
}


class Step(IntEnum):
    RESIDENCE = 1
    TOPIC = 2
    QUESTION_FR = 3
    ANSWER_FR = 4
    QUESTION_EN = 5
    ANSWER_EN = 6
    KEYWORDS = 7
    SUMMARY = 8
    EDIT_VALUE = 9
    EDIT_TOPIC = 10


# --- rendering -----------------------------------------------------------------------------------


def _short(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scope_name(lang: str, name: str | None) -> str:
    return name if name is not None else t(lang, "faq.network")


def _topic_label(lang: str, topic: str) -> str:
    return t(lang, f"faq.topic.{topic if topic in TOPICS else 'general'}")


def render_pick(choices: tuple[ScopeChoice, ...], lang: str) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            ui.button(t(lang, "faq.btn.network"), PREFIX, "h", c.id)
            if c.name is None
            else ui.button(_short(c.name), PREFIX, "h", c.id)
        ]
        for c in choices
    ]
    rows.append([ui.menu_button(lang)])
    return t(lang, "faq.pick"), ui.keyboard(rows)


def render_home(home: FaqHome, lang: str, notice: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    residence = _scope_name(lang, home.residence_name)
    lines = [t(lang, "faq.home" if home.counts else "faq.home.empty", residence=residence, total=home.total)]
    lines += ["", t(lang, "faq.home.staff_hint" if home.can_manage else "faq.home.hint")]
    if notice:
        lines.insert(0, notice + "\n")
    topics = [
        ui.button(
            t(lang, "faq.topic_count", topic=Raw(_topic_label(lang, topic)), count=count),
            PREFIX,
            "t",
            home.scope,
            topic,
            0,
        )
        for topic, count in home.counts
    ]
    rows = [topics[i : i + 2] for i in range(0, len(topics), 2)]
    extra = []
    if home.can_manage:
        extra.append(ui.button(t(lang, "faq.btn.add"), PREFIX, "add", home.scope))
    if home.can_switch:
        extra.append(ui.button(t(lang, "faq.btn.other"), PREFIX, "pk"))
    rows += [extra, [ui.menu_button(lang)]]
    return "\n".join(lines), ui.keyboard(rows)


def render_page(page: FaqPage, lang: str, notice: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        t(
            lang,
            "faq.page",
            topic=Raw(_topic_label(lang, page.topic)),
            residence=_scope_name(lang, page.residence_name),
            page=page.page + 1,
            pages=page.pages,
        ),
        "",
    ]
    if notice:
        lines.insert(0, notice + "\n")
    rows: list[list[InlineKeyboardButton]] = []
    first = page.page * knowledge.PAGE_SIZE + 1
    for number, item in enumerate(page.items, start=first):
        question = item.question(lang)
        lines.append(t(lang, "faq.line", number=number, question=question))
        rows.append([ui.button(_short(f"{number}. {question}"), PREFIX, "o", item.id, page.scope, page.page)])
    lines += ["", t(lang, "faq.page.hint" if page.items else "faq.page.empty")]
    rows.append(page_buttons(lang, (PREFIX, "t", page.scope, page.topic), page.page, page.has_next))
    rows.append([ui.button(t(lang, "btn.back"), PREFIX, "h", page.scope), ui.menu_button(lang)])
    return "\n".join(lines), ui.keyboard(rows)


def render_entry(
    view: FaqView, lang: str, tz: str, scope: int, page: int, notice: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    text = t(
        lang,
        "faq.entry",
        question=view.question(lang),
        answer=view.answer(lang),
        topic=Raw(_topic_label(lang, view.topic)),
        source=_scope_name(lang, view.residence_name),
    )
    if view.can_edit:
        english = view.question_en is not None and view.answer_en is not None
        text += t(
            lang,
            "faq.entry.staff",
            english=Raw(t(lang, "faq.yes" if english else "faq.no")),
            keywords=view.keywords or Raw(t(lang, "faq.none")),
            updated=fmt_datetime(view.updated_at, lang, tz),
        )
    if notice:
        text = f"{notice}\n\n{text}"
    rows: list[list[InlineKeyboardButton]] = []
    if view.can_edit:
        rows.append(
            [
                ui.button(t(lang, "btn.edit"), PREFIX, "e", view.id, scope, page),
                ui.button(t(lang, "faq.btn.delete"), PREFIX, "d", view.id, scope, page),
            ]
        )
    topic = view.topic if view.topic in TOPICS else "general"
    rows.append([ui.button(t(lang, "btn.back"), PREFIX, "t", scope, topic, page), ui.menu_button(lang)])
    return text, ui.keyboard(rows)


def _edit_menu(view: FaqView, lang: str, scope: int, page: int) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [ui.button(t(lang, f"faq.field.{code}"), PREFIX, "f", view.id, scope, page, code) for code in FIELDS]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([ui.button(t(lang, "btn.back"), PREFIX, "o", view.id, scope, page)])
    return t(lang, "faq.edit.choose", question=view.question(lang)), ui.keyboard(rows)


def _topic_markup(lang: str, action: str) -> InlineKeyboardMarkup:
    buttons = [ui.button(_topic_label(lang, topic), PREFIX, action, topic) for topic in TOPICS]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([ui.button(t(lang, "btn.cancel"), PREFIX, "x")])
    return ui.keyboard(rows)


# --- helpers -------------------------------------------------------------------------------------


def _tz(context: Ctx, me: Me) -> str:
    return me.timezone or context.rt.settings.timezone


def _id(value: str) -> int | None:
    """A number read from callback data, if it could be an id we wrote (ids beyond 32 bits are forged)."""
    number = ui.to_int(value)
    return number if number is not None and number < 2**31 else None


def _numbers(data: str | None, count: int) -> list[int] | None:
    """The `count` ids after `faq:<action>:`, or None for any other shape."""
    values = [_id(v) for v in ui.parts(data)[2:]]
    return values if len(values) == count and None not in values else None  # type: ignore[return-value]


async def _ack(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


async def _me(update: Update, context: Ctx) -> Me | None:
    """The signed-in user, the button press answered (signed_in_user answers it itself when there is none)."""
    me = await signed_in_user(update, context)
    if me is not None:
        await _ack(update)
    return me


async def _refused(update: Update, me: Me, error: DomainError) -> None:
    """A refusal, as a new message: what went wrong, and the way back to what this user may read."""
    lang = me.language
    if isinstance(error, NotFound):
        key = "faq.gone"
    elif str(error) == "no residence":
        key = "faq.no_residence"
    elif str(error) == "residence":
        key = "faq.forbidden"
    else:
        key = "faq.not_allowed"
    markup = ui.keyboard([[ui.button(t(lang, "faq.btn.topics"), PREFIX, "home"), ui.menu_button(lang)]])
    await update.effective_chat.send_message(t(lang, key), reply_markup=markup)


async def _show_home(update: Update, context: Ctx, me: Me, scope: int | None, *, edit: bool) -> None:
    lang = me.language
    if scope is None:
        choices = await context.rt.db(knowledge.scopes, me)
        text, markup = render_pick(choices, lang)
    else:
        text, markup = render_home(await context.rt.db(knowledge.home, me, scope), lang)
    if edit:
        await ui.show(update, text, markup)
    else:
        await update.effective_chat.send_message(text, reply_markup=markup)


# --- reading: /faq and its buttons -----------------------------------------------------------------


async def faq_command(update: Update, context: Ctx) -> None:
    """/faq, or the dashboard's button: my residence's topics (an admin first picks a base)."""
    me = await _me(update, context)
    if me is None:
        return
    try:
        scope = await context.rt.db(knowledge.default_scope, me)
        await _show_home(update, context, me, scope, edit=False)
    except DomainError as error:
        await _refused(update, me, error)


async def on_button(update: Update, context: Ctx) -> None:
    query = update.callback_query
    me = await _me(update, context)
    if me is None:
        return
    data = ui.parts(query.data)
    action = data[1] if len(data) > 1 else ""
    lang = me.language
    try:
        if action == "home":
            await _show_home(update, context, me, await context.rt.db(knowledge.default_scope, me), edit=False)
        elif action == "pk":
            await ui.show(update, *render_pick(await context.rt.db(knowledge.scopes, me), lang))
        elif action == "h" and (numbers := _numbers(query.data, 1)):
            await _show_home(update, context, me, numbers[0], edit=True)
        elif action == "t" and len(data) == 5 and (scope := _id(data[2])) is not None:
            page = await context.rt.db(knowledge.topic_page, me, scope, data[3], ui.to_int(data[4]) or 0)
            await ui.show(update, *render_page(page, lang))
        elif action in ("o", "e", "d", "dy") and (numbers := _numbers(query.data, 3)):
            await _entry_action(update, context, me, action, *numbers)
        else:  # a shape we never sent: an older release, or forged
            await update.effective_chat.send_message(t(lang, "expired"), reply_markup=ui.menu_markup(lang))
    except InvalidInput:
        await update.effective_chat.send_message(t(lang, "expired"), reply_markup=ui.menu_markup(lang))
    except DomainError as error:
        await _refused(update, me, error)


async def _entry_action(
    update: Update, context: Ctx, me: Me, action: str, entry_id: int, scope: int, page: int
) -> None:
    lang, tz = me.language, _tz(context, me)
    if action == "dy":
        view = await context.rt.db(knowledge.delete_entry, me, entry_id, now=context.rt.now())
        notice = t(lang, "faq.deleted", question=view.question(lang))
        topic = view.topic if view.topic in TOPICS else "general"
        listing = await context.rt.db(knowledge.topic_page, me, scope, topic, page)
        await ui.show(update, *render_page(listing, lang, notice))
        return
    view = await context.rt.db(knowledge.get_entry, me, entry_id)
    if action == "o":
        await ui.show(update, *render_entry(view, lang, tz, scope, page))
    elif not view.can_edit:
        raise NotAllowed("manage")
    elif action == "e":
        await ui.show(update, *_edit_menu(view, lang, scope, page))
    else:
        markup = ui.keyboard(
            [
                [
                    ui.button(t(lang, "faq.btn.confirm_delete"), PREFIX, "dy", entry_id, scope, page),
                    ui.button(t(lang, "faq.btn.keep"), PREFIX, "o", entry_id, scope, page),
                ]
            ]
        )
        await ui.show(update, t(lang, "faq.delete.confirm", question=view.question(lang)), markup)


# --- adding an entry (conversation) ------------------------------------------------------------------


async def _ask(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await update.effective_chat.send_message(text, reply_markup=markup)


def _skip_markup(lang: str) -> InlineKeyboardMarkup:
    return ui.keyboard(
        [[ui.button(t(lang, "btn.skip"), PREFIX, "skip"), ui.button(t(lang, "btn.cancel"), PREFIX, "x")]]
    )


def _cancel_markup(lang: str) -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(t(lang, "btn.cancel"), PREFIX, "x")]])


async def add_start(update: Update, context: Ctx) -> int:
    """« ➕ Ajouter » under a base's topics: a manager adds to their residence; an admin picks where."""
    me = await _me(update, context)
    if me is None:
        return END
    answers = draft(context, FLOW)
    answers.clear()
    lang = me.language
    try:
        choices = await context.rt.db(knowledge.scopes, me)
        if len(choices) > 1:  # an admin: the network or any residence
            rows = [
                [ui.button(t(lang, "faq.btn.network") if c.name is None else _short(c.name), PREFIX, "ar", c.id)]
                for c in choices
            ]
            rows.append([ui.button(t(lang, "btn.cancel"), PREFIX, "x")])
            await _ask(update, t(lang, "faq.add.residence"), ui.keyboard(rows))
            return Step.RESIDENCE
        home = await context.rt.db(knowledge.home, me, choices[0].id)
    except DomainError as error:
        await _refused(update, me, error)
        return END
    return await _ask_topic(update, context, me, home)


async def _ask_topic(update: Update, context: Ctx, me: Me, home: FaqHome) -> int:
    """Where the entry goes is known (and may be written to): ask its topic."""
    if not home.can_manage:
        await _refused(update, me, NotAllowed("manage"))
        return END
    answers = draft(context, FLOW)
    answers["scope"] = home.scope
    answers["where"] = home.residence_name
    text = t(me.language, "faq.add.topic", residence=_scope_name(me.language, home.residence_name))
    await _ask(update, text, _topic_markup(me.language, "at"))
    return Step.TOPIC


async def residence_chosen(update: Update, context: Ctx) -> int:
    me = await _me(update, context)
    if me is None:
        return END
    await ui.drop_buttons(update)
    try:
        home = await context.rt.db(knowledge.home, me, ui.to_int(ui.parts(update.callback_query.data)[2]) or 0)
    except DomainError as error:
        await _refused(update, me, error)
        return END
    return await _ask_topic(update, context, me, home)


async def topic_chosen(update: Update, context: Ctx) -> int:
    await _ack(update)
    lang = lang_of(update, context)
    answers = draft(context, FLOW)
    if "scope" not in answers:
        return await _lost(update, context)
    answers["topic"] = ui.parts(update.callback_query.data)[2]
    where = _scope_name(lang, answers.get("where"))
    await ui.show(
        update, t(lang, "faq.add.topic_chosen", residence=where, topic=Raw(_topic_label(lang, answers["topic"])))
    )
    return await _ask_step(update, context, Step.QUESTION_FR)


# The typed steps of adding: step -> (the field it fills, the step after it).
ADD_STEPS = {
    Step.QUESTION_FR: ("question_fr", Step.ANSWER_FR),
    Step.ANSWER_FR: ("answer_fr", Step.QUESTION_EN),
    Step.QUESTION_EN: ("question_en", Step.ANSWER_EN),
    Step.ANSWER_EN: ("answer_en", Step.KEYWORDS),
    Step.KEYWORDS: ("keywords", Step.SUMMARY),
}


async def _ask_step(update: Update, context: Ctx, step: Step) -> int:
    """Ask for the step's field (« Passer » offered for the optional ones), or show the summary."""
    if step == Step.SUMMARY:
        return await _summary(update, context)
    lang = lang_of(update, context)
    field = ADD_STEPS[step][0]
    low, high = LIMITS[field]
    optional = field in knowledge.OPTIONAL_FIELDS
    await _ask(
        update, t(lang, f"faq.add.{field}", min=low, max=high), (_skip_markup if optional else _cancel_markup)(lang)
    )
    return step


def _typed(step: Step) -> Callback:
    """The handler of a typed answer at `step`: kept if valid (then the next step), else asked again."""
    field, following = ADD_STEPS[step]

    async def typed(update: Update, context: Ctx) -> int:
        try:
            value = knowledge.check_field(field, update.message.text)
        except InvalidInput as error:
            await update.message.reply_text(length_error(lang_of(update, context), error))
            return step
        draft(context, FLOW)[field] = value
        return await _ask_step(update, context, following)

    typed.__name__ = f"{field}_typed"
    return typed


def _skipped(following: Step) -> Callback:
    """« Passer »: on to `following` (skipping the English question skips its answer too)."""

    async def skipped(update: Update, context: Ctx) -> int:
        await _ack(update)
        await ui.drop_buttons(update)
        return await _ask_step(update, context, following)

    return skipped


async def _summary(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    answers = draft(context, FLOW)
    if not {"scope", "topic", "question_fr", "answer_fr"} <= set(answers):
        return await _lost(update, context)
    none = Raw(t(lang, "faq.none"))
    text = t(
        lang,
        "faq.add.summary",
        residence=_scope_name(lang, answers.get("where")),
        topic=Raw(_topic_label(lang, answers["topic"])),
        question_fr=answers["question_fr"],
        answer_fr=_short(answers["answer_fr"], SUMMARY_ANSWER_MAX),
        question_en=answers.get("question_en") or none,
        answer_en=_short(answers["answer_en"], SUMMARY_ANSWER_MAX) if answers.get("answer_en") else none,
        keywords=answers.get("keywords") or none,
    )
    markup = ui.keyboard(
        [[ui.button(t(lang, "faq.btn.save"), PREFIX, "save"), ui.button(t(lang, "btn.cancel"), PREFIX, "x")]]
    )
    await _ask(update, text, markup)
    return Step.SUMMARY


async def save(update: Update, context: Ctx) -> int:
    me = await _me(update, context)
    if me is None:
        return END
    await ui.drop_buttons(update)
    answers = draft(context, FLOW)
    if not {"scope", "topic", "question_fr", "answer_fr"} <= set(answers):
        return await _lost(update, context)
    scope = answers["scope"]
    try:
        entry_id = await context.rt.db(
            knowledge.create_entry,
            me,
            residence_id=scope or None,
            topic=answers["topic"],
            question_fr=answers["question_fr"],
            answer_fr=answers["answer_fr"],
            question_en=answers.get("question_en"),
            answer_en=answers.get("answer_en"),
            keywords=answers.get("keywords") or "",
            now=context.rt.now(),
        )
        view = await context.rt.db(knowledge.get_entry, me, entry_id)
    except InvalidInput:
        await _ask(update, t(me.language, "faq.add.invalid"), ui.menu_markup(me.language))
        return END
    except DomainError as error:
        await _refused(update, me, error)
        return END
    lang = me.language
    text, markup = render_entry(view, lang, _tz(context, me), scope, 0, t(lang, "faq.add.saved"))
    await _ask(update, text, markup)
    return END


# --- editing one field (conversation) ------------------------------------------------------------------


async def edit_start(update: Update, context: Ctx) -> int:
    """A field button under « ✏️ Modifier »: ask its new value (a topic is chosen with buttons)."""
    me = await _me(update, context)
    if me is None:
        return END
    data = ui.parts(update.callback_query.data)
    numbers = _numbers(":".join(data[:5]), 3)
    if numbers is None or len(data) != 6 or data[5] not in FIELDS:
        await _ask(update, t(me.language, "expired"), ui.menu_markup(me.language))
        return END
    entry_id, scope, page = numbers
    lang = me.language
    try:
        view = await context.rt.db(knowledge.get_entry, me, entry_id)
    except DomainError as error:
        await _refused(update, me, error)
        return END
    if not view.can_edit:
        await _refused(update, me, NotAllowed("manage"))
        return END
    field = FIELDS[data[5]]
    answers = draft(context, FLOW)
    answers.clear()
    answers.update({"id": entry_id, "scope": scope, "page": page, "field": field})
    await ui.drop_buttons(update)
    if field == "topic":
        await _ask(
            update, t(lang, "faq.edit.topic", topic=Raw(_topic_label(lang, view.topic))), _topic_markup(lang, "et")
        )
        return Step.EDIT_TOPIC
    current = getattr(view, field) or t(lang, "faq.none")
    min_, max_ = LIMITS[field]
    optional = field in knowledge.OPTIONAL_FIELDS
    text = t(
        lang,
        "faq.edit.ask_optional" if optional else "faq.edit.ask",
        field=Raw(t(lang, f"faq.field.{data[5]}")),
        current=_short(current, 3000),
        min=min_,
        max=max_,
    )
    rows = [[ui.button(t(lang, "faq.btn.clear"), PREFIX, "clr")]] if optional else []
    rows.append([ui.button(t(lang, "btn.cancel"), PREFIX, "x")])
    await _ask(update, text, ui.keyboard(rows))
    return Step.EDIT_VALUE


async def _apply(update: Update, context: Ctx, value: str | None) -> int | None:
    """Save the edited field; None when the value was refused and asked again."""
    me = await _me(update, context)
    if me is None:
        return END
    answers = draft(context, FLOW)
    if "id" not in answers:
        return await _lost(update, context)
    lang = me.language
    try:
        view = await context.rt.db(
            knowledge.update_entry, me, answers["id"], answers["field"], value, now=context.rt.now()
        )
    except InvalidInput as error:
        if error.reason in ("too_short", "too_long"):
            await update.effective_message.reply_text(length_error(lang, error))
            return None
        await _ask(update, t(lang, "expired"), ui.menu_markup(lang))
        return END
    except DomainError as error:
        await _refused(update, me, error)
        return END
    text, markup = render_entry(
        view, lang, _tz(context, me), answers["scope"], answers["page"], t(lang, "faq.edit.saved")
    )
    await _ask(update, text, markup)
    return END


async def value_typed(update: Update, context: Ctx) -> int:
    result = await _apply(update, context, update.message.text)
    return Step.EDIT_VALUE if result is None else result


async def value_cleared(update: Update, context: Ctx) -> int:
    await ui.drop_buttons(update)
    result = await _apply(update, context, None)
    return Step.EDIT_VALUE if result is None else result


async def topic_edited(update: Update, context: Ctx) -> int:
    await ui.drop_buttons(update)
    result = await _apply(update, context, ui.parts(update.callback_query.data)[2])
    return END if result is None else result  # a topic is never too short or too long


# --- leaving -----------------------------------------------------------------------------------------


async def _lost(update: Update, context: Ctx) -> int:
    """The draft is gone (it is persisted, so hardly ever): say so rather than guess."""
    lang = lang_of(update, context)
    end_flow(context, FLOW)
    await _ask(update, t(lang, "expired"), ui.menu_markup(lang))
    return END


async def cancel_button(update: Update, context: Ctx) -> int:
    await _ack(update)
    await ui.drop_buttons(update)
    end_flow(context, FLOW)
    lang = lang_of(update, context)
    markup = ui.keyboard([[ui.button(t(lang, "faq.btn.topics"), PREFIX, "home"), ui.menu_button(lang)]])
    await _ask(update, t(lang, "cancel.done"), markup)
    return END


async def leave(update: Update, context: Ctx) -> int:
    """A reading button pressed instead of answering: leave the step and do what was asked."""
    end_flow(context, FLOW)
    await on_button(update, context)
    return END


async def restart(update: Update, context: Ctx) -> Any:
    """« ➕ Ajouter » or a field button again mid-flow: start that over."""
    data = update.callback_query.data or ""
    return await (add_start(update, context) if data.startswith("faq:add") else edit_start(update, context))


# --- registration ------------------------------------------------------------------------------


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    add = rf"^faq:add:{ID}$"
    edit = rf"^faq:f:{ID}:{ID}:{ID}:({'|'.join(FIELDS)})$"
    skip = r"^faq:skip$"
    flow = conversation(
        FLOW,
        entry_points=[
            CallbackQueryHandler(add_start, pattern=add),
            CallbackQueryHandler(edit_start, pattern=edit),
        ],
        states={
            Step.RESIDENCE: [
                CallbackQueryHandler(residence_chosen, pattern=rf"^faq:ar:{ID}$"),
                wrong_type("flow.use_buttons"),
            ],
            Step.TOPIC: [
                CallbackQueryHandler(topic_chosen, pattern=rf"^faq:at:({TOPIC_RE})$"),
                wrong_type("flow.use_buttons"),
            ],
            Step.QUESTION_FR: [MessageHandler(TYPED, _typed(Step.QUESTION_FR)), wrong_type("faq.expected_text")],
            Step.ANSWER_FR: [MessageHandler(TYPED, _typed(Step.ANSWER_FR)), wrong_type("faq.expected_text")],
            Step.QUESTION_EN: [
                MessageHandler(TYPED, _typed(Step.QUESTION_EN)),
                CallbackQueryHandler(_skipped(Step.KEYWORDS), pattern=skip),
                wrong_type("faq.expected_text_or_skip"),
            ],
            Step.ANSWER_EN: [
                MessageHandler(TYPED, _typed(Step.ANSWER_EN)),
                CallbackQueryHandler(_skipped(Step.KEYWORDS), pattern=skip),
                wrong_type("faq.expected_text_or_skip"),
            ],
            Step.KEYWORDS: [
                MessageHandler(TYPED, _typed(Step.KEYWORDS)),
                CallbackQueryHandler(_skipped(Step.SUMMARY), pattern=skip),
                wrong_type("faq.expected_text_or_skip"),
            ],
            Step.SUMMARY: [CallbackQueryHandler(save, pattern=r"^faq:save$"), wrong_type("flow.use_buttons")],
            Step.EDIT_VALUE: [
                MessageHandler(TYPED, value_typed),
                CallbackQueryHandler(value_cleared, pattern=r"^faq:clr$"),
                wrong_type("faq.expected_text"),
            ],
            Step.EDIT_TOPIC: [
                CallbackQueryHandler(topic_edited, pattern=rf"^faq:et:({TOPIC_RE})$"),
                wrong_type("flow.use_buttons"),
            ],
        },
        fallbacks=[
            CallbackQueryHandler(cancel_button, pattern=r"^faq:x$"),
            CallbackQueryHandler(restart, pattern=f"{add}|{edit}"),
            CallbackQueryHandler(leave, pattern=r"^faq:(home|pk|h|t|o|e|d|dy)(:|$)"),
        ],
    )
    return [
        flow,
        CommandHandler("faq", faq_command, filters=PRIVATE),
        CallbackQueryHandler(faq_command, pattern=r"^menu:faq$"),
        CallbackQueryHandler(on_button, pattern=r"^faq:(home|pk|h|t|o|e|d|dy)(:|$)"),
    ]
