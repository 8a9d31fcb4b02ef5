"""python-telegram-bot's persistent state (conversations, user and chat data) as rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class BotState(Base):
    __tablename__ = "bot_state"

    # kind: "conversation:<name>", "user_data", "chat_data", "bot_data", "callback_data", "meta"
    kind: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    data: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
