"""Backups: `python -m bot backup` / `restore`, and the nightly backup with its retention.

A backup is one file named `lba-<YYYYmmdd-HHMMSS>Z.<kind>` (UTC): an SQLite database copied with
SQLite's online backup API (safe while the bot writes, in WAL mode), or a PostgreSQL dump in
pg_dump's custom format (one consistent snapshot by design). It is written under a hidden
temporary name and renamed when complete, so a half-written file is never taken for a backup.
The name carries the time, so retention never depends on file dates that copies change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL

from bot.config import Settings
from models.db import make_engine, normalize_url

log = logging.getLogger(__name__)

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
NAME_RE = re.compile(r"^lba-(\d{8}-\d{6})Z(?:-(\d+))?(\.sqlite3|\.pgdump)$")
LAST_NIGHTLY = "backup_last_nightly"  # bot_state meta: the local date of the last nightly backup
RETRY_KEY = "lba.backup.retry_at"  # bot_data: after a failed nightly backup, when to try again
RETRY_AFTER = timedelta(hours=1)
CHUNK = 1 << 20

# libpq reads these from the environment: the URL's parts go there, never on a command line.
PG_ENV = {"host": "PGHOST", "port": "PGPORT", "username": "PGUSER", "password": "PGPASSWORD", "database": "PGDATABASE"}
PG_QUERY_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslpassword": "PGSSLPASSWORD",
    "passfile": "PGPASSFILE",
    "channel_binding": "PGCHANNELBINDING",
    "gssencmode": "PGGSSENCMODE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}

K = TypeVar("K", bound=Hashable)


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, without any secret."""


class RestoreFailed(BackupError):
    """The restore was under way (confirmed) when it failed."""


@dataclass(frozen=True)
class Written:
    path: Path
    size: int
    seconds: float


# --- names and retention ---------------------------------------------------------------------------


def stamp_of(name: str) -> datetime | None:
    """The UTC time a backup file's name carries, or None for any other file."""
    parsed = _parse_name(name)
    return parsed[0] if parsed else None


def _parse_name(name: str) -> tuple[datetime, int] | None:
    match = NAME_RE.match(name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC), int(match.group(2) or 1)


def backup_files(directory: str | Path) -> list[tuple[Path, datetime]]:
    """The backups in `directory`, oldest first (only `lba-…` files this module writes)."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    found = [(parsed, path) for path in folder.iterdir() if (parsed := _parse_name(path.name)) and path.is_file()]
    return [(path, at) for (at, _), path in sorted(found)]


def keep(files_with_times: Iterable[tuple[K, datetime]], now: datetime, daily: int, weekly: int) -> set[K]:
    """Which backups retention keeps: the newest of each of the last `daily` days and `weekly` ISO weeks.

    Days and weeks are those of `now`'s time zone (the residence's), and only those that hold a
    backup count, as in restic's and Borg's `--keep-daily`: a bot stopped for three weeks comes
    back to find its last good backups still there, not pruned for being old. The two rules are
    independent (a backup kept by both counts for both). A backup dated after `now` (a clock set
    back) is kept: retention never judges what it cannot place. Of two with the same time, the
    later one given is the newer (as `backup_files` orders them).
    """
    tz = now.tzinfo or UTC
    ordered = list(files_with_times)
    newest_first = [ordered[i] for i in sorted(range(len(ordered)), key=lambda i: (ordered[i][1], i), reverse=True)]
    kept = {key for key, at in newest_first if at > now}
    past = [(key, at.astimezone(tz).date()) for key, at in newest_first if at <= now]
    rules: tuple[tuple[Callable[[date], Hashable], int], ...] = (
        (lambda day: day, daily),
        (lambda day: day.isocalendar()[:2], weekly),
    )
    for bucket_of, count in rules:
        buckets: set[Hashable] = set()
        for key, day in past:
            bucket = bucket_of(day)
            if bucket in buckets:
                continue
            if len(buckets) == count:
                break
            buckets.add(bucket)
            kept.add(key)
    return kept


def prune(directory: str | Path, now: datetime, daily: int, weekly: int) -> list[Path]:
    """Delete the backups retention does not keep (nothing else in the directory); returns them."""
    files = backup_files(directory)
    kept = keep(files, now, daily, weekly)
    removed = [path for path, _ in files if path not in kept]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


# --- backup ----------------------------------------------------------------------------------------


def backup(settings: Settings, to_dir: str | Path) -> Path:
    """`python -m bot backup`: write a backup of DATABASE_URL's database into `to_dir`."""
    try:
        return write_backup(settings.database_url, to_dir).path
    except BackupError as error:
        raise SystemExit(f"Backup failed: {error}") from None


def write_backup(url: str | URL, to_dir: str | Path, *, now: datetime | None = None) -> Written:
    """One backup of the database at `url`, complete or not at all; raises BackupError."""
    parsed = normalize_url(url)
    folder = Path(to_dir)
    started = time.perf_counter()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sqlite = parsed.get_backend_name() == "sqlite"
        target = _new_name(folder, now or datetime.now(UTC), SQLITE_SUFFIX if sqlite else PG_SUFFIX)
        partial = target.with_name(f".{target.name}.partial")
        try:
            if sqlite:
                _sqlite_backup(_sqlite_path(parsed), partial)
            else:
                _pg_dump(parsed, partial)
            os.chmod(partial, 0o600)  # residents' personal data and password hashes
            _fsync(partial)
            os.replace(partial, target)
            _fsync(folder)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as error:
        raise BackupError(f"cannot write the backup in {folder}: {error.strerror or error}") from None
    written = Written(target, target.stat().st_size, time.perf_counter() - started)
    log.info("Backup written: %s (%s in %.2f s)", written.path, _size(written.size), written.seconds)
    return written


def _new_name(folder: Path, now: datetime, suffix: str) -> Path:
    stem = f"lba-{now.astimezone(UTC):%Y%m%d-%H%M%S}Z"
    target = folder / f"{stem}{suffix}"
    n = 1
    while target.exists():  # two backups in one second: both kept, in order
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    return target


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("DATABASE_URL is an in-memory SQLite database: there is no file to back up or restore.")
    return Path(url.database)


def _sqlite_backup(source: Path, partial: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source} (check DATABASE_URL).")
    src = sqlite3.connect(source, timeout=10)
    try:
        dst = sqlite3.connect(partial)
        try:
            # One step (all pages): a read transaction on the source, so the copy is one instant's
            # state; in WAL mode the bot keeps writing meanwhile.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # the copy stands alone: no -wal file beside it
            check = dst.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"the copy of {source} failed SQLite's check: {check}")
        finally:
            dst.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy {source}: {error}") from None
    finally:
        src.close()


def _pg_dump(url: URL, partial: Path) -> None:
    args = ["--format=custom", "--no-password", "--lock-wait-timeout=60s", f"--file={partial}"]
    done = subprocess.run([_tool("pg_dump"), *args], env=pg_env(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {done.returncode}): {_clean(done.stderr, url)}")


def pg_env(url: URL, base: dict[str, str] | None = None) -> dict[str, str]:
    """libpq's environment for `url`: what the URL leaves out stays as the bot's own driver would see it."""
    env = dict(os.environ if base is None else base)
    for attribute, name in PG_ENV.items():
        value = getattr(url, attribute)
        if value is not None:
            env[name] = str(value)
    for key, value in url.query.items():
        if key in PG_QUERY_ENV:
            env[PG_QUERY_ENV[key]] = value if isinstance(value, str) else value[-1]
        else:
            log.warning("DATABASE_URL option %r has no libpq equivalent; pg_dump/pg_restore ignore it", key)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: PostgreSQL backups need the PostgreSQL client tools "
            "of the server's major version (Debian/Ubuntu: apt-get install postgresql-client)."
        )
    return path


def _clean(stderr: str, url: URL) -> str:
    text = stderr.strip() or "no message"
    if url.password:
        text = text.replace(str(url.password), "***")
    return text


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


# --- restore ---------------------------------------------------------------------------------------


def restore(settings: Settings, file: str | Path, *, assume_yes: bool = False) -> int:
    """`python -m bot restore FILE`: replace the database's content with a backup, then upgrade it.

    Returns the exit code: 0 restored, 1 refused or failed (the reason is printed).
    """
    try:
        return _restore(settings, Path(file), assume_yes=assume_yes)
    except RestoreFailed as error:
        print(f"Restore failed: {error}", file=sys.stderr)
    except BackupError as error:
        print(f"Restore refused: {error}", file=sys.stderr)
    return 1


def _restore(settings: Settings, file: Path, *, assume_yes: bool) -> int:
    from models.db import current_revision, upgrade

    url = normalize_url(settings.database_url)
    sqlite = url.get_backend_name() == "sqlite"
    kind = backup_kind(file)
    if kind != ("sqlite" if sqlite else "postgresql"):
        theirs = "an SQLite" if kind == "sqlite" else "a PostgreSQL"
        ours = "SQLite" if sqlite else "PostgreSQL"
        raise BackupError(
            f"{file} is {theirs} backup, and DATABASE_URL points to {ours}: restore it into a database of its own "
            "kind (a backup is not converted from one to the other)."
        )
    where = url.render_as_string(hide_password=True)
    if sqlite:
        _sqlite_path(url)  # not in memory
    with _bot_stopped(settings, url):
        checked = _sqlite_check(file) if sqlite else _pg_check(file)
        if not assume_yes and not _confirm(file, where, settings.backup_dir):
            print("Nothing restored.")
            return 1
        undo = _save_current(url, settings.backup_dir)
        started = time.perf_counter()
        try:
            if sqlite:
                _sqlite_restore(file, _sqlite_path(url))
            else:
                _pg_restore(file, url, checked)
        except BackupError as error:
            raise RestoreFailed(str(error)) from None
        engine = make_engine(url)
        try:
            restored_at = current_revision(engine)
            upgrade(engine)  # an older backup comes up to the code's schema
            now_at = current_revision(engine)
        finally:
            engine.dispose()
    print(
        f"Restored {file} (schema revision {restored_at}) into {where} in {time.perf_counter() - started:.1f} s; "
        f"database now at revision {now_at}."
    )
    if undo is not None:
        print(f"The content it replaced was saved first as {undo} (restore that file to undo).")
    return 0


def backup_kind(file: Path) -> str:
    """'sqlite' or 'postgresql', read from the file's first bytes (not its name)."""
    try:
        with file.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"no file at {file}.") from None
    except OSError as error:
        raise BackupError(f"cannot read {file}: {error.strerror or error}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{file} is not a backup written by `python -m bot backup` (neither SQLite nor pg_dump).")


@contextlib.contextmanager
def _bot_stopped(settings: Settings, url: URL) -> Iterator[None]:
    """Hold what a running bot holds, or refuse: a bot would keep writing through the restore.

    SQLite: the flock `run` keeps on `<database>.lock`. PostgreSQL: the scheduler's advisory lock,
    which one of the running bot processes always holds. Held for the whole restore, so a bot
    started meanwhile refuses to run on a half-restored SQLite file and runs no jobs on PostgreSQL.
    """
    from bot.coordination import AlreadyRunning, SchedulerLock, single_process

    if url.get_backend_name() == "sqlite":
        try:
            with single_process(settings):
                yield
        except AlreadyRunning:
            raise BackupError(
                f"a bot process is running on {_sqlite_path(url)} (it holds {_sqlite_path(url)}.lock): "
                "stop it, then restore."
            ) from None
        return
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    lock = SchedulerLock(engine)
    try:
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.DBAPIError as error:
            raise BackupError(f"cannot reach the database: {_clean(str(error.orig), url)}") from None
        if not lock.ensure():
            raise BackupError(
                "a bot process is running on this database (it holds the scheduler lock): "
                "stop every bot process, then restore."
            )
        yield
    finally:
        lock.release()
        engine.dispose()


def _confirm(file: Path, where: str, backup_dir: str) -> bool:
    if not sys.stdin.isatty():
        raise BackupError("a restore replaces the whole database: confirm on a terminal, or add --yes.")
    answer = input(
        f"Replace every row of {where} with the backup {file}?\n"
        f"Stop every bot process on it first. The current content is saved in {backup_dir} before.\n"
        "Type yes to restore: "
    )
    return answer.strip().lower() == "yes"


def _save_current(url: URL, backup_dir: str) -> Path | None:
    """A backup of what the restore replaces, so a wrong file can be undone; None when there is nothing."""
    if not _holds_our_schema(url):
        return None
    try:
        return write_backup(url, backup_dir).path
    except BackupError as error:
        print(f"Warning: could not save the current content first ({error}); restoring anyway.", file=sys.stderr)
        return None


def _holds_our_schema(url: URL) -> bool:
    if url.get_backend_name() == "sqlite" and not _sqlite_path(url).is_file():
        return False  # not even created: nothing to save, and looking would create it
    engine = make_engine(url)
    try:
        return sa.inspect(engine).has_table("alembic_version")
    except sa.exc.SQLAlchemyError:
        return True  # unreadable: try the backup, which says why
    finally:
        engine.dispose()


def _sqlite_check(file: Path) -> str:
    """The backup's schema revision, once SQLite finds the file whole and ours."""
    try:
        conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()
            if check != ("ok",):
                raise BackupError(f"{file} is damaged (SQLite's check: {check}).")
            ours = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone() if ours.fetchone() else None
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise BackupError(f"{file} is damaged ({error}).") from None
    if row is None:
        raise BackupError(f"{file} is not an LBA Bot database (no schema revision in it).")
    return str(row[0])


def _sqlite_restore(file: Path, db: Path) -> None:
    if file.resolve() == db.resolve():
        raise BackupError(f"{file} is the database itself.")
    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(db, timeout=10)
            try:
                src.backup(dst)  # page by page into the live file, in one transaction of the destination
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not restore into {db}: {error}") from None


def _pg_check(file: Path) -> str:
    """pg_restore's table of contents of the archive, once it is known to hold our schema."""
    listing = subprocess.run([_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise BackupError(f"pg_restore cannot read {file}: {listing.stderr.strip()}")
    if not re.search(r"\bTABLE DATA \S+ alembic_version\b", listing.stdout):
        raise BackupError(f"{file} is not an LBA Bot database (no schema revision in it).")
    return listing.stdout


def _pg_restore(file: Path, url: URL, listing: str) -> None:
    """pg_restore renders the archive; psql runs it after dropping our tables, all in one transaction.

    pg_restore's own --clean drops only what the archive holds: a table a later migration added
    (and its foreign keys into restored tables) would block the drops and then the upgrade. So
    every table of the archive's schemas goes first, in the same transaction as the restore, and
    COMMIT is sent only once pg_restore has rendered the whole archive: any failure rolls back.
    """
    schemas = sorted(set(re.findall(r"^\d+; \d+ \d+ TABLE (\S+) ", listing, re.MULTILINE)))
    drop = "".join(
        f"FOR r IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = {_sql_literal(schema)} LOOP "
        "EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', r.schemaname, r.tablename); END LOOP; "
        for schema in schemas
    )
    # lock_timeout: a session left idle in a transaction on a table makes the restore fail, not hang.
    prefix = f"BEGIN;\nSET LOCAL lock_timeout = '30s';\nDO $lba$ DECLARE r record; BEGIN {drop} END $lba$;\n"
    env = pg_env(url)
    with tempfile.TemporaryFile() as render_err, tempfile.TemporaryFile() as run_err:
        psql = subprocess.Popen(
            [_tool("psql"), "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=run_err,
            env=env,
        )
        render = subprocess.Popen(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--file=-",
                str(file),
            ],
            stdout=subprocess.PIPE,
            stderr=render_err,
        )
        assert psql.stdin is not None and render.stdout is not None
        rendered = _pipe(prefix.encode(), render.stdout, psql.stdin)
        if not rendered:
            render.kill()  # psql stopped on an error: nobody reads pg_restore any more
        render.stdout.close()
        render_code = render.wait()
        if rendered and render_code == 0:
            _write(psql.stdin, b"COMMIT;\n")
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()  # without COMMIT, psql ends and the server rolls everything back
        psql_code = psql.wait()
        if rendered and render_code != 0:  # the archive is damaged (psql then fails too: no COMMIT came)
            raise BackupError(f"pg_restore failed (exit {render_code}): {_read(render_err)}; nothing was changed.")
        if psql_code != 0 or not rendered:
            raise BackupError(f"psql failed (exit {psql_code}): {_clean(_read(run_err), url)}; nothing was changed.")


def _pipe(prefix: bytes, source: IO[bytes], sink: IO[bytes]) -> bool:
    """Copy prefix then source into sink; False if the sink closed early (psql stopped on an error)."""
    if not _write(sink, prefix):
        return False
    while chunk := source.read(CHUNK):
        if not _write(sink, chunk):
            return False
    return True


def _write(sink: IO[bytes], data: bytes) -> bool:
    try:
        sink.write(data)
        sink.flush()
    except BrokenPipeError:
        return False
    return True


def _read(fh: Any) -> str:
    fh.seek(0)
    return fh.read().decode("utf-8", "replace").strip() or "no message"


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- the nightly backup ----------------------------------------------------------------------------


async def nightly_job(app: Any) -> None:
    """Once a local day, from BACKUP_HOUR on: a backup in BACKUP_DIR, then retention.

    Called on every scheduler tick by the one process that runs the jobs; the day of the last
    nightly backup is kept in the database, so a restart (or another process taking over) does
    not make a second one. A failure is logged and tried again an hour later.
    """
    from bot.persistence import recall, remember
    from bot.runtime import RUNTIME_KEY

    runtime = app.bot_data[RUNTIME_KEY]
    settings: Settings = runtime.settings
    if settings.backup_hour is None:
        return
    now: datetime = runtime.now()
    local = now.astimezone(settings.tz)
    retry_at = app.bot_data.get(RETRY_KEY)
    if local.hour < settings.backup_hour or (retry_at is not None and now < retry_at):
        return
    today = local.date().isoformat()
    last = await asyncio.to_thread(recall, runtime.sessions, LAST_NIGHTLY)
    if last is not None and str(last) >= today:
        return
    try:
        written = await asyncio.to_thread(write_backup, runtime.engine.url, settings.backup_dir, now=now)
    except BackupError as error:
        app.bot_data[RETRY_KEY] = now + RETRY_AFTER
        log.error("Nightly backup failed, next try in an hour: %s", error)
        return
    app.bot_data.pop(RETRY_KEY, None)
    await asyncio.to_thread(remember, runtime.sessions, LAST_NIGHTLY, today)
    removed = await asyncio.to_thread(
        prune, settings.backup_dir, local, settings.backup_keep_daily, settings.backup_keep_weekly
    )
    log.info("Nightly backup done: %s; %d old backup(s) pruned", written.path.name, len(removed))
