"""Announcements from managers to their residents, with delivery tracking and read receipts.

Sending writes one `Announcement` and, in the same transaction, one outbox row per reachable
resident and per linked residents' group, all in the batch "announcement:<id>". The outbox sender
calls `complete_batch` (registered below) once nothing of that batch is pending or being sent: it
marks the announcement done with its counts and queues the author's delivery report, once, even if
two senders see the end of the batch (a guarded UPDATE decides who reports).

Who received it is read back from the outbox rows themselves, so "who has not read it" is exactly
"who was sent it and did not press ✅": no second list to keep in step. Reminders go in their own
batches ("annrem:<id>:<round>"), outside the announcement's counts; each round is numbered, so a
double press of "Relancer" sends nothing twice.

A manager writes to their residence; an admin to several residences or all. A manager sees the
announcements they wrote and those sent to their residence alone; an admin sees every one.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    Announcement,
    AnnouncementAck,
    AnnouncementStatus,
    GroupKind,
    OutboxMessage,
    OutboxStatus,
    Residence,
    Role,
    User,
)
from services import files, groups, outbox
from services.errors import InvalidInput, NotAllowed, NotFound
from services.outbox import button
from services.people import Me

log = logging.getLogger(__name__)

TEXT_MIN, TEXT_MAX = 1, 3500
# A photo's caption is at most 1024 characters: the text leaves room for the heading.
CAPTION_TEXT_MAX = 1000
PAGE_SIZE = 5
READERS_PAGE_SIZE = 8
EXCERPT_LENGTH = 60

KIND = "announcement"
REPORT_KIND = "announcement_report"
REMINDER_KIND = "announcement_reminder"
BATCH_PREFIX = "announcement"
REMINDER_PREFIX = "annrem"

MESSAGE_KEY = "ann.message"
REMINDER_KEY = "ann.reminder"
REPORT_KEY = "ann.report"
ACK_BUTTON_KEY = "ann.btn.ack"
READERS_BUTTON_KEY = "ann.btn.readers"

_SPACES = re.compile(r"\s+")


# --- plain values handed to handlers ---------------------------------------------------------------


@dataclass(frozen=True)
class ResidenceChoice:
    id: int
    name: str


@dataclass(frozen=True)
class Composer:
    """Who may write to whom: a manager to their residence (fixed), an admin to any of them."""

    fixed: bool
    residences: tuple[ResidenceChoice, ...]


@dataclass(frozen=True)
class AnnouncementDraft:
    text: str
    residence_ids: tuple[int, ...]
    pin: bool = False
    ask_ack: bool = False


@dataclass(frozen=True)
class PhotoUpload:
    content: bytes
    mime_type: str = "image/jpeg"
    filename: str = "announcement.jpg"
    telegram_file_id: str | None = None
    telegram_unique_id: str | None = None


@dataclass(frozen=True)
class Reach:
    """Who an announcement would reach now, shown before sending."""

    residence_names: tuple[str, ...]
    residents: int  # linked, active, reachable: they get it privately
    unreachable: int  # linked but they blocked the bot
    groups: int  # linked residents' groups


@dataclass(frozen=True)
class Sent:
    id: int
    residents: int
    groups: int
    unreachable: int
    done: bool  # nothing to send at all: already complete


@dataclass(frozen=True)
class AckOutcome:
    announcement_id: int
    first: bool  # False when it was already recorded


@dataclass(frozen=True)
class Counts:
    recipients: int  # residents it was meant for (queued, plus those already known unreachable)
    delivered: int
    failed: int
    unreachable: int
    pending: int
    read: int
    groups: int
    groups_delivered: int


@dataclass(frozen=True)
class AnnouncementSummary:
    id: int
    created_at: datetime
    excerpt: str
    author_name: str
    status: AnnouncementStatus
    ask_ack: bool
    counts: Counts


@dataclass(frozen=True)
class AnnouncementPage:
    items: tuple[AnnouncementSummary, ...]
    page: int
    pages: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


@dataclass(frozen=True)
class NonReader:
    name: str
    apartment: str | None
    delivered: bool  # False: the message never reached them (blocked the bot, failed)


@dataclass(frozen=True)
class AnnouncementDetail:
    id: int
    text: str
    excerpt: str
    created_at: datetime
    author_name: str
    residence_names: tuple[str, ...]
    status: AnnouncementStatus
    pin: bool
    ask_ack: bool
    has_photo: bool
    counts: Counts
    non_readers: tuple[NonReader, ...]
    page: int
    pages: int
    remindable: int  # non-readers a reminder would reach now
    next_round: int  # the round a "Relancer" pressed now would send

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


@dataclass(frozen=True)
class ReminderOutcome:
    queued: int
    round: int
    already_sent: bool  # this round went out already (a second press): nothing sent again


# --- rules -----------------------------------------------------------------------------------------


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_text(text: str | None, *, with_photo: bool = False) -> str:
    """1..3500 characters, or 1..1000 under a photo (Telegram counts a caption in UTF-16 units)."""
    value = (text or "").strip()
    high = CAPTION_TEXT_MAX if with_photo else TEXT_MAX
    if len(value) < TEXT_MIN:
        raise InvalidInput("text", "too_short", min=TEXT_MIN, length=len(value))
    if len(value) > high or _utf16(value) > high:
        raise InvalidInput("text", "too_long", max=high, length=max(len(value), _utf16(value)))
    return value


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    flat = _SPACES.sub(" ", text).strip()
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _require_author(me: Me) -> None:
    if me.role not in (Role.MANAGER, Role.ADMIN):
        raise NotAllowed("announcements are for managers")
    if me.role == Role.MANAGER and me.residence_id is None:
        raise NotAllowed("a manager without a residence")


def composer(session: Session, me: Me) -> Composer:
    """Opens /annonce: refuses residents, and says to whom this author may write."""
    _require_author(me)
    query = sa.select(Residence.id, Residence.name).order_by(Residence.name)
    if me.role != Role.ADMIN:
        query = query.where(Residence.id == me.residence_id)
    choices = tuple(ResidenceChoice(rid, name) for rid, name in session.execute(query))
    return Composer(fixed=me.role != Role.ADMIN, residences=choices)


def check_audience(session: Session, me: Me, residence_ids: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """A manager's audience is their residence, whatever was asked; an admin's, existing residences."""
    _require_author(me)
    if me.role != Role.ADMIN:
        if set(residence_ids) - {me.residence_id}:
            raise NotAllowed("a manager writes to their residence only")
        assert me.residence_id is not None
        return (me.residence_id,)
    wanted = sorted(set(residence_ids))
    if not wanted:
        raise InvalidInput("audience", "empty")
    found = set(session.scalars(sa.select(Residence.id).where(Residence.id.in_(wanted))))
    if found != set(wanted):
        raise NotFound("residence")
    return tuple(wanted)


def _audience(session: Session, residence_ids: tuple[int, ...]) -> list[tuple[int, bool]]:
    """Linked, active residents of these residences: (user id, reachable)."""
    rows = session.execute(
        sa.select(User.id, User.unreachable_since)
        .where(
            User.residence_id.in_(residence_ids),
            User.role == Role.RESIDENT,
            User.active.is_(True),
            User.telegram_id.is_not(None),
        )
        .order_by(User.id)
    )
    return [(uid, unreachable is None) for uid, unreachable in rows]


def _residence_names(session: Session, residence_ids: list[int] | tuple[int, ...]) -> tuple[str, ...]:
    if not residence_ids:
        return ()
    return tuple(
        session.scalars(sa.select(Residence.name).where(Residence.id.in_(residence_ids)).order_by(Residence.name))
    )


def reach(session: Session, me: Me, residence_ids: tuple[int, ...] | list[int]) -> Reach:
    ids = check_audience(session, me, residence_ids)
    audience = _audience(session, ids)
    reachable = sum(1 for _, ok in audience if ok)
    return Reach(
        residence_names=_residence_names(session, ids),
        residents=reachable,
        unreachable=len(audience) - reachable,
        groups=len(groups.group_chat_ids(session, ids, GroupKind.RESIDENTS)),
    )


# --- sending ---------------------------------------------------------------------------------------


def batch_of(announcement_id: int) -> str:
    return f"{BATCH_PREFIX}:{announcement_id}"


def _ack_buttons(announcement_id: int) -> list[list[dict[str, str]]]:
    return [[button(ACK_BUTTON_KEY, f"ann:ack:{announcement_id}")]]


def send(session: Session, me: Me, draft: AnnouncementDraft, now: datetime, photo: PhotoUpload | None = None) -> Sent:
    """Store the announcement and queue every private message and group post, in one transaction."""
    text = check_text(draft.text, with_photo=photo is not None)
    ids = check_audience(session, me, draft.residence_ids)
    photo_id = None
    if photo is not None:
        if photo.mime_type.lower() not in files.IMAGE_TYPES:
            raise InvalidInput("photo", "not_image")
        photo_id = files.store(
            session,
            photo.content,
            now=now,
            filename=photo.filename,
            mime_type=photo.mime_type,
            telegram_file_id=photo.telegram_file_id,
            telegram_unique_id=photo.telegram_unique_id,
        ).id
    announcement = Announcement(
        author_id=me.id,
        residence_ids=list(ids),
        text=text,
        photo_id=photo_id,
        pin=draft.pin,
        ask_ack=draft.ask_ack,
        status=AnnouncementStatus.SENDING,
        created_at=now,
    )
    session.add(announcement)
    session.flush()
    batch = batch_of(announcement.id)
    params = {"text": text}
    audience = _audience(session, ids)
    rows = outbox.notify_many(
        session,
        [user_id for user_id, reachable in audience if reachable],
        kind=KIND,
        key=MESSAGE_KEY,
        now=now,
        params=params,
        buttons=_ack_buttons(announcement.id) if draft.ask_ack else None,
        photo=photo_id,
        dedup_key=lambda user_id: f"{batch}:user:{user_id}",
        batch=batch,
    )
    residents = sum(rows)
    skipped = len(audience) - residents
    posted = 0
    for chat_id, lang in groups.group_chats(session, ids, GroupKind.RESIDENTS):
        queued = outbox.notify_chat(
            session,
            chat_id=chat_id,
            kind=KIND,
            key=MESSAGE_KEY,
            now=now,
            lang=lang,
            params=params,
            photo=photo_id,
            dedup_key=f"{batch}:chat:{chat_id}",
            batch=batch,
            pin=draft.pin,
        )
        posted += queued is not None
    # Residents already known to have blocked the bot get no row: the report still counts them.
    announcement.report = {"skipped": skipped}
    session.flush()
    done = residents + posted == 0
    if done:  # nothing for the sender to do, so no batch will ever complete: report now
        complete_batch(session, batch, now)
    log.info("announcement %s queued: %d residents, %d groups", announcement.id, residents, posted)
    return Sent(announcement.id, residents, posted, skipped, done)


def _outbox_counts(session: Session, batch: str) -> dict[tuple[bool, OutboxStatus], int]:
    """Rows of a batch by (is a group post, status)."""
    rows = session.execute(
        sa.select(OutboxMessage.user_id.is_(None), OutboxMessage.status, sa.func.count(OutboxMessage.id))
        .where(OutboxMessage.batch == batch)
        .group_by(OutboxMessage.user_id.is_(None), OutboxMessage.status)
    )
    return {(bool(is_group), status): count for is_group, status, count in rows}


def _acks(session: Session, announcement_id: int) -> int:
    return session.scalar(sa.select(sa.func.count()).where(AnnouncementAck.announcement_id == announcement_id)) or 0


def _counts(session: Session, announcement: Announcement) -> Counts:
    by = _outbox_counts(session, batch_of(announcement.id))
    skipped = int((announcement.report or {}).get("skipped", 0))

    def users(*statuses: OutboxStatus) -> int:
        return sum(by.get((False, s), 0) for s in statuses)

    def chats(*statuses: OutboxStatus) -> int:
        return sum(by.get((True, s), 0) for s in statuses)

    every = tuple(OutboxStatus)
    return Counts(
        recipients=users(*every) + skipped,
        delivered=users(OutboxStatus.SENT),
        failed=users(OutboxStatus.FAILED, OutboxStatus.CANCELLED),
        unreachable=users(OutboxStatus.UNREACHABLE) + skipped,
        pending=users(OutboxStatus.PENDING, OutboxStatus.SENDING),
        read=_acks(session, announcement.id),
        groups=chats(*every),
        groups_delivered=chats(OutboxStatus.SENT),
    )


def complete_batch(session: Session, batch: str, now: datetime) -> None:
    """The batch hook: done, with its counts, and the author's delivery report, once."""
    try:
        announcement_id = int(batch.split(":", 1)[1])
    except (IndexError, ValueError):
        log.warning("announcement batch with an unexpected name: %r", batch)
        return
    announcement = session.get(Announcement, announcement_id)
    if announcement is None or announcement.status != AnnouncementStatus.SENDING:
        return
    counts = _counts(session, announcement)
    report: dict[str, Any] = {
        "skipped": int((announcement.report or {}).get("skipped", 0)),
        "recipients": counts.recipients,
        "sent": counts.delivered,
        "failed": counts.failed,
        "unreachable": counts.unreachable,
        "groups": counts.groups,
        "groups_sent": counts.groups_delivered,
    }
    result = session.execute(
        sa.update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.status == AnnouncementStatus.SENDING)
        .values(status=AnnouncementStatus.DONE, completed_at=now, report=report)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # another sender reported first
        return
    session.expire(announcement)
    if announcement.author_id is None:
        return
    outbox.notify(
        session,
        user_id=announcement.author_id,
        kind=REPORT_KIND,
        key=REPORT_KEY,
        now=now,
        params={
            "date": outbox.dt(announcement.created_at),
            "excerpt": excerpt(announcement.text),
            "recipients": report["recipients"],
            "sent": report["sent"],
            "failed": report["failed"],
            "unreachable": report["unreachable"],
            "groups": report["groups"],
            "groups_sent": report["groups_sent"],
        },
        buttons=[[button(READERS_BUTTON_KEY, f"ann:v:{announcement_id}")]],
        dedup_key=f"{batch}:report",
    )


outbox.register_batch_hook(BATCH_PREFIX, complete_batch)


# --- acknowledgments -------------------------------------------------------------------------------


def _was_sent_to(session: Session, announcement_id: int, user_id: int) -> bool:
    return (
        session.scalar(
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.batch == batch_of(announcement_id), OutboxMessage.user_id == user_id)
            .limit(1)
        )
        is not None
    )


def acknowledge(session: Session, me: Me, announcement_id: int, now: datetime) -> AckOutcome:
    """ "J'ai lu": recorded once, and only for someone the announcement was sent to."""
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound("announcement")
    if not announcement.ask_ack or not _was_sent_to(session, announcement_id, me.id):
        raise NotAllowed("not a recipient of this announcement")
    if session.get(AnnouncementAck, (announcement_id, me.id)) is not None:
        return AckOutcome(announcement_id, first=False)
    try:
        with session.begin_nested():
            session.add(AnnouncementAck(announcement_id=announcement_id, user_id=me.id, acked_at=now))
            session.flush()
    except IntegrityError:  # the same press, twice at once
        return AckOutcome(announcement_id, first=False)
    return AckOutcome(announcement_id, first=True)


# --- managers' follow-up ---------------------------------------------------------------------------


def _visible_to(me: Me, announcement: Announcement) -> bool:
    if me.role == Role.ADMIN:
        return True
    return announcement.author_id == me.id or list(announcement.residence_ids or []) == [me.residence_id]


def _announcement(session: Session, me: Me, announcement_id: int) -> Announcement:
    _require_author(me)
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound("announcement")
    if not _visible_to(me, announcement):
        raise NotAllowed("not this manager's announcement")
    return announcement


def _author_name(session: Session, author_id: int | None) -> str:
    if author_id is None:
        return ""
    return session.scalar(sa.select(User.first_name).where(User.id == author_id)) or ""


def list_announcements(session: Session, me: Me, page: int = 0) -> AnnouncementPage:
    """ "Mes annonces": newest first; a manager's own and those sent to their residence alone."""
    _require_author(me)
    rows = session.execute(
        sa.select(Announcement.id, Announcement.author_id, Announcement.residence_ids).order_by(
            Announcement.created_at.desc(), Announcement.id.desc()
        )
    )
    visible = [
        rid
        for rid, author_id, residence_ids in rows
        if me.role == Role.ADMIN or author_id == me.id or list(residence_ids or []) == [me.residence_id]
    ]
    pages = max(1, -(-len(visible) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    items = []
    for announcement_id in visible[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        announcement = session.get(Announcement, announcement_id)
        assert announcement is not None
        items.append(
            AnnouncementSummary(
                id=announcement.id,
                created_at=announcement.created_at,
                excerpt=excerpt(announcement.text),
                author_name=_author_name(session, announcement.author_id),
                status=announcement.status,
                ask_ack=announcement.ask_ack,
                counts=_counts(session, announcement),
            )
        )
    return AnnouncementPage(tuple(items), page, pages, len(visible))


def _non_readers_query(announcement_id: int) -> sa.Select[Any]:
    acked = sa.select(AnnouncementAck.user_id).where(AnnouncementAck.announcement_id == announcement_id)
    return (
        sa.select(User.id, User.first_name, User.last_name, User.apartment, OutboxMessage.status)
        .join(OutboxMessage, OutboxMessage.user_id == User.id)
        .where(OutboxMessage.batch == batch_of(announcement_id), User.id.not_in(acked))
    )


def _reminder_rounds(session: Session, announcement_id: int) -> int:
    """How many reminder rounds went out for this announcement."""
    prefix = f"{REMINDER_PREFIX}:{announcement_id}:"
    batches = session.scalars(sa.select(OutboxMessage.batch).where(OutboxMessage.batch.like(f"{prefix}%")).distinct())
    rounds = [int(b[len(prefix) :]) for b in batches if b and b[len(prefix) :].isdigit()]
    return max(rounds, default=0)


def _remindable(session: Session, announcement_id: int) -> list[int]:
    """Non-readers who got the announcement and can still be reached."""
    query = _non_readers_query(announcement_id).where(
        OutboxMessage.status == OutboxStatus.SENT,
        User.active.is_(True),
        User.unreachable_since.is_(None),
        User.telegram_id.is_not(None),
    )
    return [row.id for row in session.execute(query)]


def announcement_detail(session: Session, me: Me, announcement_id: int, page: int = 0) -> AnnouncementDetail:
    """Counts, and who has not read it yet (name and apartment, a page at a time)."""
    announcement = _announcement(session, me, announcement_id)
    counts = _counts(session, announcement)
    non_readers: tuple[NonReader, ...] = ()
    pages, remindable = 1, 0
    if announcement.ask_ack:
        query = _non_readers_query(announcement_id)
        total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
        pages = max(1, -(-total // READERS_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        rows = session.execute(
            query.order_by(User.apartment, User.last_name, User.first_name, User.id)
            .offset(page * READERS_PAGE_SIZE)
            .limit(READERS_PAGE_SIZE)
        )
        non_readers = tuple(
            NonReader(f"{first} {last}".strip(), apartment, status == OutboxStatus.SENT)
            for _, first, last, apartment, status in rows
        )
        remindable = len(_remindable(session, announcement_id))
    else:
        page = 0
    return AnnouncementDetail(
        id=announcement.id,
        text=announcement.text,
        excerpt=excerpt(announcement.text),
        created_at=announcement.created_at,
        author_name=_author_name(session, announcement.author_id),
        residence_names=_residence_names(session, announcement.residence_ids or []),
        status=announcement.status,
        pin=announcement.pin,
        ask_ack=announcement.ask_ack,
        has_photo=announcement.photo_id is not None,
        counts=counts,
        non_readers=non_readers,
        page=page,
        pages=pages,
        remindable=remindable,
        next_round=_reminder_rounds(session, announcement_id) + 1,
    )


def remind(session: Session, me: Me, announcement_id: int, round_: int, now: datetime) -> ReminderOutcome:
    """ "Relancer": a reminder with the ✅ button to each non-reader, once per round."""
    announcement = _announcement(session, me, announcement_id)
    if not announcement.ask_ack:
        raise NotAllowed("no acknowledgment was asked")
    current = _reminder_rounds(session, announcement_id)
    if round_ <= current:
        return ReminderOutcome(0, round_, already_sent=True)
    if round_ != current + 1:
        raise InvalidInput("round", "unknown")
    batch = f"{REMINDER_PREFIX}:{announcement_id}:{round_}"
    rows = outbox.notify_many(
        session,
        _remindable(session, announcement_id),
        kind=REMINDER_KIND,
        key=REMINDER_KEY,
        now=now,
        params={"text": announcement.text},
        buttons=_ack_buttons(announcement_id),
        dedup_key=lambda user_id: f"{batch_of(announcement_id)}:user:{user_id}:reminder:{round_}",
        batch=batch,
    )
    queued = sum(rows)
    return ReminderOutcome(queued, round_, already_sent=False)
