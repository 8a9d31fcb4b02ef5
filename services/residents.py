"""The residents of a residence as its managers see them: inviting, listing, deactivating.

A manager acts on the residents of their own residence only; an admin on anyone of any residence
except other admins. Nobody acts on themself. The acting account is read again from the database
on every call, so a manager demoted or deactivated a moment ago is refused at once, whatever the
buttons they still hold say.

Deactivating is how someone leaves: the account stays (its history, incidents and bookings are
the residence's records), but it is signed out, receives nothing any more, and its unused
invitation links stop working. Reactivating lets the person sign in again.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Invitation, OutboxMessage, OutboxStatus, Residence, Role, User
from services import auth, outbox
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me, me_of

log = logging.getLogger(__name__)

PAGE_SIZE = 8
APARTMENT_MAX = 20
QUERY_MIN, QUERY_MAX = 2, 60
FAREWELL_KIND = "res_deactivated"

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


# --- plain values handed to handlers ---------------------------------------------------------------


@dataclass(frozen=True)
class ResidenceChoice:
    id: int
    name: str


@dataclass(frozen=True)
class Scope:
    """The residences the acting user manages; `pick` when they must choose one (an admin)."""

    residences: tuple[ResidenceChoice, ...]
    pick: bool

    @property
    def only(self) -> ResidenceChoice | None:
        return self.residences[0] if not self.pick and self.residences else None


@dataclass(frozen=True)
class ResidentSummary:
    id: int
    full_name: str
    apartment: str | None
    role: Role
    active: bool
    linked: bool
    unreachable: bool


@dataclass(frozen=True)
class ResidentPage:
    residence_id: int
    residence_name: str
    items: tuple[ResidentSummary, ...]
    page: int
    pages: int
    total: int
    query: str | None = None

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


@dataclass(frozen=True)
class ResidentView:
    id: int
    first_name: str
    full_name: str
    email: str
    apartment: str | None
    phone: str | None
    role: Role
    residence_id: int | None
    residence_name: str | None
    active: bool
    linked: bool
    unreachable_since: datetime | None
    can_deactivate: bool
    can_reactivate: bool
    can_reinvite: bool


@dataclass(frozen=True)
class NewInvitation:
    """The link's secret (`code`) is only ever here, on its way to the manager's screen."""

    id: int
    code: str
    email: str
    residence_id: int
    residence_name: str
    timezone: str
    apartment: str | None
    expires_at: datetime


@dataclass(frozen=True)
class Change:
    """What deactivate/reactivate did: `changed` is False when it was already so (an old button)."""

    resident: ResidentView
    changed: bool
    cancelled_notifications: int = 0
    # A manager who was signed out: their private command list should be taken back.
    signed_out_staff: Me | None = None


# --- validation --------------------------------------------------------------------------------------


def clean_apartment(text: str | None) -> str:
    apartment = _SPACES.sub(" ", text or "").strip()
    if not apartment:
        raise InvalidInput("apartment", "too_short", min=1)
    if len(apartment) > APARTMENT_MAX:
        raise InvalidInput("apartment", "too_long", max=APARTMENT_MAX, length=len(apartment))
    return apartment


def clean_query(text: str | None) -> str:
    query = _SPACES.sub(" ", text or "").strip()
    if len(query) < QUERY_MIN:
        raise InvalidInput("query", "too_short", min=QUERY_MIN)
    if len(query) > QUERY_MAX:
        raise InvalidInput("query", "too_long", max=QUERY_MAX, length=len(query))
    return query


# --- who may act -------------------------------------------------------------------------------------


def _actor(session: Session, me: Me) -> User:
    """The acting account as it is now: a staff member, still active."""
    user = session.get(User, me.id)
    if user is None or not user.active or user.role not in (Role.MANAGER, Role.ADMIN):
        raise NotAllowed("managers only")
    if user.role == Role.MANAGER and user.residence_id is None:
        raise NotAllowed("no residence")
    return user


def _residence(session: Session, actor: User, residence_id: int) -> Residence:
    if actor.role == Role.MANAGER and residence_id != actor.residence_id:
        raise NotAllowed("another residence")
    residence = session.get(Residence, residence_id)
    if residence is None:
        raise NotFound("residence")
    return residence


def _can_see(actor: User, user: User) -> bool:
    return actor.role == Role.ADMIN or (user.residence_id is not None and user.residence_id == actor.residence_id)


def _refusal(actor: User, user: User) -> str | None:
    """Why the actor may not deactivate or reactivate this person, or None if they may."""
    if not _can_see(actor, user):
        return "residence"
    if user.id == actor.id:
        return "self"
    if user.role == Role.ADMIN or (actor.role == Role.MANAGER and user.role != Role.RESIDENT):
        return "staff"
    return None


def _target(session: Session, actor: User, user_id: int, *, lock: bool = False) -> User:
    user = session.get(User, user_id, with_for_update=lock)
    if user is None:
        raise NotFound("user")
    if not _can_see(actor, user):
        raise NotAllowed("residence")
    return user


def _view(session: Session, actor: User, user: User) -> ResidentView:
    residence = session.get(Residence, user.residence_id) if user.residence_id else None
    manageable = _refusal(actor, user) is None
    return ResidentView(
        id=user.id,
        first_name=user.first_name,
        full_name=user.full_name,
        email=user.email,
        apartment=user.apartment,
        phone=user.phone,
        role=user.role,
        residence_id=user.residence_id,
        residence_name=residence.name if residence else None,
        active=user.active,
        linked=user.telegram_id is not None,
        unreachable_since=user.unreachable_since,
        can_deactivate=manageable and user.active,
        can_reactivate=manageable and not user.active,
        can_reinvite=manageable and user.active and user.telegram_id is None and user.role == Role.RESIDENT,
    )


def scope(session: Session, me: Me) -> Scope:
    """Where this user may invite and list: their residence, or (an admin) any to choose from."""
    actor = _actor(session, me)
    if actor.role == Role.MANAGER:
        residence = _residence(session, actor, actor.residence_id or 0)
        return Scope((ResidenceChoice(residence.id, residence.name),), pick=False)
    rows = session.execute(sa.select(Residence.id, Residence.name).order_by(Residence.name))
    return Scope(tuple(ResidenceChoice(rid, name) for rid, name in rows), pick=True)


def residence_choice(session: Session, me: Me, residence_id: int) -> ResidenceChoice:
    residence = _residence(session, _actor(session, me), residence_id)
    return ResidenceChoice(residence.id, residence.name)


# --- invitations -------------------------------------------------------------------------------------


def check_invitee(session: Session, me: Me, residence_id: int, email: str) -> str:
    """The normalised e-mail if an invitation to this residence makes sense for it.

    Refused: someone already in (an active account linked to Telegram), someone of another
    residence (the link would sign them into theirs, not this one), and staff accounts (an
    invitation makes a resident). An unlinked or deactivated resident of this residence may be
    invited again: that is how they come back.
    """
    actor = _actor(session, me)
    residence = _residence(session, actor, residence_id)
    address = auth.normalize_email(email)
    user = session.scalar(sa.select(User).where(User.email == address))
    if user is not None:
        if user.role != Role.RESIDENT:
            raise InvalidInput("email", "staff")
        if user.residence_id != residence.id:
            raise InvalidInput("email", "elsewhere")
        if user.active and user.telegram_id is not None:
            raise InvalidInput("email", "linked")
    return address


def invite(
    session: Session,
    me: Me,
    residence_id: int,
    email: str,
    apartment: str | None,
    now: datetime,
    rounds: int = 12,
) -> NewInvitation:
    """A single-use link for a new resident; every check is made again here (the draft is input)."""
    address = check_invitee(session, me, residence_id, email)
    residence = session.get(Residence, residence_id)
    assert residence is not None
    flat = clean_apartment(apartment) if apartment is not None else None
    created = auth.create_invitation(
        session,
        email=address,
        residence_name=residence.name,
        role=Role.RESIDENT,
        now=now,
        apartment=flat,
        created_by=me,
        rounds=rounds,
    )
    log.info("invitation %s created by user %s for residence %s", created.id, me.id, residence.id)
    return NewInvitation(
        created.id,
        created.code,
        created.email,
        residence.id,
        residence.name,
        residence.timezone,
        flat,
        created.expires_at,
    )


def reinvite(session: Session, me: Me, user_id: int, now: datetime, rounds: int = 12) -> NewInvitation:
    """A fresh link for a resident who is not linked (lost the first one, or was reactivated)."""
    actor = _actor(session, me)
    user = _target(session, actor, user_id)
    if not _view(session, actor, user).can_reinvite or user.residence_id is None:
        raise NotAllowed("not invitable")
    return invite(session, me, user.residence_id, user.email, user.apartment, now, rounds)


# --- the list ----------------------------------------------------------------------------------------


def list_residents(
    session: Session, me: Me, residence_id: int, page: int = 0, query: str | None = None
) -> ResidentPage:
    """Everyone of the residence (residents and its managers), active first, by name."""
    actor = _actor(session, me)
    residence = _residence(session, actor, residence_id)
    conditions: list[sa.ColumnElement[bool]] = [User.residence_id == residence.id]
    if query is not None:
        query = clean_query(query)
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(
            sa.or_(
                (User.first_name + " " + User.last_name).ilike(pattern, escape="\\"),
                (User.last_name + " " + User.first_name).ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
                User.apartment.ilike(pattern, escape="\\"),
            )
        )
    total = session.scalar(sa.select(sa.func.count(User.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    users = session.scalars(
        sa.select(User)
        .where(*conditions)
        .order_by(User.active.desc(), User.last_name, User.first_name, User.id)
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    items = tuple(
        ResidentSummary(
            id=user.id,
            full_name=user.full_name,
            apartment=user.apartment,
            role=user.role,
            active=user.active,
            linked=user.telegram_id is not None,
            unreachable=user.unreachable_since is not None,
        )
        for user in users
    )
    return ResidentPage(residence.id, residence.name, items, page, pages, total, query)


def resident(session: Session, me: Me, user_id: int) -> ResidentView:
    actor = _actor(session, me)
    return _view(session, actor, _target(session, actor, user_id))


# --- deactivating and reactivating ------------------------------------------------------------------


def deactivate(session: Session, me: Me, user_id: int, now: datetime) -> Change:
    """Sign the person out for good: inactive, unlinked, nothing more sent, old links dead.

    Their queued notifications are cancelled first, then one last message tells them the access
    is closed (queued while they are still linked, so it has a chat to go to).
    """
    actor = _actor(session, me)
    user = _target(session, actor, user_id, lock=True)
    refusal = _refusal(actor, user)
    if refusal is not None:
        raise NotAllowed(refusal)
    if not user.active:
        return Change(_view(session, actor, user), changed=False)
    cancelled = session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.user_id == user.id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, last_error="recipient deactivated")
    ).rowcount
    residence = session.get(Residence, user.residence_id) if user.residence_id else None
    outbox.notify(
        session,
        user_id=user.id,
        kind=FAREWELL_KIND,
        key="res.notice.deactivated",
        params={"residence": residence.name if residence else ""},
        now=now,
    )
    session.execute(
        sa.update(Invitation)
        .where(Invitation.email == user.email, Invitation.used_at.is_(None), Invitation.expires_at > now)
        .values(expires_at=now)
    )
    signed_out = me_of(session, user) if user.is_staff and user.telegram_id is not None else None
    user.active = False
    user.telegram_id = None
    session.flush()
    log.info("user %s deactivated by user %s (%d notifications cancelled)", user.id, actor.id, cancelled or 0)
    return Change(_view(session, actor, user), True, cancelled or 0, signed_out)


def reactivate(session: Session, me: Me, user_id: int, now: datetime) -> Change:
    """Let them back in: they sign in again with their password, or with a new invitation link."""
    actor = _actor(session, me)
    user = _target(session, actor, user_id, lock=True)
    refusal = _refusal(actor, user)
    if refusal is not None:
        raise NotAllowed(refusal)
    if user.active:
        return Change(_view(session, actor, user), changed=False)
    user.active = True
    user.failed_logins, user.locked_until = 0, None
    session.flush()
    log.info("user %s reactivated by user %s", user.id, actor.id)
    return Change(_view(session, actor, user), changed=True)
