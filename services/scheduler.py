"""Time-driven work, derived from the database on every tick.

Nothing depends on in-memory jobs: each tick looks at bookings, events, incidents and listings as
they are now and queues, through the outbox, what has fallen due. Every message has a dedup key, so
a tick run twice (two processes by mistake, a restart) queues it once; the outbox's validators drop
a queued reminder whose booking or event was cancelled or moved before it left.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from services import reminders, routines

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickConfig:
    booking_leads: tuple[int, ...] = (1440, 60)  # minutes before a booking (REMINDER_LEAD_MINUTES)
    event_leads: tuple[int, ...] = (1440, 120)  # the day before, and 2 hours before
    lookahead: timedelta = timedelta(minutes=10)  # queue slightly ahead, with not_before, for punctuality
    escalate_after: timedelta = timedelta(hours=2)  # an urgent incident nobody took in charge
    stale_days: tuple[int, ...] = (3, 7, 14)  # open incidents flagged in the digest
    digest_hour: int = 8  # local time of the managers' daily digest
    listing_notice: timedelta = timedelta(days=2)  # before a listing expires
    rating_after: timedelta = timedelta(hours=24)  # after a resolution, ask the reporter to rate it
    default_tz: str = "Europe/Paris"


@dataclass
class TickReport:
    queued: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)


def tick(session: Session, now: datetime, config: TickConfig, last_tick: datetime | None = None) -> TickReport:
    """One pass; `last_tick` (when the previous pass ran, None at first start) tells what fell due while down."""
    report = TickReport()
    reminders.plan(session, now, config, last_tick, report)
    routines.plan(session, now, config, last_tick, report)
    if report.skipped:
        log.info("scheduler skipped (no longer useful): %s", dict(report.skipped))
    return report
