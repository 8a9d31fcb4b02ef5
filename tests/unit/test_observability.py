"""/healthz and /metrics: what they say about the bot, over HTTP, and what they say when the database is gone."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from telegram import Update

from bot import coordination, observability
from bot.cli import main
from bot.delivery import send_due
from bot.observability import HealthServer, Metrics, update_kind
from bot.runtime import RUNTIME_KEY, Runtime
from models import User
from models.db import make_session_factory, unit_of_work
from services import outbox, routines
from services.scheduler import TickReport
from tests.conftest import TEST_TOKEN, Clock, make_settings
from tests.e2e.process import free_port, parse_metrics, sample
from tests.flows.test_delivery import flooded, queue  # noqa: F401 - `flooded` is a fixture
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness


def value(source: Any, name: str, **labels: str) -> float:
    """A sample of an application's metrics (or of a Metrics)."""
    metrics = source if isinstance(source, Metrics) else observability.metrics_of(source)
    return sample(parse_metrics(metrics.exposition()[0].decode()), name, **labels)


def test_update_kind_names_the_filled_field() -> None:
    message = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hi"}
    assert update_kind(Update.de_json({"update_id": 1, "message": message}, None)) == "message"
    query = {"id": "q", "from": {"id": 1, "is_bot": False, "first_name": "A"}, "chat_instance": "c", "data": "x"}
    assert update_kind(Update.de_json({"update_id": 2, "callback_query": query}, None)) == "callback_query"
    assert update_kind(Update.de_json({"update_id": 3, "edited_message": message}, None)) == "edited_message"
    assert update_kind(object()) == "object"


async def test_updates_are_counted_and_timed_per_application(bot: BotHarness) -> None:
    jeanne = bot.user(970001, "Jeanne")
    await sign_in(jeanne)
    await jeanne.send("/menu")
    await jeanne.press("🗓 Mes réservations")
    app = bot.app
    assert value(app, "lba_updates_total", kind="message") == 4
    assert value(app, "lba_updates_total", kind="callback_query") == 1
    assert value(app, "lba_update_duration_seconds_count", kind="message") == 4
    assert value(app, "lba_update_duration_seconds_sum", kind="message") > 0
    assert app.bot_data[RUNTIME_KEY].metrics.last_update_at == bot.clock()  # type: ignore[union-attr]
    # Another application in the same process has its own registry, untouched.
    other = Metrics()
    assert value(other, "lba_updates_total", kind="message") == 0


async def test_the_outbox_counts_sent_by_kind_scheduled_kinds_and_unreachable(bot: BotHarness) -> None:
    jeanne, marcel = bot.user(970002, "Jeanne"), bot.user(970003, "Marcel")
    await sign_in(jeanne)
    await sign_in(marcel, "resident2@lba.demo")
    assert queue(bot, "resident1@lba.demo") is not None  # kind "test"
    with unit_of_work(bot.app.bot_data[RUNTIME_KEY].sessions) as session:  # type: ignore[union-attr]
        user_id = session.scalar(sa.select(User.id).where(User.email == "resident1@lba.demo"))
        assert user_id is not None
        outbox.notify(session, user_id=user_id, kind=routines.DIGEST_KIND, key="menu.hello", now=bot.clock())
    assert await send_due(bot.app) == 2  # type: ignore[arg-type]
    assert value(bot.app, "lba_messages_sent_total", kind="test") == 1
    assert value(bot.app, "lba_messages_sent_total", kind=routines.DIGEST_KIND) == 1
    assert value(bot.app, "lba_reminders_sent_total", kind=routines.DIGEST_KIND) == 1
    assert value(bot.app, "lba_reminders_sent_total", kind="test") == 0

    marcel.emu.block_bot()
    queue(bot, "resident2@lba.demo")
    assert await send_due(bot.app) == 0  # type: ignore[arg-type]
    assert value(bot.app, "lba_outbox_failed_total", reason="unreachable") == 1


async def test_a_429_is_counted_as_a_retry(flooded: BotHarness) -> None:  # noqa: F811 - the fixture
    bot = flooded
    jeanne = bot.user(703, "Jeanne")
    with unit_of_work(bot.app.bot_data[RUNTIME_KEY].sessions) as session:  # type: ignore[union-attr]
        session.execute(sa.update(User).where(User.email == "resident1@lba.demo").values(telegram_id=703))
    await jeanne.send("/start")  # uses up this second's allowance for this chat
    queue(bot, "resident1@lba.demo", key="soon")
    assert await send_due(bot.app) == 0  # type: ignore[arg-type]
    assert value(bot.app, "lba_outbox_retries_total", reason="rate_limited") == 1


def test_scheduler_ticks_are_counted_by_kind() -> None:
    metrics = Metrics()
    report = TickReport()
    report.queued.update({"booking_reminder": 3, routines.DIGEST_KIND: 1})
    metrics.due(report)
    metrics.due(report)
    assert value(metrics, "lba_reminders_due_total", kind="booking_reminder") == 6
    assert value(metrics, "lba_reminders_due_total", kind=routines.DIGEST_KIND) == 2


# --- over HTTP -------------------------------------------------------------------------------------
def link(sessions: sessionmaker[Session], email: str, telegram_id: int) -> int:
    with unit_of_work(sessions) as session:
        session.execute(sa.update(User).where(User.email == email).values(telegram_id=telegram_id))
        user_id = session.scalar(sa.select(User.id).where(User.email == email))
        assert user_id is not None
        return user_id


async def get(port: int, path: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        return await client.get(f"http://127.0.0.1:{port}{path}")


async def test_healthz_and_metrics_report_the_database_and_the_outbox(
    engine: Engine, sessions: sessionmaker[Session], clock: Clock, demo: dict[str, int]
) -> None:
    runtime = Runtime(make_settings(), engine, sessions, clock)
    server, port = HealthServer(runtime), free_port()
    assert server.start("127.0.0.1", port)
    try:
        answer = await get(port, "/healthz")
        assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
        assert answer.json() == {
            "status": "ok",
            "mode": "polling",
            "database": "ok",
            "last_update_at": None,
            "seconds_since_last_update": None,
            "outbox_backlog": 0,
            "outbox_oldest_pending_seconds": 0.0,
        }

        # A message due and not sent for 6 minutes: still answering, but degraded.
        user_id = link(sessions, "resident1@lba.demo", 970010)
        with unit_of_work(sessions) as session:
            outbox.notify(session, user_id=user_id, kind="test", key="menu.hello", now=clock())
        runtime.metrics.handled("message", 0.01, clock())
        clock.advance(minutes=6)
        body = (await get(port, "/healthz")).json()
        assert (body["status"], body["outbox_backlog"], body["outbox_oldest_pending_seconds"]) == ("degraded", 1, 360)
        assert body["seconds_since_last_update"] == 360 and body["last_update_at"].startswith("2026-11-24T09:00")

        scraped = await get(port, "/metrics")
        assert (
            scraped.status_code == 200 and scraped.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        )
        found = parse_metrics(scraped.text)
        assert found[("lba_outbox_backlog", ())] == 1 and found[("lba_outbox_oldest_pending_seconds", ())] == 360
        assert found[("lba_database_up", ())] == 1
        assert found[("process_resident_memory_bytes", ())] > 0 and ("process_cpu_seconds_total", ()) in found
    finally:
        await server.stop()


@pytest.mark.parametrize(
    "url",
    ["sqlite:////nonexistent-lba-dir/sub/lba.db", "postgresql+psycopg://lba@127.0.0.1:{port}/lba?connect_timeout=2"],
    ids=["sqlite", "postgresql"],
)
async def test_healthz_is_503_when_the_database_is_unreachable(url: str, clock: Clock) -> None:
    unreachable = sa.create_engine(url.format(port=free_port()))
    runtime = Runtime(make_settings(), unreachable, make_session_factory(unreachable), clock)
    server, port = HealthServer(runtime), free_port()
    assert server.start("127.0.0.1", port)
    try:
        answer = await get(port, "/healthz")
        assert answer.status_code == 503
        body = answer.json()
        assert (body["status"], body["database"], body["outbox_backlog"]) == ("down", "error", None)
        assert parse_metrics((await get(port, "/metrics")).text)[("lba_database_up", ())] == 0
    finally:
        await server.stop()
        unreachable.dispose()


@pytest.fixture
def silent_database() -> Iterator[int]:
    """A port that accepts connections and never answers: a hung database server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    listener.close()


async def test_a_hung_database_gets_503_within_the_timeout_without_piling_up_checks(
    silent_database: int, clock: Clock
) -> None:
    hung = sa.create_engine(f"postgresql+psycopg://lba@127.0.0.1:{silent_database}/lba")
    runtime = Runtime(make_settings(), hung, make_session_factory(hung), clock)
    server, port = HealthServer(runtime, timeout=0.3), free_port()
    assert server.start("127.0.0.1", port)
    try:
        for _ in range(3):
            answer = await get(port, "/healthz")
            assert answer.status_code == 503 and answer.json()["database"] == "error"
        checks = [t for t in threading.enumerate() if t.name == "lba-health-check"]
        assert len(checks) == 1 and checks[0].daemon  # one check at a time; never holds up exit
    finally:
        await server.stop()


async def test_start_serves_only_a_running_process_and_survives_a_busy_port(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    app = bot.app
    runtime: Runtime = app.bot_data[RUNTIME_KEY]  # type: ignore[union-attr]
    await observability.start(app)  # type: ignore[arg-type]
    assert observability.SERVER_KEY not in app.bot_data  # type: ignore[union-attr]  # driven in-process: no server
    # The scheduler lock gauge reads the lock's state at each scrape.
    held = coordination.scheduler_lock_held(app)  # type: ignore[arg-type]
    assert value(app, "lba_scheduler_lock_held") == (1.0 if held else 0.0)

    runtime.serving = True
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        runtime.settings = dataclasses.replace(runtime.settings, metrics_port=busy.getsockname()[1])
        await observability.start(app)  # type: ignore[arg-type]
    assert observability.SERVER_KEY not in app.bot_data  # type: ignore[union-attr]
    assert "cannot serve /healthz and /metrics" in caplog.text

    port = free_port()
    runtime.settings = dataclasses.replace(runtime.settings, metrics_port=port)
    await observability.start(app)  # type: ignore[arg-type]
    try:
        assert json.loads((await get(port, "/healthz")).text)["status"] == "ok"
    finally:
        await observability.stop(app)  # type: ignore[arg-type]
    with pytest.raises(httpx.ConnectError):
        await get(port, "/healthz")


def test_run_refuses_one_port_for_both_the_webhook_and_metrics(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = {
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "WEBHOOK_URL": "https://bot.example.org/tg",
        "WEBHOOK_SECRET": "0123456789abcdef-secret",
        "WEBHOOK_PORT": "8443",
        "METRICS_PORT": "8443",
    }
    for name, setting in settings.items():
        monkeypatch.setenv(name, setting)
    assert main(["run"]) == 2
    assert "METRICS_PORT and WEBHOOK_PORT must differ" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()  # stopped before touching any database
