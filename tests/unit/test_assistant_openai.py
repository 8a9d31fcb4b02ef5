"""The OpenAI engine through the real `openai` client, against the loopback server of tests/fake_openai.py.

The database is the demo's (on each backend); the tools run our real services. Jeanne (resident1, Lyon,
A12) is the one asking; Marcel (resident2, Lyon) and Lucienne (Bordeaux) are the neighbours whose data
must never reach the model.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import openai
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime import Runtime
from models import Event, FaqEntry, Reservation, Residence, Space, User
from models.db import unit_of_work
from services.assistant_openai import (
    DEFAULT_MODEL,
    MAX_TEXT,
    MAX_TOOL_ROUNDS,
    EngineUnavailable,
    OpenAIConfig,
    OpenAIEngine,
)
from services.assistant_types import Action, DbRunner, Reply
from services.people import Me, me_of
from tests.conftest import Clock, make_settings
from tests.fake_openai import FakeOpenAI, answer, fake_openai_fixture, http_error, raw, stall, tool_calls  # noqa: F401

TOMORROW = "2026-11-25"  # the clock starts Tuesday 24 November 2026, 10:00 in Paris
NEIGHBOURS = ("Marcel", "Bernard", "B04", "Lucienne", "Moreau", "C21", "resident2", "resident3")


def who(sessions: sessionmaker[Session], email: str) -> Me:
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        return me_of(s, user)


def lyon_id(sessions: sessionmaker[Session], model: Any, name: str) -> int:
    with unit_of_work(sessions) as s:
        found = s.scalar(
            sa.select(model.id)
            .join(Residence, Residence.id == model.residence_id)
            .where(Residence.city == "Lyon", (model.name if model is Space else model.title) == name)
        )
        assert found is not None
        return found


def event_id(sessions: sessionmaker[Session], title: str) -> int:
    with unit_of_work(sessions) as s:
        found = s.scalar(sa.select(Event.id).where(Event.title == title))
        assert found is not None
        return found


def reservations(sessions: sessionmaker[Session]) -> int:
    with unit_of_work(sessions) as s:
        return s.scalar(sa.select(sa.func.count(Reservation.id))) or 0


@pytest.fixture
def run(engine: Engine, sessions: sessionmaker[Session], clock: Clock, demo: dict[str, int]) -> DbRunner:
    """The bot's own runner: each call one unit of work, off the event loop."""
    return Runtime(make_settings(), engine, sessions, clock).db


@pytest.fixture
def jeanne(sessions: sessionmaker[Session], demo: dict[str, int]) -> Me:
    return who(sessions, "resident1@lba.demo")


def engine_for(server: FakeOpenAI, timeout: float = 5.0) -> OpenAIEngine:
    return OpenAIEngine(OpenAIConfig("test-key", server.url, DEFAULT_MODEL, timeout))


async def ask(
    server: FakeOpenAI,
    run: DbRunner,
    me: Me,
    clock: Clock,
    text: str = "Bonjour",
    *,
    history: list[tuple[str, str]] | None = None,
    lang: str = "fr",
    timeout: float = 5.0,
) -> Reply:
    engine = engine_for(server, timeout)
    try:
        return await engine.reply(run, me, text, history=history or [], now=clock(), lang=lang)
    finally:
        await engine.close()


def tool_results(request: dict[str, Any]) -> dict[str, Any]:
    """The tool messages of a request, by tool_call_id, decoded."""
    return {m["tool_call_id"]: json.loads(m["content"]) for m in request["messages"] if m["role"] == "tool"}


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# --- a plain answer ----------------------------------------------------------------------------------------


async def test_plain_answer_with_the_residents_own_prompt(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    fake_openai.script(answer("  Bonjour Jeanne, que puis-je faire pour vous ?  ", usage=(120, 15)))

    reply = await ask(fake_openai, run, jeanne, clock, "Bonjour")

    assert (reply.engine, reply.intent, reply.text) == (
        "openai",
        "question",
        "Bonjour Jeanne, que puis-je faire pour vous ?",
    )
    assert (reply.actions, reply.sources, reply.slots, reply.tokens) == ([], [], [], 135)
    [request] = fake_openai.requests
    assert request["model"] == "gpt-4o-mini"
    assert request["tool_choice"] == "auto"
    assert {t["function"]["name"] for t in request["tools"]} == {
        "search_knowledge",
        "list_events",
        "my_bookings",
        "my_incidents",
        "free_slots",
        "prepare_incident",
        "prepare_booking",
        "prepare_event_signup",
    }
    assert fake_openai.headers[0]["authorization"] == "Bearer test-key"
    system, user = request["messages"]
    assert system["role"] == "system"
    for expected in ("Les Belles Années", "Jeanne", "Les Belles Années Lyon", "A12", "mardi 2026-11-24", "10:00"):
        assert expected in system["content"]
    assert "Markdown" in system["content"] and "search_knowledge" in system["content"]
    assert user == {"role": "user", "content": "Bonjour"}


async def test_english_prompt_for_an_english_reader(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    fake_openai.script(answer("Hello Jeanne!"))

    reply = await ask(fake_openai, run, jeanne, clock, "Hello", lang="en")

    assert reply.text == "Hello Jeanne!"
    system = fake_openai.requests[0]["messages"][0]["content"]
    assert "Answer in English" in system and "Tuesday 2026-11-24" in system and "apartment A12" in system


async def test_history_turns_come_in_order_between_prompt_and_message(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    fake_openai.script(answer("Demain à 10 h."))
    history = [
        ("user", "Je voudrais la laverie"),
        ("assistant", "Pour quel jour ?"),
        ("tool", "ignored: not a conversation turn"),
        ("user", "demain"),
        ("assistant", "À quelle heure ?"),
    ]

    await ask(fake_openai, run, jeanne, clock, "10h", history=history)

    messages = fake_openai.requests[0]["messages"]
    assert [(m["role"], m["content"]) for m in messages[1:]] == [
        ("user", "Je voudrais la laverie"),
        ("assistant", "Pour quel jour ?"),
        ("user", "demain"),
        ("assistant", "À quelle heure ?"),
        ("user", "10h"),
    ]


async def test_a_long_answer_is_capped(fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock) -> None:
    fake_openai.script(answer("blabla " * 1000))

    reply = await ask(fake_openai, run, jeanne, clock)

    assert reply.text is not None and len(reply.text) == MAX_TEXT and reply.text.endswith("…")


# --- tools: booking --------------------------------------------------------------------------------------------


async def test_booking_round_trip_prepares_the_laundry_tomorrow_at_ten(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    laundry = lyon_id(sessions, Space, "Laverie")
    before = reservations(sessions)
    fake_openai.script(
        tool_calls(("free_slots", {"space": "Laverie", "day": TOMORROW})),
        tool_calls(("prepare_booking", {"space": "laundry", "day": TOMORROW, "time": "10:00"})),
        answer("La laverie demain à 10 h est prête : confirmez avec le bouton."),
    )

    reply = await ask(fake_openai, run, jeanne, clock, "Je veux réserver la laverie demain à 10h")

    start = epoch(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # 10:00 in Paris
    assert reply.actions == [Action("booking", {"space_id": laundry, "day": TOMORROW, "start": start}, "Laverie")]
    assert (reply.intent, reply.slots, reply.tokens) == ("book_space", [], 150)
    assert reply.text == "La laverie demain à 10 h est prête : confirmez avec le bouton."
    assert len(fake_openai.requests) == 3

    second = fake_openai.requests[1]["messages"]
    call = second[-2]
    assert call["role"] == "assistant" and call["tool_calls"][0]["function"]["name"] == "free_slots"
    slots = tool_results(fake_openai.requests[1])[call["tool_calls"][0]["id"]]
    assert slots["space"] == "Laverie" and slots["day"] == TOMORROW
    assert (
        slots["free_starts"][0] == "07:00" and "10:00" in slots["free_starts"] and slots["free_starts"][-1] == "21:00"
    )
    prepared = tool_results(fake_openai.requests[2])["call_2_0"]
    assert prepared == {
        "prepared": "booking",
        "space": "Laverie",
        "day": TOMORROW,
        "start": "10:00",
        "free": True,
        "next": "the resident picks or confirms the slot in the booking form",
    }
    assert reservations(sessions) == before  # prepared, not booked


async def test_a_taken_slot_is_offered_with_the_nearest_free_ones(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    gym = lyon_id(sessions, Space, "Salle de sport")  # Marcel holds it tomorrow 09:00 (capacity 1)
    fake_openai.script(
        tool_calls(("prepare_booking", {"space": "salle de sport", "day": TOMORROW, "time": "09:00"})),
        answer("9 h est pris ; 8 h ou 10 h ?"),
    )

    reply = await ask(fake_openai, run, jeanne, clock, "la salle de sport demain 9h")

    assert reply.actions == [Action("booking", {"space_id": gym, "day": TOMORROW}, "Salle de sport")]
    paris = [datetime(2026, 11, 25, h - 1, tzinfo=UTC) for h in (8, 10, 7)]  # nearest first
    assert [(s.space_id, s.start_epoch, s.label) for s in reply.slots] == [
        (gym, epoch(paris[0]), "08:00"),
        (gym, epoch(paris[1]), "10:00"),
        (gym, epoch(paris[2]), "07:00"),
    ]
    result = tool_results(fake_openai.requests[1])["call_1_0"]
    assert result["free"] is False and result["refused_by_rule"] == "capacity"
    assert result["nearest_free"] == ["2026-11-25 08:00", "2026-11-25 10:00", "2026-11-25 07:00"]
    assert not any(name in json.dumps(result) for name in NEIGHBOURS)


async def test_booking_tools_refuse_a_day_out_of_reach_and_an_unknown_space(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    fake_openai.script(
        tool_calls(
            ("free_slots", {"space": "laundry", "day": "2026-12-25"}),
            ("free_slots", {"space": "piscine", "day": TOMORROW}),
            ("prepare_booking", {"space": "laundry", "day": "25/11/2026"}),
            ("prepare_booking", {"space": "laundry", "day": TOMORROW, "time": "10h"}),
        ),
        answer("La laverie se réserve au plus 7 jours à l'avance."),
    )

    reply = await ask(fake_openai, run, jeanne, clock, "laverie à Noël")

    assert reply.actions == [] and reply.intent == "question"
    results = tool_results(fake_openai.requests[1])
    assert results["call_1_0"] == {
        "error": "day: too_far",
        "details": {"day": "2026-12-25", "last": "2026-12-01", "days": 7},
    }
    assert results["call_1_1"]["error"].startswith("no single space matches 'piscine'")
    assert "Laverie (laundry)" in results["call_1_1"]["error"]
    assert results["call_1_2"] == {"error": "day must be a date written YYYY-MM-DD, e.g. 2026-11-25"}
    assert results["call_1_3"] == {"error": "time must be HH:MM (24 h), e.g. 10:00"}


# --- tools: incidents, events, knowledge ---------------------------------------------------------------------


async def test_prepare_incident_opens_the_prefilled_report(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    fake_openai.script(
        tool_calls(
            ("prepare_incident", {"category": "fire", "urgency": "urgent"}),
            ("prepare_incident", {"category": "plumbing", "description": "fuite"}),
        ),
        tool_calls(
            (
                "prepare_incident",
                {"category": "Plumbing", "urgency": "urgent", "place": "home", "description": "Fuite sous l'évier."},
            )
        ),
        answer("Le signalement est prêt : vérifiez et confirmez."),
    )

    reply = await ask(fake_openai, run, jeanne, clock, "il y a une fuite sous mon évier")

    params = {"category": "plumbing", "urgency": "urgent", "place": "home", "description": "Fuite sous l'évier."}
    assert reply.actions == [Action("incident", params)]
    assert reply.intent == "report_incident"
    first = tool_results(fake_openai.requests[1])
    assert first["call_1_0"]["error"].startswith("category must be one of: plumbing, electricity")
    assert first["call_1_1"]["error"] == "description: too_short"
    assert tool_results(fake_openai.requests[2])["call_2_0"]["prepared"] == "incident report"


async def test_events_by_query_and_a_signup_prepared_only_in_my_residence(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    loto = lyon_id(sessions, Event, "Loto de l'automne")
    bordeaux = event_id(sessions, "Chorale")
    fake_openai.script(
        tool_calls(("list_events", {"query": "le prochain loto"})),
        tool_calls(("prepare_event_signup", {"event_id": bordeaux}), ("prepare_event_signup", {"event_id": str(loto)})),
        answer("Le loto est vendredi à 15 h ; vous y êtes déjà inscrite."),
    )

    reply = await ask(fake_openai, run, jeanne, clock, "c'est quand le prochain loto ?")

    assert reply.actions == [Action("event", {"event_id": loto}, "Loto de l'automne")]
    assert reply.intent == "events"
    listed = tool_results(fake_openai.requests[1])["call_1_0"]
    assert listed["matched_query"] is True
    assert [e["title"] for e in listed["events"]] == ["Loto de l'automne"]
    assert listed["events"][0]["starts"] == "2026-11-27 15:00" and listed["events"][0]["my_status"] == "registered"
    signups = tool_results(fake_openai.requests[2])
    assert signups["call_2_0"] == {"error": "NotAllowed: another residence"}
    assert signups["call_2_1"]["title"] == "Loto de l'automne" and signups["call_2_1"]["my_status"] == "registered"


async def test_search_knowledge_hits_become_the_replys_sources(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    question = "Où garer les trottinettes du club de pétanque ?"
    with unit_of_work(sessions) as s:
        lyon, bordeaux = (s.scalar(sa.select(Residence.id).where(Residence.city == c)) for c in ("Lyon", "Bordeaux"))
        mine = FaqEntry(residence_id=lyon, topic="rules", question_fr=question, answer_fr="Au local vélos, niveau -1.")
        theirs = FaqEntry(
            residence_id=bordeaux, topic="rules", question_fr=question, answer_fr="Dans la cour de Bordeaux."
        )
        others = [
            FaqEntry(residence_id=lyon, topic="general", question_fr=q, answer_fr=a)
            for q, a in (
                ("Quand passe le coiffeur ?", "Le mardi matin, sur rendez-vous."),
                ("Où déposer mes colis ?", "À l'accueil, de 9 h à 18 h."),
                ("Comment trier mes déchets ?", "Le verre au local poubelles, le reste dans les bacs jaunes."),
                ("Les animaux sont-ils acceptés ?", "Oui, les petits animaux de compagnie."),
            )
        ]
        s.add_all([mine, theirs, *others])
        s.flush()
        mine_id = mine.id
    fake_openai.script(
        tool_calls(("search_knowledge", {"query": question})),
        answer("Au local vélos, au niveau -1."),
    )

    reply = await ask(fake_openai, run, jeanne, clock, question)

    # The demo's own entries may come along (up to 3 hits); mine comes first, Bordeaux's never.
    assert reply.sources[0].entry_id == mine_id and reply.sources[0].answer == "Au local vélos, niveau -1."
    assert {hit.residence_id for hit in reply.sources} <= {lyon, None}
    assert reply.intent == "question" and reply.text == "Au local vélos, au niveau -1."
    found = tool_results(fake_openai.requests[1])["call_1_0"]
    assert found["results"][0] == {"id": mine_id, "question": question, "answer": "Au local vélos, niveau -1."}
    assert [r["id"] for r in found["results"]] == [hit.entry_id for hit in reply.sources]
    assert "Bordeaux" not in json.dumps(found, ensure_ascii=False)


# --- privacy ----------------------------------------------------------------------------------------------------


async def test_only_this_residents_data_reaches_the_model(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    fake_openai.script(
        tool_calls(("my_bookings", {}), ("my_incidents", {}), ("list_events", {})),
        answer("Vous avez la laverie jeudi à 10 h."),
    )

    reply = await ask(fake_openai, run, jeanne, clock, "qu'est-ce que j'ai de prévu ?")

    assert reply.intent == "my_bookings"
    results = tool_results(fake_openai.requests[1])
    assert results["call_1_0"] == {
        "bookings": [{"space": "Laverie", "starts": "2026-11-26 10:00", "ends": "2026-11-26 11:00"}],
        "total": 1,
    }  # Marcel's gym booking tomorrow is not there
    incidents = results["call_1_1"]["incidents"]
    assert {i["category"] for i in incidents} == {"plumbing", "heating"}  # not Marcel's elevator or lights
    assert all(i["joined_not_reported"] is False for i in incidents)
    titles = [e["title"] for e in results["call_1_2"]["events"]]
    assert titles == ["Loto de l'automne", "Atelier tablette", "Promenade au parc de la Tête d'Or"]  # Lyon's only
    everything = json.dumps(fake_openai.requests, ensure_ascii=False)
    for name in NEIGHBOURS:
        assert name not in everything
    assert "goutte" not in everything  # incident descriptions stay out: the category and status say enough


# --- failures -------------------------------------------------------------------------------------------------


async def test_malformed_tool_calls_get_an_error_back_and_the_final_answer_is_used(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    fake_openai.script(
        tool_calls(
            ("my_bookings", '{"page": '),
            ("teleport", {"to": "Paris"}),
            ("my_bookings", '["not", "an", "object"]'),
            ("my_incidents", {"status": "open"}),
            ("prepare_event_signup", {"event_id": "the loto"}),
        ),
        answer("Je n'ai pas pu vérifier, pardon."),
    )

    reply = await ask(fake_openai, run, jeanne, clock, "mes réservations")

    assert reply.text == "Je n'ai pas pu vérifier, pardon."
    assert (reply.intent, reply.actions) == ("question", [])
    messages = fake_openai.requests[1]["messages"]
    assert [m["tool_call_id"] for m in messages if m["role"] == "tool"] == [f"call_1_{i}" for i in range(5)]
    results = tool_results(fake_openai.requests[1])
    assert results["call_1_0"] == {"error": "the arguments are not valid JSON"}
    assert results["call_1_1"]["error"].startswith("unknown tool 'teleport'; the tools are: search_knowledge")
    assert results["call_1_2"] == {"error": "the arguments must be a JSON object"}
    assert results["call_1_3"] == {"error": "unknown argument(s): status; expected: none"}
    assert results["call_1_4"] == {"error": "event_id must be a positive integer"}


async def test_timeout_of_one_request(fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock) -> None:
    fake_openai.script(stall(30))
    began = time.monotonic()

    with pytest.raises(EngineUnavailable) as caught:
        await ask(fake_openai, run, jeanne, clock, timeout=0.3)

    assert caught.value.reason == "timeout"
    assert time.monotonic() - began < 3


async def test_timeout_bounds_the_whole_exchange_not_each_round(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    # Each round answers within the timeout; the two together do not.
    fake_openai.script(stall(0.7, tool_calls(("my_bookings", {}))), stall(0.7, answer("trop tard")))

    with pytest.raises(EngineUnavailable) as caught:
        await ask(fake_openai, run, jeanne, clock, timeout=1.0)

    assert (caught.value.reason, caught.value.tokens) == ("timeout", 50)  # the first round's tokens still count
    assert len(fake_openai.requests) == 2


@pytest.mark.parametrize(
    "step",
    [
        http_error(500),
        http_error(429, "Rate limit reached"),
        http_error(401, "Incorrect API key provided"),
        raw("<html>Bad gateway</html>"),
        raw('{"id": "x", "object": "chat.completion", "choices": []}'),
        raw('{"choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "stop"}]}'),
    ],
    ids=["500", "429", "401", "not-json", "no-choice", "empty-answer"],
)
async def test_http_errors_and_unreadable_responses_are_unavailable(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock, step: Any
) -> None:
    fake_openai.script(step)

    with pytest.raises(EngineUnavailable) as caught:
        await ask(fake_openai, run, jeanne, clock)

    assert caught.value.reason == "error"
    assert len(fake_openai.requests) == 1  # no retry: the local engine answers instead


async def test_an_unreachable_server_is_unavailable(run: DbRunner, jeanne: Me, clock: Clock) -> None:
    with FakeOpenAI() as server:
        url = server.url
    engine = OpenAIEngine(OpenAIConfig("test-key", url, DEFAULT_MODEL, 2.0))

    with pytest.raises(EngineUnavailable) as caught:
        await engine.reply(run, jeanne, "Bonjour", history=[], now=clock(), lang="fr")
    await engine.close()

    assert caught.value.reason == "error"


async def test_too_many_tool_rounds_give_up(fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock) -> None:
    fake_openai.script(*[tool_calls(("my_bookings", {})) for _ in range(MAX_TOOL_ROUNDS + 2)])

    with pytest.raises(EngineUnavailable) as caught:
        await ask(fake_openai, run, jeanne, clock)

    assert (caught.value.reason, caught.value.tokens) == ("error", 50 * (MAX_TOOL_ROUNDS + 1))
    assert len(fake_openai.requests) == MAX_TOOL_ROUNDS + 1
    assert fake_openai.pending == 1


async def test_too_many_tool_rounds_keep_words_said_on_the_way(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    rounds = [tool_calls(("my_bookings", {})) for _ in range(MAX_TOOL_ROUNDS)]
    fake_openai.script(*rounds, tool_calls(("my_bookings", {}), content="Vous avez la laverie jeudi."))

    reply = await ask(fake_openai, run, jeanne, clock)

    assert reply.text == "Vous avez la laverie jeudi."
    assert len(fake_openai.requests) == MAX_TOOL_ROUNDS + 1


async def test_an_injected_client_is_left_open(
    fake_openai: FakeOpenAI, run: DbRunner, jeanne: Me, clock: Clock
) -> None:
    client = openai.AsyncOpenAI(api_key="k", base_url=fake_openai.url, max_retries=0)
    engine = OpenAIEngine(OpenAIConfig("unused", None, "local-model", 5.0), client=client)
    fake_openai.script(answer("un"), answer("deux"))

    first = await engine.reply(run, jeanne, "1", history=[], now=clock(), lang="fr")
    await engine.close()
    second = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "2"}])
    await client.close()

    assert (first.text, second.choices[0].message.content) == ("un", "deux")
    assert fake_openai.requests[0]["model"] == "local-model"
