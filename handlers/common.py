"""What every flow shares: the language of this user, the sign-in gate, and the error handler."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler, filters

from bot import logs
from bot.i18n import language_for, t
from bot.runtime import Ctx
from services import people
from services.people import Me

log = logging.getLogger(__name__)

# New messages in a private chat. Edits are left alone: PTB hands edited messages to message and
# command handlers by default, which would replay an old answer (or a command) as a new one.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
# A typed answer at a flow's step: text, not a command.
TYPED = PRIVATE & filters.TEXT & ~filters.COMMAND

LANG_KEY = "lang"

# What an unlinked Telegram user may use: signing in, help, language, cancelling.
PUBLIC_COMMANDS = frozenset({"start", "connexion", "login", "aide", "help", "langue", "language", "annuler", "cancel"})
PUBLIC_CALLBACKS = frozenset({"auth", "lang"})


def lang_of(update: Update, context: Ctx) -> str:
    """The chosen language if there is one (account or /langue), else Telegram's, else French."""
    data = context.user_data
    if data and data.get(LANG_KEY):
        return str(data[LANG_KEY])
    user = update.effective_user
    return language_for(user.language_code if user else None)


def remember_language(context: Ctx, lang: str) -> None:
    if context.user_data is not None:
        context.user_data[LANG_KEY] = lang


# The gate's lookup, handed to the first handler of the same update that asks (update id, user): one
# lookup per update instead of two. Taken once: a later ask in the update reads afresh, after any change.
_from_gate: ContextVar[tuple[int, Me] | None] = ContextVar("signed_in_from_gate", default=None)


async def current_user(update: Update, context: Ctx) -> Me | None:
    user = update.effective_user
    if user is None:
        return None
    handed = _from_gate.get()
    if handed is not None and handed[0] == update.update_id:
        _from_gate.set(None)
        return handed[1]
    me = await context.rt.db(people.signed_in, user.id)
    if me is not None:
        logs.bind(user_id=me.id)  # our internal id on this update's log lines; never a name
    return me


async def signed_in_user(update: Update, context: Ctx) -> Me | None:
    """The signed-in user; None only if the account was unlinked in between (the gate answers the rest),
    in which case a pressed button is answered so its spinner stops."""
    me = await current_user(update, context)
    if me is None and update.callback_query is not None:
        await update.callback_query.answer()
    return me


def command_name(text: str | None) -> str | None:
    if not text or not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else None


async def gate(update: Update, context: Ctx) -> None:
    """Lets an unlinked user reach only the public commands; tells them how to sign in otherwise."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or update.effective_user is None:
        return
    query = update.callback_query
    if query is not None:
        if (query.data or "").split(":", 1)[0] in PUBLIC_CALLBACKS:
            return
    else:
        message = update.message
        name = command_name(message.text) if message else None
        # Mid sign-in, the sign-in flow answers stray commands itself.
        if name is None or name in PUBLIC_COMMANDS or (context.user_data or {}).get("flow") == "login":
            return
    me = await current_user(update, context)
    if me is not None:
        _from_gate.set((update.update_id, me))
        return
    lang = lang_of(update, context)
    if query is not None:
        await query.answer(t(lang, "need_login.short"), show_alert=True)
    await chat.send_message(t(lang, "need_login"))
    raise ApplicationHandlerStop


def gate_handler() -> TypeHandler[Update, Ctx]:
    return TypeHandler(Update, gate)


async def on_error(update: object, context: Ctx) -> None:
    """Log the failure, and tell the user instead of going silent."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    lang = lang_of(update, context)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            await chat.send_message(t(lang, "error.generic"))
    except Exception:  # the error handler must never raise in turn
        log.warning("could not tell the user about an error", exc_info=True)


def display_name(update: Update) -> str:
    user = update.effective_user
    return user.first_name if user and user.first_name else ""
