"""The events flow: /evenements (/events) and the dashboard's 🎉 button.

Browsing, signing up, the waiting list, cancelling, attendance and the managers' decisions are
plain button handlers (`ev:<action>:<id>`): each press re-reads everything through the service, so
a button from an old message is simply answered with what is true now. Proposing an event is a
conversation (`ev_propose`), since it asks for typed answers.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import IntEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import ui
from bot.delivery import deliver_soon
from bot.i18n import Raw, fmt_datetime, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, current_user
from handlers.flow import END, conversation, draft, page_buttons, wrong_type
from models import EventStatus, ParticipationStatus
from services import events
from services.errors import EventFull, InvalidInput, NotAllowed, NotFound
from services.events import EventDetails, EventPage, Proposal
from services.people import Me

log = logging.getLogger(__name__)

FLOW = "ev_propose"
LABEL_MAX = 40


def _tz(context: Ctx, me: Me) -> str:
    return me.timezone or context.rt.settings.timezone


def _label(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


# --- rendering ---------------------------------------------------------------------------------------

LIST_KINDS = {"list": "ev.list.title", "recent": "ev.list.recent_title", "pending": "ev.list.pending_title"}
EMPTY_KEYS = {"list": "ev.list.empty", "recent": "ev.list.recent_empty", "pending": "ev.list.pending_empty"}
MARKS = {
    ParticipationStatus.REGISTERED: "ev.mark.registered",
    ParticipationStatus.WAITLISTED: "ev.mark.waitlisted",
    ParticipationStatus.ATTENDED: "ev.mark.attended",
}


def render_list(page: EventPage, me: Me, kind: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    lang = me.language
    lines = [t(lang, LIST_KINDS[kind], residence=me.residence_name or "")]
    if page.page > 0 or page.has_next:
        lines.append(t(lang, "ev.list.page", page=page.page + 1))
    if not page.items:
        lines.append("")
        lines.append(t(lang, EMPTY_KEYS[kind], days=events.RECENT_DAYS))
    buttons: list[list[InlineKeyboardButton]] = []
    first = page.page * events.PAGE_SIZE + 1
    for n, item in enumerate(page.items, start=first):
        seats = t(lang, "ev.seats.left", count=item.seats_left) if item.seats_left > 0 else t(lang, "ev.seats.full")
        mark = t(lang, MARKS[item.my_status]) if item.my_status in MARKS else ""
        lines.append("")
        lines.append(
            t(
                lang,
                "ev.list.item",
                n=n,
                title=item.title,
                mark=Raw(mark),
                when=fmt_datetime(item.starts_at, lang, tz),
                place=item.location,
                seats=Raw(seats),
            )
        )
        buttons.append([ui.button(_label(f"{n}. {item.title}"), "ev", "open", item.id)])
    if page.items and kind == "list":
        lines.append("\n" + t(lang, "ev.list.prompt"))
    buttons.append(page_buttons(lang, ("ev", kind), page.page, page.has_next))
    has_home = me.residence_id is not None
    nav = [ui.button(t(lang, "ev.btn.upcoming"), "ev", "list", 0)] if kind != "list" and has_home else []
    if kind == "list" and me.residence_id is not None:
        nav.append(ui.button(t(lang, "ev.btn.propose"), "ev", "new"))
    if kind != "recent" and me.residence_id is not None:
        nav.append(ui.button(t(lang, "ev.btn.recent"), "ev", "recent", 0))
    buttons.append(nav)
    extra = []
    if page.pending and kind != "pending":
        extra.append(ui.button(t(lang, "ev.btn.pending", count=page.pending), "ev", "pending", 0))
    extra.append(ui.menu_button(lang))
    buttons.append(extra)
    return "\n".join(lines), ui.keyboard(buttons)


def render_details(d: EventDetails, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    text = t(
        lang,
        "ev.detail",
        title=d.title,
        when=fmt_datetime(d.starts_at, lang, tz),
        place=d.location,
        seats_left=d.seats_left,
        capacity=d.capacity,
        organizer=d.organizer_name or t(lang, "ev.detail.no_organizer"),
    )
    if d.description:
        text += t(lang, "ev.detail.description", description=d.description)
    if d.status == EventStatus.PENDING:
        text += t(lang, "ev.detail.pending")
    elif d.status == EventStatus.CANCELLED:
        text += t(lang, "ev.detail.cancelled")
    elif d.started:
        text += t(lang, "ev.detail.started")
    if d.my_status == ParticipationStatus.WAITLISTED:
        text += t(lang, "ev.status.waitlisted", position=d.waitlist_position or 1)
    elif d.my_status is not None:
        text += t(lang, f"ev.status.{d.my_status.value}")
    elif d.status == EventStatus.PUBLISHED and not d.started:
        text += t(lang, "ev.status.none")

    rows: list[list[InlineKeyboardButton]] = []
    if d.can_register:
        rows.append([ui.button(t(lang, "ev.btn.register"), "ev", "join", d.id)])
    if d.can_join_waitlist:
        rows.append([ui.button(t(lang, "ev.btn.waitlist"), "ev", "wait", d.id)])
    if d.can_leave:
        key = "ev.btn.leave_waitlist" if d.my_status == ParticipationStatus.WAITLISTED else "ev.btn.leave"
        rows.append([ui.button(t(lang, key), "ev", "leave", d.id)])
    if d.can_take_attendance:
        rows.append([ui.button(t(lang, "ev.btn.attendance"), "ev", "att", d.id, 0)])
    if d.can_decide:
        rows.append(
            [
                ui.button(t(lang, "ev.btn.approve"), "ev", "approve", d.id),
                ui.button(t(lang, "ev.btn.reject"), "ev", "reject", d.id),
            ]
        )
    if d.can_cancel_event and not d.can_decide:
        rows.append([ui.button(t(lang, "ev.btn.cancel_event"), "ev", "cancel", d.id)])
    rows.append([ui.button(t(lang, "ev.btn.list"), "ev", "list", 0), ui.menu_button(lang)])
    return text, ui.keyboard(rows)


def render_attendance(sheet: events.AttendanceSheet, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    if sheet.registered == 0:
        text = t(lang, "ev.att.empty", title=sheet.title)
    else:
        text = t(
            lang,
            "ev.att.title",
            title=sheet.title,
            when=fmt_datetime(sheet.starts_at, lang, tz),
            attended=sheet.attended,
            registered=sheet.registered,
            points=sheet.reward,
        )
    rows = [
        [
            ui.button(
                _label(t(lang, "ev.att.present" if a.attended else "ev.att.absent", name=a.name)),
                "ev",
                "tick",
                sheet.event_id,
                a.participation_id,
                sheet.page,
            )
        ]
        for a in sheet.items
    ]
    rows.append(page_buttons(lang, ("ev", "att", sheet.event_id), sheet.page, sheet.has_next))
    rows.append([ui.button(t(lang, "btn.back"), "ev", "open", sheet.event_id)])
    return text, ui.keyboard(rows)


# --- entry: the list --------------------------------------------------------------------------------


async def _show_list(update: Update, context: Ctx, me: Me, kind: str = "list", page: int = 0) -> None:
    now = context.rt.now()
    if me.residence_id is None and kind != "pending":
        if me.is_staff:  # an admin of the whole network: only the proposals to review
            kind = "pending"
        else:
            await ui.show(update, t(me.language, "ev.list.no_residence"), ui.keyboard([[ui.menu_button(me.language)]]))
            return
    loaders = {"list": events.list_upcoming, "recent": events.list_recent, "pending": events.list_pending}
    result = await context.rt.db(loaders[kind], me, now, page)
    text, markup = render_list(result, me, kind, _tz(context, me))
    await ui.show(update, text, markup)


async def events_command(update: Update, context: Ctx) -> None:
    me = await current_user(update, context)
    if me is not None:  # the gate already answered unlinked users
        await _show_list(update, context, me)


async def menu_button(update: Update, context: Ctx) -> None:
    await update.callback_query.answer()
    me = await current_user(update, context)
    if me is not None:
        await _show_list(update, context, me)


# --- the buttons --------------------------------------------------------------------------------------

# What to say in the button's answer (a toast, or an alert when True); None: just stop the spinner.
Answer = tuple[str, bool] | None
Action = Callable[[Update, Ctx, Me, list[int]], Awaitable[Answer]]


async def _open(update: Update, context: Ctx, me: Me, event_id: int, *, new_message: bool = False) -> None:
    details = await context.rt.db(events.event_details, me, event_id, context.rt.now())
    text, markup = render_details(details, me.language, _tz(context, me))
    if new_message:
        await update.effective_chat.send_message(text, reply_markup=markup)
    else:
        await ui.show(update, text, markup)


async def act_list(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    await _show_list(update, context, me, ui.parts(update.callback_query.data)[1], args[0] if args else 0)
    return None


async def act_open(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    await _open(update, context, me, args[0])
    return None


async def act_view(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    """From a notification: the details come as a new message, the notification stays as it was."""
    await _open(update, context, me, args[0], new_message=True)
    return None


async def act_join(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    waitlist = ui.parts(update.callback_query.data)[1] == "wait"
    service = events.join_waitlist if waitlist else events.register
    outcome = await context.rt.db(service, me, args[0], context.rt.now())
    lang = me.language
    if outcome.status == ParticipationStatus.WAITLISTED:
        answer = t(lang, "ev.waitlisted", position=outcome.position or 1)
    elif outcome.already:
        answer = t(lang, "ev.already_registered")
    else:
        answer = t(lang, "ev.registered", seat=outcome.seat or "")
    await _open(update, context, me, args[0])
    return answer, True


def _keep(lang: str, event_id: int) -> InlineKeyboardButton:
    return ui.button(t(lang, "ev.btn.keep"), "ev", "open", event_id)


async def act_leave(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    """Ask first: a place given up may go to the waiting list at once."""
    details = await context.rt.db(events.event_details, me, args[0], context.rt.now())
    lang = me.language
    if not details.can_leave:  # an old button: show what is true now
        await ui.show(update, *render_details(details, lang, _tz(context, me)))
        return None
    waiting = details.my_status == ParticipationStatus.WAITLISTED
    key = "ev.leave_waitlist.confirm" if waiting else "ev.leave.confirm"
    text = t(lang, key, title=details.title, when=fmt_datetime(details.starts_at, lang, _tz(context, me)))
    markup = ui.keyboard(
        [[ui.button(t(lang, "ev.btn.leave_yes"), "ev", "leave_ok", details.id)], [_keep(lang, details.id)]]
    )
    await ui.show(update, text, markup)
    return None


async def act_leave_ok(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    outcome = await context.rt.db(events.leave, me, args[0], context.rt.now())
    if outcome.promoted:
        deliver_soon(context.application)
    key = "ev.left_waitlist" if outcome.was == ParticipationStatus.WAITLISTED else "ev.left"
    await _open(update, context, me, args[0])
    return t(me.language, key), True


async def act_cancel(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    details = await context.rt.db(events.event_details, me, args[0], context.rt.now())
    lang = me.language
    if not details.can_cancel_event:
        await ui.show(update, *render_details(details, lang, _tz(context, me)))
        return None
    when = fmt_datetime(details.starts_at, lang, _tz(context, me))
    markup = ui.keyboard(
        [[ui.button(t(lang, "ev.btn.cancel_yes"), "ev", "cancel_ok", details.id)], [_keep(lang, details.id)]]
    )
    await ui.show(update, t(lang, "ev.cancel.confirm", title=details.title, when=when), markup)
    return None


async def act_cancel_ok(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    result = await context.rt.db(events.cancel_event, me, args[0], context.rt.now())
    deliver_soon(context.application)
    lang = me.language
    markup = ui.keyboard([[ui.button(t(lang, "ev.btn.list"), "ev", "list", 0), ui.menu_button(lang)]])
    await ui.show(update, t(lang, "ev.cancel.done", title=result.title, count=result.notified), markup)
    return None


async def act_attendance(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    page = args[1] if len(args) > 1 else 0
    sheet = await context.rt.db(events.attendance, me, args[0], context.rt.now(), page)
    await ui.show(update, *render_attendance(sheet, me.language, _tz(context, me)))
    return None


async def act_tick(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    tick = await context.rt.db(events.mark_attended, me, args[0], args[1], context.rt.now())
    lang = me.language
    page = args[2] if len(args) > 2 else 0
    sheet = await context.rt.db(events.attendance, me, args[0], context.rt.now(), page)
    await ui.show(update, *render_attendance(sheet, lang, _tz(context, me)))
    if tick.points:
        return t(lang, "ev.att.ticked", name=tick.name, points=tick.points), False
    return t(lang, "ev.att.already", name=tick.name), False


async def act_decide(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    approve = ui.parts(update.callback_query.data)[1] == "approve"
    decision = await context.rt.db(events.decide, me, args[0], approve, context.rt.now())
    if not decision.already:
        deliver_soon(context.application)
    lang = me.language
    if decision.already:
        published = decision.status == EventStatus.PUBLISHED
        key = "ev.decided.already_published" if published else "ev.decided.already_cancelled"
    else:
        key = "ev.decided.approved" if approve else "ev.decided.rejected"
    rows = []
    if decision.status == EventStatus.PUBLISHED:
        rows.append([ui.button(t(lang, "ev.btn.view"), "ev", "open", decision.event_id)])
    rows.append([ui.button(t(lang, "ev.btn.list"), "ev", "list", 0), ui.menu_button(lang)])
    await ui.show(update, t(lang, key, title=decision.title), ui.keyboard(rows))
    return None


async def act_busy(update: Update, context: Ctx, me: Me, args: list[int]) -> Answer:
    """«Propose» pressed again while the proposal flow waits for an answer."""
    return t(me.language, "ev.busy"), True


# action -> (handler, how many numbers its callback data carries at least)
ACTIONS: dict[str, tuple[Action, int]] = {
    "list": (act_list, 0),
    "recent": (act_list, 0),
    "pending": (act_list, 0),
    "open": (act_open, 1),
    "view": (act_view, 1),
    "join": (act_join, 1),
    "wait": (act_join, 1),
    "leave": (act_leave, 1),
    "leave_ok": (act_leave_ok, 1),
    "cancel": (act_cancel, 1),
    "cancel_ok": (act_cancel_ok, 1),
    "att": (act_attendance, 1),
    "tick": (act_tick, 2),
    "approve": (act_decide, 1),
    "reject": (act_decide, 1),
    "new": (act_busy, 0),
}
REFUSALS = frozenset({"cancelled", "started", "not_published", "not_started", "not_registered"})


def _numbers(values: list[str]) -> list[int] | None:
    if not all(v.isdigit() and len(v) <= 12 for v in values):
        return None
    return [int(v) for v in values]


async def on_button(update: Update, context: Ctx) -> None:
    """Every `ev:` button outside the proposal flow, answered exactly once; refusals and stale
    buttons get a polite answer and what is true now."""
    query = update.callback_query
    me = await current_user(update, context)
    if me is None:  # unreachable through the gate
        return
    data = ui.parts(query.data)
    entry = ACTIONS.get(data[1]) if len(data) > 1 else None
    args = _numbers(data[2:])
    if entry is None or args is None or len(args) < entry[1]:
        await _stale(update, context, me)
        return
    action, _ = entry
    lang = me.language
    try:
        answer = await action(update, context, me, args)
    except NotFound:
        await _stale(update, context, me)
    except NotAllowed:
        await query.answer(t(lang, "ev.not_allowed"), show_alert=True)
    except (EventFull, InvalidInput) as error:
        reason = "full" if isinstance(error, EventFull) else getattr(error, "reason", "")
        key = f"ev.error.{reason}" if reason in REFUSALS else ("ev.full" if reason == "full" else "ev.stale")
        await query.answer(t(lang, key), show_alert=True)
        try:
            if not args:
                raise NotFound("event")
            await _open(update, context, me, args[0])
        except (NotFound, NotAllowed):
            await _show_list(update, context, me)
    else:
        await query.answer(answer[0] if answer else None, show_alert=bool(answer and answer[1]))


async def _stale(update: Update, context: Ctx, me: Me) -> None:
    await update.callback_query.answer(t(me.language, "ev.stale"), show_alert=True)
    await _show_list(update, context, me)


# --- proposing an event (a conversation) ----------------------------------------------------------------


class Step(IntEnum):
    TITLE = 1
    WHEN = 2
    PLACE = 3
    CAPACITY = 4
    DESCRIPTION = 5
    SUMMARY = 6
    EDIT = 7


ORDER = (Step.TITLE, Step.WHEN, Step.PLACE, Step.CAPACITY, Step.DESCRIPTION, Step.SUMMARY)
QUESTIONS = {
    Step.TITLE: "ev.p.ask_title",
    Step.WHEN: "ev.p.ask_when",
    Step.PLACE: "ev.p.ask_place",
    Step.CAPACITY: "ev.p.ask_capacity",
    Step.DESCRIPTION: "ev.p.ask_description",
}
FIELDS = {
    "title": Step.TITLE,
    "when": Step.WHEN,
    "place": Step.PLACE,
    "capacity": Step.CAPACITY,
    "description": Step.DESCRIPTION,
}
ERROR_KEYS = {
    ("starts_at", "format"): "ev.p.bad_when",
    ("starts_at", "invalid_date"): "ev.p.bad_date",
    ("starts_at", "past"): "ev.p.past",
    ("starts_at", "too_far"): "ev.p.too_far",
    ("capacity", "format"): "ev.p.bad_capacity",
    ("capacity", "range"): "ev.p.bad_capacity",
}
STEP_OF_FIELD = {
    "title": Step.TITLE,
    "starts_at": Step.WHEN,
    "location": Step.PLACE,
    "capacity": Step.CAPACITY,
    "description": Step.DESCRIPTION,
}


def _error_text(lang: str, error: InvalidInput) -> str:
    if error.reason in ("too_short", "too_long"):
        return t(lang, f"flow.{error.reason}", **error.details)
    return t(lang, ERROR_KEYS.get((error.field, error.reason), "ev.p.bad_when"), **error.details)


async def _ask(update: Update, context: Ctx, step: Step, *, edit: bool = False) -> Step:
    lang = draft(context, FLOW)["lang"]
    markup = None
    if step == Step.DESCRIPTION:
        markup = ui.keyboard([[ui.button(t(lang, "btn.skip"), "ev", "p", "skip")]])
    if edit:
        await ui.show(update, t(lang, QUESTIONS[step]), markup)
    else:
        await update.effective_chat.send_message(t(lang, QUESTIONS[step]), reply_markup=markup)
    return step


def _summary(context: Ctx) -> tuple[str, InlineKeyboardMarkup]:
    d = draft(context, FLOW)
    lang = d["lang"]
    description = d.get("description") or ""
    text = t(
        lang,
        "ev.p.summary",
        title=d["title"],
        when=fmt_datetime(datetime.fromisoformat(d["starts_at"]), lang, d["tz"]),
        place=d["place"],
        capacity=d["capacity"],
        description=description or Raw(t(lang, "ev.p.no_description")),
        outcome=Raw(t(lang, "ev.p.outcome_approval" if d.get("approval") else "ev.p.outcome_direct")),
    )
    markup = ui.keyboard(
        [
            [ui.button(t(lang, "btn.confirm"), "ev", "p", "ok")],
            [ui.button(t(lang, "btn.edit"), "ev", "p", "edit"), ui.button(t(lang, "btn.cancel"), "ev", "p", "cancel")],
        ]
    )
    return text, markup


async def _next(update: Update, context: Ctx, done: Step) -> Step:
    """After a valid answer: the next question, or back to the summary when correcting one answer."""
    d = draft(context, FLOW)
    following = ORDER[ORDER.index(done) + 1]
    if d.get("editing") or following == Step.SUMMARY:
        d["editing"] = True
        await ui.show(update, *_summary(context))
        return Step.SUMMARY
    return await _ask(update, context, following)


async def propose_start(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    me = await current_user(update, context)
    if me is None:
        return END
    if me.residence_id is None:
        await update.effective_chat.send_message(t(me.language, "ev.list.no_residence"))
        return END
    needs_approval = await context.rt.db(events.proposals_need_approval, me)
    d = draft(context, FLOW)
    d.clear()
    d.update(lang=me.language, tz=_tz(context, me), approval=needs_approval)
    return await _ask(update, context, Step.TITLE)


Reader = Callable[[str | None, Ctx], object]


def _answer(step: Step, read: Reader, key: str) -> Callable[[Update, Ctx], Awaitable[Step]]:
    """One typed answer: checked by the service's rule, kept in the draft, or asked again."""

    async def handle(update: Update, context: Ctx) -> Step:
        d = draft(context, FLOW)
        try:
            d[key] = read(update.message.text, context)
        except InvalidInput as error:
            await update.message.reply_text(_error_text(d["lang"], error))
            return step
        return await _next(update, context, step)

    return handle


def _read_when(text: str | None, context: Ctx) -> str:
    """Read in the residence's time zone, against the bot's clock; kept as ISO text (the draft is JSON)."""
    return events.parse_when(text, context.rt.now(), draft(context, FLOW)["tz"]).isoformat()


SKIP_WORDS = frozenset({"passer", "skip", "-", "aucune", "none"})


def _read_description(text: str | None, context: Ctx) -> str:
    """Typing «Passer» does what the button does."""
    return "" if (text or "").strip().lower() in SKIP_WORDS else events.clean_description(text)


async def skip_description(update: Update, context: Ctx) -> Step:
    await update.callback_query.answer()
    draft(context, FLOW)["description"] = ""
    return await _next(update, context, Step.DESCRIPTION)


async def summary_action(update: Update, context: Ctx) -> int:
    query = update.callback_query
    await query.answer()
    d = draft(context, FLOW)
    lang = d["lang"]
    action = ui.parts(query.data)[-1]
    if action == "cancel":
        await ui.show(update, t(lang, "ev.p.cancelled"), ui.keyboard([[ui.menu_button(lang)]]))
        return END
    if action == "edit":
        fields = [ui.button(t(lang, f"ev.p.field.{name}"), "ev", "p", "f", name) for name in FIELDS]
        rows = [*ui.grid(fields).inline_keyboard, [ui.button(t(lang, "btn.back"), "ev", "p", "back")]]
        await ui.show(update, t(lang, "ev.p.which"), ui.keyboard(rows))
        return Step.EDIT
    if action == "back":
        await ui.show(update, *_summary(context))
        return Step.SUMMARY
    return await _submit(update, context)


async def edit_field(update: Update, context: Ctx) -> int:
    await update.callback_query.answer()
    step = FIELDS.get(ui.parts(update.callback_query.data)[-1])
    if step is None:
        await ui.show(update, *_summary(context))
        return Step.SUMMARY
    draft(context, FLOW)["editing"] = True
    return await _ask(update, context, step, edit=True)


async def _submit(update: Update, context: Ctx) -> int:
    d = draft(context, FLOW)
    lang = d["lang"]
    me = await current_user(update, context)
    if me is None:
        return END
    proposal = Proposal(
        title=d["title"],
        starts_at=datetime.fromisoformat(d["starts_at"]),
        location=d["place"],
        capacity=int(d["capacity"]),
        description=d.get("description") or "",
    )
    try:
        outcome = await context.rt.db(events.propose, me, proposal, context.rt.now())
    except InvalidInput as error:  # an old draft: the date may have passed since
        d["editing"] = True
        await update.effective_chat.send_message(_error_text(lang, error))
        return await _ask(update, context, STEP_OF_FIELD.get(error.field, Step.WHEN))
    except NotAllowed:
        await ui.show(update, t(lang, "ev.not_allowed"))
        return END
    deliver_soon(context.application)
    published = outcome.status == EventStatus.PUBLISHED
    text = t(lang, "ev.p.published" if published else "ev.p.pending", title=outcome.title)
    rows = [[ui.button(t(lang, "ev.btn.view"), "ev", "open", outcome.event_id)]] if published else []
    rows.append([ui.button(t(lang, "ev.btn.list"), "ev", "list", 0), ui.menu_button(lang)])
    await ui.show(update, text, ui.keyboard(rows))
    return END


async def use_buttons(update: Update, context: Ctx) -> int | None:
    await update.effective_message.reply_text(t(draft(context, FLOW)["lang"], "flow.use_buttons"))
    return None


def propose_conversation() -> BaseHandler[Update, Ctx, object]:
    text = TYPED

    def typed(step: Step, read: Reader, key: str) -> list[BaseHandler[Update, Ctx, object]]:
        return [MessageHandler(text, _answer(step, read, key)), wrong_type("ev.p.need_text")]

    buttons_only = MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, use_buttons)
    return conversation(
        FLOW,
        entry_points=[CallbackQueryHandler(propose_start, pattern=r"^ev:new$")],
        states={
            Step.TITLE: typed(Step.TITLE, lambda v, _c: events.clean_title(v), "title"),
            Step.WHEN: typed(Step.WHEN, _read_when, "starts_at"),
            Step.PLACE: typed(Step.PLACE, lambda v, _c: events.clean_location(v), "place"),
            Step.CAPACITY: typed(Step.CAPACITY, lambda v, _c: events.parse_capacity(v), "capacity"),
            Step.DESCRIPTION: [
                *typed(Step.DESCRIPTION, _read_description, "description"),
                CallbackQueryHandler(skip_description, pattern=r"^ev:p:skip$"),
            ],
            Step.SUMMARY: [CallbackQueryHandler(summary_action, pattern=r"^ev:p:(ok|edit|cancel)$"), buttons_only],
            Step.EDIT: [
                CallbackQueryHandler(edit_field, pattern=r"^ev:p:f:\w+$"),
                CallbackQueryHandler(summary_action, pattern=r"^ev:p:back$"),
                buttons_only,
            ],
        },
    )


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    return [
        propose_conversation(),
        CommandHandler(["evenements", "events"], events_command, filters=PRIVATE),
        CallbackQueryHandler(menu_button, pattern=r"^menu:events$"),
        CallbackQueryHandler(on_button, pattern=ui.pattern("ev")),
    ]
