"""Offline Telegram Bot API emulator: in-process adapter, loopback HTTP server and terminal playground.

It exists so that the bot's tests and manual trials run against something that refuses what
Telegram refuses (bad HTML, oversized callback data, no-op edits, blocked users, flood limits)
instead of a mock that accepts everything.
"""

from bot.emulator.core import (
    ApiError,
    BotApiEmulator,
    CallbackQueryRecord,
    CallRecord,
    EmuGroup,
    EmuMessage,
    EmuUser,
    FloodLimits,
    StoredFile,
    sample_png,
)
from bot.emulator.html import HtmlError, parse_html, utf16_len
from bot.emulator.inprocess import EmulatorRequest
from bot.emulator.server import EmulatorServer
from bot.emulator.terminal import Persona, Playground, render_entities

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallRecord",
    "CallbackQueryRecord",
    "EmuGroup",
    "EmuMessage",
    "EmuUser",
    "EmulatorRequest",
    "EmulatorServer",
    "FloodLimits",
    "HtmlError",
    "Persona",
    "Playground",
    "StoredFile",
    "parse_html",
    "render_entities",
    "sample_png",
    "utf16_len",
]
