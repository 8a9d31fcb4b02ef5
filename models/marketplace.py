"""The residents' small marketplace."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin, enum_column
from models.user import User


class ListingKind(enum.StrEnum):
    SELL = "sell"
    BUY = "buy"
    LEND = "lend"
    GIVE = "give"


class ListingStatus(enum.StrEnum):
    ACTIVE = "active"
    RESERVED = "reserved"
    CLOSED = "closed"
    EXPIRED = "expired"
    DELETED = "deleted"


class Listing(TimestampMixin, Base):
    __tablename__ = "marketplace_listings"
    __table_args__ = (
        sa.Index("ix_listings_residence_status_created", "residence_id", "status", "created_at"),
        sa.CheckConstraint("price_cents IS NULL OR price_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    residence_id: Mapped[int] = mapped_column(sa.ForeignKey("residences.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ListingKind] = enum_column(ListingKind)
    title: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    price_cents: Mapped[int | None]
    photo_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="SET NULL"))
    status: Mapped[ListingStatus] = enum_column(ListingStatus, default=ListingStatus.ACTIVE)
    expires_at: Mapped[datetime]

    author: Mapped[User] = relationship()


class ThreadStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MarketThread(TimestampMixin, Base):
    """A conversation about one listing, relayed by the bot so neither side sees the other's contact."""

    __tablename__ = "market_threads"
    __table_args__ = (sa.UniqueConstraint("listing_id", "buyer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("marketplace_listings.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    seller_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ThreadStatus] = enum_column(ThreadStatus, default=ThreadStatus.OPEN)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None]


class MarketMessage(TimestampMixin, Base):
    __tablename__ = "market_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("market_threads.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(sa.Text)
