"""The update bench's two yardsticks beyond the echo bot, at a tiny size: several processes behind a load
balancer, and the echo bot making the full bot's Bot API calls. Figures: bench/RESULTS.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bench import updates
from services.demo import LOAD_TELEGRAM_BASE
from tests.conftest import BACKENDS, Clock
from tests.unit.test_bench_smoke_a import _residents


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="LBA_TEST_BACKENDS leaves PostgreSQL out")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_webhook_processes_share_the_users_behind_a_round_robin_balancer(
    engine: Engine, demo: dict[str, int], clock: Clock, tmp_path: Path
) -> None:
    url = _residents(engine, 3, clock)
    full = updates.run_full(url, users=3, warmup=3, updates=24, workdir=tmp_path, processes=2)

    assert full.healthy, (full.timeouts, full.exit_code, full.tracebacks, full.refused)
    assert full.bot == "full bot, 2 processes (webhook)" and full.measured == 24
    # The balancer posted to both processes in turn, and each handled its share without a failure.
    assert len(full.spread) == 2 and all(count >= 12 for count in full.spread.values()), full.spread
    assert all("Traceback" not in (tmp_path / f"full-{n}.log").read_text() for n in range(2))


def test_the_echo_bot_can_make_the_full_bots_calls(tmp_path: Path) -> None:
    sent = {LOAD_TELEGRAM_BASE + n: ["text", "press", "press"] * 2 for n in range(1, 4)}
    same = updates.run_echo(users=3, warmup=3, updates=12, workdir=tmp_path, replay=sent, same_calls=True)
    assert same.healthy and same.measured == 12 and same.bot == "echo bot, the full bot's calls"
