"""My account (/compte, /account): profile and preferences, loyalty points, documents, residence certificate.

Only the phone number is typed, so only it is a conversation step; every other screen is a
button answered in place, stateless, with everything it needs in its callback data (`acc:qh:22:7`),
so an old button still does what it says or is told it has expired.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import documents, ui
from bot.i18n import CATALOGS, Raw, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, current_user, lang_of
from handlers.flow import END, conversation, page_buttons, wrong_type
from services import account
from services.account import DocumentsPage, PointsPage, Profile
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me

log = logging.getLogger(__name__)

FLOW = "account"
PREFIX = "acc"
BUTTON_TITLE_MAX = 40


class Step(IntEnum):
    PHONE = 1


# --- rendering -----------------------------------------------------------------------------------


def _tz(context: Ctx, timezone: str | None) -> str:
    return timezone or context.rt.settings.timezone


def _local_date(when: datetime, lang: str, tz: str) -> str:
    return documents.long_date(when.astimezone(ZoneInfo(tz)).date(), lang)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _quiet(profile: Profile, lang: str) -> str:
    if profile.quiet_start is None or profile.quiet_end is None:
        return t(lang, "acc.quiet.off")
    return t(lang, "acc.quiet.range", start=_hhmm(profile.quiet_start), end=_hhmm(profile.quiet_end))


def render_profile(profile: Profile, lang: str, notice: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    not_set = Raw(t(lang, "acc.not_set"))
    text = t(
        lang,
        "acc.profile",
        name=profile.full_name,
        email=profile.email,
        residence=profile.residence_name or Raw(t(lang, "acc.network")),
        apartment=profile.apartment or Raw(t(lang, "acc.none")),
        phone=profile.phone or not_set,
        language=Raw(t(lang, f"acc.lang.{profile.language}")),
        points=profile.points,
        quiet=Raw(_quiet(profile, lang)),
        reminders=Raw(t(lang, "acc.reminders.on" if profile.booking_reminders else "acc.reminders.off")),
    )
    if notice:
        text = f"{notice}\n\n{text}"
    reminders = (
        ui.button(t(lang, "acc.btn.reminders_off"), PREFIX, "rem", "off")
        if profile.booking_reminders
        else ui.button(t(lang, "acc.btn.reminders_on"), PREFIX, "rem", "on")
    )
    rows = [
        [ui.button(t(lang, "acc.btn.phone"), PREFIX, "phone"), ui.button(t(lang, "acc.btn.language"), "lang", "menu")],
        [ui.button(t(lang, "acc.btn.quiet"), PREFIX, "qh"), reminders],
        [
            ui.button(t(lang, "acc.btn.points"), PREFIX, "pts", 0),
            ui.button(t(lang, "acc.btn.documents"), PREFIX, "docs", 0),
        ],
    ]
    if profile.has_residence:
        rows.append([ui.button(t(lang, "acc.btn.certificate"), PREFIX, "cert")])
    rows.append([ui.menu_button(lang)])
    return text, ui.keyboard(rows)


def _back_row(lang: str) -> list[Any]:
    return [ui.button(t(lang, "btn.back"), PREFIX, "home")]


def _rule_label(rule: str, lang: str) -> str:
    key = f"acc.rule.{rule}"
    return t(lang, key) if key in CATALOGS["fr"] else t(lang, "acc.rule.other", rule=rule)


def render_points(page: PointsPage, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t(lang, "acc.points.title", balance=page.balance)]
    if not page.lines:
        lines.append(t(lang, "acc.points.empty"))
    for line in page.lines:
        delta = f"+{line.delta}" if line.delta >= 0 else f"−{abs(line.delta)}"
        lines.append(
            t(
                lang,
                "acc.points.line",
                delta=delta,
                rule=Raw(_rule_label(line.rule, lang)),
                date=_local_date(line.at, lang, tz),
            )
        )
    rows = [page_buttons(lang, (PREFIX, "pts"), page.page, page.has_next), _back_row(lang)]
    return "\n".join(lines[:1] + [""] + lines[1:]), ui.keyboard(rows)


def render_documents(page: DocumentsPage, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t(lang, "acc.docs.title"), ""]
    rows: list[list[Any]] = []
    if not page.items:
        lines.append(t(lang, "acc.docs.empty"))
    first = page.page * account.DOCUMENTS_PAGE_SIZE + 1
    for number, item in enumerate(page.items, start=first):
        lines.append(
            t(lang, "acc.docs.line", number=number, title=item.title, date=_local_date(item.created_at, lang, tz))
        )
        label = item.title if len(item.title) <= BUTTON_TITLE_MAX else item.title[: BUTTON_TITLE_MAX - 1] + "…"
        rows.append([ui.button(f"📥 {number}. {label}", PREFIX, "doc", item.id)])
    if page.items:
        lines += ["", t(lang, "acc.docs.hint")]
    rows += [page_buttons(lang, (PREFIX, "docs"), page.page, page.has_next), _back_row(lang)]
    return "\n".join(lines), ui.keyboard(rows)


def _quiet_start_keyboard(lang: str) -> InlineKeyboardMarkup:
    hours = [ui.button(f"{h:02d}:00", PREFIX, "qs", h) for h in account.QUIET_STARTS]
    return ui.keyboard([hours, [ui.button(t(lang, "acc.quiet.btn_none"), PREFIX, "qh", "none")], _back_row(lang)])


def _quiet_end_keyboard(lang: str, start: int) -> InlineKeyboardMarkup:
    hours = [ui.button(f"{h:02d}:00", PREFIX, "qh", start, h) for h in account.QUIET_ENDS]
    return ui.keyboard([hours, [ui.button(t(lang, "btn.back"), PREFIX, "qh")]])


# --- helpers -------------------------------------------------------------------------------------


async def _signed_in(update: Update, context: Ctx) -> Me | None:
    """The gate already turned unlinked users away; this covers an account unlinked in between."""
    me = await current_user(update, context)
    if me is None:
        await update.effective_chat.send_message(t(lang_of(update, context), "need_login"))
    return me


async def _answer(update: Update, text: str | None = None) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text)


async def _show_profile(update: Update, context: Ctx, me: Me, notice: str | None = None, *, edit: bool) -> None:
    profile = await context.rt.db(account.profile, me)
    text, markup = render_profile(profile, me.language, notice)
    if edit:
        await ui.show(update, text, markup)
    else:
        await update.effective_chat.send_message(text, reply_markup=markup)


async def _stale(update: Update, context: Ctx, me: Me) -> None:
    await _answer(update, t(me.language, "acc.expired.alert"))
    await _show_profile(update, context, me, t(me.language, "acc.expired"), edit=False)


async def _send_document(
    update: Update, context: Ctx, me: Me, document_id: int, content: bytes | None, filename: str, caption: str
) -> None:
    """Upload the bytes, then remember the id Telegram gave them: later downloads send that instead."""
    message: Message = await update.effective_chat.send_document(content, filename=filename or None, caption=caption)
    if message.document is not None:
        await context.rt.db(account.remember_telegram_file, me, document_id, message.document.file_id)


# --- the conversation: /compte, the dashboard button, and the phone step ---------------------------


async def open_account(update: Update, context: Ctx) -> int:
    await _answer(update)
    me = await _signed_in(update, context)
    if me is not None:
        await _show_profile(update, context, me, edit=update.callback_query is not None)
    return END


async def phone_start(update: Update, context: Ctx) -> int:
    await _answer(update)
    me = await _signed_in(update, context)
    if me is None:
        return END
    profile = await context.rt.db(account.profile, me)
    lang = me.language
    rows = []
    if profile.phone:
        rows.append([ui.button(t(lang, "acc.phone.btn_clear"), PREFIX, "phclr")])
    rows.append(_back_row(lang))
    text = t(lang, "acc.phone.ask", phone=profile.phone or Raw(t(lang, "acc.not_set")))
    await ui.show(update, text, ui.keyboard(rows))
    return Step.PHONE


async def phone_typed(update: Update, context: Ctx) -> int:
    me = await _signed_in(update, context)
    if me is None:
        return END
    lang = me.language
    try:
        profile = await context.rt.db(account.set_phone, me, update.message.text or "")
    except InvalidInput as error:
        if error.reason == "too_long":
            await update.message.reply_text(t(lang, "flow.too_long", **error.details))
        else:
            await update.message.reply_text(t(lang, "acc.phone.invalid"))
        return Step.PHONE
    text, markup = render_profile(profile, lang, t(lang, "acc.phone.saved", phone=profile.phone))
    await update.effective_chat.send_message(text, reply_markup=markup)
    return END


async def phone_clear(update: Update, context: Ctx) -> int:
    await _answer(update)
    me = await _signed_in(update, context)
    if me is None:
        return END
    profile = await context.rt.db(account.set_phone, me, None)
    await ui.show(update, *render_profile(profile, me.language, t(me.language, "acc.phone.cleared")))
    return END


async def phone_leave(update: Update, context: Ctx) -> int:
    """Another of this flow's buttons pressed instead of typing: leave the phone step, do what was asked."""
    await on_button(update, context)
    return END


# --- the buttons of the account screens ------------------------------------------------------------


async def on_button(update: Update, context: Ctx) -> None:
    query = update.callback_query
    me = await current_user(update, context)
    if me is None:
        await query.answer()
        return
    data = ui.parts(query.data)
    action, args = (data[1] if len(data) > 1 else ""), data[2:]
    lang = me.language
    try:
        if data[0] == "menu" or (action == "home" and not args):
            await query.answer()
            await _show_profile(update, context, me, edit=True)
        elif action == "qh" and not args:
            await query.answer()
            await ui.show(update, t(lang, "acc.quiet.ask_start"), _quiet_start_keyboard(lang))
        elif action == "qs" and len(args) == 1 and ui.to_int(args[0]) in account.QUIET_STARTS:
            start = int(args[0])
            await query.answer()
            await ui.show(
                update, t(lang, "acc.quiet.ask_end", start=f"{start:02d}:00"), _quiet_end_keyboard(lang, start)
            )
        elif action == "qh" and args == ["none"]:
            profile = await context.rt.db(account.set_quiet_hours, me, None, None)
            await query.answer()
            await ui.show(update, *render_profile(profile, lang, t(lang, "acc.quiet.cleared")))
        elif action == "qh" and len(args) == 2 and None not in (ui.to_int(args[0]), ui.to_int(args[1])):
            profile = await context.rt.db(account.set_quiet_hours, me, ui.to_int(args[0]), ui.to_int(args[1]))
            await query.answer()
            notice = t(lang, "acc.quiet.saved", quiet=Raw(_quiet(profile, lang)))
            await ui.show(update, *render_profile(profile, lang, notice))
        elif action == "rem" and args in (["on"], ["off"]):
            enabled = args[0] == "on"
            profile = await context.rt.db(account.set_booking_reminders, me, enabled)
            await query.answer()
            notice = t(lang, "acc.reminders.saved_on" if enabled else "acc.reminders.saved_off")
            await ui.show(update, *render_profile(profile, lang, notice))
        elif action == "pts" and len(args) == 1 and ui.to_int(args[0]) is not None:
            points_page = await context.rt.db(account.points_page, me, ui.to_int(args[0]))
            await query.answer()
            await ui.show(update, *render_points(points_page, lang, _tz(context, points_page.timezone)))
        elif action == "docs" and len(args) == 1 and ui.to_int(args[0]) is not None:
            docs = await context.rt.db(account.documents_page, me, ui.to_int(args[0]))
            await query.answer()
            await ui.show(update, *render_documents(docs, lang, _tz(context, docs.timezone)))
        elif action == "doc" and len(args) == 1 and ui.to_int(args[0]) is not None:
            await _download(update, context, me, int(args[0]))
        elif action == "cert" and not args:
            await _certificate(update, context, me)
        else:
            await _stale(update, context, me)
    except InvalidInput:
        await _stale(update, context, me)  # forged values (a quiet hour nobody offered)


async def _download(update: Update, context: Ctx, me: Me, document_id: int) -> None:
    lang = me.language
    try:
        document = await context.rt.db(account.document_file, me, document_id)
    except (NotAllowed, NotFound):
        await update.callback_query.answer(t(lang, "acc.doc.unavailable"), show_alert=True)
        await update.effective_chat.send_message(t(lang, "acc.doc.unavailable"))
        return
    await update.callback_query.answer()
    caption = t(lang, "acc.doc.caption", title=document.title)
    if document.telegram_file_id is not None:
        try:
            await update.effective_chat.send_document(document.telegram_file_id, caption=caption)
            return
        except BadRequest:  # Telegram lost its copy (another bot token...): upload the bytes again
            log.warning("stored Telegram file id refused for document %s; uploading again", document.id)
            document = await context.rt.db(account.document_file, me, document_id, with_content=True)
    await _send_document(update, context, me, document.id, document.content, document.filename, caption)


async def _certificate(update: Update, context: Ctx, me: Me) -> None:
    lang = me.language
    try:
        certificate = await context.rt.db(account.issue_certificate, me, context.rt.now(), documents.render_certificate)
    except NotAllowed:
        await update.callback_query.answer()
        await update.effective_chat.send_message(t(lang, "acc.cert.no_residence"))
        return
    await update.callback_query.answer()
    await _send_document(
        update,
        context,
        me,
        certificate.document_id,
        certificate.content,
        certificate.filename,
        t(lang, "acc.cert.caption"),
    )


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    text = TYPED
    flow = conversation(
        FLOW,
        entry_points=[
            CommandHandler(["compte", "account"], open_account, filters=PRIVATE),
            CallbackQueryHandler(open_account, pattern=r"^menu:account$"),
            CallbackQueryHandler(phone_start, pattern=r"^acc:phone$"),
        ],
        states={
            Step.PHONE: [
                MessageHandler(text, phone_typed),
                CallbackQueryHandler(phone_start, pattern=r"^acc:phone$"),
                CallbackQueryHandler(phone_clear, pattern=r"^acc:phclr$"),
                CallbackQueryHandler(phone_leave, pattern=r"^(acc:|menu:account$)"),
                wrong_type("acc.phone.expected_text"),
            ],
        },
    )
    return [flow, CallbackQueryHandler(on_button, pattern=ui.pattern(PREFIX))]
