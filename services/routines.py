"""Scheduled routines (being built): queued by services.scheduler.tick."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from services.scheduler import TickConfig, TickReport


def plan(session: Session, now: datetime, config: TickConfig, last_tick: datetime | None, report: TickReport) -> None:
    """Queue what has fallen due (see services/scheduler.py)."""
