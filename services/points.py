"""Loyalty points: one rule table, a ledger, and a balance that never goes negative.

Every award names the action it pays for (`ref`, e.g. "incident:42"); the ledger's unique
(user, rule, ref) makes "the same action never pays twice" a database fact, not a hope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import PointsEntry, User
from services.errors import InvalidInput

# rule -> points. Negative rules (spending) are refused when the balance would go below zero.
RULES: dict[str, int] = {
    "incident_reported": 5,
    "incident_rated": 2,
    "event_attended": 10,
    "event_organized": 15,
    "listing_published": 3,
    "welcome": 20,
}


@dataclass(frozen=True)
class PointsLine:
    rule: str
    ref: str
    delta: int
    at: datetime


def award(session: Session, user_id: int, rule: str, ref: str, now: datetime, delta: int | None = None) -> int:
    """Pay `rule` for `ref` once; returns the points actually added (0 if already paid)."""
    amount = RULES[rule] if delta is None else delta
    try:
        with session.begin_nested():
            session.add(PointsEntry(user_id=user_id, rule=rule, ref=ref, delta=amount, created_at=now))
            session.flush()
            if amount < 0:
                balance = session.scalar(sa.select(User.loyalty_points).where(User.id == user_id)) or 0
                if balance + amount < 0:
                    raise InvalidInput("points", "not_enough", balance=balance)
            session.execute(
                sa.update(User).where(User.id == user_id).values(loyalty_points=User.loyalty_points + amount)
            )
    except IntegrityError:
        return 0  # already paid for this action
    return amount


def history(session: Session, user_id: int, limit: int = 20, offset: int = 0) -> list[PointsLine]:
    rows = session.scalars(
        sa.select(PointsEntry)
        .where(PointsEntry.user_id == user_id)
        .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [PointsLine(r.rule, r.ref, r.delta, r.created_at) for r in rows]


def balance(session: Session, user_id: int) -> int:
    return session.scalar(sa.select(User.loyalty_points).where(User.id == user_id)) or 0
