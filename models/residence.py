"""A residence, its bookable spaces and the Telegram groups linked to it."""

from __future__ import annotations

import enum
from datetime import time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin, enum_column


class Residence(TimestampMixin, Base):
    __tablename__ = "residences"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    city: Mapped[str] = mapped_column(sa.String(80))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    capacity: Mapped[int] = mapped_column(default=0)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Paris")
    # Whether an event proposed by a resident needs a manager's approval before it is published.
    event_proposals_need_approval: Mapped[bool] = mapped_column(default=True)

    spaces: Mapped[list[Space]] = relationship(back_populates="residence", order_by="Space.id")


class SpaceKind(enum.StrEnum):
    COMMON_ROOM = "common_room"
    LAUNDRY = "laundry"
    GYM = "gym"
    GUEST_ROOM = "guest_room"


class Space(TimestampMixin, Base):
    """A shared space and its booking rules (each rule is enforced by its own validator)."""

    __tablename__ = "spaces"
    __table_args__ = (sa.UniqueConstraint("residence_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    residence_id: Mapped[int] = mapped_column(sa.ForeignKey("residences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[SpaceKind] = enum_column(SpaceKind)
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    # How many bookings may share one slot (the laundry's machines).
    capacity: Mapped[int] = mapped_column(default=1)
    opens_at: Mapped[time] = mapped_column(sa.Time, default=time(8, 0))
    closes_at: Mapped[time] = mapped_column(sa.Time, default=time(22, 0))
    slot_minutes: Mapped[int] = mapped_column(default=60)
    min_notice_minutes: Mapped[int] = mapped_column(default=60)
    max_advance_days: Mapped[int] = mapped_column(default=14)
    max_duration_minutes: Mapped[int] = mapped_column(default=120)
    weekly_quota: Mapped[int] = mapped_column(default=3)
    cancel_deadline_minutes: Mapped[int] = mapped_column(default=60)
    active: Mapped[bool] = mapped_column(default=True)

    residence: Mapped[Residence] = relationship(back_populates="spaces")


class GroupKind(enum.StrEnum):
    RESIDENTS = "residents"
    MANAGERS = "managers"


class GroupChat(TimestampMixin, Base):
    """A Telegram group a manager linked to a residence."""

    __tablename__ = "group_chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    residence_id: Mapped[int] = mapped_column(sa.ForeignKey("residences.id", ondelete="CASCADE"), index=True)
    kind: Mapped[GroupKind] = enum_column(GroupKind)
    title: Mapped[str] = mapped_column(sa.String(255), default="")
    linked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
