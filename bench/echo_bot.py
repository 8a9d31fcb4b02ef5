"""The yardstick of `bench.updates`: a bare python-telegram-bot echo bot, `python -m bench.echo_bot`.

Default settings throughout (no rate limiter, no persistence, one update at a time, long polling), one
MessageHandler that echoes the text and one CallbackQueryHandler that only answers the press. It reads
TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL like the real bot, and stops on SIGTERM.

`python -m bench.echo_bot --same-calls`: the Telegram side of the full bot and nothing else: a text is
answered with a message of the full bot's size carrying an 8-button keyboard (a flow's step), a press
with answerCallbackQuery and an edit of the pressed message, new text and keyboard (what the flows do).
No database, no logic: the floor under any bot that answers as LBA Bot does, with python-telegram-bot.
"""

from __future__ import annotations

import os
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, Defaults, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query:
        await update.callback_query.answer()


# A step of a flow as the full bot sends it: about 300 characters of HTML and 8 buttons in 4 rows.
STEP = (
    "<b>🛠 Signaler un incident</b> — étape {n}\n\nChoisissez une option ci-dessous. Vous pourrez vérifier "
    "le résumé avant d'envoyer, et /annuler quitte à tout moment sans rien enregistrer.\n\n"
    "<i>Les Belles Années — Résidence Lyon Part-Dieu</i>"
)
LABELS = ("🚿 Plomberie", "💡 Électricité", "🔥 Chauffage", "🚪 Serrurerie", "🛗 Ascenseur", "🧹 Propreté")


def keyboard(n: int) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(label, callback_data=f"inc:cat:{i}:{n}") for i, label in enumerate(LABELS)]
    buttons += [InlineKeyboardButton("⬅️ Retour", callback_data=f"inc:back:{n}")]
    buttons += [InlineKeyboardButton("✖️ Annuler", callback_data="inc:cancel")]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, 8, 2)])


async def step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    n = update.update_id
    if update.callback_query is not None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(STEP.format(n=n), reply_markup=keyboard(n))
    elif update.effective_message is not None:
        await update.effective_message.reply_text(STEP.format(n=n), reply_markup=keyboard(n))


def build(token: str, api_url: str, *, same_calls: bool = False) -> Application:  # type: ignore[type-arg]
    builder = Application.builder().token(token).base_url(f"{api_url}/bot").base_file_url(f"{api_url}/file/bot")
    if same_calls:
        builder = builder.defaults(Defaults(parse_mode=ParseMode.HTML))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, step if same_calls else echo))
    app.add_handler(CallbackQueryHandler(step if same_calls else answer))
    return app


def main() -> int:
    api_url = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
    same_calls = "--same-calls" in sys.argv[1:]
    build(os.environ["TELEGRAM_BOT_TOKEN"], api_url, same_calls=same_calls).run_polling(
        allowed_updates=Update.ALL_TYPES
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
