"""The composition root: builds the Application with its handlers, persistence and rate limiter."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiolimiter import AsyncLimiter
from sqlalchemy.engine import Engine
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot import delivery, observability, scheduler
from bot.commands import refresh_commands_for, set_default_commands
from bot.config import Settings
from bot.persistence import SqlPersistence, remember, shared_state_handlers
from bot.ratelimit import ChatRateLimiter
from bot.runtime import RUNTIME_KEY, Ctx, LbaApplication, Runtime, system_clock
from handlers import (
    account,
    announcements,
    assistant,
    bookings,
    common,
    desk,
    events,
    faq,
    groups,
    incidents,
    marketplace,
    menu,
    onboarding,
    residents,
    stats,
)
from models.db import make_engine, make_session_factory
from services import people

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    *,
    engine: Engine | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    clock: Callable[[], datetime] = system_clock,
    rate_limiter: bool = True,
) -> LbaApplication:
    """Everything the bot is, wired once; tests pass an offline `request` and a driven `clock`."""
    if settings.token is None:
        raise ValueError("a token is needed to build the application")
    engine = engine or make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    builder = (
        ApplicationBuilder()
        .application_class(observability.ObservedApplication)  # counts and times each update
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=settings.tz,
            )
        )
        .context_types(ContextTypes(context=Ctx))
        .persistence(SqlPersistence(sessions, update_interval=settings.persistence_interval))
        .post_init(on_startup)
        .post_stop(on_stop)
    )
    if rate_limiter:
        # No overall limit here: the answers to a user's own update leave at once. Telegram's ~30 messages
        # a second concern bulk sends, which the outbox paces itself (`Runtime.outbox_pace`). Kept here:
        # 20 a minute per group, as Telegram documents, and the retries after a 429 — a private chat's 429
        # holding that chat only (bot/ratelimit.py).
        builder = builder.rate_limiter(ChatRateLimiter(group_max_rate=20, group_time_period=60, max_retries=3))
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    app: LbaApplication = builder.build()  # type: ignore[assignment]
    app.bot_data[RUNTIME_KEY] = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        # A drip (one every 1/30 s) rather than a bucket of 30 refilled each second, whose opening
        # burst of 60 in the first second would draw a 429 and pause the whole bot.
        outbox_pace=AsyncLimiter(1, 1 / settings.outbox_per_second) if rate_limiter else None,
    )
    register(app)
    return app


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(common.gate_handler(), group=-1)
    app.add_handlers(onboarding.handlers())
    # Each flow before the menu: a flow's command or menu button wins over the "bientôt" fallback.
    # The managers' desk before the residents' incidents: it answers /incidents for managers.
    for flow in (
        desk,
        incidents,
        bookings,
        events,
        marketplace,
        account,
        groups,
        announcements,
        stats,
        residents,
        faq,
        assistant,
    ):
        app.add_handlers(flow.handlers())
    app.add_handlers(menu.handlers())
    app.add_handlers(assistant.free_text_handlers())
    app.add_handlers(menu.last_resort_handlers())
    # Several processes on one database: a user's state is read fresh before and written after each update.
    for handler, group in shared_state_handlers(app):
        app.add_handler(handler, group=group)
    app.add_error_handler(common.on_error)


async def on_startup(app: Application) -> None:  # type: ignore[type-arg]
    """Command lists for everyone and for each signed-in manager; remember our @username for the CLI."""
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    await observability.start(app)  # first: /healthz answers while the rest starts
    await set_default_commands(app.bot)
    staff = await runtime.db(people.linked_staff_members)
    for me in staff:
        await refresh_commands_for(app.bot, me)
    remember(runtime.sessions, "bot_username", app.bot.username)
    await delivery.start(app)
    scheduler.schedule(app)
    log.info("LBA Bot started as @%s", app.bot.username)


async def on_stop(app: Application) -> None:  # type: ignore[type-arg]
    """After the update in hand is finished and state flushed: let the outbox finish the message in hand,
    then stop; /healthz and /metrics answer until the end."""
    await scheduler.stop(app)  # the scheduler lock, freed at once for another process
    await delivery.stop(app)
    await assistant.close_engine(app)
    await observability.stop(app)


ALL_UPDATES = Update.ALL_TYPES
