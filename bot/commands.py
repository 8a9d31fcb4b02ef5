"""The command lists Telegram shows, per audience and language (set with `set_my_commands`).

Everyone gets the residents' list (French by default, English for English-speaking clients);
each signed-in manager or admin gets, in their private chat, the list with the managers' commands.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import t
from services.people import Me

log = logging.getLogger(__name__)

# (catalog key, French command, English command)
RESIDENT_COMMANDS = (
    ("cmd.menu", "menu", "menu"),
    ("cmd.report", "signaler", "report"),
    ("cmd.incidents", "incidents", "incidents"),
    ("cmd.book", "reserver", "book"),
    ("cmd.bookings", "reservations", "bookings"),
    ("cmd.events", "evenements", "events"),
    ("cmd.market", "marche", "market"),
    ("cmd.account", "compte", "account"),
    ("cmd.assistant", "assistant", "assistant"),
    ("cmd.faq", "faq", "faq"),
    ("cmd.help", "aide", "help"),
    ("cmd.language", "langue", "language"),
    ("cmd.cancel", "annuler", "cancel"),
    ("cmd.login", "connexion", "login"),
    ("cmd.logout", "deconnexion", "logout"),
    ("cmd.start", "start", "start"),
)
STAFF_COMMANDS = (
    ("cmd.announce", "annonce", "announce"),
    ("cmd.stats", "stats", "stats"),
    ("cmd.invite", "inviter", "invite"),
    ("cmd.residents", "residents", "residents"),
    ("cmd.link_group", "lier_groupe", "link_group"),
)


def command_list(lang: str, *, staff: bool) -> list[BotCommand]:
    rows = RESIDENT_COMMANDS + (STAFF_COMMANDS if staff else ())
    return [BotCommand(fr if lang == "fr" else en, t(lang, key)) for key, fr, en in rows]


async def set_default_commands(bot: Bot) -> None:
    await bot.set_my_commands(command_list("fr", staff=False), scope=BotCommandScopeDefault())
    await bot.set_my_commands(command_list("en", staff=False), scope=BotCommandScopeDefault(), language_code="en")


async def refresh_commands_for(bot: Bot, me: Me, *, signed_out: bool = False) -> None:
    """Give a manager their own list in their chat; take it away when they sign out."""
    if not me.is_staff or me.telegram_id is None:
        return
    scope = BotCommandScopeChat(me.telegram_id)
    try:
        if signed_out:
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands(command_list(me.language, staff=True), scope=scope)
    except TelegramError:  # a command list is a convenience: never fail a sign-in over it
        log.warning("could not update a manager's command list", exc_info=True)
