"""Two bot processes on one database, a user's updates landing on either: the state lives in the database.

Behind a load balancer (webhook mode, several processes) a user's next update may reach another
process than the last one. Here two Applications share the database and the Telegram emulator;
each user action is handed to the one the test names. Neither calls `update_persistence` the way
the ordinary harness does after each update: what the next update finds is what the bot itself
wrote through.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from telegram import Update

from bot.delivery import send_due
from bot.emulator.core import EmuMessage
from bot.persistence import USER_DATA
from handlers.incidents import Step
from models import BotState, Incident, IncidentCategory, Urgency
from models.db import make_session_factory, unit_of_work
from tests.conftest import Clock, make_settings
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

DESCRIPTION = "Des coups contre le mur de la chambre chaque nuit."


class Process(BotHarness):
    """One bot process among several: it persists nothing on the test's behalf."""

    async def deliver(self) -> None:
        assert self.app is not None
        for raw in self.emu.take_updates():
            await self.app.process_update(Update.de_json(raw, self.app.bot))
        await send_due(self.app)


@pytest.fixture
async def pair(engine: Engine, clock: Clock, demo: dict[str, int]) -> AsyncIterator[tuple[Process, Process]]:
    a = Process(make_settings(), engine, clock)
    b = Process(make_settings(), engine, clock)
    b.emu = a.emu  # one Telegram, two processes behind it
    await a.start()
    await b.start()
    yield a, b
    await b.stop()
    await a.stop()


def on(process: Process, user: TgUser) -> TgUser:
    """The same Telegram user, their next update handed to `process`."""
    return TgUser(process, user.emu)


def rows(engine: Engine, kind: str) -> dict[str, Any]:
    with unit_of_work(make_session_factory(engine)) as session:
        return dict(session.execute(sa.select(BotState.key, BotState.data).where(BotState.kind == kind)).all())


async def signed_in_on_both(pair: tuple[Process, Process], engine: Engine, telegram_id: int) -> tuple[TgUser, TgUser]:
    """Jeanne, signed in on A: her updates handed to A through the first, to B through the second."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serves one process (bot/coordination.py): nothing to share")
    a, b = pair
    jeanne_a = a.user(telegram_id, "Jeanne")
    await sign_in(jeanne_a)
    return jeanne_a, on(b, jeanne_a)


async def report_to_the_summary(first: TgUser, second: TgUser) -> EmuMessage:
    """Jeanne reports a noise, each step on the other process in turn, up to the summary; returns it."""
    assert "Signaler un incident" in (await first.send("/signaler"))[-1].text
    assert "Où se situe" in (await second.press("🔊 Nuisances"))[-1].text
    assert "Décrivez" in (await first.press("🏠 Mon appartement (A12)"))[-1].text
    assert "urgence" in (await second.send(DESCRIPTION))[-1].text
    await first.press("🚨 Urgente")
    summary = (await second.press("⏭ Passer"))[-1].text
    assert "🔊 Nuisances" in summary and "Appartement A12" in summary and "chaque nuit" in summary
    return first.last


async def test_each_answer_is_in_the_database_when_the_update_is_done(pair: tuple[Process, Process]) -> None:
    a, _ = pair
    jeanne = a.user(801, "Jeanne")
    await sign_in(jeanne)
    await jeanne.send("/signaler")
    await jeanne.press("💡 Électricité")
    # Nobody called update_persistence: the bot wrote the step through before the update was done.
    assert rows(a.engine, "conversation:incident_report") == {"[801, 801]": Step.PLACE}
    user_data = rows(a.engine, USER_DATA)["801"]
    assert user_data["flow"] == "incident_report" and user_data["draft:incident_report"]["category"] == "electricity"
    await jeanne.send("/annuler")
    assert rows(a.engine, "conversation:incident_report") == {}
    assert "flow" not in rows(a.engine, USER_DATA)["801"]


async def test_a_report_started_on_one_process_continued_on_the_other_is_filed_once(
    pair: tuple[Process, Process], engine: Engine
) -> None:
    a, b = pair
    jeanne_a, jeanne_b = await signed_in_on_both(pair, engine, 802)
    summary_message = await report_to_the_summary(jeanne_a, jeanne_b)
    confirm = dict(label_data for row in summary_message.buttons for label_data in row)["✅ Confirmer"]
    assert "enregistré" in (await jeanne_a.press("✅ Confirmer"))[-1].text
    # The same button pressed again (a double tap), on the other process: the flow is over there too.
    jeanne_b.emu.press_data(confirm, message_id=summary_message.message_id)
    await b.deliver()
    with unit_of_work(make_session_factory(engine)) as session:
        filed = session.execute(
            sa.select(Incident.category, Incident.urgency, Incident.location).where(Incident.description == DESCRIPTION)
        ).all()
    assert filed == [(IncidentCategory.NOISE, Urgency.URGENT, "Appartement A12")]
    # Both know the flow is over: a new one starts on either, and leaves from the other.
    assert "Signaler un incident" in (await jeanne_b.send("/signaler"))[-1].text
    assert "annulé" in (await jeanne_a.send("/annuler"))[-1].text
    assert rows(engine, "conversation:incident_report") == {}
    assert a.refused() == []


async def test_the_language_chosen_on_one_process_is_the_other_ones_too(
    pair: tuple[Process, Process], engine: Engine
) -> None:
    a, _ = pair
    jeanne_a, jeanne_b = await signed_in_on_both(pair, engine, 803)
    assert "Bonjour Jeanne" in (await jeanne_a.send("/menu"))[-1].text
    assert "Bonjour Jeanne" in (await jeanne_b.send("/menu"))[-1].text
    await jeanne_b.send("/langue")
    await jeanne_b.press("🇬🇧 English")
    assert rows(engine, USER_DATA)["803"]["lang"] == "en"
    # A's periodic persistence writes what A changed, never its stale copy of what B changed.
    assert a.app is not None
    a.app.mark_data_for_update_persistence(user_ids=803, chat_ids=803)
    await a.app.update_persistence()
    assert rows(engine, USER_DATA)["803"]["lang"] == "en"
    # Read from A's copy of her user data (lang_of), refreshed from the database before the update.
    assert "There is nothing to cancel" in (await jeanne_a.send("/annuler"))[-1].text
    assert "Hello Jeanne" in (await jeanne_a.send("/menu"))[-1].text
    assert a.refused() == []


async def test_a_double_tap_landing_on_both_processes_at_once_files_one_report(
    pair: tuple[Process, Process], engine: Engine
) -> None:
    """The two presses of a double tap reach the two processes at the same instant: one user's updates are
    handled one at a time across processes (a per-user lock in the database), so the second press finds
    the flow over, whichever process it reached."""
    a, b = pair
    jeanne_a, jeanne_b = await signed_in_on_both(pair, engine, 803)
    summary = await report_to_the_summary(jeanne_a, jeanne_b)
    confirm = dict(label_data for row in summary.buttons for label_data in row)["✅ Confirmer"]
    jeanne_a.emu.press_data(confirm, message_id=summary.message_id)
    jeanne_a.emu.press_data(confirm, message_id=summary.message_id)
    first, second = a.emu.take_updates()
    assert a.app is not None and b.app is not None
    await asyncio.gather(
        a.app.process_update(Update.de_json(first, a.app.bot)),
        b.app.process_update(Update.de_json(second, b.app.bot)),
    )
    with unit_of_work(make_session_factory(engine)) as session:
        filed = session.scalars(sa.select(Incident.id).where(Incident.description == DESCRIPTION)).all()
    assert len(filed) == 1
    assert rows(engine, "conversation:incident_report") == {}
    assert a.refused() == []
