"""The dashboard (/menu), help, language, and the answers of last resort (stale buttons, stray text)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import ui
from bot.i18n import LANGUAGES, fmt_datetime, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, current_user, lang_of, remember_language
from handlers.flow import end_flow
from models import Role
from services import people
from services.dashboard import Dashboard, dashboard
from services.people import Me

# Flows that arrive in later releases: their buttons and commands say so instead of failing.
SOON_COMMANDS: tuple[tuple[str, ...], ...] = ()
RESIDENT_BUTTONS = ("report", "incidents", "book", "bookings", "events", "market", "account", "assistant")
STAFF_BUTTONS = ("desk", "announce", "stats", "invite")


def render_dashboard(board: Dashboard, lang: str, default_tz: str) -> tuple[str, InlineKeyboardMarkup]:
    me = board.me
    tz = me.timezone or default_tz
    lines = [t(lang, "menu.hello", name=me.first_name)]
    place = t(lang, "menu.residence", residence=me.residence_name) if me.residence_name else t(lang, "menu.network")
    if me.apartment:
        place += t(lang, "menu.apartment", apartment=me.apartment)
    lines += [
        place,
        t(lang, "menu.points", points=me.points),
        t(lang, "menu.open_incidents", count=board.open_incidents),
    ]
    if board.next_booking:
        when = fmt_datetime(board.next_booking.starts_at, lang, tz)
        lines.append(t(lang, "menu.next_booking", space=board.next_booking.title, when=when))
    else:
        lines.append(t(lang, "menu.no_booking"))
    if board.next_event:
        key = "menu.next_event" if board.next_event.mine else "menu.residence_event"
        lines.append(
            t(lang, key, title=board.next_event.title, when=fmt_datetime(board.next_event.starts_at, lang, tz))
        )
    else:
        lines.append(t(lang, "menu.no_event"))
    if board.staff is not None:
        network = me.role == Role.ADMIN and me.residence_id is None
        lines.append(t(lang, "menu.staff_network_title" if network else "menu.staff_title"))
        lines.append(t(lang, "menu.staff_open", count=board.staff.open_incidents))
        lines.append(t(lang, "menu.staff_urgent", count=board.staff.urgent_incidents))
        lines.append(t(lang, "menu.staff_bookings", count=board.staff.bookings_today))
    lines.append(t(lang, "menu.prompt"))

    buttons = [ui.button(t(lang, f"menu.btn.{name}"), "menu", name) for name in RESIDENT_BUTTONS]
    if me.is_staff:
        buttons += [ui.button(t(lang, f"menu.btn.{name}"), "menu", name) for name in STAFF_BUTTONS]
    buttons += [
        ui.button(t(lang, "menu.btn.help"), "menu", "help"),
        ui.button(t(lang, "menu.btn.refresh"), "menu", "home"),
    ]
    return "\n".join(lines), ui.grid(buttons)


async def send_dashboard(update: Update, context: Ctx, me: Me, *, edit: bool = False) -> None:
    board = await context.rt.db(dashboard, me, context.rt.now(), context.rt.settings.timezone)
    text, markup = render_dashboard(board, me.language, context.rt.settings.timezone)
    if edit:
        await ui.show(update, text, markup)
    elif update.effective_chat is not None:
        await update.effective_chat.send_message(text, reply_markup=markup)


async def menu_command(update: Update, context: Ctx) -> None:
    me = await current_user(update, context)
    if me is not None:  # the gate already answered unlinked users
        await send_dashboard(update, context, me)


def help_text(lang: str, me: Me | None) -> str:
    if me is None:
        return t(lang, "help.unlinked")
    return t(lang, "help.resident") + (t(lang, "help.staff") if me.is_staff else "")


async def help_command(update: Update, context: Ctx) -> None:
    me = await current_user(update, context)
    lang = me.language if me else lang_of(update, context)
    markup = ui.menu_markup(lang) if me else None
    await update.effective_message.reply_text(help_text(lang, me), reply_markup=markup)


def _in_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def menu_button(update: Update, context: Ctx) -> None:
    query = update.callback_query
    if not _in_private(update):  # a crafted press in a group: never show a dashboard there
        await query.answer()
        return
    me = await current_user(update, context)
    if me is None:  # unreachable through the gate; kept so the handler stands on its own
        return
    action = ui.parts(query.data)[1] if len(ui.parts(query.data)) > 1 else "home"
    if action == "home":
        await query.answer()
        await send_dashboard(update, context, me, edit=True)
    elif action == "help":
        await query.answer()
        await update.effective_chat.send_message(
            help_text(me.language, me),
            reply_markup=ui.menu_markup(me.language),
        )
    else:
        await query.answer(t(me.language, "soon.alert"), show_alert=True)


async def soon_command(update: Update, context: Ctx) -> None:
    me = await current_user(update, context)
    lang = me.language if me else lang_of(update, context)
    await update.effective_message.reply_text(t(lang, "soon"), reply_markup=ui.menu_markup(lang))


def language_keyboard() -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button("🇫🇷 Français", "lang", "fr"), ui.button("🇬🇧 English", "lang", "en")]])


async def language_command(update: Update, context: Ctx) -> None:
    await update.effective_message.reply_text(
        t(lang_of(update, context), "lang.choose"), reply_markup=language_keyboard()
    )


async def language_chosen(update: Update, context: Ctx) -> None:
    query = update.callback_query
    choice = ui.parts(query.data)[-1]
    if choice not in LANGUAGES:  # "lang:menu": the welcome's button opens the chooser
        await query.answer()
        await update.effective_chat.send_message(
            t(lang_of(update, context), "lang.choose"), reply_markup=language_keyboard()
        )
        return
    remember_language(context, choice)
    await context.rt.db(people.set_language, update.effective_user.id, choice)
    await query.answer()
    await ui.show(update, t(choice, "lang.set"))
    me = await current_user(update, context)
    if me is not None:
        await send_dashboard(update, context, me)


async def cancel_outside_flow(update: Update, context: Ctx) -> None:
    end_flow(context)  # a flow marker left behind (its state lost) must not block the next flow
    await update.effective_message.reply_text(t(lang_of(update, context), "cancel.nothing"))


async def stale_button(update: Update, context: Ctx) -> None:
    """A button from an old message (or a finished flow): say so and offer a fresh menu."""
    query = update.callback_query
    if not _in_private(update):  # in a group: no "expired" notice, no dashboard for all to see
        await query.answer()
        return
    lang = lang_of(update, context)
    await query.answer(t(lang, "expired.alert"))
    me = await current_user(update, context)
    if me is None:
        await update.effective_chat.send_message(t(lang, "need_login"))
        return
    await update.effective_chat.send_message(t(me.language, "expired"))
    await send_dashboard(update, context, me)


async def stray_message(update: Update, context: Ctx) -> None:
    """Media (or an unknown command) outside any flow: plain text goes to the assistant."""
    me = await current_user(update, context)
    lang = me.language if me else lang_of(update, context)
    if me is None:
        await update.effective_message.reply_text(t(lang, "need_login"))
        return
    key = "free_text" if update.effective_message.text else "unsupported_message"
    await update.effective_message.reply_text(t(lang, key))
    await send_dashboard(update, context, me)


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    soon = [CommandHandler(list(names), soon_command, filters=PRIVATE) for names in SOON_COMMANDS]
    return [
        CommandHandler("menu", menu_command, filters=PRIVATE),
        CommandHandler(["aide", "help"], help_command, filters=PRIVATE),
        CommandHandler(["langue", "language"], language_command, filters=PRIVATE),
        CallbackQueryHandler(language_chosen, pattern=ui.pattern("lang")),
        CallbackQueryHandler(menu_button, pattern=ui.pattern("menu")),
        *soon,
    ]


def last_resort_handlers() -> list[BaseHandler[Update, Ctx, object]]:
    """Registered after every flow, so they only see what no flow claimed."""
    return [
        CommandHandler(["annuler", "cancel"], cancel_outside_flow, filters=PRIVATE),
        CallbackQueryHandler(stale_button),
        MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, stray_message),
    ]


__all__ = ["handlers", "last_resort_handlers", "render_dashboard", "send_dashboard"]
