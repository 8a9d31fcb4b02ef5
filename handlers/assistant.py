"""The assistant: free text in a private chat outside any flow, /assistant, and the actions it prepares."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.runtime import Ctx


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    """Commands and buttons: registered among the flows."""
    return []


def free_text_handlers() -> list[BaseHandler[Update, Ctx, object]]:
    """Free text no flow claimed: registered after every flow, before the last-resort answers."""
    return []
