"""What the assistant's parts say to each other: the understanding of a message, knowledge-base hits,
prepared actions and the reply. Plain values only (strings, numbers, dates), so a reply can be stored,
rendered by handlers and produced by either engine (local or OpenAI) alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

# What a message is about. The local engine picks one; the OpenAI engine's reply is tagged with the
# intent of the tool it used (or "question" / "unknown").
INTENTS = (
    "report_incident",  # slots: category, urgency, place
    "book_space",  # slots: space, date, time, period
    "events",  # slots: query, date
    "market",  # slots: kind
    "account",
    "my_bookings",
    "my_incidents",
    "help",
    "greeting",
    "thanks",
    "question",  # asks for information: answered from the knowledge base
    "unknown",
)

# Slot values, all strings:
#   category  an IncidentCategory value ("plumbing"...)      urgency  an Urgency value ("urgent"...)
#   place     "home" or a key of services.incidents.COMMON_PLACES
#   space     a SpaceKind value ("laundry", "gym", "common_room", "guest_room")
#   date      "YYYY-MM-DD" (resolved against the residence's today)
#   time      "HH:MM" (24 h)                                 period   "morning" | "afternoon" | "evening"
#   query     the words naming an event ("loto")             kind     a ListingKind value


@dataclass(frozen=True)
class Understanding:
    intent: str
    confidence: float  # 0..1
    language: str  # "fr" | "en": the language the message is written in
    slots: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KbHit:
    """A knowledge-base entry found for a question, in the asker's language when it has one."""

    entry_id: int
    question: str
    answer: str
    topic: str
    score: float
    residence_id: int | None  # None: an entry of the whole network


@dataclass(frozen=True)
class Action:
    """Something the resident can start with one press; nothing is written before the flow's own confirmation.

    kind "incident": params category, urgency (optional), place (optional), description (optional)
    kind "booking":  params space_id, day ("YYYY-MM-DD"), start (optional: epoch seconds of a free slot)
    kind "event":    params event_id
    kind "open":     params target, one of report, book, events, market, account, bookings, incidents, help
    kind "ask_manager": params question_id is not known yet; the handler forwards the stored user turn
    """

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    label: str | None = None  # a button label chosen by the engine (free text, escaped when shown)


@dataclass(frozen=True)
class SlotOption:
    """A free slot offered in a reply (local wall time already computed for display)."""

    space_id: int
    start_epoch: int
    label: str  # "10:00"


@dataclass
class Reply:
    engine: str  # "local" | "openai"
    intent: str
    text: str | None = None  # the OpenAI engine's words (plain text; handlers escape it)
    key: str | None = None  # the local engine's catalog key ("ai.answer.kb"...), rendered in the user's language
    params: dict[str, Any] = field(default_factory=dict)  # values for `key`
    sources: list[KbHit] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    slots: list[SlotOption] = field(default_factory=list)
    turn_id: int | None = None  # the stored ChatMessage of the resident's words
    fallback: str | None = None  # why the local engine answered though OpenAI is set: timeout, error, budget
    tokens: int = 0


DbRunner = Callable[..., Awaitable[Any]]
"""`await run(fn, *args)` runs `fn(session, *args)` in its own unit of work off the event loop (Runtime.db)."""
