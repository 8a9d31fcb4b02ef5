"""Several bot processes on one database: who runs the scheduled jobs, and SQLite's single-process rule."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from bot.config import Settings


@contextlib.contextmanager
def single_process(settings: Settings) -> Iterator[None]:
    yield
