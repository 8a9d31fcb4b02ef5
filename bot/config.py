"""Settings from the environment or a `.env` file (the environment wins), validated at start.

Each missing or malformed value stops the bot with one line saying what to set, because a
stack trace about a `None` token is not how a new operator should meet the project.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv
from sqlalchemy.exc import ArgumentError

from models.db import normalize_url

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite:///data/lba.db"
TOKEN_RE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class ConfigError(Exception):
    """A setting is missing or wrong; the message is the one line the operator sees."""


@dataclass(frozen=True)
class Settings:
    token: str | None
    api_url: str
    database_url: str
    timezone: str
    log_level: str
    bot_username: str | None = None
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str | None = None
    openai_timeout: float = 20.0
    openai_daily_tokens: int = 20000
    bcrypt_rounds: int = 12
    persistence_interval: float = 2.0
    reminder_lead_minutes: tuple[int, ...] = (1440, 60)
    # --- production (issue 7)
    webhook_url: str | None = None  # set: webhook mode; unset: long polling
    webhook_secret: str | None = None  # required with webhook_url; Telegram sends it in every request
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    metrics_listen: str = "127.0.0.1"
    metrics_port: int = 9090  # /healthz and /metrics; 0 turns the server off
    log_format: str = "text"  # text | json
    backup_dir: str = "data/backups"
    backup_hour: int | None = 3  # local hour of the nightly backup; None: no nightly backup
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    # Bulk sends (the outbox: announcements, reminders, alerts) leave at this pace, per process.
    outbox_per_second: float = 30.0

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_url(self) -> str:
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_url}/file/bot"


def _get(env: dict[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def load_settings(*, require_token: bool, env: dict[str, str] | None = None, dotenv: bool = True) -> Settings:
    if env is None:
        if dotenv:
            load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)

    token = _get(env, "TELEGRAM_BOT_TOKEN")
    if token is None and require_token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot), then put "
            "TELEGRAM_BOT_TOKEN=<token> in the environment or in .env "
            "(`python -m bot demo` needs no token)."
        )
    if token is not None and not TOKEN_RE.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN looks wrong: expected the form 123456789:AA... given by @BotFather.")

    api_url = (_get(env, "TELEGRAM_API_URL") or DEFAULT_API_URL).rstrip("/")
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"TELEGRAM_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, got {api_url!r}.")

    database_url = _get(env, "DATABASE_URL") or DEFAULT_DATABASE_URL
    try:
        backend = normalize_url(database_url).get_backend_name()
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a database URL: use sqlite:///data/lba.db or "
            "postgresql://user:password@host:5432/dbname."
        ) from None
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"DATABASE_URL: {backend} is not supported; use SQLite or PostgreSQL.")

    timezone = _get(env, "LBA_TIMEZONE") or "Europe/Paris"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"LBA_TIMEZONE: {timezone!r} is not a known time zone; use a name such as Europe/Paris."
        ) from None

    log_level = (_get(env, "LOG_LEVEL") or "INFO").upper()
    if log_level not in logging.getLevelNamesMapping():
        raise ConfigError(f"LOG_LEVEL: {log_level!r} is not a level; use DEBUG, INFO, WARNING or ERROR.")

    bot_username = _get(env, "TELEGRAM_BOT_USERNAME")
    if bot_username is not None:
        bot_username = bot_username.lstrip("@")
        if not USERNAME_RE.match(bot_username):
            raise ConfigError("TELEGRAM_BOT_USERNAME must be the bot's @username, such as lba_residence_bot.")

    rounds_text = _get(env, "LBA_BCRYPT_ROUNDS") or "12"
    if not rounds_text.isdigit() or not 4 <= int(rounds_text) <= 16:
        raise ConfigError("LBA_BCRYPT_ROUNDS must be a whole number from 4 to 16 (12 is the default).")

    leads_text = _get(env, "REMINDER_LEAD_MINUTES") or "1440,60"
    try:
        leads = tuple(sorted({int(part) for part in leads_text.split(",") if part.strip()}, reverse=True))
    except ValueError:
        leads = ()
    if not leads or any(not 1 <= lead <= 10080 for lead in leads):
        raise ConfigError(
            "REMINDER_LEAD_MINUTES must be minutes before a booking, comma-separated, each from 1 to 10080 "
            "(default 1440,60: a day and an hour before)."
        )

    openai_base_url = _get(env, "OPENAI_BASE_URL")
    if openai_base_url is not None and urlparse(openai_base_url).scheme not in ("http", "https"):
        raise ConfigError("OPENAI_BASE_URL must be an http(s) URL, such as http://localhost:11434/v1.")

    openai_timeout = _number(
        env, "OPENAI_TIMEOUT", 20, 1, 300, "OPENAI_TIMEOUT must be seconds from 1 to 300 (20 is the default)."
    )
    budget_text = _get(env, "OPENAI_DAILY_TOKENS") or "20000"
    if not budget_text.isdigit() or int(budget_text) < 1:
        raise ConfigError(
            "OPENAI_DAILY_TOKENS must be a whole number of tokens, at least 1: what one resident may spend a day "
            "(20000 is the default)."
        )

    webhook_url = _get(env, "WEBHOOK_URL")
    webhook_secret = _get(env, "WEBHOOK_SECRET")
    if webhook_url is not None:
        parsed_hook = urlparse(webhook_url)
        if parsed_hook.scheme != "https" or not parsed_hook.netloc:
            raise ConfigError("WEBHOOK_URL must be the public https:// address Telegram will post updates to.")
        if webhook_secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET is required with WEBHOOK_URL: 16 to 256 characters among A-Z a-z 0-9 _ - "
                "(for example the output of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
    if webhook_secret is not None and not SECRET_RE.match(webhook_secret):
        raise ConfigError("WEBHOOK_SECRET must be 16 to 256 characters among A-Z a-z 0-9 _ - (Telegram's rule).")
    webhook_port = _port(env, "WEBHOOK_PORT", 8443, allow_zero=False)
    metrics_port = _port(env, "METRICS_PORT", 9090, allow_zero=True)
    log_format = (_get(env, "LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise ConfigError("LOG_FORMAT must be text or json.")
    hour_text = (_get(env, "BACKUP_HOUR") or "3").lower()
    if hour_text in ("off", "none", "no"):
        backup_hour: int | None = None
    elif hour_text.isdigit() and int(hour_text) <= 23:
        backup_hour = int(hour_text)
    else:
        raise ConfigError("BACKUP_HOUR must be an hour from 0 to 23 (local time; 3 is the default), or off.")
    keep = {}
    for name, default in (("BACKUP_KEEP_DAILY", 7), ("BACKUP_KEEP_WEEKLY", 4)):
        text = _get(env, name) or str(default)
        if not text.isdigit() or not 1 <= int(text) <= 365:
            raise ConfigError(f"{name} must be a whole number from 1 to 365 ({default} is the default).")
        keep[name] = int(text)

    outbox_per_second = _number(
        env,
        "OUTBOX_PER_SECOND",
        30,
        0.1,
        30,
        "OUTBOX_PER_SECOND must be messages a second from 0.1 to 30 (Telegram's limit for bulk sends, the "
        "default); with several bot processes, give each its share (15 each for two).",
    )

    return Settings(
        token=token,
        api_url=api_url,
        database_url=database_url,
        timezone=timezone,
        log_level=log_level,
        bot_username=bot_username,
        openai_api_key=_get(env, "OPENAI_API_KEY"),
        openai_base_url=openai_base_url,
        openai_model=_get(env, "OPENAI_MODEL"),
        openai_timeout=openai_timeout,
        openai_daily_tokens=int(budget_text),
        bcrypt_rounds=int(rounds_text),
        reminder_lead_minutes=leads,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=_get(env, "WEBHOOK_LISTEN") or "0.0.0.0",
        webhook_port=webhook_port,
        metrics_listen=_get(env, "METRICS_LISTEN") or "127.0.0.1",
        metrics_port=metrics_port,
        log_format=log_format,
        backup_dir=_get(env, "BACKUP_DIR") or "data/backups",
        backup_hour=backup_hour,
        backup_keep_daily=keep["BACKUP_KEEP_DAILY"],
        backup_keep_weekly=keep["BACKUP_KEEP_WEEKLY"],
        outbox_per_second=outbox_per_second,
    )


def _number(env: dict[str, str], name: str, default: float, low: float, high: float, error: str) -> float:
    """A decimal number from `low` to `high`; anything else stops the bot with `error`."""
    try:
        value = float(_get(env, name) or default)
    except ValueError:
        raise ConfigError(error) from None
    if not low <= value <= high:
        raise ConfigError(error)
    return value


def _port(env: dict[str, str], name: str, default: int, *, allow_zero: bool) -> int:
    text = _get(env, name) or str(default)
    low = 0 if allow_zero else 1
    if not text.isdigit() or not low <= int(text) <= 65535:
        off = " (0 turns it off)" if allow_zero else ""
        raise ConfigError(f"{name} must be a TCP port from {low} to 65535{off}; {default} is the default.")
    return int(text)
