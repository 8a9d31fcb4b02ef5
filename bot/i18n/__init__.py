"""Every user-visible string, by key, in French (first) and English.

`t()` HTML-escapes every value it is given, so a user-supplied name can never break a message's
markup; a value that is already safe HTML (built by us from catalog strings) is wrapped in `Raw`.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import string
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import en, flows, fr


def _catalogs() -> dict[str, dict[str, str]]:
    """The core catalogs, plus each flow's texts (bot/i18n/flows/<flow>.py holds its FR and EN side by side)."""
    catalogs = {"fr": dict(fr.MESSAGES), "en": dict(en.MESSAGES)}
    for info in pkgutil.iter_modules(flows.__path__):
        module = importlib.import_module(f"{flows.__name__}.{info.name}")
        for lang, messages in (("fr", module.FR), ("en", module.EN)):
            clash = set(messages) & set(catalogs[lang])
            if clash:
                raise RuntimeError(f"catalog keys defined twice: {sorted(clash)}")
            catalogs[lang].update(messages)
    return catalogs


CATALOGS: dict[str, dict[str, str]] = _catalogs()
CALENDARS = {"fr": fr, "en": en}
DEFAULT_LANGUAGE = "fr"
LANGUAGES = tuple(CATALOGS)


class Raw(str):
    """A string that is already HTML and must not be escaped again."""


def language_for(telegram_language_code: str | None) -> str:
    """French by default; English for users whose Telegram speaks English."""
    if telegram_language_code and telegram_language_code.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def t(lang: str, key: str, /, **values: object) -> str:
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT_LANGUAGE])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE][key]
    if not values:
        return template
    safe = {k: v if isinstance(v, Raw) else html.escape(str(v), quote=False) for k, v in values.items()}
    return template.format(**safe)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def fmt_datetime(when: datetime, lang: str, tz: str | ZoneInfo) -> str:
    """'mardi 24 novembre à 15:00' / 'Tuesday 24 November at 15:00', in the residence's time zone."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    local = when.astimezone(zone)
    cal = CALENDARS.get(lang, fr)
    return cal.DATETIME_FORMAT.format(
        weekday=cal.WEEKDAYS[local.weekday()],
        day=local.day,
        month=cal.MONTHS[local.month - 1],
        time=local.strftime("%H:%M"),
    )


def fmt_time(when: datetime, tz: str | ZoneInfo) -> str:
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return when.astimezone(zone).strftime("%H:%M")
