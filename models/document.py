"""Stored file bytes (photos, PDFs) and the documents filed for residents."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from models.base import Base, TimestampMixin


class StoredFile(TimestampMixin, Base):
    """Bytes kept in the database, so a backup of it is a backup of everything."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_file_id: Mapped[str | None] = mapped_column(sa.String(200))
    telegram_unique_id: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    mime_type: Mapped[str] = mapped_column(sa.String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))


class Document(TimestampMixin, Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(30), default="other")
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="CASCADE"))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
