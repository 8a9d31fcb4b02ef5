"""People: accounts, invitations, and the sign-in throttle."""

from __future__ import annotations

import enum
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin, enum_column
from models.residence import Residence


class Role(enum.StrEnum):
    RESIDENT = "resident"
    MANAGER = "manager"
    ADMIN = "admin"


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("loyalty_points >= 0", name="points_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    # None for accounts created from an invitation: they sign in through Telegram only.
    password_hash: Mapped[str | None] = mapped_column(sa.String(100))
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80), default="")
    role: Mapped[Role] = enum_column(Role, default=Role.RESIDENT)
    residence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residences.id", ondelete="SET NULL"), index=True)
    apartment: Mapped[str | None] = mapped_column(sa.String(20))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    telegram_id: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True)
    language: Mapped[str] = mapped_column(sa.String(5), default="fr")
    loyalty_points: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    quiet_hours_start: Mapped[time | None] = mapped_column(sa.Time)
    quiet_hours_end: Mapped[time | None] = mapped_column(sa.Time)
    booking_reminders: Mapped[bool] = mapped_column(default=True)
    # Set when a send to this user came back "blocked by the user"; delivery skips them.
    unreachable_since: Mapped[datetime | None]

    residence: Mapped[Residence | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN)


class Invitation(TimestampMixin, Base):
    """A single-use sign-up code. Only a bcrypt hash of its secret part is stored.

    The code handed out is `selector + verifier`: the selector finds the row, the verifier is
    checked against `code_hash`, so a leaked database does not leak usable codes.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    selector: Mapped[str] = mapped_column(sa.String(16), unique=True)
    code_hash: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    residence_id: Mapped[int] = mapped_column(sa.ForeignKey("residences.id", ondelete="CASCADE"))
    role: Mapped[Role] = enum_column(Role)
    apartment: Mapped[str | None] = mapped_column(sa.String(20))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    residence: Mapped[Residence] = relationship()


class LoginThrottle(Base):
    """Failed sign-in attempts per Telegram user, so guessing from one account is capped too."""

    __tablename__ = "login_throttles"

    telegram_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
