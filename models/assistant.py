"""The assistant: its conversation history, the residences' knowledge base, and questions passed to managers."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin, enum_column, utcnow


class ChatMessage(TimestampMixin, Base):
    """One turn of a resident's exchange with the assistant (either engine)."""

    __tablename__ = "chat_messages"
    __table_args__ = (sa.Index("ix_chat_messages_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(12))  # user / assistant / tool
    content: Mapped[str] = mapped_column(sa.Text)
    engine: Mapped[str] = mapped_column(sa.String(20), default="local")
    intent: Mapped[str | None] = mapped_column(sa.String(30))  # what the assistant understood (its reply rows)
    tokens: Mapped[int] = mapped_column(default=0)  # OpenAI tokens this turn cost (the daily budget counts them)


class FaqEntry(TimestampMixin, Base):
    """A question and its answer in a residence's knowledge base (French, with an optional English version).

    `residence_id` NULL: an entry of the whole network, shown to every residence.
    """

    __tablename__ = "faq_entries"
    __table_args__ = (sa.Index("ix_faq_entries_residence", "residence_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    residence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residences.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(sa.String(30), default="general")
    question_fr: Mapped[str] = mapped_column(sa.String(300))
    answer_fr: Mapped[str] = mapped_column(sa.Text)
    question_en: Mapped[str | None] = mapped_column(sa.String(300))
    answer_en: Mapped[str | None] = mapped_column(sa.Text)
    keywords: Mapped[str] = mapped_column(sa.String(300), default="")  # extra words that should find it
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class QuestionStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class AssistantQuestion(TimestampMixin, Base):
    """A question the assistant could not answer, passed on to the residence's managers at the resident's request."""

    __tablename__ = "assistant_questions"
    __table_args__ = (sa.Index("ix_assistant_questions_residence_status", "residence_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    residence_id: Mapped[int] = mapped_column(sa.ForeignKey("residences.id", ondelete="CASCADE"))
    # The resident's message it came from: one question per message (UNIQUE), kept if the history is cleared.
    turn_id: Mapped[int | None] = mapped_column(sa.ForeignKey("chat_messages.id", ondelete="SET NULL"), unique=True)
    question: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[QuestionStatus] = enum_column(QuestionStatus, default=QuestionStatus.OPEN)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column()
    faq_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("faq_entries.id", ondelete="SET NULL"))
