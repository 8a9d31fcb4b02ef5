"""The outbox sender: what services queue reaches people, in their language, once; failures are handled."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.delivery import send_due
from bot.emulator import BotApiEmulator
from bot.emulator.core import FloodLimits
from models import OutboxMessage, OutboxStatus, User
from models.db import unit_of_work
from services import outbox
from tests.conftest import Clock, make_settings
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness


def queue(bot: BotHarness, email: str, key: str = "menu.hello", **params: object) -> int | None:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        user_id = session.scalar(sa.select(User.id).where(User.email == email))
        assert user_id is not None
        return outbox.notify(
            session,
            user_id=user_id,
            kind="test",
            key=key,
            now=bot.clock(),
            params=params or {"name": "<Jeanne>"},
            dedup_key=f"test:{email}:{key}",
        )


def rows(bot: BotHarness) -> list[tuple[OutboxStatus, int]]:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        return [(r.status, r.attempts) for r in session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


async def test_a_queued_notification_is_sent_once_in_the_recipients_language(bot: BotHarness) -> None:
    jeanne = bot.user(701, "Jeanne", language_code="en")
    await sign_in(jeanne)
    assert queue(bot, "resident1@lba.demo") is not None
    assert queue(bot, "resident1@lba.demo") is None  # same dedup key: not queued twice
    assert await send_due(bot.app) == 1  # type: ignore[arg-type]
    assert jeanne.last.text == "🏠 Hello <Jeanne>!"  # English, and the value escaped then shown as typed
    assert await send_due(bot.app) == 0  # type: ignore[arg-type]
    assert rows(bot) == [(OutboxStatus.SENT, 1)]


async def test_nothing_is_queued_for_someone_not_linked(bot: BotHarness) -> None:
    assert queue(bot, "resident2@lba.demo") is None


async def test_a_recipient_who_blocked_the_bot_is_marked_unreachable(bot: BotHarness) -> None:
    jeanne = bot.user(702, "Jeanne")
    await sign_in(jeanne)
    queue(bot, "resident1@lba.demo")
    queue(bot, "resident1@lba.demo", key="soon")
    jeanne.emu.block_bot()
    assert await send_due(bot.app) == 0  # type: ignore[arg-type]
    assert [status for status, _ in rows(bot)] == [OutboxStatus.UNREACHABLE, OutboxStatus.UNREACHABLE]
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        user = session.scalar(sa.select(User).where(User.email == "resident1@lba.demo"))
        assert user is not None and user.unreachable_since == bot.clock()
    assert queue(bot, "resident1@lba.demo", key="cancel.done") is None  # skipped from then on


@pytest.fixture
async def flooded(engine: Engine, clock: Clock, demo: dict[str, int]) -> AsyncIterator[BotHarness]:
    """A bot without PTB's rate limiter, against a Telegram that allows 1 message per chat per second."""
    harness = BotHarness(make_settings(), engine, clock)
    harness.emu = BotApiEmulator(
        harness.settings.token or "",
        clock=lambda: clock().timestamp(),
        flood_limits=FloodLimits(private_per_second=1.0, private_burst=1),
    )
    # No PTB limiter (the harness default): it would sleep through the 429 itself; here the outbox handles it.
    await harness.start()
    yield harness
    await harness.stop()


async def test_a_429_waits_telegrams_retry_after_then_sends(flooded: BotHarness) -> None:
    bot = flooded
    jeanne = bot.user(703, "Jeanne")
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        session.execute(sa.update(User).where(User.email == "resident1@lba.demo").values(telegram_id=703))
    await jeanne.send("/start")  # the dashboard uses up this second's allowance for this chat
    queue(bot, "resident1@lba.demo", key="soon")
    assert await send_due(bot.app) == 0  # type: ignore[arg-type]
    assert rows(bot) == [(OutboxStatus.PENDING, 1)]
    assert bot.emu.flood_refusals > 0
    assert await send_due(bot.app) == 0  # not due yet: retry_after has not elapsed  # type: ignore[arg-type]
    bot.clock.advance(seconds=60)
    assert await send_due(bot.app) == 1  # type: ignore[arg-type]
    assert rows(bot) == [(OutboxStatus.SENT, 2)]
    assert "arrive bientôt" in jeanne.last.text


async def test_a_batch_runs_its_hook_once_when_nothing_is_left_to_send(bot: BotHarness) -> None:
    jeanne, marcel = bot.user(704, "Jeanne"), bot.user(705, "Marcel")
    await sign_in(jeanne)
    await sign_in(marcel, "resident2@lba.demo")
    seen: list[tuple[str, dict[str, int]]] = []
    outbox.register_batch_hook("testbatch", lambda s, batch, now: seen.append((batch, outbox.batch_counts(s, batch))))
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        for email in ("resident1@lba.demo", "resident2@lba.demo"):
            user_id = session.scalar(sa.select(User.id).where(User.email == email))
            outbox.notify(session, user_id=user_id, kind="t", key="soon", now=bot.clock(), batch="testbatch:1")
    marcel.emu.block_bot()
    await send_due(bot.app)  # type: ignore[arg-type]
    assert seen == [("testbatch:1", {"sent": 1, "unreachable": 1})]


async def test_a_row_interrupted_mid_send_is_sent_after_a_restart(bot: BotHarness) -> None:
    jeanne = bot.user(706, "Jeanne")
    await sign_in(jeanne)
    queue(bot, "resident1@lba.demo", key="soon")
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        outbox.claim_due(session, bot.clock())  # claimed, then the process "dies" before sending
    assert await send_due(bot.app) == 0  # type: ignore[arg-type]
    await bot.restart()
    assert await send_due(bot.app) == 1  # type: ignore[arg-type]
    assert "arrive bientôt" in jeanne.last.text


async def test_a_stop_mid_round_gives_the_rest_back_and_nothing_is_sent_twice(bot: BotHarness) -> None:
    import asyncio

    jeanne = bot.user(707, "Jeanne")
    await sign_in(jeanne)
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        user_id = session.scalar(sa.select(User.id).where(User.email == "resident1@lba.demo"))
        for n in range(12):
            outbox.notify(
                session,
                user_id=user_id,
                kind="t",
                key="menu.hello",
                params={"name": f"n{n}"},
                now=bot.clock(),
                dedup_key=f"stop:{n}",
            )
    stopping = asyncio.Event()
    before = len(jeanne.emu.bot_messages)
    unsubscribe = bot.emu.subscribe(lambda _message: len(jeanne.emu.bot_messages) - before >= 5 and stopping.set())
    first = await send_due(bot.app, stopping=stopping)  # type: ignore[arg-type]
    unsubscribe()
    assert first == 5
    assert sorted({status for status, _ in rows(bot)}) == [
        OutboxStatus.PENDING,
        OutboxStatus.SENT,
    ]  # none left "sending"
    assert await send_due(bot.app) == 7  # type: ignore[arg-type]
    greetings = [m.text for m in jeanne.emu.bot_messages[before:]]
    assert sorted(greetings) == sorted(f"🏠 Bonjour n{n} !" for n in range(12))  # each once


async def test_a_message_telegram_refuses_fails_at_once_and_is_never_retried(bot: BotHarness) -> None:
    """A BadRequest (here: a chat Telegram does not know) is final: one attempt, FAILED, counted as refused."""
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        row_id = outbox.notify_chat(session, chat_id=-987654321, kind="t", key="menu.hello", now=bot.clock())
    assert await send_due(bot.app) == 0  # type: ignore[arg-type]
    bot.clock.advance(hours=1)
    assert await send_due(bot.app) == 0  # type: ignore[arg-type]
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        row = session.get(OutboxMessage, row_id)
        assert row is not None and row.status == OutboxStatus.FAILED and row.attempts == 1
    registry = bot.app.bot_data["lba.runtime"].metrics.registry  # type: ignore[union-attr]
    assert registry.get_sample_value("lba_outbox_failed_total", {"reason": "refused"}) == 1
