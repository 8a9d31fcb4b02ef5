"""The reminder rules on the services alone: when each is due, once, in real time, and never when stale."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models import (
    Event,
    OutboxMessage,
    OutboxStatus,
    Participation,
    ParticipationStatus,
    Reservation,
    ReservationStatus,
    Space,
    User,
)
from models.db import unit_of_work
from services import outbox, reminders, scheduler
from services.reminders import plan_for
from tests.conftest import START, Clock

PARIS = ZoneInfo("Europe/Paris")
CONFIG = scheduler.TickConfig()  # 1440 and 60 minutes before a booking; 1440 and 120 before an event
LOOK = CONFIG.lookahead
JEANNE, MARCEL = "resident1@lba.demo", "resident2@lba.demo"
TELEGRAM = {JEANNE: 4001, MARCEL: 4002}


def paris(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS).replace(fold=fold).astimezone(UTC)


def user_id(s: Session, email: str, telegram_id: int | None = None) -> int:
    uid = s.scalar(sa.select(User.id).where(User.email == email))
    assert uid is not None
    if telegram_id is not None:
        s.execute(sa.update(User).where(User.id == uid).values(telegram_id=telegram_id))
    return int(uid)


def add_booking(sessions: sessionmaker[Session], email: str, start: datetime, created: datetime) -> int:
    """A confirmed booking as the booking service leaves it (its rules are tested in their own module)."""
    with unit_of_work(sessions) as s:
        uid = user_id(s, email, telegram_id=TELEGRAM[email])
        space = s.scalar(sa.select(Space.id).where(Space.name == "Laverie").order_by(Space.id))
        assert space is not None
        booking = Reservation(space_id=space, user_id=uid, start_at=start, end_at=start + timedelta(hours=1))
        booking.created_at = created
        s.add(booking)
        s.flush()
        return booking.id


def tick(sessions: sessionmaker[Session], now: datetime, last: datetime | None = None, **config: Any) -> Any:
    with unit_of_work(sessions) as s:
        return scheduler.tick(s, now, scheduler.TickConfig(**config) if config else CONFIG, last)


def queued(sessions: sessionmaker[Session], *ids: int, kind: str = "booking") -> list[tuple[str, datetime]]:
    """The reminders queued about these bookings (or events): the demo data's own are left out."""
    with unit_of_work(sessions) as s:
        rows = s.execute(
            sa.select(OutboxMessage.dedup_key, OutboxMessage.not_before).order_by(
                OutboxMessage.not_before, OutboxMessage.id
            )
        )
        prefixes = tuple(f"{kind}:{i}:" for i in ids) or (f"{kind}:",)
        return [(r.dedup_key, r.not_before) for r in rows if r.dedup_key and r.dedup_key.startswith(prefixes)]


@pytest.fixture
def world(sessions: sessionmaker[Session], demo: dict[str, int]) -> None:
    """The demo residents and spaces, without the demo's bookings and registrations (their reminders)."""
    with unit_of_work(sessions) as s:
        s.execute(sa.update(Reservation).values(status=ReservationStatus.CANCELLED))
        s.execute(sa.update(Participation).values(status=ParticipationStatus.CANCELLED))


def claim(sessions: sessionmaker[Session], now: datetime) -> list[outbox.Outgoing]:
    """What the sender would take now, among the reminders (other routines queue their own messages)."""
    with unit_of_work(sessions) as s:
        return [item for item in outbox.claim_due(s, now) if item.kind.endswith("_reminder")]


# --- the pure rule ---------------------------------------------------------------------------------------


def test_plan_for_queues_each_lead_within_the_lookahead() -> None:
    start, since = START + timedelta(days=2), START
    assert plan_for(start, since, (1440, 60), START, None, LOOK) == reminders.Plan((), 0)
    day_before = start - timedelta(days=1)
    assert plan_for(start, since, (1440, 60), day_before - LOOK, None, LOOK).queue == ((1440, day_before),)
    assert plan_for(start, since, (1440, 60), day_before - LOOK - timedelta(seconds=1), None, LOOK).queue == ()
    hour_before = start - timedelta(hours=1)
    assert plan_for(start, since, (1440, 60), hour_before - timedelta(minutes=5), None, LOOK).queue == (
        (1440, day_before),  # long due: queued again is harmless (its dedup key), and the outbox skips it
        (60, hour_before),
    )


def test_a_reminder_due_before_the_booking_was_made_is_not_sent() -> None:
    start = START + timedelta(hours=20)  # booked 20 hours ahead: no "a day before" reminder
    assert plan_for(start, START, (1440, 60), START, None, LOOK).queue == ()
    assert plan_for(start, START, (1440, 60), start - timedelta(minutes=75), None, LOOK).queue == ()
    assert plan_for(start, START, (1440, 60), start - timedelta(minutes=70), None, LOOK).queue == (
        (60, start - timedelta(hours=1)),
    )


def test_after_a_downtime_only_the_latest_due_reminder_goes_and_the_others_are_counted() -> None:
    start = START + timedelta(days=2)
    last = START  # the bot stopped then, and came back 30 minutes before the start
    now = start - timedelta(minutes=30)
    plan = plan_for(start, START - timedelta(days=1), (1440, 60), now, last, LOOK)
    assert plan == reminders.Plan(((60, start - timedelta(hours=1)),), 1)
    # Back after the start: nothing to send, both counted as skipped.
    assert plan_for(start, START - timedelta(days=1), (1440, 60), start + timedelta(minutes=1), last, LOOK) == (
        reminders.Plan((), 2)
    )
    # A tick every minute misses nothing; the first tick ever does not know, so counts nothing.
    assert plan_for(start, START, (1440, 60), start + timedelta(minutes=1), start, LOOK).missed == 0
    assert plan_for(start, START, (1440, 60), start + timedelta(minutes=1), None, LOOK).missed == 0


# --- booking reminders -----------------------------------------------------------------------------------


def test_a_booking_gets_one_reminder_per_lead_at_its_time(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    start = paris(date(2026, 11, 26), 15)
    booking = add_booking(sessions, JEANNE, start, clock())
    day, hour = start - timedelta(days=1), start - timedelta(hours=1)
    report = tick(sessions, day - timedelta(minutes=5), clock())
    assert report.queued["booking_reminder"] == 1
    assert queued(sessions) == [(reminders.booking_dedup(booking, 1440, start), day)]
    # Ticking again (or from another process) queues nothing more.
    assert tick(sessions, day - timedelta(minutes=4), day - timedelta(minutes=5)).queued["booking_reminder"] == 0
    tick(sessions, hour - timedelta(minutes=10), day)
    assert queued(sessions)[-1] == (reminders.booking_dedup(booking, 60, start), hour)
    with unit_of_work(sessions) as s:
        row = s.scalar(sa.select(OutboxMessage).where(OutboxMessage.not_before == hour))
        assert row is not None
        assert row.payload["key"] == "rem.booking"
        assert row.payload["params"] == {"space": "Laverie", "when": {"$dt": start.isoformat()}}
        assert row.payload["buttons"] == [
            [{"key": "rem.btn.cancel_booking", "data": f"bk:cx:{booking}"}],
            [{"key": "btn.menu", "data": "menu:home"}],
        ]
        assert row.payload["ref"] == {"booking": booking, "start": start.isoformat()}
    assert [item.kind for item in claim(sessions, hour)] == ["booking_reminder"] * 2


def test_configured_leads_are_respected(sessions: sessionmaker[Session], world: None, clock: Clock) -> None:
    start = paris(date(2026, 11, 26), 15)
    booking = add_booking(sessions, JEANNE, start, clock())
    tick(sessions, clock(), None, booking_leads=(180, 15))
    for minutes in range(0, 5 * 60, 10):  # a tick every 10 minutes, the 5 hours before
        now = start - timedelta(hours=5) + timedelta(minutes=minutes)
        tick(sessions, now, now - timedelta(minutes=10), booking_leads=(180, 15))
    assert queued(sessions) == [
        (reminders.booking_dedup(booking, 180, start), start - timedelta(hours=3)),
        (reminders.booking_dedup(booking, 15, start), start - timedelta(minutes=15)),
    ]


def test_reminders_turned_off_are_not_queued_and_queued_ones_are_dropped(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    start = paris(date(2026, 11, 26), 15)
    add_booking(sessions, JEANNE, start, clock())
    day = start - timedelta(days=1)
    tick(sessions, day - timedelta(minutes=5), clock())
    with unit_of_work(sessions) as s:
        s.execute(sa.update(User).where(User.email == JEANNE).values(booking_reminders=False))
    assert claim(sessions, day) == []  # queued before she turned them off: dropped at send time
    tick(sessions, start - timedelta(minutes=65), day)
    assert len(queued(sessions)) == 1  # and the hour-before one is never queued


def test_cancelled_or_moved_bookings_lose_their_queued_reminders(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    start = paris(date(2026, 11, 26), 15)
    first, second = add_booking(sessions, JEANNE, start, clock()), add_booking(sessions, MARCEL, start, clock())
    hour = start - timedelta(hours=1)
    tick(sessions, hour - timedelta(minutes=5), clock())
    with unit_of_work(sessions) as s:
        s.execute(sa.update(Reservation).where(Reservation.id == first).values(status=ReservationStatus.CANCELLED))
        s.execute(
            sa.update(Reservation)
            .where(Reservation.id == second)
            .values(start_at=start + timedelta(hours=2), end_at=start + timedelta(hours=3))
        )
    assert claim(sessions, hour) == []
    with unit_of_work(sessions) as s:
        statuses = set(s.scalars(sa.select(OutboxMessage.status).where(OutboxMessage.kind == "booking_reminder")))
    assert statuses == {OutboxStatus.CANCELLED}
    # The moved one gets its own reminder at its new time, under a new key.
    moved = start + timedelta(hours=2)
    tick(sessions, moved - timedelta(minutes=65), hour)
    assert queued(sessions)[-1] == (reminders.booking_dedup(second, 60, moved), moved - timedelta(hours=1))


def test_a_withdrawn_booking_has_no_pending_reminder(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    start = paris(date(2026, 11, 26), 15)
    booking = add_booking(sessions, JEANNE, start, clock())
    tick(sessions, start - timedelta(days=1, minutes=5), clock())
    with unit_of_work(sessions) as s:
        assert reminders.withdraw_booking(s, booking) == 1
        assert reminders.withdraw_booking(s, booking) == 0


def test_a_booking_that_started_during_a_downtime_is_counted_not_sent(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    start = paris(date(2026, 11, 26), 15)
    add_booking(sessions, JEANNE, start, clock())
    down_at = start - timedelta(days=2)
    report = tick(sessions, start + timedelta(minutes=5), down_at)
    assert report.skipped["booking_reminder"] == 2 and not report.queued
    assert queued(sessions) == []


def test_a_reminder_missed_while_down_goes_once_if_the_booking_has_not_started(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    start = paris(date(2026, 11, 26), 15)
    booking = add_booking(sessions, JEANNE, start, clock())
    back = start - timedelta(minutes=20)
    report = tick(sessions, back, start - timedelta(days=2))
    assert report.queued["booking_reminder"] == 1 and report.skipped["booking_reminder"] == 1
    assert queued(sessions) == [(reminders.booking_dedup(booking, 60, start), back)]
    assert tick(sessions, back + timedelta(minutes=1), back).queued["booking_reminder"] == 0


# --- daylight saving time ----------------------------------------------------------------------------------


def test_dst_nights_use_real_elapsed_time(sessions: sessionmaker[Session], world: None) -> None:
    spring = paris(date(2026, 3, 29), 3, 30)  # 02:00-03:00 does not exist that night: 03:30 CEST = 01:30 UTC
    autumn = paris(date(2026, 10, 25), 2, 30, fold=0)  # 02:30 happens twice: the first, CEST = 00:30 UTC
    assert spring == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert autumn == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    created = datetime(2026, 3, 1, tzinfo=UTC)
    first = add_booking(sessions, JEANNE, spring, created)
    second = add_booking(sessions, MARCEL, autumn, created)
    for start in (spring, autumn):
        tick(sessions, start - timedelta(minutes=70), None, booking_leads=(60,))
    assert queued(sessions) == [
        (reminders.booking_dedup(first, 60, spring), datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),  # 01:30 CET
        (reminders.booking_dedup(second, 60, autumn), datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),  # 01:30 CEST
    ]


# --- two processes ------------------------------------------------------------------------------------------


def test_two_processes_ticking_at_once_queue_each_reminder_once(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    start = paris(date(2026, 11, 26), 15)
    bookings = [add_booking(sessions, email, start, clock()) for email in (JEANNE, MARCEL)]
    now = start - timedelta(minutes=65)
    barrier = threading.Barrier(2)
    reports: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            with unit_of_work(sessions) as s:  # each its own connection and transaction
                reports.append(scheduler.tick(s, now, CONFIG, clock()))
        except BaseException as error:  # surfaced below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    keys = [key for key, _ in queued(sessions)]
    expected = {reminders.booking_dedup(b, lead, start) for b in bookings for lead in (60,)}
    assert expected <= set(keys) and len(keys) == len(set(keys))
    assert sum(r.queued["booking_reminder"] for r in reports) == len(keys)


# --- quiet hours --------------------------------------------------------------------------------------------


def test_quiet_hours_delay_a_reminder_to_their_end_if_still_before_the_booking(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    late = paris(date(2026, 11, 27), 23)  # a day-before reminder due at 23:00 on the 26th
    early = paris(date(2026, 11, 28), 6, 30)  # its hour-before reminder would be due at 05:30
    with unit_of_work(sessions) as s:
        s.execute(
            sa.update(User).where(User.email == JEANNE).values(quiet_hours_start=time(22), quiet_hours_end=time(7))
        )
    first = add_booking(sessions, JEANNE, late, clock())
    second = add_booking(sessions, JEANNE, early, clock())
    tick(sessions, late - timedelta(days=1, minutes=5), clock())
    assert queued(sessions) == [(reminders.booking_dedup(first, 1440, late), paris(date(2026, 11, 27), 7))]
    assert claim(sessions, paris(date(2026, 11, 26), 23, 30)) == []  # not during the night
    assert len(claim(sessions, paris(date(2026, 11, 27), 7))) == 1
    # The hour-before reminder of the 06:30 booking would only leave at 07:00: after the start, dropped.
    tick(sessions, early - timedelta(minutes=65), clock())
    assert queued(sessions)[-1] == (reminders.booking_dedup(second, 60, early), paris(date(2026, 11, 28), 7))
    assert claim(sessions, paris(date(2026, 11, 28), 7)) == []


# --- event reminders ----------------------------------------------------------------------------------------


def add_event(sessions: sessionmaker[Session], start: datetime, created: datetime) -> tuple[int, int, int]:
    """An event of Lyon with Jeanne registered and Marcel on the waiting list."""
    with unit_of_work(sessions) as s:
        jeanne, marcel = user_id(s, JEANNE, 5001), user_id(s, MARCEL, 5002)
        residence = s.scalar(sa.select(User.residence_id).where(User.id == jeanne))
        assert residence is not None
        event = Event(residence_id=residence, title="Loto", location="Salle commune", starts_at=start, capacity=1)
        event.created_at = created
        s.add(event)
        s.flush()
        for uid, status, seat in (
            (jeanne, ParticipationStatus.REGISTERED, 1),
            (marcel, ParticipationStatus.WAITLISTED, None),
        ):
            s.add(Participation(event_id=event.id, user_id=uid, status=status, seat=seat, created_at=created))
        return event.id, jeanne, marcel


def test_event_reminders_go_to_registered_participants_the_day_before_and_two_hours_before(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    start = paris(date(2026, 11, 28), 15)
    event, jeanne, _ = add_event(sessions, start, clock())
    for minutes in range(0, 5 * 24 * 60, 10):
        now = clock() + timedelta(minutes=minutes)
        tick(sessions, now, now - timedelta(minutes=10))
    mine = [(key, at) for key, at in queued(sessions, event, kind="event") if key.startswith(f"event:{event}:")]
    assert mine == [
        (reminders.event_dedup(event, 1440, jeanne, start), start - timedelta(days=1)),
        (reminders.event_dedup(event, 120, jeanne, start), start - timedelta(hours=2)),
    ]
    with unit_of_work(sessions) as s:
        row = s.scalar(sa.select(OutboxMessage).where(OutboxMessage.dedup_key == mine[0][0]))
        assert row is not None and row.payload["key"] == "rem.event"
        assert row.payload["buttons"][0] == [{"key": "rem.btn.open_event", "data": f"ev:view:{event}"}]
        assert row.payload["ref"] == {"event": event, "start": start.isoformat(), "user": jeanne}


def test_event_reminders_are_dropped_when_the_participant_leaves_or_the_event_moves(
    sessions: sessionmaker[Session], world: None, clock: Clock
) -> None:
    start = paris(date(2026, 11, 28), 15)
    event, jeanne, _ = add_event(sessions, start, clock())
    day = start - timedelta(days=1)
    tick(sessions, day - timedelta(minutes=5), clock())
    ref = {"event": event, "start": start.isoformat(), "user": jeanne}
    with unit_of_work(sessions) as s:
        assert reminders.event_reminder_valid(s, ref, day)
        assert not reminders.event_reminder_valid(s, ref, start)  # begun
        s.execute(sa.update(Event).where(Event.id == event).values(starts_at=start + timedelta(hours=1)))
        assert not reminders.event_reminder_valid(s, ref, day)  # moved
        s.execute(sa.update(Event).where(Event.id == event).values(starts_at=start))
        s.execute(
            sa.update(Participation).where(Participation.user_id == jeanne).values(status=ParticipationStatus.CANCELLED)
        )
        assert not reminders.event_reminder_valid(s, ref, day)  # she left
    assert [item for item in claim(sessions, day) if item.kind == reminders.EVENT_KIND] == []


def test_validators_refuse_forged_or_odd_refs(sessions: sessionmaker[Session], world: None) -> None:
    with unit_of_work(sessions) as s:
        assert not reminders.booking_reminder_valid(s, {"booking": 999_999, "start": START.isoformat()}, START)
        assert not reminders.event_reminder_valid(s, {"event": 999_999, "start": "not a date", "user": 1}, START)
