"""/faq: the residence's knowledge base — residents read it, managers list, add, edit and delete entries."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.runtime import Ctx


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    return []
