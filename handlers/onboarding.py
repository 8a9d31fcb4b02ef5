"""Getting in: /start (with or without an invitation), /connexion, /deconnexion."""

from __future__ import annotations

import logging
from enum import IntEnum

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler

from bot import ui
from bot.commands import refresh_commands_for
from bot.i18n import fmt_time, language_for, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, current_user, display_name, lang_of, remember_language
from handlers.flow import END, conversation, draft, wrong_type
from handlers.menu import send_dashboard
from services import auth
from services.auth import InvitationStatus, LoginStatus
from services.errors import InvalidInput
from services.people import Me

log = logging.getLogger(__name__)

FLOW = "login"


class Login(IntEnum):
    EMAIL = 1
    PASSWORD = 2


async def _signed_in(update: Update, context: Ctx, me: Me, greeting: str) -> None:
    remember_language(context, me.language)
    await update.effective_chat.send_message(greeting)
    await refresh_commands_for(context.bot, me)
    await send_dashboard(update, context, me)


# --- /start ----------------------------------------------------------------------------------------


async def start(update: Update, context: Ctx) -> None:
    lang = lang_of(update, context)
    if context.args:
        await _redeem(update, context, context.args[0], lang)
        return
    me = await current_user(update, context)
    if me is not None:
        await send_dashboard(update, context, me)
        return
    markup = ui.keyboard(
        [[ui.button(t(lang, "btn.login"), "auth", "login")], [ui.button(t(lang, "btn.language"), "lang", "menu")]]
    )
    await update.effective_chat.send_message(t(lang, "welcome", name=display_name(update)), reply_markup=markup)


async def _redeem(update: Update, context: Ctx, code: str, lang: str) -> None:
    user = update.effective_user
    if len(code) > 64:
        await update.effective_chat.send_message(t(lang, "invite.invalid"))
        return
    outcome = await context.rt.db(
        auth.redeem_invitation,
        code=code,
        telegram_id=user.id,
        first_name=user.first_name or "",
        last_name=user.last_name or "",
        language=lang,
        now=context.rt.now(),
    )
    if outcome.status != InvitationStatus.OK or outcome.me is None:
        await update.effective_chat.send_message(t(lang, f"invite.{outcome.status.value}"))
        return
    me = outcome.me
    await _signed_in(
        update, context, me, t(me.language, "invite.welcome", name=me.first_name, residence=me.residence_name or "")
    )


# --- /connexion --------------------------------------------------------------------------------


async def login_start(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    if update.callback_query:
        await update.callback_query.answer()
    me = await current_user(update, context)
    if me is not None:
        await update.effective_chat.send_message(t(me.language, "login.already_signed_in", name=me.full_name))
        return END
    until = await context.rt.db(auth.lock_status, update.effective_user.id, context.rt.now())
    if until is not None:
        await update.effective_chat.send_message(t(lang, "login.locked", until=_local_time(context, until)))
        return END
    await update.effective_chat.send_message(t(lang, "login.ask_email"))
    return Login.EMAIL


async def login_email(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    try:
        email = auth.normalize_email(update.message.text)
    except InvalidInput as error:
        key = "login.email_too_long" if error.reason == "too_long" else "login.bad_email"
        await update.message.reply_text(t(lang, key, **error.details))
        return Login.EMAIL
    draft(context, FLOW)["email"] = email
    await update.message.reply_text(t(lang, "login.ask_password"))
    return Login.PASSWORD


async def login_password(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    password = update.message.text or ""
    try:
        await update.message.delete()
    except BadRequest:
        log.warning("could not delete a password message")
    else:
        await update.effective_chat.send_message(t(lang, "login.password_deleted"))
    email = draft(context, FLOW).get("email")
    if not email:  # state lost (should not happen with persistence): start over
        await update.effective_chat.send_message(t(lang, "login.ask_email"))
        return Login.EMAIL
    # An explicit /langue choice wins; else an English Telegram gets English; else the account's own.
    explicit = context.user_data.get("lang") or (
        "en" if language_for(update.effective_user.language_code) == "en" else None
    )
    outcome = await context.rt.db(
        auth.login,
        telegram_id=update.effective_user.id,
        email=email,
        password=password,
        now=context.rt.now(),
        language=explicit or None,
    )
    del password
    if outcome.status == LoginStatus.WRONG:
        markup = ui.keyboard([[ui.button(t(lang, "btn.change_email"), "auth", "email")]])
        await update.effective_chat.send_message(
            t(lang, "login.wrong", remaining=outcome.remaining), reply_markup=markup
        )
        return Login.PASSWORD
    if outcome.status == LoginStatus.LOCKED:
        assert outcome.locked_until is not None
        await update.effective_chat.send_message(
            t(lang, "login.locked", until=_local_time(context, outcome.locked_until))
        )
    elif outcome.status == LoginStatus.ALREADY_LINKED:
        await update.effective_chat.send_message(t(lang, "login.account_linked_elsewhere"))
    elif outcome.status == LoginStatus.INACTIVE:
        await update.effective_chat.send_message(t(lang, "login.inactive"))
    elif outcome.me is not None:
        me = outcome.me
        await _signed_in(update, context, me, t(me.language, "login.success", name=me.first_name))
    return END


async def login_change_email(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    draft(context, FLOW).pop("email", None)
    await update.effective_chat.send_message(t(lang_of(update, context), "login.ask_email"))
    return Login.EMAIL


def _local_time(context: Ctx, when: object) -> str:
    from datetime import datetime

    assert isinstance(when, datetime)
    return fmt_time(when, context.rt.settings.timezone)


def login_conversation() -> ConversationHandler[Ctx]:
    text = TYPED
    return conversation(
        FLOW,
        entry_points=[
            CommandHandler(["connexion", "login"], login_start, filters=PRIVATE),
            CallbackQueryHandler(login_start, pattern=r"^auth:login$"),
        ],
        states={
            Login.EMAIL: [MessageHandler(text, login_email), wrong_type("login.need_text_email")],
            Login.PASSWORD: [
                MessageHandler(text, login_password),
                CallbackQueryHandler(login_change_email, pattern=r"^auth:email$"),
                wrong_type("login.need_text_password"),
            ],
        },
        fallbacks=[CommandHandler(["connexion", "login"], login_change_email_command, filters=PRIVATE)],
    )


async def login_change_email_command(update: Update, context: Ctx) -> int:
    """/connexion again mid-flow: start over from the e-mail."""
    draft(context, FLOW).pop("email", None)
    await update.effective_chat.send_message(t(lang_of(update, context), "login.ask_email"))
    return Login.EMAIL


# --- /deconnexion --------------------------------------------------------------------------------


async def logout_command(update: Update, context: Ctx) -> None:
    me = await current_user(update, context)
    if me is None:
        await update.effective_message.reply_text(t(lang_of(update, context), "logout.not_signed_in"))
        return
    markup = ui.keyboard(
        [[ui.button(t(me.language, "logout.yes"), "out", "yes"), ui.button(t(me.language, "logout.no"), "out", "no")]]
    )
    await update.effective_message.reply_text(t(me.language, "logout.confirm", name=me.full_name), reply_markup=markup)


async def logout_answer(update: Update, context: Ctx) -> None:
    query = update.callback_query
    await query.answer()
    lang = lang_of(update, context)
    if ui.parts(query.data)[-1] != "yes":
        await ui.show(update, t(lang, "logout.kept"))
        return
    me = await context.rt.db(auth.logout, update.effective_user.id)
    if me is None:
        await ui.show(update, t(lang, "logout.not_signed_in"))
        return
    await refresh_commands_for(context.bot, me, signed_out=True)
    await ui.show(update, t(lang, "logout.done"))


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    return [
        CommandHandler("start", start, filters=PRIVATE),
        login_conversation(),
        CommandHandler(["deconnexion", "logout"], logout_command, filters=PRIVATE),
        CallbackQueryHandler(logout_answer, pattern=ui.pattern("out")),
    ]
