"""Maintenance incidents, their photos, their history and the residents following them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin, enum_column
from models.user import User


class IncidentCategory(enum.StrEnum):
    PLUMBING = "plumbing"
    ELECTRICITY = "electricity"
    HEATING = "heating"
    ELEVATOR = "elevator"
    LOCKSMITH = "locksmith"
    COMMON_AREAS = "common_areas"
    NOISE = "noise"
    OTHER = "other"


class Urgency(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    URGENT = "urgent"


class IncidentStatus(enum.StrEnum):
    NEW = "new"
    TAKEN = "taken"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = (IncidentStatus.NEW, IncidentStatus.TAKEN, IncidentStatus.IN_PROGRESS)


class Incident(TimestampMixin, Base):
    __tablename__ = "incidents"
    __table_args__ = (
        sa.Index("ix_incidents_residence_status", "residence_id", "status"),
        sa.CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    residence_id: Mapped[int] = mapped_column(sa.ForeignKey("residences.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[IncidentCategory] = enum_column(IncidentCategory)
    location: Mapped[str] = mapped_column(sa.String(200))
    in_private_unit: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(sa.Text)
    urgency: Mapped[Urgency] = enum_column(Urgency, default=Urgency.NORMAL)
    status: Mapped[IncidentStatus] = enum_column(IncidentStatus, default=IncidentStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(500))
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(sa.String(500))
    taken_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    photos: Mapped[list[IncidentPhoto]] = relationship(order_by="IncidentPhoto.id")
    history: Mapped[list[IncidentHistory]] = relationship(order_by="IncidentHistory.id")


class IncidentPhoto(TimestampMixin, Base):
    __tablename__ = "incident_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="CASCADE"))
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class HistoryKind(enum.StrEnum):
    CREATED = "created"
    STATUS = "status"
    COMMENT = "comment"
    NOTE = "note"  # internal: managers only
    ASSIGNED = "assigned"
    PHOTO = "photo"
    JOINED = "joined"
    RATED = "rated"


class IncidentHistory(TimestampMixin, Base):
    __tablename__ = "incident_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[HistoryKind] = enum_column(HistoryKind)
    from_status: Mapped[IncidentStatus | None] = enum_column(IncidentStatus, nullable=True)
    to_status: Mapped[IncidentStatus | None] = enum_column(IncidentStatus, nullable=True)
    text: Mapped[str | None] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False)


class IncidentFollower(TimestampMixin, Base):
    """A resident who said "it's the same problem" and is kept informed like the reporter."""

    __tablename__ = "incident_followers"

    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    # The primary key leads with the incident; "what do I follow" needs its own index.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
