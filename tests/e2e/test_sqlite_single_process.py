"""SQLite serves one bot process: a second `run` on the same file says so in one line and exits 1.

The running bot holds an exclusive lock on `<database>.lock` for its life; the kernel drops it when
the process ends, however it ends, so a killed bot does not keep the next one out. Commands that do
not serve updates (`backup` here) still work beside the running bot.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.emulator import BotApiEmulator, EmulatorServer
from tests.conftest import TEST_TOKEN
from tests.e2e.process import TIMEOUT, bot_env, bot_process


def polling(emu: BotApiEmulator) -> bool:
    return any(c.method == "getUpdates" for c in emu.calls)


def test_a_second_process_on_the_same_sqlite_file_refuses_to_start(
    engine: Engine, demo: dict[str, int], tmp_path: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL runs several processes: tests/e2e/test_two_processes.py")
    database = engine.url.database
    emu = BotApiEmulator(TEST_TOKEN, bot_username="lba_e2e_bot")
    with EmulatorServer(emu) as server:
        env = bot_env(server.url, engine)
        with bot_process(env, tmp_path, "first") as first:
            assert emu.wait_for(lambda: polling(emu), TIMEOUT), first.log

            second = subprocess.run(
                [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True, timeout=TIMEOUT
            )
            assert second.returncode == 1
            assert second.stderr.decode().strip() == (
                f"another LBA Bot process is already running on {database}; SQLite serves one process "
                "— use PostgreSQL (DATABASE_URL) to run several"
            )
            assert second.stdout == b""

            saved = subprocess.run(
                [sys.executable, "-m", "bot", "backup", "--to", str(tmp_path / "backups")],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                timeout=TIMEOUT,
            )
            assert saved.returncode == 0, saved.stderr.decode()
            assert len(list((tmp_path / "backups").iterdir())) == 1

            # The first one never noticed: it still answers.
            jeanne = emu.user(900101, "Jeanne")
            jeanne.send_text("/start")
            assert emu.wait_for(lambda: any(m.from_bot for m in jeanne.messages), TIMEOUT), first.log

            # Killed, it cannot release anything itself: the kernel does, and the next one starts.
            first.process.send_signal(signal.SIGKILL)
            assert first.wait() == -signal.SIGKILL
        calls = len(emu.calls)
        with bot_process(env, tmp_path, "next") as successor:
            # Past the lock (a poll of the killed one may still end late: getMe is the successor's own).
            assert emu.wait_for(lambda: any(c.method == "getMe" for c in emu.calls[calls:]), TIMEOUT), successor.log
            assert successor.terminate() == 0, successor.log
        assert "already running" not in successor.log
