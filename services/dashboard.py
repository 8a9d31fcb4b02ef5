"""The personal dashboard shown by /menu: a few counts and what comes next for this user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    OPEN_STATUSES,
    Event,
    EventStatus,
    Incident,
    Participation,
    ParticipationStatus,
    Reservation,
    ReservationStatus,
    Residence,
    Role,
    Space,
    Urgency,
)
from services.incidents import count_involved
from services.people import Me


@dataclass(frozen=True)
class Upcoming:
    title: str
    starts_at: datetime
    mine: bool = True


@dataclass(frozen=True)
class StaffCounts:
    open_incidents: int
    urgent_incidents: int
    bookings_today: int


@dataclass(frozen=True)
class Dashboard:
    me: Me
    open_incidents: int
    next_booking: Upcoming | None
    next_event: Upcoming | None
    staff: StaffCounts | None


def dashboard(session: Session, me: Me, now: datetime, default_tz: str = "Europe/Paris") -> Dashboard:
    open_incidents = count_involved(session, me.id, OPEN_STATUSES)

    booking = session.execute(
        sa.select(Space.name, Reservation.start_at)
        .join(Space, Space.id == Reservation.space_id)
        .where(
            Reservation.user_id == me.id,
            Reservation.status == ReservationStatus.CONFIRMED,
            Reservation.end_at > now,
        )
        .order_by(Reservation.start_at)
        .limit(1)
    ).first()

    upcoming_event = (
        sa.select(Event.title, Event.starts_at)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
        .order_by(Event.starts_at)
        .limit(1)
    )
    mine = session.execute(
        upcoming_event.join(Participation, Participation.event_id == Event.id).where(
            Participation.user_id == me.id, Participation.status == ParticipationStatus.REGISTERED
        )
    ).first()
    next_event = Upcoming(mine[0], mine[1]) if mine else None
    if next_event is None and me.residence_id is not None:
        # Nothing booked: show what the residence has next, as an invitation.
        anything = session.execute(upcoming_event.where(Event.residence_id == me.residence_id)).first()
        next_event = Upcoming(anything[0], anything[1], mine=False) if anything else None

    staff = None
    if me.role in (Role.MANAGER, Role.ADMIN):
        staff = _staff_counts(session, me, now, ZoneInfo(me.timezone or default_tz))

    return Dashboard(
        me=me,
        open_incidents=open_incidents,
        next_booking=Upcoming(booking[0], booking[1]) if booking else None,
        next_event=next_event,
        staff=staff,
    )


def _staff_counts(session: Session, me: Me, now: datetime, tz: ZoneInfo) -> StaffCounts:
    """A manager sees their residence; an admin without a residence sees the whole network.

    The whole network is still written as `residence_id IN (every residence)`: without a residence
    filter the (residence, status) index of the incidents and the (space, start) index of the
    reservations cannot serve, and SQLite scans every incident and every reservation ever made.
    """
    if me.role == Role.MANAGER or me.residence_id is not None:
        residence_ids = [me.residence_id] if me.residence_id is not None else []
    else:
        residence_ids = list(session.scalars(sa.select(Residence.id).order_by(Residence.id)))
    open_count, urgent_count = session.execute(
        sa.select(
            sa.func.count(Incident.id),
            sa.func.count(Incident.id).filter(Incident.urgency == Urgency.URGENT),
        ).where(Incident.residence_id.in_(residence_ids), Incident.status.in_(OPEN_STATUSES))
    ).one()
    local_today = now.astimezone(tz).date()
    day_start = datetime.combine(local_today, time(0), tz)
    day_end = datetime.combine(local_today + timedelta(days=1), time(0), tz)
    bookings_today = (
        session.scalar(
            sa.select(sa.func.count(Reservation.id))
            .join(Space, Space.id == Reservation.space_id)
            .where(
                Space.residence_id.in_(residence_ids),
                Reservation.status == ReservationStatus.CONFIRMED,
                Reservation.start_at >= day_start,
                Reservation.start_at < day_end,
            )
        )
        or 0
    )
    return StaffCounts(open_count or 0, urgent_count or 0, bookings_today)
