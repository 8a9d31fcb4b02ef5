"""The update-throughput and memory benches, run at a tiny size: they work end to end and print every figure.

The figures themselves (50 users and 1,000 updates; 1,000 conversations) are in bench/RESULTS.md; here only
the machinery is checked: the bots start, the simulated users go through the flows and back, the figures
come out and the processes stop cleanly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bench import memory, updates
from models import Incident, Reservation, User
from models.db import make_session_factory, unit_of_work
from services.demo import LOAD_DOMAIN, LOAD_TELEGRAM_BASE, seed_load_residents
from tests.conftest import BACKENDS, TEST_ROUNDS, Clock


def _residents(engine: Engine, count: int, clock: Clock) -> str:
    with unit_of_work(make_session_factory(engine)) as session:
        seed_load_residents(session, count, now=clock(), rounds=TEST_ROUNDS)
    return engine.url.render_as_string(hide_password=False)


# Each bot process costs seconds to start (imports): the full bot runs here on PostgreSQL and, in the
# memory bench below, on SQLite, so both backends are covered within the file's 15 s budget.
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="LBA_TEST_BACKENDS leaves PostgreSQL out")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_updates_bench_measures_the_full_bot(
    engine: Engine, demo: dict[str, int], clock: Clock, tmp_path: Path
) -> None:
    """Through the what-if launcher with timing on: the plain `python -m bot run` runs in the memory bench."""
    url = _residents(engine, 3, clock)
    timing = tmp_path / "timing.json"
    full = updates.run_full(url, users=3, warmup=3, updates=24, workdir=tmp_path, variant="no-limiter", timing=timing)

    assert full.healthy, (full.timeouts, full.exit_code, full.tracebacks, full.refused)
    assert full.bot == "full bot, no-limiter" and full.backend == "postgresql"
    assert full.measured == 24 and full.kinds["text"] > 0 and full.kinds["press"] > 0
    assert 0 < full.p50 <= full.p95 and 0 < full.done_p50 <= full.done_p95 and full.rate > 0
    assert full.p50 <= full.done_p50  # the first call about an update never comes after its answer is complete
    assert sum(len(kinds) for kinds in full.sequences.values()) >= 27  # what the echo bot replays

    # The simulated residents really went through the flows: a booking and an incident report each came out.
    with unit_of_work(make_session_factory(engine)) as session:
        load_users = sa.select(User.id).where(User.email.like(f"%@{LOAD_DOMAIN}"))
        booked = session.scalar(sa.select(sa.func.count()).where(Reservation.user_id.in_(load_users)))
        reported = session.scalar(sa.select(sa.func.count()).where(Incident.reporter_id.in_(load_users)))
    assert booked and booked >= 1 and reported and reported >= 1

    lines = updates.breakdown(timing)
    assert "updates handled" in lines[0]
    awaited = {line.split(" | ")[0].strip("| ") for line in lines[3:]}
    assert {"update", "persistence", "http editMessageText", "db signed_in"} <= awaited
    assert not any(key.startswith("limiter") for key in awaited)  # the what-if really ran without it


def test_updates_bench_compares_with_the_echo_bot(tmp_path: Path) -> None:
    # Each user replays what it sent the full bot: here a text and two presses, twice.
    sent = {LOAD_TELEGRAM_BASE + n: ["text", "press", "press"] * 2 for n in range(1, 4)}
    echo = updates.run_echo(users=3, warmup=3, updates=12, workdir=tmp_path, replay=sent)
    assert echo.healthy and echo.measured == 12 and echo.rate > 0
    assert echo.sequences == {uid: kinds[: len(echo.sequences[uid])] for uid, kinds in sent.items()}
    assert sum(echo.kinds.values()) == 12 and echo.kinds["press"] > echo.kinds["text"] > 0

    full = updates.Figures("full bot", "sqlite", 3, measured=12, seconds=2.0, kinds=echo.kinds)
    lines = updates.table([full, echo])
    assert lines[0].startswith("| bot | backend | users |") and "updates/s" in lines[0] and "p50 / p95" in lines[0]
    assert "| full bot | sqlite | 3 | 12 (" in lines[2] and "| 6.0 |" in lines[2]
    assert "ratio full/echo" in updates.verdict(full, echo)


@pytest.mark.skipif("sqlite" not in BACKENDS, reason="LBA_TEST_BACKENDS leaves SQLite out")
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the bench is specified on SQLite
def test_memory_bench_brings_users_into_flows_and_back_after_a_restart(
    engine: Engine, demo: dict[str, int], clock: Clock, tmp_path: Path
) -> None:
    url = _residents(engine, 6, clock)
    report = memory.run(url, conversations=6, concurrency=3, sample=2, workdir=tmp_path, quiet=0.1)

    assert report.healthy, report.lines()
    assert report.reached == {"booking": 3, "incident": 3}
    assert report.stored["conversation:book"] == 3 and report.stored["conversation:incident_report"] == 3
    assert [r.label for r in report.readings] == ["idle", "met", "in flows", "restarted", "after carrying on"]
    assert all(r.rss > 0 for r in report.readings)
    text = "\n".join(report.lines())
    for figure in ("RSS MiB", "per conversation in progress", "after the restart", "carried on after the restart: 2/2"):
        assert figure in text
