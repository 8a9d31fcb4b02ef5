"""Notifications waiting to be sent, written in the same transaction as their cause."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin, enum_column


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"


class OutboxMessage(TimestampMixin, Base):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_status_due", "status", "not_before"),
        sa.Index("ix_outbox_batch_status", "batch", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(sa.BigInteger)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # What to send: text key and values, or rendered text, markup, attachments.
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # Makes "the same notification" a database fact: a second insert with the key fails.
    dedup_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    # Rows sent together (e.g. "announcement:12"): when none is left pending, the batch is complete
    # and its completion hook runs (the author's delivery report).
    batch: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[OutboxStatus] = enum_column(OutboxStatus, default=OutboxStatus.PENDING)
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(sa.BigInteger)
