"""What every handler needs besides the update: settings, database, clock; and the context type."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from models.db import unit_of_work

if TYPE_CHECKING:
    from aiolimiter import AsyncLimiter

    from bot.observability import Metrics

P = ParamSpec("P")
R = TypeVar("R")

RUNTIME_KEY = "lba.runtime"


def system_clock() -> datetime:
    return datetime.now(UTC)


def _new_metrics() -> Metrics:
    # Imported here: bot.observability builds on this module (Runtime, RUNTIME_KEY).
    from bot.observability import Metrics

    return Metrics()


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=system_clock)
    metrics: Metrics = field(default_factory=_new_metrics)  # this application's own Prometheus registry
    # Set by `python -m bot run`: this application is the process — it serves /healthz and /metrics
    # (METRICS_PORT) and answers SIGTERM. Applications driven in-process (tests) do neither.
    serving: bool = False
    stopping: bool = False  # a stop signal came: finishing the update in hand, then exiting
    # The pace of bulk sends (the outbox), OUTBOX_PER_SECOND; None: unpaced (in-process tests).
    outbox_pace: AsyncLimiter | None = None

    def now(self) -> datetime:
        return self.clock()

    async def db(self, fn: Callable[Concatenate[Session, P], R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run one service call as one unit of work, off the event loop (bcrypt and I/O block)."""

        def work() -> R:
            with unit_of_work(self.sessions) as session:
                return fn(session, *args, **kwargs)

        return await asyncio.to_thread(work)


class Ctx(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], dict[str, Any]]):
    """The callback context of LBA Bot: `context.rt` is the runtime."""

    @property
    def rt(self) -> Runtime:
        runtime: Runtime = self.application.bot_data[RUNTIME_KEY]
        return runtime


LbaApplication = Application[ExtBot[None], Ctx, dict[str, Any], dict[str, Any], dict[str, Any], Any]
