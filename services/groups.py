"""Telegram groups linked to a residence: its residents' group and its managers' group.

Only a signed-in manager (for their own residence) or an admin (for any residence) links a group;
the caller is found from the Telegram account that acts, never from callback data. A group where
the bot was removed keeps its row, inactive, so re-adding the bot and running /lier_groupe again
updates the same row instead of piling up links. Nothing here posts to a group: announcements and
the incident desk queue their messages through the outbox, to the chat ids returned below.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import GroupChat, GroupKind, Residence, Role, User
from services import people
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me

log = logging.getLogger(__name__)

TITLE_MAX = 255
RESIDENCE_PAGE_SIZE = 8


@dataclass(frozen=True)
class ResidenceChoice:
    id: int
    name: str


@dataclass(frozen=True)
class LinkedGroup:
    chat_id: int
    residence_id: int
    residence_name: str
    kind: GroupKind
    title: str
    active: bool


@dataclass(frozen=True)
class LinkStart:
    """What /lier_groupe offers the person who ran it."""

    telegram_id: int
    language: str
    is_admin: bool
    # A manager: their residence only. An admin: every residence (they pick one first).
    residences: tuple[ResidenceChoice, ...]
    # This chat's current link, if any (re-linking updates it).
    current: LinkedGroup | None


@dataclass(frozen=True)
class ResidencePage:
    items: tuple[ResidenceChoice, ...]
    page: int
    pages: int

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


# --- who may link --------------------------------------------------------------------------------


def _linker(session: Session, telegram_id: int) -> Me:
    """The signed-in manager or admin behind this Telegram account; anyone else is refused."""
    me = people.signed_in(session, telegram_id)
    if me is None or not me.is_staff:
        raise NotAllowed("only a signed-in manager or admin links a group")
    if me.role == Role.MANAGER and me.residence_id is None:
        raise NotAllowed("a manager without a residence")
    return me


def _check_residence(session: Session, me: Me, residence_id: int) -> Residence:
    if me.role != Role.ADMIN and residence_id != me.residence_id:
        raise NotAllowed("not this manager's residence")
    residence = session.get(Residence, residence_id)
    if residence is None:
        raise NotFound("residence")
    return residence


def _residences(session: Session, me: Me) -> tuple[ResidenceChoice, ...]:
    query = sa.select(Residence.id, Residence.name).order_by(Residence.name)
    if me.role != Role.ADMIN:
        query = query.where(Residence.id == me.residence_id)
    return tuple(ResidenceChoice(rid, name) for rid, name in session.execute(query))


def _view(session: Session, row: GroupChat) -> LinkedGroup:
    residence = session.get(Residence, row.residence_id)
    return LinkedGroup(
        chat_id=row.chat_id,
        residence_id=row.residence_id,
        residence_name=residence.name if residence else "",
        kind=row.kind,
        title=row.title,
        active=row.active,
    )


def _check_group_chat(chat_id: int) -> None:
    """Telegram's group and supergroup ids are negative; a private chat is never linked."""
    if chat_id >= 0:
        raise InvalidInput("chat", "not_a_group")


# --- linking ---------------------------------------------------------------------------------------


def start_link(session: Session, telegram_id: int, chat_id: int) -> LinkStart:
    _check_group_chat(chat_id)
    me = _linker(session, telegram_id)
    row = session.scalar(sa.select(GroupChat).where(GroupChat.chat_id == chat_id))
    current = _view(session, row) if row is not None and row.active else None
    return LinkStart(
        telegram_id=telegram_id,
        language=me.language,
        is_admin=me.role == Role.ADMIN,
        residences=_residences(session, me),
        current=current,
    )


def residence_page(session: Session, telegram_id: int, page: int) -> ResidencePage:
    """The residences an admin picks from, a page at a time (a network may have many)."""
    me = _linker(session, telegram_id)
    choices = _residences(session, me)
    pages = max(1, -(-len(choices) // RESIDENCE_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    start = page * RESIDENCE_PAGE_SIZE
    return ResidencePage(choices[start : start + RESIDENCE_PAGE_SIZE], page, pages)


def choose_residence(session: Session, telegram_id: int, residence_id: int) -> ResidenceChoice:
    """An admin picked a residence: check it exists (and, for a manager, that it is theirs)."""
    me = _linker(session, telegram_id)
    residence = _check_residence(session, me, residence_id)
    return ResidenceChoice(residence.id, residence.name)


def link(
    session: Session,
    telegram_id: int,
    chat_id: int,
    title: str,
    residence_id: int,
    kind: GroupKind,
    now: datetime,
) -> LinkedGroup:
    """Link (or re-link) this chat to a residence as its residents' or managers' group."""
    _check_group_chat(chat_id)
    me = _linker(session, telegram_id)
    _check_residence(session, me, residence_id)
    kind = GroupKind(kind)
    values = {
        "residence_id": residence_id,
        "kind": kind,
        "title": (title or "")[:TITLE_MAX],
        "linked_by_id": me.id,
        "active": True,
    }
    row = session.scalar(sa.select(GroupChat).where(GroupChat.chat_id == chat_id))
    if row is None:
        try:
            with session.begin_nested():
                row = GroupChat(chat_id=chat_id, created_at=now, **values)
                session.add(row)
                session.flush()
        except IntegrityError:  # linked at the same moment by someone else: update theirs
            row = session.scalar(sa.select(GroupChat).where(GroupChat.chat_id == chat_id))
            assert row is not None
    for name, value in values.items():
        setattr(row, name, value)
    session.flush()
    log.info("group chat linked to residence %s as %s", residence_id, kind.value)
    return _view(session, row)


def bot_removed(session: Session, chat_id: int) -> bool:
    """The bot left or was kicked: the link stays, inactive, until a manager links the group again."""
    result = session.execute(
        sa.update(GroupChat).where(GroupChat.chat_id == chat_id, GroupChat.active.is_(True)).values(active=False)
    )
    return bool(result.rowcount)


def migrate(session: Session, old_chat_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup: Telegram gave it a new id, the link follows."""
    if session.scalar(sa.select(GroupChat.id).where(GroupChat.chat_id == new_chat_id)) is not None:
        return False
    result = session.execute(sa.update(GroupChat).where(GroupChat.chat_id == old_chat_id).values(chat_id=new_chat_id))
    return bool(result.rowcount)


# --- reading ---------------------------------------------------------------------------------------


def is_linked(session: Session, chat_id: int) -> bool:
    return (
        session.scalar(sa.select(GroupChat.id).where(GroupChat.chat_id == chat_id, GroupChat.active.is_(True)))
        is not None
    )


def linked_groups(session: Session, me: Me) -> tuple[LinkedGroup, ...]:
    """The active groups a manager (their residence) or an admin (all) may know about."""
    if not me.is_staff:
        raise NotAllowed("groups are for managers")
    query = (
        sa.select(GroupChat)
        .join(Residence, Residence.id == GroupChat.residence_id)
        .where(GroupChat.active.is_(True))
        .order_by(Residence.name, GroupChat.kind, GroupChat.title)
    )
    if me.role != Role.ADMIN:
        query = query.where(GroupChat.residence_id == me.residence_id)
    return tuple(_view(session, row) for row in session.scalars(query))


def group_chats(session: Session, residence_ids: Iterable[int], kind: GroupKind) -> list[tuple[int, str]]:
    """The active groups of this kind for these residences, where to queue group posts: (chat id,
    language). A group speaks the language of the manager who linked it (French by default)."""
    ids = list(residence_ids)
    if not ids:
        return []
    rows = session.execute(
        sa.select(GroupChat.chat_id, User.language)
        .outerjoin(User, User.id == GroupChat.linked_by_id)
        .where(GroupChat.residence_id.in_(ids), GroupChat.kind == kind, GroupChat.active.is_(True))
        .order_by(GroupChat.id)
    )
    return [(chat_id, language or "fr") for chat_id, language in rows]


def group_chat_ids(session: Session, residence_ids: Iterable[int], kind: GroupKind) -> list[int]:
    return [chat_id for chat_id, _ in group_chats(session, residence_ids, kind)]
