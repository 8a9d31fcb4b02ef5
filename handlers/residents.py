"""The managers' residents tools: /inviter (/invite) and /residents (list, search, card, deactivation).

Typed steps (the invitee's e-mail and apartment, a search) are one conversation; browsing the list
and acting on a card are stateless buttons carrying what they need (`res:op:42:l3` = open user 42,
back to page 3 of the list), and every press is checked again by the service, so an old or forged
button does nothing it should not.
"""

from __future__ import annotations

import logging
import re
from enum import IntEnum
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import ui
from bot.commands import refresh_commands_for
from bot.delivery import deliver_soon
from bot.i18n import Raw, fmt_datetime, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, current_user, lang_of
from handlers.flow import END, conversation, draft, end_flow, page_buttons, wrong_type
from models import Role
from services import residents
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me
from services.residents import NewInvitation, ResidenceChoice, ResidentPage, ResidentView

log = logging.getLogger(__name__)

FLOW = "residents"
PREFIX = "res"
SEARCH_KEY = "res.search"  # user_data: the last search, so its result pages can be turned
LABEL_MAX = 40
PICK_PAGE_SIZE = 8
BACK_RE = re.compile(r"^[ls]\d{1,5}$")
CARD_ACTIONS = ("op", "off", "offy", "on")

# Why a service refused -> what the user is told.
REFUSALS = {
    "managers only": "res.managers_only",
    "no residence": "res.no_residence",
    "self": "res.err.self",
    "staff": "res.err.staff",
    "not invitable": "res.inv.not_possible",
}
EMAIL_ERRORS = {
    "too_long": "res.inv.email_too_long",
    "linked": "res.inv.email_linked",
    "elsewhere": "res.inv.email_elsewhere",
    "staff": "res.inv.email_staff",
}


class Step(IntEnum):
    RESIDENCE = 1
    EMAIL = 2
    APARTMENT = 3
    QUERY = 4


# --- rendering -----------------------------------------------------------------------------------


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _status(lang: str, active: bool, linked: bool, unreachable: bool) -> str:
    if not active:
        return t(lang, "res.status.inactive")
    status = t(lang, "res.status.linked" if linked else "res.status.unlinked")
    return status + (" · " + t(lang, "res.status.unreachable") if unreachable else "")


def render_page(page: ResidentPage, lang: str, *, admin: bool) -> tuple[str, InlineKeyboardMarkup]:
    searching = page.query is not None
    lines = [
        t(lang, "res.list.title", residence=page.residence_name, total=page.total, page=page.page + 1, pages=page.pages)
    ]
    if searching:
        lines.append(t(lang, "res.list.search", query=page.query))
    lines.append("")
    if not page.items:
        lines.append(t(lang, "res.list.no_match" if searching else "res.list.empty"))
    back = f"{'s' if searching else 'l'}{page.page}"
    rows: list[list[InlineKeyboardButton]] = []
    first = page.page * residents.PAGE_SIZE + 1
    for number, item in enumerate(page.items, start=first):
        lines.append(
            t(
                lang,
                "res.list.line",
                number=number,
                name=item.full_name,
                apartment=item.apartment or Raw(t(lang, "res.none")),
                role=Raw(t(lang, f"role.{item.role.value}")),
                status=Raw(_status(lang, item.active, item.linked, item.unreachable)),
            )
        )
        rows.append([ui.button(_short(f"{number}. {item.full_name}"), PREFIX, "op", item.id, back)])
    if page.items:
        lines += ["", t(lang, "res.list.hint")]
    if searching:
        rows.append(page_buttons(lang, (PREFIX, "sq"), page.page, page.has_next))
        rows.append(
            [
                ui.button(t(lang, "res.btn.all"), PREFIX, "ls", page.residence_id, 0),
                ui.button(t(lang, "res.btn.search"), PREFIX, "find", page.residence_id),
            ]
        )
    else:
        rows.append(page_buttons(lang, (PREFIX, "ls", page.residence_id), page.page, page.has_next))
        rows.append(
            [
                ui.button(t(lang, "res.btn.search"), PREFIX, "find", page.residence_id),
                ui.button(t(lang, "res.btn.invite"), PREFIX, "inv", page.residence_id),
            ]
        )
    if admin:
        rows.append([ui.button(t(lang, "res.btn.other_residence"), PREFIX, "pk", 0)])
    rows.append([ui.menu_button(lang)])
    return "\n".join(lines), ui.keyboard(rows)


def render_pick(
    choices: tuple[ResidenceChoice, ...], lang: str, page: int, *, invite: bool
) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-len(choices) // PICK_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = choices[page * PICK_PAGE_SIZE : (page + 1) * PICK_PAGE_SIZE]
    if invite:
        buttons = [ui.button(_short(c.name), PREFIX, "ir", c.id) for c in shown]
        nav = page_buttons(lang, (PREFIX, "ipk"), page, page + 1 < pages)
        last = [ui.button(t(lang, "btn.cancel"), PREFIX, "x")]
    else:
        buttons = [ui.button(_short(c.name), PREFIX, "ls", c.id, 0) for c in shown]
        nav = page_buttons(lang, (PREFIX, "pk"), page, page + 1 < pages)
        last = [ui.menu_button(lang)]
    rows = [[b] for b in buttons] + [nav, last]
    return t(lang, "res.inv.pick_residence" if invite else "res.list.pick_residence"), ui.keyboard(rows)


def render_card(view: ResidentView, lang: str, tz: str, back: str, notice: str | None = None) -> tuple[str, Any]:
    none = Raw(t(lang, "res.none"))
    text = t(
        lang,
        "res.card",
        name=view.full_name,
        email=view.email,
        apartment=view.apartment or none,
        phone=view.phone or none,
        role=Raw(t(lang, f"role.{view.role.value}")),
        residence=view.residence_name or none,
        telegram=Raw(t(lang, "res.status.linked" if view.linked else "res.status.unlinked")),
        account=Raw(t(lang, "res.card.active" if view.active else "res.card.inactive")),
    )
    if view.unreachable_since is not None:
        text += "\n\n" + t(lang, "res.card.unreachable", since=fmt_datetime(view.unreachable_since, lang, tz))
    if notice:
        text = f"{notice}\n\n{text}"
    rows: list[list[InlineKeyboardButton]] = []
    if view.can_deactivate:
        rows.append([ui.button(t(lang, "res.btn.deactivate"), PREFIX, "off", view.id, back)])
    if view.can_reactivate:
        rows.append([ui.button(t(lang, "res.btn.reactivate"), PREFIX, "on", view.id, back)])
    if view.can_reinvite:
        rows.append([ui.button(t(lang, "res.btn.reinvite"), PREFIX, "ri", view.id)])
    rows.append([_back_button(lang, view.residence_id, back), ui.menu_button(lang)])
    return text, ui.keyboard(rows)


def _back_button(lang: str, residence_id: int | None, back: str) -> InlineKeyboardButton:
    page = int(back[1:])
    if back.startswith("s") or residence_id is None:
        return ui.button(t(lang, "res.btn.back_list"), PREFIX, "sq", page)
    return ui.button(t(lang, "res.btn.back_list"), PREFIX, "ls", residence_id, page)


def render_invitation(created: NewInvitation, lang: str, bot_username: str) -> tuple[str, InlineKeyboardMarkup]:
    text = t(
        lang,
        "res.inv.created",
        email=created.email,
        residence=created.residence_name,
        apartment=created.apartment or Raw(t(lang, "res.none")),
        expires=fmt_datetime(created.expires_at, lang, created.timezone),
        link=f"https://t.me/{bot_username}?start={created.code}",
    )
    markup = ui.keyboard(
        [
            [
                ui.button(t(lang, "res.btn.list"), PREFIX, "ls", created.residence_id, 0),
                ui.button(t(lang, "res.btn.invite"), PREFIX, "inv", created.residence_id),
            ],
            [ui.menu_button(lang)],
        ]
    )
    return text, markup


# --- helpers -------------------------------------------------------------------------------------


async def _ack(update: Update, text: str | None = None) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text)


async def _me(update: Update, context: Ctx) -> Me | None:
    """The gate already turned unlinked users away; this covers an account unlinked in between."""
    me = await current_user(update, context)
    if me is None:
        await update.effective_chat.send_message(t(lang_of(update, context), "need_login"))
    return me


def _tz(context: Ctx, me: Me) -> str:
    return me.timezone or context.rt.settings.timezone


async def _say(update: Update, lang: str, key: str) -> None:
    """A refusal, as a new message (the button's query is already answered)."""
    await update.effective_chat.send_message(t(lang, key), reply_markup=ui.menu_markup(lang))


async def _refused(update: Update, lang: str, error: NotAllowed | NotFound) -> None:
    key = REFUSALS.get(str(error), "res.unavailable") if isinstance(error, NotAllowed) else "res.unavailable"
    await _say(update, lang, key)


async def _stale(update: Update, lang: str, *, answered: bool = False) -> None:
    if not answered:
        await _ack(update, t(lang, "res.expired.alert"))
    await update.effective_chat.send_message(t(lang, "res.expired"), reply_markup=ui.menu_markup(lang))


def _number(data: str | None, position: int) -> int | None:
    values = ui.parts(data)
    return ui.to_int(values[position]) if len(values) > position else None


# --- the conversation: inviting and searching -----------------------------------------------------


async def _ask_email(update: Update, lang: str, choice: ResidenceChoice, *, edit: bool) -> None:
    markup = ui.keyboard(
        [
            [ui.button(t(lang, "res.btn.list"), PREFIX, "ls", choice.id, 0)],
            [ui.button(t(lang, "btn.cancel"), PREFIX, "x")],
        ]
    )
    text = t(lang, "res.inv.ask_email", residence=choice.name)
    if edit:
        await ui.show(update, text, markup)
    else:
        await update.effective_chat.send_message(text, reply_markup=markup)


async def invite_start(update: Update, context: Ctx) -> int:
    """/inviter, the dashboard's button, or "Inviter" under a list (which names the residence)."""
    await _ack(update)
    me = await _me(update, context)
    if me is None:
        return END
    lang = me.language
    data = update.callback_query.data if update.callback_query else None
    wanted = _number(data, 2) if data and data.startswith("res:inv:") else None
    answers = draft(context, FLOW)
    answers.clear()
    try:
        if wanted is not None:
            choice = await context.rt.db(residents.residence_choice, me, wanted)
        else:
            scope = await context.rt.db(residents.scope, me)
            if scope.only is None:
                text, markup = render_pick(scope.residences, lang, 0, invite=True)
                await update.effective_chat.send_message(text, reply_markup=markup)
                return Step.RESIDENCE
            choice = scope.only
    except (NotAllowed, NotFound) as error:
        await _refused(update, lang, error)
        return END
    answers["rid"] = choice.id
    await _ask_email(update, lang, choice, edit=False)
    return Step.EMAIL


async def pick_page(update: Update, context: Ctx) -> int:
    await _ack(update)
    me = await _me(update, context)
    if me is None:
        return END
    try:
        scope = await context.rt.db(residents.scope, me)
    except NotAllowed as error:
        await _refused(update, me.language, error)
        return END
    await ui.show(
        update, *render_pick(scope.residences, me.language, _number(update.callback_query.data, 2) or 0, invite=True)
    )
    return Step.RESIDENCE


async def residence_picked(update: Update, context: Ctx) -> int:
    await _ack(update)
    me = await _me(update, context)
    if me is None:
        return END
    try:
        choice = await context.rt.db(residents.residence_choice, me, _number(update.callback_query.data, 2) or 0)
    except (NotAllowed, NotFound) as error:
        await _refused(update, me.language, error)
        return END
    draft(context, FLOW)["rid"] = choice.id
    await _ask_email(update, me.language, choice, edit=True)
    return Step.EMAIL


async def email_typed(update: Update, context: Ctx) -> int:
    me = await _me(update, context)
    if me is None:
        return END
    lang = me.language
    rid = draft(context, FLOW).get("rid")
    if rid is None:  # the draft was lost (it is persisted, so hardly ever): say so rather than guess
        await _stale(update, lang)
        return END
    try:
        email = await context.rt.db(residents.check_invitee, me, rid, update.message.text or "")
    except InvalidInput as error:
        key = EMAIL_ERRORS.get(error.reason, "res.inv.bad_email")
        await update.message.reply_text(t(lang, key, **error.details))
        return Step.EMAIL
    except (NotAllowed, NotFound) as error:
        await _refused(update, lang, error)
        return END
    draft(context, FLOW)["email"] = email
    markup = ui.keyboard(
        [[ui.button(t(lang, "btn.skip"), PREFIX, "skip"), ui.button(t(lang, "btn.cancel"), PREFIX, "x")]]
    )
    await update.message.reply_text(t(lang, "res.inv.ask_apartment", email=email), reply_markup=markup)
    return Step.APARTMENT


async def apartment_typed(update: Update, context: Ctx) -> int:
    me = await _me(update, context)
    if me is None:
        return END
    try:
        apartment = residents.clean_apartment(update.message.text)
    except InvalidInput as error:
        key = "flow.too_long" if error.reason == "too_long" else "flow.too_short"
        await update.message.reply_text(t(me.language, key, **error.details))
        return Step.APARTMENT
    return await _create(update, context, me, apartment)


async def apartment_skipped(update: Update, context: Ctx) -> int:
    await _ack(update)
    me = await _me(update, context)
    if me is None:
        return END
    return await _create(update, context, me, None)


async def _create(update: Update, context: Ctx, me: Me, apartment: str | None) -> int:
    lang = me.language
    answers = draft(context, FLOW)
    rid, email = answers.get("rid"), answers.get("email")
    if rid is None or email is None:
        await _stale(update, lang, answered=True)
        return END
    try:
        created = await context.rt.db(
            residents.invite,
            me,
            rid,
            email,
            apartment,
            context.rt.now(),
            context.rt.settings.bcrypt_rounds,
        )
    except InvalidInput as error:  # the address got taken in between: ask for another one
        await update.effective_chat.send_message(t(lang, EMAIL_ERRORS.get(error.reason, "res.inv.bad_email")))
        return Step.EMAIL
    except (NotAllowed, NotFound) as error:
        await _refused(update, lang, error)
        return END
    text, markup = render_invitation(created, lang, context.bot.username)
    await update.effective_chat.send_message(text, reply_markup=markup)
    return END


async def search_start(update: Update, context: Ctx) -> int:
    await _ack(update)
    me = await _me(update, context)
    if me is None:
        return END
    try:
        choice = await context.rt.db(residents.residence_choice, me, _number(update.callback_query.data, 2) or 0)
    except (NotAllowed, NotFound) as error:
        await _refused(update, me.language, error)
        return END
    answers = draft(context, FLOW)
    answers.clear()
    answers["rid"] = choice.id
    markup = ui.keyboard([[ui.button(t(me.language, "btn.cancel"), PREFIX, "x")]])
    await update.effective_chat.send_message(
        t(me.language, "res.search.ask", residence=choice.name), reply_markup=markup
    )
    return Step.QUERY


async def query_typed(update: Update, context: Ctx) -> int:
    me = await _me(update, context)
    if me is None:
        return END
    lang = me.language
    rid = draft(context, FLOW).get("rid")
    if rid is None:
        await _stale(update, lang)
        return END
    try:
        page = await context.rt.db(residents.list_residents, me, rid, 0, update.message.text or "")
    except InvalidInput as error:
        key = "flow.too_long" if error.reason == "too_long" else "flow.too_short"
        await update.message.reply_text(t(lang, key, **error.details))
        return Step.QUERY
    except (NotAllowed, NotFound) as error:
        await _refused(update, lang, error)
        return END
    context.user_data[SEARCH_KEY] = {"rid": page.residence_id, "q": page.query}
    text, markup = render_page(page, lang, admin=me.role == Role.ADMIN)
    await update.effective_chat.send_message(text, reply_markup=markup)
    return END


async def cancel_button(update: Update, context: Ctx) -> int:
    end_flow(context, FLOW)
    lang = lang_of(update, context)
    await _ack(update)
    await update.effective_chat.send_message(t(lang, "cancel.done"), reply_markup=ui.menu_markup(lang))
    return END


async def leave(update: Update, context: Ctx) -> int:
    """Another residents button pressed instead of typing: leave the step and do what was asked."""
    await on_button(update, context)
    return END


# --- /residents and the buttons of the list and cards ----------------------------------------------


async def residents_command(update: Update, context: Ctx) -> None:
    me = await _me(update, context)
    if me is None:
        return
    lang = me.language
    try:
        scope = await context.rt.db(residents.scope, me)
        if scope.only is None:
            text, markup = render_pick(scope.residences, lang, 0, invite=False)
            await update.effective_chat.send_message(text, reply_markup=markup)
            return
        query = " ".join(context.args or []) or None
        page = await context.rt.db(residents.list_residents, me, scope.only.id, 0, query)
    except (NotAllowed, NotFound) as error:
        await _refused(update, lang, error)
        return
    except InvalidInput as error:
        key = "flow.too_long" if error.reason == "too_long" else "flow.too_short"
        await update.effective_message.reply_text(t(lang, key, **error.details))
        return
    if page.query is not None:
        context.user_data[SEARCH_KEY] = {"rid": page.residence_id, "q": page.query}
    text, markup = render_page(page, lang, admin=me.role == Role.ADMIN)
    await update.effective_chat.send_message(text, reply_markup=markup)


async def on_button(update: Update, context: Ctx) -> None:
    query = update.callback_query
    me = await current_user(update, context)
    if me is None:
        await query.answer()
        return
    lang = me.language
    data = ui.parts(query.data)
    action, args = (data[1] if len(data) > 1 else ""), data[2:]
    numbers = [ui.to_int(a) for a in args]
    first = numbers[0] if numbers else None
    back = args[1] if len(args) == 2 and BACK_RE.match(args[1]) else None
    search = (context.user_data or {}).get(SEARCH_KEY) if action == "sq" else None
    known = (
        (action in ("pk", "ri") and len(args) == 1 and first is not None)
        or (action == "ls" and len(args) == 2 and None not in numbers)
        or (action == "sq" and len(args) == 1 and first is not None and bool(search))
        or (action in CARD_ACTIONS and back is not None and first is not None)
    )
    if not known:  # a step's button after its flow, an older release's data, a search forgotten
        await _stale(update, lang)
        return
    assert first is not None
    await query.answer()
    try:
        if action == "pk":
            await _pick_for_list(update, context, me, first)
        elif action == "ls":
            await _show_list(update, context, me, first, numbers[1] or 0, None)
        elif action == "sq":
            assert search is not None
            await _show_list(update, context, me, search["rid"], first, search["q"])
        elif action == "ri":
            await _reinvite(update, context, me, first)
        else:
            assert back is not None
            await _card_action(update, context, me, action, first, back)
    except (NotAllowed, NotFound) as error:
        await _refused(update, lang, error)
    except InvalidInput:
        await _stale(update, lang, answered=True)


async def _pick_for_list(update: Update, context: Ctx, me: Me, page: int) -> None:
    scope = await context.rt.db(residents.scope, me)
    if scope.only is not None:
        await _show_list(update, context, me, scope.only.id, 0, None)
        return
    await ui.show(update, *render_pick(scope.residences, me.language, page, invite=False))


async def _show_list(update: Update, context: Ctx, me: Me, residence_id: int, page: int, query: str | None) -> None:
    result = await context.rt.db(residents.list_residents, me, residence_id, page, query)
    await ui.show(update, *render_page(result, me.language, admin=me.role == Role.ADMIN))


async def _card_action(update: Update, context: Ctx, me: Me, action: str, user_id: int, back: str) -> None:
    lang, tz = me.language, _tz(context, me)
    if action == "op":
        view = await context.rt.db(residents.resident, me, user_id)
        await ui.show(update, *render_card(view, lang, tz, back))
    elif action == "off":
        view = await context.rt.db(residents.resident, me, user_id)
        if not view.can_deactivate:  # an old card: show how things are now
            await ui.show(update, *render_card(view, lang, tz, back, t(lang, "res.off.already", name=view.full_name)))
            return
        markup = ui.keyboard(
            [
                [
                    ui.button(t(lang, "res.btn.confirm_deactivate"), PREFIX, "offy", user_id, back),
                    ui.button(t(lang, "res.btn.keep"), PREFIX, "op", user_id, back),
                ]
            ]
        )
        await ui.show(update, t(lang, "res.off.confirm", name=view.full_name), markup)
    elif action == "offy":
        change = await context.rt.db(residents.deactivate, me, user_id, context.rt.now())
        name = change.resident.full_name
        notice = t(lang, "res.off.done" if change.changed else "res.off.already", name=name)
        await ui.show(update, *render_card(change.resident, lang, tz, back, notice))
        if change.signed_out_staff is not None:
            await refresh_commands_for(context.bot, change.signed_out_staff, signed_out=True)
        if change.changed:
            deliver_soon(context.application)
    else:
        change = await context.rt.db(residents.reactivate, me, user_id, context.rt.now())
        name = change.resident.full_name
        notice = t(lang, "res.on.done" if change.changed else "res.on.already", name=name)
        await ui.show(update, *render_card(change.resident, lang, tz, back, notice))


async def _reinvite(update: Update, context: Ctx, me: Me, user_id: int) -> None:
    created = await context.rt.db(residents.reinvite, me, user_id, context.rt.now(), context.rt.settings.bcrypt_rounds)
    text, markup = render_invitation(created, me.language, context.bot.username)
    await update.effective_chat.send_message(text, reply_markup=markup)


# --- registration ------------------------------------------------------------------------------


def _switches() -> list[BaseHandler[Update, Ctx, Any]]:
    """What any step answers besides its own input: restart, search, cancel, or leave for a list."""
    return [
        CallbackQueryHandler(invite_start, pattern=r"^(menu:invite|res:inv(:\d+)?)$"),
        CallbackQueryHandler(search_start, pattern=r"^res:find:\d+$"),
        CallbackQueryHandler(cancel_button, pattern=r"^res:x$"),
        CallbackQueryHandler(leave, pattern=r"^res:"),
    ]


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    text = TYPED
    flow = conversation(
        FLOW,
        entry_points=[
            CommandHandler(["inviter", "invite"], invite_start, filters=PRIVATE),
            CallbackQueryHandler(invite_start, pattern=r"^(menu:invite|res:inv(:\d+)?)$"),
            CallbackQueryHandler(search_start, pattern=r"^res:find:\d+$"),
        ],
        states={
            Step.RESIDENCE: [
                CallbackQueryHandler(residence_picked, pattern=r"^res:ir:\d+$"),
                CallbackQueryHandler(pick_page, pattern=r"^res:ipk:\d+$"),
                *_switches(),
                wrong_type("flow.use_buttons"),
            ],
            Step.EMAIL: [
                MessageHandler(text, email_typed),
                *_switches(),
                wrong_type("res.inv.expected_email"),
            ],
            Step.APARTMENT: [
                MessageHandler(text, apartment_typed),
                CallbackQueryHandler(apartment_skipped, pattern=r"^res:skip$"),
                *_switches(),
                wrong_type("res.inv.expected_apartment"),
            ],
            Step.QUERY: [
                MessageHandler(text, query_typed),
                *_switches(),
                wrong_type("res.search.expected_text"),
            ],
        },
    )
    return [
        flow,
        CommandHandler("residents", residents_command, filters=PRIVATE),
        CallbackQueryHandler(on_button, pattern=ui.pattern(PREFIX)),
    ]
