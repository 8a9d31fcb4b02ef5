"""`outbox.notify_many` queues exactly the rows a loop of `outbox.notify` would, in one read and one INSERT.

The same people are notified both ways, each in a transaction of its own that is rolled back, and the
rows are compared column by column, ids aside. The people: reachable or not, with quiet hours in
another time zone, a user twice in the list, one whose dedup key is already queued; the message urgent
or not, later or not, with or without a dedup key.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models import OutboxMessage, OutboxStatus, Residence, User
from models.db import unit_of_work
from services import outbox

NOW = datetime(2026, 11, 24, 21, 30, tzinfo=UTC)  # 22:30 in Paris, 16:30 in Montréal
COLUMNS = [c.name for c in OutboxMessage.__table__.columns if c.name != "id"]


def _people(sessions: sessionmaker[Session]) -> dict[str, int]:
    """One user of each kind a recipient list can hold."""
    with unit_of_work(sessions) as session:
        paris = Residence(name="Paris", city="Paris", timezone="Europe/Paris")
        montreal = Residence(name="Montréal", city="Montréal", timezone="America/Montreal")
        session.add_all([paris, montreal])
        session.flush()
        night, day = time(22), time(7)
        specs: dict[str, dict[str, Any]] = {
            "plain": {"residence_id": paris.id},
            "quiet": {"residence_id": paris.id, "quiet_hours_start": night, "quiet_hours_end": day},
            "quiet_elsewhere": {"residence_id": montreal.id, "quiet_hours_start": time(16), "quiet_hours_end": day},
            "no_residence": {"residence_id": None, "quiet_hours_start": night, "quiet_hours_end": day},
            "not_linked": {"residence_id": paris.id, "telegram_id": None},
            "blocked": {"residence_id": paris.id, "unreachable_since": NOW - timedelta(days=3)},
            "inactive": {"residence_id": paris.id, "active": False},
            "already": {"residence_id": paris.id},
        }
        users = {}
        for n, (name, spec) in enumerate(specs.items(), start=1):
            values = {"telegram_id": 5000 + n, **spec}
            users[name] = User(email=f"{name}@bulk.test", first_name=name, **values)
        session.add_all(users.values())
        session.flush()
        ids = {name: user.id for name, user in users.items()}
        # A copy of this notification was queued for "already" before (another tick, another process).
        outbox.notify(session, user_id=ids["already"], kind="before", key="k", now=NOW, dedup_key=f"n:{ids['already']}")
    return ids


def _recipients(ids: dict[str, int]) -> list[int]:
    order = ["plain", "quiet", "not_linked", "quiet_elsewhere", "blocked", "plain", "inactive", "no_residence"]
    return [ids[name] for name in order] + [999_999]  # a user twice, and one who does not exist


def _rows(session: Session) -> list[dict[str, Any]]:
    """The rows queued here, in the order they were inserted (the order the sender takes them in)."""
    rows = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "bulk").order_by(OutboxMessage.id))
    return [{c: getattr(row, c) for c in COLUMNS} for row in rows]


@pytest.fixture
def ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    return _people(sessions)


OPTIONS: dict[str, dict[str, Any]] = {
    "announcement": {
        "params": {"text": "Coupure d'eau <jeudi>", "when": outbox.dt(NOW)},
        "buttons": [[outbox.button("ann.btn.ack", "ann:ack:7")]],
        "photo": None,
        "batch": "announcement:7",
    },
    "urgent_with_ref": {
        "params": {"category": outbox.tr("inc.cat.water")},
        "ref": {"incident": 3},
        "urgent": True,
        "not_before": NOW + timedelta(minutes=5),
    },
    "later_no_params": {"not_before": NOW + timedelta(hours=2)},
}


@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize(
    ("keyed", "taken"),
    [(False, False), (True, False), (True, True)],
    ids=["no_dedup_key", "dedup_key", "dedup_key_already_queued"],  # the last: one at a time, after the bulk failed
)
def test_the_rows_are_those_a_loop_of_notify_writes(
    sessions: sessionmaker[Session], ids: dict[str, int], option: str, keyed: bool, taken: bool
) -> None:
    recipients = _recipients(ids) + ([ids["already"]] if taken else [])
    options = OPTIONS[option]

    def key(user_id: int) -> str | None:
        return f"n:{user_id}" if keyed else None

    with sessions() as session:
        looped = [
            outbox.notify(session, user_id=u, kind="bulk", key="k", now=NOW, dedup_key=key(u), **options)
            for u in recipients
        ]
        loop_rows = _rows(session)
        session.rollback()
    with sessions() as session:
        bulk = outbox.notify_many(session, recipients, kind="bulk", key="k", now=NOW, dedup_key=key, **options)
        bulk_rows = _rows(session)
        session.rollback()

    assert bulk == [i is not None for i in looped]
    assert bulk_rows == loop_rows  # the same rows, in the same order
    # What the comparison stands on: who gets a row, and when.
    by_user = {row["user_id"]: row for row in bulk_rows}
    assert set(by_user) == {ids[n] for n in ("plain", "quiet", "quiet_elsewhere", "no_residence")}
    assert len(bulk_rows) == (4 if keyed else 5)  # "plain" twice unless the dedup key says it is one message
    due = options.get("not_before", NOW)
    if not options.get("urgent"):
        assert by_user[ids["quiet"]]["not_before"] == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 07:00 Paris
        assert by_user[ids["no_residence"]]["not_before"] == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
        assert by_user[ids["quiet_elsewhere"]]["not_before"] == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert by_user[ids["plain"]]["not_before"] == due
    assert {row["status"] for row in bulk_rows} == {OutboxStatus.PENDING}


def test_one_insert_for_the_whole_list(engine: Engine, sessions: sessionmaker[Session], ids: dict[str, int]) -> None:
    with unit_of_work(sessions) as session:
        first = session.execute(sa.select(User).where(User.email == "plain@bulk.test")).scalar_one()
        template = {c: getattr(first, c) for c in ("residence_id", "language", "role")}
        session.add_all(
            User(email=f"r{n}@bulk.test", first_name="R", telegram_id=9000 + n, **template) for n in range(1200)
        )
    with unit_of_work(sessions) as session:
        everyone = list(session.scalars(sa.select(User.id).where(User.email.like("r%@bulk.test")).order_by(User.id)))
    inserts: list[bool] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            inserts.append(executemany)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        with unit_of_work(sessions) as session:
            queued = outbox.notify_many(
                session, everyone, kind="bulk", key="k", now=NOW, dedup_key=lambda u: f"many:{u}", batch="b:1"
            )
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert queued == [True] * 1200
    assert inserts == [True]  # one executemany
    with unit_of_work(sessions) as session:
        assert outbox.batch_counts(session, "b:1") == {"pending": 1200}
        query = sa.select(OutboxMessage.user_id).where(OutboxMessage.batch == "b:1").order_by(OutboxMessage.id)
        assert list(session.scalars(query)) == everyone  # inserted in the order given


def test_a_key_queued_meanwhile_by_another_process_is_skipped_not_an_error(
    sessions: sessionmaker[Session], ids: dict[str, int]
) -> None:
    """The one-statement insert fails on the taken key; the rows then go in one at a time, as before."""
    recipients = [ids["plain"], ids["already"], ids["quiet"]]
    with unit_of_work(sessions) as session:
        queued = outbox.notify_many(session, recipients, kind="bulk", key="k", now=NOW, dedup_key=lambda u: f"n:{u}")
    assert queued == [True, False, True]
    with unit_of_work(sessions) as session:
        keys = session.scalars(sa.select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.like("n:%")))
        assert sorted(keys) == sorted(f"n:{u}" for u in recipients)
        assert session.scalar(sa.select(sa.func.count()).where(OutboxMessage.kind == "bulk")) == 2


def test_nobody_to_notify(sessions: sessionmaker[Session], ids: dict[str, int]) -> None:
    with unit_of_work(sessions) as session:
        assert outbox.notify_many(session, [], kind="bulk", key="k", now=NOW) == []
        nobody = [ids["blocked"], ids["not_linked"]]
        assert outbox.notify_many(session, nobody, kind="bulk", key="k", now=NOW) == [False, False]
