"""Runs the scheduler's tick every minute (and once at start, to catch up on downtime).

With several processes on one PostgreSQL database, every process schedules the run, but only the
holder of the scheduler lock (bot/coordination.py) does the work; the others skip, and take over at
their next run if the holder dies. After the tick, the same run gives the nightly backup its chance.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from datetime import datetime

from telegram.ext import Application, ContextTypes

from bot import backup, coordination, delivery, observability
from bot.config import ConfigError
from bot.persistence import recall, remember
from bot.runtime import RUNTIME_KEY, Runtime
from services import outbox, scheduler

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60.0
INTERVAL_ENV = "LBA_SCHEDULER_INTERVAL"
LAST_TICK = "scheduler_last_tick"


def interval_seconds(env: Mapping[str, str] | None = None) -> float:
    """Seconds between scheduler runs: LBA_SCHEDULER_INTERVAL, 60 by default (tests shorten it)."""
    text = (os.environ if env is None else env).get(INTERVAL_ENV, "").strip()
    if not text:
        return INTERVAL_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0.5 <= value <= 3600:
        raise ConfigError(f"{INTERVAL_ENV} must be seconds from 0.5 to 3600 (60 is the default).")
    return value


def config_of(runtime: Runtime) -> scheduler.TickConfig:
    settings = runtime.settings
    return scheduler.TickConfig(booking_leads=settings.reminder_lead_minutes, default_tz=settings.timezone)


async def run_tick(app: Application) -> scheduler.TickReport:  # type: ignore[type-arg]
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    now = runtime.now()
    stored = await asyncio.to_thread(recall, runtime.sessions, LAST_TICK)
    last = datetime.fromisoformat(stored) if stored else None
    report = await runtime.db(scheduler.tick, now, config_of(runtime), last)
    await asyncio.to_thread(remember, runtime.sessions, LAST_TICK, now.isoformat())
    observability.reminders_due(app, report)
    if report.queued:
        delivery.deliver_soon(app)
    return report


async def run_scheduled(app: Application) -> bool:  # type: ignore[type-arg]
    """One scheduler run: the tick, then the nightly backup, if this process holds the lock; False if not."""
    if not await coordination.ensure_scheduler_lock(app):
        log.debug("scheduler run skipped: another process holds the scheduler lock")
        return False
    await run_tick(app)
    await _take_back_abandoned(app)
    try:
        await backup.nightly_job(app)
    except Exception:  # the backup's failure is its own: the next tick must still come
        log.exception("nightly backup job failed")
    return True


async def _take_back_abandoned(app: Application) -> None:  # type: ignore[type-arg]
    """Outbox rows a dead process claimed and never sent: pending again once their lease has run out."""
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    taken = await runtime.db(outbox.resume_interrupted, runtime.now(), alone=False)
    if taken:
        log.warning("%d notification(s) abandoned by a stopped process will be sent", taken)
        delivery.deliver_soon(app)


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_scheduled(context.application)


def schedule(app: Application) -> None:  # type: ignore[type-arg]
    if app.job_queue is not None:
        interval = interval_seconds()
        # At start, to catch up on downtime: a run_repeating job's `first=0` would wait a whole interval
        # (python-telegram-bot's documented APScheduler caveat), so the first run is its own job.
        app.job_queue.run_once(_job, when=0, name="scheduler: first run", job_kwargs={"misfire_grace_time": None})
        app.job_queue.run_repeating(_job, interval=interval, first=interval, name="scheduler")


async def stop(app: Application) -> None:  # type: ignore[type-arg]
    """At stop: free the scheduler lock now, so another process takes over at its next run."""
    await coordination.release_scheduler_lock(app)
