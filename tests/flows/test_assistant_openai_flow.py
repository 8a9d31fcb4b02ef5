"""The assistant with an OpenAI key, through the real Application and the real `openai` client, against the
OpenAI-compatible server the tests serve on loopback: answers, a prepared booking, and every way back to the
local engine (timeout, error, spent budget) — the resident is never left without an answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from handlers.assistant import ENGINE_KEY, close_engine
from models import Incident, IncidentCategory, Reservation
from models.assistant import ChatMessage
from models.db import unit_of_work
from tests.conftest import Clock, make_settings
from tests.fake_openai import FakeOpenAI, answer, fake_openai_fixture, http_error, stall, tool_calls  # noqa: F401
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

PARIS = ZoneInfo("Europe/Paris")
TOMORROW = "2026-11-25"  # the clock starts on Tuesday 24 November 2026, 10:00 in Paris


@asynccontextmanager
async def ai_bot(engine: Engine, clock: Clock, server: FakeOpenAI, **settings: Any) -> AsyncIterator[BotHarness]:
    """The bot with OPENAI_API_KEY and OPENAI_BASE_URL set to the loopback server."""
    configured = replace(
        make_settings(),
        openai_api_key="sk-test",
        openai_base_url=server.url,
        openai_model="gpt-test",
        **{"openai_timeout": 5.0, **settings},
    )
    harness = BotHarness(configured, engine, clock)
    await harness.start()
    try:
        yield harness
    finally:
        assert harness.app is not None
        await close_engine(harness.app)  # what the bot's post-stop hook does
        await harness.stop()


async def jeanne_of(bot: BotHarness, uid: int = 901) -> TgUser:
    jeanne = bot.user(uid, "Jeanne")
    await sign_in(jeanne)
    return jeanne


def labels(user: TgUser) -> list[str]:
    return [label for row in user.emu.buttons() for label, _ in row]


def stored(bot: BotHarness) -> list[tuple[str, str, int]]:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as s:  # type: ignore[union-attr]
        rows = s.execute(sa.select(ChatMessage.role, ChatMessage.engine, ChatMessage.tokens).order_by(ChatMessage.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def count(bot: BotHarness, model: type) -> int:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as s:  # type: ignore[union-attr]
        return s.scalar(sa.select(sa.func.count()).select_from(model)) or 0


async def test_a_plain_answer_is_shown_escaped_and_stored(
    engine: Engine, clock: Clock, demo: dict[str, int], fake_openai: FakeOpenAI
) -> None:
    async with ai_bot(engine, clock, fake_openai) as bot:
        jeanne = await jeanne_of(bot)
        fake_openai.script(answer("Bonjour Jeanne ! <b>Bien sûr</b> & avec plaisir.", usage=(300, 20)))
        replies = await jeanne.send("Bonjour, tu peux m'aider ?")
        assert replies[0].text == "Bonjour Jeanne ! <b>Bien sûr</b> & avec plaisir."  # shown as written
        assert labels(jeanne) == ["🏠 Menu"]
        request = fake_openai.requests[0]
        assert request["model"] == "gpt-test" and request["messages"][-1]["content"] == "Bonjour, tu peux m'aider ?"
        assert {k.lower(): v for k, v in fake_openai.headers[0].items()}["authorization"] == "Bearer sk-test"
        assert stored(bot) == [("user", "openai", 0), ("assistant", "openai", 320)]
        replies = await jeanne.send("/assistant")
        assert "IA en ligne" in replies[0].text
        assert bot.refused() == []


async def test_a_tool_round_trip_prepares_a_booking_that_opens_at_its_summary(
    engine: Engine, clock: Clock, demo: dict[str, int], fake_openai: FakeOpenAI
) -> None:
    async with ai_bot(engine, clock, fake_openai) as bot:
        jeanne = await jeanne_of(bot)
        fake_openai.script(
            tool_calls(("prepare_booking", {"space": "laundry", "day": TOMORROW, "time": "10:00"})),
            answer("C'est prêt : touchez 10:00 pour réserver la laverie demain."),
        )
        replies = await jeanne.send("Réserve-moi la laverie demain matin à dix heures")
        assert "touchez 10:00" in replies[0].text
        assert fake_openai.requests[1]["messages"][-1]["role"] == "tool"  # our service answered the model
        assert "10:00" in labels(jeanne)
        before = count(bot, Reservation)
        replies = await jeanne.press("10:00")
        if "Récapitulatif" not in replies[-1].text:
            replies = await jeanne.press("1 h")
        assert "Récapitulatif" in replies[-1].text and "mercredi 25 novembre à 10:00" in replies[-1].text
        assert count(bot, Reservation) == before  # prepared, not booked
        await jeanne.press("✅ Confirmer")
        assert count(bot, Reservation) == before + 1
        with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as s:  # type: ignore[union-attr]
            start = datetime.combine(datetime.fromisoformat(TOMORROW).date(), time(10), PARIS).astimezone(UTC)
            assert s.scalar(sa.select(sa.func.count()).where(Reservation.start_at == start)) == 1
        assert bot.refused() == []


async def test_a_prepared_report_opens_the_flow_with_the_models_category(
    engine: Engine, clock: Clock, demo: dict[str, int], fake_openai: FakeOpenAI
) -> None:
    async with ai_bot(engine, clock, fake_openai) as bot:
        jeanne = await jeanne_of(bot)
        fake_openai.script(
            tool_calls(("prepare_incident", {"category": "electricity", "urgency": "urgent", "place": "home"})),
            answer("Je prépare le signalement : vérifiez et confirmez."),
        )
        await jeanne.send("Plus rien ne marche chez moi depuis l'orage, tout est noir")
        assert "🛠 Signaler : Électricité" in labels(jeanne)
        replies = await jeanne.press("🛠 Signaler : Électricité")
        assert "Photos" in replies[-1].text  # category, place, urgency and description all known
        replies = await jeanne.press("⏭ Passer")
        summary = replies[-1].text
        assert "Électricité" in summary and "Urgente" in summary and "tout est noir" in summary
        assert count(bot, Incident) == 5
        replies = await jeanne.press("✅ Confirmer")
        if "peut-être déjà signalé" in replies[-1].text:
            await jeanne.press("➕ Non, c'est un autre problème")
        with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as s:  # type: ignore[union-attr]
            newest = s.scalar(sa.select(Incident).order_by(Incident.id.desc()))
            assert newest is not None and newest.category == IncidentCategory.ELECTRICITY


async def test_a_timeout_or_an_error_falls_back_to_the_local_engine(
    engine: Engine, clock: Clock, demo: dict[str, int], fake_openai: FakeOpenAI
) -> None:
    async with ai_bot(engine, clock, fake_openai, openai_timeout=1.0) as bot:
        jeanne = await jeanne_of(bot)
        fake_openai.script(stall(10))
        replies = await jeanne.send("Il y a une fuite d'eau dans ma salle de bain")
        assert "Je peux préparer un signalement" in replies[0].text and "n'a pas répondu à temps" in replies[0].text
        assert "🛠 Signaler : Plomberie" in labels(jeanne)
        fake_openai.script(http_error(500))
        replies = await jeanne.send("Bonjour")
        assert "Je suis l'assistant" in replies[0].text and "indisponible" in replies[0].text
        assert [engine for role, engine, _ in stored(bot) if role == "assistant"] == ["local", "local"]
        assert bot.refused() == []


async def test_a_spent_daily_budget_answers_locally(
    engine: Engine, clock: Clock, demo: dict[str, int], fake_openai: FakeOpenAI
) -> None:
    async with ai_bot(engine, clock, fake_openai, openai_daily_tokens=100) as bot:
        jeanne = await jeanne_of(bot)
        fake_openai.script(answer("Avec plaisir !", usage=(90, 30)))
        await jeanne.send("Merci")
        replies = await jeanne.send("Merci encore")
        assert "Avec plaisir, Jeanne" in replies[0].text and "crédit d'IA du jour est épuisé" in replies[0].text
        assert len(fake_openai.requests) == 1  # nothing more was sent to OpenAI
        assert stored(bot) == [
            ("user", "openai", 0),
            ("assistant", "openai", 120),
            ("user", "local", 0),
            ("assistant", "local", 0),
        ]
        clock.advance(hours=15)  # after midnight in Paris: a new day's budget
        fake_openai.script(answer("Bonne journée !"))
        assert (await jeanne.send("Merci"))[0].text == "Bonne journée !"
        assert ENGINE_KEY in bot.app.bot_data  # type: ignore[union-attr]
