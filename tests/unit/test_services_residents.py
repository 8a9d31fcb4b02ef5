"""The residents rules on the service alone, on each backend: who may invite, list, deactivate whom."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models import Invitation, OutboxMessage, OutboxStatus, Residence, Role, User
from models.db import unit_of_work
from services import auth, outbox, residents
from services.auth import InvitationStatus, LoginStatus
from services.demo import BORDEAUX, LYON, seed_load_residents
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me, me_of, signed_in
from tests.conftest import TEST_ROUNDS, Clock


def me(session: Session, email: str) -> Me:
    user = session.scalar(sa.select(User).where(User.email == email))
    assert user is not None
    return me_of(session, user)


def user_id(session: Session, email: str) -> int:
    found = session.scalar(sa.select(User.id).where(User.email == email))
    assert found is not None
    return found


def residence_id(session: Session, name: str) -> int:
    found = session.scalar(sa.select(Residence.id).where(Residence.name == name))
    assert found is not None
    return found


def add_manager(session: Session, email: str, residence: str, first_name: str = "Paul") -> Me:
    user = User(
        email=email,
        password_hash=auth.hash_secret("demo1234", TEST_ROUNDS),
        first_name=first_name,
        last_name="Gérant",
        role=Role.MANAGER,
        residence_id=residence_id(session, residence),
    )
    session.add(user)
    session.flush()
    return me_of(session, user)


def link(session: Session, email: str, telegram_id: int) -> None:
    session.execute(sa.update(User).where(User.email == email).values(telegram_id=telegram_id))


def refusal(error: pytest.ExceptionInfo[NotAllowed]) -> str:
    return str(error.value)


# --- scope -------------------------------------------------------------------------------------------


def test_a_manager_works_in_their_residence_and_an_admin_picks(sessions: sessionmaker[Session], demo: object) -> None:
    with unit_of_work(sessions) as s:
        sophie = residents.scope(s, me(s, "manager@lba.demo"))
        assert not sophie.pick and sophie.only is not None and sophie.only.name == LYON
        alain = residents.scope(s, me(s, "admin@lba.demo"))
        assert alain.pick and alain.only is None and {c.name for c in alain.residences} == {LYON, BORDEAUX}
        with pytest.raises(NotAllowed) as error:
            residents.scope(s, me(s, "resident1@lba.demo"))
        assert refusal(error) == "managers only"
        assert residents.residence_choice(s, me(s, "admin@lba.demo"), residence_id(s, BORDEAUX)).name == BORDEAUX
        with pytest.raises(NotAllowed):
            residents.residence_choice(s, me(s, "manager@lba.demo"), residence_id(s, BORDEAUX))
        with pytest.raises(NotFound):
            residents.residence_choice(s, me(s, "admin@lba.demo"), 9999)


def test_the_acting_account_is_read_again(sessions: sessionmaker[Session], demo: object) -> None:
    """A Me captured before a demotion or a deactivation carries no power any more."""
    with unit_of_work(sessions) as s:
        sophie = me(s, "manager@lba.demo")
        s.execute(sa.update(User).where(User.id == sophie.id).values(role=Role.RESIDENT))
        with pytest.raises(NotAllowed):
            residents.list_residents(s, sophie, residence_id(s, LYON))
        s.execute(sa.update(User).where(User.id == sophie.id).values(role=Role.MANAGER, active=False))
        with pytest.raises(NotAllowed):
            residents.scope(s, sophie)
        s.execute(sa.update(User).where(User.id == sophie.id).values(active=True, residence_id=None))
        with pytest.raises(NotAllowed) as error:
            residents.scope(s, sophie)
        assert refusal(error) == "no residence"


# --- invitations -------------------------------------------------------------------------------------


def test_check_invitee_normalises_and_refuses_who_needs_no_invitation(
    sessions: sessionmaker[Session], demo: object
) -> None:
    with unit_of_work(sessions) as s:
        sophie, lyon = me(s, "manager@lba.demo"), residence_id(s, LYON)
        assert residents.check_invitee(s, sophie, lyon, "  Odette@Example.FR ") == "odette@example.fr"
        # Jeanne has a password but is not linked yet: an invitation is how she can get in.
        assert residents.check_invitee(s, sophie, lyon, "resident1@lba.demo") == "resident1@lba.demo"
        link(s, "resident1@lba.demo", 4242)
        cases = {
            "pas-un-email": "format",
            "x" * 250 + "@b.fr": "too_long",
            "resident1@lba.demo": "linked",
            "resident3@lba.demo": "elsewhere",
            "manager@lba.demo": "staff",
            "admin@lba.demo": "staff",
        }
        for email, reason in cases.items():
            with pytest.raises(InvalidInput) as error:
                residents.check_invitee(s, sophie, lyon, email)
            assert error.value.reason == reason, email
        with pytest.raises(NotAllowed):
            residents.check_invitee(s, sophie, residence_id(s, BORDEAUX), "odette@example.fr")
        with pytest.raises(NotAllowed):
            residents.check_invitee(s, me(s, "resident2@lba.demo"), lyon, "odette@example.fr")


def test_a_deactivated_resident_of_the_residence_may_be_invited_back(
    sessions: sessionmaker[Session], demo: object, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        sophie = me(s, "manager@lba.demo")
        link(s, "resident2@lba.demo", 4343)
        residents.deactivate(s, sophie, user_id(s, "resident2@lba.demo"), clock())
        assert residents.check_invitee(s, sophie, residence_id(s, LYON), "resident2@lba.demo")


def test_invite_creates_a_working_single_use_link_in_the_right_residence(
    sessions: sessionmaker[Session], demo: object, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        sophie = me(s, "manager@lba.demo")
        created = residents.invite(s, sophie, residence_id(s, LYON), "Odette@example.fr", " D 03 ", clock(), 4)
        assert created.email == "odette@example.fr" and created.residence_name == LYON and created.apartment == "D 03"
        assert created.expires_at == clock() + auth.INVITATION_VALIDITY
        row = s.get(Invitation, created.id)
        assert row is not None and row.created_by_id == sophie.id and row.role == Role.RESIDENT
    with unit_of_work(sessions) as s:
        outcome = auth.redeem_invitation(
            s, code=created.code, telegram_id=777, first_name="Odette", last_name="", language="fr", now=clock()
        )
        assert outcome.status == InvitationStatus.OK and outcome.me is not None
        assert outcome.me.residence_name == LYON and outcome.me.apartment == "D 03"


def test_invite_checks_everything_again(sessions: sessionmaker[Session], demo: object, clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        sophie, alain = me(s, "manager@lba.demo"), me(s, "admin@lba.demo")
        with pytest.raises(InvalidInput) as error:
            residents.invite(s, sophie, residence_id(s, LYON), "odette@example.fr", "x" * 21, clock(), 4)
        assert error.value.reason == "too_long" and error.value.details == {"max": 20, "length": 21}
        with pytest.raises(NotAllowed):
            residents.invite(s, sophie, residence_id(s, BORDEAUX), "odette@example.fr", None, clock(), 4)
        with pytest.raises(InvalidInput):
            residents.invite(s, sophie, residence_id(s, LYON), "resident3@lba.demo", None, clock(), 4)
        created = residents.invite(s, alain, residence_id(s, BORDEAUX), "paulette@example.fr", None, clock(), 4)
        assert created.residence_name == BORDEAUX and created.apartment is None
        assert s.scalar(sa.select(sa.func.count(Invitation.id))) == 1


def test_clean_apartment_and_query() -> None:
    assert residents.clean_apartment("  B\u00a0 04 ") == "B 04"
    for text, reason in (("", "too_short"), ("   ", "too_short"), ("x" * 21, "too_long"), (None, "too_short")):
        with pytest.raises(InvalidInput) as error:
            residents.clean_apartment(text)
        assert error.value.reason == reason
    assert residents.clean_query("  Jean   Dupont ") == "Jean Dupont"
    for text in ("a", " ", "x" * 61):
        with pytest.raises(InvalidInput):
            residents.clean_query(text)


# --- the list ----------------------------------------------------------------------------------------


def test_the_list_is_the_residence_s_active_first_and_paginated(
    sessions: sessionmaker[Session], demo: object, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        sophie, lyon = me(s, "manager@lba.demo"), residence_id(s, LYON)
        page = residents.list_residents(s, sophie, lyon)
        names = [item.full_name for item in page.items]
        assert names == ["Marcel Bernard", "Jeanne Dupont", "Sophie Martin"]  # by last name
        assert page.total == 3 and page.pages == 1 and not page.has_next
        assert "Lucienne Moreau" not in names
        link(s, "resident1@lba.demo", 5001)
        s.execute(sa.update(User).where(User.email == "resident2@lba.demo").values(unreachable_since=clock()))
        seed_load_residents(s, 20, now=clock(), rounds=4)
        residents.deactivate(s, sophie, user_id(s, "resident1@lba.demo"), clock())
    with unit_of_work(sessions) as s:
        sophie = me(s, "manager@lba.demo")
        first = residents.list_residents(s, sophie, lyon)
        assert first.total == 23 and first.pages == 3 and first.has_next and len(first.items) == 8
        last = residents.list_residents(s, sophie, lyon, 2)
        assert len(last.items) == 7 and not last.has_next
        assert last.items[-1].full_name == "Jeanne Dupont" and not last.items[-1].active  # the inactive last
        assert residents.list_residents(s, sophie, lyon, 99).page == 2  # an old page number is clamped
        everyone = [i for p in range(3) for i in residents.list_residents(s, sophie, lyon, p).items]
        marcel = next(i for i in everyone if i.full_name == "Marcel Bernard")
        assert marcel.unreachable and not marcel.linked and marcel.role == Role.RESIDENT
        assert sum(i.linked for i in everyone) == 20  # the generated residents are linked


def test_search_by_name_e_mail_or_apartment(sessions: sessionmaker[Session], demo: object) -> None:
    with unit_of_work(sessions) as s:
        sophie, lyon = me(s, "manager@lba.demo"), residence_id(s, LYON)

        def found(query: str) -> list[str]:
            return [i.full_name for i in residents.list_residents(s, sophie, lyon, 0, query).items]

        assert found("dupont") == ["Jeanne Dupont"]
        assert found("Jeanne Dup") == ["Jeanne Dupont"]
        assert found("Bernard Marcel") == ["Marcel Bernard"]
        assert found("b04") == ["Marcel Bernard"]
        assert found("resident2@") == ["Marcel Bernard"]
        assert found("Moreau") == []  # Lucienne lives in Bordeaux
        assert found("100%") == [] and found("a_b") == []  # wildcards are literal
        page = residents.list_residents(s, sophie, lyon, 0, "  dupont ")
        assert page.query == "dupont" and page.total == 1
        with pytest.raises(InvalidInput):
            residents.list_residents(s, sophie, lyon, 0, "x")


def test_only_staff_of_the_residence_list_and_open_cards(sessions: sessionmaker[Session], demo: object) -> None:
    with unit_of_work(sessions) as s:
        sophie, alain = me(s, "manager@lba.demo"), me(s, "admin@lba.demo")
        lyon, bordeaux = residence_id(s, LYON), residence_id(s, BORDEAUX)
        with pytest.raises(NotAllowed):
            residents.list_residents(s, sophie, bordeaux)
        with pytest.raises(NotAllowed):
            residents.list_residents(s, me(s, "resident1@lba.demo"), lyon)
        assert [i.full_name for i in residents.list_residents(s, alain, bordeaux).items] == ["Lucienne Moreau"]
        with pytest.raises(NotAllowed):
            residents.resident(s, sophie, user_id(s, "resident3@lba.demo"))
        with pytest.raises(NotFound):
            residents.resident(s, sophie, 99999)
        jeanne = residents.resident(s, sophie, user_id(s, "resident1@lba.demo"))
        assert jeanne.email == "resident1@lba.demo" and jeanne.apartment == "A12" and jeanne.residence_name == LYON
        assert jeanne.can_deactivate and not jeanne.can_reactivate and jeanne.can_reinvite  # not linked yet
        herself = residents.resident(s, sophie, sophie.id)
        assert not herself.can_deactivate and not herself.can_reinvite
        assert residents.resident(s, alain, user_id(s, "resident3@lba.demo")).can_deactivate


# --- deactivating ------------------------------------------------------------------------------------


def test_deactivate_signs_out_cancels_what_was_queued_and_says_goodbye(
    sessions: sessionmaker[Session], demo: object, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        sophie, jeanne_id = me(s, "manager@lba.demo"), user_id(s, "resident1@lba.demo")
        link(s, "resident1@lba.demo", 5001)
        queued = [
            outbox.notify(s, user_id=jeanne_id, kind="test", key="soon", now=clock() + timedelta(hours=h))
            for h in (0, 1)
        ]
        other = outbox.notify(s, user_id=user_id(s, "resident2@lba.demo"), kind="test", key="soon", now=clock())
        assert other is None  # Marcel is not linked: nothing to send him
        unused = auth.create_invitation(
            s, email="resident1@lba.demo", residence_name=LYON, role=Role.RESIDENT, now=clock(), rounds=4
        )
        change = residents.deactivate(s, sophie, jeanne_id, clock())
        assert change.changed and change.cancelled_notifications == 2 and change.signed_out_staff is None
        assert not change.resident.active and not change.resident.linked and change.resident.can_reactivate
    with unit_of_work(sessions) as s:
        jeanne = s.get(User, jeanne_id)
        assert jeanne is not None and not jeanne.active and jeanne.telegram_id is None
        assert signed_in(s, 5001) is None
        statuses = {row.id: row for row in s.scalars(sa.select(OutboxMessage))}
        assert all(statuses[i].status == OutboxStatus.CANCELLED for i in queued if i is not None)
        farewell = [row for row in statuses.values() if row.kind == residents.FAREWELL_KIND]
        assert len(farewell) == 1 and farewell[0].status == OutboxStatus.PENDING and farewell[0].chat_id == 5001
        assert farewell[0].payload["params"] == {"residence": LYON}
        redeemed = auth.redeem_invitation(
            s, code=unused.code, telegram_id=5001, first_name="J", last_name="", language="fr", now=clock()
        )
        assert redeemed.status == InvitationStatus.EXPIRED  # an old link cannot bring her back
        login = auth.login(s, telegram_id=5001, email="resident1@lba.demo", password="demo1234", now=clock())
        assert login.status == LoginStatus.INACTIVE
    with unit_of_work(sessions) as s:
        again = residents.deactivate(s, me(s, "manager@lba.demo"), jeanne_id, clock())
        assert not again.changed  # an old confirmation button: nothing more happens
        assert s.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "res_deactivated")) == 1


def test_who_may_deactivate_whom(sessions: sessionmaker[Session], demo: object, clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        sophie, alain = me(s, "manager@lba.demo"), me(s, "admin@lba.demo")
        other_lyon = add_manager(s, "manager2@lba.demo", LYON, "Claire")
        bordeaux = add_manager(s, "manager.bdx@lba.demo", BORDEAUX)
        jeanne = user_id(s, "resident1@lba.demo")
        cases = [
            (sophie, sophie.id, "self"),
            (sophie, other_lyon.id, "staff"),
            (sophie, alain.id, "residence"),  # the admin belongs to no residence
            (sophie, user_id(s, "resident3@lba.demo"), "residence"),
            (bordeaux, jeanne, "residence"),
            (me(s, "resident2@lba.demo"), jeanne, "managers only"),
            (alain, alain.id, "self"),
        ]
        for actor, target, reason in cases:
            for action in (residents.deactivate, residents.reactivate):
                with pytest.raises(NotAllowed) as error:
                    action(s, actor, target, clock())
                assert refusal(error) == reason, (actor.email, target, action.__name__)
        assert s.scalar(sa.select(sa.func.count(User.id)).where(User.active.is_(False))) == 0
        link(s, "manager2@lba.demo", 6002)
        change = residents.deactivate(s, alain, other_lyon.id, clock())  # an admin may take a manager out
        assert change.changed and change.signed_out_staff is not None and change.signed_out_staff.telegram_id == 6002
        assert residents.deactivate(s, bordeaux, user_id(s, "resident3@lba.demo"), clock()).changed


def test_reactivate_lets_them_sign_in_again(sessions: sessionmaker[Session], demo: object, clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        sophie, marcel = me(s, "manager@lba.demo"), user_id(s, "resident2@lba.demo")
        residents.deactivate(s, sophie, marcel, clock())
        assert not residents.resident(s, sophie, marcel).can_reinvite
        with pytest.raises(NotAllowed) as error:
            residents.reinvite(s, sophie, marcel, clock(), 4)
        assert refusal(error) == "not invitable"
        change = residents.reactivate(s, sophie, marcel, clock())
        assert change.changed and change.resident.active and change.resident.can_reinvite
        assert not residents.reactivate(s, sophie, marcel, clock()).changed
        created = residents.reinvite(s, sophie, marcel, clock(), 4)
        assert created.email == "resident2@lba.demo" and created.apartment == "B04"
        login = auth.login(s, telegram_id=5002, email="resident2@lba.demo", password="demo1234", now=clock())
        assert login.status == LoginStatus.OK
        with pytest.raises(NotAllowed):  # linked now: no new link needed
            residents.reinvite(s, sophie, marcel, clock(), 4)
