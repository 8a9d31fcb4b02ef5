"""The bot's log: text or JSON lines, secrets redacted wherever they appear, no personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.logs import REDACTED, bind, setup_logging, update_context
from tests.conftest import TEST_TOKEN
from tests.flows.test_signin import PASSWORD, sign_in
from tests.harness import BotHarness

SECRET = "webhook-secret_0123456789abcdef"
OTHER_TOKEN = "987654321:ZYXwvuTSRqpoNMLkjiHGFedcBA9876543210"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The bot's log handler on a buffer, JSON, at DEBUG; the process's logging as it was afterwards."""
    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    handler = setup_logging("DEBUG", "json", secrets=(TEST_TOKEN, SECRET), stream=buffer)
    yield buffer
    root.removeHandler(handler)  # type: ignore[arg-type]
    root.setLevel(level)


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_token_and_secret_are_redacted_in_message_arguments_extras_and_tracebacks(captured: io.StringIO) -> None:
    log = logging.getLogger("bot.test")
    log.info("POST %s", f"https://api.telegram.org/bot{TEST_TOKEN}/getMe")
    log.warning("webhook secret is %s", SECRET, extra={"header": f"X-Telegram-Bot-Api-Secret-Token: {SECRET}"})
    log.info("someone else's token %s", OTHER_TOKEN)
    try:
        raise RuntimeError(f"could not reach https://api.telegram.org/bot{TEST_TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("network failure")
    output = captured.getvalue()
    assert TEST_TOKEN not in output and SECRET not in output and OTHER_TOKEN not in output
    records = lines(captured)
    assert records[0]["message"] == f"POST https://api.telegram.org/bot{REDACTED}/getMe"
    assert records[1]["header"] == f"X-Telegram-Bot-Api-Secret-Token: {REDACTED}"
    assert records[2]["message"] == f"someone else's token {REDACTED}"
    assert "RuntimeError: could not reach" in str(records[3]["exc_info"]) and REDACTED in str(records[3]["exc_info"])


def test_json_lines_carry_time_level_logger_message_and_the_update_in_hand(captured: io.StringIO) -> None:
    log = logging.getLogger("bot.test")
    with update_context(update_id=4242):
        bind(user_id=7)
        log.info("step done", extra={"duration_ms": 12.5})
    log.info("outside any update")
    bind(user_id=8)  # outside an update: nothing to bind to
    inside, outside = lines(captured)
    assert list(inside)[:4] == ["time", "level", "logger", "message"]
    assert (inside["level"], inside["logger"], inside["message"]) == ("INFO", "bot.test", "step done")
    assert (inside["update_id"], inside["user_id"], inside["duration_ms"]) == (4242, 7, 12.5)
    when = datetime.fromisoformat(str(inside["time"]))
    assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert "update_id" not in outside and "user_id" not in outside


def test_text_format_and_library_levels() -> None:
    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    handler = setup_logging("DEBUG", "text", secrets=(TEST_TOKEN,), stream=buffer)
    try:
        logging.getLogger("bot.test").debug("token %s", TEST_TOKEN)
        logging.getLogger("httpx").info(f"HTTP Request: POST https://api.telegram.org/bot{TEST_TOKEN}/getUpdates")
        logging.getLogger("telegram.ext.Updater").debug("Received data: a resident's whole update")
        # A second call replaces the handler rather than adding one (no doubled lines).
        assert setup_logging("DEBUG", "text", stream=buffer) is not None
        assert sum(isinstance(h, type(handler)) for h in root.handlers) == 1
        root.removeHandler(root.handlers[-1])
    finally:
        root.removeHandler(handler)  # type: ignore[arg-type]
        root.setLevel(level)
    output = buffer.getvalue().splitlines()
    assert len(output) == 1 and output[0].endswith(f"DEBUG bot.test: token {REDACTED}")
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("telegram").getEffectiveLevel() == logging.INFO


def test_a_process_whose_logging_is_already_configured_is_left_alone() -> None:
    root = logging.getLogger()
    foreign = logging.StreamHandler(io.StringIO())
    root.addHandler(foreign)
    try:
        assert setup_logging("INFO", "json") is None
        assert [h for h in root.handlers if h is foreign] == [foreign]
    finally:
        root.removeHandler(foreign)


async def test_sign_in_incident_and_market_message_leave_no_personal_data_in_the_log(
    bot: BotHarness, captured: io.StringIO
) -> None:
    sophie = bot.user(960001, "Sophie", last_name="Martin", username="sophie_m")
    await sign_in(sophie, "manager@lba.demo")
    jeanne = bot.user(960002, "Jeanne", last_name="Dupont", username="jeanne_d")
    await sign_in(jeanne)
    description = "Odeur de brûlé près du tableau électrique du palier."
    await jeanne.send("/signaler")
    await jeanne.press("💡 Électricité")
    await jeanne.press("🏠 Mon appartement (A12)")
    await jeanne.send(description)
    await jeanne.press("🟡 Normale")
    await jeanne.press("⏭ Passer")
    await jeanne.press("✅ Confirmer")
    assert any(description in text for text in sophie.texts())  # the manager got the alert
    marcel = bot.user(960003, "Marcel", last_name="Bernard", username="marcel_b")
    await sign_in(marcel, "resident2@lba.demo")
    await marcel.send("/marche")
    await marcel.press("Vendre")
    await marcel.press("1. Fauteuil releveur")
    await marcel.press("💬 Contacter")
    relayed = "Bonjour, je peux passer le voir jeudi ?"
    await marcel.send(relayed)
    assert any(relayed in text for text in jeanne.texts())

    records = lines(captured)  # each line is one JSON object
    output = captured.getvalue()
    assert any(r["message"] == "update handled" and "duration_ms" in r and "update_id" in r for r in records)
    personal = (
        "Jeanne", "Dupont", "Marcel", "Bernard", "Sophie", "Martin", "jeanne_d", "marcel_b", "sophie_m",
        "resident1@lba.demo", "resident2@lba.demo", "manager@lba.demo", "+33", "12 34 56", "A12", "B04",
        PASSWORD, description, relayed, "brûlé", "Fauteuil",
    )  # fmt: skip
    leaked = [word for word in personal if word in output]
    assert leaked == [], [line for line in output.splitlines() if any(word in line for word in leaked)]
    assert TEST_TOKEN not in output and SECRET not in output
