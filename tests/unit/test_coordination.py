"""Several processes on one database: the scheduler lock, the outbox claim, shared state, SQLite's one process."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import backup, coordination, scheduler
from bot.config import ConfigError
from bot.coordination import SCHEDULER_LOCK_KEY, AlreadyRunning, SchedulerLock, single_process
from bot.persistence import USER_DATA, SqlPersistence, recall
from bot.runtime import RUNTIME_KEY, Runtime
from models import BotState
from models.db import unit_of_work
from services import outbox
from tests.conftest import Clock, make_settings


def postgresql_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the scheduler lock is PostgreSQL's (SQLite serves one process)")


def lock_holders(engine: Engine) -> list[int]:
    """Backend pids holding our advisory lock in this database (a bigint key: classid high half, objid low half)."""
    key = SCHEDULER_LOCK_KEY
    with engine.connect() as conn:
        return list(
            conn.scalars(
                sa.text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1"
                ),
                {"high": key >> 32, "low": key & 0xFFFFFFFF},
            )
        )


def kill_holder(engine: Engine) -> None:
    """What a SIGKILL'd holder's death does to its lock: its session ends."""
    with engine.connect() as conn:
        for pid in lock_holders(engine):
            # Waits (bounded) until the backend has exited, and so has freed its locks.
            assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})


# --- the scheduler lock -----------------------------------------------------------------------------


def test_one_process_holds_the_scheduler_lock_and_another_takes_it_when_it_dies(engine: Engine) -> None:
    postgresql_only(engine)
    a, b = SchedulerLock(engine), SchedulerLock(engine)
    try:
        assert a.ensure() and not b.ensure()
        assert a.ensure() and not b.ensure()  # checked again each run, still A's
        assert len(lock_holders(engine)) == 1
        assert engine.pool.checkedout() == 0  # its own connection, out of the pool: never lent to other work
        kill_holder(engine)
        assert b.ensure() and b.held  # the next run of the other process takes it over
        assert not a.ensure() and not a.held  # A sees its connection gone, the lock with it, and B's now
        assert len(lock_holders(engine)) == 1
    finally:
        a.release()
        b.release()
    assert lock_holders(engine) == []


def test_a_holder_that_lost_its_connection_takes_the_lock_again_when_nobody_else_has(engine: Engine) -> None:
    postgresql_only(engine)
    a = SchedulerLock(engine)
    try:
        assert a.ensure()
        kill_holder(engine)  # a database restart, a network cut: the session is gone
        assert a.ensure()  # reconnected and taken again
        assert len(lock_holders(engine)) == 1
    finally:
        a.release()


def test_releasing_lets_the_other_process_take_it_at_its_next_run(engine: Engine) -> None:
    postgresql_only(engine)
    a, b = SchedulerLock(engine), SchedulerLock(engine)
    try:
        assert a.ensure() and not b.ensure()
        a.release()
        assert not a.held and b.ensure()
    finally:
        a.release()
        b.release()


def test_on_sqlite_the_lock_is_always_held_and_touches_nothing(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's no-op")
    lock = SchedulerLock(engine)
    assert lock.held and lock.ensure()
    lock.release()
    assert lock.held


def _app(engine: Engine, sessions: sessionmaker[Session], clock: Clock) -> Any:
    """The part of an Application the scheduler run uses: bot_data with the runtime."""
    runtime = Runtime(settings=make_settings(), engine=engine, sessions=sessions, clock=clock)
    return SimpleNamespace(bot_data={RUNTIME_KEY: runtime})


async def test_only_the_lock_holder_runs_the_tick_and_the_nightly_backup(
    engine: Engine, sessions: sessionmaker[Session], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    postgresql_only(engine)
    nightly: list[Any] = []

    async def fake_nightly(app: Any) -> None:
        nightly.append(app)

    monkeypatch.setattr(backup, "nightly_job", fake_nightly)
    a, b = _app(engine, sessions, clock), _app(engine, sessions, clock)
    try:
        assert not coordination.scheduler_lock_held(a)  # PostgreSQL: not before its first run
        assert await scheduler.run_scheduled(a)
        assert not await scheduler.run_scheduled(b)
        assert coordination.scheduler_lock_held(a) and not coordination.scheduler_lock_held(b)
        assert nightly == [a]
        assert recall(sessions, scheduler.LAST_TICK) == clock().isoformat()
        clock.advance(minutes=1)
        await scheduler.stop(a)  # a graceful stop frees it at once
        assert await scheduler.run_scheduled(b)
        assert nightly == [a, b]
        assert recall(sessions, scheduler.LAST_TICK) == clock().isoformat()
    finally:
        await scheduler.stop(a)
        await scheduler.stop(b)


async def test_a_failing_nightly_backup_is_logged_and_the_ticks_go_on(
    engine: Engine,
    sessions: sessionmaker[Session],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(app: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(backup, "nightly_job", broken)
    app = _app(engine, sessions, clock)
    try:
        with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
            assert await scheduler.run_scheduled(app)
            clock.advance(minutes=1)
            assert await scheduler.run_scheduled(app)
        assert recall(sessions, scheduler.LAST_TICK) == clock().isoformat()
        assert [r.message for r in caplog.records] == ["nightly backup job failed"] * 2
    finally:
        await scheduler.stop(app)


def test_the_scheduler_interval_comes_from_the_environment() -> None:
    assert scheduler.interval_seconds({}) == 60
    assert scheduler.interval_seconds({"LBA_SCHEDULER_INTERVAL": " 1.5 "}) == 1.5
    for wrong in ("0", "-3", "soon", "7200"):
        with pytest.raises(ConfigError, match="LBA_SCHEDULER_INTERVAL must be seconds"):
            scheduler.interval_seconds({"LBA_SCHEDULER_INTERVAL": wrong})


# --- the outbox claim --------------------------------------------------------------------------------


def test_two_senders_claiming_at_once_never_take_the_same_row(
    engine: Engine, sessions: sessionmaker[Session], clock: Clock
) -> None:
    with unit_of_work(sessions) as session:
        queued = [
            outbox.notify_chat(session, chat_id=-1_000_000 - n, kind="test", key="menu.hello", now=clock())
            for n in range(300)
        ]
    start = threading.Barrier(2)
    claimed: list[list[int]] = [[], []]
    failures: list[BaseException] = []

    def sender(index: int) -> None:
        try:
            start.wait()
            while True:
                with unit_of_work(sessions) as session:
                    batch = outbox.claim_due(session, clock(), limit=7)
                if not batch:
                    return
                claimed[index].extend(item.id for item in batch)
        except BaseException as error:  # reported by the test thread, not lost in this one
            failures.append(error)

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    first, second = claimed
    assert set(first).isdisjoint(second)
    assert sorted(first + second) == sorted(queued)  # type: ignore[type-var]
    assert len(first) + len(second) == 300  # nobody claimed a row twice, even alone


# --- shared state -----------------------------------------------------------------------------------


async def test_a_process_writes_only_what_it_changed(sessions: sessionmaker[Session]) -> None:
    one, two = SqlPersistence(sessions), SqlPersistence(sessions)
    await one.update_user_data(7, {"lang": "fr"})
    assert await two.get_user_data() == {7: {"lang": "fr"}}
    await one.update_user_data(7, {"lang": "en"})
    written = stamp(sessions, USER_DATA, "7")
    # Two still holds {"lang": "fr"}, unchanged since it read it: its periodic write leaves the row alone.
    await two.update_user_data(7, {"lang": "fr"})
    await one.update_user_data(7, {"lang": "en"})
    assert stamp(sessions, USER_DATA, "7") == written
    await two.update_user_data(7, {"lang": "fr", "flow": "booking"})  # what it did change is written
    assert row(sessions, USER_DATA, "7") == {"lang": "fr", "flow": "booking"}
    await two.update_user_data(8, {})  # nobody's data: no row
    assert row(sessions, USER_DATA, "8") is None


def stamp(sessions: sessionmaker[Session], kind: str, key: str) -> Any:
    with unit_of_work(sessions) as session:
        return session.scalar(sa.select(BotState.updated_at).where(BotState.kind == kind, BotState.key == key))


def row(sessions: sessionmaker[Session], kind: str, key: str) -> Any:
    with unit_of_work(sessions) as session:
        return session.scalar(sa.select(BotState.data).where(BotState.kind == kind, BotState.key == key))


# --- SQLite: one process ------------------------------------------------------------------------------


def test_a_second_run_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path}/data/lba.db")
    with single_process(settings):
        assert (tmp_path / "data" / "lba.db.lock").read_text().strip().isdigit()  # the holder's pid
        with pytest.raises(AlreadyRunning) as refused, single_process(settings):
            pass
    assert refused.value.code == (
        f"another LBA Bot process is already running on {tmp_path}/data/lba.db; SQLite serves one process "
        "— use PostgreSQL (DATABASE_URL) to run several"
    )
    with single_process(settings):  # released when the first one ended
        pass


def test_postgresql_and_memory_databases_need_no_lock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ("postgresql://lba@db/lba", "sqlite://", "sqlite:///:memory:"):
        with single_process(make_settings(url)), single_process(make_settings(url)):
            pass
    assert list(tmp_path.iterdir()) == []


async def test_a_users_turn_waits_for_the_same_users_update_elsewhere_then_goes_ahead(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holds Jeanne's lock: her update waits for it, at most USER_TURN_WAIT_MS, then is
    handled anyway (logged): a stuck process delays a user, it never silences them."""
    postgresql_only(engine)
    monkeypatch.setattr(coordination, "USER_TURN_WAIT_MS", 300)
    other = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        other.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": coordination.USER_LOCK_BASE + 42})
        async with coordination.user_turn(engine, 43):  # someone else's turn is free
            pass
        with caplog.at_level(logging.WARNING, logger="bot.coordination"):
            async with coordination.user_turn(engine, 42):
                ran = True
        assert ran and "without its user's lock" in caplog.text
        other.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": coordination.USER_LOCK_BASE + 42})
        caplog.clear()
        async with coordination.user_turn(engine, 42):  # free again: taken, and freed after
            held = other.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": coordination.USER_LOCK_BASE + 42})
        assert held is False and caplog.text == ""
        assert other.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": coordination.USER_LOCK_BASE + 42})
    finally:
        other.close()
