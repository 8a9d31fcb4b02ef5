"""Statistics for managers: what happened in a residence (or the whole network) over a period.

Counts are grouped in SQL, where that is simple and the same on every backend. Durations (the
medians) and space occupancy are computed in Python from the fetched timestamps: SQLite has no
percentile function and no interval arithmetic, and both backends must give exactly the same figures.

Which rows belong to a period, figure by figure (the period is whole local days, today included):
- incidents by status and category: incidents *reported* in the period, with their current status;
- time to take charge / to resolve: incidents *taken* / *resolved* in the period (the work done then),
  measured from their report; satisfaction: ratings of the incidents resolved in the period;
- open urgent incidents: now, whatever the period;
- occupancy: confirmed bookings, clipped to the period, over capacity × opening hours of its days;
- events held: published events that started in the period, and have started by now;
- active residents: residents of the scope who reported or joined an incident, booked (or used a
  booking), took part in an event, posted a listing, or signed in during the period.
"""

from __future__ import annotations

import calendar
import re
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    OPEN_STATUSES,
    Event,
    EventStatus,
    Incident,
    IncidentCategory,
    IncidentFollower,
    IncidentStatus,
    Listing,
    Participation,
    ParticipationStatus,
    Reservation,
    ReservationStatus,
    Residence,
    Role,
    Space,
    Urgency,
    User,
)
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me

PRESETS = ("7d", "30d", "90d", "12m")
PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90}
MAX_CUSTOM_DAYS = 366
CUSTOM_TEXT_MAX = 60
SCOPE_PAGE_SIZE = 8
ALL = "all"  # the whole network, in callback data and periods' scope keys
HOLDS_SEAT = (ParticipationStatus.REGISTERED, ParticipationStatus.ATTENDED)
# A space that "closes" at 23:59 is open until midnight (the guest room), as in services/bookings.py.
END_OF_DAY = time(23, 59)
_CUSTOM_CODE = re.compile(r"^(\d{8})-(\d{8})$")


# --- values handed to handlers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the figures cover: one residence, or the whole network (residence_id None)."""

    residence_id: int | None
    name: str | None
    timezone: str

    @property
    def key(self) -> str:
        return ALL if self.residence_id is None else str(self.residence_id)

    @property
    def slug(self) -> str | None:
        return slugify(self.name) if self.name else None


@dataclass(frozen=True)
class ScopePage:
    """The residences an admin may choose from, a page at a time."""

    items: tuple[Scope, ...]
    page: int
    has_next: bool


@dataclass(frozen=True)
class Period:
    code: str  # "30d", or "20261001-20261031" for a period typed by the manager
    first_day: date
    last_day: date  # included
    start: datetime  # UTC: the first day's midnight, local time
    end: datetime  # UTC: the midnight after the last day, local time (excluded)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def preset(self) -> bool:
        return self.code in PRESETS


@dataclass(frozen=True)
class Count:
    key: str  # an IncidentStatus or IncidentCategory value
    count: int


@dataclass(frozen=True)
class Ratings:
    count: int
    average: float | None
    distribution: tuple[int, int, int, int, int]  # how many 1, 2, 3, 4, 5


@dataclass(frozen=True)
class SpaceUse:
    space_id: int
    space: str
    residence: str
    booked_hours: float
    bookable_hours: float

    @property
    def rate(self) -> float:
        """Share of the bookable hours that were booked, 0..1."""
        return self.booked_hours / self.bookable_hours if self.bookable_hours > 0 else 0.0


@dataclass(frozen=True)
class Attendance:
    held: int
    registered: int
    attended: int
    capacity: int

    @property
    def fill_rate(self) -> float | None:
        """Seats taken over seats offered, 0..1; None without any event."""
        return self.registered / self.capacity if self.capacity else None


@dataclass(frozen=True)
class Report:
    scope: Scope
    period: Period
    incidents: int
    by_status: tuple[Count, ...]  # every status, in the life-cycle order
    by_category: tuple[Count, ...]  # every category, in the catalog order
    take_charge_hours: float | None  # median, None when nothing was taken in the period
    taken: int
    resolve_hours: float | None
    resolved: int
    open_urgent: int
    ratings: Ratings
    spaces: tuple[SpaceUse, ...]
    events: Attendance
    active_residents: int
    residents: int

    @property
    def booked_hours(self) -> float:
        return sum(s.booked_hours for s in self.spaces)

    @property
    def empty(self) -> bool:
        """Nothing happened: no chart or export is worth sending, the summary says so."""
        return (
            self.incidents == 0
            and self.taken == 0
            and self.resolved == 0
            and self.ratings.count == 0
            and self.booked_hours == 0
            and self.events.held == 0
            and self.active_residents == 0
        )


# --- authorization ---------------------------------------------------------------------------------


def _require_staff(me: Me) -> None:
    if me.role == Role.ADMIN:
        return
    if me.role != Role.MANAGER or me.residence_id is None:
        raise NotAllowed("managers only")


def _residence_scope(residence: Residence) -> Scope:
    return Scope(residence.id, residence.name, residence.timezone)


def default_scope(session: Session, me: Me, default_tz: str = "Europe/Paris") -> Scope | None:
    """Where /stats starts: a manager's residence; None for an admin, who chooses."""
    _require_staff(me)
    if me.role == Role.ADMIN:
        return None
    return scope(session, me, me.residence_id, default_tz)


def scope(session: Session, me: Me, residence_id: int | None, default_tz: str = "Europe/Paris") -> Scope:
    """The scope asked for, if `me` may see it: a manager their residence only, an admin any or all.

    A manager naming another residence is refused whether it exists or not, so forged callback data
    learns nothing.
    """
    _require_staff(me)
    if me.role == Role.MANAGER and residence_id != me.residence_id:
        raise NotAllowed("a manager sees their own residence only")
    if residence_id is None:
        return Scope(None, None, default_tz)
    residence = session.get(Residence, residence_id)
    if residence is None:
        raise NotFound("residence")
    return _residence_scope(residence)


def residences(session: Session, me: Me, page: int = 0) -> ScopePage:
    """The residences an admin can choose; a manager may not browse the network."""
    _require_staff(me)
    if me.role != Role.ADMIN:
        raise NotAllowed("admins only")
    page = max(0, page)
    rows = session.scalars(
        sa.select(Residence).order_by(Residence.name).offset(page * SCOPE_PAGE_SIZE).limit(SCOPE_PAGE_SIZE + 1)
    ).all()
    items = tuple(_residence_scope(r) for r in rows[:SCOPE_PAGE_SIZE])
    return ScopePage(items, page, len(rows) > SCOPE_PAGE_SIZE)


# --- periods -----------------------------------------------------------------------------------------


def _months_back(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz).astimezone(UTC)


def _period(code: str, first: date, last: date, tz: ZoneInfo) -> Period:
    return Period(code, first, last, _midnight(first, tz), _midnight(last + timedelta(days=1), tz))


def period_of(code: str, now: datetime, tz: str) -> Period:
    """A preset ("7d", "30d", "90d", "12m": today and the days before it) or a typed period's code."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    if code in PRESET_DAYS:
        return _period(code, today - timedelta(days=PRESET_DAYS[code] - 1), today, zone)
    if code == "12m":
        return _period(code, _months_back(today, 12) + timedelta(days=1), today, zone)
    match = _CUSTOM_CODE.match(code)
    if match is None:
        raise InvalidInput("period", "unknown")
    try:
        first, last = (datetime.strptime(part, "%Y%m%d").date() for part in match.groups())
    except ValueError:
        raise InvalidInput("period", "unknown") from None
    _check_range(first, last, today)
    return _period(code, first, last, zone)


def _check_range(first: date, last: date, today: date) -> None:
    if first > last:
        raise InvalidInput("period", "order")
    if last > today:
        raise InvalidInput("period", "future", today=today)
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise InvalidInput("period", "too_long", max=MAX_CUSTOM_DAYS)


_ISO = r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
_DMY = r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})(?:[/.](?P<y>\d{4}|\d{2}))?"
_DATE = re.compile(rf"(?<!\d)(?:{_ISO}|{_DMY})(?!\d)")
_MONTH = re.compile(r"^\s*(?P<m>\d{1,2})[/.](?P<y>\d{4})\s*$")
_WORD = re.compile(r"[^\s\-–—:,;]+")
# Words a manager may put around the dates: "du 1/10 au 15/10", "from 1/10 to 15/10".
FILLER_WORDS = frozenset(
    {"du", "au", "le", "from", "to", "à", "a", "jusqu'au", "until", "between", "entre", "et", "and"}
)


def _resolve(year: int | None, month: int, day: int, today: date) -> date:
    """A typed date; without a year, the latest such date that is not after today (29/02 included)."""
    if year is not None:
        return date(year + 2000 if year < 100 else year, month, day)
    for candidate_year in range(today.year, today.year - 9, -1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ValueError("no such date")


def parse_period(text: str, now: datetime, tz: str) -> str:
    """A period typed by a manager, as a period code: "01/10/2026 - 31/10/2026", "1/10 au 15/10",
    "2026-10-01 2026-10-31", one day "12/10/2026", or one month "10/2026" (up to today)."""
    today = now.astimezone(ZoneInfo(tz)).date()
    text = text.strip()
    if len(text) > CUSTOM_TEXT_MAX:
        raise InvalidInput("period", "format")
    try:
        month = _MONTH.match(text)
        if month is not None:
            year, number = int(month["y"]), int(month["m"])
            first = date(year, number, 1)
            if first > today:
                raise InvalidInput("period", "future", today=today)
            last = min(date(year, number, calendar.monthrange(year, number)[1]), today)
        else:
            found = list(_DATE.finditer(text))
            rest = _DATE.sub(" ", text)
            if not 1 <= len(found) <= 2 or any(w.lower() not in FILLER_WORDS for w in _WORD.findall(rest)):
                raise InvalidInput("period", "format")
            days = [_typed_date(m, today) for m in found]
            first, last = days[0], days[-1]
    except ValueError:  # 31/02, month 13...
        raise InvalidInput("period", "format") from None
    _check_range(first, last, today)
    return f"{first:%Y%m%d}-{last:%Y%m%d}"


def _typed_date(match: re.Match[str], today: date) -> date:
    if match["iy"]:
        return date(int(match["iy"]), int(match["im"]), int(match["id"]))
    year = int(match["y"]) if match["y"] else None
    return _resolve(year, int(match["m"]), int(match["d"]), today)


# --- the figures ---------------------------------------------------------------------------------------


def _in_scope(column: Any, residence_id: int | None) -> Any:
    return sa.true() if residence_id is None else column == residence_id


def _within(column: Any, period: Period) -> Any:
    return sa.and_(column >= period.start, column < period.end)


def _hours(seconds: float) -> float:
    return seconds / 3600


def _median_hours(pairs: Iterable[tuple[datetime, datetime]]) -> tuple[float | None, int]:
    durations = [max(0.0, (later - earlier).total_seconds()) for earlier, later in pairs]
    return (_hours(statistics.median(durations)) if durations else None), len(durations)


def report(
    session: Session,
    me: Me,
    residence_id: int | None,
    period_code: str,
    now: datetime,
    default_tz: str = "Europe/Paris",
) -> Report:
    """Every figure of /stats for one scope and period, checked against who asks."""
    where = scope(session, me, residence_id, default_tz)
    period = period_of(period_code, now, where.timezone)
    rid = where.residence_id

    counts = session.execute(
        sa.select(Incident.status, Incident.category, sa.func.count(Incident.id))
        .where(_in_scope(Incident.residence_id, rid), _within(Incident.created_at, period))
        .group_by(Incident.status, Incident.category)
    ).all()
    by_status = dict.fromkeys(IncidentStatus, 0)
    by_category = dict.fromkeys(IncidentCategory, 0)
    for status, category, count in counts:
        by_status[IncidentStatus(status)] += count
        by_category[IncidentCategory(category)] += count

    taken = session.execute(
        sa.select(Incident.created_at, Incident.taken_at).where(
            _in_scope(Incident.residence_id, rid), Incident.taken_at.is_not(None), _within(Incident.taken_at, period)
        )
    ).all()
    resolved = session.execute(
        sa.select(Incident.created_at, Incident.resolved_at, Incident.rating).where(
            _in_scope(Incident.residence_id, rid),
            Incident.status == IncidentStatus.RESOLVED,
            Incident.resolved_at.is_not(None),
            _within(Incident.resolved_at, period),
        )
    ).all()
    take_median, taken_count = _median_hours((row[0], row[1]) for row in taken)
    resolve_median, resolved_count = _median_hours((row[0], row[1]) for row in resolved)

    open_urgent = session.scalar(
        sa.select(sa.func.count(Incident.id)).where(
            _in_scope(Incident.residence_id, rid),
            Incident.status.in_(OPEN_STATUSES),
            Incident.urgency == Urgency.URGENT,
        )
    )

    return Report(
        scope=where,
        period=period,
        incidents=sum(by_status.values()),
        by_status=tuple(Count(k.value, v) for k, v in by_status.items()),
        by_category=tuple(Count(k.value, v) for k, v in by_category.items()),
        take_charge_hours=take_median,
        taken=taken_count,
        resolve_hours=resolve_median,
        resolved=resolved_count,
        open_urgent=open_urgent or 0,
        ratings=_ratings([row[2] for row in resolved if row[2] is not None]),
        spaces=_occupancy(session, rid, period),
        events=_attendance(session, rid, period, now),
        active_residents=_active_residents(session, rid, period),
        residents=_residents(session, rid),
    )


def typed_report(
    session: Session,
    me: Me,
    residence_id: int | None,
    text: str,
    now: datetime,
    default_tz: str = "Europe/Paris",
) -> Report:
    """The figures for a period the manager typed, read in the scope's time zone."""
    where = scope(session, me, residence_id, default_tz)
    return report(session, me, residence_id, parse_period(text, now, where.timezone), now, default_tz)


def _ratings(values: list[int]) -> Ratings:
    distribution = tuple(values.count(score) for score in range(1, 6))
    average = sum(values) / len(values) if values else None
    return Ratings(len(values), average, distribution)  # type: ignore[arg-type]


def _opening_seconds(space: Space, day: date, tz: ZoneInfo) -> float:
    """Real seconds a space is open on a local day: a day clocks change is an hour longer or shorter."""
    opens = datetime.combine(day, space.opens_at, tz)
    if space.closes_at >= END_OF_DAY:
        closes = datetime.combine(day + timedelta(days=1), time(0), tz)
    else:
        closes = datetime.combine(day, space.closes_at, tz)
    return max(0.0, (closes.astimezone(UTC) - opens.astimezone(UTC)).total_seconds())


def _occupancy(session: Session, residence_id: int | None, period: Period) -> tuple[SpaceUse, ...]:
    booked: dict[int, float] = {}
    bookings = session.execute(
        sa.select(Reservation.space_id, Reservation.start_at, Reservation.end_at)
        .join(Space, Space.id == Reservation.space_id)
        .where(
            _in_scope(Space.residence_id, residence_id),
            Reservation.status == ReservationStatus.CONFIRMED,
            Reservation.start_at < period.end,
            Reservation.end_at > period.start,
        )
    ).all()
    for space_id, start_at, end_at in bookings:
        seconds = (min(end_at, period.end) - max(start_at, period.start)).total_seconds()
        booked[space_id] = booked.get(space_id, 0.0) + max(0.0, seconds)

    rows = session.execute(
        sa.select(Space, Residence.name, Residence.timezone)
        .join(Residence, Residence.id == Space.residence_id)
        .where(_in_scope(Space.residence_id, residence_id))
        .order_by(Residence.name, Space.id)
    ).all()
    days = [period.first_day + timedelta(days=n) for n in range(period.days)]
    uses = []
    for space, residence_name, timezone in rows:
        if not space.active and space.id not in booked:
            continue  # a closed space nobody used in the period
        zone = ZoneInfo(timezone)
        bookable = space.capacity * sum(_opening_seconds(space, day, zone) for day in days)
        uses.append(SpaceUse(space.id, space.name, residence_name, _hours(booked.get(space.id, 0.0)), _hours(bookable)))
    return tuple(uses)


def _attendance(session: Session, residence_id: int | None, period: Period, now: datetime) -> Attendance:
    held = sa.and_(
        _in_scope(Event.residence_id, residence_id),
        Event.status == EventStatus.PUBLISHED,
        Event.starts_at >= period.start,
        Event.starts_at < min(period.end, now),
    )
    events, capacity = session.execute(
        sa.select(sa.func.count(Event.id), sa.func.sum(Event.capacity)).where(held)
    ).one()
    registered, attended = session.execute(
        sa.select(
            sa.func.count(Participation.id),
            sa.func.count(Participation.id).filter(Participation.status == ParticipationStatus.ATTENDED),
        )
        .join(Event, Event.id == Participation.event_id)
        .where(held, Participation.status.in_(HOLDS_SEAT))
    ).one()
    return Attendance(events or 0, registered or 0, attended or 0, int(capacity or 0))


def _residents_of(residence_id: int | None) -> Any:
    return sa.and_(
        User.role == Role.RESIDENT,
        User.active.is_(True),
        User.residence_id.is_not(None),
        _in_scope(User.residence_id, residence_id),
    )


def _residents(session: Session, residence_id: int | None) -> int:
    return session.scalar(sa.select(sa.func.count(User.id)).where(_residents_of(residence_id))) or 0


def _active_residents(session: Session, residence_id: int | None, period: Period) -> int:
    active = sa.or_(
        _within(User.last_login_at, period),
        sa.exists().where(Incident.reporter_id == User.id, _within(Incident.created_at, period)),
        sa.exists().where(IncidentFollower.user_id == User.id, _within(IncidentFollower.created_at, period)),
        sa.exists().where(
            Reservation.user_id == User.id,
            sa.or_(
                _within(Reservation.created_at, period),
                sa.and_(Reservation.status == ReservationStatus.CONFIRMED, _within(Reservation.start_at, period)),
            ),
        ),
        sa.exists().where(
            Participation.user_id == User.id,
            sa.or_(_within(Participation.created_at, period), _within(Participation.updated_at, period)),
        ),
        sa.exists().where(Listing.author_id == User.id, _within(Listing.created_at, period)),
    )
    return session.scalar(sa.select(sa.func.count(User.id)).where(_residents_of(residence_id), active)) or 0


# --- small helpers shared with the export -------------------------------------------------------------


def slugify(name: str) -> str:
    """ "Les Belles Années Lyon" -> "les-belles-annees-lyon", for file names."""
    spelled = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    plain = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "residence"
