"""The assistant's OpenAI engine: chat completions whose tools are our own services.

Why it is shaped this way:
- The model never reaches the database. Each tool is a call to our services through `run(...)` (its own
  unit of work, never held open while the API thinks), on behalf of the acting resident, so the model
  sees exactly what this resident could see in the flows and nothing of anyone else.
- "Prepare" tools only check and return an Action: the resident confirms in the flow itself, so a model
  that misunderstands cannot book, report or sign up anything.
- A malformed tool call is the model's mistake to correct: it gets {"error": ...} back, never a crash.
- Anything else that goes wrong (time, HTTP, a response we cannot read, a model going round in circles)
  is one EngineUnavailable, and the orchestrator answers with the local engine instead of staying silent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from models import IncidentCategory, Urgency
from services import bookings, events, incidents, knowledge
from services.assistant_types import Action, DbRunner, KbHit, Reply, SlotOption
from services.errors import DomainError, InvalidInput
from services.people import Me
from services.text import WEEKDAY_NAMES, squash

if TYPE_CHECKING:  # imported when an engine is built: 36 MiB and 0.7 s that a bot without a key never needs
    import openai

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEZONE = "Europe/Paris"
MAX_TOOL_ROUNDS = 4
MAX_TEXT = 3500  # the answer shown to the resident (a Telegram message holds 4096)
MAX_KB_ANSWER = 1500  # a knowledge-base answer as handed to the model
MAX_EVENTS = 10
EVENT_PAGES = 4  # upcoming events read for list_events (5 a page)
MAX_ALTERNATIVES = 3


class EngineUnavailable(Exception):
    """The OpenAI engine cannot answer this message: the orchestrator falls back to the local engine."""

    def __init__(self, reason: str, tokens: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason  # "timeout" | "error"
        self.tokens = tokens  # spent before it gave up: the daily budget still counts them


@dataclass(frozen=True)
class OpenAIConfig:
    api_key: str
    base_url: str | None
    model: str
    timeout: float  # seconds for the whole exchange, every tool round included


class ToolError(Exception):
    """A tool call the model can correct: answered with {"error": message}."""


# --- tool arguments: one declaration gives the JSON schema sent to the model and the check of its answer ---

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    kind: str = "text"  # text | int | enum | day | time
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 200

    def schema(self) -> dict[str, Any]:
        if self.kind == "int":
            return {"type": "integer", "minimum": 1, "description": self.description}
        schema: dict[str, Any] = {"type": "string", "description": self.description}
        if self.kind == "enum":
            schema["enum"] = list(self.choices)
        elif self.kind == "text":
            schema["maxLength"] = self.max_length
        return schema

    def read(self, value: object) -> Any:
        if self.kind == "int":
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ToolError(f"{self.name} must be a positive integer")
            return value
        if not isinstance(value, str):
            raise ToolError(f"{self.name} must be a string")
        text = value.strip()
        if self.kind == "enum":
            folded = squash(text).replace(" ", "_")
            if folded not in self.choices:
                raise ToolError(f"{self.name} must be one of: {', '.join(self.choices)}")
            return folded
        if self.kind == "day":
            return _read_day(self.name, text)
        if self.kind == "time":
            if not (match := _TIME.match(text)):
                raise ToolError(f"{self.name} must be HH:MM (24 h), e.g. 10:00")
            return time(int(match[1]), int(match[2]))
        if not text:
            raise ToolError(f"{self.name} must not be empty")
        if len(text) > self.max_length:
            raise ToolError(f"{self.name} is too long (at most {self.max_length} characters)")
        return text


def _read_day(name: str, text: str) -> date:
    match = _DAY.match(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise ToolError(f"{name} must be a date written YYYY-MM-DD, e.g. 2026-11-25")


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    params: tuple[Param, ...]
    run: Callable[[_Turn, dict[str, Any]], Awaitable[dict[str, Any]]]
    intent: str
    prepares: bool = False

    def spec(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {
                    "type": "object",
                    "properties": {p.name: p.schema() for p in self.params},
                    "required": [p.name for p in self.params if p.required],
                    "additionalProperties": False,
                },
            },
        }

    def arguments(self, raw: str | None) -> dict[str, Any]:
        try:
            given = json.loads(raw or "{}")
        except json.JSONDecodeError:
            raise ToolError("the arguments are not valid JSON") from None
        if not isinstance(given, dict):
            raise ToolError("the arguments must be a JSON object")
        known = {p.name for p in self.params}
        if unknown := sorted(set(given) - known):
            raise ToolError(
                f"unknown argument(s): {', '.join(unknown)}; expected: {', '.join(sorted(known)) or 'none'}"
            )
        values: dict[str, Any] = {}
        for param in self.params:
            value = given.get(param.name)
            if value is None or value == "":
                if param.required:
                    raise ToolError(f"{param.name} is required")
                continue
            values[param.name] = param.read(value)
        return values


# --- the services behind the tools, each run as one unit of work ------------------------------------------


def _search(session: Session, me: Me, query: str, lang: str) -> list[KbHit]:
    return knowledge.search(session, me, query, lang=lang, limit=3)


def _upcoming(session: Session, me: Me, now: datetime) -> list[events.EventLine]:
    lines: list[events.EventLine] = []
    for page in range(EVENT_PAGES):
        found = events.list_upcoming(session, me, now, page)
        lines.extend(found.items)
        if not found.has_next:
            break
    return lines


def _find_space(spaces: list[bookings.SpaceView], ref: str) -> bookings.SpaceView:
    """A space of my residence by its kind ("laundry") or its name ("Laverie", "salle de sport")."""
    wanted = squash(ref.replace("_", " "))
    exact = [s for s in spaces if wanted in (s.kind.replace("_", " "), squash(s.name))]
    loose = [s for s in spaces if wanted in squash(s.name) or squash(s.name) in wanted]
    for matches in (exact, loose):
        if len(matches) == 1:
            return matches[0]
    names = "; ".join(f"{s.name} ({s.kind})" for s in spaces) or "none"
    raise ToolError(f"no single space matches {ref!r}; the spaces of this residence are: {names}")


def _free_slots(session: Session, me: Me, ref: str, day: date, now: datetime) -> bookings.DaySlots:
    space = _find_space(bookings.spaces(session, me), ref)
    return bookings.day_slots(session, me, space.id, day, now)


@dataclass(frozen=True)
class _BookingCheck:
    slots: bookings.DaySlots
    start: datetime | None  # the wanted start, when this resident can book it
    refusal: str | None  # otherwise the rule that refused it
    alternatives: list[bookings.Option]


def _check_booking(session: Session, me: Me, ref: str, day: date, at: time | None, now: datetime) -> _BookingCheck:
    """The day (refused when past or beyond the window) and, when a time is wanted, that start's fate."""
    slots = _free_slots(session, me, ref, day, now)
    space = slots.space
    if space.nightly:
        at = space.opens_at  # booked by the night: the day says it all
    if at is None:
        return _BookingCheck(slots, None, None, [])
    wanted = datetime.combine(day, at, ZoneInfo(space.timezone)).astimezone(UTC)
    try:
        bookings.start_choice(session, me, space.id, wanted, now)
    except bookings.Refused as refused:
        return _BookingCheck(slots, None, refused.refusal.rule, refused.alternatives[:MAX_ALTERNATIVES])
    return _BookingCheck(slots, wanted, None, [])


# --- one reply: the resident, the clock, and what the tools found ---------------------------------------


@dataclass
class _Turn:
    run: DbRunner
    me: Me
    now: datetime
    lang: str
    sources: list[KbHit] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    slots: list[SlotOption] = field(default_factory=list)
    used: list[Tool] = field(default_factory=list)
    tokens: int = 0

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.me.timezone or DEFAULT_TIMEZONE)

    def local(self, moment: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return moment.astimezone(self.tz).strftime(fmt)

    @property
    def intent(self) -> str:
        prepared = [tool.intent for tool in self.used if tool.prepares]
        if prepared:
            return prepared[-1]
        return self.used[0].intent if self.used else "question"

    def act(self, action: Action) -> None:
        if action not in self.actions:
            self.actions.append(action)

    async def call(self, name: str, raw_arguments: str | None) -> dict[str, Any]:
        tool = TOOLS.get(name)
        if tool is None:
            return {"error": f"unknown tool {name!r}; the tools are: {', '.join(TOOLS)}"}
        try:
            result = await tool.run(self, tool.arguments(raw_arguments))
        except ToolError as error:
            return {"error": str(error)}
        except DomainError as error:
            return _refusal(error)
        self.used.append(tool)
        return result

    # --- the tools ---

    async def search_knowledge(self, args: dict[str, Any]) -> dict[str, Any]:
        hits: list[KbHit] = await self.run(_search, self.me, args["query"], self.lang)
        for hit in hits:
            if all(hit.entry_id != known.entry_id for known in self.sources):
                self.sources.append(hit)
        if not hits:
            return {"results": [], "note": "nothing about this in the residence's knowledge base"}
        return {
            "results": [
                {"id": hit.entry_id, "question": hit.question, "answer": hit.answer[:MAX_KB_ANSWER]} for hit in hits
            ]
        }

    async def list_events(self, args: dict[str, Any]) -> dict[str, Any]:
        lines: list[events.EventLine] = await self.run(_upcoming, self.me, self.now)
        result: dict[str, Any] = {}
        if query := args.get("query"):
            words = incidents.tokens(query)
            matching = [line for line in lines if words & incidents.tokens(f"{line.title} {line.location}")]
            result["matched_query"] = bool(matching)
            lines = matching or lines  # nothing by that name: the resident still hears what is coming
        result["events"] = [
            {
                "id": line.id,
                "title": line.title,
                "starts": self.local(line.starts_at),
                "place": line.location,
                "seats_left": line.seats_left,
                "my_status": line.my_status.value if line.my_status else None,
            }
            for line in lines[:MAX_EVENTS]
        ]
        return result

    async def my_bookings(self, args: dict[str, Any]) -> dict[str, Any]:
        page: bookings.BookingPage = await self.run(bookings.my_bookings, self.me, self.now)
        return {
            "bookings": [
                {"space": b.space_name, "starts": self.local(b.start_at), "ends": self.local(b.end_at)}
                for b in page.items
            ],
            "total": page.total,
        }

    async def my_incidents(self, args: dict[str, Any]) -> dict[str, Any]:
        page: incidents.IncidentPage = await self.run(incidents.list_incidents, self.me)
        return {
            "incidents": [
                {
                    "id": line.id,
                    "category": line.category.value,
                    "status": line.status.value,
                    "reported": self.local(line.created_at, "%Y-%m-%d"),
                    "place": line.location,
                    "joined_not_reported": line.following,
                }
                for line in page.items
            ],
            "total": page.total,
        }

    async def free_slots(self, args: dict[str, Any]) -> dict[str, Any]:
        found: bookings.DaySlots = await self.run(_free_slots, self.me, args["space"], args["day"], self.now)
        return {
            "space": found.space.name,
            "day": found.day.isoformat(),
            "nightly": found.space.nightly,
            "free_starts": [self.local(option.start, "%H:%M") for option in found.options],
        }

    async def prepare_incident(self, args: dict[str, Any]) -> dict[str, Any]:
        if "description" in args:
            args["description"] = incidents.check_description(args["description"])
        self.act(Action("incident", dict(args)))
        return {"prepared": "incident report", **args, "next": "the resident checks and confirms the report form"}

    async def prepare_booking(self, args: dict[str, Any]) -> dict[str, Any]:
        check: _BookingCheck = await self.run(
            _check_booking, self.me, args["space"], args["day"], args.get("time"), self.now
        )
        space, day = check.slots.space, check.slots.day
        params: dict[str, Any] = {"space_id": space.id, "day": day.isoformat()}
        result: dict[str, Any] = {"prepared": "booking", "space": space.name, "day": day.isoformat()}
        if check.start is not None:
            params["start"] = int(check.start.timestamp())
            result["start"] = self.local(check.start, "%H:%M")
            result["free"] = True
        elif check.refusal is not None:
            result |= {"free": False, "refused_by_rule": check.refusal}
            result["nearest_free"] = [self.local(option.start) for option in check.alternatives]
            for option in check.alternatives:
                label = "%H:%M" if option.start.astimezone(self.tz).date() == day else "%d/%m %H:%M"
                self.slots.append(SlotOption(space.id, int(option.start.timestamp()), self.local(option.start, label)))
        else:
            result["free_starts"] = [self.local(option.start, "%H:%M") for option in check.slots.options]
        self.act(Action("booking", params, label=space.name))
        result["next"] = "the resident picks or confirms the slot in the booking form"
        return result

    async def prepare_event_signup(self, args: dict[str, Any]) -> dict[str, Any]:
        event: events.EventDetails = await self.run(events.event_details, self.me, args["event_id"], self.now)
        if not (event.can_register or event.can_join_waitlist or event.can_leave):
            raise ToolError("sign-up is closed for this event (started, cancelled or not published)")
        self.act(Action("event", {"event_id": event.id}, label=event.title))
        return {
            "prepared": "event sign-up",
            "title": event.title,
            "starts": self.local(event.starts_at),
            "seats_left": event.seats_left,
            "my_status": event.my_status.value if event.my_status else None,
            "next": "the resident confirms on the event's page",
        }


def _refusal(error: DomainError) -> dict[str, Any]:
    """A service's refusal as the model reads it: what was wrong and, when known, what would work."""
    if isinstance(error, InvalidInput):
        details = {key: value.isoformat() if isinstance(value, date) else value for key, value in error.details.items()}
        return {"error": f"{error.field}: {error.reason}", "details": details}
    return {"error": f"{type(error).__name__}: {error}"}


_SPACE = Param("space", "A space of the residence: laundry, gym, common_room, guest_room, or its name", required=True)
_BOOK_DAY = Param("day", "The day, YYYY-MM-DD", kind="day", required=True)

_TOOLS = (
    Tool(
        "search_knowledge",
        "Search the residence's knowledge base (opening hours, rules, contacts, services, waste, visitors, rent...). "
        "Use it before answering any question about the residence.",
        (Param("query", "The question, in the resident's words", required=True, max_length=300),),
        _Turn.search_knowledge,
        "question",
    ),
    Tool(
        "list_events",
        "Upcoming events of the resident's residence, soonest first, with seats left.",
        (Param("query", "Optional words of the event's title, e.g. loto"),),
        _Turn.list_events,
        "events",
    ),
    Tool("my_bookings", "The resident's own upcoming bookings.", (), _Turn.my_bookings, "my_bookings"),
    Tool(
        "my_incidents",
        "The resident's own incident reports (and the ones they joined).",
        (),
        _Turn.my_incidents,
        "my_incidents",
    ),
    Tool(
        "free_slots",
        "The start times (residence local time) the resident can book in a space on a day.",
        (_SPACE, _BOOK_DAY),
        _Turn.free_slots,
        "book_space",
    ),
    Tool(
        "prepare_incident",
        "Open the incident report form, prefilled, for the resident to check and confirm. Files nothing by itself.",
        (
            Param(
                "category",
                "What kind of problem",
                kind="enum",
                required=True,
                choices=tuple(c.value for c in IncidentCategory),
            ),
            Param("urgency", "How urgent", kind="enum", choices=tuple(u.value for u in Urgency)),
            Param(
                "place",
                "Where: home (the resident's apartment) or a common place",
                kind="enum",
                choices=(incidents.HOME, *incidents.COMMON_PLACES),
            ),
            Param("description", "The problem in the resident's words (10 to 1000 characters)", max_length=1000),
        ),
        _Turn.prepare_incident,
        "report_incident",
        prepares=True,
    ),
    Tool(
        "prepare_booking",
        "Open the booking form for a space and day (and time if given), for the resident to confirm. "
        "Checks whether that time is free and proposes the nearest free ones if not. Books nothing by itself.",
        (_SPACE, _BOOK_DAY, Param("time", "The wanted start, HH:MM (24 h)", kind="time")),
        _Turn.prepare_booking,
        "book_space",
        prepares=True,
    ),
    Tool(
        "prepare_event_signup",
        "Open an event's page so the resident can sign up (or join its waiting list). Signs up nobody by itself.",
        (Param("event_id", "The event's id, from list_events", kind="int", required=True),),
        _Turn.prepare_event_signup,
        "events",
        prepares=True,
    ),
)
TOOLS: dict[str, Tool] = {tool.name: tool for tool in _TOOLS}
TOOL_SPECS: list[dict[str, Any]] = [tool.spec() for tool in _TOOLS]


# --- the prompt --------------------------------------------------------------------------------------------

_PROMPT = {
    "fr": (
        "Tu es l'assistant des résidences seniors « Les Belles Années », sur Telegram. "
        "Tu parles avec {first_name}, qui habite {residence}{apartment}. "
        "Nous sommes le {weekday} {today}, il est {clock} (heure de la résidence, {tz}). "
        "Réponds en français.\n"
        "Règles :\n"
        "- Réponses brèves et chaleureuses, en texte simple : ni Markdown, ni HTML.\n"
        "- Pour toute question sur la résidence (horaires, règles, contacts, services…), cherche avec "
        "search_knowledge et réponds d'après ce que tu trouves.\n"
        "- Pour signaler un problème, réserver un espace ou s'inscrire à un événement, utilise l'outil prepare_* : "
        "il ouvre un formulaire que {first_name} confirme. Ne dis jamais que c'est réservé, signalé ou inscrit : "
        "dis que c'est prêt à confirmer avec le bouton.\n"
        "- Dans les outils, les dates s'écrivent AAAA-MM-JJ et les heures HH:MM, heure de la résidence.\n"
        "- Si tu n'es pas sûr ou ne trouves pas, dis-le simplement et propose de transmettre la question "
        "à l'équipe de la résidence.\n"
        "- Tu ne connais que les informations de {first_name} ; ne parle jamais d'autres résidents."
    ),
    "en": (
        'You are the assistant of the "Les Belles Années" senior residences, on Telegram. '
        "You are talking with {first_name}, who lives at {residence}{apartment}. "
        "Today is {weekday} {today}, it is {clock} (residence time, {tz}). "
        "Answer in English.\n"
        "Rules:\n"
        "- Brief, warm answers in plain text: no Markdown, no HTML.\n"
        "- For any question about the residence (opening hours, rules, contacts, services...), search with "
        "search_knowledge and answer from what you find.\n"
        "- To report a problem, book a space or sign up for an event, use the prepare_* tool: it opens a form "
        "{first_name} confirms. Never say something is booked, reported or signed up: say it is ready to "
        "confirm with the button.\n"
        "- In tools, dates are written YYYY-MM-DD and times HH:MM, residence time.\n"
        "- When unsure or when you find nothing, say so simply and offer to pass the question on to the "
        "residence's staff.\n"
        "- You only know {first_name}'s own information; never speak about other residents."
    ),
}
_APARTMENT = {"fr": ", appartement {}", "en": ", apartment {}"}
_NO_RESIDENCE = {"fr": "le réseau Les Belles Années", "en": "the Les Belles Années network"}


def system_prompt(me: Me, now: datetime, lang: str) -> str:
    """Who the assistant is and whom it speaks with: this resident's own name, home and clock, nothing else."""
    lang = lang if lang in _PROMPT else "fr"
    tz_name = me.timezone or DEFAULT_TIMEZONE
    local = now.astimezone(ZoneInfo(tz_name))
    weekday = WEEKDAY_NAMES[0 if lang == "fr" else 1].split()[local.weekday()]
    return _PROMPT[lang].format(
        first_name=me.first_name,
        residence=me.residence_name or _NO_RESIDENCE[lang],
        apartment=_APARTMENT[lang].format(me.apartment) if me.apartment else "",
        weekday=weekday if lang == "fr" else weekday.capitalize(),
        today=local.strftime("%Y-%m-%d"),
        clock=local.strftime("%H:%M"),
        tz=tz_name,
    )


# --- the engine ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    id: str
    name: str
    arguments: str


class _Unreadable(Exception):
    """The server answered something that is not a chat completion."""


def _read(response: Any) -> tuple[str, list[_Call], int]:
    """The text, the tool calls and the tokens of a completion (the client does not validate its shape)."""
    try:
        message = response.choices[0].message
        content = (message.content or "").strip()
        calls = [
            _Call(call.id or f"call_{n}", call.function.name, call.function.arguments or "")
            for n, call in enumerate(message.tool_calls or [])
        ]
        usage = int(response.usage.total_tokens or 0) if response.usage is not None else 0
    except (AttributeError, IndexError, TypeError, ValueError) as error:
        raise _Unreadable(type(error).__name__) from error
    if not isinstance(content, str) or any(not isinstance(c.name, str) for c in calls):
        raise _Unreadable("types")
    return content, calls, usage


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _cap(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


class OpenAIEngine:
    """Answers one message with the chat-completions API, our services as its tools."""

    def __init__(self, config: OpenAIConfig, *, client: openai.AsyncOpenAI | None = None) -> None:
        import openai  # noqa: PLC0415  (see the TYPE_CHECKING import above)

        self.config = config
        self._owned = client is None
        self._client = client or openai.AsyncOpenAI(
            api_key=config.api_key, base_url=config.base_url, timeout=config.timeout, max_retries=0
        )

    async def reply(
        self, run: DbRunner, me: Me, text: str, *, history: list[tuple[str, str]], now: datetime, lang: str
    ) -> Reply:
        import openai  # noqa: PLC0415  (loaded once the engine exists)

        turn = _Turn(run, me, now, lang)
        messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt(me, now, lang)}]
        messages += [
            {"role": role, "content": content} for role, content in history if role in ("user", "assistant") and content
        ]
        messages.append({"role": "user", "content": text})
        try:
            async with asyncio.timeout(self.config.timeout):
                answer = await self._exchange(turn, messages)
        except (TimeoutError, openai.APITimeoutError) as error:
            raise self._unavailable("timeout", turn, error) from None
        except (openai.OpenAIError, _Unreadable) as error:
            raise self._unavailable("error", turn, error) from None
        return Reply(
            engine="openai",
            intent=turn.intent,
            text=_cap(answer),
            sources=turn.sources,
            actions=turn.actions,
            slots=turn.slots,
            tokens=turn.tokens,
        )

    async def _exchange(self, turn: _Turn, messages: list[dict[str, Any]]) -> str:
        said = ""  # words that came along with tool calls: the answer if the model never settles
        for rounds in range(MAX_TOOL_ROUNDS + 1):
            try:
                response = await self._client.chat.completions.create(
                    model=self.config.model, messages=messages, tools=TOOL_SPECS, tool_choice="auto"
                )
            except ValueError as error:  # a body that is not JSON: the client lets json's own error through
                raise _Unreadable("not JSON") from error
            content, calls, tokens = _read(response)
            turn.tokens += tokens
            if not calls:
                if not content:
                    raise _Unreadable("empty answer")
                return content
            said = content or said
            if rounds == MAX_TOOL_ROUNDS:
                break
            messages.append(
                {
                    "role": "assistant",
                    "content": content or None,
                    "tool_calls": [
                        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                        for c in calls
                    ],
                }
            )
            for call in calls:
                result = await turn.call(call.name, call.arguments)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": _json(result)})
        if said:
            return said
        raise _Unreadable(f"still calling tools after {MAX_TOOL_ROUNDS} rounds")

    @staticmethod
    def _unavailable(reason: str, turn: _Turn, error: BaseException) -> EngineUnavailable:
        log.warning("OpenAI engine unavailable (%s): %s", reason, type(error).__name__)
        return EngineUnavailable(reason, turn.tokens)

    async def close(self) -> None:
        if self._owned:
            await self._client.close()
