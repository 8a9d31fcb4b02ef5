from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.html import parse_html
from bot.i18n import CATALOGS, Raw, fmt_datetime, language_for, placeholders, t


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    fr, en = CATALOGS["fr"], CATALOGS["en"]
    assert set(fr) == set(en)
    for key in fr:
        assert placeholders(fr[key]) == placeholders(en[key]), key


def test_every_message_is_valid_telegram_html() -> None:
    for lang, catalog in CATALOGS.items():
        for key, template in catalog.items():
            values = {name: "x" for name in placeholders(template)}
            parse_html(t(lang, key, **values))  # raises on markup Telegram would refuse


def test_values_are_escaped_unless_raw() -> None:
    assert "&lt;b&gt;" in t("fr", "menu.hello", name="<b>")
    assert "<i>ok</i>" in t("fr", "menu.hello", name=Raw("<i>ok</i>"))


def test_language_choice_and_dates() -> None:
    assert language_for("en-GB") == "en" and language_for("de") == "fr" and language_for(None) == "fr"
    when = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night clocks go forward in Paris
    assert fmt_datetime(when, "fr", "Europe/Paris") == "dimanche 29 mars à 01:30"
    assert fmt_datetime(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "en", "Europe/Paris") == "Sunday 29 March at 03:30"
