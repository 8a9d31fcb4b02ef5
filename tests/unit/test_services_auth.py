"""Sign-in rules on the services alone, on each backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models import Invitation, LoginThrottle, Role, User
from models.db import unit_of_work
from services import auth
from services.auth import InvitationStatus, LoginStatus
from services.errors import InvalidInput, NotAllowed
from services.people import signed_in
from tests.conftest import TEST_ROUNDS


def test_normalize_email() -> None:
    assert auth.normalize_email("  Jean.Dupont@Exemple.FR ") == "jean.dupont@exemple.fr"
    for bad in ("", "jean", "jean@", "@x.fr", "a b@c.fr", "<x>@y.fr"):
        with pytest.raises(InvalidInput):
            auth.normalize_email(bad)


def test_login_success_links_and_resets_counters(sessions: sessionmaker[Session], demo: dict, clock) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        assert auth.login(s, telegram_id=1, email="resident1@lba.demo", password="bad", now=clock()).remaining == 4
    with unit_of_work(sessions) as s:
        outcome = auth.login(s, telegram_id=1, email="RESIDENT1@lba.demo", password="demo1234", now=clock())
        assert outcome.status == LoginStatus.OK and outcome.me and outcome.me.residence_name
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == "resident1@lba.demo"))
        assert user and user.telegram_id == 1 and user.failed_logins == 0
        assert s.get(LoginThrottle, 1).failures == 0  # type: ignore[union-attr]
        assert signed_in(s, 1) is not None


def test_passwords_longer_than_bcrypt_accepts_are_just_wrong(
    sessions: sessionmaker[Session], demo: dict, clock
) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        outcome = auth.login(s, telegram_id=2, email="resident1@lba.demo", password="x" * 200, now=clock())
    assert outcome.status == LoginStatus.WRONG


def test_signing_in_as_someone_else_signs_the_previous_account_out(
    sessions: sessionmaker[Session],
    demo: dict,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    with unit_of_work(sessions) as s:
        auth.login(s, telegram_id=3, email="resident1@lba.demo", password="demo1234", now=clock())
    with unit_of_work(sessions) as s:
        auth.logout(s, 3)
        auth.login(s, telegram_id=3, email="resident2@lba.demo", password="demo1234", now=clock())
    with unit_of_work(sessions) as s:
        linked = s.scalars(sa.select(User.email).where(User.telegram_id == 3)).all()
    assert linked == ["resident2@lba.demo"]


def test_invitation_codes_are_stored_hashed_and_single_use(sessions: sessionmaker[Session], demo: dict, clock) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        created = auth.create_invitation(
            s,
            email="new@lba.demo",
            residence_name="Les Belles Années Lyon",
            role=Role.RESIDENT,
            now=clock(),
            rounds=TEST_ROUNDS,
        )
    with unit_of_work(sessions) as s:
        row = s.get(Invitation, created.id)
        assert row is not None and created.code[auth.SELECTOR_LEN :] not in row.code_hash
        assert row.expires_at == clock() + timedelta(days=7)
    kwargs = {"first_name": "N", "last_name": "", "language": "fr", "now": clock()}
    with unit_of_work(sessions) as s:
        assert auth.redeem_invitation(s, code=created.code, telegram_id=9, **kwargs).status == InvitationStatus.OK
    with unit_of_work(sessions) as s:
        assert auth.redeem_invitation(s, code=created.code, telegram_id=10, **kwargs).status == InvitationStatus.USED


def test_managers_invite_residents_of_their_own_residence_only(
    sessions: sessionmaker[Session],
    demo: dict,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    with unit_of_work(sessions) as s:
        manager = auth.login(s, telegram_id=11, email="manager@lba.demo", password="demo1234", now=clock()).me
    assert manager is not None
    with unit_of_work(sessions) as s, pytest.raises(NotAllowed):
        auth.create_invitation(
            s,
            email="x@lba.demo",
            residence_name="Les Belles Années Bordeaux",
            role=Role.RESIDENT,
            now=clock(),
            created_by=manager,
            rounds=TEST_ROUNDS,
        )
    with unit_of_work(sessions) as s, pytest.raises(NotAllowed):
        auth.create_invitation(
            s,
            email="x@lba.demo",
            residence_name="Les Belles Années Lyon",
            role=Role.MANAGER,
            now=clock(),
            created_by=manager,
            rounds=TEST_ROUNDS,
        )
