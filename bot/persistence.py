"""python-telegram-bot persistence in our own database, so a restart mid-flow resumes the flow.

Rows live in `bot_state`, written through the same engine as everything else: one store to back
up, and (on PostgreSQL) one store shared by every bot process.

Several processes behind one webhook address take turns with the same user, so each one must see
what the others wrote (`shared_state_handlers`):
- write-through: the last handler group writes what the update changed before the update is done,
  so a user's next update finds it in the database, whichever process gets it;
- read-fresh: the first handler group reads this user's rows (user data, chat data, the state of
  each conversation) in one query and takes those another process changed since this one last saw
  them (on PostgreSQL only: SQLite serves one process, see bot/coordination.py).
What "changed" means is kept per row as the JSON this process last read or wrote (`_seen`); it
also spares a write when an update changed nothing, so a process never rewrites a row with a copy
it did not touch.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker
from telegram import Update
from telegram.ext import Application, BaseHandler, BasePersistence, ConversationHandler, PersistenceInput, TypeHandler
from telegram.ext._handlers.conversationhandler import PendingState
from telegram.ext._utils.types import ConversationDict, ConversationKey

from models import BotState
from models.base import utcnow
from models.db import unit_of_work

log = logging.getLogger(__name__)

USER_DATA = "user_data"
CHAT_DATA = "chat_data"
META = "meta"
REFRESH_GROUP = -1000  # a group of its own (one handler runs per group), before the gate (-1) and the flows
WRITE_GROUP = 1000  # a group of its own, after every other

RowId = tuple[str, str]
# The rows an update's write-through changed, gathered to be written in one transaction (None: no batch).
_batch: contextvars.ContextVar[list[tuple[RowId, Any, str | None]] | None] = contextvars.ContextVar(
    "persistence_batch", default=None
)


def _conversation_kind(name: str) -> str:
    return f"conversation:{name}"


def _conversation_key(key: Iterable[int | str]) -> str:
    return json.dumps(list(key))


def _fingerprint(data: Any) -> str | None:
    """A row's content as comparable text; empty user or chat data counts as no row at all."""
    if data is None or data == {}:
        return None
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


class SqlPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Conversation states, user data and chat data as JSON rows (bot and callback data are not kept)."""

    def __init__(self, sessions: sessionmaker[Session], update_interval: float = 2.0) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self._sessions = sessions
        bind = sessions.kw.get("bind")
        # Other processes may write the same rows: PostgreSQL only (SQLite serves one process).
        self.shared = bind is not None and bind.dialect.name == "postgresql"
        self._seen: dict[RowId, str | None] = {}

    async def _run(self, fn: Callable[[Session], Any]) -> Any:
        def work() -> Any:
            with unit_of_work(self._sessions) as session:
                return fn(session)

        return await asyncio.to_thread(work)

    def _load(self, session: Session, kind: str) -> dict[str, Any]:
        rows = session.execute(sa.select(BotState.key, BotState.data).where(BotState.kind == kind))
        data = {key: value for key, value in rows}
        for key, value in data.items():
            self._seen[(kind, key)] = _fingerprint(value)
        return data

    @staticmethod
    def _put(session: Session, kind: str, key: str, data: Any) -> None:
        """Insert or replace a row in one statement (an upsert, on SQLite and PostgreSQL alike)."""
        insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
        statement = insert(BotState).values(kind=kind, key=key, data=data, updated_at=utcnow())
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[BotState.kind, BotState.key],
                set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
            )
        )

    @staticmethod
    def _drop(session: Session, kind: str, key: str) -> None:
        session.execute(sa.delete(BotState).where(BotState.kind == kind, BotState.key == key))

    async def _write(self, kind: str, key: str, data: Any) -> None:
        """Write a row (None: delete it) unless it holds what this process last saw there."""
        row_id = (kind, key)
        fingerprint = _fingerprint(data)
        if row_id in self._seen and self._seen[row_id] == fingerprint:
            return
        batch = _batch.get()
        if batch is not None:  # an update's write-through: written with the update's other rows, below
            batch.append((row_id, data, fingerprint))
            return
        await self._store([(row_id, data, fingerprint)])

    async def _store(self, rows: list[tuple[RowId, Any, str | None]]) -> None:
        """Write rows (a None fingerprint: delete) in one transaction, then remember them as seen."""
        await self._run(lambda s: [self._apply(s, *row) for row in rows])
        for row_id, _, fingerprint in rows:
            self._seen[row_id] = fingerprint

    def _apply(self, session: Session, row_id: RowId, data: Any, fingerprint: str | None) -> None:
        if fingerprint is None:
            self._drop(session, *row_id)
        else:
            self._put(session, *row_id, data)

    async def write_through(self, app: Application, update: Update) -> int:  # type: ignore[type-arg]
        """Write what this update changed (its user and chat data, its conversations' states) in one
        transaction, before the update is done; returns how many rows."""
        chat, user = update.effective_chat, update.effective_user
        app.mark_data_for_update_persistence(
            chat_ids=chat.id if chat is not None else None, user_ids=user.id if user is not None else None
        )
        rows: list[tuple[RowId, Any, str | None]] = []
        token = _batch.set(rows)
        try:
            await app.update_persistence()  # PTB gathers the changes; `_write` collects them in `rows`
        finally:
            _batch.reset(token)
        if rows:
            await self._store(rows)
        return len(rows)

    # --- reads -----------------------------------------------------------------------------------
    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        data = await self._run(lambda s: self._load(s, USER_DATA))
        return {int(k): v for k, v in data.items()}

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        data = await self._run(lambda s: self._load(s, CHAT_DATA))
        return {int(k): v for k, v in data.items()}

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        data = await self._run(lambda s: self._load(s, _conversation_kind(name)))
        return {tuple(json.loads(k)): v for k, v in data.items()}

    # --- writes ----------------------------------------------------------------------------------
    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        await self._write(_conversation_kind(name), _conversation_key(key), new_state)

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._write(USER_DATA, str(user_id), data)

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        await self._write(CHAT_DATA, str(chat_id), data)

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._write(CHAT_DATA, str(chat_id), None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._write(USER_DATA, str(user_id), None)

    # PTB's per-update hooks stay empty: `refresh_for_update` reads user data, chat data and the
    # conversations' states of an update in one query instead of one per kind.
    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None

    # --- several processes -----------------------------------------------------------------------
    def _changed_rows(self, session: Session, wanted: set[RowId]) -> dict[RowId, Any]:
        """Of `wanted`, the rows whose content differs from what this process last saw (None: deleted)."""
        rows = session.execute(
            sa.select(BotState.kind, BotState.key, BotState.data).where(
                BotState.kind.in_(sorted({kind for kind, _ in wanted})),
                BotState.key.in_(sorted({key for _, key in wanted})),
            )
        )
        found = {(kind, key): data for kind, key, data in rows if (kind, key) in wanted}
        return {
            row_id: found.get(row_id) for row_id in wanted if _fingerprint(found.get(row_id)) != self._seen.get(row_id)
        }

    async def refresh_for_update(self, app: Application, update: Update) -> int:  # type: ignore[type-arg]
        """Take what other processes changed for this update's user and chat; returns how many rows."""
        user, chat = update.effective_user, update.effective_chat
        wanted: dict[RowId, Callable[[Any], None]] = {}
        if user is not None:
            wanted[(USER_DATA, str(user.id))] = _replace_in(app.user_data[user.id])
        if chat is not None:
            wanted[(CHAT_DATA, str(chat.id))] = _replace_in(app.chat_data[chat.id])
        for handler in _conversation_handlers(app):
            key = _key_of(handler, update)
            if key is not None:
                wanted[(_conversation_kind(handler.name), _conversation_key(key))] = _set_state(app, handler, key)
        if not wanted:
            return 0
        changed = await self._run(lambda s: self._changed_rows(s, set(wanted)))
        for row_id, data in changed.items():
            wanted[row_id](data)
            self._seen[row_id] = _fingerprint(data)
        if changed:
            log.debug("took %d row(s) of shared state written by another process", len(changed))
        return len(changed)


def _replace_in(target: dict[str, Any]) -> Callable[[Any], None]:
    def apply(data: Any) -> None:
        target.clear()
        target.update(data or {})

    return apply


def _conversation_handlers(app: Application) -> list[ConversationHandler[Any]]:  # type: ignore[type-arg]
    return [
        handler
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, ConversationHandler) and handler.persistent and handler.name
    ]


def _key_of(handler: ConversationHandler[Any], update: Update) -> ConversationKey | None:
    """The key PTB files this update's conversation under (ConversationHandler._get_key's rule)."""
    chat, user = update.effective_chat, update.effective_user
    if handler.per_message or (handler.per_chat and chat is None) or (handler.per_user and user is None):
        return None
    key: list[int | str] = []
    if handler.per_chat and chat is not None:
        key.append(chat.id)
    if handler.per_user and user is not None:
        key.append(user.id)
    return tuple(key)


def _set_state(app: Application, handler: ConversationHandler[Any], key: ConversationKey) -> Callable[[Any], None]:  # type: ignore[type-arg]
    def apply(state: Any) -> None:
        # The handler's live states; PTB offers no public setter. Written untracked: this is
        # the database's value already, nothing to write back.
        states = app._conversation_handler_conversations[handler.name]  # noqa: SLF001
        if isinstance(states.data.get(key), PendingState):
            return  # a non-blocking step of this process is still deciding it
        if state is None:
            states.data.pop(key, None)
        else:
            states.data[key] = state

    return apply


async def _refresh(update: Update, context: Any) -> None:
    persistence = context.application.persistence
    if isinstance(persistence, SqlPersistence):
        await persistence.refresh_for_update(context.application, update)


async def _write_through(update: Update, context: Any) -> None:
    persistence = context.application.persistence
    if isinstance(persistence, SqlPersistence):
        await persistence.write_through(context.application, update)


def shared_state_handlers(app: Application) -> list[tuple[BaseHandler[Any, Any, Any], int]]:  # type: ignore[type-arg]
    """(handler, group) pairs that make the database the one place a user's state lives between updates."""
    persistence = app.persistence
    if not isinstance(persistence, SqlPersistence):
        return []
    handlers: list[tuple[BaseHandler[Any, Any, Any], int]] = [(TypeHandler(Update, _write_through), WRITE_GROUP)]
    if persistence.shared:
        handlers.append((TypeHandler(Update, _refresh), REFRESH_GROUP))
    return handlers


def remember(sessions: sessionmaker[Session], key: str, value: Any) -> None:
    """Keep a small fact for the command line (for example the bot's @username)."""
    with unit_of_work(sessions) as session:
        SqlPersistence._put(session, META, key, value)


def recall(sessions: sessionmaker[Session], key: str) -> Any:
    with unit_of_work(sessions) as session:
        row = session.get(BotState, (META, key))
        return row.data if row else None
