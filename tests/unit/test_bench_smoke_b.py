"""The broadcast and query benches, run at a tiny size: they work end to end and print every figure.

The figures themselves (1,000 and 10,000 residents, 100,000 bookings) are in bench/RESULTS.md; here
only the machinery is checked. The query bench runs on each backend. The broadcast bench runs on SQLite
only: it seeds through the CLI and starts the bot as a process (about 10 s), and the file must stay under
20 s; delivery itself is tested on both backends by tests/e2e/test_broadcast.py.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bench import broadcast, queries
from bench.seed_load import fresh_database
from models import Reservation, ReservationSlot, ReservationStatus, Space, User
from models.db import make_session_factory, unit_of_work
from services.demo import LOAD_DOMAIN

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_queries_bench_seeds_consistent_bookings_and_times_every_operation(engine: Engine) -> None:
    report = queries.run(engine, residents=40, bookings_count=1500, runs=10, incidents=60, now=NOW)

    assert [t.name for t in report.timings] == [
        "day_slots: laundry, tomorrow",
        "days: laundry (7 days)",
        "days: common room (30 days)",
        "book: 1 slot, new resident each run",
        "dashboard: resident",
        "dashboard: manager (Lyon)",
        "dashboard: admin (network)",
    ]
    for timing in report.timings:
        assert timing.errors == [], timing.errors
        assert len(timing.samples) == 10
        assert 0 < timing.p50 <= timing.p95 <= timing.max
    text = "\n".join(report.lines())
    assert "p50 ms" in text and "p95 ms" in text and "load average" in text
    assert report.seed.bookings == 1500 and report.seed.incidents == 60

    with unit_of_work(make_session_factory(engine)) as session:
        generated = session.scalar(sa.select(sa.func.count()).where(User.email.like(f"%@{LOAD_DOMAIN}")))
        assert generated == 40 + 4  # Lyon's residents, and a tenth as many in Bordeaux
        # Each confirmed booking holds one unit per slot it covers, and nothing else does.
        rows = session.execute(
            sa.select(
                Reservation.id, Reservation.start_at, Reservation.end_at, Reservation.status, Space.slot_minutes
            ).join(Space, Space.id == Reservation.space_id)
        ).all()
        units = Counter(session.scalars(sa.select(ReservationSlot.reservation_id)))
    assert len(rows) == 2 + 1500 + 10 + queries.WARMUP  # the demo's own, the seeded ones, the bench's bookings
    for rid, start, end, status, slot_minutes in rows:
        slots = round((end - start).total_seconds() / 60 / slot_minutes)
        wanted = 0 if status == ReservationStatus.CANCELLED else slots
        assert units[rid] == wanted, (rid, start, end, status)
    # Past and future, some of the past cancelled.
    assert min(row.start_at for row in rows) < NOW < max(row.start_at for row in rows)
    assert any(row.status == ReservationStatus.CANCELLED for row in rows)


def test_broadcast_bench_reaches_each_resident_once_and_reports(tmp_path: Path) -> None:
    url = fresh_database("sqlite", "smoke", tmp_path)
    report = broadcast.run(url, 20, tmp_path)

    assert report.received == 20 and report.duplicates == 0
    assert report.outbox == {"sent": 20}
    assert report.unhandled_429 == 0
    assert report.reports == 1
    assert report.report_figures == {"recipients": 20, "sent": 20, "unreachable": 0, "failed": 0}
    assert report.exit_code == 0 and report.tracebacks == 0
    assert 0 < report.first_after <= report.elapsed and report.rate > 0
    text = "\n".join(report.lines())
    for figure in ("msg/s", "of the 30/s allowed", "duplicates: 0", "429 answered", "load average"):
        assert figure in text
