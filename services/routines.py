"""The scheduler's routines beyond reminders: escalations, the managers' digest, listing expiry, rating requests.

Each routine is derived from the database on every tick (services/scheduler.py) and queues through
the outbox with a dedup key, so a tick run twice — by two processes, or after a restart — queues
each message once; the unique key is the guard, not a check-then-insert. A quick look for keys
already queued only spares the work of trying again on every tick.

Times of day are local to the residence: "08:00" is recomputed from the residence's zone on each
tick, so the digest stays at 08:00 across the daylight-saving changes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    OPEN_STATUSES,
    Announcement,
    AnnouncementAck,
    Event,
    EventStatus,
    Incident,
    IncidentCategory,
    IncidentStatus,
    Listing,
    ListingStatus,
    OutboxMessage,
    OutboxStatus,
    Participation,
    ParticipationStatus,
    Reservation,
    ReservationStatus,
    Residence,
    Role,
    Space,
    Urgency,
    User,
)
from services import outbox
from services.announcements import batch_of
from services.incidents import shorten, staff_buttons

if TYPE_CHECKING:
    from services.scheduler import TickConfig, TickReport

log = logging.getLogger(__name__)

ESCALATION_KIND = "incident_escalation"
DIGEST_KIND = "manager_digest"
LISTING_NOTICE_KIND = "listing_expiry_notice"
RATING_KIND = "incident_rating_request"

# A digest that fell due while the bot was down is still worth reading in the morning, not later.
DIGEST_LATEST = time(12, 0)
# Past this, a rating request (or an escalation) would come out of the blue after a long downtime.
RATING_WINDOW = timedelta(days=7)
ESCALATION_WINDOW = timedelta(days=7)
ANNOUNCEMENT_DAYS = 7
READ_RATE_LOW = 0.5
LIST_LIMIT = 8
EXCERPT = 50
ACTIVE_LISTING = (ListingStatus.ACTIVE, ListingStatus.RESERVED)

# Language-neutral marks in the digest's lines (the headings, from the catalog, say what they mean).
CATEGORY_MARK = {
    IncidentCategory.PLUMBING: "🚰",
    IncidentCategory.ELECTRICITY: "💡",
    IncidentCategory.HEATING: "🔥",
    IncidentCategory.ELEVATOR: "🛗",
    IncidentCategory.LOCKSMITH: "🔑",
    IncidentCategory.COMMON_AREAS: "🏢",
    IncidentCategory.NOISE: "🔊",
    IncidentCategory.OTHER: "❓",
}


def escalation_key(incident_id: int, user_id: int) -> str:
    return f"incident:{incident_id}:escalation:{user_id}"


def digest_key(user_id: int, local_date: date) -> str:
    return f"digest:{user_id}:{local_date.isoformat()}"


def listing_notice_key(listing_id: int, expires_at: datetime) -> str:
    return f"listing:{listing_id}:expiry_notice:{expires_at.isoformat()}"


def rating_key(incident_id: int) -> str:
    return f"incident:{incident_id}:rating_request"


def plan(session: Session, now: datetime, config: TickConfig, last_tick: datetime | None, report: TickReport) -> None:
    """Queue what has fallen due (see services/scheduler.py)."""
    digests = send_digests(session, now, config, last_tick)
    counts = {
        "escalation": escalate(session, now, config),
        "digest": digests.queued,
        "listing_notice": notify_expiring_listings(session, now, config),
        "rating_request": request_ratings(session, now, config),
    }
    expire_listings(session, now)
    for name, count in counts.items():
        if count:
            report.queued[name] += count
    if digests.skipped:
        report.skipped["digest"] += digests.skipped


def _existing(session: Session, keys: Iterable[str]) -> set[str]:
    wanted = list(keys)
    if not wanted:
        return set()
    return set(session.scalars(sa.select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(wanted))))


def _zone(name: str | None, config: TickConfig) -> ZoneInfo:
    return ZoneInfo(name or config.default_tz)


# --- escalation ------------------------------------------------------------------------------------


def _staff_of(session: Session, residence_id: int) -> list[int]:
    """The residence's managers, then every admin: linked and active (notify re-checks reachability)."""
    rows = session.scalars(
        sa.select(User.id)
        .where(
            User.active.is_(True),
            User.telegram_id.is_not(None),
            sa.or_(
                sa.and_(User.role == Role.MANAGER, User.residence_id == residence_id),
                User.role == Role.ADMIN,
            ),
        )
        .order_by(User.role.desc(), User.id)
    )
    return list(rows)


def escalate(session: Session, now: datetime, config: TickConfig) -> int:
    """An urgent incident nobody took in charge goes again, urgently, to the residence's managers and the admins."""
    cutoff = now - config.escalate_after
    rows = session.execute(
        sa.select(Incident, User.first_name, User.apartment, Residence.name)
        .join(User, User.id == Incident.reporter_id)
        .join(Residence, Residence.id == Incident.residence_id)
        .where(
            Incident.urgency == Urgency.URGENT,
            Incident.status == IncidentStatus.NEW,
            Incident.created_at <= cutoff,
            Incident.created_at > cutoff - ESCALATION_WINDOW,
        )
        .order_by(Incident.id)
    ).all()
    queued = 0
    for incident, first_name, apartment, residence_name in rows:
        done = session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.dedup_key.like(f"incident:{incident.id}:escalation:%")
            )
        )
        if done:
            continue  # once per incident: whoever joined the staff since is not re-alerted
        hours = int((now - incident.created_at).total_seconds() // 3600)
        params: dict[str, Any] = {
            "number": incident.id,
            "category": outbox.tr(f"inc.cat.{incident.category.value}"),
            "place": incident.location,
            "description": shorten(incident.description, 300),
            "who": f"{first_name} ({apartment})" if apartment else first_name,
            "residence": residence_name,
            "since": outbox.dt(incident.created_at),
            "hours": hours,
        }
        rows = outbox.notify_many(
            session,
            _staff_of(session, incident.residence_id),
            kind=ESCALATION_KIND,
            key="rout.escalation",
            now=now,
            params=params,
            buttons=staff_buttons(incident.id, incident.status),
            dedup_key=partial(escalation_key, incident.id),
            ref={"incident": incident.id},
            urgent=True,
        )
        queued += sum(rows)
        log.info("incident %s escalated (urgent, not taken in charge)", incident.id)
    return queued


def _still_new(session: Session, ref: dict[str, Any], now: datetime) -> bool:
    status = session.scalar(sa.select(Incident.status).where(Incident.id == ref.get("incident")))
    return status == IncidentStatus.NEW


# --- the managers' daily digest -------------------------------------------------------------------


@dataclass(frozen=True)
class DigestIncident:
    id: int
    category: IncidentCategory
    location: str
    description: str
    urgent: bool
    waiting: bool  # nobody took it in charge yet
    age_days: int


@dataclass(frozen=True)
class DigestEvent:
    title: str
    location: str
    starts_at: datetime
    registered: int
    capacity: int


@dataclass(frozen=True)
class DigestAnnouncement:
    id: int
    excerpt: str
    read: int
    delivered: int


@dataclass(frozen=True)
class Digest:
    residence_id: int
    residence_name: str
    timezone: str
    local_date: date
    new: int  # reported in the last 24 hours
    open: int
    urgent: int  # open and urgent
    incidents: tuple[DigestIncident, ...]  # open ones, urgent first, then oldest first
    stale: tuple[tuple[int, tuple[int, ...]], ...]  # (days, incident ids open at least that long), longest first
    bookings: tuple[tuple[str, int], ...]  # (space, bookings today)
    events: tuple[DigestEvent, ...]
    announcements: tuple[DigestAnnouncement, ...]  # asked for an acknowledgment, read by fewer than half


@dataclass(frozen=True)
class DigestRun:
    queued: int
    skipped: int


def _local_day(local_date: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The local day's bounds, each from the zone's own offset (a DST day lasts 23 or 25 hours)."""
    return datetime.combine(local_date, time(0), zone), datetime.combine(local_date + timedelta(days=1), time(0), zone)


def build_digest(session: Session, residence_id: int, now: datetime, config: TickConfig) -> Digest:
    """What a manager of the residence should know this morning."""
    residence = session.get(Residence, residence_id)
    if residence is None:
        raise LookupError(residence_id)
    zone = _zone(residence.timezone, config)
    local_date = now.astimezone(zone).date()
    day_start, day_end = _local_day(local_date, zone)

    open_rows = list(
        session.scalars(
            sa.select(Incident)
            .where(Incident.residence_id == residence_id, Incident.status.in_(OPEN_STATUSES))
            .order_by(Incident.created_at, Incident.id)
        )
    )
    items = [
        DigestIncident(
            id=row.id,
            category=row.category,
            location=row.location,
            description=row.description,
            urgent=row.urgency == Urgency.URGENT,
            waiting=row.status == IncidentStatus.NEW,
            age_days=max(0, (now - row.created_at).days),
        )
        for row in open_rows
    ]
    new = (
        session.scalar(
            sa.select(sa.func.count(Incident.id)).where(
                Incident.residence_id == residence_id,
                Incident.created_at > now - timedelta(days=1),
                Incident.created_at <= now,
            )
        )
        or 0
    )
    stale: list[tuple[int, tuple[int, ...]]] = []
    thresholds = sorted(set(config.stale_days), reverse=True)
    flagged: set[int] = set()
    for days in thresholds:
        ids = tuple(i.id for i in items if i.age_days >= days and i.id not in flagged)
        flagged.update(ids)
        if ids:
            stale.append((days, ids))

    bookings = session.execute(
        sa.select(Space.name, sa.func.count(Reservation.id))
        .join(Space, Space.id == Reservation.space_id)
        .where(
            Space.residence_id == residence_id,
            Reservation.status == ReservationStatus.CONFIRMED,
            Reservation.start_at >= day_start,
            Reservation.start_at < day_end,
        )
        .group_by(Space.id, Space.name)
        .order_by(Space.id)
    ).all()

    registered = (
        sa.select(sa.func.count(Participation.id))
        .where(Participation.event_id == Event.id, Participation.status == ParticipationStatus.REGISTERED)
        .scalar_subquery()
    )
    events = session.execute(
        sa.select(Event.title, Event.location, Event.starts_at, registered, Event.capacity)
        .where(
            Event.residence_id == residence_id,
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at >= day_start,
            Event.starts_at < day_end,
        )
        .order_by(Event.starts_at, Event.id)
    ).all()

    return Digest(
        residence_id=residence_id,
        residence_name=residence.name,
        timezone=zone.key,
        local_date=local_date,
        new=new,
        open=len(items),
        urgent=sum(1 for i in items if i.urgent),
        incidents=tuple(sorted(items, key=lambda i: (not i.urgent, -i.age_days, i.id))),
        stale=tuple(stale),
        bookings=tuple((name, count) for name, count in bookings),
        events=tuple(DigestEvent(title, place, starts, count or 0, cap) for title, place, starts, count, cap in events),
        announcements=tuple(_little_read(session, residence_id, now)),
    )


def _little_read(session: Session, residence_id: int, now: datetime) -> Iterable[DigestAnnouncement]:
    """Recent announcements asking for an acknowledgment that fewer than half of this residence's recipients read."""
    recent = session.scalars(
        sa.select(Announcement)
        .where(Announcement.ask_ack.is_(True), Announcement.created_at >= now - timedelta(days=ANNOUNCEMENT_DAYS))
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
    )
    for announcement in recent:
        if residence_id not in (announcement.residence_ids or []):
            continue
        delivered = (
            session.scalar(
                sa.select(sa.func.count(OutboxMessage.id))
                .join(User, User.id == OutboxMessage.user_id)
                .where(
                    OutboxMessage.batch == batch_of(announcement.id),
                    OutboxMessage.status == OutboxStatus.SENT,
                    User.residence_id == residence_id,
                )
            )
            or 0
        )
        read = (
            session.scalar(
                sa.select(sa.func.count(AnnouncementAck.user_id))
                .join(User, User.id == AnnouncementAck.user_id)
                .where(AnnouncementAck.announcement_id == announcement.id, User.residence_id == residence_id)
            )
            or 0
        )
        if delivered and read / delivered < READ_RATE_LOW:
            yield DigestAnnouncement(
                announcement.id, shorten(" ".join(announcement.text.split()), EXCERPT), read, delivered
            )


def _lines(lines: list[str], more: int) -> str | dict[str, str]:
    """A section's lines, or the catalog's "nothing" (the only part that needs words)."""
    if not lines:
        return outbox.tr("rout.digest.none")
    if more > 0:
        lines.append(f"… +{more}")
    return "\n".join(lines)


def digest_params(digest: Digest) -> dict[str, Any]:
    """The digest as the outbox payload's values: counts, and lines of names and numbers needing no translation."""
    zone = ZoneInfo(digest.timezone)
    shown = digest.incidents[:LIST_LIMIT]
    incidents = [
        "• #{id} {marks}{category} {place} — {text}".format(
            id=i.id,
            marks=("🚨" if i.urgent else "") + ("🆕" if i.waiting else ""),
            category=CATEGORY_MARK.get(i.category, "❓"),
            place=shorten(i.location, 40),
            text=shorten(" ".join(i.description.split()), EXCERPT),
        )
        for i in shown
    ]
    stale = [f"• {days}+ : " + ", ".join(f"#{n}" for n in ids[:LIST_LIMIT]) for days, ids in digest.stale]
    bookings = [f"• {shorten(name, 40)} : {count}" for name, count in digest.bookings[:LIST_LIMIT]]
    events = [
        f"• {e.starts_at.astimezone(zone):%H:%M} {shorten(e.title, EXCERPT)} — {shorten(e.location, 40)}"
        f" ({e.registered}/{e.capacity})"
        for e in digest.events[:LIST_LIMIT]
    ]
    announcements = [
        f"• “{a.excerpt}” — {a.read}/{a.delivered} ({round(100 * a.read / a.delivered)} %)"
        for a in digest.announcements[:LIST_LIMIT]
    ]
    return {
        "residence": digest.residence_name,
        "new": digest.new,
        "open": digest.open,
        "urgent": digest.urgent,
        "incidents": _lines(incidents, len(digest.incidents) - len(shown)),
        "stale": _lines(stale, 0),
        "bookings_total": sum(count for _, count in digest.bookings),
        "bookings": _lines(bookings, len(digest.bookings) - len(bookings)),
        "events_total": len(digest.events),
        "events": _lines(events, len(digest.events) - len(events)),
        "announcements": _lines(announcements, len(digest.announcements) - len(announcements)),
    }


def digest_buttons() -> list[list[dict[str, str]]]:
    return [[outbox.button("rout.btn.desk", "menu:desk")], [outbox.button("btn.menu", "menu:home")]]


def send_digests(session: Session, now: datetime, config: TickConfig, last_tick: datetime | None) -> DigestRun:
    """At `digest_hour` local (or on the first tick after it, until noon), each manager's digest, once a day."""
    managers = session.execute(
        sa.select(User.id, User.residence_id, Residence.timezone)
        .join(Residence, Residence.id == User.residence_id)
        .where(User.role == Role.MANAGER, User.active.is_(True), User.telegram_id.is_not(None))
        .order_by(User.residence_id, User.id)
    ).all()
    by_residence: dict[int, list[int]] = {}
    zones: dict[int, ZoneInfo] = {}
    for user_id, residence_id, tz in managers:
        by_residence.setdefault(residence_id, []).append(user_id)
        zones[residence_id] = _zone(tz, config)
    queued = skipped = 0
    for residence_id, user_ids in by_residence.items():
        zone = zones[residence_id]
        local_date = now.astimezone(zone).date()
        due = datetime.combine(local_date, time(config.digest_hour), zone)
        latest = datetime.combine(local_date, DIGEST_LATEST, zone)
        if now < due:
            continue
        keys = {user_id: digest_key(user_id, local_date) for user_id in user_ids}
        sent = _existing(session, keys.values())
        waiting = [user_id for user_id in user_ids if keys[user_id] not in sent]
        if not waiting:
            continue
        if now >= latest:
            # Fell due while the bot was down and it is now past noon: yesterday's news, not sent.
            if last_tick is None or last_tick < due:
                skipped += len(waiting)
            continue
        digest = build_digest(session, residence_id, now, config)
        params = digest_params(digest)
        rows = outbox.notify_many(
            session,
            waiting,
            kind=DIGEST_KIND,
            key="rout.digest",
            now=now,
            params=params,
            buttons=digest_buttons(),
            dedup_key=keys.get,
        )
        queued += sum(rows)
    return DigestRun(queued, skipped)


# --- marketplace listings -------------------------------------------------------------------------


def notify_expiring_listings(session: Session, now: datetime, config: TickConfig) -> int:
    """The author of a listing ending within `listing_notice` is told, with a button to renew it."""
    rows = list(
        session.scalars(
            sa.select(Listing)
            .where(
                Listing.status.in_(ACTIVE_LISTING),
                Listing.expires_at > now,
                Listing.expires_at <= now + config.listing_notice,
            )
            .order_by(Listing.expires_at, Listing.id)
        )
    )
    sent = _existing(session, (listing_notice_key(row.id, row.expires_at) for row in rows))
    queued = 0
    for row in rows:
        key = listing_notice_key(row.id, row.expires_at)
        if key in sent:
            continue
        queued += (
            outbox.notify(
                session,
                user_id=row.author_id,
                kind=LISTING_NOTICE_KIND,
                key="rout.listing_notice",
                now=now,
                params={"title": row.title, "expires": outbox.dt(row.expires_at)},
                buttons=[
                    [outbox.button("rout.btn.renew", f"mk:st:reopen:{row.id}:0")],
                    [outbox.button("rout.btn.my_listings", "mk:mine:0"), outbox.button("btn.menu", "menu:home")],
                ],
                dedup_key=key,
                ref={"listing": row.id, "expires_at": row.expires_at.isoformat()},
            )
            is not None
        )
    return queued


def expire_listings(session: Session, now: datetime) -> int:
    """Write down what reads already compute: a listing past its end is EXPIRED."""
    result = session.execute(
        sa.update(Listing)
        .where(Listing.status.in_(ACTIVE_LISTING), Listing.expires_at <= now)
        .values(status=ListingStatus.EXPIRED)
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0
    if count:
        log.info("%s listing(s) expired", count)
    return count


def _listing_still_ending(session: Session, ref: dict[str, Any], now: datetime) -> bool:
    row = session.execute(sa.select(Listing.status, Listing.expires_at).where(Listing.id == ref.get("listing"))).first()
    if row is None or row.status not in ACTIVE_LISTING or row.expires_at <= now:
        return False
    return row.expires_at == datetime.fromisoformat(str(ref.get("expires_at")))  # not renewed meanwhile


# --- rating requests ------------------------------------------------------------------------------


def request_ratings(session: Session, now: datetime, config: TickConfig) -> int:
    """A day after the resolution, the reporter who has not rated it is asked to, once."""
    cutoff = now - config.rating_after
    rows = session.execute(
        sa.select(Incident.id, Incident.reporter_id, Incident.category, Incident.location, Incident.resolved_at).where(
            Incident.status == IncidentStatus.RESOLVED,
            Incident.rating.is_(None),
            Incident.resolved_at.is_not(None),
            Incident.resolved_at <= cutoff,
            Incident.resolved_at > cutoff - RATING_WINDOW,
        )
    ).all()
    sent = _existing(session, (rating_key(row.id) for row in rows))
    queued = 0
    for row in rows:
        if rating_key(row.id) in sent:
            continue
        queued += (
            outbox.notify(
                session,
                user_id=row.reporter_id,
                kind=RATING_KIND,
                key="rout.rating",
                now=now,
                params={
                    "number": row.id,
                    "category": outbox.tr(f"inc.cat.{row.category.value}"),
                    "place": row.location,
                    "resolved": outbox.dt(row.resolved_at),
                },
                buttons=[
                    [{"text": f"{n} ⭐", "data": f"inc:rate:{row.id}:{n}"} for n in range(1, 6)],
                    [outbox.button("rout.btn.see", f"inc:open:{row.id}")],
                ],
                dedup_key=rating_key(row.id),
                ref={"incident": row.id},
            )
            is not None
        )
    return queued


def _still_unrated(session: Session, ref: dict[str, Any], now: datetime) -> bool:
    row = session.execute(sa.select(Incident.status, Incident.rating).where(Incident.id == ref.get("incident"))).first()
    return row is not None and row.status == IncidentStatus.RESOLVED and row.rating is None


outbox.register_validator(ESCALATION_KIND, _still_new)
outbox.register_validator(LISTING_NOTICE_KIND, _listing_still_ending)
outbox.register_validator(RATING_KIND, _still_unrated)
