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

    timeout_text = _get(env, "OPENAI_TIMEOUT") or "20"
    try:
        openai_timeout = float(timeout_text)
    except ValueError:
        openai_timeout = 0.0
    if not 1 <= openai_timeout <= 300:
        raise ConfigError("OPENAI_TIMEOUT must be seconds from 1 to 300 (20 is the default).")
    budget_text = _get(env, "OPENAI_DAILY_TOKENS") or "20000"
    if not budget_text.isdigit() or int(budget_text) < 1:
        raise ConfigError(
            "OPENAI_DAILY_TOKENS must be a whole number of tokens, at least 1: what one resident may spend a day "
            "(20000 is the default)."
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
    )
