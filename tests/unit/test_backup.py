"""Backups and restores on both backends, the nightly job, and the retention rule.

A round trip is judged on every table, every column: the rows read back after a restore must
equal the rows read before the backup, as Python values (times, JSON, bytes, big ints, NULLs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import os
import re
import secrets
import sqlite3
import stat
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

import models
from bot.backup import (
    LAST_NIGHTLY,
    BackupError,
    backup_files,
    keep,
    nightly_job,
    pg_env,
    prune,
    restore,
    stamp_of,
    write_backup,
)
from bot.cli import main
from bot.config import load_settings
from bot.coordination import SchedulerLock, single_process
from bot.persistence import recall
from bot.runtime import RUNTIME_KEY, Runtime
from models.db import current_revision, make_session_factory, upgrade
from tests.conftest import START, Clock, _head, make_settings

PARIS = ZoneInfo("Europe/Paris")
HAS_PG_TOOLS = all(__import__("shutil").which(tool) for tool in ("pg_dump", "pg_restore", "psql"))

# Text COPY and SQL quoting both have to survive: quotes, tab, newline, backslash, COPY's NULL marker.
TEXT = 'Œuvre « l\'été » "cité"\ttab \\ back\nslash 🏠 \\N end'


# --- data every test shares ------------------------------------------------------------------------


def sample(table: sa.Table, column: sa.Column[Any], now: datetime) -> Any:
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, sa.Enum):
        return list(kind.enum_class)[-1] if kind.enum_class else kind.enums[-1]
    if isinstance(kind, sa.DateTime):
        return now.replace(microsecond=123456)
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.BigInteger):
        return 9_007_199_254_740_993  # past 2**53: survives only as a real 64-bit integer
    if isinstance(kind, sa.Integer):
        return 7
    if isinstance(kind, sa.LargeBinary):
        return bytes(range(256))
    if isinstance(kind, sa.JSON):
        return {"é": [1, 2.5, None, True, TEXT], "nested": {"empty": [], "zero": 0}}
    if isinstance(kind, sa.Time):
        return time(23, 59, 58)
    if isinstance(kind, sa.Date):
        return date(2026, 12, 31)
    if isinstance(kind, sa.String):
        return TEXT[: kind.length] if kind.length else TEXT * 3
    raise AssertionError(f"no sample value for {table.name}.{column.name} ({kind!r}): add one here")


def fill_every_table(engine: Engine, now: datetime) -> None:
    """One row of unusual values in each table the demo data leaves empty (new tables included)."""
    with engine.begin() as conn:
        for table in models.Base.metadata.sorted_tables:
            if conn.scalar(sa.select(sa.func.count()).select_from(table)):
                continue
            row: dict[str, Any] = {}
            for column in table.columns:
                if column.foreign_keys:
                    target = next(iter(column.foreign_keys)).column
                    row[column.name] = conn.scalar(sa.select(target).order_by(target).limit(1))
                elif column.primary_key and column.autoincrement in (True, "auto") and len(table.primary_key) == 1:
                    continue
                else:
                    row[column.name] = sample(table, column, now)
            conn.execute(table.insert().values(row))


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, all columns, in primary-key order; and the schema revision."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            rows[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key))]
        rows["alembic_version"] = [tuple(r) for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
    return rows


def wipe(engine: Engine) -> None:
    """Nothing left where `engine` points: no file for SQLite, an empty schema for PostgreSQL."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        path = Path(str(engine.url.database))
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
            path.with_name(name).unlink(missing_ok=True)
        return
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def engine(engine: Engine) -> Iterator[Engine]:
    yield engine
    upgrade(engine)  # a test that wiped the database and failed before restoring leaves the next one a schema


@pytest.fixture
def seeded(engine: Engine, demo: dict[str, int], clock: Clock) -> Engine:
    fill_every_table(engine, clock())
    rows = snapshot(engine)
    assert all(rows[table.name] for table in models.Base.metadata.sorted_tables), "a table has no row to check"
    return engine


@pytest.fixture
def settings_for(tmp_path: Path) -> Any:
    def build(engine: Engine, **changes: Any) -> Any:
        base = make_settings(url_of(engine))
        return dataclasses.replace(base, backup_dir=str(tmp_path / "backups"), **changes)

    return build


@pytest.fixture(autouse=True)
def _no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # as under cron or CI: never a prompt


# --- round trips -----------------------------------------------------------------------------------


def test_restore_into_an_empty_database_brings_back_every_row(
    seeded: Engine, settings_for: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(seeded)
    written = write_backup(seeded.url, tmp_path / "out")
    assert written.path.parent == tmp_path / "out" and written.size == written.path.stat().st_size > 0
    assert stat.S_IMODE(written.path.stat().st_mode) == 0o600  # personal data: the owner only
    assert [p.name for p in (tmp_path / "out").iterdir()] == [written.path.name]  # no temporary file left
    wipe(seeded)

    assert restore(settings_for(seeded), written.path, assume_yes=True) == 0
    out = capsys.readouterr().out
    assert f"Restored {written.path} (schema revision {_head()})" in out
    assert "replaced was saved" not in out  # an empty database had nothing to save first
    assert snapshot(seeded) == before
    # Sequences came back too: the next row gets a new id, not one already taken.
    with seeded.begin() as conn:
        new_id = conn.execute(
            models.Residence.__table__.insert().values(name="Les Belles Années Nantes", city="Nantes")
        ).inserted_primary_key[0]
    assert new_id > max(row[0] for row in before["residences"])


def test_restore_of_an_earlier_backup_brings_back_exactly_that_state(
    seeded: Engine, settings_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(seeded)
    earlier = snapshot(seeded)
    first = write_backup(seeded.url, settings.backup_dir, now=START)
    with seeded.begin() as conn:  # later writes of every kind
        conn.execute(sa.update(models.User).values(first_name="Changé"))
        conn.execute(sa.delete(models.MarketMessage))
        conn.execute(models.Residence.__table__.insert().values(name="Les Belles Années Nantes", city="Nantes"))
    later = snapshot(seeded)
    assert later != earlier

    assert restore(settings, first.path, assume_yes=True) == 0
    assert snapshot(seeded) == earlier
    # What the restore replaced was saved first, and restoring it undoes the restore.
    undo = Path(capsys.readouterr().out.split("saved first as ")[1].split(" (restore")[0])
    assert undo.parent == Path(settings.backup_dir) and undo != first.path
    assert restore(settings, undo, assume_yes=True) == 0
    assert snapshot(seeded) == later


def test_an_old_backup_is_brought_up_to_the_current_schema(
    engine: Engine, settings_for: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wipe(engine)
    upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(models.Residence.__table__.insert().values(name="Résidence 2025", city="Lyon"))
    old = write_backup(engine.url, tmp_path)
    upgrade(engine)  # the code moved on; a table of the newer schema points into the restored ones
    with engine.begin() as conn:
        residence = conn.scalar(sa.text("SELECT id FROM residences"))
        conn.execute(
            models.FaqEntry.__table__.insert().values(residence_id=residence, question_fr="Q ?", answer_fr="R.")
        )

    assert restore(settings_for(engine), old.path, assume_yes=True) == 0
    assert "(schema revision 0003)" in capsys.readouterr().out
    assert current_revision(engine) == _head()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM residences")).scalars().all() == ["Résidence 2025"]
        assert conn.scalar(sa.text("SELECT count(*) FROM faq_entries")) == 0


def test_a_backup_is_one_instant_while_a_writer_is_in_the_middle_of_a_transaction(
    seeded: Engine, settings_for: Any, tmp_path: Path
) -> None:
    committed = snapshot(seeded)
    writer = seeded.connect()
    tx = writer.begin()
    writer.execute(models.Residence.__table__.insert().values(name="Pas encore", city="Lyon"))
    try:
        done: list[Any] = []
        thread = threading.Thread(target=lambda: done.append(write_backup(seeded.url, tmp_path)))
        thread.start()
        thread.join(timeout=30)  # bounded: a backup that waited for the writer would fail here
        assert done, "the backup waited for the open transaction"
    finally:
        tx.commit()
        writer.close()
    wipe(seeded)
    assert restore(settings_for(seeded), done[0].path, assume_yes=True) == 0
    assert snapshot(seeded) == committed  # the uncommitted row is not in it


def test_a_sqlite_copy_stands_alone_and_two_in_one_second_are_both_kept(seeded: Engine, tmp_path: Path) -> None:
    if seeded.dialect.name != "sqlite":
        pytest.skip("SQLite files only")
    first = write_backup(seeded.url, tmp_path, now=START)
    second = write_backup(seeded.url, tmp_path, now=START)
    assert [first.path.name, second.path.name] == ["lba-20261124-090000Z.sqlite3", "lba-20261124-090000Z-2.sqlite3"]
    assert [path for path, _ in backup_files(tmp_path)] == [first.path, second.path]
    conn = sqlite3.connect(first.path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # no -wal beside it is needed
    conn.close()


# --- refusals --------------------------------------------------------------------------------------


def test_restore_refuses_a_backup_of_the_other_kind_and_files_that_are_not_backups(
    engine: Engine, settings_for: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(engine)
    other = tmp_path / ("lba-20261124-090000Z.pgdump" if engine.dialect.name == "sqlite" else "x.sqlite3")
    other.write_bytes(b"PGDMP\x01\x0e" if engine.dialect.name == "sqlite" else b"SQLite format 3\x00" + bytes(100))
    assert restore(settings, other, assume_yes=True) == 1
    ours = "SQLite" if engine.dialect.name == "sqlite" else "PostgreSQL"
    assert f"DATABASE_URL points to {ours}" in capsys.readouterr().err

    text = tmp_path / "notes.txt"
    text.write_text("pas une sauvegarde")
    assert restore(settings, text, assume_yes=True) == 1
    assert "is not a backup written by `python -m bot backup`" in capsys.readouterr().err
    assert restore(settings, tmp_path / "missing.sqlite3", assume_yes=True) == 1
    assert "no file at" in capsys.readouterr().err


def test_a_damaged_backup_changes_nothing(
    seeded: Engine, settings_for: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with seeded.begin() as conn:  # rows enough that the cut falls among them, past the schema
        user = conn.scalar(sa.select(models.User.id).limit(1))
        rows = [{"user_id": user, "role": "user", "content": secrets.token_hex(64)} for _ in range(3000)]
        conn.execute(models.ChatMessage.__table__.insert(), rows)
    written = write_backup(seeded.url, tmp_path)
    before = snapshot(seeded)
    data = written.path.read_bytes()
    damaged = tmp_path / "damaged" / written.path.name
    damaged.parent.mkdir()
    # Cut in the middle of the rows: the start (SQLite's header, pg_dump's table of contents) is intact,
    # so the restore starts; on PostgreSQL the tables are already dropped when the cut is reached.
    damaged.write_bytes(data[: len(data) * 2 // 3])
    assert restore(settings_for(seeded), damaged, assume_yes=True) == 1
    err = capsys.readouterr().err
    assert "is damaged" in err if seeded.dialect.name == "sqlite" else "pg_restore failed" in err
    assert snapshot(seeded) == before  # all or nothing


def test_restore_refuses_an_sqlite_database_that_is_not_ours(
    engine: Engine, settings_for: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite files only")
    stranger = tmp_path / "other.db"
    sqlite3.connect(stranger).execute("CREATE TABLE t (x)").connection.close()
    assert restore(settings_for(engine), stranger, assume_yes=True) == 1
    assert "not an LBA Bot database" in capsys.readouterr().err


@pytest.fixture
def changed_since_backup(seeded: Engine, settings_for: Any, tmp_path: Path) -> tuple[Any, Path, dict[str, Any]]:
    """A backup, then a change: the settings, the backup, and the rows as they are now."""
    settings = settings_for(seeded)
    written = write_backup(seeded.url, tmp_path)
    with seeded.begin() as conn:
        conn.execute(sa.delete(models.MarketMessage))
    return settings, written.path, snapshot(seeded)


def test_restore_refuses_while_a_bot_runs_on_the_database(
    seeded: Engine, changed_since_backup: tuple[Any, Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, written, after = changed_since_backup
    with bot_running(settings, seeded):
        assert restore(settings, written, assume_yes=True) == 1
    assert "a bot process is running on" in capsys.readouterr().err
    assert snapshot(seeded) == after
    assert restore(settings, written, assume_yes=True) == 0  # free again
    assert snapshot(seeded) != after


@contextlib.contextmanager
def bot_running(settings: Any, engine: Engine) -> Iterator[None]:
    """What `python -m bot run` holds: the SQLite file's lock, or the PostgreSQL scheduler lock."""
    if engine.dialect.name == "sqlite":
        with single_process(settings):
            yield
        return
    lock = SchedulerLock(engine)
    assert lock.ensure()
    try:
        yield
    finally:
        lock.release()


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Any:
    def answer(text: str) -> list[str]:
        prompts: list[str] = []
        monkeypatch.setattr(sys, "stdin", SimpleNamespace(isatty=lambda: True))
        monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or text)
        return prompts

    return answer


def test_restore_asks_on_a_terminal_and_refuses_elsewhere_without_yes(
    seeded: Engine,
    changed_since_backup: tuple[Any, Path, dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    terminal: Any,
) -> None:
    settings, written, after = changed_since_backup

    assert restore(settings, written) == 1  # no terminal (cron, CI): refused, nothing asked
    assert "confirm on a terminal, or add --yes" in capsys.readouterr().err

    prompts = terminal("non")
    assert restore(settings, written) == 1
    assert "Nothing restored." in capsys.readouterr().out
    assert snapshot(seeded) == after and not Path(settings.backup_dir).exists()
    assert str(written) in prompts[0] and "Type yes" in prompts[0]

    terminal(" Yes ")
    assert restore(settings, written) == 0
    assert snapshot(seeded)["market_messages"] != after["market_messages"]


# --- PostgreSQL's tools ----------------------------------------------------------------------------


@pytest.fixture
def fake_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Stand-ins for PostgreSQL's tools, first on PATH: they record how they were called, then fail."""
    folder = tmp_path / "bin"
    folder.mkdir()
    record = tmp_path / "called"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    def install(*tools: str) -> Path:
        for tool in tools:
            script = folder / tool
            script.write_text(
                "#!/bin/sh\n"
                f'echo "{tool} $*" >> {record}\n'
                f'echo "PGPASSWORD=$PGPASSWORD PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER '
                f'PGDATABASE=$PGDATABASE PGSSLMODE=$PGSSLMODE" >> {record}\n'
                'echo "FATAL: password authentication failed ($PGPASSWORD)" >&2\n'
                "exit 1\n"
            )
            script.chmod(0o755)
        return record

    return install


def test_pg_dump_gets_the_password_from_the_environment_never_the_command_line(fake_tools: Any, tmp_path: Path) -> None:
    record = fake_tools("pg_dump")
    url = "postgresql://lba:s3cret-Pw@db.example:6543/lba?sslmode=require"
    with pytest.raises(BackupError) as failure:
        write_backup(url, tmp_path / "out", now=START)
    command, env = record.read_text().splitlines()
    assert command.startswith("pg_dump --format=custom --no-password") and "s3cret" not in command
    assert "lba:" not in command and "db.example" not in command
    assert env == "PGPASSWORD=s3cret-Pw PGHOST=db.example PGPORT=6543 PGUSER=lba PGDATABASE=lba PGSSLMODE=require"
    message = str(failure.value)
    assert message.startswith("pg_dump failed (exit 1): FATAL: password authentication failed (***)")
    assert "s3cret" not in message
    assert list((tmp_path / "out").iterdir()) == []  # the half-written file is gone


@pytest.mark.skipif(not HAS_PG_TOOLS, reason="PostgreSQL client tools not installed")
def test_a_restore_that_psql_stops_at_once_changes_nothing_and_does_not_hang(
    seeded: Engine, settings_for: Any, tmp_path: Path, fake_tools: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    if seeded.dialect.name != "postgresql":
        pytest.skip("pg_restore and psql restore PostgreSQL")
    with seeded.begin() as conn:  # more than a pipe holds: pg_restore blocks unless someone stops it
        user = conn.scalar(sa.select(models.User.id).limit(1))
        rows = [{"user_id": user, "role": "user", "content": secrets.token_hex(64)} for _ in range(2000)]
        conn.execute(models.ChatMessage.__table__.insert(), rows)
    written = write_backup(seeded.url, tmp_path)
    before = snapshot(seeded)
    fake_tools("psql")  # the real pg_restore renders; psql refuses the connection
    assert restore(settings_for(seeded), written.path, assume_yes=True) == 1
    err = capsys.readouterr().err
    assert err.startswith("Restore failed: psql failed (exit 1): FATAL: password authentication failed")
    assert "nothing was changed" in err and snapshot(seeded) == before


def test_pg_env_keeps_what_the_url_leaves_out() -> None:
    env = pg_env(sa.make_url("postgresql+psycopg://bot@/lba"), base={"PGPORT": "5433", "PGPASSWORD": "from-env"})
    assert env["PGUSER"] == "bot" and env["PGDATABASE"] == "lba"
    assert env["PGPORT"] == "5433" and env["PGPASSWORD"] == "from-env"  # as psycopg would see them
    assert "PGHOST" not in env


def test_a_missing_pg_dump_is_named_with_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://lba:s3cret@127.0.0.1:5432/lba")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as failure:
        main(["backup", "--to", str(tmp_path / "out")])
    assert str(failure.value.code).startswith("Backup failed: pg_dump is not installed")
    assert "apt-get install postgresql-client" in str(failure.value.code)


@pytest.mark.skipif(not HAS_PG_TOOLS, reason="PostgreSQL client tools not installed")
def test_a_failing_pg_dump_says_why_without_the_password(tmp_path: Path) -> None:
    with pytest.raises(BackupError) as failure:
        write_backup("postgresql://lba:s3cret@127.0.0.1:1/lba", tmp_path)  # nothing listens on port 1
    assert "pg_dump failed" in str(failure.value) and "127.0.0.1" in str(failure.value)
    assert "s3cret" not in str(failure.value)
    assert list(tmp_path.iterdir()) == []


def test_the_backup_command_reports_a_missing_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'nowhere.db'}")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as failure:
        main(["backup"])
    assert failure.value.code == f"Backup failed: no database at {tmp_path / 'nowhere.db'} (check DATABASE_URL)."
    assert not (tmp_path / "nowhere.db").exists()  # not created empty by looking


# --- the nightly job -------------------------------------------------------------------------------


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def app(engine: Engine, demo: dict[str, int], settings_for: Any) -> Any:
    clock = Clock(paris(24, 2, 30))
    settings = settings_for(engine, backup_hour=3, backup_keep_daily=3, backup_keep_weekly=2)
    runtime = Runtime(settings=settings, engine=engine, sessions=make_session_factory(engine), clock=clock)
    return SimpleNamespace(bot_data={RUNTIME_KEY: runtime}, clock=clock, settings=settings)


def names(folder: str | Path) -> list[str]:
    return sorted(p.name for p in Path(folder).iterdir()) if Path(folder).exists() else []


async def test_the_nightly_backup_runs_once_a_local_day_from_its_hour(app: Any) -> None:
    suffix = ".sqlite3" if app.settings.database_url.startswith("sqlite") else ".pgdump"
    await nightly_job(app)  # 02:30 in Paris: not yet
    assert names(app.settings.backup_dir) == []
    app.clock.current = paris(24, 3, 0)
    await nightly_job(app)
    await nightly_job(app)  # the next tick, same day: nothing more
    assert names(app.settings.backup_dir) == [f"lba-20261124-020000Z{suffix}"]
    assert recall(app.bot_data[RUNTIME_KEY].sessions, LAST_NIGHTLY) == "2026-11-24"

    app.clock.current = paris(25, 0, 30)  # past midnight, before 03:00: still yesterday's backup
    await nightly_job(app)
    app.clock.current = paris(25, 16, 0)  # the bot was down at 03:00: it catches up when it can
    await nightly_job(app)
    assert names(app.settings.backup_dir) == [f"lba-20261124-020000Z{suffix}", f"lba-20261125-150000Z{suffix}"]
    # The backup restores like any other.
    wipe(app.bot_data[RUNTIME_KEY].engine)
    latest = Path(app.settings.backup_dir) / f"lba-20261125-150000Z{suffix}"
    assert restore(app.settings, latest, assume_yes=True) == 0


async def test_the_nightly_backup_prunes_old_backups_and_nothing_else(app: Any) -> None:
    folder = Path(app.settings.backup_dir)
    folder.mkdir(parents=True)
    old = {
        "lba-20261101-020000Z.sqlite3",  # Sun 1 Nov, ISO week 44
        "lba-20261108-020000Z.pgdump",  # Sun 8 Nov, week 45: the newest of its week
        "lba-20261105-020000Z.sqlite3",  # Thu 5 Nov, week 45
        "lba-20261121-020000Z.sqlite3",  # Sat 21 Nov, week 47
        "lba-20261122-020000Z.sqlite3",  # Sun 22 Nov, week 47: its newest
        "lba-20261123-020000Z.sqlite3",  # Mon 23 Nov, week 48
        "lba-20261123-120000Z.sqlite3",  # Mon 23 Nov, later: that day's newest
    }
    others = {"lba-notes.txt", "README", "lba-20261101-020000Z.sqlite3.bak", ".lba-20261101-020000Z.sqlite3.partial"}
    for name in old | others:
        (folder / name).write_bytes(b"")
    app.clock.current = paris(24, 3, 5)
    await nightly_job(app)
    tonight = next(name for name in names(folder) if name.startswith("lba-20261124"))
    # 3 days: 24, 23 (its newest), 22; 2 weeks: week 48 (tonight's), week 47 (the 22nd, already kept).
    assert set(names(folder)) == others | {tonight, "lba-20261123-120000Z.sqlite3", "lba-20261122-020000Z.sqlite3"}


async def test_a_failed_nightly_backup_is_logged_and_tried_again_an_hour_later(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = Path(app.settings.backup_dir)
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the directory should be")
    app.clock.current = paris(24, 3, 0)
    with caplog.at_level(logging.ERROR, logger="bot.backup"):
        await nightly_job(app)
    assert "Nightly backup failed, next try in an hour: cannot write the backup in" in caplog.text
    assert recall(app.bot_data[RUNTIME_KEY].sessions, LAST_NIGHTLY) is None
    blocker.unlink()
    app.clock.current = paris(24, 3, 59)
    await nightly_job(app)
    assert not blocker.exists()  # not before the hour is up
    app.clock.current = paris(24, 4, 0)
    await nightly_job(app)
    assert len(names(blocker)) == 1


async def test_no_nightly_backup_when_backup_hour_is_off(app: Any) -> None:
    runtime = app.bot_data[RUNTIME_KEY]
    runtime.settings = dataclasses.replace(runtime.settings, backup_hour=None)
    app.clock.current = paris(24, 23, 0)
    await nightly_job(app)
    assert names(app.settings.backup_dir) == []


# --- retention, a pure rule ------------------------------------------------------------------------


def at(day: date, hour: int = 3, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def test_keep_the_newest_of_each_of_the_last_days_and_weeks_of_a_daily_series() -> None:
    now = at(date(2026, 11, 24), 3, 5)  # Tuesday, ISO week 48
    files = {f"d{n}": at(date(2026, 11, 24) - timedelta(days=n)) for n in range(60)}
    kept = keep(files.items(), now, daily=7, weekly=4)
    # 7 days: 24 down to 18 Nov. 4 weeks: 48 (today), 47 (Sun 22, a day kept), 46 (Sun 15), 45 (Sun 8).
    assert kept == {f"d{n}" for n in range(7)} | {"d9", "d16"}


def test_keep_several_a_day_keeps_each_days_newest() -> None:
    now = at(date(2026, 11, 24), 23)
    files = [
        ("morning", at(date(2026, 11, 24), 3)),
        ("evening", at(date(2026, 11, 24), 21)),
        ("yesterday-1", at(date(2026, 11, 23), 3)),
        ("yesterday-2", at(date(2026, 11, 23), 3, 1)),
    ]
    assert keep(files, now, daily=7, weekly=1) == {"evening", "yesterday-2"}
    assert keep(files, now, daily=1, weekly=1) == {"evening"}


def test_keep_counts_days_and_weeks_that_hold_a_backup_so_a_gap_never_empties_the_folder() -> None:
    # The bot was stopped for five weeks: the old backups stay until newer ones replace them.
    now = at(date(2026, 11, 24), 3, 5)
    old = {f"old{n}": at(date(2026, 10, 1) - timedelta(days=n)) for n in range(20)}  # 12 Sep .. 1 Oct
    kept = keep([*old.items(), ("tonight", at(date(2026, 11, 24)))], now, daily=7, weekly=4)
    # 7 days: tonight, then 1 Oct back to 26 Sep. 4 weeks: 48 (tonight), 40 (Thu 1 Oct), 39 (Sun 27 Sep, a
    # day kept), 38 (Sun 20 Sep).
    assert kept == {"tonight"} | {f"old{n}" for n in range(6)} | {"old11"}


def test_keep_across_the_new_year_uses_iso_weeks() -> None:
    # 2026-12-31 (Thursday) and 2027-01-03 (Sunday) are both in ISO week 2026-W53.
    now = at(date(2027, 1, 4), 3, 5)  # Monday, week 2027-W01
    files = [
        ("mon-w53", at(date(2026, 12, 28))),
        ("thu-31dec", at(date(2026, 12, 31))),
        ("sun-3jan", at(date(2027, 1, 3))),
        ("w52", at(date(2026, 12, 27))),
        ("today", at(date(2027, 1, 4))),
    ]
    assert keep(files, now, daily=1, weekly=3) == {"today", "sun-3jan", "w52"}
    assert date(2027, 1, 3).isocalendar()[:2] == date(2026, 12, 31).isocalendar()[:2] == (2026, 53)


def test_keep_counts_days_in_the_residence_time_zone() -> None:
    # 23:30 UTC on the 23rd is 00:30 on the 24th in Paris: the same local day as tonight's 03:00.
    now = at(date(2026, 11, 24), 4)
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    tonight = at(date(2026, 11, 24)).astimezone(UTC)
    yesterday = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert keep([("late", late), ("tonight", tonight), ("yesterday", yesterday)], now, 2, 1) == {
        "tonight",
        "yesterday",
    }


def test_keep_never_drops_a_backup_dated_in_the_future_and_handles_nothing() -> None:
    now = at(date(2026, 11, 24))
    future = [("future", now + timedelta(days=3)), ("now", now)]
    assert keep(future, now, daily=1, weekly=1) == {"future", "now"}
    assert keep([], now, daily=7, weekly=4) == set()


def test_backup_names_carry_their_time() -> None:
    assert stamp_of("lba-20261231-235959Z.sqlite3") == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert stamp_of("lba-20261231-235959Z-3.pgdump") == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    for other in ("lba-20261231-235959Z.sqlite3.partial", "lba-2026.sqlite3", "x-20261231-235959Z.pgdump"):
        assert stamp_of(other) is None


def test_prune_deletes_only_backups_and_reports_them(tmp_path: Path) -> None:
    for name in ("lba-20261120-020000Z.sqlite3", "lba-20261124-020000Z.sqlite3", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "lba-20261101-020000Z.sqlite3").mkdir()  # a folder with a backup's name is not one
    removed = prune(tmp_path, at(date(2026, 11, 24), 4), daily=1, weekly=1)
    assert [p.name for p in removed] == ["lba-20261120-020000Z.sqlite3"]
    assert names(tmp_path) == ["lba-20261101-020000Z.sqlite3", "lba-20261124-020000Z.sqlite3", "notes.txt"]
    assert prune(tmp_path / "absent", at(date(2026, 11, 24)), 1, 1) == []


# --- packaging -------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_documents_every_setting_with_valid_examples() -> None:
    config = (ROOT / "bot" / "config.py").read_text()
    read = set(re.findall(r'_(?:get|port)\(env, "([A-Z_]+)"', config)) | set(
        re.findall(r'\("([A-Z_]+)", \d+\)', config)
    )
    assert {"TELEGRAM_BOT_TOKEN", "DATABASE_URL", "BACKUP_HOUR", "BACKUP_KEEP_WEEKLY"} <= read  # the regexes work
    examples: dict[str, str] = {}
    for line in (ROOT / "deploy" / "env.example").read_text().splitlines():
        match = re.match(r"^#?([A-Z_]+)=(.*)$", line)
        if match:
            examples.setdefault(match.group(1), match.group(2))
    assert read - set(examples) == set(), "settings missing from deploy/env.example"
    # Every example value given is one the bot accepts, all at once.
    env = {name: value for name, value in examples.items() if value}
    env.update(TELEGRAM_BOT_TOKEN="123456789:" + "A" * 35, WEBHOOK_SECRET="s" * 20)
    settings = load_settings(require_token=True, env=env, dotenv=False)
    assert settings.webhook_url == "https://bot.example.org/telegram" and settings.backup_hour == 3
