"""The bot as an operator runs it: `python -m bot run` in its own process, against the emulator on loopback."""

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
from bot.emulator.core import EmuMessage, EmuUser
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
            METRICS_PORT="0",  # several bots at once: no /healthz port to fight over
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


def press(emu: BotApiEmulator, user: EmuUser, fragment: str) -> list[EmuMessage]:
    """Press the button of the latest keyboard whose label contains `fragment`; wait until the bot is idle."""
    labels = [label for row in user.buttons() for label, _ in row]
    matches = [label for label in labels if fragment in label]
    assert matches, f"no button with {fragment!r} among {labels}"
    return _act(emu, user, lambda: user.press(matches[0]))


def send(emu: BotApiEmulator, user: EmuUser, text: str) -> list[EmuMessage]:
    return _act(emu, user, lambda: user.send_text(text))


def _act(emu: BotApiEmulator, user: EmuUser, action: Callable[[], object]) -> list[EmuMessage]:
    """The bot's messages sent or edited in answer, once it has gone quiet (bounded wait, no sleep)."""
    before = len(user.messages)
    edits = {id(m): m.edited for m in user.messages}
    action()
    assert emu.wait_idle(quiet=0.4, timeout=TIMEOUT)
    edited = [m for m in user.messages[:before] if m.from_bot and m.edited != edits.get(id(m))]
    return edited + [m for m in user.messages[before:] if m.from_bot]
