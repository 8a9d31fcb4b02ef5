"""Announcements from managers, and who acknowledged them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin, enum_column


class AnnouncementStatus(enum.StrEnum):
    SENDING = "sending"
    DONE = "done"


class Announcement(TimestampMixin, Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The residences it went to (an admin may pick several, or all).
    residence_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    text: Mapped[str] = mapped_column(sa.Text)
    photo_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="SET NULL"))
    pin: Mapped[bool] = mapped_column(default=False)
    ask_ack: Mapped[bool] = mapped_column(default=False)
    status: Mapped[AnnouncementStatus] = enum_column(AnnouncementStatus, default=AnnouncementStatus.SENDING)
    completed_at: Mapped[datetime | None]
    # Counts at completion, for the author's delivery report.
    report: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class AnnouncementAck(Base):
    """A resident pressed "J'ai lu"."""

    __tablename__ = "announcement_acks"

    announcement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    acked_at: Mapped[datetime]
