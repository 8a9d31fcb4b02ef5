"""Reservations of shared spaces."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin, enum_column
from models.residence import Space
from models.user import User


class ReservationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Reservation(TimestampMixin, Base):
    __tablename__ = "reservations"
    __table_args__ = (
        sa.Index("ix_reservations_space_start", "space_id", "start_at"),
        sa.Index("ix_reservations_user_start", "user_id", "start_at"),
        sa.CheckConstraint("end_at > start_at", name="positive_duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[ReservationStatus] = enum_column(ReservationStatus, default=ReservationStatus.CONFIRMED)
    cancelled_at: Mapped[datetime | None]

    space: Mapped[Space] = relationship()
    user: Mapped[User] = relationship()
