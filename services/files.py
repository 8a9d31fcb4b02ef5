"""Bytes users send (photos, documents), kept in the database with their Telegram file id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models import StoredFile
from services.errors import InvalidInput

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


@dataclass(frozen=True)
class FileRef:
    id: int
    telegram_file_id: str | None
    filename: str
    mime_type: str
    size: int


def check_size(size: int | None) -> None:
    """Refuse before downloading when Telegram already told us the size."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise InvalidInput("file", "too_big", max_mb=MAX_UPLOAD_BYTES // (1024 * 1024))


def store(
    session: Session,
    content: bytes,
    *,
    now: datetime,
    filename: str = "",
    mime_type: str = "application/octet-stream",
    telegram_file_id: str | None = None,
    telegram_unique_id: str | None = None,
) -> FileRef:
    check_size(len(content))
    row = StoredFile(
        telegram_file_id=telegram_file_id,
        telegram_unique_id=telegram_unique_id,
        filename=filename[:200],
        mime_type=mime_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return FileRef(row.id, telegram_file_id, row.filename, mime_type, row.size)


def load(session: Session, file_id: int) -> tuple[FileRef, bytes]:
    row = session.get(StoredFile, file_id)
    if row is None:
        raise InvalidInput("file", "missing")
    return FileRef(row.id, row.telegram_file_id, row.filename, row.mime_type, row.size), row.content
