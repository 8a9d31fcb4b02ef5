"""A claimed outbox row is its sender's while the lease runs: a process starting beside a live sender
never takes its rows back (which would send them twice); a process alone takes back a dead run's at once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.coordination import SchedulerLock
from models import OutboxMessage, OutboxStatus
from models.db import unit_of_work
from services import outbox
from tests.conftest import Clock


def _queue(sessions: sessionmaker[Session], clock: Clock, count: int) -> None:
    with unit_of_work(sessions) as session:
        for i in range(count):
            outbox.notify_chat(
                session, chat_id=-4242, kind="test", key="free_text", now=clock(), dedup_key=f"lease:{i}"
            )


def _statuses(sessions: sessionmaker[Session]) -> list[OutboxStatus]:
    with unit_of_work(sessions) as session:
        return list(session.scalars(sa.select(OutboxMessage.status).where(OutboxMessage.kind == "test")))


def test_a_live_senders_rows_are_not_taken_back_until_its_lease_runs_out(
    sessions: sessionmaker[Session], clock: Clock, demo: dict[str, int]
) -> None:
    _queue(sessions, clock, 3)
    with unit_of_work(sessions) as session:
        claimed = [row for row in outbox.claim_due(session, clock()) if row.kind == "test"]
    assert len(claimed) == 3
    with unit_of_work(sessions) as session:  # another process starting beside the live sender
        assert outbox.resume_interrupted(session, clock(), alone=False) == 0
    assert _statuses(sessions) == [OutboxStatus.SENDING] * 3
    with unit_of_work(sessions) as session:  # nothing for anyone else to claim meanwhile
        assert [row for row in outbox.claim_due(session, clock()) if row.kind == "test"] == []
    clock.advance(seconds=outbox.SENDING_LEASE.total_seconds() + 1)  # the sender died: its lease runs out
    with unit_of_work(sessions) as session:
        assert outbox.resume_interrupted(session, clock(), alone=False) == 3
        again = [row for row in outbox.claim_due(session, clock()) if row.kind == "test"]
    assert len(again) == 3


def test_a_process_alone_takes_back_every_row_left_sending_at_once(
    sessions: sessionmaker[Session], clock: Clock, demo: dict[str, int]
) -> None:
    _queue(sessions, clock, 2)
    with unit_of_work(sessions) as session:
        outbox.claim_due(session, clock())
    with unit_of_work(sessions) as session:
        assert outbox.resume_interrupted(session, clock(), alone=True) >= 2
    assert _statuses(sessions) == [OutboxStatus.PENDING] * 2


def test_released_rows_are_due_again_at_once(
    sessions: sessionmaker[Session], clock: Clock, demo: dict[str, int]
) -> None:
    _queue(sessions, clock, 1)
    with unit_of_work(sessions) as session:
        ids = [row.id for row in outbox.claim_due(session, clock()) if row.kind == "test"]
    with unit_of_work(sessions) as session:
        outbox.release(session, ids, clock())
    with unit_of_work(sessions) as session:
        assert [row.id for row in outbox.claim_due(session, clock()) if row.kind == "test"] == ids


def test_a_starting_process_knows_whether_another_sender_is_alive(engine: Engine) -> None:
    first, second, third = SchedulerLock(engine), SchedulerLock(engine), SchedulerLock(engine)
    try:
        assert first.join_senders() is True  # alone (SQLite: always)
        if engine.dialect.name != "postgresql":
            return
        assert second.join_senders() is False  # the first is alive
        first.release()
        assert third.join_senders() is False  # the second still is
        second.release()
        third.release()
        fourth = SchedulerLock(engine)
        try:
            assert fourth.join_senders() is True  # every other sender gone
        finally:
            fourth.release()
    finally:
        for lock in (first, second, third):
            lock.release()
