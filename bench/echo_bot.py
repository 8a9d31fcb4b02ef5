"""The yardstick of `bench.updates`: a bare python-telegram-bot echo bot, `python -m bench.echo_bot`.

Default settings throughout (no rate limiter, no persistence, one update at a time, long polling), one
MessageHandler that echoes the text and one CallbackQueryHandler that only answers the press. It reads
TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL like the real bot, and stops on SIGTERM.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query:
        await update.callback_query.answer()


def build(token: str, api_url: str) -> Application:  # type: ignore[type-arg]
    app = Application.builder().token(token).base_url(f"{api_url}/bot").base_file_url(f"{api_url}/file/bot").build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    return app


def main() -> int:
    api_url = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
    build(os.environ["TELEGRAM_BOT_TOKEN"], api_url).run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
