"""Keyboards, callback data and sending helpers shared by every handler.

Callback data is short and structured (`menu:book`, `inc:take:42`): built by `cb`, read back by
`parts`, and never over Telegram's 64 bytes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.i18n import t

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64


def cb(*parts: str | int) -> str:
    data = ":".join(str(p) for p in parts)
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data must be 1..64 bytes: {data!r}")
    return data


def parts(data: str | None) -> list[str]:
    return (data or "").split(":")


def to_int(value: str) -> int | None:
    """A number read from callback data, or None if it is not one we could have written."""
    return int(value) if value.isdigit() and len(value) < 12 else None


def ints(data: str | None, count: int, start: int = 2) -> list[int] | None:
    """The `count` numbers from position `start` of `prefix:action:1:2`, or None for any other shape."""
    values = [to_int(v) for v in parts(data)[start:]]
    if len(values) != count or None in values:
        return None
    return values  # type: ignore[return-value]


def menu_button(lang: str) -> InlineKeyboardButton:
    """Back to the dashboard: offered wherever a flow ends or gets lost."""
    return button(t(lang, "btn.menu"), "menu", "home")


def menu_markup(lang: str) -> InlineKeyboardMarkup:
    return keyboard([[menu_button(lang)]])


def pattern(prefix: str) -> re.Pattern[str]:
    """Matches the callback data of one family (`menu`, `auth`...)."""
    return re.compile(rf"^{re.escape(prefix)}(:|$)")


def button(label: str, *data: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=cb(*data))


def keyboard(rows: Iterable[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def grid(buttons: Sequence[InlineKeyboardButton], columns: int = 2) -> InlineKeyboardMarkup:
    return keyboard(buttons[i : i + columns] for i in range(0, len(buttons), columns))


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def plain_text(html_text: str) -> str:
    """What a user sees of our HTML: Telegram's `message.text` for the same content."""
    parser = _TextOnly()
    parser.feed(html_text)
    parser.close()
    return "".join(parser.chunks)


def same_content(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    current = message.reply_markup if message.reply_markup and message.reply_markup.inline_keyboard else None
    return message.text == plain_text(text) and current == markup


def is_not_modified(error: BadRequest) -> bool:
    return "message is not modified" in error.message.lower()


async def drop_buttons(update: Update) -> None:
    """Take the keyboard off an answered step's message, so it cannot be pressed twice."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message) or not query.message.reply_markup:
        return
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as error:
        if not is_not_modified(error):
            log.warning("could not remove a keyboard: %s", error.message)


async def show(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Answer in place when a button was pressed (edit that message), else send a new message."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message) and query.message.text:
        if same_content(query.message, text, markup):
            return None  # Telegram refuses an edit into the same content
        try:
            edited = await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as error:
            if not is_not_modified(error):
                raise
            return None
        return edited if isinstance(edited, Message) else None
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, reply_markup=markup)
