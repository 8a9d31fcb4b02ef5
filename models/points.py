"""The loyalty points ledger; `users.loyalty_points` is its running balance."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin


class PointsEntry(TimestampMixin, Base):
    __tablename__ = "points_ledger"
    # The same action never pays twice: (user, rule, reference) is unique.
    __table_args__ = (sa.UniqueConstraint("user_id", "rule", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(40))
    ref: Mapped[str] = mapped_column(sa.String(60))
    delta: Mapped[int]
