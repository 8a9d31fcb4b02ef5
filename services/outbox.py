"""Notifications that must not be lost, written in the same transaction as their cause.

A service calls `notify(...)` with a catalog key and values (`notify_many(...)`: the same message to
many users, in one read and one INSERT); the sender (bot/delivery.py) renders it in the recipient's
language when it sends, through the rate limiter, and records the outcome.

Payload format (JSON):
  {"key": "inc.alert", "params": {...}, "buttons": [[{"key": "inc.btn.take", "data": "inc:take:42"}]],
   "photo": <stored_files.id> | null, "document": <stored_files.id> | null}
Rows queued with the same `batch` (e.g. "announcement:12") form one delivery: when none of them is
pending or being sent any more, the hook registered for the batch's prefix runs once
(`register_batch_hook`), in the sender's unit of work — the announcement's delivery report.
A payload with "pin": true is pinned in its chat once sent.
Param values are JSON scalars, or {"$dt": iso-datetime} (shown in the recipient's language and
residence time zone), or {"$t": catalog key} (translated for the recipient). A button label is a
catalog key ("key") or literal text ("text").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import OutboxMessage, OutboxStatus, Residence, User

log = logging.getLogger(__name__)
# A claimed row is the claiming sender's for this long; after that, a sender that died is presumed
# and the row may be taken back by another process (resume_interrupted with alone=False).
SENDING_LEASE = timedelta(minutes=2)

MAX_ATTEMPTS = 6
DEFAULT_TZ = "Europe/Paris"
_IDS_PER_QUERY = 5000  # ids written into the SQL (ints only): 35 KB of text, well under SQLite's 1 MB


def dt(value: datetime) -> dict[str, str]:
    return {"$dt": value.isoformat()}


def tr(key: str) -> dict[str, str]:
    return {"$t": key}


def button(key: str, data: str) -> dict[str, str]:
    return {"key": key, "data": data}


def notify(
    session: Session,
    *,
    user_id: int,
    kind: str,
    key: str,
    now: datetime,
    params: dict[str, Any] | None = None,
    buttons: list[list[dict[str, str]]] | None = None,
    photo: int | None = None,
    document: int | None = None,
    dedup_key: str | None = None,
    not_before: datetime | None = None,
    batch: str | None = None,
    ref: dict[str, Any] | None = None,
    urgent: bool = False,
) -> int | None:
    """Queue a message to a user; None if they cannot be reached (not linked, blocked) or it is a duplicate.

    A non-urgent message due inside the user's quiet hours waits for their end. `ref` names what the
    message is about (e.g. {"booking": 12, "start": iso}): the validator registered for `kind` checks
    it again just before sending, so a reminder for something cancelled or moved is never sent.
    """
    payload = _payload(key, params, buttons, photo, document, ref)
    [row] = _user_rows(
        session, [user_id], kind, payload, lambda _user_id: dedup_key, not_before or now, now, batch, urgent
    )
    return None if row is None else _add(session, row)


def notify_many(
    session: Session,
    user_ids: Sequence[int],
    *,
    kind: str,
    key: str,
    now: datetime,
    params: dict[str, Any] | None = None,
    buttons: list[list[dict[str, str]]] | None = None,
    photo: int | None = None,
    document: int | None = None,
    dedup_key: Callable[[int], str | None] | None = None,
    not_before: datetime | None = None,
    batch: str | None = None,
    ref: dict[str, Any] | None = None,
    urgent: bool = False,
) -> list[bool]:
    """`notify` to each of `user_ids` (the same message; `dedup_key(user_id)` names each copy), with one
    read of the recipients and one INSERT for all: an announcement to 10,000 residents is queued in well
    under a second, where a SELECT, a SAVEPOINT and an INSERT each took 9 s on SQLite and 18 s on
    PostgreSQL (holding SQLite's write lock meanwhile).

    Returns, in the order of `user_ids`, whether a row was queued: False where `notify` would have
    returned None (not linked, inactive, blocked the bot, or that dedup key already queued, in this call
    too). No ids: RETURNING them would double the time on PostgreSQL, and no caller needs them.
    """
    payload = _payload(key, params, buttons, photo, document, ref)
    rows = _user_rows(session, user_ids, kind, payload, dedup_key, not_before or now, now, batch, urgent)
    return _add_many(session, rows)


def _user_rows(
    session: Session,
    user_ids: Sequence[int],
    kind: str,
    payload: dict[str, Any],
    dedup_key: Callable[[int], str | None] | None,
    due: datetime,
    now: datetime,
    batch: str | None,
    urgent: bool,
) -> list[dict[str, Any] | None]:
    """The row each user gets (None: not reachable, or a dedup key met earlier in the list)."""
    reachable = _recipients(session, user_ids)
    rows: list[dict[str, Any] | None] = []
    keys: set[str] = set()
    for user_id in user_ids:
        recipient = reachable.get(user_id)
        unique = dedup_key(user_id) if dedup_key is not None else None
        if recipient is None or (unique is not None and unique in keys):
            rows.append(None)
            continue
        if unique is not None:
            keys.add(unique)
        rows.append(
            _values(
                chat_id=recipient.telegram_id,
                user_id=user_id,
                kind=kind,
                payload=payload,
                dedup_key=unique,
                not_before=due if urgent else recipient.after_quiet_hours(due),
                now=now,
                batch=batch,
            )
        )
    return rows


@dataclass(frozen=True)
class _Recipient:
    telegram_id: int
    quiet_start: time | None
    quiet_end: time | None
    timezone: str

    def after_quiet_hours(self, when: datetime) -> datetime:
        if self.quiet_start is None or self.quiet_end is None:
            return when
        return after_quiet_hours(when, self.quiet_start, self.quiet_end, self.timezone)


def _recipients(session: Session, user_ids: Sequence[int]) -> dict[int, _Recipient]:
    """Those of `user_ids` a message can reach now: linked to Telegram, active, not known to have blocked the bot."""
    wanted = list(dict.fromkeys(user_ids))
    found: dict[int, _Recipient] = {}
    for i in range(0, len(wanted), _IDS_PER_QUERY):
        rows = session.execute(
            sa.select(
                User.id,
                User.telegram_id,
                User.quiet_hours_start,
                User.quiet_hours_end,
                Residence.timezone,
            )
            .outerjoin(Residence, Residence.id == User.residence_id)
            .where(
                # Written as literals: 5,000 bound parameters cost psycopg more than the query itself.
                User.id.in_(sa.bindparam("ids", wanted[i : i + _IDS_PER_QUERY], expanding=True, literal_execute=True)),
                User.telegram_id.is_not(None),
                User.unreachable_since.is_(None),
                User.active.is_(True),
            )
        )
        for row in rows:
            found[row.id] = _Recipient(
                row.telegram_id, row.quiet_hours_start, row.quiet_hours_end, row.timezone or DEFAULT_TZ
            )
    return found


def after_quiet_hours(when: datetime, start: time, end: time, tz: str) -> datetime:
    """`when`, or the end of the quiet period it falls in (local wall time, across midnight too)."""
    zone = ZoneInfo(tz)
    local = when.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start == end:
        return when
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return when
    end_day = local.date() if (start < end or clock < end) else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, zone).astimezone(when.tzinfo)


def notify_chat(
    session: Session,
    *,
    chat_id: int,
    kind: str,
    key: str,
    now: datetime,
    lang: str = "fr",
    params: dict[str, Any] | None = None,
    buttons: list[list[dict[str, str]]] | None = None,
    photo: int | None = None,
    document: int | None = None,
    dedup_key: str | None = None,
    batch: str | None = None,
    pin: bool = False,
) -> int | None:
    """Queue a message to a chat that is not a user (a residence's group)."""
    payload = _payload(key, params, buttons, photo, document)
    payload["lang"] = lang
    if pin:
        payload["pin"] = True
    values = _values(
        chat_id=chat_id,
        user_id=None,
        kind=kind,
        payload=payload,
        dedup_key=dedup_key,
        not_before=now,
        now=now,
        batch=batch,
    )
    return _add(session, values)


def _payload(
    key: str,
    params: dict[str, Any] | None,
    buttons: list[list[dict[str, str]]] | None,
    photo: int | None,
    document: int | None,
    ref: dict[str, Any] | None = None,
) -> dict[str, Any]:
    payload = {"key": key, "params": params or {}, "buttons": buttons or [], "photo": photo, "document": document}
    if ref:
        payload["ref"] = ref
    return payload


def _values(
    *,
    chat_id: int,
    user_id: int | None,
    kind: str,
    payload: dict[str, Any],
    dedup_key: str | None,
    not_before: datetime,
    now: datetime,
    batch: str | None,
) -> dict[str, Any]:
    """One outbox row's columns (status and attempts take their defaults)."""
    return {
        "chat_id": chat_id,
        "user_id": user_id,
        "kind": kind,
        "payload": payload,
        "dedup_key": dedup_key,
        "not_before": not_before,
        "created_at": now,
        "batch": batch,
    }


def _add(session: Session, values: dict[str, Any]) -> int | None:
    message = OutboxMessage(**values)
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return None  # the same notification (dedup_key) is already queued or sent
    return message.id


def _add_many(session: Session, rows: list[dict[str, Any] | None]) -> list[bool]:
    """Insert the rows (None: left out) in one executemany; whether each went in.

    A dedup key already taken fails the whole statement: that is another process queuing the same
    notifications at the same moment (callers whose keys may exist read them first), so the rows then
    go in one at a time, each under its own savepoint, as `notify` does.
    """
    values = [row for row in rows if row is not None]
    if not values:
        return [False] * len(rows)
    try:
        with session.begin_nested():
            session.execute(sa.insert(OutboxMessage), values)
    except IntegrityError:
        log.info("outbox: %d rows met a dedup key already queued; queued one at a time", len(values))
        return [row is not None and _add(session, row) is not None for row in rows]
    return [row is not None for row in rows]


# --- the sender's side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    id: int
    chat_id: int
    user_id: int | None
    kind: str
    payload: dict[str, Any]
    lang: str
    timezone: str | None
    attempts: int
    batch: str | None = None


def claim_due(session: Session, now: datetime, limit: int = 50) -> list[Outgoing]:
    """Take due rows for sending; on PostgreSQL, rows another process holds are skipped."""
    stmt = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list(session.scalars(stmt))
    users: dict[int | None, tuple[str, str | None]] = {}
    user_ids = {r.user_id for r in rows if r.user_id is not None}
    if user_ids:
        query = (
            sa.select(User.id, User.language, Residence.timezone)
            .outerjoin(Residence, Residence.id == User.residence_id)
            .where(User.id.in_(user_ids))
        )
        users = {uid: (lang, tz) for uid, lang, tz in session.execute(query)}
    claimed = []
    for row in rows:
        validator = _VALIDATORS.get(row.kind)
        if validator is not None and row.payload.get("ref") and not validator(session, row.payload["ref"], now):
            # What it was about was cancelled, moved or has begun: the message would be wrong now.
            row.status = OutboxStatus.CANCELLED
            row.last_error = "no longer valid"
            log.info("outbox message %s (%s) dropped: no longer valid", row.id, row.kind)
            continue
        row.status = OutboxStatus.SENDING
        row.not_before = now + SENDING_LEASE  # while "sending", not_before is the claim's lease
        row.attempts += 1
        # A user's message is rendered in their language and residence time zone; a group's in its own.
        lang, tz = users.get(row.user_id, (row.payload.get("lang", "fr"), None))
        claimed.append(
            Outgoing(row.id, row.chat_id, row.user_id, row.kind, row.payload, lang, tz, row.attempts, row.batch)
        )
    return claimed


def release(session: Session, outbox_ids: list[int], now: datetime) -> None:
    """Give claimed rows back untouched (the sender is stopping before reaching them); they were due."""
    if outbox_ids:
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(outbox_ids), OutboxMessage.status == OutboxStatus.SENDING)
            .values(status=OutboxStatus.PENDING, attempts=OutboxMessage.attempts - 1, not_before=now)
        )


def mark_sent(session: Session, outbox_id: int, message_id: int | None, now: datetime) -> None:
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(status=OutboxStatus.SENT, sent_at=now, telegram_message_id=message_id, last_error=None)
    )


def mark_unreachable(session: Session, outbox_id: int, user_id: int | None, now: datetime, error: str) -> None:
    """The recipient blocked the bot (or left): this and their pending messages are not sent."""
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(status=OutboxStatus.UNREACHABLE, last_error=error[:300])
    )
    if user_id is not None:
        session.execute(sa.update(User).where(User.id == user_id).values(unreachable_since=now))
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.user_id == user_id, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.UNREACHABLE, last_error="recipient unreachable")
        )


def retry_later(session: Session, outbox_id: int, attempts: int, now: datetime, error: str, wait: float | None) -> None:
    """Back to pending after `wait` seconds (Telegram's retry_after) or an exponential backoff."""
    if wait is None and attempts >= MAX_ATTEMPTS:
        mark_failed(session, outbox_id, error)
        return
    delay = wait if wait is not None else min(2**attempts, 300)
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(status=OutboxStatus.PENDING, not_before=now + timedelta(seconds=delay), last_error=error[:300])
    )


def mark_failed(session: Session, outbox_id: int, error: str) -> None:
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(status=OutboxStatus.FAILED, last_error=error[:300])
    )


def pending_count(session: Session) -> int:
    return (
        session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.PENDING))
        or 0
    )


def resume_interrupted(session: Session, now: datetime, *, alone: bool = True) -> int:
    """Rows a dead sender claimed but never recorded go back to pending.

    `alone` (no other sender alive on this database: at the start of a single process): every row
    left "sending" was a dead run's. Otherwise (several processes on PostgreSQL) only rows whose
    sending lease has run out: a live process still holds the others, and taking them back would
    send them twice.

    The one message in flight when a process died may have reached Telegram before its row was
    marked; it is sent again (at least once) rather than lost. Only that row: the sender marks each
    message the moment Telegram accepts it.
    """
    stmt = sa.update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING)
    if not alone:
        stmt = stmt.where(OutboxMessage.not_before <= now)
    result = session.execute(stmt.values(status=OutboxStatus.PENDING, not_before=now))
    return result.rowcount or 0


# --- validators -------------------------------------------------------------------------------------

Validator = Callable[[Session, dict[str, Any], datetime], bool]
_VALIDATORS: dict[str, Validator] = {}


def register_validator(kind: str, validator: Validator) -> None:
    """`validator(session, ref, now)` says whether a queued message of `kind` is still worth sending."""
    _VALIDATORS[kind] = validator


# --- batches ---------------------------------------------------------------------------------------

BatchHook = Callable[[Session, str, datetime], None]
_BATCH_HOOKS: dict[str, BatchHook] = {}


def register_batch_hook(prefix: str, hook: BatchHook) -> None:
    """`hook(session, batch, now)` runs when a batch "prefix:..." has nothing left to send; it must be
    idempotent (two senders may both see the end of a batch)."""
    _BATCH_HOOKS[prefix] = hook


def batch_counts(session: Session, batch: str) -> dict[str, int]:
    rows = session.execute(
        sa.select(OutboxMessage.status, sa.func.count(OutboxMessage.id))
        .where(OutboxMessage.batch == batch)
        .group_by(OutboxMessage.status)
    )
    return {status.value: count for status, count in rows}


def finish_batch_if_done(session: Session, batch: str, now: datetime) -> bool:
    counts = batch_counts(session, batch)
    if counts.get(OutboxStatus.PENDING.value) or counts.get(OutboxStatus.SENDING.value):
        return False
    hook = _BATCH_HOOKS.get(batch.split(":", 1)[0])
    if hook is not None:
        hook(session, batch, now)
    return True
