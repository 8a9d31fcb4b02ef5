"""Booking shared spaces: the slot grid, the rules chain, and the database's guard against double booking.

Why it is shaped this way:
- Every rule of a space is one small validator with its own reason (`CHAIN`); the chain answers with
  the first rule that refuses, so a refusal can always say *which* rule said no, and the same chain
  picks the alternatives offered instead (only slots that pass every rule are ever offered).
- The validators read the database, so two residents can both pass them for the last place. What
  makes double booking impossible is the insert: each covered slot claims a `ReservationSlot` unit
  inside a SAVEPOINT, and the unique constraints let exactly one claimant have each unit.
- The grid is built in local wall time (a laundry slot is "10:00" every day, whatever the UTC
  offset) and converted to UTC; wall times that do not exist (the spring-forward hour) are skipped.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from icalendar import Calendar, Event, Timezone
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    Reservation,
    ReservationSlot,
    ReservationStatus,
    Residence,
    Space,
    SpaceKind,
    User,
)
from services import outbox, reminders
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound, SlotTaken
from services.people import Me, reachable_managers
from services.text import MONTHS, WEEKDAYS, squash

log = logging.getLogger(__name__)

DAY_MINUTES = 24 * 60
PAGE_SIZE = 5
MAX_ALTERNATIVES = 3
MAX_SLOTS = 400
# A space that "closes" at 23:59 is open until midnight: its last slot may end at 24:00.
END_OF_DAY = time(23, 59)


# --- values handed to handlers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    """A length of time as the residents think of it: hours and minutes, or nights for a guest room."""

    minutes: int
    nightly: bool = False


@dataclass(frozen=True)
class SpaceView:
    id: int
    name: str
    kind: str
    description: str
    capacity: int
    opens_at: time
    closes_at: time
    slot_minutes: int
    min_notice_minutes: int
    max_advance_days: int
    max_duration_minutes: int
    weekly_quota: int
    cancel_deadline_minutes: int
    timezone: str
    address: str

    @property
    def nightly(self) -> bool:
        """Booked by the night: one slot a day, so there is no time of day to choose."""
        return self.slot_minutes >= DAY_MINUTES

    @property
    def max_slots(self) -> int:
        return max(1, self.max_duration_minutes // self.slot_minutes)

    def duration(self, minutes: int) -> Duration:
        return Duration(minutes, self.nightly)


@dataclass(frozen=True)
class Option:
    """A booking that could be made: start, length in slots, and the units still free."""

    space_id: int
    start: datetime
    end: datetime
    slots: int
    duration: Duration
    free: int
    cancel_until: datetime


@dataclass(frozen=True)
class Refusal:
    rule: str
    details: Mapping[str, object] = field(default_factory=dict)


class Refused(DomainError):
    """A rule of the space refused the booking (or its cancellation); `alternatives` would work."""

    def __init__(self, refusal: Refusal, alternatives: Sequence[Option] = (), space: SpaceView | None = None) -> None:
        super().__init__(refusal.rule)
        self.refusal = refusal
        self.alternatives = list(alternatives)
        self.space = space


class Taken(SlotTaken):
    """Every unit of a slot went to someone else between the checks and the insert."""

    def __init__(self, alternatives: Sequence[Option], space: SpaceView) -> None:
        super().__init__("slot taken")
        self.alternatives = list(alternatives)
        self.space = space


@dataclass(frozen=True)
class DayOption:
    day: date
    bookable: bool


@dataclass(frozen=True)
class DayPlan:
    space: SpaceView
    today: date
    last: date
    days: list[DayOption]


@dataclass(frozen=True)
class DaySlots:
    space: SpaceView
    day: date
    options: list[Option]


@dataclass(frozen=True)
class StartChoice:
    """The lengths a chosen start can really be booked for."""

    space: SpaceView
    start: datetime
    options: list[Option]


@dataclass(frozen=True)
class Proposal:
    """A booking that passes every rule right now, as shown before the resident confirms it."""

    space: SpaceView
    option: Option


@dataclass(frozen=True)
class BookingView:
    id: int
    space_id: int
    space_name: str
    start_at: datetime
    end_at: datetime
    duration: Duration
    status: str
    timezone: str
    cancel_until: datetime


@dataclass(frozen=True)
class Booked:
    booking: BookingView
    ics: bytes
    filename: str
    reminder: bool  # the resident will get its reminders (not turned off in /compte)


@dataclass(frozen=True)
class BookingPage:
    items: list[BookingView]
    page: int
    has_next: bool
    total: int


# --- the grid in local wall time -------------------------------------------------------------------


def _utc(wall: datetime, tz: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=tz).astimezone(UTC)


def _wall(moment: datetime, tz: ZoneInfo) -> datetime:
    """Local wall time, naive: arithmetic on it is wall-clock arithmetic."""
    return moment.astimezone(tz).replace(tzinfo=None, fold=0)


def _exists(wall: datetime, tz: ZoneInfo) -> bool:
    """False for the wall times skipped when clocks go forward."""
    return _wall(_utc(wall, tz), tz) == wall


def _opening(space: SpaceView, day: date) -> tuple[datetime, datetime]:
    opens = datetime.combine(day, space.opens_at)
    if space.closes_at >= END_OF_DAY:
        return opens, datetime.combine(day + timedelta(days=1), time(0))
    return opens, datetime.combine(day, space.closes_at)


def _day_starts(space: SpaceView, tz: ZoneInfo, day: date) -> Iterator[datetime]:
    """The UTC starts of a day's slots, stepped in wall time from the opening hour."""
    wall, closes = _opening(space, day)
    step = timedelta(minutes=space.slot_minutes)
    while wall + step <= closes:
        if _exists(wall, tz):
            yield _utc(wall, tz)
        wall += step


@dataclass(frozen=True)
class _Candidate:
    start: datetime
    slots: int
    walls: tuple[datetime, ...]  # wall start of each covered slot, then the wall end
    slot_starts: tuple[datetime, ...]  # UTC start of each covered slot
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.walls[-1] - self.walls[0]).total_seconds() // 60)


def _candidate(space: SpaceView, tz: ZoneInfo, start: datetime, slots: int) -> _Candidate:
    first = _wall(start, tz)
    step = timedelta(minutes=space.slot_minutes)
    walls = tuple(first + step * k for k in range(slots + 1))
    slot_starts = (start, *(_utc(w, tz) for w in walls[1:-1]))
    return _Candidate(start, slots, walls, slot_starts, _utc(walls[-1], tz))


# --- the rules chain ---------------------------------------------------------------------------------


@dataclass
class _Board:
    """What the validators need, read once: the space, who asks, when, and who holds which slot."""

    space: SpaceView
    tz: ZoneInfo
    user_id: int
    now: datetime
    taken: dict[datetime, int]
    mine: list[tuple[int, datetime, datetime]]  # the user's confirmed bookings here: id, start, end
    ignore: int | None = None  # a booking left out of overlap and quota (the one being cancelled)

    @property
    def today(self) -> date:
        return _wall(self.now, self.tz).date()

    @property
    def last_day(self) -> date:
        return self.today + timedelta(days=self.space.max_advance_days)


Validator = Callable[[_Board, _Candidate], Refusal | None]


def not_past(board: _Board, c: _Candidate) -> Refusal | None:
    return Refusal("past") if c.start < board.now else None


def slot_grid(board: _Board, c: _Candidate) -> Refusal | None:
    space = board.space
    for wall, utc in zip(c.walls, c.slot_starts, strict=False):
        opens, _ = _opening(space, wall.date())
        offset = (wall - opens).total_seconds() / 60
        if offset < 0 or offset % space.slot_minutes or not _exists(wall, board.tz) or _utc(wall, board.tz) != utc:
            return Refusal("slot_grid", {"slot": space.duration(space.slot_minutes), "opens": space.opens_at})
    return None


def opening_hours(board: _Board, c: _Candidate) -> Refusal | None:
    space = board.space
    step = timedelta(minutes=space.slot_minutes)
    for wall in c.walls[:-1]:
        opens, closes = _opening(space, wall.date())
        if wall < opens or wall + step > closes:
            return Refusal("opening_hours", {"opens": space.opens_at, "closes": closing_label(space)})
    return None


def min_notice(board: _Board, c: _Candidate) -> Refusal | None:
    notice = board.space.min_notice_minutes
    if c.start < board.now + timedelta(minutes=notice):
        return Refusal("min_notice", {"notice": Duration(notice)})
    return None


def max_advance(board: _Board, c: _Candidate) -> Refusal | None:
    if c.walls[0].date() > board.last_day:
        return Refusal("max_advance", {"days": board.space.max_advance_days, "last": board.last_day})
    return None


def max_duration(board: _Board, c: _Candidate) -> Refusal | None:
    space = board.space
    if c.minutes > space.max_duration_minutes:
        return Refusal("max_duration", {"max": space.duration(space.max_duration_minutes)})
    return None


def no_overlap(board: _Board, c: _Candidate) -> Refusal | None:
    for booking_id, start, end in board.mine:
        if booking_id != board.ignore and start < c.end and end > c.start:
            return Refusal("overlap", {"start": start})
    return None


def weekly_quota(board: _Board, c: _Candidate) -> Refusal | None:
    week = c.walls[0].isocalendar()[:2]
    held = sum(
        1 for booking_id, start, _ in board.mine if booking_id != board.ignore and _week(start, board.tz) == week
    )
    if held >= board.space.weekly_quota:
        return Refusal("weekly_quota", {"quota": board.space.weekly_quota})
    return None


def capacity(board: _Board, c: _Candidate) -> Refusal | None:
    if any(board.taken.get(start, 0) >= board.space.capacity for start in c.slot_starts):
        return Refusal("capacity", {"capacity": board.space.capacity})
    return None


def cancel_deadline(board: _Board, c: _Candidate) -> Refusal | None:
    deadline = board.space.cancel_deadline_minutes
    until = c.start - timedelta(minutes=deadline)
    if board.now > until:
        return Refusal("cancel_deadline", {"deadline": Duration(deadline), "until": until})
    return None


@dataclass(frozen=True)
class Rule:
    name: str
    check: Validator
    on_book: bool = True
    on_cancel: bool = False


# The one chain, in the order a resident would want to hear the reasons.
CHAIN: tuple[Rule, ...] = (
    Rule("past", not_past),
    Rule("opening_hours", opening_hours),
    Rule("slot_grid", slot_grid),
    Rule("min_notice", min_notice),
    Rule("max_advance", max_advance),
    Rule("max_duration", max_duration),
    Rule("overlap", no_overlap),
    Rule("weekly_quota", weekly_quota),
    Rule("capacity", capacity),
    Rule("cancel_deadline", cancel_deadline, on_book=False, on_cancel=True),
)


def first_refusal(board: _Board, c: _Candidate, *, cancelling: bool = False) -> Refusal | None:
    for rule in CHAIN:
        if (rule.on_cancel if cancelling else rule.on_book) and (refusal := rule.check(board, c)) is not None:
            return refusal
    return None


def _week(moment: datetime, tz: ZoneInfo) -> tuple[int, int]:
    year, week, _ = _wall(moment, tz).isocalendar()
    return year, week


def closing_label(space: SpaceView) -> time | str:
    """23:59 is how "until midnight" is stored; residents read it as 24:00."""
    return "24:00" if space.closes_at >= END_OF_DAY else space.closes_at


# --- reading the space and its occupancy ------------------------------------------------------------


def _view(space: Space, residence: Residence) -> SpaceView:
    return SpaceView(
        id=space.id,
        name=space.name,
        kind=space.kind.value,
        description=space.description,
        capacity=max(1, space.capacity),
        opens_at=space.opens_at,
        closes_at=space.closes_at,
        slot_minutes=max(1, space.slot_minutes),
        min_notice_minutes=space.min_notice_minutes,
        max_advance_days=space.max_advance_days,
        max_duration_minutes=space.max_duration_minutes,
        weekly_quota=space.weekly_quota,
        cancel_deadline_minutes=space.cancel_deadline_minutes,
        timezone=residence.timezone,
        address=residence.address,
    )


def _space(session: Session, me: Me, space_id: int) -> SpaceView:
    """The space, if this user may book it: an active space of their own residence."""
    row = session.get(Space, space_id)
    if row is None or not row.active:
        raise NotFound("space")
    if me.residence_id is None or row.residence_id != me.residence_id:
        raise NotAllowed("space of another residence")
    residence = session.get(Residence, row.residence_id)
    assert residence is not None
    return _view(row, residence)


def _board(session: Session, space: SpaceView, user_id: int, now: datetime, ignore: int | None = None) -> _Board:
    tz = ZoneInfo(space.timezone)
    today = _wall(now, tz).date()
    week_start = _utc(datetime.combine(today - timedelta(days=today.weekday()), time(0)), tz)
    horizon = _utc(datetime.combine(today + timedelta(days=space.max_advance_days + 2), time(0)), tz)
    horizon += timedelta(minutes=space.max_duration_minutes)
    taken = dict(
        session.execute(
            sa.select(ReservationSlot.slot_start, sa.func.count(ReservationSlot.id))
            .where(
                ReservationSlot.space_id == space.id,
                ReservationSlot.slot_start >= week_start - timedelta(days=1),
                ReservationSlot.slot_start <= horizon,
            )
            .group_by(ReservationSlot.slot_start)
        ).all()
    )
    mine = [
        (row.id, row.start_at, row.end_at)
        for row in session.execute(
            sa.select(Reservation.id, Reservation.start_at, Reservation.end_at).where(
                Reservation.user_id == user_id,
                Reservation.space_id == space.id,
                Reservation.status == ReservationStatus.CONFIRMED,
                Reservation.end_at > week_start,
            )
        )
    ]
    return _Board(space, tz, user_id, now, taken, mine, ignore)


def _option(board: _Board, c: _Candidate) -> Option:
    free = min(board.space.capacity - board.taken.get(s, 0) for s in c.slot_starts)
    until = c.start - timedelta(minutes=board.space.cancel_deadline_minutes)
    return Option(board.space.id, c.start, c.end, c.slots, board.space.duration(c.minutes), max(0, free), until)


def _window(board: _Board) -> Iterator[date]:
    day = board.today
    while day <= board.last_day:
        yield day
        day += timedelta(days=1)


def _bookable(board: _Board, day: date, slots: int = 1) -> Iterator[_Candidate]:
    for start in _day_starts(board.space, board.tz, day):
        c = _candidate(board.space, board.tz, start, slots)
        if first_refusal(board, c) is None:
            yield c


def _alternatives(board: _Board, wanted: _Candidate) -> list[Option]:
    """Up to three bookings that pass every rule, nearest in time to the one refused."""
    lengths = [min(wanted.slots, board.space.max_slots)]
    if lengths[0] > 1:
        lengths.append(1)
    for slots in lengths:
        found = [
            c
            for day in _window(board)
            for c in _bookable(board, day, slots)
            if not (c.start == wanted.start and c.slots == wanted.slots)
        ]
        if found:
            found.sort(key=lambda c: (abs((c.start - wanted.start).total_seconds()), c.start))
            return [_option(board, c) for c in found[:MAX_ALTERNATIVES]]
    return []


def _refuse(board: _Board, c: _Candidate, refusal: Refusal) -> Refused:
    return Refused(refusal, _alternatives(board, c), board.space)


# --- the booking steps -------------------------------------------------------------------------------


def spaces(session: Session, me: Me) -> list[SpaceView]:
    """The active spaces of my residence (none for an account without a residence)."""
    if me.residence_id is None:
        return []
    residence = session.get(Residence, me.residence_id)
    if residence is None:
        return []
    rows = session.scalars(
        sa.select(Space).where(Space.residence_id == me.residence_id, Space.active.is_(True)).order_by(Space.id)
    )
    return [_view(row, residence) for row in rows]


def days(session: Session, me: Me, space_id: int, now: datetime) -> DayPlan:
    """Every day of the advance window, and whether it still has a slot this user could book."""
    space = _space(session, me, space_id)
    board = _board(session, space, me.id, now)
    options = [DayOption(day, next(_bookable(board, day), None) is not None) for day in _window(board)]
    return DayPlan(space, board.today, board.last_day, options)


def day_slots(session: Session, me: Me, space_id: int, day: date, now: datetime) -> DaySlots:
    """The single slots of a day that pass every rule for this user; refuses days outside the window."""
    space = _space(session, me, space_id)
    board = _board(session, space, me.id, now)
    if day < board.today:
        raise InvalidInput("day", "past", day=day)
    if day > board.last_day:
        raise InvalidInput("day", "too_far", day=day, last=board.last_day, days=space.max_advance_days)
    return DaySlots(space, day, [_option(board, c) for c in _bookable(board, day)])


def typed_day(session: Session, me: Me, space_id: int, text: str, now: datetime) -> DaySlots:
    """A date the user wrote, read in the residence's time zone."""
    space = _space(session, me, space_id)
    today = _wall(now, ZoneInfo(space.timezone)).date()
    return day_slots(session, me, space_id, parse_day(text, today), now)


def start_choice(session: Session, me: Me, space_id: int, start: datetime, now: datetime) -> StartChoice:
    """The lengths this start can be booked for; refused (with alternatives) if not even one slot can."""
    space = _space(session, me, space_id)
    board = _board(session, space, me.id, now)
    first = _candidate(space, board.tz, start, 1)
    refusal = first_refusal(board, first)
    if refusal is not None:
        raise _refuse(board, first, refusal)
    options = []
    for slots in range(1, space.max_slots + 1):
        c = _candidate(space, board.tz, start, slots)
        if first_refusal(board, c) is not None:
            break  # a longer booking covers this one's slots and rules: it cannot pass either
        options.append(_option(board, c))
    return StartChoice(space, start, options)


def check(session: Session, me: Me, space_id: int, start: datetime, slots: int, now: datetime) -> Proposal:
    """The booking as it would be made, if every rule passes now (the summary before confirming)."""
    space = _space(session, me, space_id)
    _check_length(slots)
    board = _board(session, space, me.id, now)
    c = _candidate(space, board.tz, start, slots)
    refusal = first_refusal(board, c)
    if refusal is not None:
        raise _refuse(board, c, refusal)
    return Proposal(space, _option(board, c))


def _check_length(slots: int) -> None:
    # Longer than allowed is the max_duration rule's to refuse; this only keeps the arithmetic sane.
    if not 1 <= slots <= MAX_SLOTS:
        raise InvalidInput("slots", "out_of_range")


class _Full(Exception):
    """Raised inside the booking's savepoint so that every row it inserted is rolled back."""


def _claim(session: Session, reservation: Reservation, slot_start: datetime, units: int) -> int:
    """Take the first free unit of one slot; the unique constraints, not a prior read, decide."""
    for unit in range(1, units + 1):
        try:
            with session.begin_nested():
                session.add(
                    ReservationSlot(
                        reservation_id=reservation.id,
                        space_id=reservation.space_id,
                        user_id=reservation.user_id,
                        slot_start=slot_start,
                        unit=unit,
                    )
                )
                session.flush()
            return unit
        except IntegrityError:
            continue  # that unit is someone's (or this user already holds one): try the next
    raise _Full


def book(session: Session, me: Me, space_id: int, start: datetime, slots: int, now: datetime) -> Booked:
    """Book it, or say which rule refuses (Refused) or that the last unit just went (Taken)."""
    space = _space(session, me, space_id)
    _check_length(slots)
    board = _board(session, space, me.id, now)
    c = _candidate(space, board.tz, start, slots)
    refusal = first_refusal(board, c)
    if refusal is not None:
        raise _refuse(board, c, refusal)
    try:
        with session.begin_nested():
            reservation = Reservation(space_id=space.id, user_id=me.id, start_at=c.start, end_at=c.end, created_at=now)
            session.add(reservation)
            session.flush()
            for slot_start in c.slot_starts:
                _claim(session, reservation, slot_start, space.capacity)
    except _Full:
        log.info("slot taken at insert time on space %s", space.id)
        fresh = _board(session, space, me.id, now)
        raise Taken(_alternatives(fresh, c), space) from None

    view = _booking_view(reservation, space)
    reminder = _wants_reminders(session, me)
    if space.kind == SpaceKind.GUEST_ROOM.value:
        _tell_managers(session, me, space, view, "bk.notify.guest_booked", now)
    return Booked(view, calendar_file(view, space, now, me.language), f"reservation-{view.id}.ics", reminder)


def _booking_view(reservation: Reservation, space: SpaceView) -> BookingView:
    tz = ZoneInfo(space.timezone)
    minutes = int((_wall(reservation.end_at, tz) - _wall(reservation.start_at, tz)).total_seconds() // 60)
    return BookingView(
        id=reservation.id,
        space_id=space.id,
        space_name=space.name,
        start_at=reservation.start_at,
        end_at=reservation.end_at,
        duration=space.duration(minutes),
        status=reservation.status.value if reservation.status else ReservationStatus.CONFIRMED.value,
        timezone=space.timezone,
        cancel_until=reservation.start_at - timedelta(minutes=space.cancel_deadline_minutes),
    )


def _wants_reminders(session: Session, me: Me) -> bool:
    """The tick (services/reminders.py) derives the reminders from the booking itself; this only says
    whether this resident will get them (they can turn them off in /compte)."""
    return bool(session.scalar(sa.select(User.booking_reminders).where(User.id == me.id)))


def _tell_managers(session: Session, me: Me, space: SpaceView, view: BookingView, key: str, now: datetime) -> None:
    """The guest room needs the manager (keys, sheets): they hear of each booking and cancellation."""
    managers = [m for m in reachable_managers(session, me.residence_id) if m != me.id] if me.residence_id else []
    tz = ZoneInfo(space.timezone)
    for manager_id in managers:
        outbox.notify(
            session,
            user_id=manager_id,
            kind="booking_guest_room",
            key=key,
            now=now,
            params={
                "name": me.full_name,
                "apartment": me.apartment or "—",
                "space": space.name,
                "start": _wall(view.start_at, tz).strftime("%d/%m/%Y"),
                "end": _wall(view.end_at, tz).strftime("%d/%m/%Y"),
                "nights": max(1, view.duration.minutes // DAY_MINUTES),
            },
        )


# --- my bookings and cancelling ------------------------------------------------------------------------


def my_bookings(session: Session, me: Me, now: datetime, page: int = 0) -> BookingPage:
    """My confirmed bookings that have not ended yet, soonest first."""
    page = max(0, page)
    where = (
        Reservation.user_id == me.id,
        Reservation.status == ReservationStatus.CONFIRMED,
        Reservation.end_at > now,
    )
    total = session.scalar(sa.select(sa.func.count(Reservation.id)).where(*where)) or 0
    if page * PAGE_SIZE >= total and page > 0:
        page = max(0, (total - 1) // PAGE_SIZE)
    rows = session.execute(
        sa.select(Reservation, Space, Residence)
        .join(Space, Space.id == Reservation.space_id)
        .join(Residence, Residence.id == Space.residence_id)
        .where(*where)
        .order_by(Reservation.start_at, Reservation.id)
        .limit(PAGE_SIZE)
        .offset(page * PAGE_SIZE)
    ).all()
    items = [_booking_view(reservation, _view(space, residence)) for reservation, space, residence in rows]
    return BookingPage(items, page, (page + 1) * PAGE_SIZE < total, total)


def _own_booking(session: Session, me: Me, booking_id: int) -> tuple[Reservation, SpaceView]:
    reservation = session.get(Reservation, booking_id)
    if reservation is None:
        raise NotFound("booking")
    if reservation.user_id != me.id:
        raise NotAllowed("booking of someone else")
    space = session.get(Space, reservation.space_id)
    assert space is not None
    residence = session.get(Residence, space.residence_id)
    assert residence is not None
    return reservation, _view(space, residence)


def _check_cancel(session: Session, me: Me, reservation: Reservation, space: SpaceView, now: datetime) -> None:
    if reservation.status != ReservationStatus.CONFIRMED:
        raise InvalidInput("booking", "already_cancelled")
    board = _board(session, space, me.id, now, ignore=reservation.id)
    view = _booking_view(reservation, space)
    slots = max(1, view.duration.minutes // space.slot_minutes)
    refusal = first_refusal(board, _candidate(space, board.tz, reservation.start_at, slots), cancelling=True)
    if refusal is not None:
        raise Refused(refusal, (), space)


def cancellation(session: Session, me: Me, booking_id: int, now: datetime) -> BookingView:
    """The booking about to be cancelled, if it still can be (asked before the confirmation)."""
    reservation, space = _own_booking(session, me, booking_id)
    _check_cancel(session, me, reservation, space, now)
    return _booking_view(reservation, space)


def cancel(session: Session, me: Me, booking_id: int, now: datetime) -> BookingView:
    """Cancel my booking before its deadline: frees its units and withdraws its reminder."""
    reservation, space = _own_booking(session, me, booking_id)
    _check_cancel(session, me, reservation, space, now)
    changed = session.execute(
        sa.update(Reservation)
        .where(Reservation.id == booking_id, Reservation.status == ReservationStatus.CONFIRMED)
        .values(status=ReservationStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:  # cancelled by a concurrent press of the same button
        raise InvalidInput("booking", "already_cancelled")
    session.execute(sa.delete(ReservationSlot).where(ReservationSlot.reservation_id == booking_id))
    reminders.withdraw_booking(session, booking_id)
    session.expire(reservation)
    view = _booking_view(reservation, space)
    if space.kind == SpaceKind.GUEST_ROOM.value:
        _tell_managers(session, me, space, view, "bk.notify.guest_cancelled", now)
    return view


# --- the calendar file -----------------------------------------------------------------------------------

_SUMMARY = {"fr": "Réservation — {space}", "en": "Booking — {space}"}


def calendar_file(booking: BookingView, space: SpaceView, now: datetime, lang: str = "fr") -> bytes:
    """An .ics the resident can add to any calendar, in the residence's time zone, one UID per booking."""
    tz = ZoneInfo(space.timezone)
    event = Event.new(
        uid=f"lba-booking-{booking.id}@lba-bot",
        summary=_SUMMARY.get(lang, _SUMMARY["fr"]).format(space=space.name),
        start=booking.start_at.astimezone(tz),
        end=booking.end_at.astimezone(tz),
        location=space.address or None,
        description=space.description or None,
        stamp=now,
    )
    calendar = Calendar.new(
        prodid="-//Les Belles Années//LBA Bot//FR",
        uid=f"lba-booking-{booking.id}-calendar",
        subcomponents=[_vtimezone(space.timezone, booking.start_at.astimezone(tz).year), event],
    )
    return bytes(calendar.to_ical())


@functools.lru_cache(maxsize=32)
def _vtimezone(tzid: str, year: int) -> Timezone:
    """The zone's rules from 1 January of the booking's year for two years: what a calendar needs around the
    booking, built once (from tzinfo over 1970-2038, it took 3-5 ms a booking and 5 KB a file)."""
    return Timezone.from_tzid(tzid, first_date=date(year, 1, 1), last_date=date(year + 2, 1, 1))


# --- reading a typed day ----------------------------------------------------------------------------------

_WEEKDAYS = WEEKDAYS
_MONTHS = MONTHS
_RELATIVE = {
    "aujourd'hui": 0,
    "aujourdhui": 0,
    "today": 0,
    "demain": 1,
    "tomorrow": 1,
    "apres-demain": 2,
    "apres demain": 2,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:er|st|nd|rd|th)? ([a-z]+)\.?(?: (\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,?(?: (\d{4}))?$")
MAX_DAY_TEXT = 40


def _month(word: str) -> int | None:
    if word in _MONTHS:
        return _MONTHS[word]
    if len(word) >= 3:
        matches = {number for name, number in _MONTHS.items() if name.startswith(word)}
        if len(matches) == 1:
            return matches.pop()
    return None


def _dated(year: int | None, month: int, day: int, today: date) -> date:
    if year is not None and year < 100:
        year += 2000
    try:
        if year is not None:
            return date(year, month, day)
        guess = date(today.year, month, day)
    except ValueError:
        raise InvalidInput("day", "format") from None
    # Without a year, a date long gone means next year's (typing "05/01" in late December).
    if (today - guess).days > 180:
        try:
            return date(today.year + 1, month, day)
        except ValueError:
            raise InvalidInput("day", "format") from None
    return guess


def parse_day(text: str, today: date) -> date:
    """A day as residents write it: demain, lundi, 25/11, 25/11/2026, 2026-11-25, 25 novembre."""
    words = squash(text or "")
    if not words or len(words) > MAX_DAY_TEXT:
        raise InvalidInput("day", "format")
    for prefix in ("le ", "on ", "next ", "ce ", "this "):
        if words.startswith(prefix):
            words = words[len(prefix) :]
    if words in _RELATIVE:
        return today + timedelta(days=_RELATIVE[words])
    first, _, rest = words.partition(" ")
    if first in _WEEKDAYS:
        if not rest:
            ahead = (_WEEKDAYS[first] - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
        words = rest  # "lundi 30/11": the date decides
    if match := _ISO.match(words):
        return _dated(int(match[1]), int(match[2]), int(match[3]), today)
    if match := _NUMERIC.match(words):
        return _dated(int(match[3]) if match[3] else None, int(match[2]), int(match[1]), today)
    if (match := _DAY_MONTH.match(words)) and (month := _month(match[2])):
        return _dated(int(match[3]) if match[3] else None, month, int(match[1]), today)
    if (match := _MONTH_DAY.match(words)) and (month := _month(match[1])):
        return _dated(int(match[3]) if match[3] else None, month, int(match[2]), today)
    raise InvalidInput("day", "format")
