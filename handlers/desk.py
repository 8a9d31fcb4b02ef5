"""The managers' incident desk: alert buttons, the residence's queue (/incidents), an incident's file.

The alert a new incident sends (privately and to the managers' group) carries the status buttons;
pressing one acts as the presser, then edits that very message to show the new status and who
acted. Rejecting (a reason), commenting (public) and writing an internal note ask for a text: one
short conversation, keyed by user only, so a button pressed in the managers' group is followed up in
the presser's private chat. Every button carries ids only; the service decides on each press.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import IntEnum
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler, MessageHandler

from bot import ui
from bot.delivery import deliver_soon
from bot.i18n import Raw, fmt_datetime, t
from bot.runtime import Ctx
from handlers.common import TYPED, current_user, lang_of
from handlers.flow import END, conversation, draft, length_error, page_buttons, wrong_type
from handlers.incidents import place_label
from models import HistoryKind, IncidentCategory, IncidentStatus, Role, Urgency
from services import desk as svc
from services import files
from services import incidents as incidents_svc
from services.desk import Acted, Card, DeskDetail, DeskEntry, QueueFilter, QueuePage
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from services.people import Me

log = logging.getLogger(__name__)
R = TypeVar("R")

PREFIX = "desk"
TEXT_FLOW = "desk_text"
QUEUE_KEY = "desk:queue"
CAPTION_MAX = 1024
SHORT_IN_DETAIL = 200
MAX_ENTRY = 1100
# The status buttons' codes in callback data, and the service's names for them.
STATUS_ACTIONS = {"tk": "take", "ip": "progress", "rs": "resolve"}


class Ask(IntEnum):
    TEXT = 1


# --- small helpers ------------------------------------------------------------------------------


def _label(lang: str, key: str, **values: object) -> Raw:
    return Raw(t(lang, key, **values))


def _short(text: str, limit: int) -> str:
    return incidents_svc.shorten(text, limit)


def _tz(context: Ctx, me: Me | None = None) -> str:
    return (me.timezone if me else None) or context.rt.settings.timezone


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != ChatType.PRIVATE


async def _call(update: Update, context: Ctx, fn: Callable[..., R], *args: Any) -> R:
    """A change made as the presser, who is looked up (and checked) in the same unit of work."""
    return await context.rt.db(incidents_svc.acting, update.effective_user.id, fn, *args)


def _error_text(lang: str, error: DomainError) -> str:
    """One polite sentence per refusal; another residence's incident reads like a missing one."""
    if isinstance(error, NotAllowed):
        return t(lang, "desk.err.managers_only")
    if isinstance(error, NotFound):
        return t(lang, "desk.err.not_found")
    if isinstance(error, InvalidInput):
        details = dict(error.details)
        if "status" in details:
            details["status"] = _label(lang, f"inc.status.{details['status']}")
        key = {
            ("incident", "closed"): "desk.err.closed",
            ("status", "already"): "desk.err.already",
            ("status", "changed"): "desk.err.changed",
            ("assignee", "not_manager"): "desk.err.not_manager",
            ("assignee", "same"): "desk.err.same_assignee",
        }.get((error.field, error.reason), "desk.err.generic")
        return t(lang, key, **details)
    return t(lang, "desk.err.generic")


async def _refuse(update: Update, lang: str, error: DomainError) -> None:
    text = _error_text(lang, error)
    if update.callback_query is not None:
        await update.callback_query.answer(_short(text, 200), show_alert=True)
    else:
        await update.effective_chat.send_message(text)


def _has_media(message: Message | None) -> bool:
    return bool(message and (message.photo or message.document))


async def _edit(
    context: Ctx, chat_id: int, message_id: int, media: bool, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit a message in place (a photo's caption or a text); an unchanged one is left alone."""
    try:
        if media:
            await context.bot.edit_message_caption(
                chat_id=chat_id, message_id=message_id, caption=text, reply_markup=markup
            )
        else:
            await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as error:
        if not ui.is_not_modified(error):
            # The action is done either way; an old or deleted message just keeps its former look.
            log.warning("could not update an incident card: %s", error)


async def _to_presser(update: Update, context: Ctx, lang: str, text: str, markup: Any = None) -> bool:
    """Send to the presser's private chat (for a press in a group); False if they never opened one."""
    try:
        await context.bot.send_message(update.effective_user.id, text, reply_markup=markup)
    except Forbidden:
        await update.callback_query.answer(t(lang, "desk.cannot_write"), show_alert=True)
        return False
    return True


# --- the card: the alert as it stands now -------------------------------------------------------


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def card_text(card: Card, lang: str, *, media: bool, acted: Acted | None = None) -> str:
    """The alert's text with the current status and the last action; a caption stays under 1024."""
    tz = card.timezone
    for limit in (incidents_svc.ALERT_DESCRIPTION_WITH_MEDIA, 120, 40) if media else (incidents_svc.DESCRIPTION_MAX,):
        text = t(
            lang,
            incidents_svc.alert_key(card.urgency),
            number=card.id,
            category=_label(lang, f"inc.cat.{card.category.value}"),
            place=place_label(lang, _short(card.location, limit * 2 // 3 or 1)),
            urgency=_label(lang, f"inc.urg.{card.urgency.value}"),
            who=_short(card.reporter, 60),
            photos=card.photo_count,
            description=_short(card.description, limit),
        )
        text += t(lang, "desk.card.status", status=_label(lang, f"inc.status.{card.status.value}"))
        if card.assignee_name:
            text += t(lang, "desk.card.assignee", name=card.assignee_name)
        if card.status == IncidentStatus.REJECTED and card.rejection_reason:
            text += t(lang, "desk.card.reason", reason=_short(card.rejection_reason, limit))
        if acted is not None:
            action = t(lang, f"desk.did.{acted.what}", who=acted.actor_name, name=acted.assignee_name or "")
            text += t(lang, "desk.card.last", action=Raw(action), date=fmt_datetime(acted.at, lang, tz))
        elif card.status_at is not None and card.status != IncidentStatus.NEW:
            action = t(lang, f"desk.did.{card.status.value}", who=card.status_by or "—")
            text += t(lang, "desk.card.last", action=Raw(action), date=fmt_datetime(card.status_at, lang, tz))
        if not media or _utf16(ui.plain_text(text)) <= CAPTION_MAX:
            return text
    return text


def _markup_of(rows: list[list[dict[str, str]]], lang: str) -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(t(lang, b["key"]), b["data"]) for b in row] for row in rows])


def card_markup(card: Card, lang: str) -> InlineKeyboardMarkup:
    return _markup_of(incidents_svc.staff_buttons(card.id, card.status), lang)


async def _refresh_card(update: Update, context: Ctx, card: Card, me: Me, acted: Acted | None = None) -> None:
    message = update.callback_query.message
    if not isinstance(message, Message):
        return
    lang = card.group_language if _in_group(update) else me.language
    media = _has_media(message)
    text, markup = card_text(card, lang, media=media, acted=acted), card_markup(card, lang)
    shown = message.caption if media else message.text
    current = message.reply_markup if message.reply_markup and message.reply_markup.inline_keyboard else None
    if shown == ui.plain_text(text) and current == markup:
        return  # Telegram refuses an edit into the same content
    await _edit(context, message.chat.id, message.message_id, media, text, markup)


# --- the queue ----------------------------------------------------------------------------------


def _filter_parts(page_or_res: int, filters: QueueFilter) -> tuple[str | int, ...]:
    return (PREFIX, "q", page_or_res, filters.status, filters.urgency, filters.category)


def _status_filter_label(lang: str, status: str) -> str:
    if status in ("open", "all"):
        return t(lang, f"desk.f.{status}")
    return t(lang, f"inc.status.{status}")


def _urgency_filter_label(lang: str, urgency: str) -> str:
    return t(lang, "desk.f.any_urgency") if urgency == svc.ANY else t(lang, f"inc.urg.{urgency}")


def _category_filter_label(lang: str, category: str) -> str:
    return t(lang, "desk.f.any_category") if category == svc.ANY else t(lang, f"inc.cat.{category}")


def render_queue(page: QueuePage, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    res = page.residence_id or 0
    f = page.filters
    residence = page.residence_name or t(lang, "desk.queue.everywhere")
    lines = [
        t(lang, "desk.queue.title", residence=residence, total=page.total),
        t(
            lang,
            "desk.queue.filters",
            status=_status_filter_label(lang, f.status),
            urgency=_urgency_filter_label(lang, f.urgency),
            category=_category_filter_label(lang, f.category),
        ),
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for item in page.items:
        category = _label(lang, f"inc.cat.{item.category.value}")
        lines.append(
            t(
                lang,
                "desk.queue.line",
                number=item.id,
                category=category,
                status=_label(lang, f"inc.status.{item.status.value}"),
                urgent=_label(lang, "desk.queue.urgent") if item.urgency == Urgency.URGENT else "",
                place=place_label(lang, _short(item.location, 60)),
                date=fmt_datetime(item.created_at, lang, tz),
                assignee=_label(lang, "desk.queue.assignee", name=item.assignee_name) if item.assignee_name else "",
                residence=_label(lang, "desk.queue.residence", name=item.residence_name)
                if page.residence_id is None
                else "",
            )
        )
        key = "desk.btn.open_urgent" if item.urgency == Urgency.URGENT else "desk.btn.open"
        rows.append([ui.button(t(lang, key, number=item.id, category=category), PREFIX, "o", item.id)])
    if not page.items:
        lines.append(t(lang, "desk.queue.empty"))
    else:
        lines.append(t(lang, "desk.queue.prompt"))
    scope = (res, f.status, f.urgency, f.category)
    rows.append(
        [
            ui.button(t(lang, "desk.btn.filter_status"), PREFIX, "f", "s", *scope),
            ui.button(t(lang, "desk.btn.filter_urgency"), PREFIX, "f", "u", *scope),
            ui.button(t(lang, "desk.btn.filter_category"), PREFIX, "f", "c", *scope),
        ]
    )
    rows.append(page_buttons(lang, (PREFIX, "q", *scope), page.page, page.has_next))
    bottom = [ui.menu_button(lang)]
    if page.can_switch:
        bottom.insert(0, ui.button(t(lang, "desk.btn.residences"), PREFIX, "rp"))
    rows.append(bottom)
    return "\n".join(lines), ui.keyboard(rows)


def render_filter(what: str, res: int, filters: QueueFilter, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """The choices for one filter; each button is the queue with that value, from its first page."""
    current = {"s": filters.status, "u": filters.urgency, "c": filters.category}[what]
    if what == "s":
        options = [(value, _status_filter_label(lang, value)) for value in svc.STATUS_FILTERS]
    elif what == "u":
        options = [(svc.ANY, _urgency_filter_label(lang, svc.ANY))]
        options += [(u.value, _urgency_filter_label(lang, u.value)) for u in Urgency]
    else:
        options = [(svc.ANY, _category_filter_label(lang, svc.ANY))]
        options += [(c.value, _category_filter_label(lang, c.value)) for c in IncidentCategory]
    buttons = []
    for value, label in options:
        chosen = QueueFilter(
            status=value if what == "s" else filters.status,
            urgency=value if what == "u" else filters.urgency,
            category=value if what == "c" else filters.category,
        )
        text = t(lang, "desk.btn.current", label=label) if value == current else label
        buttons.append(ui.button(text, *_filter_parts(res, chosen), 0))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([ui.button(t(lang, "btn.back"), *_filter_parts(res, filters), 0)])
    title = {"s": "desk.pick.status", "u": "desk.pick.urgency", "c": "desk.pick.category"}[what]
    return t(lang, title), ui.keyboard(rows)


def render_residences(choices: list[svc.ResidenceChoice], lang: str) -> tuple[str, InlineKeyboardMarkup]:
    everything = QueueFilter()
    rows = []
    for choice in choices:
        key = "desk.btn.residence_urgent" if choice.urgent_incidents else "desk.btn.residence"
        label = t(lang, key, name=choice.name, open=choice.open_incidents, urgent=choice.urgent_incidents)
        rows.append([ui.button(label, *_filter_parts(choice.id, everything), 0)])
    rows.append([ui.button(t(lang, "desk.btn.all_residences"), *_filter_parts(0, everything), 0)])
    rows.append([ui.menu_button(lang)])
    text = t(lang, "desk.pick.residence") if choices else t(lang, "desk.pick.no_residence")
    return text, ui.keyboard(rows)


async def _show_queue(
    update: Update, context: Ctx, me: Me, res: int, filters: QueueFilter, page: int, *, edit: bool
) -> None:
    result = await context.rt.db(svc.queue, me, res or None, filters, page)
    if context.user_data is not None:
        context.user_data[QUEUE_KEY] = [res, filters.status, filters.urgency, filters.category, result.page]
    text, markup = render_queue(result, me.language, _tz(context, me))
    if edit:
        await ui.show(update, text, markup)
    else:
        await update.effective_chat.send_message(text, reply_markup=markup)


async def open_desk(update: Update, context: Ctx, me: Me) -> None:
    """/incidents for a manager, and the dashboard's desk button: the queue (an admin picks a residence)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    try:
        if me.role == Role.ADMIN:
            choices = await context.rt.db(svc.residences, me)
            text, markup = render_residences(choices, me.language)
            await update.effective_chat.send_message(text, reply_markup=markup)
            return
        await _show_queue(update, context, me, 0, QueueFilter(), 0, edit=False)
    except DomainError as error:
        await update.effective_chat.send_message(_error_text(me.language, error))


async def desk_button(update: Update, context: Ctx) -> None:
    """The dashboard's "Incidents résidence" button (a resident never has it; a forged one is refused)."""
    me = await current_user(update, context)
    if me is None:
        await update.callback_query.answer()
        return
    if not me.is_staff:
        await update.callback_query.answer(t(me.language, "desk.err.managers_only"), show_alert=True)
        return
    await open_desk(update, context, me)


# --- an incident's file -------------------------------------------------------------------------


def _who(lang: str, entry: DeskEntry) -> str:
    if not entry.actor_name:
        return _label(lang, "desk.h.someone")
    if entry.actor_is_staff:
        return _label(lang, "desk.h.staff", name=entry.actor_name)
    return entry.actor_name


def render_entry(entry: DeskEntry, lang: str, tz: str, limit: int) -> str:
    """One history line for managers: internal notes included, marked 🔒."""
    date = fmt_datetime(entry.at, lang, tz)
    text = _short(entry.text or "", limit)
    who = _who(lang, entry)
    if entry.kind == HistoryKind.CREATED:
        return t(lang, "desk.h.created", date=date, who=who)
    if entry.kind == HistoryKind.STATUS:
        line = t(
            lang,
            "desk.h.status",
            date=date,
            who=who,
            from_status=_label(lang, f"inc.status.{entry.from_status.value}") if entry.from_status else "—",
            to_status=_label(lang, f"inc.status.{entry.to_status.value}") if entry.to_status else "—",
        )
        return line + (t(lang, "desk.h.reason", text=text) if text else "")
    key = {
        HistoryKind.COMMENT: "desk.h.comment",
        HistoryKind.NOTE: "desk.h.note",
        HistoryKind.ASSIGNED: "desk.h.assigned",
        HistoryKind.PHOTO: "desk.h.photo",
        HistoryKind.JOINED: "desk.h.joined",
        HistoryKind.RATED: "desk.h.rated",
    }[entry.kind]
    return t(lang, key, date=date, who=who, text=text)


def render_detail(detail: DeskDetail, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    card, tz, number = detail.card, detail.card.timezone, detail.card.id
    text = t(
        lang,
        "desk.detail",
        number=number,
        category=_label(lang, f"inc.cat.{card.category.value}"),
        residence=card.residence_name,
        status=_label(lang, f"inc.status.{card.status.value}"),
        place=place_label(lang, card.location),
        urgency=_label(lang, f"inc.urg.{card.urgency.value}"),
        who=card.reporter,
        date=fmt_datetime(card.created_at, lang, tz),
        assignee=card.assignee_name or _label(lang, "desk.detail.nobody"),
        photos=card.photo_count,
        followers=card.followers,
        description=card.description,
    )
    if card.status == IncidentStatus.REJECTED and card.rejection_reason:
        text += t(lang, "desk.detail.rejected", reason=card.rejection_reason)
    if card.rating is not None:
        text += t(lang, "desk.detail.rating", rating=card.rating)
    if detail.history:
        text += t(lang, "desk.detail.history")
        if detail.history_total > len(detail.history):
            text += t(lang, "desk.detail.older", count=detail.history_total - len(detail.history))
        text += "\n" + "\n".join(render_entry(e, lang, tz, SHORT_IN_DETAIL) for e in detail.history)

    rows: list[list[InlineKeyboardButton]] = []
    steps = [
        ui.button(t(lang, f"desk.btn.{key}"), PREFIX, code, number, "d")
        for code, key, action in (("tk", "take", "take"), ("ip", "progress", "progress"), ("rs", "resolve", "resolve"))
        if card.can(action)
    ]
    if card.can("reject"):
        steps.append(ui.button(t(lang, "desk.btn.reject"), PREFIX, "rj", number, "d"))
    rows += [steps[i : i + 2] for i in range(0, len(steps), 2)]
    team = []
    if card.is_open:
        team.append(ui.button(t(lang, "desk.btn.assign"), PREFIX, "as", number))
    team.append(ui.button(t(lang, "desk.btn.comment"), PREFIX, "cm", number, "d"))
    team.append(ui.button(t(lang, "desk.btn.note"), PREFIX, "nt", number, "d"))
    rows.append(team)
    extra = []
    if card.photo_count:
        extra.append(ui.button(t(lang, "desk.btn.photos", count=card.photo_count), PREFIX, "ph", number))
    extra.append(ui.button(t(lang, "desk.btn.history"), PREFIX, "h", number, 0))
    rows.append(extra)
    rows.append([ui.button(t(lang, "desk.btn.queue"), PREFIX, "back"), ui.menu_button(lang)])
    return text, ui.keyboard(rows)


def render_history(page: svc.DeskHistoryPage, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [render_entry(e, lang, tz, MAX_ENTRY) for e in page.entries]
    body = "\n\n".join(lines) if lines else t(lang, "desk.history.empty")
    text = t(lang, "desk.history.title", number=page.incident_id) + "\n" + body
    rows = [
        page_buttons(lang, (PREFIX, "h", page.incident_id), page.page, page.has_next),
        [ui.button(t(lang, "desk.btn.back_incident", number=page.incident_id), PREFIX, "o", page.incident_id)],
    ]
    return text, ui.keyboard(rows)


def render_assign(number: int, choices: list[svc.ManagerChoice], lang: str) -> tuple[str, InlineKeyboardMarkup]:
    current = next((c.name for c in choices if c.is_assignee), None)
    rows = []
    for choice in choices:
        label = t(lang, "desk.btn.assign_me" if choice.is_me else "desk.btn.assign_to", name=choice.name)
        if choice.is_assignee:
            label = t(lang, "desk.btn.current", label=label)
        rows.append([ui.button(label, PREFIX, "ag", number, choice.id)])
    rows.append([ui.button(t(lang, "desk.btn.back_incident", number=number), PREFIX, "o", number)])
    text = t(lang, "desk.assign.title", number=number, assignee=current or _label(lang, "desk.detail.nobody"))
    return text, ui.keyboard(rows)


async def _show_detail(update: Update, context: Ctx, me: Me, number: int) -> None:
    detail = await context.rt.db(svc.detail, me, number)
    await ui.show(update, *render_detail(detail, me.language))


async def _send_photos(update: Update, context: Ctx, me: Me, number: int) -> None:
    """To the presser's private chat: by Telegram file id, the stored bytes as a fallback."""
    refs = await context.rt.db(svc.photos, me, number)
    await update.callback_query.answer(None if refs else t(me.language, "desk.photo.none"))
    chat_id = update.effective_user.id
    for index, ref in enumerate(refs, 1):
        caption = t(me.language, "desk.photo.caption", number=number, index=index, count=len(refs))
        media: Any = ref.telegram_file_id
        if media is None:
            _, media = await context.rt.db(files.load, ref.stored_file_id)
        if ref.is_document:
            await context.bot.send_document(chat_id, media, caption=caption)
        else:
            await context.bot.send_photo(chat_id, media, caption=caption)


# --- status buttons -----------------------------------------------------------------------------


async def _status(update: Update, context: Ctx, me: Me, number: int, action: str, from_detail: bool) -> None:
    query = update.callback_query
    lang = me.language
    try:
        acted = await _call(update, context, svc.change_status, number, action, context.rt.now())
    except InvalidInput as error:
        # A late press (closed, already done): say so, and show where the incident stands.
        await _refuse(update, lang, error)
        try:
            if from_detail:
                await _show_detail(update, context, me, number)
            else:
                await _refresh_card(update, context, await context.rt.db(svc.card, me, number), me)
        except DomainError:
            pass  # the pop-up said it all
        return
    deliver_soon(context.application)
    status = t(lang, f"inc.status.{acted.card.status.value}")
    await query.answer(_short(t(lang, "desk.done.status", status=Raw(status), number=number, told=acted.notified), 200))
    if from_detail:
        await _show_detail(update, context, me, number)
    else:
        await _refresh_card(update, context, acted.card, me, acted)


async def on_button(update: Update, context: Ctx) -> None:
    """Every `desk:...` button outside the text conversation."""
    query = update.callback_query
    me = await current_user(update, context)
    lang = me.language if me else lang_of(update, context)
    if me is None or not me.is_staff:
        await query.answer(t(lang, "desk.err.managers_only"), show_alert=True)
        return
    data = ui.parts(query.data)
    action = data[1] if len(data) > 1 else ""
    try:
        if action in STATUS_ACTIONS and len(data) in (3, 4) and (number := ui.to_int(data[2])) is not None:
            await _status(update, context, me, number, STATUS_ACTIONS[action], data[3:] == ["d"])
        elif action == "o" and len(data) == 3 and (number := ui.to_int(data[2])) is not None:
            if _in_group(update):
                detail = await context.rt.db(svc.detail, me, number)
                if await _to_presser(update, context, lang, *render_detail(detail, lang)):
                    await query.answer(t(lang, "desk.sent_privately"))
            else:
                await _show_detail(update, context, me, number)
                await query.answer()
        elif _in_group(update):
            await query.answer(t(lang, "desk.private_only"), show_alert=True)
        else:
            await _private_button(update, context, me, data)
    except DomainError as error:
        await _refuse(update, lang, error)


async def _private_button(update: Update, context: Ctx, me: Me, data: list[str]) -> None:
    query = update.callback_query
    lang, action = me.language, data[1] if len(data) > 1 else ""
    if (
        action == "q"
        and len(data) == 7
        and (values := ui.ints(query.data, 1, 6))
        and (res := ui.to_int(data[2])) is not None
    ):
        filters = QueueFilter(data[3], data[4], data[5])
        await _show_queue(update, context, me, res, filters, values[0], edit=True)
        await query.answer()
    elif action == "f" and len(data) == 7 and data[2] in ("s", "u", "c") and (res := ui.to_int(data[3])) is not None:
        filters = QueueFilter(data[4], data[5], data[6]).checked()
        await query.answer()
        await ui.show(update, *render_filter(data[2], res, filters, lang))
    elif action == "back":
        saved = (context.user_data or {}).get(QUEUE_KEY) or [0, "open", svc.ANY, svc.ANY, 0]
        filters = QueueFilter(saved[1], saved[2], saved[3])
        await _show_queue(update, context, me, int(saved[0]), filters, int(saved[4]), edit=True)
        await query.answer()
    elif action == "rp":
        choices = await context.rt.db(svc.residences, me)
        await query.answer()
        await ui.show(update, *render_residences(choices, lang))
    elif action == "h" and (values := ui.ints(query.data, 2)):
        page = await context.rt.db(svc.history_page, me, values[0], values[1])
        await query.answer()
        await ui.show(update, *render_history(page, lang, _tz(context, me)))
    elif action == "ph" and (values := ui.ints(query.data, 1)):
        await _send_photos(update, context, me, values[0])
    elif action == "as" and (values := ui.ints(query.data, 1)):
        choices = await context.rt.db(svc.managers_for, me, values[0])
        await query.answer()
        await ui.show(update, *render_assign(values[0], choices, lang))
    elif action == "ag" and (values := ui.ints(query.data, 2)):
        acted = await _call(update, context, svc.assign, values[0], values[1], context.rt.now())
        deliver_soon(context.application)
        await query.answer(t(lang, "desk.done.assigned", number=values[0], name=acted.assignee_name or ""))
        await _show_detail(update, context, me, values[0])
    else:
        await query.answer(t(lang, "desk.err.stale"), show_alert=True)


# --- reject / comment / note: a text, asked in private --------------------------------------------


# The text each button asks for: its question and its length limits.
ASKS = {
    "rj": ("desk.ask.reason", svc.REASON_MIN, svc.REASON_MAX),
    "cm": ("desk.ask.comment", incidents_svc.COMMENT_MIN, incidents_svc.COMMENT_MAX),
    "nt": ("desk.ask.note", svc.NOTE_MIN, svc.NOTE_MAX),
}


async def ask_text(update: Update, context: Ctx) -> int:
    query = update.callback_query
    me = await current_user(update, context)
    lang = me.language if me else lang_of(update, context)
    if me is None or not me.is_staff:
        await query.answer(t(lang, "desk.err.managers_only"), show_alert=True)
        return END
    data = ui.parts(query.data)
    action, number, from_detail = data[1], int(data[2]), data[3:] == ["d"]
    try:
        card = await context.rt.db(svc.card, me, number)
    except DomainError as error:
        await _refuse(update, lang, error)
        return END
    if action == "rj" and not card.is_open:
        await _refuse(update, lang, InvalidInput("incident", "closed", status=card.status.value))
        if not from_detail:
            await _refresh_card(update, context, card, me)
        return END
    message = query.message
    in_group = _in_group(update)
    draft(context, TEXT_FLOW).update(
        id=number,
        action=action,
        detail=from_detail,
        chat=message.chat.id if isinstance(message, Message) else None,
        message=message.message_id if isinstance(message, Message) else None,
        media=_has_media(message) if isinstance(message, Message) else False,
        group_lang=card.group_language if in_group else None,
    )
    key, low, high = ASKS[action]
    text = t(lang, key, number=number, category=_label(lang, f"inc.cat.{card.category.value}"), min=low, max=high)
    markup = ui.keyboard([[ui.button(t(lang, "btn.cancel"), PREFIX, "x")]])
    if in_group:
        if not await _to_presser(update, context, lang, text, markup):
            return END
        await query.answer(t(lang, "desk.asked_privately"))
    else:
        await query.answer()
        await update.effective_chat.send_message(text, reply_markup=markup)
    return Ask.TEXT


async def on_text(update: Update, context: Ctx) -> int:
    me = await current_user(update, context)
    lang = me.language if me else lang_of(update, context)
    answers = draft(context, TEXT_FLOW)
    number, action = int(answers["id"]), str(answers["action"])
    text = update.message.text
    check = {"rj": svc.check_reason, "cm": incidents_svc.check_comment, "nt": svc.check_note}[action]
    try:
        check(text)
    except InvalidInput as error:
        await update.message.reply_text(length_error(lang, error))
        return Ask.TEXT
    now = context.rt.now()
    try:
        if action == "rj":
            acted = await _call(update, context, svc.change_status, number, "reject", now, text)
        elif action == "cm":
            acted = await _call(update, context, svc.add_comment, number, text, now)
        else:
            acted = await _call(update, context, svc.add_note, number, text, now)
    except DomainError as error:
        await _refuse(update, lang, error)
        return END
    deliver_soon(context.application)
    done = {"rj": "desk.done.rejected", "cm": "desk.done.comment", "nt": "desk.done.note"}[action]
    markup = ui.keyboard([[ui.button(t(lang, "desk.btn.back_incident", number=number), PREFIX, "o", number)]])
    await update.message.reply_text(t(lang, done, number=number, told=acted.notified), reply_markup=markup)
    if not answers.get("detail") and answers.get("chat") is not None and answers.get("message") is not None:
        card_lang = answers.get("group_lang") or lang
        media = bool(answers.get("media"))
        await _edit(
            context,
            int(answers["chat"]),
            int(answers["message"]),
            media,
            card_text(acted.card, card_lang, media=media, acted=acted),
            card_markup(acted.card, card_lang),
        )
    return END


async def on_cancel(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    lang = lang_of(update, context)
    await ui.show(update, t(lang, "cancel.done"), ui.menu_markup(lang))
    return END


async def text_busy(update: Update, context: Ctx) -> None:
    await update.callback_query.answer(t(lang_of(update, context), "desk.text_busy"), show_alert=True)


async def stale_cancel(update: Update, context: Ctx) -> None:
    await update.callback_query.answer(t(lang_of(update, context), "desk.err.stale"), show_alert=True)


def text_conversation() -> ConversationHandler[Ctx]:
    # Keyed by user only: a button pressed in the managers' group is answered in the private chat.
    return conversation(
        TEXT_FLOW,
        entry_points=[CallbackQueryHandler(ask_text, pattern=r"^desk:(rj|cm|nt):\d{1,11}(:d)?$")],
        states={Ask.TEXT: [MessageHandler(TYPED, on_text), wrong_type()]},
        fallbacks=[
            CallbackQueryHandler(on_cancel, pattern=r"^desk:x$"),
            CallbackQueryHandler(text_busy, pattern=r"^desk:(rj|cm|nt):"),
        ],
        per_chat=False,
    )


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    return [
        text_conversation(),
        CallbackQueryHandler(desk_button, pattern=r"^menu:desk$"),
        CallbackQueryHandler(stale_cancel, pattern=r"^desk:x$"),
        CallbackQueryHandler(on_button, pattern=ui.pattern(PREFIX)),
    ]


__all__ = ["card_text", "handlers", "open_desk", "render_detail", "render_queue"]
