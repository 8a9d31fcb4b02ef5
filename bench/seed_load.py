"""Bulk data for the benches: a network's worth of bookings, residents and incidents, in seconds.

`python -m bench.seed_load --database-url URL [--residents 10000] [--bookings 100000] [--incidents 20000]`
fills a database that already holds the demo data (`python -m bot seed-demo`).

What it writes, and why it is shaped so:
- Residents: `services.demo.seed_load_residents` (Lyon, linked to Telegram ids 1000001..), the same rows
  `seed-demo --residents N` makes, plus a tenth as many in Bordeaux so both residences' spaces have users.
- Bookings: on every slot of every demo space, on the space's own grid (opening hours, slot length, the
  guest room by the night, DST-skipped wall times left out), each claiming its `ReservationSlot` units
  (1..capacity, never two units of one slot for one user), within the space's maximum duration and each
  user's weekly quota. The future is filled as far as each space's advance window (busiest tomorrow,
  emptier further out, so there is still something to book); the past is filled backwards from
  yesterday until the count is reached (about 80 % occupancy: 100,000 bookings is two to three years of
  the two demo residences). One in twenty past bookings was cancelled (no slot rows, as `cancel` leaves
  it). The demo residents Jeanne and Marcel are heavy users (about three bookings a week), so "my next
  booking" has history to skip; everyone else is drawn at random.
- Incidents: two per resident over the same history, a few still open, each with 0-3 followers.
Rows go in by executemany in chunks (RETURNING the ids where the slots need them), so 100,000 bookings
take seconds on SQLite and PostgreSQL alike. Deterministic: the same arguments give the same rows.
"""

from __future__ import annotations

import argparse
import os
import random
import time as clock
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from models import (
    Incident,
    IncidentCategory,
    IncidentFollower,
    IncidentStatus,
    Reservation,
    ReservationSlot,
    ReservationStatus,
    Residence,
    Role,
    Space,
    Urgency,
    User,
)
from models.db import make_engine, make_session_factory, unit_of_work, upgrade
from services import bookings as booking_rules
from services.demo import BORDEAUX, LOAD_DOMAIN, LYON, seed_load_residents

CHUNK = 2000
PAST_FILL = 0.8  # share of a past slot's units that were booked
FUTURE_FILL = (0.85, 0.3)  # tomorrow's share, and the share at the end of the advance window
CANCELLED_SHARE = 0.05
HEAVY_USERS = ("resident1@lba.demo", "resident2@lba.demo")  # Jeanne and Marcel
HEAVY_CHANCE = 0.0075  # per Lyon booking, each: about three bookings a week over the history
OPEN_INCIDENT_SHARE = 0.03
BORDEAUX_EMAIL = "bdx-{number:05d}@" + LOAD_DOMAIN


@dataclass
class SeedReport:
    residents: int = 0
    bookings: int = 0
    cancelled: int = 0
    slot_rows: int = 0
    incidents: int = 0
    followers: int = 0
    first_day: date | None = None
    last_day: date | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        took = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())
        return [
            f"residents added: {self.residents}",
            f"bookings: {self.bookings} ({self.cancelled} cancelled), {self.slot_rows} slot units claimed, "
            f"from {self.first_day} to {self.last_day}",
            f"incidents: {self.incidents}, followers: {self.followers}",
            f"took: {took}",
        ]


# --- residents ------------------------------------------------------------------------------------


def seed_residents(session: Session, count: int, now: datetime, rounds: int = 4) -> int:
    """`seed-demo --residents count` in Lyon, and a tenth as many in Bordeaux; returns how many were added."""
    added = seed_load_residents(session, count, now=now, rounds=rounds)
    bordeaux = session.scalar(sa.select(Residence.id).where(Residence.name == BORDEAUX))
    if bordeaux is None:
        raise LookupError("seed the demo data first (python -m bot seed-demo)")
    wanted = [BORDEAUX_EMAIL.format(number=n) for n in range(1, count // 10 + 1)]
    existing = set(session.scalars(sa.select(User.email).where(User.email.like("bdx-%"))))
    password = session.scalar(sa.select(User.password_hash).where(User.email.like(f"%@{LOAD_DOMAIN}")).limit(1))
    rows = [
        {
            "email": email,
            "password_hash": password,
            "first_name": "Résident",
            "last_name": f"Bordeaux {n}",
            "role": Role.RESIDENT,
            "residence_id": bordeaux,
            "apartment": f"B{n:04d}",
            "language": "fr",
            "created_at": now,
        }
        for n, email in enumerate(wanted, start=1)
        if email not in existing
    ]
    for chunk in _chunks(rows):
        session.execute(sa.insert(User), chunk)
    return added + len(rows)


# --- bookings -------------------------------------------------------------------------------------


@dataclass
class _Space:
    view: booking_rules.SpaceView
    tz: ZoneInfo
    users: list[int]
    heavy: list[int]


@dataclass
class _Booking:
    space_id: int
    user_id: int
    slot_starts: list[datetime]
    end: datetime
    units: list[int]
    cancelled: bool = False


class _Ledger:
    """Who holds what, so that generated bookings obey the unique constraints and the weekly quota."""

    def __init__(self) -> None:
        self.holders: dict[tuple[int, datetime], set[int]] = defaultdict(set)
        self.week_counts: dict[tuple[int, int, tuple[int, int]], int] = defaultdict(int)
        self.units: set[tuple[int, datetime, int]] = set()  # (space, slot start, unit) already claimed

    def load(self, session: Session) -> None:
        """What the database already holds (the demo's own bookings) is taken too."""
        rows = session.execute(
            sa.select(
                ReservationSlot.space_id, ReservationSlot.slot_start, ReservationSlot.unit, ReservationSlot.user_id
            )
        )
        for space_id, slot_start, unit, user_id in rows:
            self.units.add((space_id, slot_start, unit))
            self.holders[(space_id, slot_start)].add(user_id)

    def may(self, space: _Space, user: int, slot_starts: Sequence[datetime]) -> bool:
        week = _local(slot_starts[0], space.tz).isocalendar()[:2]
        if self.week_counts[(user, space.view.id, week)] >= space.view.weekly_quota:
            return False
        return all(user not in self.holders[(space.view.id, s)] for s in slot_starts)

    def take(self, space: _Space, user: int, slot_starts: Sequence[datetime]) -> None:
        week = _local(slot_starts[0], space.tz).isocalendar()[:2]
        self.week_counts[(user, space.view.id, week)] += 1
        for s in slot_starts:
            self.holders[(space.view.id, s)].add(user)


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz)


def _next_ids(session: Session, model: type[Reservation] | type[Incident], count: int) -> range:
    """Ids given here rather than returned by the database: RETURNING over 100,000 rows is the slow part."""
    first = (session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
    return range(first, first + count)


def _insert(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """executemany by chunks; on PostgreSQL the id sequence is then moved past the ids given."""
    table = model.__table__
    for chunk in _chunks(rows):
        session.execute(sa.insert(table), chunk)
    if rows and "id" in rows[0] and session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))")
        )


def _chunks(rows: Sequence[dict[str, Any]], size: int = CHUNK) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _spaces(session: Session, residents: dict[int, list[int]], heavy: dict[int, list[int]]) -> list[_Space]:
    rows = session.execute(
        sa.select(Space, Residence).join(Residence, Residence.id == Space.residence_id).where(Space.active.is_(True))
    ).all()
    found = []
    for space, residence in sorted(rows, key=lambda row: row[0].id):
        view = booking_rules._view(space, residence)
        pool = residents.get(residence.id, [])
        if pool:
            found.append(_Space(view, ZoneInfo(view.timezone), pool, heavy.get(residence.id, [])))
    return found


def _day(space: _Space, day: date, fill: float, rng: random.Random, ledger: _Ledger) -> list[_Booking]:
    """One day of one space: each unit walks the day's slots; a booking starts with probability `fill`."""
    starts = list(booking_rules._day_starts(space.view, space.tz, day))
    if not starts:
        return []
    step = timedelta(minutes=space.view.slot_minutes)
    made = []
    for unit in range(1, space.view.capacity + 1):
        index = 0
        while index < len(starts):
            if rng.random() >= fill or (space.view.id, starts[index], unit) in ledger.units:
                index += 1
                continue
            length = min(rng.choice((1, 1, 1, 2)), space.view.max_slots, len(starts) - index)
            covered = starts[index : index + length]
            # Consecutive on the grid and free (a DST gap or a claimed unit ends the run).
            while len(covered) > 1 and (
                covered[-1] - covered[0] != step * (len(covered) - 1)
                or (space.view.id, covered[-1], unit) in ledger.units
            ):
                covered = covered[:-1]
            user = _pick(space, covered, rng, ledger)
            if user is not None:
                ledger.take(space, user, covered)
                end = booking_rules._candidate(space.view, space.tz, covered[0], len(covered)).end
                made.append(_Booking(space.view.id, user, list(covered), end, [unit] * len(covered)))
            index += len(covered)
    return made


def _pick(space: _Space, covered: Sequence[datetime], rng: random.Random, ledger: _Ledger) -> int | None:
    for user in space.heavy:
        if rng.random() < HEAVY_CHANCE and ledger.may(space, user, covered):
            return user
    for _ in range(8):
        user = rng.choice(space.users)
        if ledger.may(space, user, covered):
            return user
    return None


def plan_bookings(
    spaces: list[_Space], count: int, now: datetime, rng: random.Random, ledger: _Ledger
) -> tuple[list[_Booking], date, date]:
    """Exactly `count` bookings: the future windows first, then the past backwards from yesterday."""
    planned: list[_Booking] = []
    today = min(now.astimezone(s.tz).date() for s in spaces)
    last = today
    for space in spaces:
        horizon = space.view.max_advance_days
        for ahead in range(1, horizon + 1):
            high, low = FUTURE_FILL
            fill = high - (high - low) * (ahead - 1) / max(1, horizon - 1)
            day = today + timedelta(days=ahead)
            planned.extend(_day(space, day, fill, rng, ledger))
            last = max(last, day)
    planned = planned[:count]
    back = 0
    while len(planned) < count:
        back += 1
        day = today - timedelta(days=back)
        for space in spaces:
            for booking in _day(space, day, PAST_FILL, rng, ledger):
                booking.cancelled = rng.random() < CANCELLED_SHARE
                planned.append(booking)
        if back > 20 * 365:
            raise RuntimeError("not enough users or spaces to hold that many bookings")
    return planned[:count], today - timedelta(days=back), last


def seed_bookings(
    session: Session, count: int, now: datetime, *, seed: int = 7, exclude: Sequence[int] = ()
) -> SeedReport:
    """Bulk-insert `count` reservations with their slot units; users in `exclude` get none."""
    rng = random.Random(seed)
    skip = set(exclude)
    residents: dict[int, list[int]] = defaultdict(list)
    for user_id, residence_id in session.execute(
        sa.select(User.id, User.residence_id)
        .where(User.role == Role.RESIDENT, User.active.is_(True), User.residence_id.is_not(None))
        .order_by(User.id)
    ):
        if user_id not in skip:
            residents[residence_id].append(user_id)
    heavy: dict[int, list[int]] = defaultdict(list)
    for user_id, residence_id in session.execute(
        sa.select(User.id, User.residence_id).where(User.email.in_(HEAVY_USERS)).order_by(User.id)
    ):
        heavy[residence_id].append(user_id)
    spaces = _spaces(session, residents, heavy)
    if not spaces:
        raise LookupError("no space with residents: seed the demo data and the residents first")
    ledger = _Ledger()
    ledger.load(session)
    planned, first_day, last_day = plan_bookings(spaces, count, now, rng, ledger)

    report = SeedReport(first_day=first_day, last_day=last_day)
    ids = _next_ids(session, Reservation, len(planned))
    rows = [
        {
            "id": rid,
            "space_id": b.space_id,
            "user_id": b.user_id,
            "start_at": b.slot_starts[0],
            "end_at": b.end,
            "status": ReservationStatus.CANCELLED if b.cancelled else ReservationStatus.CONFIRMED,
            "cancelled_at": b.slot_starts[0] - timedelta(days=2) if b.cancelled else None,
            "created_at": min(now, b.slot_starts[0] - timedelta(days=3)),
        }
        for rid, b in zip(ids, planned, strict=True)
    ]
    slots = [
        {"reservation_id": rid, "space_id": b.space_id, "user_id": b.user_id, "slot_start": s, "unit": u}
        for rid, b in zip(ids, planned, strict=True)
        if not b.cancelled
        for s, u in zip(b.slot_starts, b.units, strict=True)
    ]
    _insert(session, Reservation, rows)
    _insert(session, ReservationSlot, slots)
    report.slot_rows = len(slots)
    report.bookings = len(planned)
    report.cancelled = sum(1 for b in planned if b.cancelled)
    return report


# --- incidents ------------------------------------------------------------------------------------

_CATEGORIES = list(IncidentCategory)
_CLOSED = (IncidentStatus.RESOLVED, IncidentStatus.RESOLVED, IncidentStatus.RESOLVED, IncidentStatus.REJECTED)
_OPEN = (IncidentStatus.NEW, IncidentStatus.TAKEN, IncidentStatus.IN_PROGRESS)


def seed_incidents(session: Session, count: int, now: datetime, *, days: int = 900, seed: int = 11) -> tuple[int, int]:
    """`count` incidents over the last `days`, a few still open, each followed by 0-3 neighbours."""
    rng = random.Random(seed)
    residents: dict[int, list[int]] = defaultdict(list)
    for user_id, residence_id in session.execute(
        sa.select(User.id, User.residence_id).where(User.role == Role.RESIDENT, User.residence_id.is_not(None))
    ):
        residents[residence_id].append(user_id)
    pools = sorted(residents.items())
    if not pools:
        return 0, 0
    weights = [len(pool) for _, pool in pools]
    rows, follow = [], []
    for incident_id in _next_ids(session, Incident, count):
        residence_id, pool = rng.choices(pools, weights)[0]
        reporter = rng.choice(pool)
        created = now - timedelta(minutes=rng.randrange(days * 24 * 60))
        status = rng.choice(_OPEN if rng.random() < OPEN_INCIDENT_SHARE else _CLOSED)
        rows.append(
            {
                "id": incident_id,
                "residence_id": residence_id,
                "reporter_id": reporter,
                "category": rng.choice(_CATEGORIES),
                "location": "Mon appartement",
                "in_private_unit": True,
                "description": "Incident généré pour le banc d'essai (charge).",
                "urgency": Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL,
                "status": status,
                "taken_at": None if status == IncidentStatus.NEW else created + timedelta(hours=3),
                "resolved_at": created + timedelta(days=2) if status == IncidentStatus.RESOLVED else None,
                "created_at": created,
            }
        )
        for user_id in sorted({rng.choice(pool) for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))} - {reporter}):
            follow.append({"incident_id": incident_id, "user_id": user_id, "created_at": created})
    _insert(session, Incident, rows)
    _insert(session, IncidentFollower, follow)
    return len(rows), len(follow)


# --- a fresh database -------------------------------------------------------------------------------

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def fresh_database(backend: str, name: str, workdir: Path, postgres_url: str | None = None) -> str:
    """The URL of a new, empty, migrated database for one bench run (a file, or a dropped and recreated
    PostgreSQL database `name` on the server of `postgres_url`, default LBA_BENCH_POSTGRES_URL or local)."""
    if backend == "sqlite":
        path = workdir / f"{name}.db"
        for leftover in workdir.glob(f"{name}.db*"):
            leftover.unlink()
        url = f"sqlite:///{path}"
    elif backend == "postgresql":
        server = sa.make_url(postgres_url or os.environ.get("LBA_BENCH_POSTGRES_URL") or DEFAULT_POSTGRES)
        admin = make_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            admin.dispose()
        url = server.set(database=name).render_as_string(hide_password=False)
    else:
        raise ValueError(f"unknown backend {backend!r}: sqlite or postgresql")
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return url


# --- all of it --------------------------------------------------------------------------------------


def analyze(engine: Engine) -> None:
    """PostgreSQL's autovacuum would gather statistics after such a load; do it now rather than race it.

    SQLite is left as the bot leaves it: it never runs ANALYZE, so its planner works without statistics.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def seed_all(
    engine: Engine,
    *,
    residents: int,
    bookings: int,
    incidents: int | None = None,
    now: datetime,
    exclude_last: int = 0,
) -> SeedReport:
    """Residents, then bookings (the last `exclude_last` generated Lyon residents keep none), then incidents."""
    sessions = make_session_factory(engine)
    timings: dict[str, float] = {}
    started = clock.perf_counter()
    with unit_of_work(sessions) as session:
        added = seed_residents(session, residents, now)
    timings["residents"] = clock.perf_counter() - started
    started = clock.perf_counter()
    with unit_of_work(sessions) as session:
        exclude = list(
            session.scalars(
                sa.select(User.id)
                .where(User.email.like(f"resident-%@{LOAD_DOMAIN}"))
                .order_by(User.id.desc())
                .limit(exclude_last)
            )
        )
        report = seed_bookings(session, bookings, now, exclude=exclude)
    timings["bookings"] = clock.perf_counter() - started
    started = clock.perf_counter()
    with unit_of_work(sessions) as session:
        report.incidents, report.followers = seed_incidents(
            session, residents * 2 if incidents is None else incidents, now
        )
    timings["incidents"] = clock.perf_counter() - started
    started = clock.perf_counter()
    analyze(engine)
    timings["analyze"] = clock.perf_counter() - started
    report.residents = added
    report.seconds = timings
    return report


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--residents", type=int, default=10_000, help="Lyon residents (and a tenth in Bordeaux)")
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--incidents", type=int, default=None, help="default: two per resident")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed_load", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a database holding the demo data (seed-demo)")
    add_size_arguments(parser)
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    try:
        report = seed_all(
            engine,
            residents=args.residents,
            bookings=args.bookings,
            incidents=args.incidents,
            now=datetime.now(UTC),
        )
    finally:
        engine.dispose()
    print("\n".join(report.lines()))
    return 0


__all__ = [
    "LYON",
    "SeedReport",
    "add_size_arguments",
    "analyze",
    "fresh_database",
    "seed_all",
    "seed_bookings",
    "seed_incidents",
    "seed_residents",
]

if __name__ == "__main__":
    raise SystemExit(main())
