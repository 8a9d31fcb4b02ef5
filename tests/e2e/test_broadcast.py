"""Delivery at scale against Telegram's flood limits, and a broadcast that survives the bot being killed.

The broadcast is queued the way an announcement queues it (one outbox row per resident, one batch);
the bot sends it through python-telegram-bot's rate limiter to an emulator enforcing Telegram's
limits (30 messages a second overall, about one a second per chat).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import send_due
from bot.emulator import BotApiEmulator, EmulatorServer
from models import OutboxMessage, Residence, Role, User
from models.db import unit_of_work
from services import outbox
from tests.conftest import TEST_TOKEN, Clock, make_settings
from tests.e2e.conftest import ROOT, TIMEOUT
from tests.harness import BotHarness

FIRST_ID = 1_000_001
BATCH = "announcement:broadcast-test"


def link_residents(sessions: sessionmaker[Session], count: int, now: object) -> list[int]:
    """`count` Lyon residents linked to Telegram ids 1000001..; returns their Telegram ids."""
    with unit_of_work(sessions) as session:
        lyon = session.scalar(sa.select(Residence.id).where(Residence.name == "Les Belles Années Lyon"))
        session.execute(
            sa.insert(User),
            [
                {
                    "email": f"bulk{n}@load.lba.demo",
                    "first_name": f"R{n}",
                    "last_name": "Test",
                    "role": Role.RESIDENT,
                    "residence_id": lyon,
                    "telegram_id": FIRST_ID + n,
                    "language": "fr",
                    "created_at": now,
                }
                for n in range(count)
            ],
        )
    return [FIRST_ID + n for n in range(count)]


def queue_broadcast(sessions: sessionmaker[Session], now: object) -> int:
    with unit_of_work(sessions) as session:
        ids = session.scalars(sa.select(User.id).where(User.email.like("bulk%@load.lba.demo"))).all()
        for user_id in ids:
            outbox.notify(
                session,
                user_id=user_id,
                kind="announcement",
                key="soon",
                now=now,  # type: ignore[arg-type]
                batch=BATCH,
                dedup_key=f"broadcast:{user_id}",
            )
        return len(ids)


def statuses(sessions: sessionmaker[Session]) -> Counter[str]:
    with unit_of_work(sessions) as session:
        return Counter(
            s.value for s in session.scalars(sa.select(OutboxMessage.status).where(OutboxMessage.batch == BATCH))
        )


def received(emu: BotApiEmulator, telegram_ids: list[int]) -> Counter[int]:
    """How many copies of the broadcast each resident got."""
    counts: Counter[int] = Counter()
    for tid in telegram_ids:
        counts[tid] = sum(1 for m in emu.messages(tid) if m.from_bot and "arrive bientôt" in (m.text or ""))
    return counts


async def test_300_residents_all_get_it_once_under_telegrams_flood_limits(engine: Engine, demo: dict[str, int]) -> None:
    clock = Clock()
    harness = BotHarness(make_settings(), engine, clock)
    # Real time on both sides here: PTB's rate limiter paces by the wall clock, as Telegram does.
    harness.emu = BotApiEmulator(TEST_TOKEN, flood_limits=True)
    await harness.start()
    try:
        sessions = harness.app.bot_data["lba.runtime"].sessions  # type: ignore[union-attr]
        telegram_ids = link_residents(sessions, 300, clock())
        for tid in telegram_ids:
            harness.emu.user(tid, f"R{tid}").started = True
        assert queue_broadcast(sessions, clock()) == 300
        started = time.monotonic()
        sent = 0
        while sent < 300 and time.monotonic() - started < 120:
            sent += await send_due(harness.app)  # type: ignore[arg-type]
        elapsed = time.monotonic() - started
    finally:
        await harness.stop()
    assert sent == 300
    assert statuses(sessions) == Counter({"sent": 300})
    copies = received(harness.emu, telegram_ids)
    assert set(copies.values()) == {1}, "every resident exactly once"
    rate = 300 / elapsed
    print(
        f"\n300 messages in {elapsed:.1f} s: {rate:.1f} msg/s against 30 allowed ({rate / 30:.0%}); "
        f"429 answered by the emulator: {harness.emu.flood_refusals}"
    )


def _start_bot(server_url: str, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "OPENAI_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_URL=server_url,
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="INFO",
    )
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=log.parent, env=env, stdout=out, stderr=subprocess.STDOUT
        )


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_killing_the_bot_mid_broadcast_then_restarting_completes_it(
    how: str, engine: Engine, demo: dict[str, int], sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Clock()
    telegram_ids = link_residents(sessions, 300, clock())
    emu = BotApiEmulator(TEST_TOKEN, flood_limits=True)
    for tid in telegram_ids:
        emu.user(tid, f"R{tid}").started = True
    database_url = engine.url.render_as_string(hide_password=False)
    log = tmp_path / "bot.log"
    with EmulatorServer(emu) as server:
        bot = _start_bot(server.url, database_url, log)
        try:
            assert emu.wait_for(lambda: any(c.method == "getUpdates" for c in emu.calls), TIMEOUT), log.read_text()
            # Queued "now" in real time: the bot in its own process runs on the real clock.
            queue_broadcast(sessions, datetime.now(UTC))  # the bot picks it up within its sender's interval
            assert emu.wait_for(lambda: sum(received(emu, telegram_ids).values()) >= 80, 60), log.read_text()
        finally:
            bot.send_signal(getattr(signal, how))
            bot.wait(timeout=TIMEOUT)
        mid = sum(received(emu, telegram_ids).values())
        assert mid < 300, "the broadcast was still under way when the bot was stopped"
        bot = _start_bot(server.url, database_url, log)
        try:
            assert emu.wait_for(lambda: all(received(emu, telegram_ids).values()), 90), log.read_text()
            assert emu.wait_for(lambda: statuses(sessions) == Counter({"sent": 300}), TIMEOUT), statuses(sessions)
        finally:
            bot.send_signal(signal.SIGTERM)
            assert bot.wait(timeout=TIMEOUT) == 0
    copies = received(emu, telegram_ids)
    duplicates = sum(n - 1 for n in copies.values())
    if how == "SIGTERM":
        # A graceful stop finishes the message in hand and gives the rest back: nothing twice.
        assert duplicates == 0
    else:
        # A hard kill can land between Telegram accepting a message and the database recording it:
        # that one message (and only it) is sent again rather than lost.
        assert duplicates <= 1
    assert "Traceback" not in log.read_text()
