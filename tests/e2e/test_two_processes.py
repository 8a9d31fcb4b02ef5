"""Two `python -m bot run` processes on one PostgreSQL database: nothing sent twice, nothing lost.

Each process talks to its own emulator, playing Telegram for it (same token); what residents got in
total is the sum of both. Reminders are due at once (bookings seeded an hour ahead, in real time,
with REMINDER_LEAD_MINUTES=60) and the scheduler runs every second (LBA_SCHEDULER_INTERVAL=1), so
every wait below ends within a few seconds, as soon as its condition holds.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.emulator import BotApiEmulator, EmulatorServer
from models import OutboxMessage, Reservation, Residence, Space, User
from models.db import unit_of_work
from services import outbox
from services.demo import LOAD_TELEGRAM_BASE, LYON, seed_load_residents
from tests.conftest import TEST_TOKEN
from tests.e2e.process import TIMEOUT, bot_env, bot_process

RESIDENTS = 200
REMINDED = 20
TAKEN_OVER = "scheduler lock taken: this process runs the scheduled jobs"


def user_ids(session: Session, telegram_ids: list[int]) -> dict[int, int]:
    rows = session.execute(sa.select(User.telegram_id, User.id).where(User.telegram_id.in_(telegram_ids)))
    return {telegram_id: user_id for telegram_id, user_id in rows}


def book(sessions: sessionmaker[Session], telegram_ids: list[int], space: str, now: datetime) -> None:
    """Bookings starting in 50 minutes, made yesterday: their 60-minute reminders are due now."""
    with unit_of_work(sessions) as session:
        users = user_ids(session, telegram_ids)
        space_id = session.scalar(
            sa.select(Space.id).join(Residence).where(Residence.name == LYON).order_by(Space.id).limit(1)
        )
        session.add_all(
            Reservation(
                space_id=space_id,
                user_id=users[tid],
                start_at=now + timedelta(minutes=50),
                end_at=now + timedelta(minutes=110),
                created_at=now - timedelta(days=1),
            )
            for tid in telegram_ids
        )
        session.execute(sa.update(Space).where(Space.id == space_id).values(name=space))


def received(emus: list[BotApiEmulator], telegram_ids: list[int], fragment: str) -> Counter[int]:
    """Copies of a message (found by `fragment`) each resident got, from both processes together."""
    counts: Counter[int] = Counter()
    for emu in emus:
        for tid in telegram_ids:
            counts[tid] += sum(1 for m in emu.messages(tid) if m.from_bot and fragment in (m.text or ""))
    return counts


def until(emus: list[BotApiEmulator], condition: Callable[[], bool], timeout: float) -> bool:
    """Bounded wait that ends as soon as `condition` holds, woken by either emulator's traffic."""
    deadline = time.monotonic() + timeout
    while not condition():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        for emu in emus:
            emu.wait_for(condition, min(0.1, left))
    return True


def outbox_statuses(sessions: sessionmaker[Session], kind: str) -> Counter[str]:
    with unit_of_work(sessions) as session:
        return Counter(
            s.value for s in session.scalars(sa.select(OutboxMessage.status).where(OutboxMessage.kind == kind))
        )


def sent(sessions: sessionmaker[Session], kind: str) -> int:
    return outbox_statuses(sessions, kind)["sent"]


def test_two_processes_share_the_work_and_send_everything_exactly_once(
    engine: Engine, demo: dict[str, int], sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serves one process: tests/e2e/test_sqlite_single_process.py")
    now = datetime.now(UTC)  # the processes run on the real clock
    with unit_of_work(sessions) as session:
        assert seed_load_residents(session, RESIDENTS, now=now - timedelta(days=2), rounds=4) == RESIDENTS
    telegram_ids = [LOAD_TELEGRAM_BASE + n for n in range(1, RESIDENTS + 1)]
    emus = [BotApiEmulator(TEST_TOKEN, bot_username="lba_e2e_bot") for _ in range(2)]
    for emu in emus:
        for tid in telegram_ids:
            emu.user(tid, f"R{tid}").started = True
    settings = {"LBA_SCHEDULER_INTERVAL": "1", "REMINDER_LEAD_MINUTES": "60", "BACKUP_HOUR": "off"}
    with (
        EmulatorServer(emus[0]) as server_a,
        EmulatorServer(emus[1]) as server_b,
        bot_process(bot_env(server_a.url, engine, **settings), tmp_path, "a") as bot_a,
        bot_process(bot_env(server_b.url, engine, **settings), tmp_path, "b") as bot_b,
    ):
        bots = [bot_a, bot_b]
        for emu, bot in zip(emus, bots, strict=True):
            assert emu.wait_for(lambda e=emu: any(c.method == "getUpdates" for c in e.calls), TIMEOUT), bot.log

        # (a) 20 reminders due now and (b) 200 notifications queued at once, together:
        # every one sent once in total; the reminders queued by the one process that runs the scheduler.
        reminded = telegram_ids[:REMINDED]
        book(sessions, reminded, "Salle Deux-Processus", datetime.now(UTC))
        with unit_of_work(sessions) as session:
            ids = user_ids(session, telegram_ids)
            for tid in telegram_ids:
                outbox.notify(
                    session, user_id=ids[tid], kind="e2e", key="menu.hello", params={"name": f"ping-{tid}"}, now=now
                )
        assert until(
            emus, lambda: sent(sessions, "booking_reminder") == REMINDED and sent(sessions, "e2e") == RESIDENTS, 30
        )
        for emu in emus:
            assert emu.wait_idle(quiet=0.3, timeout=TIMEOUT)
        assert outbox_statuses(sessions, "booking_reminder") == Counter({"sent": REMINDED})
        assert received(emus, reminded, "Salle Deux-Processus") == Counter({tid: 1 for tid in reminded})
        assert outbox_statuses(sessions, "e2e") == Counter({"sent": RESIDENTS})
        assert received(emus, telegram_ids, "ping-") == Counter({tid: 1 for tid in telegram_ids})
        shares = [sum(received([emu], telegram_ids, "ping-").values()) for emu in emus]
        assert all(shares), f"both processes should have sent some: {shares}"
        holders = [i for i, bot in enumerate(bots) if TAKEN_OVER in bot.log]
        assert len(holders) == 1, [bot.log for bot in bots]

        # (c) The scheduler's process is killed: the other takes the lock over and sends the next reminder.
        holder, survivor = bots[holders[0]], bots[1 - holders[0]]
        holder.process.send_signal(signal.SIGKILL)
        assert holder.wait() == -signal.SIGKILL
        late = telegram_ids[REMINDED]
        book(sessions, [late], "Salle Deux-Processus", datetime.now(UTC))
        assert until(emus, lambda: sent(sessions, "booking_reminder") > REMINDED, 15), survivor.log
        assert TAKEN_OVER in survivor.log
        assert emus[1 - holders[0]].wait_idle(quiet=0.3, timeout=TIMEOUT)
        assert received(emus, [late], "Salle Deux-Processus") == Counter({late: 1})
        assert survivor.terminate() == 0, survivor.log
        assert "Traceback" not in survivor.log and TEST_TOKEN not in survivor.log
    assert outbox_statuses(sessions, "booking_reminder") == Counter({"sent": REMINDED + 1})
    assert sum(received(emus, telegram_ids, "Salle Deux-Processus").values()) == REMINDED + 1
