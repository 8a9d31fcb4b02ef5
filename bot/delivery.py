"""The outbox sender: renders each queued notification for its recipient and sends it.

It runs as its own task (`Sender`): every few seconds, and right away when a handler has just
queued something (`deliver_soon`); at stop it finishes the message in hand and gives the rest
back. Each message waits its turn at the outbox's pace (OUTBOX_PER_SECOND, 30 by default: Telegram's
limit for bulk sends), then goes through the Application's rate limiter (20 a minute per group, retries);
a 429 waits Telegram's retry_after, a network error backs off, a blocked recipient is marked unreachable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot import coordination, ui
from bot.i18n import Raw, fmt_datetime, t
from bot.ratelimit import BULK, retry_seconds
from bot.runtime import RUNTIME_KEY, Runtime
from services import files, outbox
from services.outbox import Outgoing

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 2.0


def render_value(value: Any, lang: str, tz: str) -> Any:
    if isinstance(value, dict) and "$dt" in value:
        return fmt_datetime(datetime.fromisoformat(value["$dt"]), lang, tz)
    if isinstance(value, dict) and "$t" in value:
        return Raw(t(lang, value["$t"]))
    return value


def render(item: Outgoing, default_tz: str) -> tuple[str, InlineKeyboardMarkup | None]:
    payload, lang, tz = item.payload, item.lang, item.timezone or default_tz
    params = {name: render_value(value, lang, tz) for name, value in payload.get("params", {}).items()}
    text = t(lang, payload["key"], **params)
    rows = [
        [ui.button(t(lang, b["key"]) if "key" in b else b["text"], b["data"]) for b in row]
        for row in payload.get("buttons", [])
    ]
    return text, ui.keyboard(rows) if rows else None


def _paced(runtime: Runtime) -> contextlib.AbstractAsyncContextManager[Any]:
    return runtime.outbox_pace if runtime.outbox_pace is not None else contextlib.nullcontext()


async def _send(app: Application, runtime: Runtime, item: Outgoing) -> Message:  # type: ignore[type-arg]
    text, markup = render(item, runtime.settings.timezone)
    bot = app.bot
    # A 429 in a recipient's chat comes back at once (not waited out): the row is rescheduled, the next goes.
    extra: dict[str, Any] = {"rate_limit_args": BULK} if bot.rate_limiter is not None else {}
    for kind in ("photo", "document"):
        file_id = item.payload.get(kind)
        if file_id:
            ref, content = await runtime.db(files.load, int(file_id))
            media: Any = ref.telegram_file_id or content
            if kind == "photo":
                return await bot.send_photo(item.chat_id, media, caption=text, reply_markup=markup, **extra)
            return await bot.send_document(
                item.chat_id, media, caption=text, reply_markup=markup, filename=ref.filename or None, **extra
            )
    return await bot.send_message(item.chat_id, text, reply_markup=markup, **extra)


async def send_due(app: Application, limit: int = 50, stopping: asyncio.Event | None = None) -> int:  # type: ignore[type-arg]
    """Send what is due now; returns how many were sent.

    With `stopping` set, it finishes the message in hand, gives the rest of its claim back, and returns:
    a graceful stop neither loses a notification nor sends one twice.
    """
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    sent = 0
    while stopping is None or not stopping.is_set():
        batch = await runtime.db(outbox.claim_due, runtime.now(), limit)
        if not batch:
            return sent
        try:
            for index, item in enumerate(batch):
                if stopping is not None and stopping.is_set():
                    await runtime.db(outbox.release, [rest.id for rest in batch[index:]], runtime.now())
                    return sent
                # Shielded: once sent, the row is marked, even if the task is being cancelled meanwhile.
                sent += await asyncio.shield(_deliver_one(app, runtime, item))
        finally:
            # Once per round, not per message: a batch that has nothing left runs its hook (the report).
            for key in sorted({item.batch for item in batch if item.batch is not None}):
                await runtime.db(outbox.finish_batch_if_done, key, runtime.now())
        # Loop until nothing is due: what this pass queued (a batch's delivery report) leaves now too.
    return sent


async def _deliver_one(app: Application, runtime: Runtime, item: Outgoing) -> int:  # type: ignore[type-arg]
    try:
        async with _paced(runtime):
            message = await _send(app, runtime, item)
    except Forbidden as error:
        await runtime.db(outbox.mark_unreachable, item.id, item.user_id, runtime.now(), str(error))
        runtime.metrics.failed("unreachable")
    except RetryAfter as error:
        await runtime.db(outbox.retry_later, item.id, item.attempts, runtime.now(), str(error), retry_seconds(error))
        runtime.metrics.retried("rate_limited")
    except BadRequest as error:  # before NetworkError, its base class: a refusal is final, not retried
        log.error("outbox message %s (%s) refused by Telegram: %s", item.id, item.kind, error)
        await runtime.db(outbox.mark_failed, item.id, str(error))
        runtime.metrics.failed("refused")
    except (TimedOut, NetworkError) as error:
        await runtime.db(outbox.retry_later, item.id, item.attempts, runtime.now(), str(error), None)
        runtime.metrics.retried("network")
    else:
        await runtime.db(outbox.mark_sent, item.id, message.message_id, runtime.now())
        runtime.metrics.sent(item.kind)
        if item.payload.get("pin"):
            async with _paced(runtime):
                await _pin(app, item.chat_id, message.message_id)
        return 1
    return 0


async def _pin(app: Application, chat_id: int, message_id: int) -> None:  # type: ignore[type-arg]
    try:
        await app.bot.pin_chat_message(chat_id, message_id, disable_notification=True)
    except TelegramError as error:  # the bot may lack the right to pin: the message itself went out
        log.warning("could not pin message in a group: %s", error)


class Sender:
    """The outbox's own task: runs every few seconds or when nudged, and drains cleanly at stop."""

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self.app = app
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        runtime: Runtime = self.app.bot_data[RUNTIME_KEY]
        alone = await coordination.join_senders(self.app)
        resumed = await runtime.db(outbox.resume_interrupted, runtime.now(), alone=alone)
        if resumed:
            log.warning("%d notification(s) interrupted by the last stop will be sent again", resumed)
        self.task = asyncio.create_task(self._run(), name="outbox-sender")

    async def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                await send_due(self.app, stopping=self.stopping)
            except Exception:  # a failing round must not end delivery for good
                log.exception("outbox round failed")
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=INTERVAL_SECONDS)

    def nudge(self) -> None:
        self.wake.set()

    async def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        if self.task is not None:
            await self.task


SENDER_KEY = "lba.sender"


async def start(app: Application) -> None:  # type: ignore[type-arg]
    sender = Sender(app)
    app.bot_data[SENDER_KEY] = sender
    await sender.start()


async def stop(app: Application) -> None:  # type: ignore[type-arg]
    sender: Sender | None = app.bot_data.pop(SENDER_KEY, None)
    if sender is not None:
        await sender.stop()


def deliver_soon(app: Application) -> None:  # type: ignore[type-arg]
    """Called by handlers after queueing notifications, so they leave now rather than at the next tick."""
    sender: Sender | None = app.bot_data.get(SENDER_KEY)
    if sender is not None:
        sender.nudge()
