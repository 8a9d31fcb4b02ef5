"""The marketplace: /marche (/market) and the dashboard's 🛍 button.

Browsing and managing one's listings are plain buttons (no conversation), so looking at the market
never holds a resident inside a flow; only the steps that wait for typed answers are a
conversation: posting a listing, and writing one message to a neighbour (the bot relays it).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime
from enum import IntEnum
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot import ui
from bot.delivery import deliver_soon
from bot.i18n import Raw, fmt_datetime, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, current_user, lang_of, signed_in_user
from handlers.flow import END, active_flow, conversation, draft, end_flow, length_error, page_buttons, wrong_type
from models import ListingKind, ListingStatus
from services import marketplace as market
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from services.marketplace import ListingPage, ListingView, Relay, RelayStatus, StatusAction
from services.people import Me

log = logging.getLogger(__name__)

FLOW = "market"
KINDS = tuple(kind.value for kind in ListingKind)  # sell, buy, lend, give
ALL = "all"
CAPTION_MAX = 1024
TITLE_IN_BUTTON = 40
ID = r"(\d{1,9})"  # ids beyond a 32-bit integer are forged: never sent to the database
PAGE = r"(\d{1,4})"
KIND_RE = rf"({'|'.join(KINDS)}|{ALL})"


class St(IntEnum):
    KIND = 1
    TITLE = 2
    DESCRIPTION = 3
    PRICE = 4
    PHOTO = 5
    PREVIEW = 6
    EDIT = 7
    WRITE = 8


# --- small helpers ---------------------------------------------------------------------------------


def _tz(context: Ctx, me: Me) -> str:
    return me.timezone or context.rt.settings.timezone


def _money(cents: int | None, lang: str) -> Raw:
    if not cents:
        return Raw(t(lang, "mk.free"))
    euros, rest = divmod(cents, 100)
    amount = str(euros) if rest == 0 else f"{euros}{',' if lang == 'fr' else '.'}{rest:02d}"
    return Raw(t(lang, "mk.price", amount=amount))


def _price(kind: ListingKind | str, cents: int | None, lang: str) -> Raw | None:
    """Someone looking for something shows no price; lending and giving are free."""
    if kind == ListingKind.BUY:
        return None
    return _money(cents if kind == ListingKind.SELL else None, lang)


def _utf16(text: str) -> int:
    return len(ui.plain_text(text).encode("utf-16-le")) // 2


def _fit(build: Callable[[str], str], description: str, limit: int) -> str:
    """A caption is at most 1024 characters: shorten the description, never the rest."""
    text = build(description)
    while _utf16(text) > limit and description:
        excess = _utf16(text) - limit
        description = description[: max(0, len(description) - excess - 1)].rstrip()
        text = build(description + "…" if description else "")
    return text


def _market_button(lang: str) -> InlineKeyboardButton:
    return ui.button(t(lang, "mk.btn.market"), "mk", "home")


def _refusal_key(error: DomainError, me: Me) -> str:
    if isinstance(error, market.OwnListing):
        return "mk.contact.own"
    if isinstance(error, NotFound):
        return "mk.gone"
    if me.residence_id is None:
        return "mk.no_residence"
    return "mk.not_allowed"


async def _refuse(update: Update, me: Me, error: DomainError, *, answered: bool = False) -> None:
    """A stale or forged button: say so politely, and offer the market again."""
    if update.callback_query is not None and not answered:
        await update.callback_query.answer()
    lang = me.language
    markup = ui.keyboard([[_market_button(lang) if me.residence_id else ui.menu_button(lang)]])
    await update.effective_chat.send_message(t(lang, _refusal_key(error, me)), reply_markup=markup)


# --- rendering -------------------------------------------------------------------------------------


def render_home(overview: market.Overview, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    text = t(lang, "mk.home", residence=overview.residence_name, active=overview.active, mine=overview.mine)
    kinds = [ui.button(t(lang, f"mk.kind.{kind}"), "mk", "ls", kind, 0) for kind in KINDS]
    rows = [
        kinds[:2],
        kinds[2:],
        [ui.button(t(lang, "mk.kind.all"), "mk", "ls", ALL, 0)],
        [ui.button(t(lang, "mk.btn.new"), "mk", "new")],
        [ui.button(t(lang, "mk.btn.mine"), "mk", "mine", 0)],
        [ui.menu_button(lang)],
    ]
    return text, ui.keyboard(rows)


def _title_button(n: int, title: str, *data: str | int) -> InlineKeyboardButton:
    short = title if len(title) <= TITLE_IN_BUTTON else title[: TITLE_IN_BUTTON - 1] + "…"
    return ui.button(f"{n}. {short}", *data)


def render_page(page: ListingPage, kind: str, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t(lang, "mk.list.title", kind=Raw(t(lang, f"mk.label.{kind}")), page=page.page + 1, pages=page.pages), ""]
    buttons = []
    first = page.page * market.PAGE_SIZE + 1
    for n, item in enumerate(page.items, start=first):
        price = _price(item.kind, item.price_cents, lang)
        if price is None:
            lines.append(t(lang, "mk.list.item_no_price", n=n, title=item.title, name=item.author_first_name))
        else:
            lines.append(t(lang, "mk.list.item", n=n, title=item.title, price=price, name=item.author_first_name))
        buttons.append([_title_button(n, item.title, "mk", "o", item.id, kind, page.page)])
    lines.append("\n" + t(lang, "mk.list.hint") if page.items else t(lang, "mk.list.empty"))
    rows = [*buttons, page_buttons(lang, ("mk", "ls", kind), page.page, page.has_next)]
    if not page.items:
        rows.append([ui.button(t(lang, "mk.btn.new"), "mk", "new")])
    rows.append([ui.button(t(lang, "btn.back"), "mk", "home")])
    return "\n".join(lines), ui.keyboard(rows)


def listing_body(
    lang: str,
    tz: str,
    *,
    kind: ListingKind | str,
    title: str,
    description: str,
    price_cents: int | None,
    author: str,
    when: datetime,
) -> str:
    """The listing as neighbours see it: HTML in which every user value is escaped."""
    lines = [t(lang, f"mk.label.{ListingKind(kind).value}"), t(lang, "mk.detail.title", title=title)]
    price = _price(kind, price_cents, lang)
    if price is not None:
        lines.append(t(lang, "mk.detail.price", price=price))
    if description:
        lines += ["", html.escape(description, quote=False)]
    lines += ["", t(lang, "mk.detail.by", name=author, date=fmt_datetime(when, lang, tz))]
    return "\n".join(lines)


def _detail_text(view: ListingView, lang: str, tz: str, description: str) -> str:
    text = listing_body(
        lang,
        tz,
        kind=view.kind,
        title=view.title,
        description=description,
        price_cents=view.price_cents,
        author=view.author_first_name,
        when=view.created_at,
    )
    if view.mine:
        status = Raw(t(lang, f"mk.status.{view.status.value}"))
        text += "\n" + t(lang, "mk.detail.mine", status=status)
        if view.status in (ListingStatus.ACTIVE, ListingStatus.RESERVED):
            text += "\n" + t(lang, "mk.detail.until", date=fmt_datetime(view.expires_at, lang, tz))
    return text


def render_mine(page: ListingPage, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t(lang, "mk.mine.title", page=page.page + 1, pages=page.pages), ""]
    buttons = []
    first = page.page * market.PAGE_SIZE + 1
    for n, item in enumerate(page.items, start=first):
        lines.append(
            t(lang, "mk.mine.item", n=n, title=item.title, status=Raw(t(lang, f"mk.status.{item.status.value}")))
        )
        buttons.append([_title_button(n, item.title, "mk", "m", item.id, page.page)])
    if not page.items:
        lines.append(t(lang, "mk.mine.empty"))
    rows = [
        *buttons,
        page_buttons(lang, ("mk", "mine"), page.page, page.has_next),
        [ui.button(t(lang, "mk.btn.new"), "mk", "new")],
        [ui.button(t(lang, "btn.back"), "mk", "home")],
    ]
    return "\n".join(lines), ui.keyboard(rows)


def _manage_markup(view: ListingView, lang: str, page: int) -> InlineKeyboardMarkup:
    actions = {
        ListingStatus.ACTIVE: (StatusAction.RESERVE, StatusAction.CLOSE),
        ListingStatus.RESERVED: (StatusAction.REOPEN, StatusAction.CLOSE),
        ListingStatus.CLOSED: (StatusAction.REOPEN,),
        ListingStatus.EXPIRED: (StatusAction.REOPEN,),
    }.get(view.status, ())
    rows = [
        [ui.button(t(lang, f"mk.btn.{action.value}"), "mk", "st", action.value, view.id, page)] for action in actions
    ]
    rows.append([ui.button(t(lang, "mk.btn.delete"), "mk", "del", view.id, page)])
    rows.append([ui.button(t(lang, "btn.back"), "mk", "mine", page)])
    return ui.keyboard(rows)


def _browse_markup(view: ListingView, lang: str, kind: str, page: int) -> InlineKeyboardMarkup:
    first = (
        ui.button(t(lang, "mk.btn.manage"), "mk", "m", view.id, 0)
        if view.mine
        else ui.button(t(lang, "mk.btn.contact"), "mk", "contact", view.id)
    )
    return ui.keyboard([[first], [ui.button(t(lang, "btn.back"), "mk", "ls", kind, page)]])


async def _send_photo(context: Ctx, me: Me, chat_id: int, view: ListingView, caption: str, markup: Any) -> None:
    """By Telegram's file id when it has one; from our stored bytes when it does not (or forgot it)."""
    if view.photo_telegram_id:
        try:
            await context.bot.send_photo(chat_id, view.photo_telegram_id, caption=caption, reply_markup=markup)
            return
        except BadRequest as error:
            log.warning("stored photo id refused (%s); sending the bytes", error.message)
    content = await context.rt.db(market.listing_photo, me, view.id)
    await context.bot.send_photo(chat_id, content, caption=caption, reply_markup=markup)


async def _show_listing(update: Update, context: Ctx, me: Me, view: ListingView, markup: InlineKeyboardMarkup) -> None:
    lang, tz = me.language, _tz(context, me)
    if view.photo_id is None:
        await ui.show(update, _detail_text(view, lang, tz, view.description), markup)
        return
    caption = _fit(lambda d: _detail_text(view, lang, tz, d), view.description, CAPTION_MAX)
    await _send_photo(context, me, update.effective_chat.id, view, caption, markup)


# --- browsing and managing (plain buttons) ------------------------------------------------------------


async def _home(update: Update, context: Ctx, me: Me, *, edit: bool) -> None:
    try:
        overview = await context.rt.db(market.overview, me, context.rt.now())
    except DomainError as error:
        await _refuse(update, me, error)
        return
    text, markup = render_home(overview, me.language)
    if update.callback_query is not None:
        await update.callback_query.answer()
    if edit:
        await ui.show(update, text, markup)
    else:
        await update.effective_chat.send_message(text, reply_markup=markup)


async def market_command(update: Update, context: Ctx) -> None:
    me = await signed_in_user(update, context)
    if me is not None:
        await _home(update, context, me, edit=False)


async def home_button(update: Update, context: Ctx) -> None:
    """The dashboard's 🛍 button and the market's own ⬅️: the home replaces the menu in place."""
    me = await signed_in_user(update, context)
    if me is None:
        return
    await _home(update, context, me, edit=True)


async def list_button(update: Update, context: Ctx) -> None:
    me = await signed_in_user(update, context)
    if me is None:
        return
    _, _, kind, page = ui.parts(update.callback_query.data)
    try:
        result = await context.rt.db(
            market.browse, me, None if kind == ALL else ListingKind(kind), int(page), context.rt.now()
        )
    except DomainError as error:
        await _refuse(update, me, error)
        return
    await update.callback_query.answer()
    await ui.show(update, *render_page(result, kind, me.language))


async def open_button(update: Update, context: Ctx) -> None:
    me = await signed_in_user(update, context)
    if me is None:
        return
    _, _, listing_id, kind, page = ui.parts(update.callback_query.data)
    try:
        view = await context.rt.db(market.open_listing, me, int(listing_id), context.rt.now())
    except DomainError as error:
        await _refuse(update, me, error)
        return
    await update.callback_query.answer()
    await _show_listing(update, context, me, view, _browse_markup(view, me.language, kind, int(page)))


async def mine_button(update: Update, context: Ctx) -> None:
    me = await signed_in_user(update, context)
    if me is None:
        return
    page = int(ui.parts(update.callback_query.data)[2])
    try:
        result = await context.rt.db(market.my_listings, me, page, context.rt.now())
    except DomainError as error:
        await _refuse(update, me, error)
        return
    await update.callback_query.answer()
    await ui.show(update, *render_mine(result, me.language))


async def manage_button(update: Update, context: Ctx) -> None:
    me = await signed_in_user(update, context)
    if me is None:
        return
    _, _, listing_id, page = ui.parts(update.callback_query.data)
    try:
        view = await context.rt.db(market.open_listing, me, int(listing_id), context.rt.now())
        if not view.mine:
            raise NotAllowed("not the author")
    except DomainError as error:
        await _refuse(update, me, error)
        return
    await update.callback_query.answer()
    await _show_listing(update, context, me, view, _manage_markup(view, me.language, int(page)))


async def status_button(update: Update, context: Ctx) -> None:
    me = await signed_in_user(update, context)
    if me is None:
        return
    query = update.callback_query
    _, _, action, listing_id, page = ui.parts(query.data)
    lang = me.language
    try:
        view = await context.rt.db(market.change_status, me, int(listing_id), StatusAction(action), context.rt.now())
    except InvalidInput:
        await query.answer(t(lang, "mk.not_possible"), show_alert=True)
        return
    except DomainError as error:
        await _refuse(update, me, error)
        return
    await query.answer(t(lang, f"mk.changed.{action}"))
    await _show_listing(update, context, me, view, _manage_markup(view, lang, int(page)))


async def delete_ask(update: Update, context: Ctx) -> None:
    me = await signed_in_user(update, context)
    if me is None:
        return
    _, _, listing_id, page = ui.parts(update.callback_query.data)
    lang = me.language
    try:
        view = await context.rt.db(market.open_listing, me, int(listing_id), context.rt.now())
        if not view.mine:
            raise NotAllowed("not the author")
    except DomainError as error:
        await _refuse(update, me, error)
        return
    await update.callback_query.answer()
    markup = ui.keyboard(
        [
            [ui.button(t(lang, "mk.btn.delete_yes"), "mk", "delok", view.id, page)],
            [ui.button(t(lang, "btn.no"), "mk", "m", view.id, page)],
        ]
    )
    await ui.show(update, t(lang, "mk.delete.confirm", title=view.title), markup)


async def delete_confirmed(update: Update, context: Ctx) -> None:
    me = await signed_in_user(update, context)
    if me is None:
        return
    _, _, listing_id, page = ui.parts(update.callback_query.data)
    try:
        title = await context.rt.db(market.delete_listing, me, int(listing_id), context.rt.now())
    except DomainError as error:
        await _refuse(update, me, error)
        return
    await update.callback_query.answer()
    lang = me.language
    markup = ui.keyboard([[ui.button(t(lang, "mk.btn.mine"), "mk", "mine", page)], [_market_button(lang)]])
    await ui.show(update, t(lang, "mk.delete.done", title=title), markup)


async def end_button(update: Update, context: Ctx) -> int | None:
    """🔚 under a relayed message: ends the conversation for both; the other side is told."""
    me = await signed_in_user(update, context)
    if me is None:
        return None
    thread_id = int(ui.parts(update.callback_query.data)[2])
    try:
        relay = await context.rt.db(market.end_conversation, me, thread_id, context.rt.now())
    except DomainError as error:
        await _refuse(update, me, error)
        return None
    await update.callback_query.answer()
    await ui.drop_buttons(update)
    lang = me.language
    if relay.status == RelayStatus.CLOSED:
        await update.effective_chat.send_message(t(lang, "mk.relay.closed"))
    else:
        await update.effective_chat.send_message(
            t(lang, "mk.relay.ended", title=relay.title, name=relay.other_first_name)
        )
        deliver_soon(context.application)
    # Ending the very conversation one was about to write in leaves the writing step too.
    writing = draft(context, FLOW).get("thread") if active_flow(context) == FLOW else None
    return END if writing == thread_id else None


# --- posting a listing (conversation) ----------------------------------------------------------------


def _kind_markup(lang: str) -> InlineKeyboardMarkup:
    kinds = [ui.button(t(lang, f"mk.kind.{kind}"), "mk", "k", kind) for kind in KINDS]
    return ui.keyboard([kinds[:2], kinds[2:], [ui.button(t(lang, "btn.cancel"), "mk", "cancel")]])


async def new_start(update: Update, context: Ctx) -> int:
    me = await signed_in_user(update, context)
    if me is None:
        return END
    try:
        market.check_member(me)
    except DomainError as error:
        await _refuse(update, me, error)
        return END
    await update.callback_query.answer()
    data = draft(context, FLOW)
    data.clear()
    await update.effective_chat.send_message(t(me.language, "mk.new.kind"), reply_markup=_kind_markup(me.language))
    return St.KIND


async def _ask(update: Update, context: Ctx, key: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await update.effective_chat.send_message(t(lang_of(update, context), key), reply_markup=markup)


def _photo_markup(lang: str, data: dict[str, Any]) -> InlineKeyboardMarkup:
    rows = [[ui.button(t(lang, "btn.skip"), "mk", "skip")]]
    if data.get("editing") and data.get("photo"):
        rows.append([ui.button(t(lang, "mk.btn.remove_photo"), "mk", "nophoto")])
    return ui.keyboard(rows)


async def _ask_photo(update: Update, context: Ctx) -> int:
    lang, data = lang_of(update, context), draft(context, FLOW)
    key = "mk.new.photo_edit" if data.get("editing") and data.get("photo") else "mk.new.photo"
    await _ask(update, context, key, _photo_markup(lang, data))
    return St.PHOTO


async def kind_chosen(update: Update, context: Ctx) -> int:
    query = update.callback_query
    await query.answer()
    kind = ui.parts(query.data)[2]
    lang, data = lang_of(update, context), draft(context, FLOW)
    data["kind"] = kind
    await ui.show(update, t(lang, "mk.new.kind_chosen", kind=Raw(t(lang, f"mk.kind.{kind}"))))
    if kind != ListingKind.SELL:
        data["price"] = None
    if data.get("editing"):
        if kind == ListingKind.SELL and data.get("price") is None:
            await _ask(update, context, "mk.new.price")
            return St.PRICE
        return await _preview(update, context)
    await _ask(update, context, "mk.new.title")
    return St.TITLE


async def title_given(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    try:
        title = market.check_title(update.message.text)
    except InvalidInput as error:
        await update.message.reply_text(length_error(lang, error))
        return St.TITLE
    data = draft(context, FLOW)
    data["title"] = title
    if data.get("editing"):
        return await _preview(update, context)
    await _ask(update, context, "mk.new.description")
    return St.DESCRIPTION


async def description_given(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    try:
        description = market.check_description(update.message.text)
    except InvalidInput as error:
        await update.message.reply_text(length_error(lang, error))
        return St.DESCRIPTION
    data = draft(context, FLOW)
    data["description"] = description
    if data.get("editing"):
        return await _preview(update, context)
    if data.get("kind") == ListingKind.SELL:
        await _ask(update, context, "mk.new.price")
        return St.PRICE
    return await _ask_photo(update, context)


async def price_given(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    try:
        cents = market.parse_price(update.message.text)
    except InvalidInput as error:
        await update.message.reply_text(t(lang, f"mk.price.{error.reason}", **error.details))
        return St.PRICE
    data = draft(context, FLOW)
    data["price"] = cents
    if data.get("editing"):
        return await _preview(update, context)
    return await _ask_photo(update, context)


async def _photo_checked(update: Update, context: Ctx, mime: str | None, size: int | None) -> bool:
    try:
        market.check_photo(mime, size)
    except InvalidInput as error:
        await update.message.reply_text(t(lang_of(update, context), f"mk.photo.{error.reason}", **error.details))
        return False
    return True


async def photo_given(update: Update, context: Ctx) -> int:
    photo = update.message.photo[-1]  # the largest size
    if not await _photo_checked(update, context, "image/jpeg", photo.file_size):
        return St.PHOTO
    draft(context, FLOW)["photo"] = {"id": photo.file_id, "uid": photo.file_unique_id, "doc": False}
    return await _preview(update, context)


async def document_given(update: Update, context: Ctx) -> int:
    """An image sent "as a file": kept, and turned into a real photo when the preview is sent."""
    document = update.message.document
    if not await _photo_checked(update, context, document.mime_type, document.file_size):
        return St.PHOTO
    draft(context, FLOW)["photo"] = {"id": document.file_id, "uid": document.file_unique_id, "doc": True}
    return await _preview(update, context)


async def photo_skipped(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    await ui.drop_buttons(update)
    data = draft(context, FLOW)
    if not data.get("editing"):
        data.pop("photo", None)
    return await _preview(update, context)


async def photo_removed(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    await ui.drop_buttons(update)
    draft(context, FLOW).pop("photo", None)
    return await _preview(update, context)


def _preview_markup(lang: str) -> InlineKeyboardMarkup:
    return ui.keyboard(
        [
            [ui.button(t(lang, "mk.btn.publish"), "mk", "pub")],
            [ui.button(t(lang, "btn.edit"), "mk", "edit"), ui.button(t(lang, "btn.cancel"), "mk", "cancel")],
        ]
    )


async def _preview(update: Update, context: Ctx) -> int:
    """What neighbours will see, with the photo when there is one, before anything is stored."""
    me = await current_user(update, context)
    if me is None:
        return END
    lang, tz, data = me.language, _tz(context, me), draft(context, FLOW)
    data.pop("editing", None)

    def build(description: str) -> str:
        body = listing_body(
            lang,
            tz,
            kind=data["kind"],
            title=data["title"],
            description=description,
            price_cents=data.get("price"),
            author=me.first_name,
            when=context.rt.now(),
        )
        return t(lang, "mk.preview", body=Raw(body))

    markup = _preview_markup(lang)
    photo = data.get("photo")
    chat = update.effective_chat
    if photo is None:
        await chat.send_message(build(data["description"]), reply_markup=markup)
        return St.PREVIEW
    caption = _fit(build, data["description"], CAPTION_MAX)
    media: Any = photo["id"]
    if photo.get("doc"):  # Telegram sends a document's id only as a document: upload its bytes as a photo
        media = bytes(await (await context.bot.get_file(photo["id"])).download_as_bytearray())
    try:
        sent = await chat.send_photo(media, caption=caption, reply_markup=markup)
    except BadRequest as error:  # not an image Telegram can show after all
        log.info("a listing photo was refused: %s", error.message)
        data.pop("photo", None)
        await chat.send_message(t(lang, "mk.photo.not_image"), reply_markup=_photo_markup(lang, data))
        return St.PHOTO
    if photo.get("doc") and sent.photo:
        data["photo"] = {"id": sent.photo[-1].file_id, "uid": sent.photo[-1].file_unique_id, "doc": False}
    return St.PREVIEW


def _edit_markup(lang: str, data: dict[str, Any]) -> InlineKeyboardMarkup:
    fields = ["kind", "title", "description"]
    if data.get("kind") == ListingKind.SELL:
        fields.append("price")
    fields.append("photo")
    buttons = [ui.button(t(lang, f"mk.field.{field}"), "mk", "ed", field) for field in fields]
    return ui.keyboard(
        [*(buttons[i : i + 2] for i in range(0, len(buttons), 2)), [ui.button(t(lang, "btn.back"), "mk", "prev")]]
    )


async def edit_menu(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    await ui.drop_buttons(update)
    lang = lang_of(update, context)
    await _ask(update, context, "mk.edit.choose", _edit_markup(lang, draft(context, FLOW)))
    return St.EDIT


async def edit_field(update: Update, context: Ctx) -> int:
    query = update.callback_query
    await query.answer()
    await ui.drop_buttons(update)
    field = ui.parts(query.data)[2]
    lang, data = lang_of(update, context), draft(context, FLOW)
    data["editing"] = True
    if field == "kind":
        await _ask(update, context, "mk.new.kind", _kind_markup(lang))
        return St.KIND
    if field == "photo":
        return await _ask_photo(update, context)
    steps = {"title": St.TITLE, "description": St.DESCRIPTION, "price": St.PRICE}
    await _ask(update, context, f"mk.new.{field}")
    return steps[field]


async def back_to_preview(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    await ui.drop_buttons(update)
    return await _preview(update, context)


async def publish(update: Update, context: Ctx) -> int:
    query = update.callback_query
    await query.answer()
    await ui.drop_buttons(update)
    me = await current_user(update, context)
    if me is None:
        return END
    data, lang = draft(context, FLOW), me.language
    upload = None
    if data.get("photo"):
        file = await context.bot.get_file(data["photo"]["id"])
        content = bytes(await file.download_as_bytearray())
        upload = market.PhotoUpload(
            content,
            "image/jpeg",
            filename="listing.jpg",
            telegram_file_id=data["photo"]["id"],
            telegram_unique_id=data["photo"].get("uid"),
        )
    listing = market.ListingDraft(
        kind=ListingKind(data["kind"]),
        title=data["title"],
        description=data["description"],
        price_cents=data.get("price"),
    )
    try:
        published = await context.rt.db(market.publish, me, listing, context.rt.now(), upload)
    except InvalidInput:
        await update.effective_chat.send_message(t(lang, "mk.publish.invalid"), reply_markup=_edit_markup(lang, data))
        return St.EDIT
    except DomainError as error:
        await _refuse(update, me, error, answered=True)
        return END
    view = published.listing
    text = t(lang, "mk.published", title=view.title, date=fmt_datetime(view.expires_at, lang, _tz(context, me)))
    if published.points:
        text += "\n" + t(lang, "mk.published.points", points=published.points)
    markup = ui.keyboard([[ui.button(t(lang, "mk.btn.mine"), "mk", "mine", 0)], [_market_button(lang)]])
    await update.effective_chat.send_message(text, reply_markup=markup)
    return END


async def cancel_button(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    await ui.drop_buttons(update)
    end_flow(context, FLOW)
    lang = lang_of(update, context)
    await update.effective_chat.send_message(t(lang, "cancel.done"), reply_markup=ui.keyboard([[_market_button(lang)]]))
    return END


async def busy(update: Update, context: Ctx) -> None:
    """A market button that would start another step while one is waiting for an answer."""
    await update.callback_query.answer()
    await update.effective_chat.send_message(t(lang_of(update, context), "mk.busy"))


async def use_buttons(update: Update, context: Ctx) -> None:
    await update.effective_message.reply_text(t(lang_of(update, context), "flow.use_buttons"))


# --- writing to a neighbour (conversation) -----------------------------------------------------------


async def _writing(update: Update, context: Ctx, me: Me, relay: Relay, key: str, target: dict[str, int]) -> int:
    lang = me.language
    if relay.status == RelayStatus.UNREACHABLE:
        await update.effective_chat.send_message(t(lang, "mk.relay.unreachable"))
        return END
    if relay.status == RelayStatus.CLOSED:
        await update.effective_chat.send_message(t(lang, "mk.relay.closed"))
        return END
    data = draft(context, FLOW)
    data.clear()
    data.update(target)
    await update.effective_chat.send_message(t(lang, key, name=relay.other_first_name, title=relay.title))
    return St.WRITE


async def contact_start(update: Update, context: Ctx) -> int:
    return await _start_writing(update, context, market.prepare_contact, "mk.contact.ask", "listing")


async def reply_start(update: Update, context: Ctx) -> int:
    return await _start_writing(update, context, market.prepare_reply, "mk.reply.ask", "thread")


async def _start_writing(
    update: Update, context: Ctx, prepare: Callable[..., market.Relay], key: str, target: str
) -> int:
    """`mk:contact:<listing>` or `mk:reply:<thread>`: check the other side can be reached, then ask."""
    me = await signed_in_user(update, context)
    if me is None:
        return END
    target_id = int(ui.parts(update.callback_query.data)[2])
    try:
        relay = await context.rt.db(prepare, me, target_id, context.rt.now())
    except DomainError as error:
        await _refuse(update, me, error)
        return END
    await update.callback_query.answer()
    return await _writing(update, context, me, relay, key, {target: target_id})


async def message_written(update: Update, context: Ctx) -> int:
    me = await current_user(update, context)
    if me is None:
        return END
    lang, data, now = me.language, draft(context, FLOW), context.rt.now()
    text = update.message.text
    try:
        if "thread" in data:
            relay = await context.rt.db(market.send_reply, me, int(data["thread"]), text, now)
        elif "listing" in data:
            relay = await context.rt.db(market.send_contact, me, int(data["listing"]), text, now)
        else:  # the draft was lost: nothing to write to
            await update.message.reply_text(t(lang, "mk.relay.closed"))
            return END
    except InvalidInput as error:
        await update.message.reply_text(length_error(lang, error))
        return St.WRITE
    except DomainError as error:
        await _refuse(update, me, error)
        return END
    if relay.status == RelayStatus.OK:
        await update.message.reply_text(t(lang, "mk.relay.sent", name=relay.other_first_name))
        deliver_soon(context.application)
    elif relay.status == RelayStatus.UNREACHABLE:
        await update.message.reply_text(t(lang, "mk.relay.unreachable"))
    else:
        await update.message.reply_text(t(lang, "mk.relay.closed"))
    return END


# --- wiring ------------------------------------------------------------------------------------------


def market_conversation() -> ConversationHandler[Ctx]:
    text = TYPED
    buttons_only = MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, use_buttons)
    contact = rf"^mk:contact:{ID}$"
    reply = rf"^mk:reply:{ID}$"
    return conversation(
        FLOW,
        entry_points=[
            CallbackQueryHandler(new_start, pattern=r"^mk:new$"),
            CallbackQueryHandler(contact_start, pattern=contact),
            CallbackQueryHandler(reply_start, pattern=reply),
        ],
        states={
            St.KIND: [CallbackQueryHandler(kind_chosen, pattern=rf"^mk:k:({'|'.join(KINDS)})$"), buttons_only],
            St.TITLE: [MessageHandler(text, title_given), wrong_type()],
            St.DESCRIPTION: [MessageHandler(text, description_given), wrong_type()],
            St.PRICE: [MessageHandler(text, price_given), wrong_type()],
            St.PHOTO: [
                MessageHandler(PRIVATE & filters.PHOTO, photo_given),
                MessageHandler(PRIVATE & filters.Document.ALL, document_given),
                CallbackQueryHandler(photo_skipped, pattern=r"^mk:skip$"),
                CallbackQueryHandler(photo_removed, pattern=r"^mk:nophoto$"),
                wrong_type("mk.photo.expected"),
            ],
            St.PREVIEW: [
                CallbackQueryHandler(publish, pattern=r"^mk:pub$"),
                CallbackQueryHandler(edit_menu, pattern=r"^mk:edit$"),
                buttons_only,
            ],
            St.EDIT: [
                CallbackQueryHandler(edit_field, pattern=r"^mk:ed:(kind|title|description|price|photo)$"),
                CallbackQueryHandler(back_to_preview, pattern=r"^mk:prev$"),
                buttons_only,
            ],
            St.WRITE: [
                MessageHandler(text, message_written),
                CallbackQueryHandler(contact_start, pattern=contact),
                CallbackQueryHandler(reply_start, pattern=reply),
                wrong_type("mk.write.expected_text"),
            ],
        },
        fallbacks=[
            CallbackQueryHandler(cancel_button, pattern=r"^mk:cancel$"),
            CallbackQueryHandler(end_button, pattern=rf"^mk:end:{ID}$"),
            CallbackQueryHandler(busy, pattern=rf"^mk:(new|contact:{ID}|reply:{ID})$"),
        ],
    )


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    return [
        market_conversation(),
        CommandHandler(["marche", "market"], market_command, filters=PRIVATE),
        CallbackQueryHandler(home_button, pattern=r"^(menu:market|mk:home)$"),
        CallbackQueryHandler(list_button, pattern=rf"^mk:ls:{KIND_RE}:{PAGE}$"),
        CallbackQueryHandler(open_button, pattern=rf"^mk:o:{ID}:{KIND_RE}:{PAGE}$"),
        CallbackQueryHandler(mine_button, pattern=rf"^mk:mine:{PAGE}$"),
        CallbackQueryHandler(manage_button, pattern=rf"^mk:m:{ID}:{PAGE}$"),
        CallbackQueryHandler(status_button, pattern=rf"^mk:st:(reserve|close|reopen):{ID}:{PAGE}$"),
        CallbackQueryHandler(delete_ask, pattern=rf"^mk:del:{ID}:{PAGE}$"),
        CallbackQueryHandler(delete_confirmed, pattern=rf"^mk:delok:{ID}:{PAGE}$"),
        CallbackQueryHandler(end_button, pattern=rf"^mk:end:{ID}$"),
    ]
