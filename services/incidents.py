"""Incidents as residents see them: reporting, joining a neighbour's report, following, rating.

Managers' handling of incidents (taking, resolving, rejecting) lives in services/desk.py; here every
read and change is made on behalf of the reporter or a follower, and checked as such. Incidents of
another residence do not exist for the acting user (NotFound), whatever id a button carries. The
alert a new incident sends the residence's managers (privately, and to their linked group) is
built here, with the desk's buttons, because it is part of filing the incident.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    OPEN_STATUSES,
    GroupChat,
    GroupKind,
    HistoryKind,
    Incident,
    IncidentCategory,
    IncidentFollower,
    IncidentHistory,
    IncidentPhoto,
    IncidentStatus,
    Role,
    StoredFile,
    Urgency,
    User,
)
from services import files, outbox, points
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me, reachable_managers, signed_in
from services.text import fold
from services.validation import text_length

log = logging.getLogger(__name__)
R = TypeVar("R")

PLACE_MIN, PLACE_MAX = 3, 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 1000
COMMENT_MIN, COMMENT_MAX = 2, 1000
MAX_REPORT_PHOTOS = 5
# Later additions included: enough to show a leak getting worse, not a photo album.
MAX_INCIDENT_PHOTOS = 10
MAX_SIMILAR = 3
PAGE_SIZE = 5
HISTORY_PAGE_SIZE = 3
# How many recent open incidents of a category are compared with a new report.
SIMILAR_CANDIDATES = 200
# An alert sent with a photo is a caption (1024 characters at most): its description is cut to this.
ALERT_DESCRIPTION_WITH_MEDIA = 300

HOME = "home"
# Common places: key -> the name stored in `incidents.location` (French, the residences' language;
# handlers translate the known ones back for English readers).
COMMON_PLACES: dict[str, str] = {
    "hall": "Hall d'entrée",
    "corridors": "Couloirs",
    "elevator": "Ascenseur",
    "stairs": "Escaliers",
    "parking": "Parking",
    "garden": "Jardin",
    "laundry": "Laverie",
    "common_room": "Salle commune",
}
APARTMENT_PREFIX = "Appartement "

# Words that say nothing about which problem it is (French and English), compared without accents.
_STOP_LINES = (
    "le la les un une des du de au aux et ou en dans sur sous par pour avec sans ne pas plus moins",
    "est sont etait ete etre fait faire a ai avons avez ont il elle ils elles on nous vous je tu me",
    "se ce cet cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs qui que quoi",
    "dont tres trop tout tous toute toutes deja encore depuis entre chez comme mais donc car aussi",
    "bien mal peu ici lui cela quand puis apres avant jour jours fois toujours jamais rien",
    "probleme souci fonctionne",
    "the an and or of in on at to for with without is are was were be been it its this that these",
    "those my our your his her their not no from by very too all any some there here again still",
    "since when then after before day days does doesn working work problem issue please",
)
STOP_WORDS = frozenset(word for line in _STOP_LINES for word in line.split())
_WORD = re.compile(r"[a-z0-9]+")


# --- values handed to handlers ------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """A resident's answers, as the report flow collected them."""

    category: IncidentCategory
    description: str
    urgency: Urgency
    place_key: str | None = None  # HOME or a COMMON_PLACES key
    place_text: str | None = None  # free text when no button was used


@dataclass(frozen=True)
class PhotoUpload:
    """Downloaded bytes of a photo, with what Telegram told us about it."""

    content: bytes
    telegram_file_id: str
    telegram_unique_id: str | None = None
    mime_type: str = "image/jpeg"
    # Empty for a Telegram photo; a document's own name otherwise (it is re-sent as a document).
    filename: str = ""


@dataclass(frozen=True)
class SimilarIncident:
    id: int
    category: IncidentCategory
    location: str
    description: str
    status: IncidentStatus
    created_at: datetime
    mine: bool  # reported by the acting user


@dataclass(frozen=True)
class Created:
    id: int
    points: int
    managers_notified: int


@dataclass(frozen=True)
class IncidentLine:
    id: int
    category: IncidentCategory
    status: IncidentStatus
    created_at: datetime
    location: str
    following: bool  # joined, not reported


@dataclass(frozen=True)
class IncidentPage:
    items: list[IncidentLine]
    page: int
    has_next: bool
    total: int


@dataclass(frozen=True)
class HistoryEntry:
    kind: HistoryKind
    at: datetime
    actor_name: str | None
    actor_is_staff: bool
    mine: bool
    from_status: IncidentStatus | None
    to_status: IncidentStatus | None
    text: str | None


@dataclass(frozen=True)
class IncidentDetail:
    id: int
    category: IncidentCategory
    location: str
    description: str
    urgency: Urgency
    status: IncidentStatus
    created_at: datetime
    is_reporter: bool
    is_follower: bool
    rating: int | None
    rejection_reason: str | None
    photo_count: int
    history: list[HistoryEntry] = field(default_factory=list)
    history_total: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def can_comment(self) -> bool:
        return self.is_open and (self.is_reporter or self.is_follower)

    @property
    def can_add_photo(self) -> bool:
        return self.can_comment and self.photo_count < MAX_INCIDENT_PHOTOS

    @property
    def can_withdraw(self) -> bool:
        return self.is_open and self.is_reporter

    @property
    def can_leave(self) -> bool:
        return self.is_follower and not self.is_reporter

    @property
    def can_rate(self) -> bool:
        return self.status == IncidentStatus.RESOLVED and self.is_reporter and self.rating is None


@dataclass(frozen=True)
class HistoryPage:
    incident_id: int
    entries: list[HistoryEntry]
    page: int
    has_next: bool


@dataclass(frozen=True)
class PhotoRef:
    stored_file_id: int
    telegram_file_id: str | None
    is_document: bool


@dataclass(frozen=True)
class Rated:
    id: int
    rating: int
    points: int


def acting(session: Session, telegram_id: int, fn: Callable[..., R], *args: Any) -> R:
    """Run `fn(session, me, *args)` as the Telegram user's linked account, in one unit of work.

    Handlers pass the Telegram id they were given; who that is, and whether they are still
    signed in, is decided here, at the moment of the change.
    """
    me = signed_in(session, telegram_id)
    if me is None:
        raise NotAllowed("not signed in")
    return fn(session, me, *args)


# --- validation (pure: handlers call these to re-ask at the step itself) -------------------------


def check_place(text: str | None) -> str:
    return text_length("place", text, PLACE_MIN, PLACE_MAX)


def check_description(text: str | None) -> str:
    return text_length("description", text, DESCRIPTION_MIN, DESCRIPTION_MAX)


def check_comment(text: str | None) -> str:
    return text_length("comment", text, COMMENT_MIN, COMMENT_MAX)


def check_photo(size: int | None, mime_type: str | None) -> None:
    """A photo or an image document of at most 10 MB, refused before it is downloaded."""
    if not (mime_type or "").lower().startswith("image/"):
        raise InvalidInput("photo", "not_image")
    files.check_size(size)


def resolve_place(me: Me, report: Report) -> tuple[str, bool]:
    """The location text stored, and whether it is the resident's own apartment."""
    if report.place_key == HOME:
        if not me.apartment:
            raise InvalidInput("place", "no_apartment")
        return f"{APARTMENT_PREFIX}{me.apartment}", True
    if report.place_key is not None:
        if report.place_key not in COMMON_PLACES:
            raise InvalidInput("place", "unknown")
        return COMMON_PLACES[report.place_key], False
    return check_place(report.place_text), False


# --- similarity --------------------------------------------------------------------------------


def tokens(text: str) -> set[str]:
    """Meaningful words, without accents, case or plural, so "Ampoules grillées" meets "ampoule grillee"."""
    plain = fold(text)
    words = set()
    for word in _WORD.findall(plain):
        if len(word) < 3 or word in STOP_WORDS:
            continue
        if len(word) > 4 and word[-1] in "sx":
            word = word[:-1]
        words.add(word)
    return words


def similar_incidents(session: Session, me: Me, report: Report) -> list[SimilarIncident]:
    """Open incidents of my residence that look like the one I am about to report.

    Another resident's incident in their own apartment is never offered: it cannot be the same
    problem as mine, and its description is theirs.
    """
    if me.residence_id is None:
        return []
    place, _ = resolve_place(me, report)
    mine = tokens(f"{report.description} {place}")
    if not mine:
        return []
    rows = session.scalars(
        sa.select(Incident)
        .where(
            Incident.residence_id == me.residence_id,
            Incident.category == report.category,
            Incident.status.in_(OPEN_STATUSES),
            sa.or_(Incident.in_private_unit.is_(False), Incident.reporter_id == me.id),
        )
        .order_by(Incident.created_at.desc(), Incident.id.desc())
        .limit(SIMILAR_CANDIDATES)
    )
    scored = []
    for row in rows:
        theirs = tokens(f"{row.description} {row.location}")
        common = len(mine & theirs)
        if common:
            ratio = common / min(len(mine), len(theirs))
            scored.append((common, ratio, row.created_at, row.id, row))
    scored.sort(key=lambda s: (s[0], s[1], s[2], s[3]), reverse=True)
    return [
        SimilarIncident(
            r.id, r.category, r.location, r.description, r.status, r.created_at, mine=r.reporter_id == me.id
        )
        for *_, r in scored[:MAX_SIMILAR]
    ]


# --- reporting ---------------------------------------------------------------------------------


def _residence_of(me: Me) -> int:
    if me.residence_id is None:
        raise NotAllowed("incidents belong to a residence")
    return me.residence_id


def _who(me: Me) -> str:
    return f"{me.first_name} ({me.apartment})" if me.apartment else me.first_name


def _store_photo(session: Session, incident_id: int, me: Me, upload: PhotoUpload, now: datetime) -> int:
    check_photo(len(upload.content), upload.mime_type)
    ref = files.store(
        session,
        upload.content,
        now=now,
        filename=upload.filename,
        mime_type=upload.mime_type,
        telegram_file_id=upload.telegram_file_id,
        telegram_unique_id=upload.telegram_unique_id,
    )
    session.add(IncidentPhoto(incident_id=incident_id, file_id=ref.id, added_by_id=me.id, created_at=now))
    return ref.id


def create_incident(session: Session, me: Me, report: Report, photos: Sequence[PhotoUpload], now: datetime) -> Created:
    """File the incident with its photos, pay the reporter, and alert the residence's managers."""
    residence_id = _residence_of(me)
    location, private = resolve_place(me, report)
    description = check_description(report.description)
    if len(photos) > MAX_REPORT_PHOTOS:
        raise InvalidInput("photo", "too_many", max=MAX_REPORT_PHOTOS)
    incident = Incident(
        residence_id=residence_id,
        reporter_id=me.id,
        category=report.category,
        location=location,
        in_private_unit=private,
        description=description,
        urgency=report.urgency,
        status=IncidentStatus.NEW,
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    session.add(
        IncidentHistory(
            incident_id=incident.id,
            actor_id=me.id,
            kind=HistoryKind.CREATED,
            to_status=IncidentStatus.NEW,
            created_at=now,
        )
    )
    for upload in photos:
        _store_photo(session, incident.id, me, upload, now)
    earned = points.award(session, me.id, "incident_reported", f"incident:{incident.id}", now)
    notified = _alert_managers(session, incident, _who(me), now)
    log.info("incident %s reported (%s, %s)", incident.id, report.category.value, report.urgency.value)
    return Created(incident.id, earned, notified)


# --- the managers' alert -------------------------------------------------------------------------


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def staff_buttons(incident_id: int, status: IncidentStatus) -> list[list[dict[str, str]]]:
    """The desk's buttons under an alert, for what can still be done from `status`.

    The ids in them are only a hint: the desk checks, on each press, who presses and what is allowed.
    """
    rows: list[list[dict[str, str]]] = []
    if status in OPEN_STATUSES:
        steps = []
        if status == IncidentStatus.NEW:
            steps.append(outbox.button("desk.btn.take", f"desk:tk:{incident_id}"))
        if status in (IncidentStatus.NEW, IncidentStatus.TAKEN):
            steps.append(outbox.button("desk.btn.progress", f"desk:ip:{incident_id}"))
        rows.append(steps)
        rows.append(
            [
                outbox.button("desk.btn.resolve", f"desk:rs:{incident_id}"),
                outbox.button("desk.btn.reject", f"desk:rj:{incident_id}"),
            ]
        )
    rows.append(
        [
            outbox.button("desk.btn.comment", f"desk:cm:{incident_id}"),
            outbox.button("desk.btn.details", f"desk:o:{incident_id}"),
        ]
    )
    return [row for row in rows if row]


def alert_params(incident: Incident, who: str, photos: int, *, media: bool) -> dict[str, Any]:
    """The values of `inc.alert.new` / `inc.alert.urgent` (the desk's card reuses the same texts)."""
    limit = ALERT_DESCRIPTION_WITH_MEDIA if media else DESCRIPTION_MAX
    return {
        "number": incident.id,
        "category": outbox.tr(f"inc.cat.{incident.category.value}"),
        "place": incident.location,
        "urgency": outbox.tr(f"inc.urg.{incident.urgency.value}"),
        "description": shorten(incident.description, limit),
        "who": who,
        "photos": photos,
    }


def alert_key(urgency: Urgency) -> str:
    return "inc.alert.urgent" if urgency == Urgency.URGENT else "inc.alert.new"


def managers_groups(session: Session, residence_id: int) -> list[tuple[int, str]]:
    """The residence's linked managers' groups: (chat id, language of the manager who linked it)."""
    rows = session.execute(
        sa.select(GroupChat.chat_id, User.language)
        .outerjoin(User, User.id == GroupChat.linked_by_id)
        .where(
            GroupChat.residence_id == residence_id,
            GroupChat.kind == GroupKind.MANAGERS,
            GroupChat.active.is_(True),
        )
        .order_by(GroupChat.id)
    ).all()
    return [(chat_id, language or "fr") for chat_id, language in rows]


def _first_image(session: Session, incident_id: int) -> tuple[int, bool] | None:
    """The first stored image and whether it came as a file (it then goes out as a document)."""
    row = session.execute(
        sa.select(StoredFile.id, StoredFile.filename)
        .join(IncidentPhoto, IncidentPhoto.file_id == StoredFile.id)
        .where(IncidentPhoto.incident_id == incident_id)
        .order_by(IncidentPhoto.id)
        .limit(1)
    ).first()
    return (row.id, bool(row.filename)) if row else None


def _alert_managers(session: Session, incident: Incident, who: str, now: datetime) -> int:
    """Each manager privately, and each linked managers' group, with the first image and the desk's buttons."""
    session.flush()
    photos = (
        session.scalar(sa.select(sa.func.count(IncidentPhoto.id)).where(IncidentPhoto.incident_id == incident.id)) or 0
    )
    first = _first_image(session, incident.id)
    photo = first[0] if first and not first[1] else None
    document = first[0] if first and first[1] else None
    key = alert_key(incident.urgency)
    params = alert_params(incident, who, photos, media=first is not None)
    buttons = staff_buttons(incident.id, incident.status)
    notified = 0
    for manager_id in reachable_managers(session, incident.residence_id):
        queued = outbox.notify(
            session,
            user_id=manager_id,
            kind="incident_alert",
            key=key,
            now=now,
            params=params,
            buttons=buttons,
            photo=photo,
            document=document,
            dedup_key=f"incident:{incident.id}:alert:{manager_id}",
        )
        notified += queued is not None
    for chat_id, lang in managers_groups(session, incident.residence_id):
        queued = outbox.notify_chat(
            session,
            chat_id=chat_id,
            kind="incident_alert",
            key=key,
            now=now,
            lang=lang,
            params=params,
            buttons=buttons,
            photo=photo,
            document=document,
            dedup_key=f"incident:{incident.id}:alert:chat:{chat_id}",
        )
    return notified


# --- reading -----------------------------------------------------------------------------------


def _following(session: Session, incident_id: int, user_id: int) -> bool:
    return session.get(IncidentFollower, (incident_id, user_id)) is not None


def _visible(session: Session, me: Me, incident_id: int, *, lock: bool = False) -> tuple[Incident, bool]:
    """The incident and whether I follow it; NotFound outside my residence, NotAllowed if not mine."""
    stmt = sa.select(Incident).where(Incident.id == incident_id)
    if lock:
        stmt = stmt.with_for_update()
    incident = session.scalar(stmt)
    if incident is None:
        raise NotFound("incident")
    if me.role != Role.ADMIN and incident.residence_id != me.residence_id:
        raise NotFound("incident")
    following = _following(session, incident_id, me.id)
    if incident.reporter_id != me.id and not following and not me.is_staff:
        raise NotAllowed("only the reporter and followers see an incident")
    return incident, following


def _involved(session: Session, me: Me, incident_id: int, *, lock: bool = False) -> tuple[Incident, bool]:
    """Like _visible, but for changes: staff reading along may not act as a resident."""
    incident, following = _visible(session, me, incident_id, lock=lock)
    if incident.reporter_id != me.id and not following:
        raise NotAllowed("only the reporter and followers act on an incident")
    return incident, following


def involved_ids(user_id: int, statuses: Sequence[IncidentStatus] | None = None) -> sa.CompoundSelect:
    """The ids of the incidents a user reported or follows (of `statuses`, if given), each once.

    A UNION of two indexed lookups (incidents by reporter, followers by user): written as
    `reporter_id = me OR id IN (followed)`, neither index can serve, and the databases scan every
    follower (SQLite) or every incident (PostgreSQL) instead.
    """
    reported = sa.select(Incident.id).where(Incident.reporter_id == user_id)
    followed = sa.select(IncidentFollower.incident_id).where(IncidentFollower.user_id == user_id)
    if statuses is not None:
        reported = reported.where(Incident.status.in_(statuses))
        followed = followed.join(Incident, Incident.id == IncidentFollower.incident_id).where(
            Incident.status.in_(statuses)
        )
    return sa.union(reported, followed)


def count_involved(session: Session, user_id: int, statuses: Sequence[IncidentStatus] | None = None) -> int:
    """How many incidents the user reported or follows (of `statuses`, if given)."""
    ids = involved_ids(user_id, statuses).subquery()
    return session.scalar(sa.select(sa.func.count()).select_from(ids)) or 0


def list_incidents(session: Session, me: Me, page: int = 0, per_page: int = PAGE_SIZE) -> IncidentPage:
    """Mine and the ones I joined, newest first."""
    page = max(0, page)
    scope = Incident.id.in_(involved_ids(me.id))
    total = count_involved(session, me.id)
    rows = session.scalars(
        sa.select(Incident)
        .where(scope)
        .order_by(Incident.created_at.desc(), Incident.id.desc())
        .offset(page * per_page)
        .limit(per_page + 1)
    ).all()
    items = [
        IncidentLine(r.id, r.category, r.status, r.created_at, r.location, following=r.reporter_id != me.id)
        for r in rows[:per_page]
    ]
    return IncidentPage(items, page, len(rows) > per_page, total)


def _public_history(session: Session, incident_id: int) -> sa.Select[tuple[IncidentHistory, User | None]]:
    return (
        sa.select(IncidentHistory, User)
        .outerjoin(User, User.id == IncidentHistory.actor_id)
        .where(IncidentHistory.incident_id == incident_id, IncidentHistory.internal.is_(False))
    )


def _entry(me: Me, row: IncidentHistory, actor: User | None) -> HistoryEntry:
    return HistoryEntry(
        kind=row.kind,
        at=row.created_at,
        actor_name=actor.first_name if actor else None,
        actor_is_staff=bool(actor and actor.is_staff),
        mine=row.actor_id == me.id,
        from_status=row.from_status,
        to_status=row.to_status,
        text=row.text,
    )


def incident_detail(session: Session, me: Me, incident_id: int, recent: int = 5) -> IncidentDetail:
    """The incident with its latest public history entries (oldest first among them)."""
    incident, following = _visible(session, me, incident_id)
    history = _public_history(session, incident_id)
    total = session.scalar(sa.select(sa.func.count()).select_from(history.subquery())) or 0
    rows = session.execute(
        history.order_by(IncidentHistory.created_at.desc(), IncidentHistory.id.desc()).limit(recent)
    ).all()
    photo_count = (
        session.scalar(sa.select(sa.func.count(IncidentPhoto.id)).where(IncidentPhoto.incident_id == incident_id)) or 0
    )
    return IncidentDetail(
        id=incident.id,
        category=incident.category,
        location=incident.location,
        description=incident.description,
        urgency=incident.urgency,
        status=incident.status,
        created_at=incident.created_at,
        is_reporter=incident.reporter_id == me.id,
        is_follower=following,
        rating=incident.rating,
        rejection_reason=incident.rejection_reason,
        photo_count=photo_count,
        history=[_entry(me, row, actor) for row, actor in reversed(rows)],
        history_total=total,
    )


def history_page(
    session: Session, me: Me, incident_id: int, page: int = 0, per_page: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """The whole public history, oldest first, a few entries a page (comments may be long)."""
    _visible(session, me, incident_id)
    page = max(0, page)
    rows = session.execute(
        _public_history(session, incident_id)
        .order_by(IncidentHistory.created_at, IncidentHistory.id)
        .offset(page * per_page)
        .limit(per_page + 1)
    ).all()
    entries = [_entry(me, row, actor) for row, actor in rows[:per_page]]
    return HistoryPage(incident_id, entries, page, len(rows) > per_page)


def incident_photos(session: Session, me: Me, incident_id: int) -> list[PhotoRef]:
    _visible(session, me, incident_id)
    rows = session.execute(
        sa.select(StoredFile.id, StoredFile.telegram_file_id, StoredFile.filename)
        .join(IncidentPhoto, IncidentPhoto.file_id == StoredFile.id)
        .where(IncidentPhoto.incident_id == incident_id)
        .order_by(IncidentPhoto.id)
    ).all()
    return [PhotoRef(file_id, telegram_id, bool(filename)) for file_id, telegram_id, filename in rows]


# --- acting on an incident ---------------------------------------------------------------------


def _require_open(incident: Incident) -> None:
    if incident.status not in OPEN_STATUSES:
        raise InvalidInput("incident", "closed", status=incident.status.value)


def join_incident(session: Session, me: Me, incident_id: int, now: datetime) -> int:
    """ "It's the same problem": follow a neighbour's open incident instead of filing a duplicate."""
    incident = session.get(Incident, incident_id)
    if incident is None or incident.residence_id != me.residence_id or me.residence_id is None:
        raise NotFound("incident")
    if incident.reporter_id == me.id:
        raise InvalidInput("incident", "own")
    if incident.in_private_unit:
        raise NotFound("incident")  # someone's apartment: never offered, so not joinable either
    _require_open(incident)
    try:
        with session.begin_nested():
            session.add(IncidentFollower(incident_id=incident_id, user_id=me.id, created_at=now))
            session.flush()
    except IntegrityError:
        raise InvalidInput("incident", "already_following") from None
    session.add(IncidentHistory(incident_id=incident_id, actor_id=me.id, kind=HistoryKind.JOINED, created_at=now))
    return incident_id


def _notify_managers(
    session: Session,
    incident: Incident,
    *,
    kind: str,
    key: str,
    params: dict[str, object],
    ref: str,
    now: datetime,
    photo: int | None = None,
    document: int | None = None,
) -> None:
    for manager_id in reachable_managers(session, incident.residence_id):
        outbox.notify(
            session,
            user_id=manager_id,
            kind=kind,
            key=key,
            now=now,
            params={"number": incident.id, "category": outbox.tr(f"inc.cat.{incident.category.value}"), **params},
            buttons=[[outbox.button("desk.btn.details", f"desk:o:{incident.id}")]],
            photo=photo,
            document=document,
            dedup_key=f"incident:{incident.id}:{ref}:{manager_id}",
        )


def add_comment(session: Session, me: Me, incident_id: int, text: str, now: datetime) -> int:
    """A public comment from the reporter or a follower; the residence's managers are told."""
    comment = check_comment(text)
    incident, _ = _involved(session, me, incident_id)
    _require_open(incident)
    row = IncidentHistory(
        incident_id=incident_id, actor_id=me.id, kind=HistoryKind.COMMENT, text=comment, internal=False, created_at=now
    )
    session.add(row)
    incident.updated_at = now
    session.flush()
    _notify_managers(
        session,
        incident,
        kind="incident_comment",
        key="inc.alert.comment",
        params={"who": _who(me), "text": comment},
        ref=f"comment:{row.id}",
        now=now,
    )
    return row.id


def add_photo(session: Session, me: Me, incident_id: int, upload: PhotoUpload, now: datetime) -> int:
    incident, _ = _involved(session, me, incident_id, lock=True)
    _require_open(incident)
    count = (
        session.scalar(sa.select(sa.func.count(IncidentPhoto.id)).where(IncidentPhoto.incident_id == incident_id)) or 0
    )
    if count >= MAX_INCIDENT_PHOTOS:
        raise InvalidInput("photo", "too_many", max=MAX_INCIDENT_PHOTOS)
    stored = _store_photo(session, incident_id, me, upload, now)
    row = IncidentHistory(incident_id=incident_id, actor_id=me.id, kind=HistoryKind.PHOTO, created_at=now)
    session.add(row)
    incident.updated_at = now
    session.flush()
    as_document = bool(upload.filename)
    _notify_managers(
        session,
        incident,
        kind="incident_photo",
        key="inc.alert.photo",
        params={"who": _who(me)},
        ref=f"photo:{row.id}",
        now=now,
        photo=None if as_document else stored,
        document=stored if as_document else None,
    )
    return stored


def withdraw(session: Session, me: Me, incident_id: int, now: datetime) -> int:
    """The reporter takes the incident back; followers and managers are told."""
    incident, _ = _involved(session, me, incident_id, lock=True)
    if incident.reporter_id != me.id:
        raise NotAllowed("only the reporter withdraws an incident")
    previous = incident.status
    # The status guard is in the UPDATE itself, so a manager closing it at the same moment wins cleanly.
    changed = session.execute(
        sa.update(Incident)
        .where(Incident.id == incident_id, Incident.status.in_(OPEN_STATUSES))
        .values(status=IncidentStatus.WITHDRAWN, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise InvalidInput("incident", "closed", status=previous.value)
    session.add(
        IncidentHistory(
            incident_id=incident_id,
            actor_id=me.id,
            kind=HistoryKind.STATUS,
            from_status=previous,
            to_status=IncidentStatus.WITHDRAWN,
            created_at=now,
        )
    )
    _notify_managers(
        session,
        incident,
        kind="incident_withdrawn",
        key="inc.alert.withdrawn",
        params={"who": _who(me)},
        ref="withdrawn",
        now=now,
    )
    followers = session.scalars(sa.select(IncidentFollower.user_id).where(IncidentFollower.incident_id == incident_id))
    for follower_id in followers:
        outbox.notify(
            session,
            user_id=follower_id,
            kind="incident_status",
            key="inc.followed.withdrawn",
            now=now,
            params={"number": incident_id, "category": outbox.tr(f"inc.cat.{incident.category.value}")},
            dedup_key=f"incident:{incident_id}:withdrawn:{follower_id}",
        )
    return incident_id


def leave(session: Session, me: Me, incident_id: int, now: datetime) -> int:
    """A follower stops following; the reporter cannot (they withdraw instead)."""
    _visible(session, me, incident_id)
    deleted = session.execute(
        sa.delete(IncidentFollower).where(
            IncidentFollower.incident_id == incident_id, IncidentFollower.user_id == me.id
        )
    ).rowcount
    if not deleted:
        raise InvalidInput("incident", "not_following")
    return incident_id


def rate(session: Session, me: Me, incident_id: int, rating: int, now: datetime) -> Rated:
    """The reporter rates a resolved incident once, and is paid for it once."""
    if not 1 <= rating <= 5:
        raise InvalidInput("rating", "range", min=1, max=5)
    incident, _ = _involved(session, me, incident_id)
    if incident.reporter_id != me.id:
        raise NotAllowed("only the reporter rates the resolution")
    if incident.status != IncidentStatus.RESOLVED:
        raise InvalidInput("incident", "not_resolved", status=incident.status.value)
    # "Once" rests on the UPDATE's guard, not on the value read above.
    changed = session.execute(
        sa.update(Incident)
        .where(Incident.id == incident_id, Incident.rating.is_(None), Incident.status == IncidentStatus.RESOLVED)
        .values(rating=rating, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise InvalidInput("rating", "already")
    session.add(
        IncidentHistory(
            incident_id=incident_id, actor_id=me.id, kind=HistoryKind.RATED, text=str(rating), created_at=now
        )
    )
    earned = points.award(session, me.id, "incident_rated", f"incident:{incident_id}", now)
    return Rated(incident_id, rating, earned)
