"""Statistics for managers (/stats): scope (admins) → period → summary, charts and a CSV export.

Every button is stateless and carries what it needs (`st:p:3:30d`: residence 3, 30 days), so an
old button still works, and the service re-checks on each press who may see which residence: a
manager pressing forged data naming another residence is refused. Only the typed period ("Autre
période") is a conversation step, with its validation and /annuler.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from enum import IntEnum
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import charts, ui
from bot.i18n import CALENDARS, CATALOGS, DEFAULT_LANGUAGE, Raw, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, current_user, lang_of
from handlers.flow import END, conversation, draft, page_buttons, wrong_type
from handlers.menu import send_dashboard
from models import Role
from services import stats
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me
from services.stats import Period, Report, Scope, ScopePage

log = logging.getLogger(__name__)

FLOW = "stats"
PREFIX = "st"
SUMMARY_SPACES = 8  # more spaces (the whole network) are in the charts and the CSV, not the text
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Step(IntEnum):
    CUSTOM = 1


# --- formatting ----------------------------------------------------------------------------------


def plain(lang: str, key: str, /, **values: object) -> str:
    """A catalog text as plain text (charts and CSV): nothing is HTML-escaped there."""
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT_LANGUAGE])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE][key]
    return template.format(**values) if values else template


def number(value: float, lang: str) -> str:
    """12.5 -> "12,5" in French; one decimal at most, none when it is a whole number."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "fr" else text


def percent(rate: float, lang: str) -> str:
    value = round(rate * 100)
    return f"{value} %" if lang == "fr" else f"{value}%"


def day_text(day: Any, lang: str) -> str:
    cal = CALENDARS.get(lang, CALENDARS[DEFAULT_LANGUAGE])
    return plain(lang, "st.date", day=day.day, month=cal.MONTHS[day.month - 1], year=day.year)


def scope_name(scope: Scope, lang: str) -> str:
    return scope.name or plain(lang, "st.network")


def period_text(period: Period, lang: str) -> str:
    first = day_text(period.first_day, lang)
    if period.days == 1:
        return t(lang, "st.summary.range_one", first=first)
    return t(lang, "st.summary.range", first=first, last=day_text(period.last_day, lang), days=period.days)


def space_label(report: Report, use: stats.SpaceUse) -> str:
    return use.space if report.scope.residence_id is not None else f"{use.residence} — {use.space}"


def _items(lang: str, pairs: list[tuple[str, int]]) -> Raw:
    return Raw(" · ".join(t(lang, "st.summary.item", label=label, count=count) for label, count in pairs))


def render_summary(report: Report, lang: str) -> str:
    lines = [
        t(lang, "st.summary.title", scope=scope_name(report.scope, lang)),
        period_text(report.period, lang),
        "",
    ]
    if report.empty:
        lines += [t(lang, "st.summary.empty"), "", t(lang, "st.summary.urgent", count=report.open_urgent)]
        return "\n".join(lines)

    lines.append(t(lang, "st.summary.incidents", count=report.incidents))
    if report.incidents:
        statuses = [(plain(lang, f"st.status.{c.key}"), c.count) for c in report.by_status if c.count]
        categories = [(plain(lang, f"st.cat.{c.key}"), c.count) for c in report.by_category if c.count]
        categories.sort(key=lambda pair: -pair[1])
        lines.append(t(lang, "st.summary.by_status", items=_items(lang, statuses)))
        lines.append(t(lang, "st.summary.by_category", items=_items(lang, categories)))
    if report.take_charge_hours is None:
        lines.append(t(lang, "st.summary.take_none"))
    else:
        lines.append(t(lang, "st.summary.take", hours=number(report.take_charge_hours, lang), count=report.taken))
    if report.resolve_hours is None:
        lines.append(t(lang, "st.summary.resolve_none"))
    else:
        lines.append(t(lang, "st.summary.resolve", hours=number(report.resolve_hours, lang), count=report.resolved))
    lines.append(t(lang, "st.summary.urgent", count=report.open_urgent))
    ratings = report.ratings
    if ratings.average is None:
        lines.append(t(lang, "st.summary.ratings_none"))
    else:
        scores = _items(lang, [(f"{score}★", n) for score, n in enumerate(ratings.distribution, 1)])
        lines.append(
            t(lang, "st.summary.ratings", average=number(ratings.average, lang), count=ratings.count, items=scores)
        )

    lines += ["", t(lang, "st.summary.spaces")]
    if not report.spaces:
        lines.append(t(lang, "st.summary.no_spaces"))
    for use in report.spaces[:SUMMARY_SPACES]:
        lines.append(
            t(
                lang,
                "st.summary.space",
                space=space_label(report, use),
                rate=percent(use.rate, lang),
                booked=number(use.booked_hours, lang),
                bookable=number(use.bookable_hours, lang),
            )
        )
    if len(report.spaces) > SUMMARY_SPACES:
        lines.append(t(lang, "st.summary.spaces_more", count=len(report.spaces) - SUMMARY_SPACES))

    events = report.events
    lines.append("")
    if events.held:
        fill = percent(events.fill_rate or 0.0, lang)
        lines.append(
            t(
                lang,
                "st.summary.events",
                held=events.held,
                registered=events.registered,
                attended=events.attended,
                fill=fill,
            )
        )
    else:
        lines.append(t(lang, "st.summary.events_none"))
    lines.append(t(lang, "st.summary.active", active=report.active_residents, total=report.residents))
    return "\n".join(lines)


def render_charts(report: Report, lang: str) -> list[bytes]:
    """Only charts with something to show: an empty chart says less than the summary's line."""
    images = []
    if report.incidents:
        categories = sorted((c for c in report.by_category if c.count), key=lambda c: -c.count)
        images.append(
            charts.horizontal_bars(
                plain(lang, "st.chart.categories"),
                [plain(lang, f"st.cat.{c.key}") for c in categories],
                [c.count for c in categories],
            )
        )
        statuses = [c for c in report.by_status if c.count]
        images.append(
            charts.horizontal_bars(
                plain(lang, "st.chart.statuses"),
                [plain(lang, f"st.status.{c.key}") for c in statuses],
                [c.count for c in statuses],
            )
        )
    if report.booked_hours > 0:
        images.append(
            charts.horizontal_bars(
                plain(lang, "st.chart.occupancy"),
                [space_label(report, use) for use in report.spaces],
                [use.rate for use in report.spaces],
                percent=True,
                value_labels=[
                    f"{percent(use.rate, lang)} ("
                    + plain(
                        lang,
                        "st.chart.hours",
                        booked=number(use.booked_hours, lang),
                        bookable=number(use.bookable_hours, lang),
                    )
                    + ")"
                    for use in report.spaces
                ],
            )
        )
    if report.ratings.count:
        images.append(
            charts.vertical_bars(
                plain(lang, "st.chart.ratings"),
                [f"{score}★" for score in range(1, 6)],
                list(report.ratings.distribution),
            )
        )
    if report.events.held:
        events = report.events
        images.append(
            charts.horizontal_bars(
                plain(lang, "st.chart.events"),
                [plain(lang, key) for key in ("st.csv.capacity", "st.csv.registered", "st.csv.attended")],
                [events.capacity, events.registered, events.attended],
            )
        )
    return images


def _csv_value(value: float | int | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _csv_text(text: str) -> str:
    """A name typed by someone must not become a spreadsheet formula."""
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def render_csv(report: Report, lang: str) -> bytes:
    """One row per figure (section, label, value); UTF-8 with a BOM so that Excel reads the accents."""
    rows: list[tuple[str, str, str]] = []

    def add(section: str, label: str, value: float | int | str | None) -> None:
        shown = value if isinstance(value, str) else _csv_value(value)
        rows.append((plain(lang, section), _csv_text(label), _csv_text(shown)))

    period = report.period
    add("st.csv.s.period", plain(lang, "st.csv.scope"), scope_name(report.scope, lang))
    add("st.csv.s.period", plain(lang, "st.csv.first"), period.first_day.isoformat())
    add("st.csv.s.period", plain(lang, "st.csv.last"), period.last_day.isoformat())
    add("st.csv.s.period", plain(lang, "st.csv.days"), period.days)
    add("st.csv.s.incidents", plain(lang, "st.csv.reported"), report.incidents)
    add("st.csv.s.incidents", plain(lang, "st.csv.open_urgent"), report.open_urgent)
    for count in report.by_status:
        add("st.csv.s.status", plain(lang, f"st.status.{count.key}"), count.count)
    for count in report.by_category:
        add("st.csv.s.category", plain(lang, f"st.cat.{count.key}"), count.count)
    add("st.csv.s.delays", plain(lang, "st.csv.take_median"), report.take_charge_hours)
    add("st.csv.s.delays", plain(lang, "st.csv.taken"), report.taken)
    add("st.csv.s.delays", plain(lang, "st.csv.resolve_median"), report.resolve_hours)
    add("st.csv.s.delays", plain(lang, "st.csv.resolved"), report.resolved)
    add("st.csv.s.ratings", plain(lang, "st.csv.ratings"), report.ratings.count)
    add("st.csv.s.ratings", plain(lang, "st.csv.average"), report.ratings.average)
    for score, count in enumerate(report.ratings.distribution, 1):
        add("st.csv.s.ratings", plain(lang, "st.csv.score", score=score), count)
    for use in report.spaces:
        add("st.csv.s.occupancy", space_label(report, use), use.rate * 100)
    for use in report.spaces:
        add("st.csv.s.booked", space_label(report, use), use.booked_hours)
    for use in report.spaces:
        add("st.csv.s.bookable", space_label(report, use), use.bookable_hours)
    events = report.events
    add("st.csv.s.events", plain(lang, "st.csv.held"), events.held)
    add("st.csv.s.events", plain(lang, "st.csv.registered"), events.registered)
    add("st.csv.s.events", plain(lang, "st.csv.attended"), events.attended)
    add("st.csv.s.events", plain(lang, "st.csv.capacity"), events.capacity)
    add("st.csv.s.events", plain(lang, "st.csv.fill"), None if events.fill_rate is None else events.fill_rate * 100)
    add("st.csv.s.residents", plain(lang, "st.csv.active"), report.active_residents)
    add("st.csv.s.residents", plain(lang, "st.csv.total"), report.residents)

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([plain(lang, "st.csv.section"), plain(lang, "st.csv.label"), plain(lang, "st.csv.value")])
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_filename(report: Report, lang: str) -> str:
    period = report.period
    slug = report.scope.slug or plain(lang, "st.file.network")
    return f"stats-{slug}-{period.first_day:%Y-%m-%d}_{period.last_day:%Y-%m-%d}.csv"


# --- keyboards -----------------------------------------------------------------------------------


def period_keyboard(me: Me, scope: Scope) -> InlineKeyboardMarkup:
    lang = me.language
    presets = [ui.button(t(lang, f"st.period.{code}"), PREFIX, "p", scope.key, code) for code in stats.PRESETS]
    rows: list[list[InlineKeyboardButton]] = [presets[:2], presets[2:]]
    rows.append([ui.button(t(lang, "st.period.custom"), PREFIX, "c", scope.key)])
    if me.role == Role.ADMIN:
        rows.append([ui.button(t(lang, "st.btn.scopes"), PREFIX, "sp", 0)])
    rows.append([ui.menu_button(lang)])
    return ui.keyboard(rows)


def scope_keyboard(lang: str, page: ScopePage) -> InlineKeyboardMarkup:
    residences = [ui.button(scope.name or "?", PREFIX, "s", scope.key) for scope in page.items]
    rows = [residences[i : i + 2] for i in range(0, len(residences), 2)]
    rows.append([ui.button(t(lang, "st.scope.all"), PREFIX, "s", stats.ALL)])
    rows.append(page_buttons(lang, (PREFIX, "sp"), page.page, page.has_next))
    rows.append([ui.menu_button(lang)])
    return ui.keyboard(rows)


# --- screens ---------------------------------------------------------------------------------------


def _tz(context: Ctx) -> str:
    return context.rt.settings.timezone


def _residence_id(key: str) -> int | None:
    """`all` is the network; anything but a number we could have written raises (a stale button)."""
    if key == stats.ALL:
        return None
    value = ui.to_int(key)
    if value is None:
        raise NotFound("scope")
    return value


async def _answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=alert)


async def _show(update: Update, text: str, markup: InlineKeyboardMarkup | None, *, edit: bool) -> None:
    if edit:
        await ui.show(update, text, markup)
    else:
        await update.effective_chat.send_message(text, reply_markup=markup)


async def _refuse(update: Update, me: Me, *, answered: bool = False) -> int:
    """A resident (or a manager asking for another residence): a polite no, and the way back."""
    key = "st.not_yours" if me.is_staff else "st.not_staff"
    if not answered:
        await _answer(update, t(me.language, key), alert=True)
    await update.effective_chat.send_message(t(me.language, key), reply_markup=ui.menu_markup(me.language))
    return END


async def _start(update: Update, context: Ctx, me: Me, *, edit: bool, answered: bool = False) -> int:
    """The first screen: the period for a manager, the residences for an admin.

    A button press is answered exactly once (Telegram refuses a second answer), hence `answered`.
    """
    try:
        home = await context.rt.db(stats.default_scope, me, _tz(context))
        page = None if home is not None else await context.rt.db(stats.residences, me, 0)
    except NotAllowed:
        return await _refuse(update, me, answered=answered)
    if not answered:
        await _answer(update)
    if home is not None:
        await _show(update, t(me.language, "st.period.ask", scope=home.name), period_keyboard(me, home), edit=edit)
    elif page is not None:
        await _show(update, t(me.language, "st.scope.ask"), scope_keyboard(me.language, page), edit=edit)
    return END


async def _stale(update: Update, context: Ctx, me: Me) -> int:
    await _answer(update, t(me.language, "st.expired.alert"))
    await update.effective_chat.send_message(t(me.language, "st.expired"))
    return await _start(update, context, me, edit=False, answered=True)


async def _signed_in(update: Update, context: Ctx) -> Me | None:
    me = await current_user(update, context)
    if me is None:  # the gate turned unlinked users away; an account unlinked in between
        await _answer(update)
        await update.effective_chat.send_message(t(lang_of(update, context), "need_login"))
    return me


async def open_stats(update: Update, context: Ctx) -> int:
    me = await _signed_in(update, context)
    if me is None:
        return END
    return await _start(update, context, me, edit=update.callback_query is not None)


async def on_button(update: Update, context: Ctx) -> int:
    """Every `st:` button; each one names its scope, re-checked by the service."""
    query = update.callback_query
    me = await _signed_in(update, context)
    if me is None:
        return END
    data = ui.parts(query.data)
    action, args = (data[1] if len(data) > 1 else ""), data[2:]
    lang = me.language
    try:
        if action == "sp" and len(args) == 1 and ui.to_int(args[0]) is not None:
            page = await context.rt.db(stats.residences, me, int(args[0]))
            await _answer(update)
            await ui.show(update, t(lang, "st.scope.ask"), scope_keyboard(lang, page))
        elif action == "s" and len(args) == 1:
            where = await context.rt.db(stats.scope, me, _residence_id(args[0]), _tz(context))
            await _answer(update)
            await ui.show(update, t(lang, "st.period.ask", scope=scope_name(where, lang)), period_keyboard(me, where))
        elif action == "c" and len(args) == 1:
            where = await context.rt.db(stats.scope, me, _residence_id(args[0]), _tz(context))
            await _answer(update)
            draft(context, FLOW)["scope"] = where.key
            back = ui.keyboard([[ui.button(t(lang, "btn.back"), PREFIX, "s", where.key)]])
            await update.effective_chat.send_message(
                t(lang, "st.custom.ask", scope=scope_name(where, lang)), reply_markup=back
            )
            return Step.CUSTOM
        elif action == "p" and len(args) == 2:
            report = await context.rt.db(
                stats.report, me, _residence_id(args[0]), args[1], context.rt.now(), _tz(context)
            )
            await _answer(update)
            await send_report(update, context, me, report)
        else:
            return await _stale(update, context, me)
    except NotAllowed:
        return await _refuse(update, me)
    except (NotFound, InvalidInput):
        return await _stale(update, context, me)  # a residence gone, a period nobody offered
    return END


async def custom_typed(update: Update, context: Ctx) -> int:
    me = await _signed_in(update, context)
    if me is None:
        return END
    lang = me.language
    key = draft(context, FLOW).get("scope", stats.ALL)
    try:
        report = await context.rt.db(
            stats.typed_report, me, _residence_id(key), update.message.text or "", context.rt.now(), _tz(context)
        )
    except NotAllowed:
        return await _refuse(update, me)
    except NotFound:
        return await _stale(update, context, me)
    except InvalidInput as error:
        values: dict[str, object] = {}
        if error.reason == "future":
            values["today"] = day_text(error.details["today"], lang)
        elif error.reason == "too_long":
            values["max"] = error.details["max"]
        reason = error.reason if error.reason in ("order", "future", "too_long") else "format"
        await update.message.reply_text(t(lang, f"st.custom.{reason}", **values))
        return Step.CUSTOM
    await send_report(update, context, me, report)
    return END


async def leave_to_menu(update: Update, context: Ctx) -> int:
    """The dashboard's button pressed instead of typing the period: leave the step, show the menu."""
    me = await _signed_in(update, context)
    if me is not None:
        await _answer(update)
        await send_dashboard(update, context, me)
    return END


async def send_report(update: Update, context: Ctx, me: Me, report: Report) -> None:
    """Summary (in place of the menu pressed), then the charts as one album, then the CSV with the next choices."""
    lang = me.language
    where = report.scope
    markup = period_keyboard(me, where)
    summary = render_summary(report, lang)
    if report.empty:
        await _show(update, summary, markup, edit=update.callback_query is not None)
        return
    await _show(update, summary, None, edit=update.callback_query is not None)
    chat = update.effective_chat
    await chat.send_chat_action(ChatAction.UPLOAD_PHOTO)
    images = await asyncio.to_thread(render_charts, report, lang)
    caption = t(lang, "st.photo.caption", scope=scope_name(where, lang), range=Raw(period_text(report.period, lang)))
    if len(images) == 1:
        await chat.send_photo(images[0], caption=caption)
    elif images:
        await chat.send_media_group(
            [InputMediaPhoto(image, caption=caption if n == 0 else None) for n, image in enumerate(images)]
        )
    await chat.send_document(
        render_csv(report, lang),
        filename=csv_filename(report, lang),
        caption=t(lang, "st.csv.caption", scope=scope_name(where, lang), range=Raw(period_text(report.period, lang))),
        reply_markup=markup,
    )
    log.info("stats sent: scope %s, period %s, %d chart(s)", where.key, report.period.code, len(images))


def _buttons() -> list[BaseHandler[Update, Ctx, Any]]:
    return [CallbackQueryHandler(on_button, pattern=ui.pattern(PREFIX))]


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    text = TYPED
    flow = conversation(
        FLOW,
        entry_points=[
            CommandHandler(["stats", "statistiques", "statistics"], open_stats, filters=PRIVATE),
            CallbackQueryHandler(open_stats, pattern=r"^menu:stats$"),
            *_buttons(),
        ],
        states={
            Step.CUSTOM: [
                MessageHandler(text, custom_typed),
                *_buttons(),
                CallbackQueryHandler(open_stats, pattern=r"^menu:stats$"),
                CallbackQueryHandler(leave_to_menu, pattern=r"^menu:home$"),
                wrong_type("st.custom.expected_text"),
            ],
        },
    )
    return [flow]
