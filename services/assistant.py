"""The assistant: one service in front of two engines, and the questions it passes on to managers.

`ask` is the only way in. It validates the resident's words, lets the OpenAI engine answer when one
is configured and the resident's daily token budget allows it, and otherwise — or whenever that
engine times out or fails — answers with the local engine, so a resident is never left without an
answer. Both engines' exchanges are stored (`chat_messages`), which gives the OpenAI engine its
history, the budget its arithmetic, and the handlers a turn id to hang buttons on.

The local engine only reads: it understands the message (services.nlu), looks things up through the
other services (bookings, events, the knowledge base) with this resident's own rights, and answers
with catalog keys and prepared actions. Nothing is written on the resident's behalf before the flow
the action opens has been confirmed.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Event, IncidentCategory, Role, Urgency, User
from models.assistant import AssistantQuestion, ChatMessage, QuestionStatus
from services import bookings, events, incidents, knowledge, nlu, outbox
from services.assistant_openai import EngineUnavailable, OpenAIEngine
from services.assistant_types import Action, DbRunner, KbHit, Reply, SlotOption, Understanding
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from services.people import Me, reachable_managers
from services.text import fold
from services.validation import text_length

log = logging.getLogger(__name__)

TEXT_MIN, TEXT_MAX = 1, 1000
ANSWER_MIN, ANSWER_MAX = 5, 2000
HISTORY_TURNS = 6
CONFIDENT = 0.5
MAX_OFFERED_SLOTS = 3
MAX_EVENTS = 3
EVENTS_SCANNED = 50  # upcoming events read when looking for one by name (ten pages of the events list)
SEE_ALSO = 2
# The middle of each part of the day, for "samedi après-midi": the nearest free slots to it are offered.
PERIOD_CENTRE = {"morning": time(10), "afternoon": time(15), "evening": time(19)}
# Where each simple intent leads: the dashboard's own buttons (`menu:<target>`).
OPEN_TARGETS = {
    "market": "market",
    "account": "account",
    "my_bookings": "bookings",
    "my_incidents": "incidents",
    "help": "help",
}


# --- asking --------------------------------------------------------------------------------------------


async def ask(
    run: DbRunner,
    me: Me,
    text: str,
    *,
    now: datetime,
    tz: str,
    engine: OpenAIEngine | None,
    daily_tokens: int,
) -> Reply:
    """The answer to one message, from OpenAI when it is set and affordable, else (or on failure) local."""
    try:
        words = text_length("message", text, TEXT_MIN, TEXT_MAX)
    except InvalidInput as error:
        key = "ai.too_long" if error.reason == "too_long" else "ai.empty"
        return Reply(engine="local", intent="unknown", key=key, params=dict(error.details))

    reply: Reply | None = None
    fallback: str | None = None
    spent = 0
    if engine is not None:
        used = await run(tokens_today, me, now, tz)
        if used < daily_tokens:
            reply, fallback, spent = await _ask_openai(run, engine, me, words, now)
        else:
            fallback = "budget"
    if reply is None:
        reply = await run(local_reply, me, words, now, tz)
        reply.fallback = fallback
        reply.tokens = spent  # what OpenAI consumed before it gave up still counts against the budget
    reply.turn_id = await run(_store, me, words, reply, now)
    return reply


async def _ask_openai(
    run: DbRunner, engine: OpenAIEngine, me: Me, text: str, now: datetime
) -> tuple[Reply | None, str | None, int]:
    """OpenAI's reply; or None, why not ("timeout" / "error"), and the tokens it spent anyway."""
    past = await run(history, me)
    try:
        reply = await engine.reply(run, me, text, history=past, now=now, lang=me.language)
    except EngineUnavailable as error:
        reason = "timeout" if error.reason == "timeout" else "error"
        log.warning("OpenAI engine unavailable (%s): the local engine answers", reason)
        return None, reason, error.tokens
    except Exception:  # whatever goes wrong there, the resident still gets an answer
        log.exception("OpenAI engine failed: the local engine answers")
        return None, "error", 0
    return reply, None, 0


def local_midnight(now: datetime, tz: str) -> datetime:
    """Today's midnight in the resident's time zone, in UTC: the daily budget starts again there."""
    zone = ZoneInfo(tz)
    return datetime.combine(now.astimezone(zone).date(), time(0), zone).astimezone(UTC)


def tokens_today(session: Session, me: Me, now: datetime, tz: str) -> int:
    since = local_midnight(now, me.timezone or tz)
    spent = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ChatMessage.tokens), 0)).where(
            ChatMessage.user_id == me.id, ChatMessage.created_at >= since, ChatMessage.created_at <= now
        )
    )
    return int(spent or 0)


def history(session: Session, me: Me, turns: int = HISTORY_TURNS) -> list[tuple[str, str]]:
    """My last turns, oldest first, as (role, content)."""
    rows = session.scalars(
        sa.select(ChatMessage)
        .where(ChatMessage.user_id == me.id, ChatMessage.role.in_(("user", "assistant")))
        .order_by(ChatMessage.id.desc())
        .limit(turns)
    ).all()
    return [(row.role, row.content) for row in reversed(rows)]


def _digest(reply: Reply) -> str:
    """What is kept of an answer: the OpenAI engine's words, a knowledge-base answer, or the local key."""
    if reply.text:
        return reply.text
    if reply.sources:
        return reply.sources[0].answer
    params = {k: v.isoformat() if isinstance(v, date) else v for k, v in reply.params.items()}
    return f"{reply.key} {json.dumps(params, ensure_ascii=False, default=str)}" if params else str(reply.key)


def _store(session: Session, me: Me, text: str, reply: Reply, now: datetime) -> int:
    turn = ChatMessage(user_id=me.id, role="user", content=text, engine=reply.engine, intent=reply.intent, tokens=0)
    turn.created_at = now
    answer = ChatMessage(
        user_id=me.id,
        role="assistant",
        content=_digest(reply),
        engine=reply.engine,
        intent=reply.intent,
        tokens=max(0, reply.tokens),
    )
    answer.created_at = now
    session.add(turn)
    session.flush()  # the resident's words first: their id is the turn the buttons refer to
    session.add(answer)
    session.flush()
    return turn.id


def forget(session: Session, me: Me) -> int:
    """Delete my whole exchange with the assistant; returns how many messages went."""
    result = session.execute(sa.delete(ChatMessage).where(ChatMessage.user_id == me.id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- the local engine ----------------------------------------------------------------------------------


def local_reply(session: Session, me: Me, text: str, now: datetime, tz: str) -> Reply:
    """Understand the message and answer it from our own services, without network."""
    today = now.astimezone(ZoneInfo(me.timezone or tz)).date()
    return reply_to(session, me, text, nlu.understand(text, today=today), now, tz)


def reply_to(session: Session, me: Me, text: str, understanding: Understanding, now: datetime, tz: str) -> Reply:
    """The local answer to a message understood so (an unsure understanding is taken as a question)."""
    zone = me.timezone or tz
    intent = understanding.intent if understanding.confidence >= CONFIDENT else "question"
    if intent == "report_incident":
        return _incident_reply(me, text, understanding)
    if intent == "book_space":
        return _booking_reply(session, me, understanding.slots, now)
    if intent == "events":
        return _events_reply(session, me, understanding.slots, now, zone)
    if intent in OPEN_TARGETS:
        return Reply(
            "local", intent, key=f"ai.open.{intent}", actions=[Action("open", {"target": OPEN_TARGETS[intent]})]
        )
    if intent in ("greeting", "thanks"):
        return Reply("local", intent, key=f"ai.{intent}", params={"name": me.first_name})
    return _knowledge_reply(session, me, text, understood=understanding.intent)


def _incident_reply(me: Me, text: str, understanding: Understanding) -> Reply:
    params = _incident_slots(me, text, understanding.slots)
    category = params.get("category")
    if category is None:
        return Reply("local", "report_incident", key="ai.incident.ask", actions=[Action("incident", params)])
    return Reply(
        "local",
        "report_incident",
        key="ai.incident",
        params={"category": outbox.tr(f"inc.cat.{category}")},
        actions=[Action("incident", params)],
    )


def _incident_slots(me: Me, text: str, slots: dict[str, str]) -> dict[str, str]:
    """What the report flow can take as already answered; anything unsure is left for it to ask."""
    found: dict[str, str] = {}
    if slots.get("category") in {c.value for c in IncidentCategory}:
        found["category"] = slots["category"]
    if slots.get("urgency") in {u.value for u in Urgency}:
        found["urgency"] = slots["urgency"]
    place = slots.get("place")
    if (place == incidents.HOME and me.apartment) or place in incidents.COMMON_PLACES:
        found["place"] = str(place)
    with contextlib.suppress(InvalidInput):
        found["description"] = incidents.check_description(text)
    return found


def _booking_reply(session: Session, me: Me, slots: dict[str, str], now: datetime) -> Reply:
    mine = bookings.spaces(session, me)
    names = ", ".join(s.name for s in mine)
    kind = slots.get("space")
    space = next((s for s in mine if s.kind == kind), None)
    if space is None:
        key = "ai.book.no_spaces" if not mine else "ai.book.which" if not kind else "ai.book.no_such_space"
        return Reply(
            "local", "book_space", key=key, params={"spaces": names}, actions=[Action("open", {"target": "book"})]
        )
    whole = Action("booking", {"space_id": space.id})
    if not slots.get("date"):
        return Reply("local", "book_space", key="ai.book.space", params={"space": space.name}, actions=[whole])
    try:
        day = date.fromisoformat(slots["date"])
        plan = bookings.day_slots(session, me, space.id, day, now)
    except ValueError:
        return Reply("local", "book_space", key="ai.book.space", params={"space": space.name}, actions=[whole])
    except InvalidInput as error:
        if error.reason == "too_far":
            params = {"space": space.name, "day": day, "last": error.details["last"], "days": error.details["days"]}
            return Reply("local", "book_space", key="ai.book.too_far", params=params, actions=[whole])
        return Reply("local", "book_space", key="ai.book.past", params={"day": day}, actions=[whole])
    except DomainError:
        return Reply("local", "book_space", key="ai.book.which", params={"spaces": names}, actions=[whole])
    return _slots_reply(space, plan, slots)


def _slots_reply(space: bookings.SpaceView, plan: bookings.DaySlots, slots: dict[str, str]) -> Reply:
    """The requested time when it is free, else the free slots nearest to it (or to the part of the day)."""
    day, zone = plan.day, ZoneInfo(space.timezone)
    params: dict[str, Any] = {"space": space.name, "day": day}
    the_day = Action("booking", {"space_id": space.id, "day": day.isoformat()})
    if not plan.options:
        return Reply(
            "local",
            "book_space",
            key="ai.book.full",
            params=params,
            actions=[Action("booking", {"space_id": space.id})],
        )
    wanted = _clock(slots.get("time")) if not space.nightly else None
    target = wanted or PERIOD_CENTRE.get(slots.get("period", ""))
    options = list(plan.options)
    if target is not None:
        aim = datetime.combine(day, target, zone)
        options.sort(key=lambda o: (abs((o.start - aim).total_seconds()), o.start))
    chosen = options[:MAX_OFFERED_SLOTS]
    if wanted is not None and chosen[0].start.astimezone(zone).time() == wanted:
        chosen, key = chosen[:1], "ai.book.free"
    elif wanted is not None:
        key = "ai.book.nearest"
    else:
        key = "ai.book.options"
    chosen.sort(key=lambda o: o.start)
    if wanted is not None:
        params["time"] = wanted.strftime("%H:%M")
    offered = [
        SlotOption(space.id, int(o.start.timestamp()), _slot_label(o.start.astimezone(zone), space.nightly))
        for o in chosen
    ]
    actions = [
        Action("booking", {"space_id": space.id, "day": day.isoformat(), "start": s.start_epoch}) for s in offered
    ]
    return Reply("local", "book_space", key=key, params=params, slots=offered, actions=[*actions, the_day])


def _clock(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


def _slot_label(local: datetime, nightly: bool) -> str:
    return local.strftime("%d/%m") if nightly else local.strftime("%H:%M")


def _words(text: str) -> set[str]:
    return {w for w in "".join(c if c.isalnum() else " " for c in fold(text)).split() if len(w) > 2}


def _matches(query: set[str], words: set[str]) -> bool:
    """Every word of the query found, a plural or a longer form counting ("lotos", "loto")."""
    return all(
        any(w == q or (min(len(w), len(q)) >= 4 and (w.startswith(q) or q.startswith(w))) for w in words) for q in query
    )


def _events_reply(session: Session, me: Me, slots: dict[str, str], now: datetime, tz: str) -> Reply:
    upcoming: list[events.EventLine] = []
    page = 0
    while len(upcoming) < EVENTS_SCANNED:
        found = events.list_upcoming(session, me, now, page)
        upcoming += found.items
        if not found.has_next:
            break
        page += 1
    if not upcoming:
        return Reply("local", "events", key="ai.events.none", actions=[Action("open", {"target": "events"})])
    query = slots.get("query", "")
    wanted = _words(query)
    day = slots.get("date")
    described = dict(
        session.execute(sa.select(Event.id, Event.description).where(Event.id.in_([e.id for e in upcoming]))).all()
    )
    matching = [
        e
        for e in upcoming
        if (not wanted or _matches(wanted, _words(f"{e.title} {described.get(e.id) or ''}")))
        and (not day or e.starts_at.astimezone(ZoneInfo(tz)).date().isoformat() == day)
    ]
    if not wanted and not day:
        key, shown = "ai.events.next", upcoming
    elif matching:
        key, shown = "ai.events.found", matching
    else:
        key, shown = "ai.events.none_matching", upcoming
    actions = [
        Action("event", {"event_id": e.id, "title": e.title, "starts_at": e.starts_at.isoformat()}, label=e.title)
        for e in shown[:MAX_EVENTS]
    ]
    actions.append(Action("open", {"target": "events"}))
    return Reply("local", "events", key=key, params={"query": query} if query else {}, actions=actions)


def _knowledge_reply(session: Session, me: Me, text: str, *, understood: str) -> Reply:
    hits: list[KbHit] = knowledge.search(session, me, text, lang=me.language, limit=1 + SEE_ALSO)
    if hits:
        # Retrieval can be wrong: the managers stay one press away.
        actions = [Action("ask_manager")]
        return Reply("local", "question", key="ai.kb", params={"answer": hits[0].answer}, sources=hits, actions=actions)
    intent = "question" if understood == "question" else "unknown"
    return Reply("local", intent, key=f"ai.{intent}", actions=[Action("ask_manager")])


# --- prefilled flows -----------------------------------------------------------------------------------


def _my_turn(session: Session, me: Me, turn_id: int, *, lock: bool = False) -> ChatMessage:
    """One of MY stored messages; anyone else's turn does not exist for me."""
    stmt = sa.select(ChatMessage).where(
        ChatMessage.id == turn_id, ChatMessage.user_id == me.id, ChatMessage.role == "user"
    )
    row = session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise NotFound("turn")
    return row


def prefill_incident(session: Session, me: Me, turn_id: int, hints: dict[str, str] | None = None) -> dict[str, str]:
    """What the report flow can start with, read again from my stored words (buttons carry only an id).

    `hints` are what the OpenAI engine chose (category, urgency, place), carried by the button: each valid
    one wins over the local reading, an invalid one is ignored. Keys of the result: category, urgency,
    place (HOME or a common place key) and description, each only when known.
    """
    if me.residence_id is None:
        raise NotAllowed("no residence")
    turn = _my_turn(session, me, turn_id)
    today = turn.created_at.astimezone(ZoneInfo(me.timezone or outbox.DEFAULT_TZ)).date()
    found = _incident_slots(me, turn.content, nlu.understand(turn.content, today=today).slots)
    return found | _incident_slots(me, turn.content, hints or {})


# --- questions passed on to the managers -------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    id: int
    question: str
    asker: str
    apartment: str | None
    asked_at: datetime
    status: QuestionStatus
    answer: str | None
    in_faq: bool


def _view(question: AssistantQuestion, asker: User | None) -> QuestionView:
    return QuestionView(
        id=question.id,
        question=question.question,
        asker=asker.first_name if asker else "",
        apartment=asker.apartment if asker else None,
        asked_at=question.created_at,
        status=question.status,
        answer=question.answer,
        in_faq=question.faq_entry_id is not None,
    )


def forward(session: Session, me: Me, turn_id: int, now: datetime) -> int:
    """Pass my unanswered message to my residence's managers (once per message); returns the question id."""
    if me.residence_id is None:
        raise NotAllowed("no residence")
    turn = _my_turn(session, me, turn_id, lock=True)
    already = session.scalar(sa.select(AssistantQuestion.id).where(AssistantQuestion.turn_id == turn.id))
    if already is not None:
        raise InvalidInput("question", "already_forwarded", question_id=already)
    question = AssistantQuestion(user_id=me.id, residence_id=me.residence_id, turn_id=turn.id, question=turn.content)
    question.created_at = now
    session.add(question)
    session.flush()
    params = {"name": me.first_name, "apartment": me.apartment or "—", "question": turn.content}
    for manager in reachable_managers(session, me.residence_id):
        outbox.notify(
            session,
            user_id=manager,
            kind="assistant_question",
            key="ai.q.new",
            now=now,
            params=params,
            buttons=[[outbox.button("ai.btn.reply", f"ai:ans:{question.id}")]],
            dedup_key=f"ai-question:{question.id}:{manager}",
        )
    return question.id


def _staff_question(session: Session, me: Me, question_id: int, *, lock: bool = False) -> AssistantQuestion:
    """A question of a residence I manage (an admin manages them all)."""
    if me.role not in (Role.MANAGER, Role.ADMIN):
        raise NotAllowed("staff only")
    stmt = sa.select(AssistantQuestion).where(AssistantQuestion.id == question_id)
    question = session.scalar(stmt.with_for_update() if lock else stmt)
    if question is None:
        raise NotFound("question")
    if me.role == Role.MANAGER and question.residence_id != me.residence_id:
        raise NotAllowed("another residence")
    return question


def question(session: Session, me: Me, question_id: int) -> QuestionView:
    """One forwarded question, for a manager about to answer it."""
    row = _staff_question(session, me, question_id)
    return _view(row, session.get(User, row.user_id))


def open_questions(session: Session, me: Me, limit: int = 10) -> list[QuestionView]:
    """The open questions of my residence (an admin without one: of every residence), oldest first."""
    if me.role not in (Role.MANAGER, Role.ADMIN):
        raise NotAllowed("staff only")
    stmt = sa.select(AssistantQuestion, User).join(User, User.id == AssistantQuestion.user_id)
    stmt = stmt.where(AssistantQuestion.status == QuestionStatus.OPEN)
    if me.role == Role.MANAGER or me.residence_id is not None:
        stmt = stmt.where(AssistantQuestion.residence_id == me.residence_id)
    rows = session.execute(stmt.order_by(AssistantQuestion.created_at, AssistantQuestion.id).limit(limit)).all()
    return [_view(q, u) for q, u in rows]


def answer(session: Session, me: Me, question_id: int, text: str, now: datetime) -> QuestionView:
    """Answer a forwarded question; the resident hears it in their own language."""
    words = text_length("answer", text, ANSWER_MIN, ANSWER_MAX)
    row = _staff_question(session, me, question_id, lock=True)
    if row.status != QuestionStatus.OPEN:
        raise InvalidInput("question", "answered")
    row.status = QuestionStatus.ANSWERED
    row.answer = words
    row.answered_by_id = me.id
    row.answered_at = now
    session.flush()
    outbox.notify(
        session,
        user_id=row.user_id,
        kind="assistant_answer",
        key="ai.q.answered",
        now=now,
        params={"question": row.question, "answer": words, "name": me.first_name},
        dedup_key=f"ai-answer:{row.id}",
    )
    return _view(row, session.get(User, row.user_id))


def to_faq(session: Session, me: Me, question_id: int, now: datetime) -> int:
    """Turn an answered question into a knowledge-base entry of its residence; returns the entry id."""
    row = _staff_question(session, me, question_id, lock=True)
    if row.status != QuestionStatus.ANSWERED or not row.answer:
        raise InvalidInput("question", "not_answered")
    if row.faq_entry_id is not None:
        raise InvalidInput("question", "in_faq", entry_id=row.faq_entry_id)
    asker = session.get(User, row.user_id)
    limit = knowledge.QUESTION_MAX
    asked = row.question if len(row.question) <= limit else row.question[: limit - 1] + "…"
    english = asker is not None and asker.language == "en"
    entry_id = knowledge.create_entry(
        session,
        me,
        residence_id=row.residence_id,
        topic="general",
        question_fr=asked,
        answer_fr=row.answer,
        question_en=asked if english else None,
        answer_en=row.answer if english else None,
        now=now,
    )
    row.faq_entry_id = entry_id
    session.flush()
    return entry_id
