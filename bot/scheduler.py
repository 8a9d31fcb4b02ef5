"""Runs the scheduler's tick every minute (and once at start, to catch up on downtime)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram.ext import Application, ContextTypes

from bot import delivery
from bot.persistence import recall, remember
from bot.runtime import RUNTIME_KEY, Runtime
from services import scheduler

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60
LAST_TICK = "scheduler_last_tick"


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
    if report.queued:
        delivery.deliver_soon(app)
    return report


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_tick(context.application)


def schedule(app: Application) -> None:  # type: ignore[type-arg]
    if app.job_queue is not None:
        app.job_queue.run_repeating(_job, interval=INTERVAL_SECONDS, first=0, name="scheduler")
