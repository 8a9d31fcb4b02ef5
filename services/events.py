"""Community events: browsing, signing up within capacity, the waiting list, proposals, attendance.

Capacity rests on the database, not on a count-then-insert: a registered participation holds a seat
number in 1..capacity and (event_id, seat) is unique, so two residents racing for the last seat
cannot both get it, whatever the backend or the number of processes. A seat is claimed by trying
free numbers, each inside a SAVEPOINT; a unique violation only means "someone was quicker".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Event, EventStatus, Participation, ParticipationStatus, Residence, Role, User
from services import outbox, points
from services.errors import EventFull, InvalidInput, NotAllowed, NotFound
from services.people import Me
from services.text import MONTHS, WEEKDAYS, fold
from services.validation import text_length

log = logging.getLogger(__name__)

PAGE_SIZE = 5
ATTENDANCE_PAGE_SIZE = 8
RECENT_DAYS = 30
TITLE_LEN = (3, 80)
PLACE_LEN = (2, 80)
DESCRIPTION_MAX = 1000
CAPACITY_RANGE = (1, 500)
MAX_AHEAD = timedelta(days=365)
HOLDS_SEAT = (ParticipationStatus.REGISTERED, ParticipationStatus.ATTENDED)


# --- what handlers get back ----------------------------------------------------------------------


@dataclass(frozen=True)
class EventLine:
    id: int
    title: str
    starts_at: datetime
    location: str
    capacity: int
    seats_left: int
    my_status: ParticipationStatus | None


@dataclass(frozen=True)
class EventPage:
    items: tuple[EventLine, ...]
    page: int
    has_next: bool
    pending: int  # proposals awaiting this manager's decision (0 for residents)


@dataclass(frozen=True)
class EventDetails:
    id: int
    title: str
    description: str
    location: str
    starts_at: datetime
    capacity: int
    seats_left: int
    status: EventStatus
    organizer_name: str | None
    my_status: ParticipationStatus | None
    waitlist_position: int | None
    started: bool
    can_register: bool
    can_join_waitlist: bool
    can_leave: bool
    can_cancel_event: bool
    can_take_attendance: bool
    can_decide: bool


@dataclass(frozen=True)
class JoinOutcome:
    event_id: int
    title: str
    status: ParticipationStatus  # REGISTERED or WAITLISTED
    seat: int | None
    position: int | None
    already: bool = False


@dataclass(frozen=True)
class LeaveOutcome:
    event_id: int
    title: str
    was: ParticipationStatus
    promoted: bool


@dataclass(frozen=True)
class Proposal:
    title: str
    starts_at: datetime
    location: str
    capacity: int
    description: str = ""


@dataclass(frozen=True)
class ProposalOutcome:
    event_id: int
    title: str
    status: EventStatus  # PUBLISHED directly, or PENDING a manager's approval
    managers_notified: int


@dataclass(frozen=True)
class Decision:
    event_id: int
    title: str
    status: EventStatus
    already: bool  # someone decided before this manager


@dataclass(frozen=True)
class Cancellation:
    event_id: int
    title: str
    notified: int


@dataclass(frozen=True)
class Attendee:
    participation_id: int
    name: str
    attended: bool


@dataclass(frozen=True)
class AttendanceSheet:
    event_id: int
    title: str
    starts_at: datetime
    items: tuple[Attendee, ...]
    page: int
    has_next: bool
    attended: int
    registered: int
    reward: int  # points each presence earns


@dataclass(frozen=True)
class Tick:
    name: str
    points: int  # 0 when this presence was already recorded


# --- input rules (each answer of the proposal flow is checked here, and again on submission) -------


def _clean_line(text: str | None) -> str:
    return " ".join((text or "").split())


def clean_title(text: str | None) -> str:
    return text_length("title", _clean_line(text), *TITLE_LEN)


def clean_location(text: str | None) -> str:
    return text_length("location", _clean_line(text), *PLACE_LEN)


def clean_description(text: str | None) -> str:
    value = (text or "").strip()
    if len(value) > DESCRIPTION_MAX:
        raise InvalidInput("description", "too_long", max=DESCRIPTION_MAX, length=len(value))
    return value


def parse_capacity(text: str | None) -> int:
    value = (text or "").strip()
    if not re.fullmatch(r"\d{1,6}", value):
        raise InvalidInput("capacity", "format", min=CAPACITY_RANGE[0], max=CAPACITY_RANGE[1])
    number = int(value)
    if not CAPACITY_RANGE[0] <= number <= CAPACITY_RANGE[1]:
        raise InvalidInput("capacity", "range", min=CAPACITY_RANGE[0], max=CAPACITY_RANGE[1])
    return number


_WEEKDAYS = WEEKDAYS
_MONTHS = MONTHS
_RELATIVE = {"aujourd'hui": 0, "aujourdhui": 0, "today": 0, "demain": 1, "tomorrow": 1, "apres-demain": 2}
_FILLERS = {"le", "a", "at", "on", "the", "prochain", "next", "de", "vers", ","}
_TIME_PATTERNS = (
    re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b"),
    re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})?(?![\d])"),
    re.compile(r"\b(\d{1,2}):(\d{2})\b"),
)


def _time_of(text: str) -> tuple[time, str]:
    for pattern in _TIME_PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = match.group(3) if pattern is _TIME_PATTERNS[0] else None
        if suffix is not None:
            if not 1 <= hour <= 12:
                raise InvalidInput("starts_at", "format")
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        if hour > 23 or minute > 59:
            raise InvalidInput("starts_at", "format")
        return time(hour, minute), (text[: match.start()] + " " + text[match.end() :])
    raise InvalidInput("starts_at", "format")


def _date_of(text: str, today: date) -> tuple[date, Literal["year", "week"] | None]:
    """The day named by `text`, and how far to roll it on if that moment has passed (none: it is past).

    A date without a year means the next such date (a year on); a weekday, the next such day (a week on).
    """
    words = [w for w in re.split(r"[\s,]+", text.replace("apres demain", "apres-demain")) if w and w not in _FILLERS]
    phrase = " ".join(words)
    if phrase in _RELATIVE:
        return today + timedelta(days=_RELATIVE[phrase]), None
    if phrase in _WEEKDAYS:
        ahead = (_WEEKDAYS[phrase] - today.weekday()) % 7
        return today + timedelta(days=ahead), "week"
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", phrase):
            return date(int(match[1]), int(match[2]), int(match[3])), None
        if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?", phrase):
            year = match[3]
            if year is None:
                return date(today.year, int(match[2]), int(match[1])), "year"
            return date(int(year) + (2000 if len(year) == 2 else 0), int(match[2]), int(match[1])), None
        if match := re.fullmatch(r"(?:(\w+) )?(\d{1,2})(?:er)? (\w+)(?: (\d{4}))?", phrase):
            if match[1] is not None and match[1] not in _WEEKDAYS:
                raise InvalidInput("starts_at", "format")
            month = _MONTHS.get(match[3])
            if month is None:
                raise InvalidInput("starts_at", "format")
            if match[4] is None:
                return date(today.year, month, int(match[2])), "year"
            return date(int(match[4]), month, int(match[2])), None
    except ValueError as error:  # 31/02 and the like
        raise InvalidInput("starts_at", "invalid_date") from error
    raise InvalidInput("starts_at", "format")


def parse_when(text: str | None, now: datetime, tz: str) -> datetime:
    """A date and time as residents type them, read in the residence's time zone, returned in UTC.

    Accepted: "25/12 15h", "25/12/2026 15:00", "demain 15h", "samedi 14h30", "25 décembre 15h",
    "tomorrow 3pm". Without a year, the next such date is meant. It must be ahead, within a year.
    """
    zone = ZoneInfo(tz)
    folded = fold((text or "").strip())
    if not folded or len(folded) > 60:
        raise InvalidInput("starts_at", "format")
    at, rest = _time_of(folded)
    local_now = now.astimezone(zone)
    day, roll = _date_of(rest.strip(), local_now.date())
    when = datetime.combine(day, at, zone)
    if roll is not None and when <= local_now:
        try:
            day = day.replace(year=day.year + 1) if roll == "year" else day + timedelta(days=7)
        except ValueError as error:  # 29/02 of a year that has none
            raise InvalidInput("starts_at", "invalid_date") from error
        when = datetime.combine(day, at, zone)
    when = when.astimezone(UTC)
    if when <= now:
        raise InvalidInput("starts_at", "past")
    if when > now + MAX_AHEAD:
        raise InvalidInput("starts_at", "too_far")
    return when


def validate(proposal: Proposal, now: datetime) -> Proposal:
    """Every rule of a proposal at once: the flow checked each answer, but a draft can be old."""
    if proposal.starts_at <= now:
        raise InvalidInput("starts_at", "past")
    if proposal.starts_at > now + MAX_AHEAD:
        raise InvalidInput("starts_at", "too_far")
    return Proposal(
        title=clean_title(proposal.title),
        starts_at=proposal.starts_at,
        location=clean_location(proposal.location),
        capacity=parse_capacity(str(proposal.capacity)),
        description=clean_description(proposal.description),
    )


# --- authorization ---------------------------------------------------------------------------------


def _is_manager_of(me: Me, residence_id: int) -> bool:
    return me.role == Role.ADMIN or (me.role == Role.MANAGER and me.residence_id == residence_id)


def _event(session: Session, me: Me, event_id: int) -> Event:
    """The event if `me` may see it: their residence's (any residence for an admin)."""
    event = session.scalar(sa.select(Event).where(Event.id == event_id).execution_options(populate_existing=True))
    if event is None:
        raise NotFound("event")
    if me.role != Role.ADMIN and event.residence_id != me.residence_id:
        raise NotAllowed("another residence")
    if event.status == EventStatus.PENDING and not (_is_manager_of(me, event.residence_id) or _organizes(me, event)):
        raise NotFound("event")  # a proposal is visible to its author and the managers only
    return event


def _organizes(me: Me, event: Event) -> bool:
    return event.organizer_id is not None and event.organizer_id == me.id


def _open_for_signup(event: Event, now: datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise InvalidInput("event", "cancelled")
    if event.status != EventStatus.PUBLISHED:
        raise InvalidInput("event", "not_published")
    if event.starts_at <= now:
        raise InvalidInput("event", "started")


# --- reading -----------------------------------------------------------------------------------------


def _seats_taken(event_id_column: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count(Participation.id))
        .where(Participation.event_id == event_id_column, Participation.seat.is_not(None))
        .scalar_subquery()
    )


def _page(
    session: Session, me: Me, where: list[sa.ColumnElement[bool]], order: list[sa.ColumnElement[object]], page: int
) -> tuple[tuple[EventLine, ...], bool]:
    page = max(page, 0)
    mine = (
        sa.select(Participation.status)
        .where(Participation.event_id == Event.id, Participation.user_id == me.id)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(Event, _seats_taken(Event.id), mine)
        .where(*where)
        .order_by(*order, Event.id)
        .limit(PAGE_SIZE + 1)
        .offset(page * PAGE_SIZE)
    ).all()
    items = tuple(
        EventLine(
            id=event.id,
            title=event.title,
            starts_at=event.starts_at,
            location=event.location,
            capacity=event.capacity,
            seats_left=max(event.capacity - (taken or 0), 0),
            my_status=ParticipationStatus(status) if status else None,
        )
        for event, taken, status in rows[:PAGE_SIZE]
    )
    return items, len(rows) > PAGE_SIZE


def _pending_count(session: Session, me: Me) -> int:
    if not me.is_staff:
        return 0
    stmt = sa.select(sa.func.count(Event.id)).where(Event.status == EventStatus.PENDING)
    if me.role == Role.MANAGER or me.residence_id is not None:
        stmt = stmt.where(Event.residence_id == me.residence_id)
    return session.scalar(stmt) or 0


def list_upcoming(session: Session, me: Me, now: datetime, page: int = 0) -> EventPage:
    """Published events of my residence that have not started, soonest first."""
    if me.residence_id is None:
        return EventPage((), 0, False, _pending_count(session, me))
    items, has_next = _page(
        session,
        me,
        [Event.residence_id == me.residence_id, Event.status == EventStatus.PUBLISHED, Event.starts_at > now],
        [Event.starts_at],
        page,
    )
    return EventPage(items, max(page, 0), has_next, _pending_count(session, me))


def list_recent(session: Session, me: Me, now: datetime, page: int = 0) -> EventPage:
    """Events of the last weeks, latest first: where organizers and managers record attendance."""
    if me.residence_id is None:
        return EventPage((), 0, False, 0)
    items, has_next = _page(
        session,
        me,
        [
            Event.residence_id == me.residence_id,
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at <= now,
            Event.starts_at > now - timedelta(days=RECENT_DAYS),
        ],
        [Event.starts_at.desc()],
        page,
    )
    return EventPage(items, max(page, 0), has_next, 0)


def list_pending(session: Session, me: Me, now: datetime, page: int = 0) -> EventPage:
    """Proposals awaiting a decision, for the managers of the residence (an admin: the network's)."""
    if not me.is_staff:
        raise NotAllowed("managers only")
    where = [Event.status == EventStatus.PENDING]
    if me.role == Role.MANAGER or me.residence_id is not None:
        where.append(Event.residence_id == me.residence_id)
    items, has_next = _page(session, me, where, [Event.starts_at], page)
    return EventPage(items, max(page, 0), has_next, _pending_count(session, me))


def _mine(session: Session, event_id: int, user_id: int) -> Participation | None:
    return session.scalar(
        sa.select(Participation)
        .where(Participation.event_id == event_id, Participation.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def _waitlist_order() -> tuple[sa.ColumnElement[object], ...]:
    # Ordered by when they joined the list (updated_at is set on joining); the id breaks ties.
    return (sa.func.coalesce(Participation.updated_at, Participation.created_at), Participation.id)


def _position(session: Session, row: Participation) -> int:
    joined = row.updated_at or row.created_at
    ahead = session.scalar(
        sa.select(sa.func.count(Participation.id)).where(
            Participation.event_id == row.event_id,
            Participation.status == ParticipationStatus.WAITLISTED,
            Participation.id != row.id,
            sa.or_(
                sa.func.coalesce(Participation.updated_at, Participation.created_at) < joined,
                sa.and_(
                    sa.func.coalesce(Participation.updated_at, Participation.created_at) == joined,
                    Participation.id < row.id,
                ),
            ),
        )
    )
    return (ahead or 0) + 1


def _taken_count(session: Session, event_id: int) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count(Participation.id)).where(
                Participation.event_id == event_id, Participation.seat.is_not(None)
            )
        )
        or 0
    )


def event_details(session: Session, me: Me, event_id: int, now: datetime) -> EventDetails:
    event = _event(session, me, event_id)
    row = _mine(session, event.id, me.id)
    seats_left = max(event.capacity - _taken_count(session, event.id), 0)
    organizer = session.get(User, event.organizer_id) if event.organizer_id else None
    status = row.status if row and row.status != ParticipationStatus.CANCELLED else None
    started = event.starts_at <= now
    open_ = event.status == EventStatus.PUBLISHED and not started
    in_charge = _organizes(me, event) or _is_manager_of(me, event.residence_id)
    return EventDetails(
        id=event.id,
        title=event.title,
        description=event.description,
        location=event.location,
        starts_at=event.starts_at,
        capacity=event.capacity,
        seats_left=seats_left,
        status=event.status,
        organizer_name=organizer.first_name if organizer else None,
        my_status=status,
        waitlist_position=_position(session, row) if row and status == ParticipationStatus.WAITLISTED else None,
        started=started,
        can_register=open_ and seats_left > 0 and status in (None, ParticipationStatus.WAITLISTED),
        can_join_waitlist=open_ and seats_left == 0 and status is None,
        can_leave=open_ and status in (ParticipationStatus.REGISTERED, ParticipationStatus.WAITLISTED),
        can_cancel_event=in_charge and event.status != EventStatus.CANCELLED and not started,
        can_take_attendance=in_charge and event.status == EventStatus.PUBLISHED and started,
        can_decide=event.status == EventStatus.PENDING and _is_manager_of(me, event.residence_id),
    )


# --- signing up, the waiting list, leaving ------------------------------------------------------------


def _claim_seat(session: Session, event: Event, user_id: int, row_id: int | None, now: datetime) -> int | None:
    """Try free seat numbers, each in a SAVEPOINT; the unique (event, seat) decides who wins a race.

    `row_id` is the user's existing participation (cancelled or waitlisted), updated in place;
    without one a row is inserted. Returns the seat, or None when every seat is held.
    """
    taken = set(
        session.scalars(
            sa.select(Participation.seat).where(Participation.event_id == event.id, Participation.seat.is_not(None))
        )
    )
    for seat in range(1, event.capacity + 1):
        if seat in taken:
            continue
        try:
            with session.begin_nested():
                if row_id is None:
                    session.execute(
                        sa.insert(Participation).values(
                            event_id=event.id,
                            user_id=user_id,
                            status=ParticipationStatus.REGISTERED,
                            seat=seat,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                else:
                    done = session.execute(
                        sa.update(Participation)
                        .where(
                            Participation.id == row_id,
                            Participation.status.in_([ParticipationStatus.CANCELLED, ParticipationStatus.WAITLISTED]),
                        )
                        .values(status=ParticipationStatus.REGISTERED, seat=seat, updated_at=now)
                    )
                    if done.rowcount != 1:
                        return None  # the row changed under us (a double tap): the caller re-reads it
        except IntegrityError:
            if row_id is None and _mine(session, event.id, user_id) is not None:
                return None  # our own other request inserted the row first
            continue  # someone took this seat a moment ago: try the next one
        return seat
    return None


def _join(session: Session, me: Me, event_id: int, now: datetime, *, wait_if_full: bool) -> JoinOutcome:
    event = _event(session, me, event_id)
    _open_for_signup(event, now)
    row = _mine(session, event.id, me.id)
    if row is not None and row.status in HOLDS_SEAT:
        return JoinOutcome(event.id, event.title, ParticipationStatus.REGISTERED, row.seat, None, already=True)
    seat = _claim_seat(session, event, me.id, row.id if row else None, now)
    if seat is not None:
        log.info("participation registered: event %s seat %s", event.id, seat)
        return JoinOutcome(event.id, event.title, ParticipationStatus.REGISTERED, seat, None)
    row = _mine(session, event.id, me.id)
    if row is not None and row.status in HOLDS_SEAT:  # a concurrent request of ours won
        return JoinOutcome(event.id, event.title, ParticipationStatus.REGISTERED, row.seat, None, already=True)
    if row is not None and row.status == ParticipationStatus.WAITLISTED:
        return JoinOutcome(event.id, event.title, row.status, None, _position(session, row), already=True)
    if not wait_if_full:
        raise EventFull(event.title)
    if row is None:
        try:
            with session.begin_nested():
                row = Participation(
                    event_id=event.id,
                    user_id=me.id,
                    status=ParticipationStatus.WAITLISTED,
                    seat=None,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
        except IntegrityError:
            row = _mine(session, event.id, me.id)
            assert row is not None
            return _join_outcome(session, event, row)
    else:
        session.execute(
            sa.update(Participation)
            .where(Participation.id == row.id, Participation.status == ParticipationStatus.CANCELLED)
            .values(status=ParticipationStatus.WAITLISTED, seat=None, updated_at=now)
        )
        row = _mine(session, event.id, me.id)
        assert row is not None
    return _join_outcome(session, event, row)


def _join_outcome(session: Session, event: Event, row: Participation) -> JoinOutcome:
    position = _position(session, row) if row.status == ParticipationStatus.WAITLISTED else None
    return JoinOutcome(event.id, event.title, row.status, row.seat, position)


def register(session: Session, me: Me, event_id: int, now: datetime) -> JoinOutcome:
    """Take a seat; raises EventFull when none is left (the resident may then join the waiting list)."""
    return _join(session, me, event_id, now, wait_if_full=False)


def join_waitlist(session: Session, me: Me, event_id: int, now: datetime) -> JoinOutcome:
    """Join the waiting list, or get a seat straight away if one has freed meanwhile."""
    return _join(session, me, event_id, now, wait_if_full=True)


def leave(session: Session, me: Me, event_id: int, now: datetime) -> LeaveOutcome:
    """Cancel my participation; a freed seat goes to the first on the waiting list, in this transaction."""
    event = _event(session, me, event_id)
    if event.status == EventStatus.CANCELLED:
        raise InvalidInput("event", "cancelled")
    if event.starts_at <= now:
        raise InvalidInput("event", "started")
    row = _mine(session, event.id, me.id)
    if row is None or row.status not in (ParticipationStatus.REGISTERED, ParticipationStatus.WAITLISTED):
        raise InvalidInput("participation", "not_registered")
    was, seat = row.status, row.seat
    done = session.execute(
        sa.update(Participation)
        .where(Participation.id == row.id, Participation.status == was)
        .values(status=ParticipationStatus.CANCELLED, seat=None, updated_at=now)
    )
    if done.rowcount != 1:
        raise InvalidInput("participation", "not_registered")  # a concurrent request already did it
    promoted = False
    if seat is not None and event.status == EventStatus.PUBLISHED:
        promoted = _promote(session, event, seat, now)
    return LeaveOutcome(event.id, event.title, was, promoted)


def _promote(session: Session, event: Event, seat: int, now: datetime) -> bool:
    """Give the freed seat to the first waiting resident and tell them.

    Each candidate is moved only if still waitlisted (a conditional UPDATE), and the seat only if
    free (the unique index): two cancellations cannot promote the same person, nor one seat twice.
    """
    waiting = session.execute(
        sa.select(Participation.id, Participation.user_id, Participation.updated_at)
        .where(Participation.event_id == event.id, Participation.status == ParticipationStatus.WAITLISTED)
        .order_by(*_waitlist_order())
    ).all()
    for participation_id, user_id, joined in waiting:
        try:
            with session.begin_nested():
                done = session.execute(
                    sa.update(Participation)
                    .where(Participation.id == participation_id, Participation.status == ParticipationStatus.WAITLISTED)
                    .values(status=ParticipationStatus.REGISTERED, seat=seat, updated_at=now)
                )
        except IntegrityError:
            return False  # the seat is already someone's: nothing left to give
        if done.rowcount != 1:
            continue  # they left the list or were promoted meanwhile
        episode = int(joined.timestamp()) if joined else 0
        outbox.notify(
            session,
            user_id=user_id,
            kind="event_seat",
            key="ev.notify.seat",
            now=now,
            params={"title": event.title, "when": outbox.dt(event.starts_at), "place": event.location},
            buttons=[[outbox.button("ev.btn.view", f"ev:view:{event.id}")]],
            dedup_key=f"event_seat:{participation_id}:{episode}",
        )
        log.info("waiting list promotion: event %s seat %s", event.id, seat)
        return True
    return False


# --- proposals and the managers' decision -------------------------------------------------------------


def proposals_need_approval(session: Session, me: Me) -> bool:
    """Whether a proposal of mine waits for a manager (told to the proposer before they confirm)."""
    if me.residence_id is None or me.is_staff:
        return False
    residence = session.get(Residence, me.residence_id)
    return bool(residence and residence.event_proposals_need_approval)


def propose(session: Session, me: Me, proposal: Proposal, now: datetime) -> ProposalOutcome:
    """Create the event; published at once by a manager or where the residence allows it, else pending.

    The organizer is registered automatically and holds seat 1.
    """
    if me.residence_id is None:
        raise NotAllowed("no residence")
    clean = validate(proposal, now)
    residence = session.get(Residence, me.residence_id)
    if residence is None:
        raise NotFound("residence")
    needs_approval = proposals_need_approval(session, me)
    event = Event(
        residence_id=residence.id,
        organizer_id=me.id,
        title=clean.title,
        description=clean.description,
        location=clean.location,
        starts_at=clean.starts_at,
        ends_at=None,
        capacity=clean.capacity,
        status=EventStatus.PENDING if needs_approval else EventStatus.PUBLISHED,
        created_at=now,
    )
    session.add(event)
    session.flush()
    session.add(
        Participation(
            event_id=event.id,
            user_id=me.id,
            status=ParticipationStatus.REGISTERED,
            seat=1,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    notified = 0
    if needs_approval:
        managers = session.scalars(
            sa.select(User.id).where(
                User.residence_id == residence.id, User.role == Role.MANAGER, User.active.is_(True)
            )
        ).all()
        queued = outbox.notify_many(
            session,
            managers,
            kind="event_proposed",
            key="ev.notify.proposed",
            now=now,
            params={
                "name": me.full_name,
                "apartment": me.apartment or "—",
                "title": clean.title,
                "when": outbox.dt(clean.starts_at),
                "place": clean.location,
                "capacity": clean.capacity,
                "description": clean.description or "—",
            },
            buttons=[
                [
                    outbox.button("ev.btn.approve", f"ev:approve:{event.id}"),
                    outbox.button("ev.btn.reject", f"ev:reject:{event.id}"),
                ]
            ],
            dedup_key=lambda manager_id: f"event_proposed:{event.id}:{manager_id}",
        )
        notified = sum(queued)
    log.info("event %s proposed (%s)", event.id, event.status.value)
    return ProposalOutcome(event.id, event.title, event.status, notified)


def decide(session: Session, me: Me, event_id: int, approve: bool, now: datetime) -> Decision:
    """A manager of the residence (or an admin) publishes or rejects a proposal, once."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("event")
    if not _is_manager_of(me, event.residence_id):
        raise NotAllowed("managers of the residence only")
    if event.status != EventStatus.PENDING:
        return Decision(event.id, event.title, event.status, already=True)
    if approve and event.starts_at <= now:
        raise InvalidInput("event", "started")
    target = EventStatus.PUBLISHED if approve else EventStatus.CANCELLED
    done = session.execute(
        sa.update(Event).where(Event.id == event.id, Event.status == EventStatus.PENDING).values(status=target)
    )
    session.refresh(event)
    if done.rowcount != 1:  # another manager decided at the same moment
        return Decision(event.id, event.title, event.status, already=True)
    if event.organizer_id is not None:
        outbox.notify(
            session,
            user_id=event.organizer_id,
            kind="event_decided",
            key="ev.notify.approved" if approve else "ev.notify.rejected",
            now=now,
            params={"title": event.title, "when": outbox.dt(event.starts_at)},
            buttons=[[outbox.button("ev.btn.view", f"ev:view:{event.id}")]] if approve else None,
            dedup_key=f"event_decided:{event.id}",
        )
    log.info("event %s %s by a manager", event.id, target.value)
    return Decision(event.id, event.title, target, already=False)


def cancel_event(session: Session, me: Me, event_id: int, now: datetime) -> Cancellation:
    """The organizer or a manager calls the event off; everyone registered or waiting is told."""
    event = _event(session, me, event_id)
    if not (_organizes(me, event) or _is_manager_of(me, event.residence_id)):
        raise NotAllowed("organizer or manager only")
    if event.status == EventStatus.CANCELLED:
        raise InvalidInput("event", "cancelled")
    if event.starts_at <= now:
        raise InvalidInput("event", "started")
    done = session.execute(
        sa.update(Event)
        .where(Event.id == event.id, Event.status != EventStatus.CANCELLED)
        .values(status=EventStatus.CANCELLED)
    )
    if done.rowcount != 1:
        raise InvalidInput("event", "cancelled")
    people = session.scalars(
        sa.select(Participation.user_id).where(
            Participation.event_id == event.id,
            Participation.status.in_([ParticipationStatus.REGISTERED, ParticipationStatus.WAITLISTED]),
            Participation.user_id != me.id,
        )
    ).all()
    queued = outbox.notify_many(
        session,
        people,
        kind="event_cancelled",
        key="ev.notify.cancelled",
        now=now,
        params={"title": event.title, "when": outbox.dt(event.starts_at), "place": event.location},
        dedup_key=lambda user_id: f"event_cancelled:{event.id}:{user_id}",
    )
    notified = sum(queued)
    log.info("event %s cancelled; %d participants notified", event.id, notified)
    return Cancellation(event.id, event.title, notified)


# --- attendance -----------------------------------------------------------------------------------------


def _attendance_event(session: Session, me: Me, event_id: int, now: datetime) -> Event:
    event = _event(session, me, event_id)
    if not (_organizes(me, event) or _is_manager_of(me, event.residence_id)):
        raise NotAllowed("organizer or manager only")
    if event.status != EventStatus.PUBLISHED:
        raise InvalidInput("event", "cancelled" if event.status == EventStatus.CANCELLED else "not_published")
    if event.starts_at > now:
        raise InvalidInput("event", "not_started")
    return event


def attendance(session: Session, me: Me, event_id: int, now: datetime, page: int = 0) -> AttendanceSheet:
    """Who held a seat, and who has been marked present, for the organizer or a manager."""
    event = _attendance_event(session, me, event_id, now)
    page = max(page, 0)
    held = [Participation.event_id == event.id, Participation.status.in_(HOLDS_SEAT)]
    rows = session.execute(
        sa.select(Participation.id, User.first_name, User.last_name, Participation.status)
        .join(User, User.id == Participation.user_id)
        .where(*held)
        .order_by(Participation.seat, Participation.id)
        .limit(ATTENDANCE_PAGE_SIZE + 1)
        .offset(page * ATTENDANCE_PAGE_SIZE)
    ).all()
    counts = session.execute(
        sa.select(
            sa.func.count(Participation.id),
            sa.func.count(Participation.id).filter(Participation.status == ParticipationStatus.ATTENDED),
        ).where(*held)
    ).one()
    items = tuple(
        Attendee(pid, _short_name(first, last), status == ParticipationStatus.ATTENDED)
        for pid, first, last, status in rows[:ATTENDANCE_PAGE_SIZE]
    )
    return AttendanceSheet(
        event.id,
        event.title,
        event.starts_at,
        items,
        page,
        len(rows) > ATTENDANCE_PAGE_SIZE,
        attended=counts[1] or 0,
        registered=counts[0] or 0,
        reward=points.RULES["event_attended"],
    )


def _short_name(first: str, last: str) -> str:
    return f"{first} {last[:1]}." if last else first


def mark_attended(session: Session, me: Me, event_id: int, participation_id: int, now: datetime) -> Tick:
    """Record one presence and pay its points, once (the ledger's unique reference makes sure)."""
    event = _attendance_event(session, me, event_id, now)
    row = session.execute(
        sa.select(Participation.user_id, Participation.status, User.first_name, User.last_name)
        .join(User, User.id == Participation.user_id)
        .where(Participation.id == participation_id, Participation.event_id == event.id)
    ).first()
    if row is None or row.status not in HOLDS_SEAT:
        raise NotFound("participation")
    session.execute(
        sa.update(Participation)
        .where(Participation.id == participation_id, Participation.status == ParticipationStatus.REGISTERED)
        .values(status=ParticipationStatus.ATTENDED, updated_at=now)
    )
    paid = points.award(session, row.user_id, "event_attended", f"event:{event.id}", now)
    return Tick(_short_name(row.first_name, row.last_name), paid)
