"""python-telegram-bot persistence in our own database, so a restart mid-flow resumes the flow.

Rows live in `bot_state`, written through the same engine as everything else: one store to back
up, and (on PostgreSQL) one store shared by every bot process.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from models import BotState
from models.db import unit_of_work

log = logging.getLogger(__name__)

USER_DATA = "user_data"
CHAT_DATA = "chat_data"
META = "meta"


def _conversation_kind(name: str) -> str:
    return f"conversation:{name}"


class SqlPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Conversation states, user data and chat data as JSON rows (bot and callback data are not kept)."""

    def __init__(self, sessions: sessionmaker[Session], update_interval: float = 2.0) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self._sessions = sessions

    async def _run(self, fn: Callable[[Session], Any]) -> Any:
        def work() -> Any:
            with unit_of_work(self._sessions) as session:
                return fn(session)

        return await asyncio.to_thread(work)

    def _load(self, session: Session, kind: str) -> dict[str, Any]:
        rows = session.execute(sa.select(BotState.key, BotState.data).where(BotState.kind == kind))
        return {key: data for key, data in rows}

    @staticmethod
    def _put(session: Session, kind: str, key: str, data: Any) -> None:
        row = session.get(BotState, (kind, key))
        if row is None:
            session.add(BotState(kind=kind, key=key, data=data))
        else:
            row.data = data

    @staticmethod
    def _drop(session: Session, kind: str, key: str) -> None:
        session.execute(sa.delete(BotState).where(BotState.kind == kind, BotState.key == key))

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
        kind, k = _conversation_kind(name), json.dumps(list(key))
        if new_state is None:
            await self._run(lambda s: self._drop(s, kind, k))
        else:
            await self._run(lambda s: self._put(s, kind, k, new_state))

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._run(lambda s: self._put(s, USER_DATA, str(user_id), data))

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        await self._run(lambda s: self._put(s, CHAT_DATA, str(chat_id), data))

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._run(lambda s: self._drop(s, CHAT_DATA, str(chat_id)))

    async def drop_user_data(self, user_id: int) -> None:
        await self._run(lambda s: self._drop(s, USER_DATA, str(user_id)))

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None


def remember(sessions: sessionmaker[Session], key: str, value: Any) -> None:
    """Keep a small fact for the command line (for example the bot's @username)."""
    with unit_of_work(sessions) as session:
        SqlPersistence._put(session, META, key, value)


def recall(sessions: sessionmaker[Session], key: str) -> Any:
    with unit_of_work(sessions) as session:
        row = session.get(BotState, (META, key))
        return row.data if row else None
