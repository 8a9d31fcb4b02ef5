from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

import models
from models.db import unit_of_work
from services.demo import seed_demo
from tests.conftest import TEST_ROUNDS


def _counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with unit_of_work(sessions) as s:
        return {
            t.name: s.scalar(sa.select(sa.func.count()).select_from(t)) or 0 for t in models.Base.metadata.sorted_tables
        }


def test_seed_twice_creates_nothing_twice(sessions: sessionmaker[Session], demo: dict[str, int], clock) -> None:  # type: ignore[no-untyped-def]
    assert demo["residences"] == 2 and demo["users"] == 5 and demo["spaces"] == 8
    first = _counts(sessions)
    clock.advance(days=1)
    with unit_of_work(sessions) as s:
        again = seed_demo(s, now=clock(), rounds=TEST_ROUNDS)
    assert sum(again.values()) == 0
    assert _counts(sessions) == first


def test_demo_spaces_and_accounts(sessions: sessionmaker[Session], demo: dict[str, int]) -> None:
    with unit_of_work(sessions) as s:
        laundry = s.scalars(sa.select(models.Space).where(models.Space.name == "Laverie")).all()
        assert len(laundry) == 2 and all(space.capacity == 3 for space in laundry)
        roles = dict(s.execute(sa.select(models.User.email, models.User.role)).all())
    assert roles["admin@lba.demo"] == models.Role.ADMIN and roles["manager@lba.demo"] == models.Role.MANAGER
