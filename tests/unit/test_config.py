"""Each wrong setting stops the bot with one line saying what to set."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def settings(**env: str):  # type: ignore[no-untyped-def]
    return load_settings(require_token=True, env={"TELEGRAM_BOT_TOKEN": TOKEN, **env})


def test_defaults() -> None:
    s = settings()
    assert s.api_url == "https://api.telegram.org"
    assert s.database_url == "sqlite:///data/lba.db"
    assert s.timezone == "Europe/Paris" and s.log_level == "INFO"
    assert s.base_url == "https://api.telegram.org/bot"
    assert s.base_file_url == "https://api.telegram.org/file/bot"


def test_missing_token_says_how_to_get_one_and_that_demo_needs_none() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(require_token=True, env={})
    message = str(error.value)
    assert "@BotFather" in message and "demo" in message and "\n" not in message


def test_token_is_optional_when_not_running() -> None:
    assert load_settings(require_token=False, env={}).token is None


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "BotFather"),
        ("TELEGRAM_API_URL", "ftp://x", "http(s) URL"),
        ("DATABASE_URL", "nonsense", "database URL"),
        ("DATABASE_URL", "mysql://u@h/db", "not supported"),
        ("LBA_TIMEZONE", "Mars/Olympus", "time zone"),
        ("LOG_LEVEL", "LOUD", "DEBUG, INFO"),
        ("LBA_BCRYPT_ROUNDS", "99", "4 to 16"),
        ("TELEGRAM_BOT_USERNAME", "a b", "@username"),
        ("OUTBOX_PER_SECOND", "45", "0.1 to 30"),
        ("OUTBOX_PER_SECOND", "vite", "0.1 to 30"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str, hint: str) -> None:
    with pytest.raises(ConfigError) as error:
        settings(**{name: value})
    assert name in str(error.value) and hint in str(error.value)


def test_api_url_trailing_slash_and_postgres_urls() -> None:
    s = settings(TELEGRAM_API_URL="http://127.0.0.1:8081/", DATABASE_URL="postgresql://u:p@db:5432/lba")
    assert s.base_url == "http://127.0.0.1:8081/bot"
    assert s.database_url == "postgresql://u:p@db:5432/lba"


def test_environment_wins_over_dotenv(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=DEBUG\nLBA_TIMEZONE=Europe/London\n")
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "LOG_LEVEL", "LBA_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    s = load_settings(require_token=True)
    assert s.token == TOKEN and s.log_level == "WARNING" and s.timezone == "Europe/London"


def test_outbox_pace_defaults_to_telegrams_bulk_limit_and_takes_a_share() -> None:
    assert settings().outbox_per_second == 30
    assert settings(OUTBOX_PER_SECOND="15").outbox_per_second == 15
    assert settings(OUTBOX_PER_SECOND="0.5").outbox_per_second == 0.5
