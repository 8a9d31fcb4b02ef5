"""What every conversation flow shares, so that each one behaves the same at its edges.

`conversation()` builds a persistent ConversationHandler that:
- lets the user out at any step with /annuler (/cancel), clearing the flow's draft;
- answers any other command mid-flow with "you are in the middle of ..., or /annuler";
- refuses to start while another flow is in progress (one flow at a time per user);
- records which flow is active in `user_data["flow"]` and clears it when the flow ends.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot import ui
from bot.i18n import t
from bot.runtime import Ctx
from handlers.common import PRIVATE, lang_of
from services.errors import InvalidInput

END = ConversationHandler.END
FLOW_KEY = "flow"
Callback = Callable[[Update, Ctx], Awaitable[Any]]


def draft(context: Ctx, name: str) -> dict[str, Any]:
    """The flow's answers so far (persisted with user_data, so a restart keeps them)."""
    data = context.user_data
    assert data is not None
    return data.setdefault(f"draft:{name}", {})  # type: ignore[no-any-return]


def end_flow(context: Ctx, name: str | None = None) -> int:
    data = context.user_data
    if data is not None:
        active = data.pop(FLOW_KEY, None)
        for key in {name, active} - {None}:
            data.pop(f"draft:{key}", None)
    return END


def active_flow(context: Ctx) -> str | None:
    return (context.user_data or {}).get(FLOW_KEY)


async def reply(update: Update, text: str, markup: Any = None) -> None:
    """Answer a button press or a message with a new message in the same chat."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await update.effective_chat.send_message(text, reply_markup=markup)


def _entry(name: str, callback: Callback) -> Callback:
    @functools.wraps(callback)
    async def start(update: Update, context: Ctx) -> Any:
        current = active_flow(context)
        if current is not None and current != name:
            await reply(update, t(lang_of(update, context), "flow.busy"))
            return None
        context.user_data[FLOW_KEY] = name
        result = await callback(update, context)
        if result == END or result is None:
            end_flow(context, name)
        return result

    return start


def _step(name: str, callback: Callback) -> Callback:
    @functools.wraps(callback)
    async def step(update: Update, context: Ctx) -> Any:
        result = await callback(update, context)
        if result == END:
            end_flow(context, name)
        return result

    return step


async def _cancel(update: Update, context: Ctx) -> int:
    end_flow(context)
    lang = lang_of(update, context)
    await reply(update, t(lang, "cancel.done"), ui.menu_markup(lang))
    return END


async def _other_command(update: Update, context: Ctx) -> None:
    await update.effective_message.reply_text(t(lang_of(update, context), "flow.in_progress"))


def length_error(lang: str, error: InvalidInput) -> str:
    """The shared re-ask for a typed answer too short or too long (services.validation.text_length)."""
    key = "flow.too_short" if error.reason == "too_short" else "flow.too_long"
    return t(lang, key, **error.details)


def wrong_type(key: str = "flow.expected_text") -> MessageHandler[Ctx, Any]:
    """A message of the wrong kind (a sticker where text is asked...): say what is expected, stay."""

    async def answer(update: Update, context: Ctx) -> None:
        await update.effective_message.reply_text(t(lang_of(update, context), key))

    return MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, answer)


def conversation(
    name: str,
    entry_points: Sequence[BaseHandler[Update, Ctx, Any]],
    states: dict[object, Sequence[BaseHandler[Update, Ctx, Any]]],
    fallbacks: Sequence[BaseHandler[Update, Ctx, Any]] = (),
    *,
    per_chat: bool = True,
) -> ConversationHandler[Ctx]:
    """`per_chat=False` keys the flow by user only: a button pressed in a group is followed up in private."""
    for handler in entry_points:
        handler.callback = _entry(name, handler.callback)  # type: ignore[attr-defined]
    for handlers in states.values():
        for handler in handlers:
            handler.callback = _step(name, handler.callback)  # type: ignore[attr-defined]
    for handler in fallbacks:
        handler.callback = _step(name, handler.callback)  # type: ignore[attr-defined]
    # per_message=False on purpose: a flow is keyed by chat and user, and its buttons may sit on any
    # of its messages; PTB's hint about tracking callbacks per message does not apply.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message=False.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=list(entry_points),
            states={state: list(handlers) for state, handlers in states.items()},
            fallbacks=[
                CommandHandler(["annuler", "cancel"], _cancel, filters=PRIVATE),
                *fallbacks,
                MessageHandler(PRIVATE & filters.COMMAND, _other_command),
            ],
            name=name,
            per_chat=per_chat,
            persistent=True,
            allow_reentry=False,
        )


def page_buttons(lang: str, prefix: Sequence[str | int], page: int, has_next: bool) -> list[InlineKeyboardButton]:
    """« Précédent / Suivant » for a paginated list; the page number goes last in the callback data."""
    row = []
    if page > 0:
        row.append(ui.button(t(lang, "btn.prev"), *prefix, page - 1))
    if has_next:
        row.append(ui.button(t(lang, "btn.next"), *prefix, page + 1))
    return row
