"""Who is acting: the signed-in user as a plain value handlers can hold after the session closes."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Residence, Role, User

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Me:
    id: int
    telegram_id: int | None
    first_name: str
    full_name: str
    email: str
    role: Role
    residence_id: int | None
    residence_name: str | None
    timezone: str | None
    apartment: str | None
    language: str
    points: int

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN)


def me_of(session: Session, user: User) -> Me:
    return _me(user, session.get(Residence, user.residence_id) if user.residence_id else None)


def _me(user: User, residence: Residence | None) -> Me:
    return Me(
        id=user.id,
        telegram_id=user.telegram_id,
        first_name=user.first_name,
        full_name=user.full_name,
        email=user.email,
        role=user.role,
        residence_id=user.residence_id,
        residence_name=residence.name if residence else None,
        timezone=residence.timezone if residence else None,
        apartment=user.apartment,
        language=user.language,
        points=user.loyalty_points,
    )


def signed_in(session: Session, telegram_id: int) -> Me | None:
    """The active account linked to this Telegram user, if any (one query: it runs for most updates)."""
    row = session.execute(
        sa.select(User, Residence)
        .outerjoin(Residence, Residence.id == User.residence_id)
        .where(User.telegram_id == telegram_id, User.active.is_(True))
    ).first()
    return _me(*row) if row else None


def set_language(session: Session, telegram_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(language)
    session.execute(sa.update(User).where(User.telegram_id == telegram_id).values(language=language))


def reachable_managers(session: Session, residence_id: int) -> list[int]:
    """Ids of the residence's active managers who have a linked Telegram account (the ones a notification reaches)."""
    return list(
        session.scalars(
            sa.select(User.id).where(
                User.residence_id == residence_id,
                User.role == Role.MANAGER,
                User.active.is_(True),
                User.telegram_id.is_not(None),
            )
        )
    )


def linked_staff_members(session: Session) -> list[Me]:
    """Every signed-in manager and admin, for their command lists."""
    users = session.scalars(
        sa.select(User).where(
            User.telegram_id.is_not(None), User.active.is_(True), User.role.in_([Role.MANAGER, Role.ADMIN])
        )
    )
    return [me_of(session, user) for user in users]
