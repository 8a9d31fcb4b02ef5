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


class ReservationSlot(Base):
    """One claimed unit of one slot: the database's own guard against double booking.

    A reservation claims a row per slot it covers. (space, slot, unit) is unique, so two residents
    racing for the last unit cannot both insert; (space, slot, user) is unique, so nobody holds two
    units of the same slot. Cancelling deletes the rows and frees the units.
    """

    __tablename__ = "reservation_slots"
    __table_args__ = (
        sa.UniqueConstraint("space_id", "slot_start", "unit"),
        sa.UniqueConstraint("space_id", "slot_start", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(sa.ForeignKey("reservations.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    slot_start: Mapped[datetime]
    unit: Mapped[int]
