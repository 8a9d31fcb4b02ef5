"""What an operator sees of a running bot: `/healthz` and `/metrics`, served on METRICS_LISTEN:METRICS_PORT.

A small tornado server on the bot's own event loop, in both run modes (long polling and webhook),
started by `on_startup` and stopped by `on_stop`. Metrics live in a Prometheus registry per
application (`Runtime.metrics`), so several applications in one process (tests) never mix counts.

- `/healthz`: JSON — status ok / degraded (the outbox has had a message due for 5 minutes and not
  sent) / down (the database did not answer `SELECT 1` within 2 s) / stopping (a stop signal came:
  send nothing new here); HTTP 200, or 503 when down or stopping.
- `/metrics`: updates handled and their handling time by kind, outbox backlog (read at each scrape),
  failures and retries, messages sent by kind, scheduled messages queued and sent, the scheduler
  lock, and the process's CPU, memory and file descriptors.

The database check runs in a daemon thread, one at a time: a database that hangs makes /healthz
answer 503 after the timeout, never piles up threads, and never keeps the process from exiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import tornado.web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.exposition import choose_encoder
from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot import coordination, logs
from bot.runtime import RUNTIME_KEY, Runtime
from models import OutboxMessage, OutboxStatus
from models.db import unit_of_work
from services import reminders, routines
from services.scheduler import TickReport

log = logging.getLogger(__name__)

HEALTH_TIMEOUT = 2.0  # seconds the database has to answer /healthz
STALE_OUTBOX_SECONDS = 300.0  # a message due this long and not sent: "degraded"
SERVER_KEY = "lba.http"
# What the scheduler queues (services/reminders.py, services/routines.py): lba_reminders_* count these.
SCHEDULED_KINDS = frozenset(
    {
        reminders.BOOKING_KIND,
        reminders.EVENT_KIND,
        routines.ESCALATION_KIND,
        routines.DIGEST_KIND,
        routines.LISTING_NOTICE_KIND,
        routines.RATING_KIND,
    }
)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The bot's Prometheus metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "lba_updates", "Updates handled, by kind: message, callback_query, etc.", ["kind"], registry=r
        )
        self.update_seconds = Histogram(
            "lba_update_duration_seconds",
            "Time to handle one update through every handler, by kind",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "lba_outbox_backlog", "Outbox messages due and not sent yet (read at each scrape)", registry=r
        )
        self.outbox_oldest = Gauge(
            "lba_outbox_oldest_pending_seconds",
            "How long the oldest outbox message due has waited (0: none waiting; read at each scrape)",
            registry=r,
        )
        self.database_up = Gauge("lba_database_up", "1 if the database answered the last check in time", registry=r)
        self.outbox_failed = Counter(
            "lba_outbox_failed",
            "Outbox messages given up: refused by Telegram (refused) or recipient blocked the bot (unreachable)",
            ["reason"],
            registry=r,
        )
        self.outbox_retries = Counter(
            "lba_outbox_retries",
            "Outbox sends put back for later: Telegram's 429 (rate_limited) or a network error (network)",
            ["reason"],
            registry=r,
        )
        self.messages_sent = Counter("lba_messages_sent", "Outbox messages sent, by kind", ["kind"], registry=r)
        self.reminders_due = Counter(
            "lba_reminders_due",
            "Scheduled messages (reminders, digests, escalations...) queued by this process's scheduler, by kind",
            ["kind"],
            registry=r,
        )
        self.reminders_sent = Counter(
            "lba_reminders_sent",
            "Scheduled messages sent (whichever process queued them), by kind",
            ["kind"],
            registry=r,
        )
        self.scheduler_lock = Gauge(
            "lba_scheduler_lock_held", "1 while this process holds the scheduler lock (runs scheduled jobs)", registry=r
        )
        ProcessCollector(registry=r)
        self.last_update_at: datetime | None = None

    def handled(self, kind: str, seconds: float, at: datetime) -> None:
        self.updates.labels(kind).inc()
        self.update_seconds.labels(kind).observe(seconds)
        self.last_update_at = at

    def sent(self, kind: str) -> None:
        self.messages_sent.labels(kind).inc()
        if kind in SCHEDULED_KINDS:
            self.reminders_sent.labels(kind).inc()

    def failed(self, reason: str) -> None:
        self.outbox_failed.labels(reason).inc()

    def retried(self, reason: str) -> None:
        self.outbox_retries.labels(reason).inc()

    def due(self, report: TickReport) -> None:
        for kind, count in report.queued.items():
            self.reminders_due.labels(kind).inc(count)

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """The metrics and their content type, in the format the scraper asks for (Prometheus text by default)."""
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


def metrics_of(app: Application) -> Metrics:  # type: ignore[type-arg]
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    return runtime.metrics


def reminders_due(app: Application, report: TickReport) -> None:  # type: ignore[type-arg]
    """For the scheduler: count what one tick queued (lba_reminders_due_total)."""
    metrics_of(app).due(report)


def update_kind(update: object) -> str:
    """The update's one filled field, in Telegram's own naming: message, callback_query, my_chat_member..."""
    if not isinstance(update, Update):
        return type(update).__name__
    for name in Update.ALL_TYPES:
        if getattr(update, name, None) is not None:
            return name
    return "other"


class ObservedApplication(Application):  # type: ignore[type-arg]
    """The Application, counting and timing every update it handles, with the update's id on its log lines;
    in the `run` process, it also answers the stop signals (see `take_stop_signals`)."""

    _stop_requested = False

    def take_stop_signals(self) -> None:
        """SIGINT/SIGTERM from now on (post_init), instead of python-telegram-bot's own handler.

        PTB's handler raises SystemExit wherever the loop is: while the webhook is being registered
        (or polling set up) that abandons the Bot API call mid-way — a traceback and exit code 1. Here,
        a signal before the application runs is held until it runs, then stops it the graceful way
        (a second signal stops at once); once it runs, it does what PTB does. Either way /healthz turns
        to "stopping" at the signal.
        """
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # an event loop without signals keeps PTB's way
                loop.add_signal_handler(sig, self._on_stop_signal)

    def _on_stop_signal(self) -> None:
        runtime: Runtime = self.bot_data[RUNTIME_KEY]
        runtime.stopping = True
        again, self._stop_requested = self._stop_requested, True
        if self.running or again:
            raise SystemExit  # as PTB: run_forever ends, then the update in hand is finished, state flushed
        log.info("stop signal received while starting: stopping as soon as started")

    async def start(self) -> None:
        await super().start()
        if self._stop_requested:
            raise SystemExit

    async def process_update(self, update: object) -> None:
        runtime: Runtime = self.bot_data[RUNTIME_KEY]
        kind = update_kind(update)
        started = time.perf_counter()
        user = update.effective_user if isinstance(update, Update) else None
        with logs.update_context(update_id=getattr(update, "update_id", None)):
            try:
                async with coordination.user_turn(runtime.engine, user.id if user else None):
                    await super().process_update(update)
            finally:
                elapsed = time.perf_counter() - started
                runtime.metrics.handled(kind, elapsed, runtime.now())
                log.debug("update handled", extra={"kind": kind, "duration_ms": round(elapsed * 1000, 1)})


# --- the database check ------------------------------------------------------------------------
@dataclass(frozen=True)
class Backlog:
    count: int  # outbox messages due now and not sent (pending or being sent)
    oldest_seconds: float  # how long the oldest of them has been due; 0 when none


def outbox_backlog(session: Session, now: datetime) -> Backlog:
    due = sa.and_(
        OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]), OutboxMessage.not_before <= now
    )
    count, oldest = session.execute(sa.select(sa.func.count(), sa.func.min(OutboxMessage.not_before)).where(due)).one()
    age = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
    return Backlog(int(count), round(age, 1))


class Probe:
    """`SELECT 1` and the outbox backlog, off the loop, bounded by `timeout`, never two at once."""

    def __init__(self, runtime: Runtime, timeout: float = HEALTH_TIMEOUT) -> None:
        self.runtime = runtime
        self.timeout = timeout
        self._pending: asyncio.Future[Backlog] | None = None

    def _query(self) -> Backlog:
        with unit_of_work(self.runtime.sessions) as session:
            session.execute(sa.text("SELECT 1"))
            return outbox_backlog(session, self.runtime.now())

    def _start(self) -> asyncio.Future[Backlog]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Backlog] = loop.create_future()

        def settle(result: Backlog | None, error: BaseException | None) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)  # type: ignore[arg-type]

        def work() -> None:
            try:
                result, error = self._query(), None
            except Exception as exc:  # reported to the waiting check
                result, error = None, exc
            with contextlib.suppress(RuntimeError):  # the loop closed while the database hung
                loop.call_soon_threadsafe(settle, result, error)

        # A daemon thread rather than the default executor: a hung database must not hold up exit.
        threading.Thread(target=work, name="lba-health-check", daemon=True).start()
        return future

    async def check(self) -> Backlog | None:
        """The backlog, or None if the database failed or did not answer in time."""
        if self._pending is None or self._pending.done():
            self._pending = self._start()
        try:
            backlog = await asyncio.wait_for(asyncio.shield(self._pending), self.timeout)
        except TimeoutError:
            log.warning("database check: no answer within %.1f s", self.timeout)
            backlog = None
        except Exception as error:
            log.warning("database check failed: %s", type(error).__name__)
            backlog = None
        self.runtime.metrics.database_up.set(0 if backlog is None else 1)
        return backlog


async def health(runtime: Runtime, probe: Probe) -> tuple[int, dict[str, Any]]:
    """The /healthz answer: (HTTP status, JSON body)."""
    backlog = await probe.check()
    now = runtime.now()
    last = runtime.metrics.last_update_at
    if runtime.stopping:
        status = "stopping"
    elif backlog is None:
        status = "down"
    elif backlog.oldest_seconds > STALE_OUTBOX_SECONDS:
        status = "degraded"
    else:
        status = "ok"
    body = {
        "status": status,
        "mode": "webhook" if runtime.settings.webhook_url else "polling",
        "database": "error" if backlog is None else "ok",
        "last_update_at": last.isoformat() if last else None,
        "seconds_since_last_update": round((now - last).total_seconds(), 1) if last else None,
        "outbox_backlog": backlog.count if backlog else None,
        "outbox_oldest_pending_seconds": backlog.oldest_seconds if backlog else None,
    }
    return (503 if backlog is None or runtime.stopping else 200), body


# --- the HTTP server ---------------------------------------------------------------------------
class _Handler(tornado.web.RequestHandler):
    def initialize(self, runtime: Runtime, probe: Probe) -> None:
        self.runtime = runtime
        self.probe = probe


class _Health(_Handler):
    async def get(self) -> None:
        status, body = await health(self.runtime, self.probe)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))


class _Metrics(_Handler):
    async def get(self) -> None:
        backlog = await self.probe.check()
        metrics = self.runtime.metrics
        if backlog is not None:
            metrics.outbox_backlog.set(backlog.count)
            metrics.outbox_oldest.set(backlog.oldest_seconds)
        body, content_type = metrics.exposition(self.request.headers.get("Accept", ""))
        self.set_header("Content-Type", content_type)
        self.finish(body)


class HealthServer:
    """/healthz and /metrics over HTTP, on the running event loop."""

    def __init__(self, runtime: Runtime, *, timeout: float = HEALTH_TIMEOUT) -> None:
        self.runtime = runtime
        self.probe = Probe(runtime, timeout)
        self._server: HTTPServer | None = None

    def start(self, listen: str, port: int) -> bool:
        """Listen (inside the running loop); False, with one error line, if the address is unavailable."""
        routes = [(r"/healthz", _Health), (r"/metrics", _Metrics)]
        args = {"runtime": self.runtime, "probe": self.probe}
        web = tornado.web.Application([(path, cls, args) for path, cls in routes], log_function=_quiet)
        server = HTTPServer(web)
        try:
            server.listen(port, address=listen)
        except OSError as error:
            log.error(
                "cannot serve /healthz and /metrics on %s:%d (%s): the bot runs without them; "
                "set METRICS_PORT to a free port, or 0 to turn them off",
                listen,
                port,
                error.strerror or error,
            )
            return False
        self._server = server
        log.info("serving /healthz and /metrics on http://%s:%d", listen, port)
        return True

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()
            await server.close_all_connections()


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """No access log: a scrape every few seconds is not news."""


async def start(app: Application) -> None:  # type: ignore[type-arg]
    """From on_startup, in the `run` process: take the stop signals, serve /healthz and /metrics (METRICS_PORT)."""
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    runtime.metrics.scheduler_lock.set_function(lambda: 1.0 if coordination.scheduler_lock_held(app) else 0.0)
    settings = runtime.settings
    if not runtime.serving:
        return
    if isinstance(app, ObservedApplication):
        app.take_stop_signals()
    if settings.metrics_port == 0:
        return
    server = HealthServer(runtime)
    if server.start(settings.metrics_listen, settings.metrics_port):
        app.bot_data[SERVER_KEY] = server


async def stop(app: Application) -> None:  # type: ignore[type-arg]
    server: HealthServer | None = app.bot_data.pop(SERVER_KEY, None)
    if server is not None:
        await server.stop()
