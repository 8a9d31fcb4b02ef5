"""Several bot processes on one database: who runs the scheduled jobs, and SQLite's single-process rule.

PostgreSQL: every process answers updates and drains the outbox (a claim skips the rows another
process holds), but only one runs the scheduler's tick and the nightly backup: the holder of a
session-level advisory lock. The lock lives on a connection of its own, taken out of the pool and
kept for the life of the process, so it is never handed to other work nor returned to the pool
still holding the lock. If the holder dies, its connection closes, PostgreSQL frees the lock, and
the next scheduler run of another process takes it over.

One user, one update at a time: PTB handles a process's updates in turn, but behind a load balancer a
double tap can reach two processes at once, and both would find the flow at the same step (two reports
filed). `user_turn` holds a per-user advisory lock while an update is handled, from before its state is
read to after it is written through, so the second waits for the first and finds what it left.

SQLite: one process only. `single_process` holds an exclusive `flock` on `<database>.lock` for the
life of `run`; a second `run` on the same file refuses to start. The kernel drops the lock when the
process ends, however it ends. Commands that do not serve updates (`backup`, `invite`...) do not
take it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.config import Settings
from models.db import normalize_url

# bot.runtime (and telegram) only where needed: `run` takes the SQLite lock before the bot's heavy
# imports, so that a refusal is immediate.
if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Any constant 64-bit number, the same in every process of every version: "LBASCHED" in ASCII.
SCHEDULER_LOCK_KEY = int.from_bytes(b"LBASCHED", "big")  # < 2**63: a valid bigint
# Held SHARED by every live sender for its life; a starting process that can take it EXCLUSIVE is alone.
SENDERS_LOCK_KEY = int.from_bytes(b"LBASENDR", "big")
# A user's lock: this base plus their Telegram id (below 2**53), so no overlap with the keys above.
USER_LOCK_BASE = int.from_bytes(b"LBAU", "big") << 32
# How long an update waits for the same user's update on another process; then it goes ahead, logged.
USER_TURN_WAIT_MS = 15000
LOCK_KEY = "lba.scheduler_lock"  # bot_data
# The server notices a vanished holder (a network cut, not only a closed socket) within about a
# minute, and frees the lock for the others: idle 30 s, then 3 probes 10 s apart.
_KEEPALIVES = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10, "tcp_keepalives_count": 3}


class SchedulerLock:
    """The advisory lock that elects the process running the scheduled jobs (always held on SQLite).

    Its methods block on the database: call them off the event loop (`ensure_scheduler_lock`).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._shared = engine.dialect.name == "postgresql"
        self._conn: sa.Connection | None = None
        self._guard = threading.Lock()
        self.held = not self._shared
        self._sender = False  # this process is a sender: its connection holds the senders' shared lock

    def ensure(self) -> bool:
        """Hold the lock if it can be had now (never waits for it); True when this process holds it."""
        if not self._shared:
            return True
        with self._guard:
            if self._conn is not None and not self._alive(self._conn):
                if self.held:
                    log.warning("scheduler lock lost with the database connection; trying to take it again")
                self._close()
            if not self.held:
                self._try_take()
            return self.held

    def join_senders(self) -> bool:
        """Become one of the database's senders; True when no other live process is one (SQLite: always).

        Taking the senders' lock exclusively succeeds only when no live process holds it shared; then
        every outbox row left "sending" belongs to a dead process and may be taken back at once.
        """
        if not self._shared:
            return True
        with self._guard:
            if self._conn is None or not self._alive(self._conn):
                self._close()
                self._conn = self._connect()
            alone = bool(
                self._conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": SENDERS_LOCK_KEY}).scalar()
            )
            self._conn.execute(sa.text("SELECT pg_advisory_lock_shared(:k)"), {"k": SENDERS_LOCK_KEY})
            if alone:  # keep only the shared hold: the next process to start must see a live sender
                self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": SENDERS_LOCK_KEY})
            self._sender = True
            return alone

    def release(self) -> None:
        if not self._shared:
            return
        with self._guard:
            if self._conn is not None and self.held:
                with contextlib.suppress(DBAPIError):
                    self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEDULER_LOCK_KEY})
                log.info("scheduler lock released")
            self._close()

    @staticmethod
    def _alive(conn: sa.Connection) -> bool:
        try:
            conn.exec_driver_sql("SELECT 1")
        except DBAPIError:
            return False
        return True

    def _try_take(self) -> None:
        try:
            if self._conn is None:
                self._conn = self._connect()
                if self._sender:  # a new connection: hold the senders' lock again
                    self._conn.execute(sa.text("SELECT pg_advisory_lock_shared(:k)"), {"k": SENDERS_LOCK_KEY})
            taken = self._conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": SCHEDULER_LOCK_KEY})
            self.held = bool(taken.scalar())
        except DBAPIError as error:
            log.warning("could not reach the database for the scheduler lock: %s", type(error).__name__)
            self._close()
            return
        if self.held:
            log.info("scheduler lock taken: this process runs the scheduled jobs")

    def _connect(self) -> sa.Connection:
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        # Out of the pool for good: closing it closes the session, which is what frees the lock.
        conn.detach()
        for name, value in _KEEPALIVES.items():
            conn.exec_driver_sql(f"SET {name} = {value}")
        conn.exec_driver_sql("SET application_name = 'lba-bot scheduler lock'")
        return conn

    def _close(self) -> None:
        self.held = False
        if self._conn is not None:
            with contextlib.suppress(DBAPIError):
                self._conn.close()
            self._conn = None


def _lock_of(app: Any) -> SchedulerLock:
    from bot.runtime import RUNTIME_KEY

    lock: SchedulerLock | None = app.bot_data.get(LOCK_KEY)
    if lock is None:
        runtime: Runtime = app.bot_data[RUNTIME_KEY]
        lock = app.bot_data[LOCK_KEY] = SchedulerLock(runtime.engine)
    return lock


async def ensure_scheduler_lock(app: Any) -> bool:
    """Take the scheduler lock if it is free, check it is still held if it was; True: run the jobs."""
    return await asyncio.to_thread(_lock_of(app).ensure)


async def join_senders(app: Any) -> bool:
    """At the sender's start: True when no other live process sends on this database (see SchedulerLock)."""
    return await asyncio.to_thread(_lock_of(app).join_senders)


def scheduler_lock_held(app: Any) -> bool:
    """Whether this process runs the scheduled jobs (as of its last scheduler run; for /metrics)."""
    from bot.runtime import RUNTIME_KEY

    lock: SchedulerLock | None = app.bot_data.get(LOCK_KEY)
    if lock is not None:
        return lock.held
    runtime: Runtime | None = app.bot_data.get(RUNTIME_KEY)
    return runtime is not None and runtime.engine.dialect.name != "postgresql"


async def release_scheduler_lock(app: Any) -> None:
    """At stop: free the lock at once, so another process takes over at its next run."""
    lock: SchedulerLock | None = app.bot_data.pop(LOCK_KEY, None)
    if lock is not None:
        await asyncio.to_thread(lock.release)


# --- one update of a user at a time ---------------------------------------------------------------


@contextlib.asynccontextmanager
async def user_turn(engine: Engine, telegram_id: int | None) -> AsyncIterator[None]:
    """While the block runs, no other process handles an update of this user (PostgreSQL; else a no-op)."""
    if telegram_id is None or engine.dialect.name != "postgresql":
        yield
        return
    key = USER_LOCK_BASE + telegram_id
    conn = await asyncio.to_thread(_take_turn, engine, key)
    try:
        yield
    finally:
        if conn is not None:
            await asyncio.to_thread(_end_turn, conn, key)


def _take_turn(engine: Engine, key: int) -> sa.Connection | None:
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        if not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            # The user's previous update is still in hand elsewhere: wait for it, boundedly.
            conn.exec_driver_sql(f"SET lock_timeout = {USER_TURN_WAIT_MS}")
            try:
                conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
            finally:
                conn.exec_driver_sql("RESET lock_timeout")
    except DBAPIError as error:  # waited too long, or the database is away: the update goes ahead anyway
        log.warning("handling an update without its user's lock: %s", type(error.orig).__name__)
        with contextlib.suppress(DBAPIError):
            conn.close()
        return None
    return conn


def _end_turn(conn: sa.Connection, key: int) -> None:
    try:
        conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    except DBAPIError:  # a lost connection has freed the lock with its session
        log.warning("could not free a user's lock: its connection is gone, and the lock with it")
    finally:
        with contextlib.suppress(DBAPIError):
            conn.close()


# --- SQLite: one process ---------------------------------------------------------------------------


class AlreadyRunning(SystemExit):
    """Another `run` holds the SQLite database: exits with code 1 and this one line on stderr."""


def sqlite_file(database_url: str) -> str | None:
    """The database file of a SQLite URL as configured (e.g. data/lba.db); None for PostgreSQL or memory."""
    url = normalize_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.database


@contextlib.contextmanager
def single_process(settings: Settings) -> Iterator[None]:
    """For the life of `run` on SQLite: the only process serving this database file."""
    database = sqlite_file(settings.database_url)
    if database is None:
        yield
        return
    lock_path = Path(database + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                f"another LBA Bot process is already running on {database}; SQLite serves one process "
                "— use PostgreSQL (DATABASE_URL) to run several"
            ) from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")  # who holds it, for an operator looking
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
