"""The managers' incident desk: the residence's queue, an incident's full file, and acting on it.

Only a manager of the incident's residence, or an admin, reads or changes anything here; the check
is made on every call, whatever a button carried (callback data is input, not proof). A resident is
told the desk is for managers (NotAllowed); a manager of another residence finds nothing (NotFound).

Status moves forward only: new → taken → in progress → resolved, skipping steps if need be;
rejected (with a reason) from any open status; nothing leaves resolved, rejected or withdrawn.
Every change is written to the incident's history, and the reporter and the residents who joined
the incident are told through the outbox, in the same transaction, each in their own language.
Internal notes stay in the history as `internal` rows, which residents' views never read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from models import (
    OPEN_STATUSES,
    HistoryKind,
    Incident,
    IncidentCategory,
    IncidentFollower,
    IncidentHistory,
    IncidentPhoto,
    IncidentStatus,
    Residence,
    Role,
    StoredFile,
    Urgency,
    User,
)
from services import outbox
from services.errors import InvalidInput, NotAllowed, NotFound
from services.incidents import (
    PhotoRef,
    check_comment,
    managers_groups,
    shorten,
)
from services.people import Me
from services.validation import text_length

log = logging.getLogger(__name__)

REASON_MIN, REASON_MAX = 3, 500
NOTE_MIN, NOTE_MAX = 2, 1000
QUEUE_PAGE_SIZE = 5
HISTORY_RECENT = 5
HISTORY_PAGE_SIZE = 3

# What a status button asks for, and the forward order the statuses follow.
ACTIONS: dict[str, IncidentStatus] = {
    "take": IncidentStatus.TAKEN,
    "progress": IncidentStatus.IN_PROGRESS,
    "resolve": IncidentStatus.RESOLVED,
    "reject": IncidentStatus.REJECTED,
}
_ORDER = {
    IncidentStatus.NEW: 0,
    IncidentStatus.TAKEN: 1,
    IncidentStatus.IN_PROGRESS: 2,
    IncidentStatus.RESOLVED: 3,
}
ANY = "-"
STATUS_FILTERS = ("open", "all", *(s.value for s in IncidentStatus))

__all__ = [
    "ACTIONS",
    "Acted",
    "Card",
    "DeskDetail",
    "DeskEntry",
    "DeskHistoryPage",
    "ManagerChoice",
    "QueueFilter",
    "QueueLine",
    "QueuePage",
    "ResidenceChoice",
    "add_comment",
    "add_note",
    "assign",
    "card",
    "change_status",
    "check_note",
    "check_reason",
    "detail",
    "history_page",
    "managers_for",
    "photos",
    "queue",
    "residences",
]


# --- values handed to handlers ------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """An incident as the managers' alert shows it, with its current state."""

    id: int
    residence_id: int
    residence_name: str
    category: IncidentCategory
    location: str
    urgency: Urgency
    status: IncidentStatus
    description: str
    reporter: str  # "Jeanne (A12)"
    photo_count: int
    created_at: datetime
    assignee_id: int | None
    assignee_name: str | None
    rejection_reason: str | None
    rating: int | None
    followers: int
    # The latest status change: who made it and when (None while the incident is new).
    status_by: str | None = None
    status_at: datetime | None = None
    timezone: str = "Europe/Paris"
    # The language of the residence's managers' group, for a card shown there.
    group_language: str = "fr"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can(self, action: str) -> bool:
        """Whether a status button still makes sense (the service decides again on the press)."""
        if not self.is_open:
            return False
        if action == "reject":
            return True
        return _ORDER[ACTIONS[action]] > _ORDER[self.status]


@dataclass(frozen=True)
class Acted:
    """What a desk action did, for the message that was pressed and the actor's confirmation."""

    card: Card
    what: str  # "taken", "in_progress", "resolved", "rejected", "comment", "note", "assigned"
    actor_name: str
    at: datetime
    notified: int = 0
    assignee_name: str | None = None


@dataclass(frozen=True)
class QueueFilter:
    status: str = "open"  # "open", "all", or a status value
    urgency: str = ANY  # ANY or an urgency value
    category: str = ANY  # ANY or a category value

    def checked(self) -> QueueFilter:
        if self.status not in STATUS_FILTERS:
            raise InvalidInput("filter", "status")
        if self.urgency != ANY and self.urgency not in {u.value for u in Urgency}:
            raise InvalidInput("filter", "urgency")
        if self.category != ANY and self.category not in {c.value for c in IncidentCategory}:
            raise InvalidInput("filter", "category")
        return self


@dataclass(frozen=True)
class QueueLine:
    id: int
    category: IncidentCategory
    status: IncidentStatus
    urgency: Urgency
    created_at: datetime
    location: str
    residence_name: str
    assignee_name: str | None
    assigned_to_me: bool


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueLine]
    page: int
    has_next: bool
    total: int
    residence_id: int | None  # None: every residence (an admin's view)
    residence_name: str | None
    filters: QueueFilter
    can_switch: bool  # an admin may pick another residence


@dataclass(frozen=True)
class ResidenceChoice:
    id: int
    name: str
    open_incidents: int
    urgent_incidents: int


@dataclass(frozen=True)
class DeskEntry:
    kind: HistoryKind
    at: datetime
    actor_name: str | None
    actor_is_staff: bool
    internal: bool
    from_status: IncidentStatus | None
    to_status: IncidentStatus | None
    text: str | None


@dataclass(frozen=True)
class DeskDetail:
    card: Card
    history: list[DeskEntry] = field(default_factory=list)
    history_total: int = 0


@dataclass(frozen=True)
class DeskHistoryPage:
    incident_id: int
    entries: list[DeskEntry]
    page: int
    has_next: bool


@dataclass(frozen=True)
class ManagerChoice:
    id: int
    name: str
    is_me: bool
    is_assignee: bool


# --- validation (pure: handlers call these to re-ask at the step itself) --------------------------


def check_reason(text: str | None) -> str:
    return text_length("reason", text, REASON_MIN, REASON_MAX)


def check_note(text: str | None) -> str:
    return text_length("note", text, NOTE_MIN, NOTE_MAX)


# --- who may act ----------------------------------------------------------------------------------


def _require_staff(me: Me) -> None:
    if me.role == Role.ADMIN:
        return
    if me.role != Role.MANAGER or me.residence_id is None:
        raise NotAllowed("the desk is for the residence's managers")


def _staff_incident(session: Session, me: Me, incident_id: int, *, lock: bool = False) -> Incident:
    """The incident, if `me` manages its residence; another residence's incident does not exist here."""
    _require_staff(me)
    stmt = sa.select(Incident).where(Incident.id == incident_id)
    if lock:
        stmt = stmt.with_for_update()
    incident = session.scalar(stmt)
    if incident is None or (me.role != Role.ADMIN and incident.residence_id != me.residence_id):
        raise NotFound("incident")
    return incident


def _label(user: User | None) -> str:
    if user is None:
        return ""
    return f"{user.first_name} ({user.apartment})" if user.apartment else user.first_name


def _card(session: Session, incident: Incident) -> Card:
    reporter = session.get(User, incident.reporter_id)
    assignee = session.get(User, incident.assignee_id) if incident.assignee_id else None
    residence = session.get(Residence, incident.residence_id)
    photo_count = (
        session.scalar(sa.select(sa.func.count(IncidentPhoto.id)).where(IncidentPhoto.incident_id == incident.id)) or 0
    )
    followers = (
        session.scalar(
            sa.select(sa.func.count(IncidentFollower.user_id)).where(IncidentFollower.incident_id == incident.id)
        )
        or 0
    )
    groups = managers_groups(session, incident.residence_id)
    last = session.execute(
        sa.select(User.first_name, IncidentHistory.created_at)
        .select_from(IncidentHistory)
        .outerjoin(User, User.id == IncidentHistory.actor_id)
        .where(IncidentHistory.incident_id == incident.id, IncidentHistory.kind == HistoryKind.STATUS)
        .order_by(IncidentHistory.created_at.desc(), IncidentHistory.id.desc())
        .limit(1)
    ).first()
    return Card(
        id=incident.id,
        residence_id=incident.residence_id,
        residence_name=residence.name if residence else "",
        category=incident.category,
        location=incident.location,
        urgency=incident.urgency,
        status=incident.status,
        description=incident.description,
        reporter=_label(reporter),
        photo_count=photo_count,
        created_at=incident.created_at,
        assignee_id=incident.assignee_id,
        assignee_name=assignee.first_name if assignee else None,
        rejection_reason=incident.rejection_reason,
        rating=incident.rating,
        followers=followers,
        status_by=(last[0] or "") if last else None,
        status_at=last[1] if last else None,
        timezone=residence.timezone if residence else "Europe/Paris",
        group_language=groups[0][1] if groups else "fr",
    )


def card(session: Session, me: Me, incident_id: int) -> Card:
    return _card(session, _staff_incident(session, me, incident_id))


# --- the queue ------------------------------------------------------------------------------------


def residences(session: Session, me: Me) -> list[ResidenceChoice]:
    """The residences whose desk I may open (an admin: all of them; a manager: theirs)."""
    _require_staff(me)
    stmt = sa.select(Residence.id, Residence.name).order_by(Residence.name)
    if me.role != Role.ADMIN:
        stmt = stmt.where(Residence.id == me.residence_id)
    counts = dict(
        session.execute(
            sa.select(Incident.residence_id, sa.func.count(Incident.id))
            .where(Incident.status.in_(OPEN_STATUSES))
            .group_by(Incident.residence_id)
        ).all()
    )
    urgent = dict(
        session.execute(
            sa.select(Incident.residence_id, sa.func.count(Incident.id))
            .where(Incident.status.in_(OPEN_STATUSES), Incident.urgency == Urgency.URGENT)
            .group_by(Incident.residence_id)
        ).all()
    )
    return [ResidenceChoice(rid, name, counts.get(rid, 0), urgent.get(rid, 0)) for rid, name in session.execute(stmt)]


def _scope(session: Session, me: Me, residence_id: int | None) -> tuple[int | None, str | None]:
    """Which residence a queue covers: a manager's own; for an admin, the one asked, or all (None)."""
    _require_staff(me)
    if me.role != Role.ADMIN:
        if residence_id is not None and residence_id != me.residence_id:
            raise NotFound("residence")
        residence_id = me.residence_id
    if residence_id is None:
        return None, None
    residence = session.get(Residence, residence_id)
    if residence is None:
        raise NotFound("residence")
    return residence.id, residence.name


def queue(
    session: Session,
    me: Me,
    residence_id: int | None = None,
    filters: QueueFilter | None = None,
    page: int = 0,
    per_page: int = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """The residence's incidents matching the filters, oldest first (open ones by default)."""
    scope_id, scope_name = _scope(session, me, residence_id)
    wanted = (filters or QueueFilter()).checked()
    page = max(0, page)
    conditions: list[Any] = []
    if scope_id is not None:
        conditions.append(Incident.residence_id == scope_id)
    if wanted.status == "open":
        conditions.append(Incident.status.in_(OPEN_STATUSES))
    elif wanted.status != "all":
        conditions.append(Incident.status == IncidentStatus(wanted.status))
    if wanted.urgency != ANY:
        conditions.append(Incident.urgency == Urgency(wanted.urgency))
    if wanted.category != ANY:
        conditions.append(Incident.category == IncidentCategory(wanted.category))
    total = session.scalar(sa.select(sa.func.count(Incident.id)).where(*conditions)) or 0
    assignee = aliased(User)
    rows = session.execute(
        sa.select(Incident, Residence.name, assignee.first_name)
        .join(Residence, Residence.id == Incident.residence_id)
        .outerjoin(assignee, assignee.id == Incident.assignee_id)
        .where(*conditions)
        .order_by(Incident.created_at, Incident.id)
        .offset(page * per_page)
        .limit(per_page + 1)
    ).all()
    items = [
        QueueLine(
            id=row.id,
            category=row.category,
            status=row.status,
            urgency=row.urgency,
            created_at=row.created_at,
            location=row.location,
            residence_name=residence_name,
            assignee_name=assignee_name,
            assigned_to_me=row.assignee_id == me.id,
        )
        for row, residence_name, assignee_name in rows[:per_page]
    ]
    return QueuePage(
        items=items,
        page=page,
        has_next=len(rows) > per_page,
        total=total,
        residence_id=scope_id,
        residence_name=scope_name,
        filters=wanted,
        can_switch=me.role == Role.ADMIN,
    )


# --- one incident's file --------------------------------------------------------------------------


def _history(session: Session, incident_id: int) -> sa.Select[tuple[IncidentHistory, User | None]]:
    return (
        sa.select(IncidentHistory, User)
        .outerjoin(User, User.id == IncidentHistory.actor_id)
        .where(IncidentHistory.incident_id == incident_id)
    )


def _entry(row: IncidentHistory, actor: User | None) -> DeskEntry:
    return DeskEntry(
        kind=row.kind,
        at=row.created_at,
        actor_name=actor.first_name if actor else None,
        actor_is_staff=bool(actor and actor.is_staff),
        internal=row.internal,
        from_status=row.from_status,
        to_status=row.to_status,
        text=row.text,
    )


def detail(session: Session, me: Me, incident_id: int, recent: int = HISTORY_RECENT) -> DeskDetail:
    """The card and the latest history entries, internal notes included (oldest first among them)."""
    incident = _staff_incident(session, me, incident_id)
    history = _history(session, incident_id)
    total = session.scalar(sa.select(sa.func.count()).select_from(history.subquery())) or 0
    rows = session.execute(
        history.order_by(IncidentHistory.created_at.desc(), IncidentHistory.id.desc()).limit(recent)
    ).all()
    return DeskDetail(_card(session, incident), [_entry(row, actor) for row, actor in reversed(rows)], total)


def history_page(
    session: Session, me: Me, incident_id: int, page: int = 0, per_page: int = HISTORY_PAGE_SIZE
) -> DeskHistoryPage:
    _staff_incident(session, me, incident_id)
    page = max(0, page)
    rows = session.execute(
        _history(session, incident_id)
        .order_by(IncidentHistory.created_at, IncidentHistory.id)
        .offset(page * per_page)
        .limit(per_page + 1)
    ).all()
    return DeskHistoryPage(incident_id, [_entry(r, a) for r, a in rows[:per_page]], page, len(rows) > per_page)


def photos(session: Session, me: Me, incident_id: int) -> list[PhotoRef]:
    _staff_incident(session, me, incident_id)
    rows = session.execute(
        sa.select(StoredFile.id, StoredFile.telegram_file_id, StoredFile.filename)
        .join(IncidentPhoto, IncidentPhoto.file_id == StoredFile.id)
        .where(IncidentPhoto.incident_id == incident_id)
        .order_by(IncidentPhoto.id)
    ).all()
    return [PhotoRef(file_id, telegram_id, bool(filename)) for file_id, telegram_id, filename in rows]


# --- telling the residents ------------------------------------------------------------------------


def _residents_of(session: Session, incident: Incident) -> list[int]:
    """The reporter, then everyone who joined the incident."""
    followers = session.scalars(
        sa.select(IncidentFollower.user_id)
        .where(IncidentFollower.incident_id == incident.id)
        .order_by(IncidentFollower.created_at, IncidentFollower.user_id)
    )
    return list(dict.fromkeys([incident.reporter_id, *followers]))


def _tell_residents(
    session: Session,
    incident: Incident,
    me: Me,
    *,
    kind: str,
    key: str,
    params: dict[str, Any],
    ref: str,
    now: datetime,
    rate: bool = False,
) -> int:
    """Queue the news for the reporter and followers (not for the actor); the reporter may be asked to rate."""
    told = 0
    base = {"number": incident.id, "category": outbox.tr(f"inc.cat.{incident.category.value}"), "who": me.first_name}
    for user_id in _residents_of(session, incident):
        if user_id == me.id:
            continue
        buttons = []
        reporter = user_id == incident.reporter_id
        if rate and reporter:
            buttons.append([{"text": f"{n} ⭐", "data": f"inc:rate:{incident.id}:{n}"} for n in range(1, 6)])
        buttons.append([outbox.button("desk.btn.see", f"inc:open:{incident.id}")])
        queued = outbox.notify(
            session,
            user_id=user_id,
            kind=kind,
            key=f"{key}_rate" if rate and reporter else key,
            now=now,
            params={**base, **params},
            buttons=buttons,
            dedup_key=f"incident:{incident.id}:{ref}:{user_id}",
        )
        told += queued is not None
    return told


def _add_history(session: Session, **values: Any) -> IncidentHistory:
    row = IncidentHistory(**values)
    session.add(row)
    session.flush()
    return row


# --- acting ---------------------------------------------------------------------------------------


def change_status(
    session: Session, me: Me, incident_id: int, action: str, now: datetime, reason: str | None = None
) -> Acted:
    """Move the incident forward (or reject it with a reason), record it, and tell the residents."""
    target = ACTIONS.get(action)
    if target is None:
        raise InvalidInput("action", "unknown")
    reason_text = check_reason(reason) if target == IncidentStatus.REJECTED else None
    incident = _staff_incident(session, me, incident_id, lock=True)
    current = incident.status
    if current not in OPEN_STATUSES:
        raise InvalidInput("incident", "closed", status=current.value)
    if target != IncidentStatus.REJECTED and _ORDER[target] <= _ORDER[current]:
        raise InvalidInput("status", "already", status=current.value)
    values: dict[str, Any] = {"status": target, "updated_at": now}
    if target == IncidentStatus.REJECTED:
        values["rejection_reason"] = reason_text
    else:
        if incident.taken_at is None:
            values["taken_at"] = now
        if incident.assignee_id is None:
            values["assignee_id"] = me.id
        if target == IncidentStatus.RESOLVED:
            values["resolved_at"] = now
    # The status read above is the UPDATE's guard: a resident withdrawing at the same moment wins cleanly.
    changed = session.execute(
        sa.update(Incident)
        .where(Incident.id == incident_id, Incident.status == current)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise InvalidInput("status", "changed")
    session.refresh(incident)
    row = _add_history(
        session,
        incident_id=incident_id,
        actor_id=me.id,
        kind=HistoryKind.STATUS,
        from_status=current,
        to_status=target,
        text=reason_text,
        created_at=now,
    )
    params: dict[str, Any] = {"status": outbox.tr(f"inc.status.{target.value}")}
    key = "desk.n.status"
    if target == IncidentStatus.REJECTED:
        key, params["reason"] = "desk.n.rejected", reason_text
    elif target == IncidentStatus.RESOLVED:
        key = "desk.n.resolved"
    told = _tell_residents(
        session,
        incident,
        me,
        kind="incident_status",
        key=key,
        params=params,
        ref=f"h{row.id}",
        now=now,
        rate=target == IncidentStatus.RESOLVED,
    )
    log.info("incident %s: %s -> %s", incident_id, current.value, target.value)
    return Acted(_card(session, incident), target.value, me.first_name, now, told)


def add_comment(session: Session, me: Me, incident_id: int, text: str, now: datetime) -> Acted:
    """A public comment from the residence's team: the reporter and followers read it."""
    comment = check_comment(text)
    incident = _staff_incident(session, me, incident_id)
    row = _add_history(
        session,
        incident_id=incident_id,
        actor_id=me.id,
        kind=HistoryKind.COMMENT,
        text=comment,
        internal=False,
        created_at=now,
    )
    incident.updated_at = now
    told = _tell_residents(
        session,
        incident,
        me,
        kind="incident_comment",
        key="desk.n.comment",
        params={"text": comment},
        ref=f"h{row.id}",
        now=now,
    )
    return Acted(_card(session, incident), "comment", me.first_name, now, told)


def add_note(session: Session, me: Me, incident_id: int, text: str, now: datetime) -> Acted:
    """An internal note: kept in the history for the team, never shown to residents nor sent to them."""
    note = check_note(text)
    incident = _staff_incident(session, me, incident_id)
    _add_history(
        session,
        incident_id=incident_id,
        actor_id=me.id,
        kind=HistoryKind.NOTE,
        text=note,
        internal=True,
        created_at=now,
    )
    incident.updated_at = now
    return Acted(_card(session, incident), "note", me.first_name, now)


def _residence_managers(session: Session, residence_id: int) -> list[User]:
    return list(
        session.scalars(
            sa.select(User)
            .where(User.residence_id == residence_id, User.role == Role.MANAGER, User.active.is_(True))
            .order_by(User.first_name, User.id)
        )
    )


def managers_for(session: Session, me: Me, incident_id: int) -> list[ManagerChoice]:
    """Who the incident may be assigned to: me first, then the residence's other managers."""
    incident = _staff_incident(session, me, incident_id)
    people = [u for u in _residence_managers(session, incident.residence_id) if u.id != me.id]
    choices = [ManagerChoice(me.id, me.first_name, True, incident.assignee_id == me.id)]
    choices += [ManagerChoice(u.id, u.first_name, False, incident.assignee_id == u.id) for u in people]
    return choices


def assign(session: Session, me: Me, incident_id: int, user_id: int, now: datetime) -> Acted:
    """Hand an open incident to myself or to another manager of its residence, who is told."""
    incident = _staff_incident(session, me, incident_id, lock=True)
    if incident.status not in OPEN_STATUSES:
        raise InvalidInput("incident", "closed", status=incident.status.value)
    if user_id == me.id:
        assignee_name = me.first_name
    else:
        target = next((u for u in _residence_managers(session, incident.residence_id) if u.id == user_id), None)
        if target is None:
            raise InvalidInput("assignee", "not_manager")
        assignee_name = target.first_name
    if incident.assignee_id == user_id:
        raise InvalidInput("assignee", "same", name=assignee_name)
    incident.assignee_id = user_id
    incident.updated_at = now
    _add_history(
        session,
        incident_id=incident_id,
        actor_id=me.id,
        kind=HistoryKind.ASSIGNED,
        text=assignee_name,
        created_at=now,
    )
    if user_id != me.id:
        outbox.notify(
            session,
            user_id=user_id,
            kind="incident_assigned",
            key="desk.n.assigned",
            now=now,
            params={
                "number": incident.id,
                "category": outbox.tr(f"inc.cat.{incident.category.value}"),
                "who": me.first_name,
                "description": shorten(incident.description, 300),
            },
            buttons=[[outbox.button("desk.btn.details", f"desk:o:{incident.id}")]],
        )
    return Acted(_card(session, incident), "assigned", me.first_name, now, assignee_name=assignee_name)
