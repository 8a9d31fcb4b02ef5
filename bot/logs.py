"""The bot's log: text lines or JSON lines, never a secret, with the update in hand on every line.

Two rules hold for every line, whoever writes it (our code, python-telegram-bot, httpx, a traceback):
the bot token and the webhook secret are replaced by ``[redacted]`` (a Bot API URL holds the token,
and an exception's message may hold a URL), and no personal data is written — our own log calls
name ids only; the libraries that would log update contents (python-telegram-bot at DEBUG) are kept
at INFO.

While an update is handled, each line carries its ``update_id`` (and ``user_id``, our internal id,
once a handler called :func:`bind`): in JSON they are fields, so one update's lines can be found.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from bot.config import Settings

REDACTED = "[redacted]"
# The shape of any bot token (digits, a colon, 30+ URL-safe characters): redacted even when not ours.
TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose INFO lines are noise (a line per HTTP request or per job run): WARNING and above only.
QUIET = ("httpx", "httpcore", "apscheduler", "tornado.access", "matplotlib", "PIL", "alembic.runtime.plugins")
# python-telegram-bot logs whole updates (names, message texts) at DEBUG: never below INFO.
NO_DEBUG = ("telegram",)

_update: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("lba_log_update", default=None)
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


@contextlib.contextmanager
def update_context(**fields: Any) -> Iterator[dict[str, Any]]:
    """Every line logged inside (threads started with asyncio.to_thread included) carries `fields`."""
    token = _update.set(dict(fields))
    try:
        yield _update.get() or {}
    finally:
        _update.reset(token)


def bind(**fields: Any) -> None:
    """Add fields (ids only, e.g. user_id=me.id) to the lines of the update in hand; no-op outside one."""
    current = _update.get()
    if current is not None:
        current.update(fields)


class UpdateFields(logging.Filter):
    """Copies the update in hand's fields onto each record (a record's own extras win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _update.get()
        if fields:
            for key, value in fields.items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        return True


class Redact(logging.Filter):
    """Replaces the token and the secret in the message, its arguments, extras and traceback."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_RE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: keep its template, drop the arguments
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info:
            # Formatted once, here, so every formatter (text or JSON) writes the redacted version.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class _JsonLines(JsonFormatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - stdlib name
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def json_formatter() -> logging.Formatter:
    """One JSON object per line: time (ISO-8601, UTC), level, logger, message, then any extras."""
    return _JsonLines(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )


class _BotHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler setup_logging installs (a second call replaces it). Without a stream of its own it
    writes to whatever sys.stderr is at the time, which a host program may have replaced."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._own = stream
        super().__init__(stream)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return self._own if self._own is not None else sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        return None


def setup_logging(
    level: str, fmt: str = "text", *, secrets: Iterable[str | None] = (), stream: TextIO | None = None
) -> logging.Handler | None:
    """Configure the process's log: `fmt` "text" (as before) or "json"; `secrets` are redacted everywhere.

    Like logging.basicConfig, it leaves alone a process whose logging someone else configured (a test
    runner, a host program) — unless `stream` is given, which always installs the handler on it.
    """
    numeric = logging.getLevelName(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    for name in NO_DEBUG:
        logging.getLogger(name).setLevel(max(numeric, logging.INFO))
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _BotHandler):
            root.removeHandler(handler)
    if stream is None and root.handlers:
        return None
    handler = _BotHandler(stream)
    handler.setFormatter(json_formatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(UpdateFields())
    handler.addFilter(Redact(secrets))
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def configure(settings: Settings) -> logging.Handler | None:
    """setup_logging as the settings say: LOG_LEVEL, LOG_FORMAT, and the token and webhook secret redacted."""
    return setup_logging(settings.log_level, settings.log_format, secrets=(settings.token, settings.webhook_secret))
