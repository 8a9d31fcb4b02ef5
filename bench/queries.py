"""Free-slot search, booking and the dashboard at scale: `python -m bench.queries --backend sqlite|postgresql`.

A fresh database gets the demo data, then `bench.seed_load`: 10,000 Lyon residents (plus 1,000 in
Bordeaux), 100,000 bookings with their slot units over two to three years and the spaces' advance
windows, 20,000 incidents. Each operation then runs `--runs` times (after a few unmeasured warm-up
runs), timed around its unit of work exactly as the bot runs it (`models.db.unit_of_work`: BEGIN, the
service call, COMMIT), without the Telegram side:

- `day_slots` for tomorrow in the laundry (the busiest day of the busiest space) and `days()` for the
  laundry (7-day window) and the common room (30-day window, the longest walk of the grid);
- `book`: each run a different resident books a different free slot (laundry, gym, common room,
  guest room in turn), one unit of work each, the way the confirm button does;
- `dashboard` for a resident (Jeanne, a heavy user with a few hundred past bookings), for the Lyon
  manager (10,000 residents, their incidents and today's bookings) and for the network's admin.

Goal: p95 under 20 ms for each. `--explain` prints the plan of every statement one run of each
operation issues (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bench._harness import load, machine, percentile
from bench.seed_load import SeedReport, add_size_arguments, fresh_database, seed_all
from models import Residence, Space, SpaceKind, User
from models.db import make_engine, make_session_factory, unit_of_work
from services import bookings, dashboard
from services.demo import LOAD_DOMAIN, LYON, seed_demo
from services.people import Me, me_of

GOAL_MS = 20.0
WARMUP = 5
RESIDENT = "resident1@lba.demo"
MANAGER = "manager@lba.demo"
ADMIN = "admin@lba.demo"
# The booking runs take slots of these spaces in turn (all of Lyon's kinds).
BOOKED_KINDS = (SpaceKind.LAUNDRY, SpaceKind.GYM, SpaceKind.COMMON_ROOM, SpaceKind.GUEST_ROOM)


@dataclass
class Timing:
    name: str
    samples: list[float] = field(default_factory=list)  # seconds
    errors: list[str] = field(default_factory=list)
    load: str = ""  # load average when the runs ended

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50) * 1000

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95) * 1000

    @property
    def max(self) -> float:
        return max(self.samples) * 1000 if self.samples else float("nan")

    @property
    def met(self) -> bool:
        return not self.errors and self.p95 < GOAL_MS


@dataclass
class Report:
    backend: str
    residents: int
    bookings: int
    runs: int
    seed: SeedReport
    timings: list[Timing]
    plans: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = (
            f"queries bench: {self.backend}, {self.bookings} bookings, {self.residents} residents "
            f"(+{self.residents // 10} in Bordeaux), {self.seed.incidents} incidents; {self.runs} runs each "
            f"after {WARMUP} warm-up runs; goal p95 < {GOAL_MS:.0f} ms"
        )
        rows = [head, *(f"  seed: {line}" for line in self.seed.lines())]
        width = max(len(t.name) for t in self.timings)
        rows.append(f"  {'operation':<{width}}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}  goal    load average")
        for t in self.timings:
            verdict = "met" if t.met else "MISSED"
            rows.append(f"  {t.name:<{width}}  {t.p50:7.2f}  {t.p95:7.2f}  {t.max:7.2f}  {verdict:<6}  {t.load}")
            rows.extend(f"    error: {e}" for e in t.errors[:5])
        rows.extend(self.plans)
        return rows


# --- the operations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    resident: Me
    manager: Me
    admin: Me
    spaces: dict[SpaceKind, int]  # Lyon's spaces by kind
    bookers: list[Me]  # residents without any booking, one per booking run


def _me(session: Session, email: str) -> Me:
    user = session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"{email} is missing: seed the demo data first")
    return me_of(session, user)


def cast(sessions: sessionmaker[Session], bookers: int) -> Cast:
    with unit_of_work(sessions) as session:
        lyon = session.scalar(sa.select(Residence.id).where(Residence.name == LYON))
        spaces = {
            kind: space_id
            for kind, space_id in session.execute(sa.select(Space.kind, Space.id).where(Space.residence_id == lyon))
        }
        users = session.scalars(
            sa.select(User).where(User.email.like(f"resident-%@{LOAD_DOMAIN}")).order_by(User.id.desc()).limit(bookers)
        ).all()
        return Cast(
            resident=_me(session, RESIDENT),
            manager=_me(session, MANAGER),
            admin=_me(session, ADMIN),
            spaces=spaces,
            bookers=[me_of(session, user) for user in users],
        )


def free_slots(
    sessions: sessionmaker[Session], who: Me, space_ids: Sequence[int], now: datetime
) -> list[tuple[int, datetime]]:
    """One (space, start) per free unit of every bookable single slot, the spaces taken in turn."""
    per_space: list[list[tuple[int, datetime]]] = []
    with unit_of_work(sessions) as session:
        for space_id in space_ids:
            plan = bookings.days(session, who, space_id, now)
            found = []
            for option in plan.days:
                if option.bookable:
                    for slot in bookings.day_slots(session, who, space_id, option.day, now).options:
                        found.extend([(space_id, slot.start)] * slot.free)
            per_space.append(found)
    interleaved = []
    for index in range(max(map(len, per_space), default=0)):
        interleaved.extend(found[index] for found in per_space if index < len(found))
    return interleaved


def operations(
    sessions: sessionmaker[Session], who: Cast, now: datetime, runs: int
) -> list[tuple[str, Callable[[Session, int], Any]]]:
    """Each operation as (name, fn(session, run number)); the bookings use run number n's own slot and resident."""
    laundry, common = who.spaces[SpaceKind.LAUNDRY], who.spaces[SpaceKind.COMMON_ROOM]
    tomorrow = (now.astimezone(ZoneInfo(who.resident.timezone or "Europe/Paris")) + timedelta(days=1)).date()
    slots = free_slots(sessions, who.bookers[0], [who.spaces[k] for k in BOOKED_KINDS if k in who.spaces], now)
    needed = runs + WARMUP
    if len(slots) < needed or len(who.bookers) < needed:
        raise RuntimeError(f"only {len(slots)} free slots and {len(who.bookers)} residents for {needed} bookings")

    def book(session: Session, n: int) -> Any:
        space_id, start = slots[n]
        return bookings.book(session, who.bookers[n], space_id, start, 1, now)

    return [
        ("day_slots: laundry, tomorrow", lambda s, n: bookings.day_slots(s, who.resident, laundry, tomorrow, now)),
        ("days: laundry (7 days)", lambda s, n: bookings.days(s, who.resident, laundry, now)),
        ("days: common room (30 days)", lambda s, n: bookings.days(s, who.resident, common, now)),
        ("book: 1 slot, new resident each run", book),
        ("dashboard: resident", lambda s, n: dashboard.dashboard(s, who.resident, now)),
        ("dashboard: manager (Lyon)", lambda s, n: dashboard.dashboard(s, who.manager, now)),
        ("dashboard: admin (network)", lambda s, n: dashboard.dashboard(s, who.admin, now)),
    ]


def measure(
    sessions: sessionmaker[Session], name: str, fn: Callable[[Session, int], Any], runs: int, warmup: int = WARMUP
) -> Timing:
    """`runs` timed units of work (after `warmup` untimed ones); a domain error is recorded, not raised."""
    timing = Timing(name)
    for n in range(warmup + runs):
        started = time.perf_counter()
        try:
            with unit_of_work(sessions) as session:
                fn(session, n)
        except Exception as error:  # a refused booking is a figure to report, not a crash
            timing.errors.append(f"run {n}: {type(error).__name__}: {error}")
            continue
        elapsed = time.perf_counter() - started
        if n >= warmup:
            timing.samples.append(elapsed)
    timing.load = load()
    return timing


# --- EXPLAIN ------------------------------------------------------------------------------------------


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements (with their parameters) the engine runs inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def explain(engine: Engine, name: str, fn: Callable[[Session, int], Any], run: int) -> list[str]:
    sessions = make_session_factory(engine)
    with captured(engine) as statements, unit_of_work(sessions) as session:
        fn(session, run)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, COSTS OFF) "
    lines = [f"== {name}: {len(statements)} statements"]
    unique: dict[str, Any] = {}
    for statement, parameters in statements:
        unique.setdefault(" ".join(statement.split()), parameters)
    with engine.connect() as conn:
        for statement, parameters in unique.items():
            lines.append(f"-- {statement[:300]}")
            raw = conn.exec_driver_sql(prefix + statement, parameters)
            for row in raw:
                lines.append("   " + " | ".join(str(value) for value in row))
            conn.rollback()
    return lines


# --- the bench ---------------------------------------------------------------------------------------


def run(
    engine: Engine,
    *,
    residents: int,
    bookings_count: int,
    runs: int,
    incidents: int | None = None,
    now: datetime | None = None,
    with_plans: bool = False,
) -> Report:
    """Seed an empty migrated database, then time every operation; returns the figures."""
    now = now or datetime.now(UTC)
    sessions = make_session_factory(engine)
    with unit_of_work(sessions) as session:
        seed_demo(session, now=now, rounds=4)
    seed = seed_all(
        engine, residents=residents, bookings=bookings_count, incidents=incidents, now=now, exclude_last=runs + WARMUP
    )
    who = cast(sessions, runs + WARMUP)
    timings, plans = [], []
    for name, fn in operations(sessions, who, now, runs):
        timings.append(measure(sessions, name, fn, runs))
        if with_plans:
            plans.extend(explain(engine, name, fn, 0) if "book" not in name else [])
    return Report(engine.dialect.name, residents, bookings_count, runs, seed, timings, plans)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queries", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    add_size_arguments(parser)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--explain", action="store_true", help="print the plan of each operation's statements")
    parser.add_argument(
        "--postgres-url", default=None, help="server to create the database lba_bench_queries on (default: local)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lba-bench-") as workdir:
        url = fresh_database(args.backend, "lba_bench_queries", Path(workdir), args.postgres_url)
        engine = make_engine(url)
        try:
            report = run(
                engine,
                residents=args.residents,
                bookings_count=args.bookings,
                runs=args.runs,
                incidents=args.incidents,
                with_plans=args.explain,
            )
        finally:
            engine.dispose()
    print(f"{date.today().isoformat()}, {machine()}")
    print("\n".join(report.lines()))
    return 0 if all(t.met for t in report.timings) else 1


if __name__ == "__main__":
    raise SystemExit(main())
