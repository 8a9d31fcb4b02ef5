"""Announcements: /annonce (/announce) and the dashboard's 📣 button, for managers and admins.

Writing one is a conversation (text or photo → audience → options → preview → send); following
one up ("Mes annonces": counts, who has not read it, "Relancer") and the residents' "✅ J'ai lu"
are plain buttons, so they work from any message at any time and re-check everything in the
service. Every `ann:` button lands here, so an old or forged one is answered politely, and
never reaches the generic "menu expired" answer in a group chat.
"""

from __future__ import annotations

import logging
from enum import IntEnum
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot import ui
from bot.delivery import deliver_soon
from bot.i18n import Raw, fmt_datetime, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, current_user, lang_of, signed_in_user
from handlers.flow import END, conversation, draft, end_flow, page_buttons, wrong_type
from models import AnnouncementStatus
from services import announcements as ann
from services import files
from services.announcements import AnnouncementDetail, AnnouncementPage, Reach
from services.errors import DomainError, InvalidInput, NotFound
from services.people import Me

log = logging.getLogger(__name__)

FLOW = "announce"
ID = r"(\d{1,9})"  # ids beyond a 32-bit integer are forged: never sent to the database
PAGE = r"(\d{1,4})"
RESIDENCES_PER_PAGE = 8
NAMES_SHOWN = 5
NAME_IN_BUTTON = 40
EXCERPT_IN_BUTTON = 30


class St(IntEnum):
    COMPOSE = 1
    CAPTION = 2
    AUDIENCE = 3
    OPTIONS = 4
    PREVIEW = 5
    EDIT = 6


# --- small helpers ---------------------------------------------------------------------------------


def _tz(context: Ctx, me: Me) -> str:
    return me.timezone or context.rt.settings.timezone


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await update.effective_chat.send_message(text, reply_markup=markup)


def _refusal_key(error: DomainError, me: Me | None) -> str:
    if isinstance(error, NotFound):
        return "ann.gone"
    return "ann.not_allowed" if me is not None and me.is_staff else "ann.staff_only"


async def _refuse(update: Update, me: Me, error: DomainError, *, answered: bool = False) -> None:
    """A resident, or a stale or forged button: say so politely and offer the menu."""
    if update.callback_query is not None and not answered:
        await update.callback_query.answer()
    lang = me.language
    await _say(update, t(lang, _refusal_key(error, me)), ui.menu_markup(lang))


def _yes_no(lang: str, value: bool) -> Raw:
    return Raw(t(lang, "btn.yes" if value else "btn.no"))


def _check(lang: str, on: bool, label_key: str) -> str:
    return t(lang, "ann.on" if on else "ann.off") + " " + t(lang, label_key)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _length_error(lang: str, error: InvalidInput, with_photo: bool) -> str:
    if error.reason == "too_short":
        return t(lang, "flow.too_short", **error.details)
    return t(lang, "ann.caption.too_long" if with_photo else "flow.too_long", **error.details)


def _list_button(lang: str) -> InlineKeyboardButton:
    return ui.button(t(lang, "ann.btn.mine"), "ann", "list", 0)


# --- the recipients' message, shared by the preview ----------------------------------------------------


def message_text(lang: str, text: str) -> str:
    """What residents and the residents' group receive: the heading and the text, nothing else."""
    return t(lang, ann.MESSAGE_KEY, text=text)


# --- composing (conversation) ------------------------------------------------------------------------


def _compose_markup(lang: str) -> InlineKeyboardMarkup:
    return ui.keyboard([[_list_button(lang)], [ui.button(t(lang, "btn.cancel"), "ann", "cancel")]])


async def start(update: Update, context: Ctx) -> int:
    me = await signed_in_user(update, context)
    if me is None:
        return END
    lang = me.language
    try:
        composer = await context.rt.db(ann.composer, me)
    except DomainError as error:
        await _refuse(update, me, error)
        return END
    if update.callback_query is not None:
        await update.callback_query.answer()
    data = draft(context, FLOW)
    data.clear()
    data.update(
        fixed=composer.fixed,
        choices=[[c.id, c.name] for c in composer.residences],
        rids=[c.id for c in composer.residences] if composer.fixed else [],
        pin=False,
        ack=False,
        aud_page=0,
    )
    text = t(lang, "ann.compose.ask", max=ann.TEXT_MAX, caption_max=ann.CAPTION_TEXT_MAX)
    await _say(update, text, _compose_markup(lang))
    return St.COMPOSE


async def text_given(update: Update, context: Ctx) -> int:
    lang, data = lang_of(update, context), draft(context, FLOW)
    with_photo = "photo" in data
    try:
        data["text"] = ann.check_text(update.message.text, with_photo=with_photo)
    except InvalidInput as error:
        await update.message.reply_text(_length_error(lang, error, with_photo))
        return St.COMPOSE
    return await _after_compose(update, context)


async def caption_given(update: Update, context: Ctx) -> int:
    lang, data = lang_of(update, context), draft(context, FLOW)
    try:
        data["text"] = ann.check_text(update.message.text, with_photo=True)
    except InvalidInput as error:
        await update.message.reply_text(_length_error(lang, error, True))
        return St.CAPTION
    return await _after_compose(update, context)


async def photo_given(update: Update, context: Ctx) -> int:
    lang, data = lang_of(update, context), draft(context, FLOW)
    photo = update.message.photo[-1]  # the largest size
    try:
        files.check_size(photo.file_size)
    except InvalidInput as error:
        await update.message.reply_text(t(lang, "ann.photo.too_big", **error.details))
        return St.CAPTION if "photo" in data else St.COMPOSE
    data["photo"] = {"id": photo.file_id, "uid": photo.file_unique_id}
    caption = update.message.caption
    if caption:
        try:
            data["text"] = ann.check_text(caption, with_photo=True)
        except InvalidInput as error:
            data.pop("text", None)
            await update.message.reply_text(_length_error(lang, error, True))
            return St.CAPTION
        return await _after_compose(update, context)
    kept = data.get("text") if data.get("editing") else None
    if kept:
        try:
            ann.check_text(kept, with_photo=True)
            return await _after_compose(update, context)
        except InvalidInput:
            pass
    data.pop("text", None)
    await update.message.reply_text(t(lang, "ann.caption.ask", max=ann.CAPTION_TEXT_MAX))
    return St.CAPTION


async def _after_compose(update: Update, context: Ctx) -> int:
    data = draft(context, FLOW)
    if data.pop("editing", False):
        return await _preview(update, context)
    if data.get("fixed"):
        return await _ask_options(update, context)
    return await _ask_audience(update, context)


# --- audience (admins) -------------------------------------------------------------------------------


def _audience_view(lang: str, data: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    choices: list[list[Any]] = data.get("choices", [])
    chosen = set(data.get("rids", []))
    pages = max(1, -(-len(choices) // RESIDENCES_PER_PAGE))
    page = min(max(int(data.get("aud_page", 0)), 0), pages - 1)
    shown = choices[page * RESIDENCES_PER_PAGE : (page + 1) * RESIDENCES_PER_PAGE]
    rows = [
        [
            ui.button(
                t(lang, "ann.on" if rid in chosen else "ann.off") + " " + _short(name, NAME_IN_BUTTON),
                "ann",
                "aud",
                "t",
                rid,
            )
        ]
        for rid, name in shown
    ]
    every = bool(choices) and chosen >= {rid for rid, _ in choices}
    rows.append([ui.button(t(lang, "ann.btn.none" if every else "ann.btn.all"), "ann", "aud", "all")])
    rows.append(page_buttons(lang, ("ann", "aud", "p"), page, page + 1 < pages))
    rows.append([ui.button(t(lang, "ann.btn.continue"), "ann", "aud", "ok")])
    text = t(lang, "ann.audience.ask", count=len(chosen), total=len(choices))
    return text, ui.keyboard(rows)


async def _ask_audience(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    await _say(update, *_audience_view(lang, draft(context, FLOW)))
    return St.AUDIENCE


async def audience_button(update: Update, context: Ctx) -> int:
    query = update.callback_query
    lang, data = lang_of(update, context), draft(context, FLOW)
    action, *rest = ui.parts(query.data)[2:]
    choices = {int(rid) for rid, _ in data.get("choices", [])}
    chosen = set(data.get("rids", []))
    if action == "t":
        rid = ui.to_int(rest[0]) if rest else None
        if rid in choices:
            chosen ^= {rid}
    elif action == "all":
        chosen = set() if chosen >= choices else set(choices)
    elif action == "p":
        data["aud_page"] = ui.to_int(rest[0]) if rest else 0
    elif action == "ok":
        if not chosen:
            await query.answer(t(lang, "ann.audience.empty"), show_alert=True)
            return St.AUDIENCE
        await query.answer()
        await ui.drop_buttons(update)
        if data.pop("editing", False):
            return await _preview(update, context)
        return await _ask_options(update, context)
    data["rids"] = sorted(chosen)
    await query.answer()
    await ui.show(update, *_audience_view(lang, data))
    return St.AUDIENCE


# --- options -----------------------------------------------------------------------------------------


def _options_view(lang: str, data: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [ui.button(_check(lang, bool(data.get("pin")), "ann.opt.pin"), "ann", "opt", "pin")],
        [ui.button(_check(lang, bool(data.get("ack")), "ann.opt.ack"), "ann", "opt", "ack")],
        [ui.button(t(lang, "ann.btn.continue"), "ann", "opt", "ok")],
    ]
    return t(lang, "ann.options.ask"), ui.keyboard(rows)


async def _ask_options(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    await _say(update, *_options_view(lang, draft(context, FLOW)))
    return St.OPTIONS


async def option_button(update: Update, context: Ctx) -> int:
    query = update.callback_query
    lang, data = lang_of(update, context), draft(context, FLOW)
    choice = ui.parts(query.data)[2]
    await query.answer()
    if choice == "ok":
        await ui.drop_buttons(update)
        data.pop("editing", None)
        return await _preview(update, context)
    data[choice] = not data.get(choice)
    await ui.show(update, *_options_view(lang, data))
    return St.OPTIONS


# --- preview, edit, send -----------------------------------------------------------------------------


def _residences_text(lang: str, names: tuple[str, ...]) -> str:
    if len(names) > NAMES_SHOWN:
        return t(lang, "ann.residences.many", count=len(names))
    return ", ".join(names)


def _preview_markup(lang: str) -> InlineKeyboardMarkup:
    return ui.keyboard(
        [
            [ui.button(t(lang, "ann.btn.send"), "ann", "send")],
            [ui.button(t(lang, "btn.edit"), "ann", "edit"), ui.button(t(lang, "btn.cancel"), "ann", "cancel")],
        ]
    )


def _summary(lang: str, data: dict[str, Any], reach: Reach) -> str:
    return t(
        lang,
        "ann.preview.summary",
        residences=_residences_text(lang, reach.residence_names),
        residents=reach.residents,
        unreachable=reach.unreachable,
        groups=reach.groups,
        pin=_yes_no(lang, bool(data.get("pin"))),
        ack=_yes_no(lang, bool(data.get("ack"))),
    )


async def _preview(update: Update, context: Ctx) -> int:
    """Exactly what residents will get (with its ✅ button when asked), then what and to whom."""
    me = await current_user(update, context)
    if me is None:
        return END
    lang, data = me.language, draft(context, FLOW)
    data.pop("editing", None)
    if not data.get("text"):  # nothing written yet (a forged or very old button): write first
        await _say(update, t(lang, "ann.compose.ask", max=ann.TEXT_MAX, caption_max=ann.CAPTION_TEXT_MAX))
        return St.COMPOSE
    try:
        reach = await context.rt.db(ann.reach, me, list(data.get("rids", [])))
    except DomainError as error:
        await _refuse(update, me, error, answered=True)
        return END
    chat = update.effective_chat
    await chat.send_message(t(lang, "ann.preview.intro"))
    body = message_text(lang, data["text"])
    ack = ui.keyboard([[ui.button(t(lang, ann.ACK_BUTTON_KEY), "ann", "ackp")]]) if data.get("ack") else None
    if data.get("photo"):
        await chat.send_photo(data["photo"]["id"], caption=body, reply_markup=ack)
    else:
        await chat.send_message(body, reply_markup=ack)
    await chat.send_message(_summary(lang, data, reach), reply_markup=_preview_markup(lang))
    return St.PREVIEW


async def preview_ack(update: Update, context: Ctx) -> None:
    """The ✅ of the preview: what it will do, nothing recorded."""
    await update.callback_query.answer(t(lang_of(update, context), "ann.preview.ack_alert"), show_alert=True)


def _edit_markup(lang: str, data: dict[str, Any]) -> InlineKeyboardMarkup:
    rows = [[ui.button(t(lang, "ann.field.text"), "ann", "ed", "text")]]
    if data.get("photo"):
        rows.append([ui.button(t(lang, "ann.field.nophoto"), "ann", "ed", "nophoto")])
    if not data.get("fixed"):
        rows.append([ui.button(t(lang, "ann.field.audience"), "ann", "ed", "aud")])
    rows.append([ui.button(t(lang, "ann.field.options"), "ann", "ed", "opt")])
    rows.append([ui.button(t(lang, "ann.btn.back_preview"), "ann", "ed", "back")])
    return ui.keyboard(rows)


async def edit_menu(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    await ui.drop_buttons(update)
    lang = lang_of(update, context)
    await _say(update, t(lang, "ann.edit.choose"), _edit_markup(lang, draft(context, FLOW)))
    return St.EDIT


async def edit_field(update: Update, context: Ctx) -> int:
    query = update.callback_query
    await query.answer()
    await ui.drop_buttons(update)
    field = ui.parts(query.data)[2]
    lang, data = lang_of(update, context), draft(context, FLOW)
    if field == "text":
        data["editing"] = True
        key = "ann.compose.again_photo" if data.get("photo") else "ann.compose.again"
        back = ui.keyboard([[ui.button(t(lang, "ann.btn.back_preview"), "ann", "ed", "back")]])
        await _say(update, t(lang, key, max=ann.TEXT_MAX, caption_max=ann.CAPTION_TEXT_MAX), back)
        return St.COMPOSE
    if field == "nophoto":
        data.pop("photo", None)
        return await _preview(update, context)
    if field == "aud" and not data.get("fixed"):
        data["editing"] = True
        return await _ask_audience(update, context)
    if field == "opt":
        return await _ask_options(update, context)
    data.pop("editing", None)
    return await _preview(update, context)


async def send_button(update: Update, context: Ctx) -> int:
    query = update.callback_query
    await query.answer()
    await ui.drop_buttons(update)
    me = await current_user(update, context)
    if me is None:
        return END
    lang, data = me.language, draft(context, FLOW)
    upload = None
    if data.get("photo"):
        file = await context.bot.get_file(data["photo"]["id"])
        content = bytes(await file.download_as_bytearray())
        upload = ann.PhotoUpload(
            content, telegram_file_id=data["photo"]["id"], telegram_unique_id=data["photo"].get("uid")
        )
    announcement = ann.AnnouncementDraft(
        text=data.get("text", ""),
        residence_ids=tuple(data.get("rids", [])),
        pin=bool(data.get("pin")),
        ask_ack=bool(data.get("ack")),
    )
    try:
        sent = await context.rt.db(ann.send, me, announcement, context.rt.now(), upload)
    except InvalidInput:
        await _say(update, t(lang, "ann.send.invalid"), _edit_markup(lang, data))
        return St.EDIT
    except DomainError as error:
        await _refuse(update, me, error, answered=True)
        return END
    if sent.done:
        text = t(lang, "ann.sent.nobody")
    else:
        text = t(lang, "ann.sent", residents=sent.residents, groups=sent.groups)
    await _say(update, text, ui.keyboard([[_list_button(lang)], [ui.menu_button(lang)]]))
    deliver_soon(context.application)
    return END


async def cancel_button(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    await ui.drop_buttons(update)
    end_flow(context, FLOW)
    lang = lang_of(update, context)
    await _say(update, t(lang, "cancel.done"), ui.menu_markup(lang))
    return END


async def list_from_flow(update: Update, context: Ctx) -> int:
    """ "Mes annonces" pressed while writing one: leave the writing, show the list."""
    end_flow(context, FLOW)
    await list_button(update, context)
    return END


async def use_buttons(update: Update, context: Ctx) -> None:
    await update.effective_message.reply_text(t(lang_of(update, context), "flow.use_buttons"))


# --- following up (plain buttons) ------------------------------------------------------------------


def render_list(result: AnnouncementPage, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t(lang, "ann.list.title", page=result.page + 1, pages=result.pages), ""]
    buttons = []
    first = result.page * ann.PAGE_SIZE + 1
    for n, item in enumerate(result.items, start=first):
        c = item.counts
        key = "ann.list.item_ack" if item.ask_ack else "ann.list.item"
        lines.append(
            t(
                lang,
                key,
                n=n,
                date=fmt_datetime(item.created_at, lang, tz),
                excerpt=item.excerpt,
                author=item.author_name,
                delivered=c.delivered,
                read=c.read,
                recipients=c.recipients,
            )
        )
        buttons.append([ui.button(f"{n}. {_short(item.excerpt, EXCERPT_IN_BUTTON)}", "ann", "o", item.id, 0)])
    if not result.items:
        lines.append(t(lang, "ann.list.empty"))
    rows = [
        *buttons,
        page_buttons(lang, ("ann", "list"), result.page, result.has_next),
        [ui.button(t(lang, "ann.btn.new"), "menu", "announce")],
        [ui.menu_button(lang)],
    ]
    return "\n".join(lines), ui.keyboard(rows)


def render_detail(d: AnnouncementDetail, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    c = d.counts
    lines = [
        t(lang, "ann.detail.title", date=fmt_datetime(d.created_at, lang, tz), author=d.author_name),
        t(lang, "ann.detail.excerpt", excerpt=d.excerpt),
        t(lang, "ann.detail.to", residences=_residences_text(lang, d.residence_names)),
        "",
    ]
    if d.status == AnnouncementStatus.SENDING:
        lines.append(t(lang, "ann.detail.sending", pending=c.pending))
    lines.append(
        t(
            lang,
            "ann.detail.counts",
            recipients=c.recipients,
            delivered=c.delivered,
            unreachable=c.unreachable,
            failed=c.failed,
            groups=c.groups,
            groups_delivered=c.groups_delivered,
        )
    )
    rows: list[list[InlineKeyboardButton]] = []
    if d.ask_ack:
        lines.append(t(lang, "ann.detail.read", read=c.read, recipients=c.recipients))
        if d.non_readers:
            lines += ["", t(lang, "ann.detail.non_readers", page=d.page + 1, pages=d.pages)]
            for reader in d.non_readers:
                key = "ann.detail.reader" if reader.apartment else "ann.detail.reader_no_apartment"
                line = t(lang, key, name=reader.name, apartment=reader.apartment or "")
                if not reader.delivered:
                    line += t(lang, "ann.detail.not_delivered")
                lines.append(line)
        elif c.recipients:
            lines += ["", t(lang, "ann.detail.all_read")]
        rows.append(page_buttons(lang, ("ann", "o", d.id), d.page, d.has_next))
        if d.remindable:
            rows.append([ui.button(t(lang, "ann.btn.remind", count=d.remindable), "ann", "rem", d.id, d.next_round)])
    else:
        lines.append(t(lang, "ann.detail.no_ack"))
    rows.append([ui.button(t(lang, "ann.btn.refresh"), "ann", "o", d.id, d.page)])
    rows.append([_list_button(lang)])
    rows.append([ui.menu_button(lang)])
    return "\n".join(lines), ui.keyboard(rows)


async def list_command_or_button(update: Update, context: Ctx, page: int) -> None:
    me = await signed_in_user(update, context)
    if me is None:
        return
    try:
        result = await context.rt.db(ann.list_announcements, me, page)
    except DomainError as error:
        await _refuse(update, me, error)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    await ui.show(update, *render_list(result, me.language, _tz(context, me)))


async def list_button(update: Update, context: Ctx) -> None:
    page = ui.ints(update.callback_query.data, 1)
    await list_command_or_button(update, context, page[0] if page else 0)


async def open_button(update: Update, context: Ctx) -> None:
    """The follow-up of one announcement: in place from a list, as a new message from the report."""
    me = await signed_in_user(update, context)
    if me is None:
        return
    query = update.callback_query
    from_report = ui.parts(query.data)[1] == "v"
    numbers = ui.ints(query.data, 1) if from_report else ui.ints(query.data, 2)
    if numbers is None:
        await stale_button(update, context)
        return
    announcement_id, page = numbers[0], 0 if from_report else numbers[1]
    try:
        detail = await context.rt.db(ann.announcement_detail, me, announcement_id, page)
    except DomainError as error:
        await _refuse(update, me, error)
        return
    await query.answer()
    text, markup = render_detail(detail, me.language, _tz(context, me))
    if from_report:  # the report stays as it was: the follow-up comes below it
        await _say(update, text, markup)
    else:
        await ui.show(update, text, markup)


async def remind_button(update: Update, context: Ctx) -> None:
    me = await signed_in_user(update, context)
    if me is None:
        return
    query = update.callback_query
    numbers = ui.ints(query.data, 2)
    if numbers is None:
        await stale_button(update, context)
        return
    announcement_id, round_ = numbers
    lang, now = me.language, context.rt.now()
    try:
        outcome = await context.rt.db(ann.remind, me, announcement_id, round_, now)
    except InvalidInput:
        await query.answer(t(lang, "ann.remind.already"), show_alert=True)
        return
    except DomainError as error:
        await _refuse(update, me, error)
        return
    if outcome.already_sent:
        await query.answer(t(lang, "ann.remind.already"), show_alert=True)
    elif outcome.queued:
        await query.answer(t(lang, "ann.remind.sent", count=outcome.queued), show_alert=True)
        deliver_soon(context.application)
    else:
        await query.answer(t(lang, "ann.remind.nobody"), show_alert=True)
    try:
        detail = await context.rt.db(ann.announcement_detail, me, announcement_id, 0)
    except DomainError:
        return
    await ui.show(update, *render_detail(detail, lang, _tz(context, me)))


async def ack_button(update: Update, context: Ctx) -> None:
    """A resident's "✅ J'ai lu": recorded once; only in their private chat."""
    query = update.callback_query
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        await query.answer()
        return
    me = await signed_in_user(update, context)
    if me is None:
        return
    lang = me.language
    numbers = ui.ints(query.data, 1)
    if numbers is None:
        await query.answer(t(lang, "ann.gone"), show_alert=True)
        return
    try:
        outcome = await context.rt.db(ann.acknowledge, me, numbers[0], context.rt.now())
    except NotFound:
        await query.answer(t(lang, "ann.gone"), show_alert=True)
        return
    except DomainError:
        await query.answer(t(lang, "ann.ack.not_allowed"), show_alert=True)
        return
    await query.answer(t(lang, "ann.ack.thanks" if outcome.first else "ann.ack.already"))
    done = ui.keyboard([[ui.button(t(lang, "ann.btn.acked"), "ann", "ack", numbers[0])]])
    if isinstance(query.message, Message) and query.message.reply_markup != done:
        try:
            await query.edit_message_reply_markup(done)
        except BadRequest as error:
            if not ui.is_not_modified(error):
                log.warning("could not mark an announcement read: %s", error.message)


async def stale_button(update: Update, context: Ctx) -> None:
    """Any other `ann:` press (a finished flow's button, forged data): polite, and only in private."""
    query = update.callback_query
    chat = update.effective_chat
    lang = lang_of(update, context)
    if chat is None or chat.type != ChatType.PRIVATE:
        await query.answer()
        return
    await query.answer(t(lang, "expired.alert"))
    await _say(update, t(lang, "ann.stale"), ui.menu_markup(lang))


# --- wiring ------------------------------------------------------------------------------------------


def announce_conversation() -> ConversationHandler[Ctx]:
    text = TYPED
    photo = PRIVATE & filters.PHOTO
    buttons_only = MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, use_buttons)
    return conversation(
        FLOW,
        entry_points=[
            CommandHandler(["annonce", "announce"], start, filters=PRIVATE),
            CallbackQueryHandler(start, pattern=r"^menu:announce$"),
        ],
        states={
            St.COMPOSE: [
                MessageHandler(text, text_given),
                MessageHandler(photo, photo_given),
                CallbackQueryHandler(edit_field, pattern=r"^ann:ed:back$"),
                wrong_type("ann.compose.expected"),
            ],
            St.CAPTION: [
                MessageHandler(text, caption_given),
                MessageHandler(photo, photo_given),
                wrong_type("ann.caption.expected"),
            ],
            St.AUDIENCE: [
                CallbackQueryHandler(audience_button, pattern=rf"^ann:aud:(t:{ID}|all|p:{PAGE}|ok)$"),
                buttons_only,
            ],
            St.OPTIONS: [CallbackQueryHandler(option_button, pattern=r"^ann:opt:(pin|ack|ok)$"), buttons_only],
            St.PREVIEW: [
                CallbackQueryHandler(send_button, pattern=r"^ann:send$"),
                CallbackQueryHandler(edit_menu, pattern=r"^ann:edit$"),
                CallbackQueryHandler(preview_ack, pattern=r"^ann:ackp$"),
                buttons_only,
            ],
            St.EDIT: [
                CallbackQueryHandler(edit_field, pattern=r"^ann:ed:(text|nophoto|aud|opt|back)$"),
                CallbackQueryHandler(preview_ack, pattern=r"^ann:ackp$"),
                buttons_only,
            ],
        },
        fallbacks=[
            CallbackQueryHandler(cancel_button, pattern=r"^ann:cancel$"),
            CallbackQueryHandler(list_from_flow, pattern=rf"^ann:list:{PAGE}$"),
        ],
    )


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    return [
        announce_conversation(),
        CallbackQueryHandler(list_button, pattern=rf"^ann:list:{PAGE}$"),
        CallbackQueryHandler(open_button, pattern=rf"^ann:(o:{ID}:{PAGE}|v:{ID})$"),
        CallbackQueryHandler(remind_button, pattern=rf"^ann:rem:{ID}:{PAGE}$"),
        CallbackQueryHandler(ack_button, pattern=rf"^ann:ack:{ID}$"),
        CallbackQueryHandler(preview_ack, pattern=r"^ann:ackp$"),
        CallbackQueryHandler(stale_button, pattern=ui.pattern("ann")),
    ]
