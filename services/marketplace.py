"""The residents' marketplace: listings, their life cycle, and conversations relayed by the bot.

Everything is scoped to the acting user's residence: a listing is only seen, managed or contacted
by people of the residence it was posted in. Buyers and sellers talk through the bot (one
`MarketThread` per listing and buyer), so neither ever learns the other's Telegram username,
phone number or apartment; relayed messages carry the sender's first name only.

"Expired" is computed from `expires_at` on every read: a listing stops being shown the moment its
30 days are over, whether or not the scheduler has run. The scheduler (services/routines.py) also
writes EXPIRED down and warns the author 2 days before; the notice's button renews the listing
(REOPEN within `RENEW_WINDOW` of its end gives it 30 days from now).
"""

from __future__ import annotations

import enum
import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Listing, ListingKind, ListingStatus, MarketMessage, MarketThread, StoredFile, ThreadStatus, User
from services import files, outbox, points
from services.errors import InvalidInput, NotAllowed, NotFound
from services.outbox import button
from services.people import Me
from services.validation import text_length

log = logging.getLogger(__name__)

LISTING_DAYS = 30
LISTING_LIFETIME = timedelta(days=LISTING_DAYS)
# An online listing this close to its end may be renewed (the expiry notice's button).
RENEW_WINDOW = timedelta(days=7)
TITLE_MIN, TITLE_MAX = 3, 80
DESCRIPTION_MIN, DESCRIPTION_MAX = 5, 1000
MESSAGE_MIN, MESSAGE_MAX = 1, 1000
MAX_PRICE_EUROS = 100_000
PAGE_SIZE = 5
FREE_WORDS = frozenset({"gratuit", "gratuite", "free", "0"})
RELAY_KIND = "market_relay"

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_PRICE = re.compile(r"^(\d+)(?:[.,](\d{1,2}))?$")
_CURRENCY = re.compile(r"(€|eur|euros?)$|^€")


class StatusAction(enum.StrEnum):
    RESERVE = "reserve"
    CLOSE = "close"
    REOPEN = "reopen"


class RelayStatus(enum.StrEnum):
    OK = "ok"  # ready to write / sent / ended now
    UNREACHABLE = "unreachable"  # the neighbour left, was deactivated or blocked the bot: nothing queued
    CLOSED = "closed"  # the conversation was ended: no more messages


class OwnListing(NotAllowed):
    """Contacting oneself about one's own listing."""


# --- plain values handed to handlers ---------------------------------------------------------------


@dataclass(frozen=True)
class ListingSummary:
    id: int
    kind: ListingKind
    title: str
    price_cents: int | None
    status: ListingStatus
    author_first_name: str
    created_at: datetime


@dataclass(frozen=True)
class ListingPage:
    items: tuple[ListingSummary, ...]
    page: int
    pages: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


@dataclass(frozen=True)
class ListingView:
    id: int
    kind: ListingKind
    title: str
    description: str
    price_cents: int | None
    status: ListingStatus
    author_first_name: str
    created_at: datetime
    expires_at: datetime
    photo_id: int | None
    photo_telegram_id: str | None
    mine: bool


@dataclass(frozen=True)
class Overview:
    residence_name: str
    active: int
    mine: int


@dataclass(frozen=True)
class ListingDraft:
    kind: ListingKind
    title: str
    description: str
    price_cents: int | None


@dataclass(frozen=True)
class PhotoUpload:
    content: bytes
    mime_type: str
    filename: str = ""
    telegram_file_id: str | None = None
    telegram_unique_id: str | None = None


@dataclass(frozen=True)
class Published:
    listing: ListingView
    points: int


@dataclass(frozen=True)
class Relay:
    """Where a conversation stands for the acting user, and who is on the other side (first name only)."""

    status: RelayStatus
    listing_id: int
    title: str
    other_first_name: str
    thread_id: int | None = None


# --- validation: pure rules, used at each step of the flow and again at publishing ---------------------


def check_title(text: str) -> str:
    """One line: a title is shown in lists and buttons."""
    return text_length("title", _SPACES.sub(" ", text).strip(), TITLE_MIN, TITLE_MAX)


def check_description(text: str) -> str:
    return text_length("description", text.strip(), DESCRIPTION_MIN, DESCRIPTION_MAX)


def check_message(text: str) -> str:
    return text_length("text", text.strip(), MESSAGE_MIN, MESSAGE_MAX)


def parse_price(text: str) -> int:
    """'12', '12,50', '12.5 €', '1 200 €', 'gratuit' / 'free' → cents (0 is free)."""
    value = _SPACES.sub("", text.strip().lower())
    if value in FREE_WORDS:
        return 0
    value = _CURRENCY.sub("", value)
    match = _PRICE.match(value)
    if not match:
        raise InvalidInput("price", "format")
    euros, decimals = match.group(1), (match.group(2) or "").ljust(2, "0")
    if len(euros) > 7 or int(euros) > MAX_PRICE_EUROS or (int(euros) == MAX_PRICE_EUROS and int(decimals)):
        raise InvalidInput("price", "too_high", max=MAX_PRICE_EUROS)
    return int(euros) * 100 + int(decimals)


def check_photo(mime_type: str | None, size: int | None) -> None:
    """Before downloading: only images, and no more than services.files accepts."""
    if (mime_type or "").lower() not in files.IMAGE_TYPES:
        raise InvalidInput("photo", "not_image")
    files.check_size(size)


def check_member(me: Me) -> int:
    """The market is a residence's: someone without one (a network admin) has none to use."""
    if me.residence_id is None:
        raise NotAllowed("no residence")
    return me.residence_id


# --- reading ---------------------------------------------------------------------------------------


def _effective(listing: Listing, now: datetime) -> ListingStatus:
    if listing.status in (ListingStatus.ACTIVE, ListingStatus.RESERVED) and listing.expires_at <= now:
        return ListingStatus.EXPIRED
    return listing.status


def _visible_clause(residence_id: int, now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        Listing.residence_id == residence_id,
        Listing.status == ListingStatus.ACTIVE,
        Listing.expires_at > now,
    )


def _page(session: Session, where: sa.ColumnElement[bool], page: int, now: datetime) -> ListingPage:
    total = session.scalar(sa.select(sa.func.count(Listing.id)).where(where)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)  # a stale page number lands on the nearest real page
    rows = session.execute(
        sa.select(Listing, User.first_name)
        .join(User, User.id == Listing.author_id)
        .where(where)
        .order_by(Listing.created_at.desc(), Listing.id.desc())
        .limit(PAGE_SIZE)
        .offset(page * PAGE_SIZE)
    ).all()
    items = tuple(
        ListingSummary(
            listing.id,
            listing.kind,
            listing.title,
            listing.price_cents,
            _effective(listing, now),
            first_name,
            listing.created_at,
        )
        for listing, first_name in rows
    )
    return ListingPage(items, page, pages, total)


def overview(session: Session, me: Me, now: datetime) -> Overview:
    residence_id = check_member(me)
    active = session.scalar(sa.select(sa.func.count(Listing.id)).where(_visible_clause(residence_id, now))) or 0
    mine = (
        session.scalar(
            sa.select(sa.func.count(Listing.id)).where(
                Listing.author_id == me.id,
                Listing.residence_id == residence_id,
                Listing.status != ListingStatus.DELETED,
            )
        )
        or 0
    )
    return Overview(me.residence_name or "", active, mine)


def browse(session: Session, me: Me, kind: ListingKind | None, page: int, now: datetime) -> ListingPage:
    """My residence's listings open to answers, newest first."""
    where = _visible_clause(check_member(me), now)
    if kind is not None:
        where = sa.and_(where, Listing.kind == kind)
    return _page(session, where, page, now)


def my_listings(session: Session, me: Me, page: int, now: datetime) -> ListingPage:
    """Everything I posted here and did not delete, whatever its status, so I can manage it."""
    residence_id = check_member(me)
    where = sa.and_(
        Listing.author_id == me.id, Listing.residence_id == residence_id, Listing.status != ListingStatus.DELETED
    )
    return _page(session, where, page, now)


def _listing(session: Session, me: Me, listing_id: int, *, lock: bool = False) -> Listing:
    listing = session.get(Listing, listing_id, with_for_update=lock)
    if listing is None or listing.status == ListingStatus.DELETED:
        raise NotFound(f"listing {listing_id}")
    if me.residence_id is None or listing.residence_id != me.residence_id:
        raise NotAllowed("listing of another residence")
    return listing


def _own(session: Session, me: Me, listing_id: int) -> Listing:
    listing = _listing(session, me, listing_id, lock=True)
    if listing.author_id != me.id:
        raise NotAllowed("only the author manages a listing")
    return listing


def _view(session: Session, listing: Listing, me: Me, now: datetime) -> ListingView:
    author = session.get(User, listing.author_id)
    telegram_id = None
    if listing.photo_id is not None:
        telegram_id = session.scalar(sa.select(StoredFile.telegram_file_id).where(StoredFile.id == listing.photo_id))
    return ListingView(
        id=listing.id,
        kind=listing.kind,
        title=listing.title,
        description=listing.description,
        price_cents=listing.price_cents,
        status=_effective(listing, now),
        author_first_name=author.first_name if author else "",
        created_at=listing.created_at,
        expires_at=listing.expires_at,
        photo_id=listing.photo_id,
        photo_telegram_id=telegram_id,
        mine=listing.author_id == me.id,
    )


def open_listing(session: Session, me: Me, listing_id: int, now: datetime) -> ListingView:
    """A neighbour sees a listing while it is open; its author sees it in every state."""
    listing = _listing(session, me, listing_id)
    if listing.author_id != me.id and _effective(listing, now) != ListingStatus.ACTIVE:
        raise NotFound(f"listing {listing_id} is no longer open")
    return _view(session, listing, me, now)


def listing_photo(session: Session, me: Me, listing_id: int) -> bytes:
    """The photo's bytes, for when Telegram no longer knows its file id."""
    listing = _listing(session, me, listing_id)
    if listing.photo_id is None:
        raise NotFound(f"listing {listing_id} has no photo")
    return files.load(session, listing.photo_id)[1]


# --- publishing and managing ----------------------------------------------------------------------


def publish(
    session: Session, me: Me, draft: ListingDraft, now: datetime, photo: PhotoUpload | None = None
) -> Published:
    """Checks every answer again (the draft lived in the chat), stores the photo, pays the points."""
    residence_id = check_member(me)
    kind = ListingKind(draft.kind)
    title = check_title(draft.title)
    description = check_description(draft.description)
    if kind == ListingKind.SELL:
        if draft.price_cents is None:
            raise InvalidInput("price", "missing")
        if not 0 <= draft.price_cents <= MAX_PRICE_EUROS * 100:
            raise InvalidInput("price", "too_high", max=MAX_PRICE_EUROS)
        price = draft.price_cents
    else:
        price = None  # lending, giving and looking for something are free
    photo_id = None
    if photo is not None:
        check_photo(photo.mime_type, len(photo.content))
        photo_id = files.store(
            session,
            photo.content,
            now=now,
            filename=photo.filename or "listing.jpg",
            mime_type=photo.mime_type,
            telegram_file_id=photo.telegram_file_id,
            telegram_unique_id=photo.telegram_unique_id,
        ).id
    listing = Listing(
        residence_id=residence_id,
        author_id=me.id,
        kind=kind,
        title=title,
        description=description,
        price_cents=price,
        photo_id=photo_id,
        status=ListingStatus.ACTIVE,
        created_at=now,
        expires_at=now + LISTING_LIFETIME,
    )
    session.add(listing)
    session.flush()
    earned = points.award(session, me.id, "listing_published", f"listing:{listing.id}", now)
    log.info("listing %s published (%s)", listing.id, kind.value)
    return Published(_view(session, listing, me, now), earned)


_TRANSITIONS = {
    StatusAction.RESERVE: ({ListingStatus.ACTIVE}, ListingStatus.RESERVED),
    StatusAction.CLOSE: ({ListingStatus.ACTIVE, ListingStatus.RESERVED}, ListingStatus.CLOSED),
    StatusAction.REOPEN: ({ListingStatus.RESERVED, ListingStatus.CLOSED, ListingStatus.EXPIRED}, ListingStatus.ACTIVE),
}


def change_status(session: Session, me: Me, listing_id: int, action: StatusAction, now: datetime) -> ListingView:
    """Reserved, done, or back online; back online near or past its end, it gets 30 days from now."""
    listing = _own(session, me, listing_id)
    allowed, target = _TRANSITIONS[StatusAction(action)]
    current = _effective(listing, now)
    ending = listing.expires_at - now <= RENEW_WINDOW
    renewing = action == StatusAction.REOPEN and current == ListingStatus.ACTIVE and ending
    if current not in allowed and not renewing:
        raise InvalidInput("status", "not_possible", current=current.value)
    listing.status = target
    if target == ListingStatus.ACTIVE and ending:
        listing.expires_at = now + LISTING_LIFETIME
    session.flush()
    return _view(session, listing, me, now)


def delete_listing(session: Session, me: Me, listing_id: int, now: datetime) -> str:
    """Soft delete (the conversations' history stays); its open conversations end with it."""
    listing = _own(session, me, listing_id)
    listing.status = ListingStatus.DELETED
    session.execute(
        sa.update(MarketThread)
        .where(MarketThread.listing_id == listing.id, MarketThread.status == ThreadStatus.OPEN)
        .values(status=ThreadStatus.CLOSED, closed_by_id=me.id, updated_at=now)
    )
    return listing.title


# --- conversations relayed by the bot -----------------------------------------------------------------


def _reachable(session: Session, user_id: int, residence_id: int) -> tuple[bool, str]:
    """Whether a message could reach this neighbour now, and their first name."""
    user = session.get(User, user_id)
    if user is None:
        return False, ""
    ok = (
        user.active
        and user.unreachable_since is None
        and user.telegram_id is not None
        and user.residence_id == residence_id  # moved to another residence: departed from this one
    )
    return ok, user.first_name


def _contactable(session: Session, me: Me, listing_id: int, now: datetime) -> tuple[Listing, MarketThread | None]:
    listing = _listing(session, me, listing_id)
    if listing.author_id == me.id:
        raise OwnListing("own listing")
    if _effective(listing, now) != ListingStatus.ACTIVE:
        raise NotFound(f"listing {listing_id} is no longer open")
    thread = session.scalar(
        sa.select(MarketThread).where(MarketThread.listing_id == listing.id, MarketThread.buyer_id == me.id)
    )
    return listing, thread


def prepare_contact(session: Session, me: Me, listing_id: int, now: datetime) -> Relay:
    """Checked when "Contacter" is pressed, so nobody writes a message that cannot be delivered."""
    listing, thread = _contactable(session, me, listing_id, now)
    reachable, name = _reachable(session, listing.author_id, listing.residence_id)
    status = RelayStatus.OK if reachable else RelayStatus.UNREACHABLE
    if thread is not None and thread.status == ThreadStatus.CLOSED and thread.closed_by_id != me.id:
        status = RelayStatus.CLOSED  # the seller ended it: the buyer cannot reopen it
    return Relay(status, listing.id, listing.title, name, thread.id if thread else None)


def _relay(
    session: Session, me: Me, listing: Listing, thread: MarketThread, to_user: int, text: str, now: datetime
) -> int:
    message = MarketMessage(thread_id=thread.id, sender_id=me.id, text=text, created_at=now)
    session.add(message)
    thread.updated_at = now
    session.flush()
    outbox.notify(
        session,
        user_id=to_user,
        kind=RELAY_KIND,
        key="mk.relay.message",
        now=now,
        params={"name": me.first_name, "title": listing.title, "text": text},
        buttons=[[button("mk.btn.reply", f"mk:reply:{thread.id}"), button("mk.btn.end", f"mk:end:{thread.id}")]],
        dedup_key=f"mk:msg:{message.id}",
    )
    return message.id


def send_contact(session: Session, me: Me, listing_id: int, text: str, now: datetime) -> Relay:
    """The buyer's first message: opens (or reopens) their conversation about this listing."""
    text = check_message(text)
    listing, thread = _contactable(session, me, listing_id, now)
    reachable, name = _reachable(session, listing.author_id, listing.residence_id)
    if thread is not None and thread.status == ThreadStatus.CLOSED and thread.closed_by_id != me.id:
        return Relay(RelayStatus.CLOSED, listing.id, listing.title, name, thread.id)
    if not reachable:
        return Relay(RelayStatus.UNREACHABLE, listing.id, listing.title, name, thread.id if thread else None)
    if thread is None:
        thread = _new_thread(session, listing, me, now)
    if thread.status == ThreadStatus.CLOSED:  # the buyer ended it earlier and writes again
        thread.status, thread.closed_by_id = ThreadStatus.OPEN, None
    _relay(session, me, listing, thread, listing.author_id, text, now)
    return Relay(RelayStatus.OK, listing.id, listing.title, name, thread.id)


def _new_thread(session: Session, listing: Listing, me: Me, now: datetime) -> MarketThread:
    """One thread per (listing, buyer), held by the unique constraint even under a double tap."""
    thread = MarketThread(listing_id=listing.id, buyer_id=me.id, seller_id=listing.author_id, created_at=now)
    try:
        with session.begin_nested():
            session.add(thread)
            session.flush()
    except IntegrityError:
        existing = session.scalar(
            sa.select(MarketThread).where(MarketThread.listing_id == listing.id, MarketThread.buyer_id == me.id)
        )
        assert existing is not None
        return existing
    return thread


def _thread(session: Session, me: Me, thread_id: int) -> tuple[MarketThread, Listing, int]:
    """The thread, its listing and the other party; only its two parties, in the listing's residence."""
    thread = session.get(MarketThread, thread_id, with_for_update=True)
    if thread is None or me.id not in (thread.buyer_id, thread.seller_id):
        raise NotAllowed("not a party to this conversation")
    listing = session.get(Listing, thread.listing_id)
    if listing is None:
        raise NotFound(f"thread {thread_id}")
    if me.residence_id != listing.residence_id:
        raise NotAllowed("conversation of another residence")
    other = thread.seller_id if me.id == thread.buyer_id else thread.buyer_id
    return thread, listing, other


def _thread_status(session: Session, thread: MarketThread, listing: Listing, other: int) -> tuple[RelayStatus, str]:
    reachable, name = _reachable(session, other, listing.residence_id)
    if thread.status == ThreadStatus.CLOSED or listing.status == ListingStatus.DELETED:
        return RelayStatus.CLOSED, name
    return (RelayStatus.OK if reachable else RelayStatus.UNREACHABLE), name


def prepare_reply(session: Session, me: Me, thread_id: int, now: datetime) -> Relay:
    thread, listing, other = _thread(session, me, thread_id)
    status, name = _thread_status(session, thread, listing, other)
    return Relay(status, listing.id, listing.title, name, thread.id)


def send_reply(session: Session, me: Me, thread_id: int, text: str, now: datetime) -> Relay:
    text = check_message(text)
    thread, listing, other = _thread(session, me, thread_id)
    status, name = _thread_status(session, thread, listing, other)
    if status == RelayStatus.OK:
        _relay(session, me, listing, thread, other, text, now)
    return Relay(status, listing.id, listing.title, name, thread.id)


def end_conversation(session: Session, me: Me, thread_id: int, now: datetime) -> Relay:
    """Either side may end it; the other is told. Ending twice is harmless (status CLOSED)."""
    thread, listing, other = _thread(session, me, thread_id)
    reachable, name = _reachable(session, other, listing.residence_id)
    if thread.status == ThreadStatus.CLOSED:
        return Relay(RelayStatus.CLOSED, listing.id, listing.title, name, thread.id)
    thread.status, thread.closed_by_id, thread.updated_at = ThreadStatus.CLOSED, me.id, now
    if reachable:
        outbox.notify(
            session,
            user_id=other,
            kind=RELAY_KIND,
            key="mk.relay.ended_by_other",
            now=now,
            params={"name": me.first_name, "title": listing.title},
            dedup_key=f"mk:end:{thread.id}:{now.isoformat()}",
        )
    return Relay(RelayStatus.OK, listing.id, listing.title, name, thread.id)


def thread_messages(session: Session, me: Me, thread_id: int) -> list[tuple[str, str]]:
    """(sender first name, text) of a conversation, oldest first: for its two parties only."""
    thread, _, _ = _thread(session, me, thread_id)
    rows = session.execute(
        sa.select(User.first_name, MarketMessage.text)
        .join(User, User.id == MarketMessage.sender_id)
        .where(MarketMessage.thread_id == thread.id)
        .order_by(MarketMessage.created_at, MarketMessage.id)
    )
    return [(name, text) for name, text in rows]
