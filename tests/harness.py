"""Drives the real Application offline: users act in the emulator, the bot answers through it.

Each user action becomes a real Telegram update, fed to `Application.process_update`; whatever the
bot called on the Bot API is then in the emulator, which refuses what Telegram refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Update

from bot import delivery
from bot.app import build_application, on_startup, on_stop
from bot.config import Settings
from bot.delivery import send_due
from bot.emulator import BotApiEmulator, EmulatorRequest
from bot.emulator.core import EmuMessage, EmuUser
from bot.runtime import LbaApplication


class BotHarness:
    def __init__(self, settings: Settings, engine: Engine, clock: Any) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.emu = BotApiEmulator(settings.token or "", clock=lambda: clock().timestamp())
        self.app: LbaApplication | None = None
        # The outbox's pace (30 a second) and PTB's rate limiter change timing, not behaviour,
        # so flow tests run without them; the pacing and broadcast tests and the bot run as a process keep them.
        self.rate_limiter = False

    def _build(self) -> LbaApplication:
        return build_application(
            self.settings,
            engine=self.engine,
            request=EmulatorRequest(self.emu),
            updates_request=EmulatorRequest(self.emu),
            clock=self.clock,
            rate_limiter=self.rate_limiter,
        )

    async def start(self) -> None:
        self.app = self._build()
        await self.app.initialize()
        await on_startup(self.app)
        # No background sender in tests: `deliver()` sends explicitly after each update, so what a
        # test sees never depends on timing. (Startup's resume of interrupted rows has run.)
        await delivery.stop(self.app)

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.update_persistence()
            await on_stop(self.app)  # what the real stop does after updates end (locks released, engines closed)
            await self.app.shutdown()
            self.app = None

    async def restart(self) -> None:
        """What a crash-free restart does: persist state, stop, build a new Application, start."""
        await self.stop()
        await self.start()

    async def deliver(self) -> None:
        assert self.app is not None
        for raw in self.emu.take_updates():
            await self.app.process_update(Update.de_json(raw, self.app.bot))
        await self.app.update_persistence()
        await send_due(self.app)  # notifications queued by this update leave now, as in production

    def refused(self) -> list[Any]:
        return list(self.emu.refused)

    def user(self, user_id: int, first_name: str = "Jeanne", **kwargs: Any) -> TgUser:
        return TgUser(self, self.emu.user(user_id, first_name, **kwargs))


class TgUser:
    """A Telegram user in a test: every action is delivered to the bot before it returns."""

    def __init__(self, harness: BotHarness, emu_user: EmuUser) -> None:
        self.harness = harness
        self.emu = emu_user

    @property
    def id(self) -> int:
        return self.emu.user_id  # type: ignore[no-any-return]

    async def send(self, text: str) -> list[EmuMessage]:
        return await self._act(lambda: self.emu.send_text(text))

    async def send_sticker(self) -> list[EmuMessage]:
        return await self._act(self.emu.send_sticker)

    async def send_photo(self, data: bytes, caption: str | None = None) -> list[EmuMessage]:
        return await self._act(lambda: self.emu.send_photo(data, caption=caption))

    async def press(self, label: str, *, message_id: int | None = None) -> list[EmuMessage]:
        return await self._act(lambda: self.emu.press(label, message_id=message_id))

    async def _act(self, action: Callable[[], object]) -> list[EmuMessage]:
        """Do it, deliver it; returns the bot's messages sent or edited in answer, in order."""
        before = len(self.emu.messages)
        edits = {id(m): m.edited for m in self.emu.messages}
        action()
        await self.harness.deliver()
        edited = [m for m in self.emu.messages[:before] if m.from_bot and m.edited != edits.get(id(m))]
        return edited + [m for m in self.emu.messages[before:] if m.from_bot]

    @property
    def last(self) -> EmuMessage:
        message = self.emu.last_bot_message
        assert message is not None, "the bot sent nothing to this user"
        return message  # type: ignore[no-any-return]

    def texts(self) -> list[str]:
        return [m.text or m.caption or "" for m in self.emu.bot_messages]

    def at(self) -> datetime:
        return self.harness.clock()  # type: ignore[no-any-return]
