"""Group linking rules on the service alone, on each backend."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models import GroupChat, GroupKind, Residence, Role, User
from models.db import unit_of_work
from services import groups
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me, me_of
from tests.conftest import Clock

CHAT = -100123
TELEGRAM = {"manager@lba.demo": 501, "admin@lba.demo": 502, "resident1@lba.demo": 503, "resident3@lba.demo": 504}


def link_accounts(session: Session) -> None:
    for email, telegram_id in TELEGRAM.items():
        session.execute(sa.update(User).where(User.email == email).values(telegram_id=telegram_id))


def residence(session: Session, city: str) -> int:
    found = session.scalar(sa.select(Residence.id).where(Residence.city == city))
    assert found is not None
    return found


def me(session: Session, email: str) -> Me:
    user = session.scalar(sa.select(User).where(User.email == email))
    assert user is not None
    return me_of(session, user)


@pytest.fixture
def linked(sessions: sessionmaker[Session], demo: dict[str, int]) -> sessionmaker[Session]:
    with unit_of_work(sessions) as session:
        link_accounts(session)
    return sessions


def test_a_manager_links_a_group_to_their_residence_only(linked: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(linked) as session:
        lyon, bordeaux = residence(session, "Lyon"), residence(session, "Bordeaux")
        start = groups.start_link(session, 501, CHAT)
        assert not start.is_admin and [r.id for r in start.residences] == [lyon] and start.current is None
        with pytest.raises(NotAllowed):
            groups.link(session, 501, CHAT, "Résidents", bordeaux, GroupKind.RESIDENTS, clock())
        with pytest.raises(NotAllowed):
            groups.choose_residence(session, 501, bordeaux)
        linked_group = groups.link(session, 501, CHAT, "Résidents", lyon, GroupKind.RESIDENTS, clock())
        assert (linked_group.residence_name, linked_group.kind, linked_group.active) == (
            "Les Belles Années Lyon",
            GroupKind.RESIDENTS,
            True,
        )
    with unit_of_work(linked) as session:
        row = session.scalar(sa.select(GroupChat))
        assert row is not None and row.linked_by_id == me(session, "manager@lba.demo").id
        assert groups.start_link(session, 501, CHAT).current is not None


def test_residents_strangers_and_private_chats_are_refused(linked: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(linked) as session:
        lyon = residence(session, "Lyon")
        for telegram_id in (503, 999):  # a resident; someone not signed in
            with pytest.raises(NotAllowed):
                groups.start_link(session, telegram_id, CHAT)
            with pytest.raises(NotAllowed):
                groups.link(session, telegram_id, CHAT, "x", lyon, GroupKind.RESIDENTS, clock())
        with pytest.raises(InvalidInput):
            groups.link(session, 501, 501, "a private chat", lyon, GroupKind.RESIDENTS, clock())
        session.execute(sa.update(User).where(User.email == "manager@lba.demo").values(active=False))
        with pytest.raises(NotAllowed):  # a deactivated manager is no longer signed in
            groups.start_link(session, 501, CHAT)
    with unit_of_work(linked) as session:
        assert session.scalar(sa.select(sa.func.count(GroupChat.id))) == 0


def test_an_admin_links_any_residence_and_unknown_ones_are_not_found(
    linked: sessionmaker[Session], clock: Clock
) -> None:
    with unit_of_work(linked) as session:
        start = groups.start_link(session, 502, CHAT)
        assert start.is_admin and [r.name for r in start.residences] == [
            "Les Belles Années Bordeaux",
            "Les Belles Années Lyon",
        ]
        page = groups.residence_page(session, 502, 0)
        assert len(page.items) == 2 and not page.has_next
        with pytest.raises(NotFound):
            groups.choose_residence(session, 502, 999_999)
        with pytest.raises(NotFound):
            groups.link(session, 502, CHAT, "x", 999_999, GroupKind.MANAGERS, clock())
        bordeaux = residence(session, "Bordeaux")
        assert groups.link(session, 502, CHAT, "Équipe", bordeaux, GroupKind.MANAGERS, clock()).residence_id == bordeaux


def test_relinking_updates_the_same_row_and_removal_deactivates_it(linked: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(linked) as session:
        lyon = residence(session, "Lyon")
        groups.link(session, 501, CHAT, "Résidents", lyon, GroupKind.RESIDENTS, clock())
        groups.link(session, 501, CHAT, "Gestion" * 50, lyon, GroupKind.MANAGERS, clock())
        rows = list(session.scalars(sa.select(GroupChat)))
        assert len(rows) == 1 and rows[0].kind == GroupKind.MANAGERS and len(rows[0].title) == groups.TITLE_MAX
        assert groups.is_linked(session, CHAT)
        assert groups.bot_removed(session, CHAT) is True
        assert groups.bot_removed(session, CHAT) is False  # already inactive
        assert not groups.is_linked(session, CHAT)
        assert groups.group_chat_ids(session, [lyon], GroupKind.MANAGERS) == []
        groups.link(session, 501, CHAT, "Gestion", lyon, GroupKind.MANAGERS, clock())
        assert groups.group_chat_ids(session, [lyon], GroupKind.MANAGERS) == [CHAT]
        assert groups.bot_removed(session, -1) is False  # a group nobody linked


def test_group_chat_ids_filter_by_residence_and_kind(linked: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(linked) as session:
        lyon, bordeaux = residence(session, "Lyon"), residence(session, "Bordeaux")
        groups.link(session, 501, -1, "R Lyon", lyon, GroupKind.RESIDENTS, clock())
        groups.link(session, 501, -2, "M Lyon", lyon, GroupKind.MANAGERS, clock())
        groups.link(session, 502, -3, "R Bordeaux", bordeaux, GroupKind.RESIDENTS, clock())
        assert groups.group_chat_ids(session, [lyon], GroupKind.RESIDENTS) == [-1]
        assert groups.group_chat_ids(session, [lyon, bordeaux], GroupKind.RESIDENTS) == [-1, -3]
        assert groups.group_chat_ids(session, [bordeaux], GroupKind.MANAGERS) == []
        assert groups.group_chat_ids(session, [], GroupKind.RESIDENTS) == []
        # A group speaks the language of the manager who linked it.
        session.execute(sa.update(User).where(User.telegram_id == 502).values(language="en"))
        assert groups.group_chats(session, [lyon, bordeaux], GroupKind.RESIDENTS) == [(-1, "fr"), (-3, "en")]
        assert [g.title for g in groups.linked_groups(session, me(session, "manager@lba.demo"))] == ["M Lyon", "R Lyon"]
        assert len(groups.linked_groups(session, me(session, "admin@lba.demo"))) == 3
        with pytest.raises(NotAllowed):
            groups.linked_groups(session, me(session, "resident1@lba.demo"))


def test_a_migrated_group_keeps_its_link(linked: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(linked) as session:
        lyon = residence(session, "Lyon")
        groups.link(session, 501, -42, "Résidents", lyon, GroupKind.RESIDENTS, clock())
        assert groups.migrate(session, -42, -100042) is True
        assert groups.group_chat_ids(session, [lyon], GroupKind.RESIDENTS) == [-100042]
        assert groups.migrate(session, -42, -100042) is False  # told twice (old and new chat): once is enough


def test_a_manager_without_residence_cannot_link(linked: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(linked) as session:
        session.execute(sa.update(User).where(User.email == "manager@lba.demo").values(residence_id=None))
        assert session.scalar(sa.select(User.role).where(User.telegram_id == 501)) == Role.MANAGER
        with pytest.raises(NotAllowed):
            groups.start_link(session, 501, CHAT)
