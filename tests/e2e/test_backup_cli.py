"""`python -m bot backup` and `restore` as an operator runs them: real processes, on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import models
from bot.emulator import BotApiEmulator
from tests.conftest import Clock
from tests.e2e.conftest import ROOT, TIMEOUT
from tests.e2e.test_two_processes import until
from tests.unit.test_backup import fill_every_table, snapshot, url_of, wipe


def bot_cli(
    engine: Engine, cwd: Path, *args: str, stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "BACKUP_", "PG"))}
    env.update(DATABASE_URL=url_of(engine), LOG_LEVEL="INFO", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture
def seeded(engine: Engine, demo: dict[str, int], clock: Clock) -> Engine:
    fill_every_table(engine, clock())
    return engine


def test_backup_then_restore_from_the_command_line(seeded: Engine, tmp_path: Path) -> None:
    before = snapshot(seeded)
    done = bot_cli(seeded, tmp_path, "backup", "--to", "saved")
    assert done.returncode == 0, done.stderr
    written = Path(done.stdout.strip().removeprefix("Backup written: "))
    assert done.stdout.startswith("Backup written: saved/lba-") and (tmp_path / written).is_file()
    assert f"Backup written: {written} (" in done.stderr and " s)" in done.stderr  # size and duration logged

    with seeded.begin() as conn:  # what happens after the backup
        conn.execute(sa.update(models.User).values(first_name="Effacé"))
        conn.execute(sa.delete(models.OutboxMessage))
    refused = bot_cli(seeded, tmp_path, "restore", str(written))  # no terminal, no --yes
    assert refused.returncode == 1 and "confirm on a terminal, or add --yes" in refused.stderr
    assert snapshot(seeded) != before

    restored = bot_cli(seeded, tmp_path, "restore", str(written), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert f"Restored {written} (schema revision" in restored.stdout
    assert "The content it replaced was saved first as data/backups/lba-" in restored.stdout  # BACKUP_DIR default
    assert snapshot(seeded) == before


def test_restore_into_a_fresh_database_after_a_confirmation_on_a_terminal(seeded: Engine, tmp_path: Path) -> None:
    before = snapshot(seeded)
    done = bot_cli(seeded, tmp_path, "backup", "--to", str(tmp_path))
    assert done.returncode == 0, done.stderr
    written = done.stdout.strip().removeprefix("Backup written: ")
    wipe(seeded)

    primary, secondary = os.openpty()  # a terminal, as an operator's
    try:
        os.write(primary, b"yes\n")
        restored = bot_cli(seeded, tmp_path, "restore", written, stdin=secondary)
    finally:
        os.close(primary)
        os.close(secondary)
    assert restored.returncode == 0, restored.stderr
    assert "Type yes to restore:" in restored.stdout and f"Restored {written}" in restored.stdout
    assert snapshot(seeded) == before


def test_the_running_bot_makes_its_nightly_backup_and_a_restore_waits_for_it_to_stop(
    request: pytest.FixtureRequest, seeded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = bot_cli(seeded, tmp_path, "backup", "--to", str(tmp_path))
    assert done.returncode == 0, done.stderr
    written = done.stdout.strip().removeprefix("Backup written: ")
    monkeypatch.setenv("LBA_SCHEDULER_INTERVAL", "1")  # the bot's first scheduler run, a second after start
    monkeypatch.setenv("BACKUP_HOUR", "0")  # whatever the hour now: tonight's backup is due
    monkeypatch.delenv("BACKUP_DIR", raising=False)
    monkeypatch.setenv("METRICS_PORT", "0")  # no port to fight over with other tests
    emu: BotApiEmulator = request.getfixturevalue("running_bot")  # `python -m bot run`, cwd tmp_path

    nightly = tmp_path / "data" / "backups"  # BACKUP_DIR's default, under the bot's working directory
    assert until([emu], lambda: any(nightly.glob("lba-*")), TIMEOUT)
    suffix = ".sqlite3" if seeded.dialect.name == "sqlite" else ".pgdump"
    assert [p.suffix for p in nightly.iterdir()] == [suffix]  # one, complete (no temporary name left)
    if seeded.dialect.name == "postgresql":  # the nightly backup ran under the scheduler lock
        assert scheduler_lock_taken(seeded)

    refused = bot_cli(seeded, tmp_path, "restore", written, "--yes")
    assert refused.returncode == 1
    assert "Restore refused: a bot process is running on" in refused.stderr
    assert len(list(nightly.iterdir())) == 1  # refused before saving anything


def scheduler_lock_taken(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")))
