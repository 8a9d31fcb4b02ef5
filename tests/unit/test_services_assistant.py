"""The assistant's service on each backend: the local engine's answer per intent, the stored exchange and
its budget, forgetting, and questions forwarded to managers (who may answer, and what reaches whom)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models import OutboxMessage, Reservation, ReservationSlot, Residence, Role, Space, SpaceKind, User
from models.assistant import AssistantQuestion, ChatMessage, FaqEntry, QuestionStatus
from models.db import unit_of_work
from services import assistant as svc
from services import knowledge
from services.assistant_openai import OpenAIConfig, OpenAIEngine
from services.assistant_types import Reply, Understanding
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me, me_of
from tests.conftest import START, Clock
from tests.fake_openai import FakeOpenAI, answer, fake_openai_fixture  # noqa: F401

Sessions = sessionmaker[Session]
Demo = dict[str, int]
PARIS = ZoneInfo("Europe/Paris")
TZ = "Europe/Paris"
TOMORROW = date(2026, 11, 25)  # START is Tuesday 24 November 2026, 10:00 in Paris


# --- helpers -----------------------------------------------------------------------------------------------


def me(sessions: Sessions, email: str) -> Me:
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        return me_of(s, user)


def link(sessions: Sessions, email: str, telegram_id: int) -> None:
    with unit_of_work(sessions) as s:
        s.execute(sa.update(User).where(User.email == email).values(telegram_id=telegram_id))


def person(sessions: Sessions, email: str, city: str = "Lyon", role: Role = Role.RESIDENT) -> Me:
    with unit_of_work(sessions) as s:
        home = s.scalar(sa.select(Residence).where(Residence.city == city))
        assert home is not None
        user = User(email=email, first_name="Test", role=role, residence_id=home.id, apartment="Z9")
        s.add(user)
        s.flush()
        return me_of(s, user)


def local(sessions: Sessions, who: Me, intent: str, clock: Clock, text: str = "", **slots: str) -> Reply:
    with unit_of_work(sessions) as s:
        understood = Understanding(intent, 0.9, "fr", slots)
        return svc.reply_to(s, who, text, understood, clock(), TZ)


def paris(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PARIS).astimezone(UTC)


def hours(reply: Reply) -> list[str]:
    return [slot.label for slot in reply.slots]


def runner(sessions: Sessions) -> Any:
    async def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
        with unit_of_work(sessions) as s:
            return fn(s, *args, **kwargs)

    return run


def laundry(sessions: Sessions, city: str = "Lyon") -> int:
    with unit_of_work(sessions) as s:
        found = s.scalar(
            sa.select(Space.id)
            .join(Residence, Residence.id == Space.residence_id)
            .where(Space.kind == SpaceKind.LAUNDRY, Residence.city == city)
        )
        assert found is not None
        return int(found)


def fill(sessions: Sessions, space_id: int, start: datetime, units: int) -> None:
    """Every unit of a slot taken by someone else."""
    with unit_of_work(sessions) as s:
        for unit in range(1, units + 1):
            user = User(email=f"fill{unit}-{start.hour}@x.test", first_name="F")
            s.add(user)
            s.flush()
            booking = Reservation(space_id=space_id, user_id=user.id, start_at=start, end_at=start + timedelta(hours=1))
            s.add(booking)
            s.flush()
            s.add(
                ReservationSlot(
                    reservation_id=booking.id, space_id=space_id, user_id=user.id, slot_start=start, unit=unit
                )
            )


def faq(sessions: Sessions, manager: Me, question: str, answer_text: str, keywords: str = "") -> int:
    with unit_of_work(sessions) as s:
        return knowledge.create_entry(
            s,
            manager,
            residence_id=manager.residence_id,
            topic="horaires",
            question_fr=question,
            answer_fr=answer_text,
            keywords=keywords,
            now=START,
        )


# --- the local engine, intent by intent --------------------------------------------------------------------------


def test_an_incident_is_prepared_not_filed(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    text = "Il y a une fuite d'eau dans ma salle de bain"
    reply = local(sessions, jeanne, "report_incident", clock, text, category="plumbing", place="home")
    assert reply.key == "ai.incident" and reply.params == {"category": {"$t": "inc.cat.plumbing"}}
    [action] = reply.actions
    assert action.kind == "incident"
    assert action.params == {"category": "plumbing", "place": "home", "description": text}
    # Unsure of the category, an unknown place, a description too short: the flow will ask them.
    reply = local(sessions, jeanne, "report_incident", clock, "panne", category="piscine", place="cave")
    assert reply.key == "ai.incident.ask" and reply.actions[0].params == {}
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ChatMessage)) == 0  # reply_to writes nothing


def test_the_requested_slot_when_free_else_the_nearest(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    space = laundry(sessions)
    reply = local(sessions, jeanne, "book_space", clock, space="laundry", date="2026-11-25", time="10:00")
    assert reply.key == "ai.book.free" and hours(reply) == ["10:00"]
    assert reply.params == {"space": "Laverie", "day": TOMORROW, "time": "10:00"}
    assert reply.slots[0].start_epoch == int(paris(TOMORROW, 10).timestamp()) and reply.slots[0].space_id == space
    assert {"space_id": space, "day": "2026-11-25", "start": reply.slots[0].start_epoch} in [
        a.params for a in reply.actions
    ]

    fill(sessions, space, paris(TOMORROW, 10), 3)  # the laundry's 3 machines at 10:00
    reply = local(sessions, jeanne, "book_space", clock, space="laundry", date="2026-11-25", time="10:00")
    assert reply.key == "ai.book.nearest" and reply.params["time"] == "10:00"
    assert hours(reply) in (["08:00", "09:00", "11:00"], ["09:00", "11:00", "12:00"])
    assert {"space_id": space, "day": "2026-11-25"} in [a.params for a in reply.actions]  # the whole day


def test_a_part_of_the_day_a_day_without_time_and_a_full_day(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    space = laundry(sessions)
    reply = local(sessions, jeanne, "book_space", clock, space="laundry", date="2026-11-25", period="afternoon")
    assert reply.key == "ai.book.options" and hours(reply) == ["14:00", "15:00", "16:00"]
    reply = local(sessions, jeanne, "book_space", clock, space="laundry", date="2026-11-25")
    assert reply.key == "ai.book.options" and hours(reply) == ["07:00", "08:00", "09:00"]
    for hour in range(7, 22):
        fill(sessions, space, paris(TOMORROW, hour), 3)
    reply = local(sessions, jeanne, "book_space", clock, space="laundry", date="2026-11-25", time="10:00")
    assert reply.key == "ai.book.full" and reply.slots == []
    assert [a.params for a in reply.actions] == [{"space_id": space}]  # the space's other days


def test_booking_without_a_date_a_past_or_far_date_or_an_unknown_space(
    sessions: Sessions, demo: Demo, clock: Clock
) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    space = laundry(sessions)
    reply = local(sessions, jeanne, "book_space", clock, space="laundry")
    assert reply.key == "ai.book.space" and [(a.kind, a.params) for a in reply.actions] == [
        ("booking", {"space_id": space})
    ]
    reply = local(sessions, jeanne, "book_space", clock, space="laundry", date="2026-11-20")
    assert reply.key == "ai.book.past"
    reply = local(sessions, jeanne, "book_space", clock, space="laundry", date="2026-12-20")
    assert reply.key == "ai.book.too_far" and reply.params["days"] == 7 and reply.params["last"] == date(2026, 12, 1)
    reply = local(sessions, jeanne, "book_space", clock, space="pool")
    assert reply.key == "ai.book.no_such_space" and "Laverie" in reply.params["spaces"]
    assert reply.actions[0].params == {"target": "book"}
    assert local(sessions, jeanne, "book_space", clock).key == "ai.book.which"
    # Lucienne (Bordeaux) is offered Bordeaux's laundry, never Lyon's.
    lucienne = me(sessions, "resident3@lba.demo")
    reply = local(sessions, lucienne, "book_space", clock, space="laundry", date="2026-11-25", time="10:00")
    assert reply.slots[0].space_id == laundry(sessions, "Bordeaux") != space


def test_events_by_name_else_the_next_ones(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    reply = local(sessions, jeanne, "events", clock, query="loto")
    assert reply.key == "ai.events.found" and [a.label for a in reply.actions if a.kind == "event"] == [
        "Loto de l'automne"
    ]
    reply = local(sessions, jeanne, "events", clock, query="goûter")  # found in the description
    assert [a.label for a in reply.actions if a.kind == "event"] == ["Loto de l'automne"]
    reply = local(sessions, jeanne, "events", clock, query="belote")
    assert reply.key == "ai.events.none_matching" and reply.params == {"query": "belote"}
    assert [a.label for a in reply.actions if a.kind == "event"] == [
        "Loto de l'automne",
        "Atelier tablette",
        "Promenade au parc de la Tête d'Or",
    ]
    assert reply.actions[-1].params == {"target": "events"}
    assert local(sessions, jeanne, "events", clock).key == "ai.events.next"
    lucienne = me(sessions, "resident3@lba.demo")  # Bordeaux: never Lyon's loto
    reply = local(sessions, lucienne, "events", clock, query="loto")
    assert reply.key == "ai.events.none_matching"
    assert "Loto de l'automne" not in [a.label for a in reply.actions]


def test_simple_intents_open_their_flow_and_greetings_answer(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    for intent, target in svc.OPEN_TARGETS.items():
        reply = local(sessions, jeanne, intent, clock)
        assert reply.key == f"ai.open.{intent}" and reply.actions[0].params == {"target": target}
    assert local(sessions, jeanne, "greeting", clock).params == {"name": "Jeanne"}
    assert local(sessions, jeanne, "thanks", clock).key == "ai.thanks"


def test_questions_are_answered_from_the_knowledge_base(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    sophie, jeanne = me(sessions, "manager@lba.demo"), me(sessions, "resident1@lba.demo")
    entry = faq(sessions, sophie, "Quand passe le jardinier ?", "Le jardinier passe le jeudi matin.", "jardinier")
    reply = local(sessions, jeanne, "question", clock, "Quel jour vient le jardinier ?")
    assert reply.key == "ai.kb" and reply.params == {"answer": "Le jardinier passe le jeudi matin."}
    assert reply.sources[0].entry_id == entry and reply.sources[0].question == "Quand passe le jardinier ?"
    # Unsure what it is (low confidence): taken as a question all the same.
    with unit_of_work(sessions) as s:
        unsure = Understanding("report_incident", 0.2, "fr", {"category": "other"})
        assert svc.reply_to(s, jeanne, "le jardinier ?", unsure, clock(), TZ).key == "ai.kb"
    # Nothing found: "I don't know" and an offer to ask the managers.
    reply = local(sessions, jeanne, "question", clock, "Où se trouve la piscine olympique ?")
    assert reply.key == "ai.question" and [a.kind for a in reply.actions] == ["ask_manager"]
    reply = local(sessions, jeanne, "unknown", clock, "xqzw blorf")
    assert reply.key == "ai.unknown" and reply.intent == "unknown"
    # Bordeaux does not read Lyon's entries.
    lucienne = me(sessions, "resident3@lba.demo")
    assert local(sessions, lucienne, "question", clock, "Quel jour vient le jardinier ?").key == "ai.question"


# --- ask: storage, length, budget -------------------------------------------------------------------------------


async def test_ask_stores_the_exchange_and_refuses_a_long_text(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    run = runner(sessions)
    reply = await svc.ask(run, jeanne, "  bonjour  ", now=clock(), tz=TZ, engine=None, daily_tokens=100)
    assert reply.engine == "local" and reply.fallback is None and reply.turn_id is not None
    with unit_of_work(sessions) as s:
        rows = s.scalars(sa.select(ChatMessage).order_by(ChatMessage.id)).all()
        assert [(r.role, r.engine, r.user_id) for r in rows] == [("user", "local", jeanne.id)] * 1 + [
            ("assistant", "local", jeanne.id)
        ]
        assert rows[0].id == reply.turn_id and rows[0].content == "bonjour" and rows[0].created_at == START
    reply = await svc.ask(run, jeanne, "x" * 1001, now=clock(), tz=TZ, engine=None, daily_tokens=100)
    assert reply.key == "ai.too_long" and reply.params["max"] == 1000 and reply.turn_id is None
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ChatMessage)) == 2


def test_the_daily_budget_starts_again_at_local_midnight(sessions: Sessions, demo: Demo) -> None:
    jeanne, marcel = me(sessions, "resident1@lba.demo"), me(sessions, "resident2@lba.demo")
    before = datetime(2026, 11, 24, 22, 50, tzinfo=UTC)  # 23:50 in Paris, Tuesday
    after = datetime(2026, 11, 24, 23, 10, tzinfo=UTC)  # 00:10 in Paris, Wednesday
    with unit_of_work(sessions) as s:
        for who, at, tokens in ((jeanne, before, 700), (jeanne, after, 50), (marcel, after, 900)):
            row = ChatMessage(user_id=who.id, role="assistant", content="…", engine="openai", tokens=tokens)
            row.created_at = at
            s.add(row)
    assert svc.local_midnight(after, TZ) == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    with unit_of_work(sessions) as s:
        assert svc.tokens_today(s, jeanne, after + timedelta(minutes=20), TZ) == 50
        assert svc.tokens_today(s, jeanne, before + timedelta(minutes=5), TZ) == 700
        assert svc.tokens_today(s, marcel, after, TZ) == 900


async def test_a_spent_budget_answers_locally_without_calling_openai(
    sessions: Sessions,
    demo: Demo,
    clock: Clock,
    fake_openai: FakeOpenAI,
) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    engine = OpenAIEngine(OpenAIConfig("test-key", fake_openai.url, "gpt-test", 5.0))
    run = runner(sessions)
    try:
        fake_openai.script(answer("Bonjour Jeanne !", usage=(60, 20)))
        first = await svc.ask(run, jeanne, "bonjour", now=clock(), tz=TZ, engine=engine, daily_tokens=100)
        assert (first.engine, first.text, first.tokens) == ("openai", "Bonjour Jeanne !", 80)
        fake_openai.script(answer("Encore moi", usage=(60, 20)))
        second = await svc.ask(run, jeanne, "bonjour", now=clock(), tz=TZ, engine=engine, daily_tokens=100)
        assert (second.engine, second.fallback) == ("openai", None)  # 80 spent < 100: still allowed
        third = await svc.ask(run, jeanne, "bonjour", now=clock(), tz=TZ, engine=engine, daily_tokens=100)
        assert (third.engine, third.fallback, third.key) == ("local", "budget", "ai.greeting")
        assert len(fake_openai.requests) == 2
        # The history handed to OpenAI on the second call held the first exchange.
        assert [m["content"] for m in fake_openai.requests[1]["messages"][1:]] == [
            "bonjour",
            "Bonjour Jeanne !",
            "bonjour",
        ]
        clock.advance(hours=14)  # Wednesday: a new day, a new budget
        fake_openai.script(answer("Bonne journée"))
        fourth = await svc.ask(run, jeanne, "bonjour", now=clock(), tz=TZ, engine=engine, daily_tokens=100)
        assert fourth.engine == "openai"
    finally:
        await engine.close()
    with unit_of_work(sessions) as s:
        engines = s.scalars(sa.select(ChatMessage.engine).where(ChatMessage.role == "assistant")).all()
        assert engines == ["openai", "openai", "local", "openai"]


def test_forget_deletes_my_exchange_only(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne, marcel = me(sessions, "resident1@lba.demo"), me(sessions, "resident2@lba.demo")
    with unit_of_work(sessions) as s:
        for who in (jeanne, jeanne, marcel):
            s.add(ChatMessage(user_id=who.id, role="user", content="salut"))
    with unit_of_work(sessions) as s:
        assert svc.forget(s, jeanne) == 2
    with unit_of_work(sessions) as s:
        assert svc.forget(s, jeanne) == 0
        assert s.scalars(sa.select(ChatMessage.user_id)).all() == [marcel.id]


# --- prefill and forwarded questions --------------------------------------------------------------------------------


def turn_of(sessions: Sessions, who: Me, text: str) -> int:
    with unit_of_work(sessions) as s:
        row = ChatMessage(user_id=who.id, role="user", content=text)
        row.created_at = START
        s.add(row)
        s.flush()
        return row.id


def test_prefill_reads_my_own_turn_only(sessions: Sessions, demo: Demo) -> None:
    jeanne, marcel = me(sessions, "resident1@lba.demo"), me(sessions, "resident2@lba.demo")
    turn = turn_of(sessions, jeanne, "Le radiateur du salon est froid depuis hier")
    with unit_of_work(sessions) as s:
        found = svc.prefill_incident(s, jeanne, turn, {"category": "heating", "urgency": "bogus", "place": "home"})
        assert found["category"] == "heating" and found["place"] == "home" and "urgency" not in found
        assert found["description"] == "Le radiateur du salon est froid depuis hier"
        with pytest.raises(NotFound):
            svc.prefill_incident(s, marcel, turn)


def test_forward_once_to_the_managers_of_my_residence(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne, marcel = me(sessions, "resident1@lba.demo"), me(sessions, "resident2@lba.demo")
    link(sessions, "manager@lba.demo", 9001)
    turn = turn_of(sessions, jeanne, "Peut-on installer une mangeoire à oiseaux sur le balcon ?")
    with unit_of_work(sessions) as s, pytest.raises(NotFound):
        svc.forward(s, marcel, turn, clock())  # not Marcel's message
    with unit_of_work(sessions) as s:
        question_id = svc.forward(s, jeanne, turn, clock())
    with unit_of_work(sessions) as s:
        with pytest.raises(InvalidInput) as error:
            svc.forward(s, jeanne, turn, clock())
        assert error.value.reason == "already_forwarded"
        row = s.get(AssistantQuestion, question_id)
        assert row is not None and row.status == QuestionStatus.OPEN and row.residence_id == jeanne.residence_id
        [sent] = s.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "assistant_question")).all()
        assert sent.chat_id == 9001 and sent.payload["key"] == "ai.q.new"
        assert sent.payload["buttons"] == [[{"key": "ai.btn.reply", "data": f"ai:ans:{question_id}"}]]
        assert sent.payload["params"]["question"].startswith("Peut-on installer")


def test_who_may_answer_and_the_resident_hears_it(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne, sophie = me(sessions, "resident1@lba.demo"), me(sessions, "manager@lba.demo")
    bordeaux_manager = person(sessions, "gestion-bdx@x.test", "Bordeaux", Role.MANAGER)
    link(sessions, "resident1@lba.demo", 9002)
    turn = turn_of(sessions, jeanne, "Le marché de Noël a-t-il lieu cette année ?")
    with unit_of_work(sessions) as s:
        question_id = svc.forward(s, jeanne, turn, clock())
    for stranger in (jeanne, bordeaux_manager):
        with unit_of_work(sessions) as s, pytest.raises(NotAllowed):
            svc.answer(s, stranger, question_id, "Oui, le 12 décembre.", clock())
    with unit_of_work(sessions) as s:
        assert [q.id for q in svc.open_questions(s, sophie)] == [question_id]
        assert svc.open_questions(s, bordeaux_manager) == []
        with pytest.raises(NotAllowed):
            svc.open_questions(s, jeanne)
        with pytest.raises(InvalidInput):
            svc.answer(s, sophie, question_id, "Oui", clock())  # too short: 5 characters at least
    with unit_of_work(sessions) as s:
        view = svc.answer(s, sophie, question_id, "Oui, le samedi 12 décembre dans le hall.", clock())
        assert view.status == QuestionStatus.ANSWERED and view.asker == "Jeanne"
    with unit_of_work(sessions) as s:
        with pytest.raises(InvalidInput):
            svc.answer(s, sophie, question_id, "Une seconde réponse", clock())
        [told] = s.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "assistant_answer")).all()
        assert told.chat_id == 9002 and told.payload["key"] == "ai.q.answered"
        assert told.payload["params"]["answer"] == "Oui, le samedi 12 décembre dans le hall."
        assert svc.open_questions(s, sophie) == []


def test_an_answer_becomes_a_faq_entry_found_next_time(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne, sophie = me(sessions, "resident1@lba.demo"), me(sessions, "manager@lba.demo")
    turn = turn_of(sessions, jeanne, "Le marché de Noël a-t-il lieu cette année ?")
    with unit_of_work(sessions) as s:
        question_id = svc.forward(s, jeanne, turn, clock())
    with unit_of_work(sessions) as s, pytest.raises(InvalidInput):
        svc.to_faq(s, sophie, question_id, clock())  # not answered yet
    with unit_of_work(sessions) as s:
        svc.answer(s, sophie, question_id, "Oui, le samedi 12 décembre dans le hall.", clock())
    with unit_of_work(sessions) as s, pytest.raises(NotAllowed):
        svc.to_faq(s, jeanne, question_id, clock())
    with unit_of_work(sessions) as s:
        entry_id = svc.to_faq(s, sophie, question_id, clock())
    with unit_of_work(sessions) as s:
        entry = s.get(FaqEntry, entry_id)
        assert entry is not None and entry.residence_id == jeanne.residence_id
        assert entry.answer_fr == "Oui, le samedi 12 décembre dans le hall."
        with pytest.raises(InvalidInput):
            svc.to_faq(s, sophie, question_id, clock())  # once
    reply = local(sessions, jeanne, "question", clock, "Y a-t-il un marché de Noël cette année ?")
    assert reply.key == "ai.kb" and reply.sources[0].entry_id == entry_id
