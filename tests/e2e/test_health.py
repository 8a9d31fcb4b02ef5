"""/healthz and /metrics of `python -m bot run` (long polling), as Prometheus and a load balancer see them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from bot.emulator import BotApiEmulator, EmulatorServer
from tests.conftest import TEST_TOKEN
from tests.e2e.conftest import press, send
from tests.e2e.process import TIMEOUT, bot_env, bot_process, free_port, healthz, metrics, sample, wait_metrics
from tests.e2e.test_flows_process import sign_in


def test_healthz_and_metrics_follow_the_running_bot(engine: Engine, demo: dict[str, int], tmp_path: Path) -> None:
    port = free_port()
    emu = BotApiEmulator(TEST_TOKEN, bot_username="lba_e2e_bot")
    with (
        EmulatorServer(emu) as server,
        # A scheduler run every second: the lock gauge has something to show soon after start.
        bot_process(bot_env(server.url, engine, METRICS_PORT=str(port), LBA_SCHEDULER_INTERVAL="1"), tmp_path) as bot,
    ):
        assert emu.wait_for(lambda: any(c.method == "getUpdates" for c in emu.calls), TIMEOUT), bot.log
        status, health = healthz(port)
        assert status == 200, health
        assert (health["status"], health["mode"], health["database"]) == ("ok", "polling", "ok")
        assert health["last_update_at"] is None and health["seconds_since_last_update"] is None
        first = metrics(port)
        assert sample(first, "lba_updates_total", kind="message") == 0
        assert sample(first, "process_resident_memory_bytes") > 10_000_000 and sample(first, "process_open_fds") > 0

        # Two sign-ins and an incident report: the manager's alert leaves through the outbox.
        sophie, jeanne = emu.user(950001, "Sophie"), emu.user(950002, "Jeanne")
        sign_in(emu, sophie, "manager@lba.demo")
        sign_in(emu, jeanne, "resident1@lba.demo")
        send(emu, jeanne, "/signaler")
        press(emu, jeanne, "Électricité")
        press(emu, jeanne, "Mon appartement")
        send(emu, jeanne, "Le volet roulant électrique de la chambre est bloqué.")
        press(emu, jeanne, "Normale")
        press(emu, jeanne, "Passer")
        press(emu, jeanne, "Confirmer")
        assert emu.wait_for(lambda: any("volet roulant" in (m.text or "") for m in sophie.bot_messages), TIMEOUT)

        after = wait_metrics(port, lambda s: sample(s, "lba_messages_sent_total", kind="incident_alert") == 1)
        assert sample(after, "lba_messages_sent_total", kind="incident_alert") == 1
        assert sample(after, "lba_updates_total", kind="message") == 8
        assert sample(after, "lba_updates_total", kind="callback_query") == 5
        assert sample(after, "lba_update_duration_seconds_count", kind="message") == 8
        assert 0 < sample(after, "lba_update_duration_seconds_sum", kind="message") < 8 * 5
        assert sample(after, "lba_outbox_backlog") == 0 and sample(after, "lba_database_up") == 1
        # The only process: it holds the scheduler lock (PostgreSQL: from its first scheduler run).
        assert sample(
            wait_metrics(port, lambda s: sample(s, "lba_scheduler_lock_held") == 1), "lba_scheduler_lock_held"
        )
        assert sample(after, "lba_outbox_failed_total", reason="refused") == 0

        status, health = healthz(port)
        assert status == 200 and health["status"] == "ok" and health["outbox_backlog"] == 0
        assert health["last_update_at"] is not None and 0 <= health["seconds_since_last_update"] < TIMEOUT

        assert bot.terminate() == 0
        log = bot.log
    assert f"serving /healthz and /metrics on http://127.0.0.1:{port}" in log
    assert "Traceback" not in log and TEST_TOKEN not in log
