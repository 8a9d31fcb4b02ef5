"""/reserver (/book): space → day → slot → length → confirm; /reservations (/bookings): list and cancel.

Every step button carries what it needs (space, day or start, length), so a button from an older
message of the flow still means exactly what it says; the service re-checks every rule each time.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from enum import IntEnum
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import ui
from bot.delivery import deliver_soon
from bot.i18n import CALENDARS, Raw, fmt_datetime, t
from bot.i18n import fr as fr_calendar
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, current_user
from handlers.flow import END, conversation, draft, page_buttons, wrong_type
from services import bookings as svc
from services.bookings import BookingView, DaySlots, Duration, Option, Refusal, SpaceView
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from services.people import Me

log = logging.getLogger(__name__)

FLOW = "book"
AI_BUTTONS = r"^ai:(bs|bd|bk):"
DAYS_PER_PAGE = 7
SLOTS_PER_PAGE = 16


class Step(IntEnum):
    SPACE = 1
    DAY = 2
    SLOT = 3
    DURATION = 4
    CONFIRM = 5


# --- formatting ------------------------------------------------------------------------------------


def _duration(lang: str, value: Duration) -> Raw:
    minutes = value.minutes
    if value.nightly and minutes % svc.DAY_MINUTES == 0:
        nights = minutes // svc.DAY_MINUTES
        return Raw(t(lang, "bk.dur.night") if nights == 1 else t(lang, "bk.dur.nights", n=nights))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return Raw(t(lang, "bk.dur.min", n=rest))
    if not rest:
        return Raw(t(lang, "bk.dur.h", h=hours))
    return Raw(t(lang, "bk.dur.hm", h=hours, m=f"{rest:02d}"))


def _date(lang: str, day: date) -> Raw:
    cal = CALENDARS.get(lang, fr_calendar)
    return Raw(t(lang, "bk.date", weekday=cal.WEEKDAYS[day.weekday()], day=day.day, month=cal.MONTHS[day.month - 1]))


def _local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def _when(lang: str, moment: datetime, tz: str, nightly: bool) -> Raw:
    """A night is a date; anything else a date and a time."""
    if nightly:
        return _date(lang, _local(moment, tz).date())
    return Raw(fmt_datetime(moment, lang, tz))


def _short_day(lang: str, day: date, key: str = "bk.day.btn") -> str:
    return t(lang, key, weekday=t(lang, f"bk.wd.{day.weekday()}"), day=f"{day.day:02d}", month=f"{day.month:02d}")


def _hhmm(value: time | str) -> str:
    return value.strftime("%H:%M") if isinstance(value, time) else value


def _value(lang: str, tz: str, value: object) -> object:
    if isinstance(value, Duration):
        return _duration(lang, value)
    if isinstance(value, datetime):
        return Raw(fmt_datetime(value, lang, tz))
    if isinstance(value, date):
        return _date(lang, value)
    if isinstance(value, time):
        return _hhmm(value)
    return value


def _reason(lang: str, tz: str, refusal: Refusal) -> Raw:
    values = {name: _value(lang, tz, value) for name, value in refusal.details.items()}
    return Raw(t(lang, f"bk.rule.{refusal.rule}", **values))


def _rules(lang: str, space: SpaceView) -> Raw:
    lines = []
    if space.nightly:
        lines.append(t(lang, "bk.rules.nights", max=_duration(lang, space.duration(space.max_duration_minutes))))
    else:
        closes = _hhmm(svc.closing_label(space))
        lines.append(
            t(
                lang,
                "bk.rules.hours",
                opens=_hhmm(space.opens_at),
                closes=closes,
                slot=_duration(lang, Duration(space.slot_minutes)),
            )
        )
        if space.max_slots > 1:
            lines.append(t(lang, "bk.rules.longest", max=_duration(lang, Duration(space.max_duration_minutes))))
    if space.capacity > 1:
        lines.append(t(lang, "bk.rules.units", capacity=space.capacity))
    lines.append(
        t(
            lang,
            "bk.rules.window",
            days=space.max_advance_days,
            notice=_duration(lang, Duration(space.min_notice_minutes)),
        )
    )
    lines.append(t(lang, "bk.rules.quota", quota=space.weekly_quota))
    lines.append(t(lang, "bk.rules.cancel", deadline=_duration(lang, Duration(space.cancel_deadline_minutes))))
    return Raw("\n".join(lines))


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _quit_row(lang: str) -> list[InlineKeyboardButton]:
    return [ui.button(t(lang, "btn.cancel"), "bk", "quit")]


# --- the booking conversation ----------------------------------------------------------------------


async def _me(update: Update, context: Ctx) -> Me | None:
    if update.callback_query is not None:
        await update.callback_query.answer()
    return await current_user(update, context)


async def _stale(update: Update, context: Ctx, me: Me) -> None:
    """Callback data this release did not make: say so in a new message, touch nothing else."""
    await update.effective_chat.send_message(t(me.language, "bk.stale"), reply_markup=ui.menu_markup(me.language))


async def _domain_error(update: Update, me: Me, error: DomainError) -> int | None:
    """Refusals offer what would work; a space or booking out of reach ends the flow politely."""
    lang = me.language
    if isinstance(error, svc.Refused | svc.Taken):
        assert error.space is not None
        space = error.space
        if isinstance(error, svc.Refused):
            text = t(lang, "bk.refused", reason=_reason(lang, space.timezone, error.refusal))
        else:
            text = t(lang, "bk.taken")
        rows: list[list[InlineKeyboardButton]] = []
        if error.alternatives:
            text += t(lang, "bk.alternatives")
            rows += [[_alternative_button(lang, space, option)] for option in error.alternatives]
        else:
            text += t(lang, "bk.no_alternative")
        rows.append([ui.button(t(lang, "bk.btn.other_day"), "bk", "dp", space.id, 0), *_quit_row(lang)])
        await ui.show(update, text, ui.keyboard(rows))
        return Step.CONFIRM
    if isinstance(error, NotAllowed | NotFound):
        key = "bk.not_allowed" if isinstance(error, NotAllowed) else "bk.gone"
        await ui.show(update, t(lang, key), ui.menu_markup(lang))
        return END
    log.info("booking step refused input: %s", type(error).__name__)
    await update.effective_chat.send_message(t(lang, "bk.stale"), reply_markup=ui.menu_markup(lang))
    return None


def _alternative_button(lang: str, space: SpaceView, option: Option) -> InlineKeyboardButton:
    local = _local(option.start, space.timezone)
    duration = _duration(lang, option.duration)
    weekday, day, month = t(lang, f"bk.wd.{local.weekday()}"), f"{local.day:02d}", f"{local.month:02d}"
    if space.nightly:
        label = t(lang, "bk.alt.btn_nights", weekday=weekday, day=day, month=month, duration=duration)
    else:
        label = t(
            lang, "bk.alt.btn", weekday=weekday, day=day, month=month, time=local.strftime("%H:%M"), duration=duration
        )
    return ui.button(label, "bk", "sum", space.id, _epoch(option.start), option.slots)


def _spaces_view(lang: str, spaces: list[SpaceView]) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        t(lang, "bk.space_line", name=s.name, description=s.description)
        if s.description
        else t(lang, "bk.space_line_short", name=s.name)
        for s in spaces
    ]
    text = t(lang, "bk.ask_space", spaces=Raw("\n".join(lines))) + t(lang, "bk.hint_cancel")
    buttons = [ui.button(s.name, "bk", "sp", s.id) for s in spaces]
    markup = ui.keyboard([*(buttons[i : i + 2] for i in range(0, len(buttons), 2)), _quit_row(lang)])
    return text, markup


async def book_start(update: Update, context: Ctx) -> int:
    me = await _me(update, context)
    if me is None:
        return END
    spaces = await context.rt.db(svc.spaces, me)
    if not spaces:
        await update.effective_chat.send_message(
            t(me.language, "bk.no_spaces"), reply_markup=ui.menu_markup(me.language)
        )
        return END
    draft(context, FLOW).clear()
    text, markup = _spaces_view(me.language, spaces)
    await update.effective_chat.send_message(text, reply_markup=markup)
    return Step.SPACE


async def back_to_spaces(update: Update, context: Ctx) -> int | None:
    me = await _me(update, context)
    if me is None:
        return END
    spaces = await context.rt.db(svc.spaces, me)
    if not spaces:
        await ui.show(update, t(me.language, "bk.no_spaces"), ui.menu_markup(me.language))
        return END
    await ui.show(update, *_spaces_view(me.language, spaces))
    return Step.SPACE


async def choose_space(update: Update, context: Ctx) -> int | None:
    """`bk:sp:<space>` and `bk:dp:<space>:<page>`: the days of the advance window, a week a page."""
    me = await _me(update, context)
    if me is None:
        return END
    action = ui.parts(update.callback_query.data)[1]
    values = ui.ints(update.callback_query.data, 1 if action == "sp" else 2)
    if values is None:
        await _stale(update, context, me)
        return None
    return await _show_days(update, context, me, values[0], values[1] if len(values) > 1 else 0)


async def _show_days(update: Update, context: Ctx, me: Me, space_id: int, page: int) -> int | None:
    try:
        plan = await context.rt.db(svc.days, me, space_id, context.rt.now())
    except DomainError as error:
        return await _domain_error(update, me, error)
    draft(context, FLOW)["space"] = space_id
    lang = me.language
    pages = max(1, -(-len(plan.days) // DAYS_PER_PAGE))
    page = min(max(0, page), pages - 1)
    shown = plan.days[page * DAYS_PER_PAGE : (page + 1) * DAYS_PER_PAGE]
    buttons = [
        ui.button(
            _short_day(lang, option.day, "bk.day.btn" if option.bookable else "bk.day.btn_full"),
            "bk",
            "day",
            space_id,
            option.day.strftime("%Y%m%d"),
        )
        for option in shown
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append(page_buttons(lang, ("bk", "dp", space_id), page, page + 1 < pages))
    rows.append([ui.button(t(lang, "bk.btn.other_space"), "bk", "spaces"), *_quit_row(lang)])
    text = t(lang, "bk.ask_day", space=plan.space.name, rules=_rules(lang, plan.space)) + t(lang, "bk.hint_cancel")
    await ui.show(update, text, ui.keyboard(rows))
    return Step.DAY


async def choose_day(update: Update, context: Ctx) -> int | None:
    """`bk:day:<space>:<yyyymmdd>` and `bk:slp:<space>:<yyyymmdd>:<page>`."""
    me = await _me(update, context)
    if me is None:
        return END
    action = ui.parts(update.callback_query.data)[1]
    values = ui.ints(update.callback_query.data, 2 if action == "day" else 3)
    day = _day_of(values[1]) if values else None
    if values is None or day is None:
        await _stale(update, context, me)
        return None
    return await _show_day(update, context, me, values[0], day, values[2] if len(values) > 2 else 0)


async def _show_day(update: Update, context: Ctx, me: Me, space_id: int, day: date, page: int) -> int | None:
    draft(context, FLOW)["space"] = space_id
    try:
        slots = await context.rt.db(svc.day_slots, me, space_id, day, context.rt.now())
    except InvalidInput as error:
        await ui.show(update, _day_problem(me.language, error), _other_day_markup(me.language, space_id))
        return Step.DAY
    except DomainError as error:
        return await _domain_error(update, me, error)
    return await _show_slots(update, context, me, slots, page)


async def typed_day(update: Update, context: Ctx) -> int | None:
    """A date written in the day step, read in the residence's time zone."""
    me = await current_user(update, context)
    if me is None:
        return END
    space_id = draft(context, FLOW).get("space")
    if space_id is None:  # the draft was lost: start again from the spaces
        return await back_to_spaces(update, context)
    try:
        slots = await context.rt.db(svc.typed_day, me, space_id, update.message.text or "", context.rt.now())
    except InvalidInput as error:
        await update.message.reply_text(_day_problem(me.language, error))
        return Step.DAY
    except DomainError as error:
        return await _domain_error(update, me, error)
    return await _show_slots(update, context, me, slots, 0)


def _day_of(value: int) -> date | None:
    try:
        return datetime.strptime(str(value), "%Y%m%d").date()
    except ValueError:
        return None


def _day_problem(lang: str, error: InvalidInput) -> str:
    day, last = error.details.get("day"), error.details.get("last")
    if error.reason == "past" and isinstance(day, date):
        return t(lang, "bk.day.past", day=_date(lang, day))
    if error.reason == "too_far" and isinstance(day, date) and isinstance(last, date):
        return t(lang, "bk.day.too_far", day=_date(lang, day), last=_date(lang, last), days=error.details["days"])
    return t(lang, "bk.day.format")


def _other_day_markup(lang: str, space_id: int) -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(t(lang, "bk.btn.other_day"), "bk", "dp", space_id, 0), *_quit_row(lang)]])


async def _show_slots(update: Update, context: Ctx, me: Me, slots: DaySlots, page: int) -> int | None:
    lang, space = me.language, slots.space
    if not slots.options:
        await ui.show(update, t(lang, "bk.day.full", day=_date(lang, slots.day)), _other_day_markup(lang, space.id))
        return Step.DAY
    if space.nightly:  # one night a day: nothing to choose but how many
        return await _show_lengths(update, context, me, space.id, slots.options[0].start)
    pages = max(1, -(-len(slots.options) // SLOTS_PER_PAGE))
    page = min(max(0, page), pages - 1)
    shown = slots.options[page * SLOTS_PER_PAGE : (page + 1) * SLOTS_PER_PAGE]
    buttons = []
    for option in shown:
        clock = _local(option.start, space.timezone).strftime("%H:%M")
        label = t(lang, "bk.slot.btn_units", time=clock, free=option.free) if space.capacity > 1 else clock
        buttons.append(ui.button(label, "bk", "sl", space.id, _epoch(option.start)))
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append(page_buttons(lang, ("bk", "slp", space.id, slots.day.strftime("%Y%m%d")), page, page + 1 < pages))
    rows.append([ui.button(t(lang, "bk.btn.other_day"), "bk", "dp", space.id, 0), *_quit_row(lang)])
    key = "bk.ask_slot_units" if space.capacity > 1 else "bk.ask_slot"
    await ui.show(update, t(lang, key, space=space.name, day=_date(lang, slots.day)), ui.keyboard(rows))
    return Step.SLOT


async def from_assistant(update: Update, context: Ctx) -> int | None:
    """The assistant's buttons: `ai:bs:<space>` (its days), `ai:bd:<space>:<yyyymmdd>` (that day's slots),
    `ai:bk:<space>:<epoch>` (that start's lengths, or straight to the summary). Every rule is checked again."""
    me = await _me(update, context)
    if me is None:
        return END
    draft(context, FLOW).clear()
    data = update.callback_query.data
    action = ui.parts(data)[1]
    values = ui.ints(data, 1 if action == "bs" else 2)
    if values is None:
        await _stale(update, context, me)
        return END
    if action == "bs":
        return await _show_days(update, context, me, values[0], 0)
    if action == "bd":
        day = _day_of(values[1])
        if day is None:
            await _stale(update, context, me)
            return END
        return await _show_day(update, context, me, values[0], day, 0)
    draft(context, FLOW)["space"] = values[0]
    return await _show_lengths(update, context, me, values[0], datetime.fromtimestamp(values[1], UTC))


async def choose_slot(update: Update, context: Ctx) -> int | None:
    """`bk:sl:<space>:<epoch>`: the lengths this start can really be booked for."""
    me = await _me(update, context)
    if me is None:
        return END
    values = ui.ints(update.callback_query.data, 2)
    if values is None:
        await _stale(update, context, me)
        return None
    return await _show_lengths(update, context, me, values[0], datetime.fromtimestamp(values[1], UTC))


async def _show_lengths(update: Update, context: Ctx, me: Me, space_id: int, start: datetime) -> int | None:
    try:
        choice = await context.rt.db(svc.start_choice, me, space_id, start, context.rt.now())
    except DomainError as error:
        return await _domain_error(update, me, error)
    if len(choice.options) == 1:
        return await _show_summary(update, me, choice.space, choice.options[0])
    lang, space = me.language, choice.space
    buttons = [
        ui.button(_duration(lang, option.duration), "bk", "sum", space.id, _epoch(start), option.slots)
        for option in choice.options
    ]
    local_day = _local(start, space.timezone).date()
    back = ui.button(
        t(lang, "bk.btn.other_day" if space.nightly else "bk.btn.other_time"),
        *(("bk", "dp", space.id, 0) if space.nightly else ("bk", "day", space.id, local_day.strftime("%Y%m%d"))),
    )
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([back, *_quit_row(lang)])
    if space.nightly:
        text = t(lang, "bk.ask_nights", space=space.name, day=_date(lang, local_day))
    else:
        text = t(lang, "bk.ask_duration", space=space.name, when=_when(lang, start, space.timezone, False))
    await ui.show(update, text, ui.keyboard(rows))
    return Step.DURATION


async def choose_length(update: Update, context: Ctx) -> int | None:
    """`bk:sum:<space>:<epoch>:<slots>` (a length, or an alternative offered after a refusal)."""
    me = await _me(update, context)
    if me is None:
        return END
    values = ui.ints(update.callback_query.data, 3)
    if values is None:
        await _stale(update, context, me)
        return None
    space_id, start, slots = values[0], datetime.fromtimestamp(values[1], UTC), values[2]
    try:
        proposal = await context.rt.db(svc.check, me, space_id, start, slots, context.rt.now())
    except DomainError as error:
        return await _domain_error(update, me, error)
    return await _show_summary(update, me, proposal.space, proposal.option)


async def _show_summary(update: Update, me: Me, space: SpaceView, option: Option) -> int:
    lang, tz = me.language, space.timezone
    key = "bk.summary_nights" if space.nightly else "bk.summary"
    values = {
        "space": space.name,
        "when": _when(lang, option.start, tz, False),
        "end": _when(lang, option.end, tz, False),
        "day": _date(lang, _local(option.start, tz).date()),
        "end_day": _date(lang, _local(option.end, tz).date()),
        "duration": _duration(lang, option.duration),
        "cancel_until": Raw(fmt_datetime(option.cancel_until, lang, tz)),
    }
    values = {name: value for name, value in values.items() if "{" + name + "}" in t(lang, key)}
    markup = ui.keyboard(
        [
            [ui.button(t(lang, "bk.btn.confirm"), "bk", "ok", space.id, _epoch(option.start), option.slots)],
            [ui.button(t(lang, "bk.btn.other_day"), "bk", "dp", space.id, 0), *_quit_row(lang)],
        ]
    )
    await ui.show(update, t(lang, key, **values), markup)
    return Step.CONFIRM


async def confirm(update: Update, context: Ctx) -> int | None:
    """`bk:ok:<space>:<epoch>:<slots>`: the database decides who gets the last unit."""
    me = await _me(update, context)
    if me is None:
        return END
    values = ui.ints(update.callback_query.data, 3)
    if values is None:
        await _stale(update, context, me)
        return None
    space_id, start, slots = values[0], datetime.fromtimestamp(values[1], UTC), values[2]
    try:
        booked = await context.rt.db(svc.book, me, space_id, start, slots, context.rt.now())
    except DomainError as error:
        return await _domain_error(update, me, error)
    deliver_soon(context.application)
    lang, booking = me.language, booked.booking
    text = t(lang, "bk.booked_nights" if booking.duration.nightly else "bk.booked", **_view_values(lang, booking))
    if booked.reminder:
        text += t(lang, "bk.booked.reminder")
    markup = ui.keyboard([[ui.button(t(lang, "bk.btn.my"), "bk", "my", 0), ui.menu_button(lang)]])
    await ui.show(update, text, markup)
    await update.effective_chat.send_document(
        document=booked.ics, filename=booked.filename, caption=t(lang, "bk.ics.caption")
    )
    return END


def _view_values(lang: str, booking: BookingView) -> dict[str, object]:
    tz, nightly = booking.timezone, booking.duration.nightly
    return {
        "space": booking.space_name,
        "when": _when(lang, booking.start_at, tz, nightly),
        "day": _date(lang, _local(booking.start_at, tz).date()),
        "end_day": _date(lang, _local(booking.end_at, tz).date()),
        "duration": _duration(lang, booking.duration),
        "cancel_until": Raw(fmt_datetime(booking.cancel_until, lang, tz)),
    }


async def quit_flow(update: Update, context: Ctx) -> int:
    me = await _me(update, context)
    lang = me.language if me else "fr"
    await ui.show(update, t(lang, "cancel.done"), ui.menu_markup(lang))
    return END


# --- my bookings ---------------------------------------------------------------------------------


async def my_bookings(update: Update, context: Ctx) -> None:
    """/reservations, the dashboard's button, and `bk:my:<page>` (the list's own pages)."""
    me = await _me(update, context)
    if me is None:
        return
    query = update.callback_query
    in_list = query is not None and ui.parts(query.data)[0] == "bk"
    page = 0
    if in_list:
        values = ui.ints(query.data, 1)
        page = values[0] if values else 0
    result = await context.rt.db(svc.my_bookings, me, context.rt.now(), page)
    text, markup = _list_view(me.language, result)
    if in_list:
        await ui.show(update, text, markup)
    else:
        await update.effective_chat.send_message(text, reply_markup=markup)


def _list_view(lang: str, result: svc.BookingPage) -> tuple[str, InlineKeyboardMarkup]:
    if not result.items:
        markup = ui.keyboard([[ui.button(t(lang, "bk.btn.book"), "bk", "new"), ui.menu_button(lang)]])
        return t(lang, "bk.my.empty"), markup
    lines = [t(lang, "bk.my.title", total=result.total)]
    buttons = []
    for number, booking in enumerate(result.items, result.page * svc.PAGE_SIZE + 1):
        key = "bk.my.line_nights" if booking.duration.nightly else "bk.my.line"
        lines.append(t(lang, key, n=number, **_view_values(lang, booking)))
        buttons.append(ui.button(t(lang, "bk.my.btn_cancel", n=number), "bk", "cx", booking.id))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(page_buttons(lang, ("bk", "my"), result.page, result.has_next))
    rows.append([ui.button(t(lang, "bk.btn.book"), "bk", "new"), ui.menu_button(lang)])
    return "\n".join(lines), ui.keyboard(rows)


def _back_to_list(lang: str) -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(t(lang, "bk.btn.my"), "bk", "my", 0), ui.menu_button(lang)]])


async def _cancel_problem(update: Update, me: Me, error: DomainError) -> None:
    lang = me.language
    if isinstance(error, svc.Refused):
        tz = error.space.timezone if error.space else "Europe/Paris"
        text = t(lang, "bk.cancel.refused", reason=_reason(lang, tz, error.refusal))
    elif isinstance(error, InvalidInput) and error.reason == "already_cancelled":
        text = t(lang, "bk.cancel.already")
    elif isinstance(error, NotAllowed):
        text = t(lang, "bk.not_allowed")
    else:
        text = t(lang, "bk.gone")
    await ui.show(update, text, _back_to_list(lang))


async def ask_cancel(update: Update, context: Ctx) -> None:
    """`bk:cx:<id>`: says at once if the deadline has passed, else asks to confirm."""
    me = await _me(update, context)
    if me is None:
        return
    values = ui.ints(update.callback_query.data, 1)
    if values is None:
        await _stale(update, context, me)
        return
    try:
        booking = await context.rt.db(svc.cancellation, me, values[0], context.rt.now())
    except DomainError as error:
        await _cancel_problem(update, me, error)
        return
    lang = me.language
    markup = ui.keyboard(
        [
            [
                ui.button(t(lang, "bk.cancel.yes"), "bk", "cxy", booking.id),
                ui.button(t(lang, "bk.cancel.no"), "bk", "cxn", booking.id),
            ]
        ]
    )
    await ui.show(update, t(lang, "bk.cancel.ask", **_view_values(lang, booking)), markup)


async def do_cancel(update: Update, context: Ctx) -> None:
    """`bk:cxy:<id>`: checked again (the deadline may have passed while the question waited)."""
    me = await _me(update, context)
    if me is None:
        return
    values = ui.ints(update.callback_query.data, 1)
    if values is None:
        await _stale(update, context, me)
        return
    try:
        booking = await context.rt.db(svc.cancel, me, values[0], context.rt.now())
    except DomainError as error:
        await _cancel_problem(update, me, error)
        return
    deliver_soon(context.application)
    lang = me.language
    await ui.show(update, t(lang, "bk.cancel.done", **_view_values(lang, booking)), _back_to_list(lang))


async def keep_booking(update: Update, context: Ctx) -> None:
    me = await _me(update, context)
    if me is None:
        return
    await ui.show(update, t(me.language, "bk.cancel.kept"), _back_to_list(me.language))


# --- wiring ----------------------------------------------------------------------------------------


def _booking_conversation() -> BaseHandler[Update, Ctx, object]:
    # The step buttons live in the fallbacks: they work from any step (each carries its own
    # context), while the states only decide what a typed message means.
    return conversation(
        FLOW,
        entry_points=[
            CommandHandler(["reserver", "book"], book_start, filters=PRIVATE),
            CallbackQueryHandler(book_start, pattern=r"^menu:book$"),
            CallbackQueryHandler(book_start, pattern=r"^bk:new$"),
            CallbackQueryHandler(from_assistant, pattern=AI_BUTTONS),
        ],
        states={
            Step.SPACE: [wrong_type("flow.use_buttons")],
            Step.DAY: [
                MessageHandler(TYPED, typed_day),
                wrong_type("bk.day.expected"),
            ],
            Step.SLOT: [wrong_type("flow.use_buttons")],
            Step.DURATION: [wrong_type("flow.use_buttons")],
            Step.CONFIRM: [wrong_type("flow.use_buttons")],
        },
        fallbacks=[
            CommandHandler(["reserver", "book"], book_start, filters=PRIVATE),
            CallbackQueryHandler(book_start, pattern=r"^(menu:book|bk:new)$"),
            CallbackQueryHandler(from_assistant, pattern=AI_BUTTONS),
            CallbackQueryHandler(back_to_spaces, pattern=r"^bk:spaces$"),
            CallbackQueryHandler(choose_space, pattern=r"^bk:(sp|dp):"),
            CallbackQueryHandler(choose_day, pattern=r"^bk:(day|slp):"),
            CallbackQueryHandler(choose_slot, pattern=r"^bk:sl:"),
            CallbackQueryHandler(choose_length, pattern=r"^bk:sum:"),
            CallbackQueryHandler(confirm, pattern=r"^bk:ok:"),
            CallbackQueryHandler(quit_flow, pattern=r"^bk:quit$"),
        ],
    )


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    return [
        _booking_conversation(),
        CommandHandler(["reservations", "bookings"], my_bookings, filters=PRIVATE),
        CallbackQueryHandler(my_bookings, pattern=r"^(menu:bookings|bk:my:\d+)$"),
        CallbackQueryHandler(ask_cancel, pattern=r"^bk:cx:"),
        CallbackQueryHandler(do_cancel, pattern=r"^bk:cxy:"),
        CallbackQueryHandler(keep_booking, pattern=r"^bk:cxn:"),
    ]
