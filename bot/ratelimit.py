"""python-telegram-bot's AIORateLimiter, except that a 429 in one private chat holds back that chat only.

AIORateLimiter answers any `RetryAfter` by pausing every request of the bot for the `retry_after`. A
private chat's 429 is Telegram's limit on that chat (about one message a second, with a short burst):
the announcement preview's three messages can draw one in the manager's own chat, and during a
ten-minute broadcast any resident's burst would then stall every copy. Here a private chat's 429 holds
that chat's next requests until its `retry_after` has passed, and is retried as PTB does (`max_retries`);
groups, channels and calls without a chat keep PTB's behaviour (20 a minute per group, the pause on 429).
The overall pace of bulk sends is the outbox's (`Runtime.outbox_pace`), not this limiter's.

The outbox passes `rate_limit_args=BULK`: a 429 in a private chat is then raised at once rather than
waited out, so the one sender moves on to the next recipient and reschedules that row for when the chat
is free (bot/delivery.py); the chat stays held here meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]
BULK = "bulk"  # rate_limit_args of the outbox's sends


def retry_seconds(error: RetryAfter) -> float:
    """The seconds Telegram asked to wait (a timedelta: bot/__init__.py opts in to PTB_TIMEDELTA)."""
    return error.retry_after.total_seconds()  # type: ignore[union-attr]


def private_chat(data: dict[str, Any]) -> int | None:
    """The private chat a request is for (a user's id: positive), if it is for one."""
    chat_id = data.get("chat_id")
    try:
        value = int(chat_id) if chat_id is not None else None
    except (TypeError, ValueError):
        return None  # "@channelname"
    return value if value is not None and value > 0 else None


class ChatRateLimiter(AIORateLimiter):
    def __init__(self, *, group_max_rate: int = 20, group_time_period: float = 60, max_retries: int = 3) -> None:
        super().__init__(
            overall_max_rate=0,  # no overall limit: the outbox paces bulk sends itself
            group_max_rate=group_max_rate,
            group_time_period=group_time_period,
            max_retries=max_retries,
        )
        self.retries = max_retries
        self._held: dict[int, float] = {}  # private chat -> loop time until which Telegram asked us to wait

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | str | None,
    ) -> JSON:
        bulk = rate_limit_args == BULK
        limit_args = None if bulk else rate_limit_args
        chat_id = private_chat(data)
        if chat_id is None or data.get("allow_paid_broadcast"):
            return await super().process_request(callback, args, kwargs, endpoint, data, limit_args)
        loop = asyncio.get_running_loop()
        retries = 0 if bulk else (limit_args or self.retries)
        for attempt in range(retries + 1):
            wait = self._held.get(chat_id, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_seconds(error)
                self._hold(chat_id, loop.time() + seconds + 0.1)
                if attempt == retries:
                    if not bulk:
                        log.warning("429 in a private chat after %d retries: giving up this request", retries)
                    raise
                log.info("429 in a private chat: that chat waits %.1f s, the others go on", seconds + 0.1)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _hold(self, chat_id: int, until: float) -> None:
        if len(self._held) > 1000:  # forget the chats whose wait is over
            now = asyncio.get_running_loop().time()
            self._held = {chat: end for chat, end in self._held.items() if end > now}
        self._held[chat_id] = max(until, self._held.get(chat_id, 0.0))
