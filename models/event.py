"""Community events and who takes part."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin, enum_column
from models.user import User


class EventStatus(enum.StrEnum):
    PENDING = "pending"  # proposed by a resident, awaiting a manager
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Event(TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_residence_start", "residence_id", "starts_at"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    residence_id: Mapped[int] = mapped_column(sa.ForeignKey("residences.id", ondelete="CASCADE"))
    organizer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    location: Mapped[str] = mapped_column(sa.String(120))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    capacity: Mapped[int] = mapped_column(default=20)
    status: Mapped[EventStatus] = enum_column(EventStatus, default=EventStatus.PUBLISHED)
    points: Mapped[int] = mapped_column(default=10)

    organizer: Mapped[User | None] = relationship()


class ParticipationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


class Participation(TimestampMixin, Base):
    __tablename__ = "participations"
    # A registered participant holds a numbered seat (1..capacity); (event, seat) is unique, so the
    # database itself refuses an overbooking, whoever races. Waitlisted and cancelled rows hold none.
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"), sa.UniqueConstraint("event_id", "seat"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ParticipationStatus] = enum_column(ParticipationStatus)
    seat: Mapped[int | None]
    updated_at: Mapped[datetime | None]
