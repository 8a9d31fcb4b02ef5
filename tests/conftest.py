"""Shared fixtures: a database on each backend, a driven clock, and the bot driven offline.

Every database test runs on SQLite and on PostgreSQL. PostgreSQL is skipped when it cannot be
reached, except under CI (CI=true), where an unreachable server fails the run instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.config import Settings
from models.db import make_engine, make_session_factory, unit_of_work, upgrade
from services.demo import seed_demo

POSTGRES_URL = os.environ.get("LBA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b.strip() for b in os.environ.get("LBA_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_TOKEN = "123456789:TESTtokenTESTtokenTESTtokenTESTtoken12"
TEST_ROUNDS = 4  # bcrypt cost in tests: the real cost is a setting, the code path is the same
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Paris


class Clock:
    """Time in tests is moved, never waited for."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def _ensure_database(url: str) -> None:
    """Create the test database if it does not exist (so parallel runs can each use their own)."""
    target = sa.make_url(url)
    admin = make_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def _postgres_available() -> str | None:
    try:
        _ensure_database(POSTGRES_URL)
        engine = make_engine(POSTGRES_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means "not available here"
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A migrated database per backend, prepared once per session."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        upgrade(engine)
        engine.dispose()
        yield {"name": "sqlite", "template": template}
        return
    problem = _postgres_available()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL must be reachable in CI at {POSTGRES_URL}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({problem}); CI=true makes this an error")
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    upgrade(engine)
    yield {"name": "postgresql", "engine": engine}
    engine.dispose()


@pytest.fixture
def engine(backend: dict[str, object], tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated database for one test."""
    if backend["name"] == "sqlite":
        path = tmp_path / "lba.db"
        shutil.copyfile(backend["template"], path)  # type: ignore[arg-type]
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = backend["engine"]
    assert isinstance(engine, Engine)
    tables = ", ".join(f'"{t.name}"' for t in models.Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables}, alembic_version RESTART IDENTITY CASCADE"))
        conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": _head()})
    yield engine


def _head() -> str:
    from alembic.script import ScriptDirectory

    from models.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def demo(sessions: sessionmaker[Session], clock: Clock) -> dict[str, int]:
    with unit_of_work(sessions) as session:
        return seed_demo(session, now=clock(), rounds=TEST_ROUNDS)


def make_settings(database_url: str = "sqlite://") -> Settings:
    return Settings(
        token=TEST_TOKEN,
        api_url="http://telegram.invalid",
        database_url=database_url,
        timezone="Europe/Paris",
        log_level="INFO",
        bcrypt_rounds=TEST_ROUNDS,
    )


@pytest.fixture
async def bot(engine: Engine, clock: Clock, demo: dict[str, int]) -> AsyncIterator[Any]:
    """The real Application, on the demo data, talking to the offline Telegram."""
    from tests.harness import BotHarness

    harness = BotHarness(make_settings(), engine, clock)
    await harness.start()
    yield harness
    await harness.stop()
