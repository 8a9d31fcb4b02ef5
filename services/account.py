"""My account: profile and notification preferences, loyalty points, documents and the residence certificate.

Everything here acts on the acting user's own rows, re-read from the database on each call: a
`Me` may be minutes old and callback data is only a hint of what the user wants. The one function
that acts on someone else, `file_document`, is for managers and checks their residence.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Document, PointsEntry, Residence, Role, StoredFile, User
from services import files, outbox, points
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import LANGUAGES, Me

log = logging.getLogger(__name__)

POINTS_PAGE_SIZE = 8
DOCUMENTS_PAGE_SIZE = 5
PHONE_INPUT_MAX = 40
PHONE_COLUMN_MAX = 30
TITLE_MAX = 120
# Quiet hours are chosen from buttons: an evening start and a morning end, local times.
QUIET_STARTS = (20, 21, 22, 23)
QUIET_ENDS = (6, 7, 8, 9)
CERTIFICATE_KIND = "attestation"
DEFAULT_TZ = "Europe/Paris"


# --- values handed to handlers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    user_id: int
    full_name: str
    email: str
    role: Role
    residence_name: str | None
    apartment: str | None
    phone: str | None
    language: str
    quiet_start: time | None
    quiet_end: time | None
    booking_reminders: bool
    points: int
    timezone: str | None

    @property
    def has_residence(self) -> bool:
        return self.residence_name is not None


@dataclass(frozen=True)
class PointsPage:
    balance: int
    lines: tuple[points.PointsLine, ...]
    page: int
    has_next: bool
    timezone: str | None


@dataclass(frozen=True)
class DocumentItem:
    id: int
    title: str
    kind: str
    created_at: datetime
    filename: str
    size: int


@dataclass(frozen=True)
class DocumentsPage:
    items: tuple[DocumentItem, ...]
    page: int
    has_next: bool
    timezone: str | None


@dataclass(frozen=True)
class DocumentFile:
    """What is needed to send a document: the Telegram file id when known, else the bytes."""

    id: int
    title: str
    filename: str
    mime_type: str
    telegram_file_id: str | None
    content: bytes | None


@dataclass(frozen=True)
class Certificate:
    document_id: int
    title: str
    filename: str
    content: bytes


# --- profile -------------------------------------------------------------------------------------


def _user(session: Session, me: Me) -> User:
    """The acting user's row, refused if it was deactivated since `me` was loaded."""
    user = session.get(User, me.id)
    if user is None or not user.active:
        raise NotAllowed("inactive account")
    return user


def _profile(session: Session, user: User) -> Profile:
    residence = session.get(Residence, user.residence_id) if user.residence_id else None
    return Profile(
        user_id=user.id,
        full_name=user.full_name,
        email=user.email,
        role=user.role,
        residence_name=residence.name if residence else None,
        apartment=user.apartment,
        phone=user.phone,
        language=user.language if user.language in LANGUAGES else LANGUAGES[0],
        quiet_start=user.quiet_hours_start,
        quiet_end=user.quiet_hours_end,
        booking_reminders=user.booking_reminders,
        points=user.loyalty_points,
        timezone=residence.timezone if residence else None,
    )


def profile(session: Session, me: Me) -> Profile:
    return _profile(session, _user(session, me))


_PHONE_CHARS = re.compile(r"^\+?[\d\s.\-/()]+$")


def _french(national: str) -> str:
    """'612345678' -> '+33 6 12 34 56 78': the way French numbers are written."""
    return "+33 " + national[0] + " " + " ".join(national[i : i + 2] for i in range(1, 9, 2))


def normalize_phone(text: str) -> str:
    """French numbers in any usual spelling become '+33 6 12 34 56 78'; other countries keep their grouping."""
    raw = text.strip()
    if len(raw) > PHONE_INPUT_MAX:
        raise InvalidInput("phone", "too_long", max=PHONE_INPUT_MAX, length=len(raw))
    if not raw or not _PHONE_CHARS.match(raw):
        raise InvalidInput("phone", "invalid")
    compact = raw.replace("(0)", " ")  # "+33 (0)6 ..." as printed on business cards
    digits = re.sub(r"\D", "", compact)
    international = compact.startswith("+") or digits.startswith("00")
    if not international:
        if len(digits) != 10 or digits[0] != "0" or digits[1] == "0":
            raise InvalidInput("phone", "invalid")
        return _french(digits[1:])
    groups = re.findall(r"\d+", compact)
    if digits.startswith("00"):
        digits = digits[2:]
        groups[0] = groups[0][2:]
        groups = [g for g in groups if g]
    if digits.startswith("33"):
        national = digits[2:]
        if national.startswith("0"):  # "+33 06 ...": the trunk 0 written by habit
            national = national[1:]
        if len(national) != 9 or national[0] == "0":
            raise InvalidInput("phone", "invalid")
        return _french(national)
    if not 9 <= len(digits) <= 15 or digits[0] == "0":
        raise InvalidInput("phone", "invalid")
    spaced = "+" + " ".join(groups)
    return spaced if len(spaced) <= PHONE_COLUMN_MAX else "+" + digits


def set_phone(session: Session, me: Me, text: str | None) -> Profile:
    """None (the "Supprimer" button) clears the number; anything typed must be a valid number."""
    user = _user(session, me)
    user.phone = None if text is None else normalize_phone(text)
    session.flush()
    return _profile(session, user)


def set_quiet_hours(session: Session, me: Me, start_hour: int | None, end_hour: int | None) -> Profile:
    """Both or neither: a start without an end would silence notifications until who knows when."""
    user = _user(session, me)
    if start_hour is None and end_hour is None:
        user.quiet_hours_start = user.quiet_hours_end = None
    elif start_hour in QUIET_STARTS and end_hour in QUIET_ENDS:
        user.quiet_hours_start, user.quiet_hours_end = time(start_hour), time(end_hour)
    else:
        raise InvalidInput("quiet_hours", "invalid", start=start_hour, end=end_hour)
    session.flush()
    return _profile(session, user)


def set_booking_reminders(session: Session, me: Me, enabled: bool) -> Profile:
    """A value, not a toggle: pressing an old button twice must not flip the setting back."""
    user = _user(session, me)
    user.booking_reminders = enabled
    session.flush()
    return _profile(session, user)


def _timezone(session: Session, user: User) -> str | None:
    if user.residence_id is None:
        return None
    return session.scalar(sa.select(Residence.timezone).where(Residence.id == user.residence_id))


def _clamp(page: int, total: int, size: int) -> int:
    last = max(0, (total - 1) // size)
    return min(max(page, 0), last)


# --- points --------------------------------------------------------------------------------------


def points_page(session: Session, me: Me, page: int = 0) -> PointsPage:
    """My balance and one page of my ledger, newest first; a page past the end shows the last one."""
    user = _user(session, me)
    total = session.scalar(sa.select(sa.func.count(PointsEntry.id)).where(PointsEntry.user_id == user.id)) or 0
    page = _clamp(page, total, POINTS_PAGE_SIZE)
    lines = points.history(session, user.id, limit=POINTS_PAGE_SIZE, offset=page * POINTS_PAGE_SIZE)
    return PointsPage(
        balance=points.balance(session, user.id),
        lines=tuple(lines),
        page=page,
        has_next=(page + 1) * POINTS_PAGE_SIZE < total,
        timezone=_timezone(session, user),
    )


# --- documents -----------------------------------------------------------------------------------


def _item(document: Document, stored: StoredFile) -> DocumentItem:
    return DocumentItem(document.id, document.title, document.kind, document.created_at, stored.filename, stored.size)


def documents_page(session: Session, me: Me, page: int = 0) -> DocumentsPage:
    user = _user(session, me)
    total = session.scalar(sa.select(sa.func.count(Document.id)).where(Document.user_id == user.id)) or 0
    page = _clamp(page, total, DOCUMENTS_PAGE_SIZE)
    rows = session.execute(
        sa.select(Document, StoredFile)
        .join(StoredFile, StoredFile.id == Document.file_id)
        .where(Document.user_id == user.id)
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(DOCUMENTS_PAGE_SIZE)
        .offset(page * DOCUMENTS_PAGE_SIZE)
    ).all()
    return DocumentsPage(
        items=tuple(_item(d, f) for d, f in rows),
        page=page,
        has_next=(page + 1) * DOCUMENTS_PAGE_SIZE < total,
        timezone=_timezone(session, user),
    )


def _own_document(session: Session, me: Me, document_id: int) -> Document:
    user = _user(session, me)
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("document")
    if document.user_id != user.id:
        raise NotAllowed("not your document")
    return document


def document_file(session: Session, me: Me, document_id: int, *, with_content: bool = False) -> DocumentFile:
    """Only ever my own documents: the id comes from callback data, which anyone can forge.

    The bytes are loaded only when Telegram has no copy (or `with_content`, when its copy was refused).
    """
    document = _own_document(session, me, document_id)
    stored = session.get(StoredFile, document.file_id)
    if stored is None:
        raise NotFound("file")
    content = stored.content if with_content or not stored.telegram_file_id else None
    return DocumentFile(
        document.id, document.title, stored.filename, stored.mime_type, stored.telegram_file_id, content
    )


def remember_telegram_file(session: Session, me: Me, document_id: int, telegram_file_id: str) -> None:
    """Once Telegram holds the bytes, later downloads send its file id instead of uploading again."""
    document = _own_document(session, me, document_id)
    session.execute(
        sa.update(StoredFile).where(StoredFile.id == document.file_id).values(telegram_file_id=telegram_file_id[:200])
    )


def file_document(
    session: Session,
    me_manager: Me,
    user_id: int,
    title: str,
    content: bytes,
    filename: str,
    mime_type: str,
    now: datetime,
    kind: str = "other",
) -> DocumentItem:
    """A manager files a document for a resident of their residence (an admin, for anyone); the resident is told."""
    actor = _user(session, me_manager)
    if actor.role not in (Role.MANAGER, Role.ADMIN):
        raise NotAllowed("only managers file documents")
    resident = session.get(User, user_id)
    if resident is None:
        raise NotFound("user")
    if actor.role == Role.MANAGER and (actor.residence_id is None or resident.residence_id != actor.residence_id):
        raise NotAllowed("resident of another residence")
    clean_title = " ".join(title.split())
    if not clean_title:
        raise InvalidInput("title", "empty")
    if len(clean_title) > TITLE_MAX:
        raise InvalidInput("title", "too_long", max=TITLE_MAX, length=len(clean_title))
    if not content:
        raise InvalidInput("file", "empty")
    ref = files.store(session, content, now=now, filename=filename or "document", mime_type=mime_type)
    document = Document(
        user_id=resident.id,
        title=clean_title,
        kind=kind[:30] or "other",
        file_id=ref.id,
        uploaded_by_id=actor.id,
        created_at=now,
    )
    session.add(document)
    session.flush()
    outbox.notify(
        session,
        user_id=resident.id,
        kind="account.document",
        key="acc.notify.document",
        now=now,
        params={"title": clean_title},
        buttons=[[outbox.button("acc.btn.download", f"acc:doc:{document.id}")]],
        dedup_key=f"acc:document:{document.id}",
    )
    log.info("document %s filed by user %s", document.id, actor.id)
    return DocumentItem(document.id, document.title, document.kind, now, ref.filename, ref.size)


# --- residence certificate -----------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFacts:
    """What a residence certificate states; rendering it is the caller's (bot/documents.py)."""

    name: str
    residence: str
    address: str
    city: str
    apartment: str | None
    since: date
    issued: date
    manager: str | None


@dataclass(frozen=True)
class RenderedDocument:
    title: str
    filename: str
    content: bytes


CertificateRenderer = Callable[[CertificateFacts, str, datetime], RenderedDocument]


def issue_certificate(session: Session, me: Me, now: datetime, render: CertificateRenderer) -> Certificate:
    """A residence certificate in my language, filed among my documents so I can find it again."""
    user = _user(session, me)
    residence = session.get(Residence, user.residence_id) if user.residence_id else None
    if residence is None:
        raise NotAllowed("no residence")
    lang = user.language if user.language in LANGUAGES else LANGUAGES[0]
    tz = ZoneInfo(residence.timezone or DEFAULT_TZ)
    manager = session.scalar(
        sa.select(User)
        .where(User.residence_id == residence.id, User.role == Role.MANAGER, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    facts = CertificateFacts(
        name=user.full_name,
        residence=residence.name,
        address=residence.address or residence.city,
        city=residence.city,
        apartment=user.apartment,
        since=user.created_at.astimezone(tz).date(),
        issued=now.astimezone(tz).date(),
        manager=manager.full_name if manager else None,
    )
    rendered = render(facts, lang, now)
    title, filename, content = rendered.title, rendered.filename, rendered.content
    ref = files.store(session, content, now=now, filename=filename, mime_type="application/pdf")
    document = Document(
        user_id=user.id,
        title=title[:TITLE_MAX],
        kind=CERTIFICATE_KIND,
        file_id=ref.id,
        uploaded_by_id=None,
        created_at=now,
    )
    session.add(document)
    session.flush()
    return Certificate(document.id, document.title, filename, content)
