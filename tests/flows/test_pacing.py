"""Bulk sends leave at Telegram's pace; a user's own answers do not queue behind them.

Telegram allows about 30 messages a second for bulk notifications: the outbox drips at OUTBOX_PER_SECOND
(30 by default). The answers to a user's own update are not bulk: they leave at once, even while an
announcement is going out. Real time here (the pace is the wall clock's, as Telegram's is); the assertions
are lower bounds the pace guarantees, and an order of events, not durations a slow machine could miss.
"""

from __future__ import annotations

import asyncio
import dataclasses
from asyncio import Task
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import Engine
from telegram import Update

from bot.delivery import send_due
from bot.emulator import BotApiEmulator
from tests.conftest import TEST_TOKEN, Clock, make_settings
from tests.e2e.test_broadcast import (
    FIRST_ID,
    MANAGER_TELEGRAM_ID,
    TEXT,
    link_residents,
    queue_broadcast,
    received,
)
from tests.harness import BotHarness


async def paced_bot(engine: Engine, per_second: float, *, flood_limits: bool = False) -> BotHarness:
    harness = BotHarness(dataclasses.replace(make_settings(), outbox_per_second=per_second), engine, Clock())
    # Real time: the pace is measured on the emulator's clock; with flood_limits, Telegram's limits.
    harness.emu = BotApiEmulator(TEST_TOKEN, flood_limits=flood_limits)
    harness.rate_limiter = True  # the production limits
    await harness.start()
    return harness


@pytest.fixture
async def harness(engine: Engine, demo: dict[str, int]) -> AsyncIterator[BotHarness]:
    harness = await paced_bot(engine, 10)
    yield harness
    await harness.stop()


async def broadcast_under_way(harness: BotHarness, residents: int, stopping: asyncio.Event | None = None) -> Task[int]:
    """`residents` linked Lyon residents, the manager's announcement to them, and the outbox sending it:
    returned once the first copy has left."""
    assert harness.app is not None
    sessions = harness.app.bot_data["lba.runtime"].sessions
    for tid in link_residents(sessions, residents, harness.clock()):
        harness.emu.user(tid, f"R{tid}").started = True
    harness.emu.user(MANAGER_TELEGRAM_ID, "Sophie").started = True
    queue_broadcast(sessions, harness.clock())
    sending = asyncio.create_task(send_due(harness.app, stopping=stopping))
    while not copies(harness.emu, 1):  # a wait for an event (the first copy), not for a duration
        await asyncio.sleep(0.01)
    return sending


def copies(emu: BotApiEmulator, count: int) -> list[float]:
    """When each resident's copy of the announcement was sent, in order."""
    return sorted(
        c.at for c in emu.calls if c.ok and c.method == "sendMessage" and TEXT in str(c.params.get("text", ""))
    )[:count]


async def test_the_outbox_drips_at_its_pace(harness: BotHarness) -> None:
    sessions = harness.app.bot_data["lba.runtime"].sessions  # type: ignore[union-attr]
    for tid in link_residents(sessions, 12, harness.clock()):
        harness.emu.user(tid, f"R{tid}").started = True
    queue_broadcast(sessions, harness.clock())
    assert await send_due(harness.app) >= 12  # type: ignore[arg-type]
    times = copies(harness.emu, 12)
    assert len(times) == 12
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # 10 a second: a drip, never a burst (aiolimiter's leaky bucket lets one through every 0.1 s)
    assert min(gaps) >= 0.09, gaps
    assert times[-1] - times[0] >= 1.0


async def test_a_residents_answers_do_not_wait_behind_an_announcement_going_out(
    engine: Engine, demo: dict[str, int]
) -> None:
    harness = await paced_bot(engine, 0.5)  # one copy every 2 s: a broadcast that takes a while
    try:
        app = harness.app
        assert app is not None
        stopping = asyncio.Event()
        sending = await broadcast_under_way(harness, 4, stopping)  # the next copy waits for the pace
        resident = harness.emu.user(FIRST_ID + 3, "R")
        for _ in range(5):  # the resident opens the menu five times, each answered before the next
            resident.send_text("/menu")
            for raw in harness.emu.take_updates():
                await app.process_update(Update.de_json(raw, app.bot))
        answered = [m for m in resident.bot_messages if "/menu" not in (m.text or "") and TEXT not in (m.text or "")]
        assert len(answered) >= 5
        assert len(copies(harness.emu, 4)) == 1, "five answers went out while the outbox waited for its next turn"
        stopping.set()  # the copy in hand finishes, the rest goes back to the outbox
        await sending
    finally:
        await harness.stop()


async def test_a_429_in_one_private_chat_holds_that_chat_only(engine: Engine, demo: dict[str, int]) -> None:
    """A burst in the manager's chat draws Telegram's 429 there; the broadcast to everyone else goes on."""
    harness = await paced_bot(engine, 30, flood_limits=True)
    try:
        app = harness.app
        assert app is not None
        sending = await broadcast_under_way(harness, 45)
        busy = harness.emu.user(MANAGER_TELEGRAM_ID, "Sophie")
        # Six messages at once in one chat: beyond Telegram's burst of 3, so 429s, each waited out.
        burst = [app.bot.send_message(MANAGER_TELEGRAM_ID, f"Aperçu {n}") for n in range(6)]
        await asyncio.gather(*burst)
        await sending
        assert harness.emu.flood_refusals > 0, "the burst drew Telegram's 429"
        assert sum(1 for m in busy.bot_messages if (m.text or "").startswith("Aperçu")) == 6  # none lost
        first_pass = copies(harness.emu, 45)
        longest = max(b - a for a, b in zip(first_pass, first_pass[1:], strict=False))
        # PTB's own limiter would have paused every chat for the retry_after (at least 1 s).
        assert longest < 0.9, f"the broadcast stalled {longest:.2f} s"
        # A copy that drew a 429 itself (the burst counts in Telegram's 30 a second too) was put back
        # for after its retry_after, and leaves then: everyone gets it, once.
        harness.clock.advance(seconds=5)
        await send_due(app)
        assert len(copies(harness.emu, 100)) == 45
        assert received(harness.emu, [FIRST_ID + n for n in range(45)]) == Counter({FIRST_ID + n: 1 for n in range(45)})
    finally:
        await harness.stop()
