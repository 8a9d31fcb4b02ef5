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


def test_load_residents_are_added_once_linked_and_varied(
    sessions: sessionmaker[Session], demo: dict[str, int], clock
) -> None:  # type: ignore[no-untyped-def]
    from services.demo import LOAD_DOMAIN, LYON, load_email, seed_load_residents

    with unit_of_work(sessions) as s:
        # Someone already uses Telegram id 1000003: the generated resident 3 must not take it.
        s.execute(sa.update(models.User).where(models.User.email == "resident1@lba.demo").values(telegram_id=1000003))
        assert seed_load_residents(s, 5, now=clock(), rounds=TEST_ROUNDS) == 5
    with unit_of_work(sessions) as s:
        assert seed_load_residents(s, 5, now=clock(), rounds=TEST_ROUNDS) == 0
        assert seed_load_residents(s, 3, now=clock(), rounds=TEST_ROUNDS) == 0
        assert seed_load_residents(s, 8, now=clock(), rounds=TEST_ROUNDS) == 3
    with unit_of_work(sessions) as s:
        rows = s.scalars(
            sa.select(models.User).where(models.User.email.like(f"%@{LOAD_DOMAIN}")).order_by(models.User.id)
        ).all()
        lyon = s.scalar(sa.select(models.Residence).where(models.Residence.name == LYON))
        assert (
            [u.email for u in rows]
            == [load_email(n) for n in range(1, 9)]
            == [f"resident-000{n}@load.lba.demo" for n in range(1, 9)]
        )
        assert [u.telegram_id for u in rows] == [1000001, 1000002, None, 1000004, 1000005, 1000006, 1000007, 1000008]
        assert lyon is not None and {u.residence_id for u in rows} == {lyon.id}
        assert all(u.role == models.Role.RESIDENT and u.active and u.apartment for u in rows)
        assert len({u.full_name for u in rows}) == 8 and len({u.apartment for u in rows}) == 8
        assert len({u.password_hash for u in rows[:5]}) == 1  # one hash per run, computed once
        from services.auth import check_secret
        from services.demo import DEMO_PASSWORD

        assert check_secret(DEMO_PASSWORD, rows[0].password_hash)
    assert load_email(10000) == "resident-10000@load.lba.demo"


def test_load_residents_need_the_demo_residence(sessions: sessionmaker[Session], clock) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from services.demo import seed_load_residents

    with unit_of_work(sessions) as s, pytest.raises(LookupError):
        seed_load_residents(s, 1, now=clock(), rounds=TEST_ROUNDS)
