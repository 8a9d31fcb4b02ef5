"""Booking and event reminders, derived from the database on every tick (see services/scheduler.py).

Why it is shaped this way:
- Nothing is queued at booking time: each tick reads the bookings and events as they are *now* and
  queues, through the outbox, the reminders that fall due within the look-ahead. A booking moved or
  cancelled before its reminder's time simply stops producing it; one already queued is dropped at
  send time by the validators registered below (and a cancelled booking's are withdrawn at once).
- Lead times are real elapsed time (UTC arithmetic): "an hour before 03:30" on the night clocks go
  forward is 60 minutes before, not 02:30 local (which does not exist).
- Each reminder has a dedup key naming the thing, the lead and the start: a tick run twice (two
  processes, a restart) queues it once, and a booking whose start changed gets fresh reminders.
- A reminder due before the thing was booked (or before the user registered) is not sent: booking
  tomorrow's laundry at 18:00 should not bring a "tomorrow" reminder a minute later. When several are
  overdue at once (after a downtime), only the latest is useful; the others are skipped and counted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    Event,
    EventStatus,
    OutboxMessage,
    OutboxStatus,
    Participation,
    ParticipationStatus,
    Reservation,
    ReservationStatus,
    Space,
    User,
)
from services import outbox

if TYPE_CHECKING:
    from services.scheduler import TickConfig, TickReport

log = logging.getLogger(__name__)

BOOKING_KIND = "booking_reminder"
EVENT_KIND = "event_reminder"
BOOKING_KEY = "rem.booking"
EVENT_KEY = "rem.event"
_KEYS_PER_QUERY = 500  # IN lists stay well under every backend's parameter limit


# --- when: the pure rule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one thing's reminders need at `now`: the (lead, due) to queue, and how many were missed."""

    queue: tuple[tuple[int, datetime], ...]
    missed: int


def plan_for(
    start: datetime,
    since: datetime,
    leads: Iterable[int],
    now: datetime,
    last_tick: datetime | None,
    lookahead: timedelta,
) -> Plan:
    """The reminders of something starting at `start`, booked (or joined) at `since`, at tick `now`.

    A reminder due at D was queued by the first tick at or after D - lookahead; so if the previous
    tick ran before that, D fell while the bot was down ("missed"). A missed one is still sent if the
    thing has not started and no later reminder has fallen due meanwhile; otherwise it is counted.
    """
    wanted = sorted(
        {(lead, start - timedelta(minutes=lead)) for lead in leads if lead > 0},
        key=lambda pair: pair[1],
    )
    wanted = [(lead, due) for lead, due in wanted if due >= since]

    def was_missed(due: datetime) -> bool:
        return last_tick is not None and last_tick + lookahead < due <= now

    if start <= now:
        return Plan((), sum(1 for _, due in wanted if was_missed(due)))
    overdue = [(lead, due) for lead, due in wanted if due <= now]
    coming = [(lead, due) for lead, due in wanted if now < due <= now + lookahead]
    superseded = overdue[:-1]
    queue = tuple(overdue[-1:] + coming)
    return Plan(queue, sum(1 for _, due in superseded if was_missed(due)))


def booking_dedup(booking_id: int, lead: int, start: datetime) -> str:
    return f"booking:{booking_id}:reminder:{lead}:{start.isoformat()}"


def event_dedup(event_id: int, lead: int, user_id: int, start: datetime) -> str:
    return f"event:{event_id}:reminder:{lead}:{user_id}:{start.isoformat()}"


# --- the tick's part -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Wanted:
    user_id: int
    dedup: str
    not_before: datetime
    params: dict[str, Any]
    buttons: list[list[dict[str, str]]]
    ref: dict[str, Any]


def plan(session: Session, now: datetime, config: TickConfig, last_tick: datetime | None, report: TickReport) -> None:
    """Queue the booking and event reminders that have fallen due (see services/scheduler.py)."""
    if config.booking_leads:
        wanted, missed = _booking_reminders(session, now, config, last_tick)
        _queue(session, BOOKING_KIND, BOOKING_KEY, wanted, now, report)
        if missed:
            report.skipped[BOOKING_KIND] += missed
    if config.event_leads:
        wanted, missed = _event_reminders(session, now, config, last_tick)
        _queue(session, EVENT_KIND, EVENT_KEY, wanted, now, report)
        if missed:
            report.skipped[EVENT_KIND] += missed


def _window(
    now: datetime, config_leads: Sequence[int], lookahead: timedelta, last_tick: datetime | None
) -> tuple[datetime, datetime]:
    """Starts worth reading: from the oldest a missed reminder could be about, to the farthest lead."""
    low = min(now, last_tick + lookahead) if last_tick is not None else now
    high = now + lookahead + timedelta(minutes=max(config_leads))
    return low, high


def _booking_reminders(
    session: Session, now: datetime, config: TickConfig, last_tick: datetime | None
) -> tuple[list[_Wanted], int]:
    low, high = _window(now, config.booking_leads, config.lookahead, last_tick)
    rows = session.execute(
        sa.select(Reservation.id, Reservation.user_id, Reservation.start_at, Reservation.created_at, Space.name)
        .join(Space, Space.id == Reservation.space_id)
        .join(User, User.id == Reservation.user_id)
        .where(
            Reservation.status == ReservationStatus.CONFIRMED,
            Reservation.start_at > low,
            Reservation.start_at <= high,
            User.booking_reminders.is_(True),
            User.active.is_(True),
            User.telegram_id.is_not(None),
        )
        .order_by(Reservation.start_at, Reservation.id)
    ).all()
    wanted, missed = [], 0
    for booking_id, user_id, start, created, space in rows:
        due = plan_for(start, created, config.booking_leads, now, last_tick, config.lookahead)
        missed += due.missed
        for lead, at in due.queue:
            wanted.append(
                _Wanted(
                    user_id=user_id,
                    dedup=booking_dedup(booking_id, lead, start),
                    not_before=max(at, now),
                    params={"space": space, "when": outbox.dt(start)},
                    buttons=[
                        [outbox.button("rem.btn.cancel_booking", f"bk:cx:{booking_id}")],
                        [outbox.button("btn.menu", "menu:home")],
                    ],
                    ref={"booking": booking_id, "start": start.isoformat()},
                )
            )
    return wanted, missed


def _event_reminders(
    session: Session, now: datetime, config: TickConfig, last_tick: datetime | None
) -> tuple[list[_Wanted], int]:
    low, high = _window(now, config.event_leads, config.lookahead, last_tick)
    joined = sa.func.coalesce(Participation.updated_at, Participation.created_at)
    rows = session.execute(
        sa.select(Event.id, Event.title, Event.location, Event.starts_at, Participation.user_id, joined)
        .join(Participation, Participation.event_id == Event.id)
        .join(User, User.id == Participation.user_id)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > low,
            Event.starts_at <= high,
            Participation.status == ParticipationStatus.REGISTERED,
            User.active.is_(True),
            User.telegram_id.is_not(None),
        )
        .order_by(Event.starts_at, Event.id, Participation.user_id)
    ).all()
    wanted, missed = [], 0
    for event_id, title, place, start, user_id, since in rows:
        since = _aware(since)
        due = plan_for(start, since, config.event_leads, now, last_tick, config.lookahead)
        missed += due.missed
        for lead, at in due.queue:
            wanted.append(
                _Wanted(
                    user_id=user_id,
                    dedup=event_dedup(event_id, lead, user_id, start),
                    not_before=max(at, now),
                    params={"title": title, "when": outbox.dt(start), "place": place},
                    buttons=[
                        [outbox.button("rem.btn.open_event", f"ev:view:{event_id}")],
                        [outbox.button("btn.menu", "menu:home")],
                    ],
                    ref={"event": event_id, "start": start.isoformat(), "user": user_id},
                )
            )
    return wanted, missed


def _aware(value: datetime) -> datetime:
    """COALESCE loses the column type on SQLite: the value comes back naive, but it is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _existing(session: Session, keys: list[str]) -> set[str]:
    """The dedup keys already in the outbox: read first, so a tick does not retry every insert each minute."""
    found: set[str] = set()
    for i in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[i : i + _KEYS_PER_QUERY]
        found.update(session.scalars(sa.select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(chunk))))
    return found


def _queue(session: Session, kind: str, key: str, wanted: list[_Wanted], now: datetime, report: TickReport) -> None:
    if not wanted:
        return
    existing = _existing(session, [w.dedup for w in wanted])
    for item in wanted:
        if item.dedup in existing:
            continue
        # The unique dedup key, not the read above, is what keeps a racing process from queuing it twice.
        queued = outbox.notify(
            session,
            user_id=item.user_id,
            kind=kind,
            key=key,
            now=now,
            params=item.params,
            buttons=item.buttons,
            dedup_key=item.dedup,
            not_before=item.not_before,
            ref=item.ref,
        )
        if queued is not None:
            report.queued[kind] += 1


# --- withdrawing and re-checking -------------------------------------------------------------------


def withdraw_booking(session: Session, booking_id: int) -> int:
    """A cancelled booking's pending reminders are withdrawn now (the validator would drop them anyway)."""
    result = session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.kind == BOOKING_KIND,
            OutboxMessage.dedup_key.like(f"booking:{booking_id}:reminder:%"),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED, last_error="booking cancelled")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _same(start: datetime, iso: object) -> bool:
    try:
        return isinstance(iso, str) and datetime.fromisoformat(iso) == start
    except ValueError:
        return False


def booking_reminder_valid(session: Session, ref: dict[str, Any], now: datetime) -> bool:
    """Still worth sending: the booking is confirmed, at the same start, not begun, reminders still on."""
    row = session.execute(
        sa.select(Reservation.status, Reservation.start_at, User.booking_reminders)
        .join(User, User.id == Reservation.user_id)
        .where(Reservation.id == ref.get("booking"))
    ).first()
    return (
        row is not None
        and row.status == ReservationStatus.CONFIRMED
        and _same(row.start_at, ref.get("start"))
        and now < row.start_at
        and bool(row.booking_reminders)
    )


def event_reminder_valid(session: Session, ref: dict[str, Any], now: datetime) -> bool:
    """Still worth sending: the event is published, at the same start, not begun, and they are still in."""
    row = session.execute(
        sa.select(Event.status, Event.starts_at, Participation.status.label("participation"))
        .join(Participation, Participation.event_id == Event.id)
        .where(Event.id == ref.get("event"), Participation.user_id == ref.get("user"))
    ).first()
    return (
        row is not None
        and row.status == EventStatus.PUBLISHED
        and row.participation == ParticipationStatus.REGISTERED
        and _same(row.starts_at, ref.get("start"))
        and now < row.starts_at
    )


outbox.register_validator(BOOKING_KIND, booking_reminder_valid)
outbox.register_validator(EVENT_KIND, event_reminder_valid)
