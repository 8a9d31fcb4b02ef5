"""`python -m bot run` as a real process, against the Bot API emulator served on loopback.

This is the bot as an operator runs it: configuration from the environment, migrations at start,
long polling over HTTP. A demo resident signs in and gets the dashboard; five wrong passwords lock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.emulator import BotApiEmulator, EmulatorServer
from bot.emulator.core import EmuUser
from tests.conftest import TEST_TOKEN

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0  # generous bounds for a loaded CI machine; every wait ends as soon as it is satisfied


@pytest.fixture
def running_bot(engine: Engine, demo: dict[str, int], tmp_path: Path) -> Iterator[BotApiEmulator]:
    emu = BotApiEmulator(TEST_TOKEN, bot_username="lba_e2e_bot")
    with EmulatorServer(emu) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "OPENAI_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_URL=server.url,
            DATABASE_URL=engine.url.render_as_string(hide_password=False),
            LOG_LEVEL="INFO",
            PYTHONPATH=str(ROOT),
        )
        log_path = tmp_path / "bot.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            started = emu.wait_for(lambda: any(c.method == "getUpdates" for c in emu.calls), TIMEOUT)
            assert started, log_path.read_text()
            yield emu
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
        output = log_path.read_text()
        assert code == 0, output
        assert "Traceback" not in output, output
        assert TEST_TOKEN not in output  # the token never reaches the log


def say(emu: BotApiEmulator, user: EmuUser, text: str, expect: Callable[[str], bool]) -> str:
    """Send, then wait (bounded, not slept) for the bot's answer that satisfies `expect`."""
    before = len(user.messages)

    def answered() -> bool:
        return any(m.from_bot and expect(m.text or "") for m in user.messages[before:])

    user.send_text(text)
    assert emu.wait_for(answered, TIMEOUT), [m.text for m in user.messages[before:]]
    return next(m.text for m in user.messages[before:] if m.from_bot and expect(m.text or ""))


def test_a_resident_signs_in_against_the_running_bot(running_bot: BotApiEmulator) -> None:
    emu = running_bot
    jeanne = emu.user(900001, "Jeanne")
    say(emu, jeanne, "/connexion", lambda t: "adresse e-mail" in t)
    say(emu, jeanne, "resident1@lba.demo", lambda t: "mot de passe" in t)
    dashboard = say(emu, jeanne, "demo1234", lambda t: "Bonjour Jeanne" in t)
    assert "Les Belles Années Lyon" in dashboard and "Prochaine réservation" in dashboard
    password = [m for m in jeanne.messages if not m.from_bot and m.text == "demo1234"]
    assert password and password[0].deleted
    assert ["🛠 Signaler", "📋 Mes incidents"] in [[label for label, _ in row] for row in jeanne.buttons()]

    # Five wrong passwords from another Telegram user lock it, and say until when.
    intruder = emu.user(900002, "Intrus")
    say(emu, intruder, "/connexion", lambda t: "adresse e-mail" in t)
    say(emu, intruder, "resident2@lba.demo", lambda t: "mot de passe" in t)
    for _ in range(4):
        say(emu, intruder, "nope", lambda t: "incorrect" in t)
    assert "bloquée pendant 15 minutes" in say(emu, intruder, "nope", lambda t: "bloquée" in t)

    # The default command lists were registered by the running bot.
    assert any('"default"' in scope for scope, _lang in emu.commands)
    # Telegram refused nothing the bot sent (a poll ended by shutdown is not a refusal of ours).
    assert [c for c in emu.refused if c.method != "getUpdates"] == []
