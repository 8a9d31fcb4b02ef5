"""Incidents for residents: /signaler (/report) to report one, /incidents to follow them.

Two conversations: the report itself (category → place → description → urgency → photos →
summary, with similar open incidents offered before filing), and a short one to add a comment or
a photo to an incident. Browsing, withdrawing, leaving and rating are single button presses.
Every button carries only an incident id: the service decides, on each press, what this user may do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import IntEnum
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import ui
from bot.delivery import deliver_soon
from bot.i18n import Raw, fmt_datetime, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, TYPED, current_user, lang_of
from handlers.flow import END, conversation, draft, length_error, page_buttons, wrong_type
from models import HistoryKind, IncidentCategory, Urgency
from services import assistant as ai
from services import files
from services import incidents as svc
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from services.incidents import HistoryEntry, IncidentDetail, PhotoUpload, Report
from services.people import Me

log = logging.getLogger(__name__)

R = TypeVar("R")

FLOW = "incident_report"
NOTE_FLOW = "incident_note"
PREFIX = "inc"
EDITABLE = ("category", "place", "description", "urgency", "photos")
# Long texts are cut in views that show several of them, so a message stays far below 4096.
SHORT_IN_DETAIL = 200
SHORT_IN_SIMILAR = 200
MAX_ENTRY = 1100


class Step(IntEnum):
    CATEGORY = 1
    PLACE = 2
    DESCRIPTION = 3
    URGENCY = 4
    PHOTOS = 5
    SUMMARY = 6
    EDIT = 7
    SIMILAR = 8


class Note(IntEnum):
    COMMENT = 11
    PHOTO = 12


# --- shared helpers ----------------------------------------------------------------------------


async def _call(update: Update, context: Ctx, fn: Callable[..., R], *args: Any) -> R:
    """One service call as the signed-in user, who is looked up in the same unit of work."""
    return await context.rt.db(svc.acting, update.effective_user.id, fn, *args)


def _tz(context: Ctx, me: Me | None = None) -> str:
    return (me.timezone if me else None) or context.rt.settings.timezone


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def place_label(lang: str, location: str) -> str:
    """Known places in the reader's language; anything a resident typed, as typed."""
    for key, name in svc.COMMON_PLACES.items():
        if location == name:
            return Raw(t(lang, f"inc.place.{key}"))
    if location.startswith(svc.APARTMENT_PREFIX):
        return Raw(t(lang, "inc.place.apartment", apartment=location[len(svc.APARTMENT_PREFIX) :]))
    return location


def _label(lang: str, key: str) -> Raw:
    return Raw(t(lang, key))


def _error_text(lang: str, error: DomainError, number: int | None = None) -> str:
    """One polite sentence per refusal; "not found" and "not yours" read the same on purpose."""
    if isinstance(error, NotFound | NotAllowed):
        return t(lang, "inc.err.not_found")
    if isinstance(error, InvalidInput):
        details = dict(error.details)
        if "status" in details:
            details["status"] = _label(lang, f"inc.status.{details['status']}")
        key = {
            ("incident", "closed"): "inc.err.closed",
            ("incident", "not_resolved"): "inc.err.not_resolved",
            ("incident", "not_following"): "inc.err.not_following",
            ("incident", "own"): "inc.join.own",
            ("incident", "already_following"): "inc.join.already",
            ("rating", "already"): "inc.err.already_rated",
            ("photo", "too_many"): "inc.err.too_many_photos",
            ("photo", "too_big"): "inc.photo.too_big",
            ("file", "too_big"): "inc.photo.too_big",
            ("photo", "not_image"): "inc.photo.not_image",
            ("place", "no_apartment"): "inc.err.no_apartment",
        }.get((error.field, error.reason), "inc.err.generic")
        return t(lang, key, number=number or "", **details)
    return t(lang, "inc.err.generic")


async def _refuse(update: Update, lang: str, error: DomainError, number: int | None = None) -> None:
    """A refusal as a pop-up on a button press (the message stays as it was), else as a reply."""
    text = _error_text(lang, error, number)
    if update.callback_query is not None:
        await update.callback_query.answer(_short(text, 200), show_alert=True)
    else:
        await update.effective_chat.send_message(text)


async def _answer(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


# --- photos ------------------------------------------------------------------------------------


def _photo_of(message: Message) -> dict[str, Any] | None:
    """What Telegram says about a photo or a document (kept in the draft until it is downloaded)."""
    if message.photo:
        largest = message.photo[-1]
        return {
            "file_id": largest.file_id,
            "unique_id": largest.file_unique_id,
            "size": largest.file_size,
            "mime": "image/jpeg",
            "filename": "",
        }
    if message.document:
        doc = message.document
        return {
            "file_id": doc.file_id,
            "unique_id": doc.file_unique_id,
            "size": doc.file_size,
            "mime": doc.mime_type or "",
            "filename": doc.file_name or "image",
        }
    return None


async def _download(context: Ctx, info: dict[str, Any]) -> PhotoUpload:
    tg_file = await context.bot.get_file(info["file_id"])
    svc.check_photo(tg_file.file_size, info["mime"])  # Telegram's own figure, before the bytes
    content = await tg_file.download_as_bytearray()
    return PhotoUpload(
        content=bytes(content),
        telegram_file_id=info["file_id"],
        telegram_unique_id=info.get("unique_id"),
        mime_type=info["mime"],
        filename=info["filename"],
    )


PHOTO_INPUT = PRIVATE & (filters.PHOTO | filters.Document.ALL)


# --- /signaler: the steps ----------------------------------------------------------------------


def _stop_row(lang: str) -> list[InlineKeyboardButton]:
    return [ui.button(t(lang, "btn.cancel"), PREFIX, "r", "stop")]


async def _ask(update: Update, text: str, markup: InlineKeyboardMarkup | None, *, edit: bool) -> None:
    if edit and update.callback_query is not None:
        await ui.show(update, text, markup)
    else:
        await update.effective_chat.send_message(text, reply_markup=markup)


async def ask_category(update: Update, context: Ctx, *, edit: bool = False) -> int:
    lang = lang_of(update, context)
    buttons = [ui.button(t(lang, f"inc.cat.{c.value}"), PREFIX, "r", "cat", c.value) for c in IncidentCategory]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)] + [_stop_row(lang)]
    await _ask(update, t(lang, "inc.ask.category"), ui.keyboard(rows), edit=edit)
    return Step.CATEGORY


async def ask_place(update: Update, context: Ctx, *, edit: bool = False) -> int:
    lang = lang_of(update, context)
    apartment = draft(context, FLOW).get("apartment")
    rows: list[list[InlineKeyboardButton]] = []
    if apartment:
        rows.append([ui.button(t(lang, "inc.place.home", apartment=apartment), PREFIX, "r", "pl", svc.HOME)])
    common = [ui.button(t(lang, f"inc.place.{key}"), PREFIX, "r", "pl", key) for key in svc.COMMON_PLACES]
    rows += [common[i : i + 2] for i in range(0, len(common), 2)]
    rows.append(_stop_row(lang))
    text = t(lang, "inc.ask.place", min=svc.PLACE_MIN, max=svc.PLACE_MAX)
    await _ask(update, text, ui.keyboard(rows), edit=edit)
    return Step.PLACE


async def ask_description(update: Update, context: Ctx, *, edit: bool = False) -> int:
    lang = lang_of(update, context)
    text = t(lang, "inc.ask.description", min=svc.DESCRIPTION_MIN, max=svc.DESCRIPTION_MAX)
    await _ask(update, text, ui.keyboard([_stop_row(lang)]), edit=edit)
    return Step.DESCRIPTION


async def ask_urgency(update: Update, context: Ctx, *, edit: bool = False) -> int:
    lang = lang_of(update, context)
    row = [ui.button(t(lang, f"inc.urg.{u.value}"), PREFIX, "r", "urg", u.value) for u in Urgency]
    await _ask(update, t(lang, "inc.ask.urgency"), ui.keyboard([row, _stop_row(lang)]), edit=edit)
    return Step.URGENCY


async def ask_photos(update: Update, context: Ctx, *, edit: bool = False) -> int:
    lang = lang_of(update, context)
    markup = ui.keyboard([[ui.button(t(lang, "btn.skip"), PREFIX, "r", "skip")], _stop_row(lang)])
    await _ask(update, t(lang, "inc.ask.photos", max=svc.MAX_REPORT_PHOTOS), markup, edit=edit)
    return Step.PHOTOS


def _place_of(lang: str, answers: dict[str, Any]) -> str:
    key = answers.get("place_key")
    if key == svc.HOME:
        return Raw(t(lang, "inc.place.apartment", apartment=answers.get("apartment") or ""))
    if key:
        return _label(lang, f"inc.place.{key}")
    return str(answers.get("place_text") or "")


async def show_summary(update: Update, context: Ctx, *, edit: bool = False) -> int:
    lang = lang_of(update, context)
    answers = draft(context, FLOW)
    answers.pop("editing", None)
    text = t(
        lang,
        "inc.summary",
        category=_label(lang, f"inc.cat.{answers['category']}"),
        place=_place_of(lang, answers),
        urgency=_label(lang, f"inc.urg.{answers['urgency']}"),
        photos=len(answers.get("photos", [])),
        description=answers["description"],
    )
    markup = ui.keyboard(
        [
            [ui.button(t(lang, "btn.confirm"), PREFIX, "r", "ok")],
            [ui.button(t(lang, "btn.edit"), PREFIX, "r", "edit"), *_stop_row(lang)],
        ]
    )
    await _ask(update, text, markup, edit=edit)
    return Step.SUMMARY


async def _after(update: Update, context: Ctx, step: Step, *, edit: bool) -> int:
    """The next question not answered yet (the assistant's prefill answers some ahead), or straight back
    to the summary when one answer was being changed."""
    answers = draft(context, FLOW)
    if answers.get("editing"):
        return await show_summary(update, context, edit=edit)
    following: tuple[tuple[Step, Callable[..., Any], tuple[str, ...]], ...] = (
        (Step.PLACE, ask_place, ("place_key", "place_text")),
        (Step.DESCRIPTION, ask_description, ("description",)),
        (Step.URGENCY, ask_urgency, ("urgency",)),
        (Step.PHOTOS, ask_photos, ()),
    )
    for later, ask, keys in following:
        if later > step and not any(answers.get(key) for key in keys):
            return int(await ask(update, context, edit=edit))
    return await show_summary(update, context, edit=edit)


async def report_start(update: Update, context: Ctx) -> int:
    await _answer(update)
    me = await current_user(update, context)
    if me is None:
        return END
    if me.residence_id is None:
        await update.effective_chat.send_message(t(me.language, "inc.no_residence"))
        return END
    answers = draft(context, FLOW)
    answers.clear()
    answers.update(apartment=me.apartment, tz=_tz(context, me), photos=[])
    return await ask_category(update, context)


async def ai_report_start(update: Update, context: Ctx) -> int:
    """`ai:inc:<turn>[:<category>:<urgency>:<place>]`: the report the assistant prepared from my message.

    The service reads my stored message again (another resident's turn does not exist for me); the
    flow then asks only what is still missing, and files nothing before its own Confirmer."""
    query = update.callback_query
    me = await current_user(update, context)
    if me is None:
        await _answer(update)
        return END
    data = ui.parts(query.data)
    turn = ui.to_int(data[2]) if len(data) > 2 else None
    hints = {
        name: value for name, value in zip(("category", "urgency", "place"), data[3:], strict=False) if value != "-"
    }
    try:
        if turn is None:
            raise NotFound("turn")
        found = await context.rt.db(ai.prefill_incident, me, turn, hints)
    except NotAllowed:
        await _answer(update)
        await update.effective_chat.send_message(t(me.language, "inc.no_residence"))
        return END
    except NotFound:
        await query.answer(t(me.language, "ai.gone"), show_alert=True)
        return END
    await _answer(update)
    answers = draft(context, FLOW)
    answers.clear()
    answers.update(apartment=me.apartment, tz=_tz(context, me), photos=[])
    if "place" in found:
        answers.update(place_key=found.pop("place"), place_text=None)
    answers.update(found)
    if "category" not in answers:
        return await ask_category(update, context)
    return await _after(update, context, Step.CATEGORY, edit=False)


async def on_category(update: Update, context: Ctx) -> int | None:
    await _answer(update)
    value = ui.parts(update.callback_query.data)[-1]
    if value not in {c.value for c in IncidentCategory}:
        return None
    draft(context, FLOW)["category"] = value
    return await _after(update, context, Step.CATEGORY, edit=True)


async def on_place_button(update: Update, context: Ctx) -> int | None:
    await _answer(update)
    key = ui.parts(update.callback_query.data)[-1]
    answers = draft(context, FLOW)
    if key not in svc.COMMON_PLACES and not (key == svc.HOME and answers.get("apartment")):
        return None
    answers.update(place_key=key, place_text=None)
    return await _after(update, context, Step.PLACE, edit=True)


async def on_place_text(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    try:
        place = svc.check_place(update.message.text)
    except InvalidInput as error:
        await update.message.reply_text(length_error(lang, error))
        return Step.PLACE
    draft(context, FLOW).update(place_key=None, place_text=place)
    return await _after(update, context, Step.PLACE, edit=False)


async def on_description(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    try:
        description = svc.check_description(update.message.text)
    except InvalidInput as error:
        await update.message.reply_text(length_error(lang, error))
        return Step.DESCRIPTION
    draft(context, FLOW)["description"] = description
    return await _after(update, context, Step.DESCRIPTION, edit=False)


async def on_urgency(update: Update, context: Ctx) -> int | None:
    await _answer(update)
    value = ui.parts(update.callback_query.data)[-1]
    if value not in {u.value for u in Urgency}:
        return None
    draft(context, FLOW)["urgency"] = value
    return await _after(update, context, Step.URGENCY, edit=True)


async def on_report_photo(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    info = _photo_of(update.message)
    answers = draft(context, FLOW)
    photos: list[dict[str, Any]] = answers.setdefault("photos", [])
    try:
        if info is None:
            raise InvalidInput("photo", "not_image")
        svc.check_photo(info["size"], info["mime"])
    except InvalidInput as error:
        await update.message.reply_text(_error_text(lang, error))
        return Step.PHOTOS
    photos.append(info)
    if len(photos) >= svc.MAX_REPORT_PHOTOS:
        await update.message.reply_text(t(lang, "inc.photo.max_reached", max=svc.MAX_REPORT_PHOTOS))
        return await show_summary(update, context)
    markup = ui.keyboard([[ui.button(t(lang, "btn.done"), PREFIX, "r", "done")], _stop_row(lang)])
    text = t(lang, "inc.photo.received", count=len(photos), max=svc.MAX_REPORT_PHOTOS)
    await update.message.reply_text(text, reply_markup=markup)
    return Step.PHOTOS


async def on_photos_done(update: Update, context: Ctx) -> int:
    await _answer(update)
    return await show_summary(update, context, edit=True)


async def on_edit(update: Update, context: Ctx) -> int:
    await _answer(update)
    lang = lang_of(update, context)
    buttons = [ui.button(t(lang, f"inc.edit.{name}"), PREFIX, "r", "ed", name) for name in EDITABLE]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([ui.button(t(lang, "btn.back"), PREFIX, "r", "back")])
    await ui.show(update, t(lang, "inc.ask.edit"), ui.keyboard(rows))
    return Step.EDIT


async def on_edit_choice(update: Update, context: Ctx) -> int | None:
    await _answer(update)
    name = ui.parts(update.callback_query.data)[-1]
    if name not in EDITABLE:
        return None
    answers = draft(context, FLOW)
    answers["editing"] = True
    if name == "photos":
        answers["photos"] = []
    ask = {
        "category": ask_category,
        "place": ask_place,
        "description": ask_description,
        "urgency": ask_urgency,
        "photos": ask_photos,
    }[name]
    return await ask(update, context, edit=True)


async def on_back_to_summary(update: Update, context: Ctx) -> int:
    await _answer(update)
    return await show_summary(update, context, edit=True)


def _report_of(answers: dict[str, Any]) -> Report:
    return Report(
        category=IncidentCategory(answers["category"]),
        description=answers["description"],
        urgency=Urgency(answers["urgency"]),
        place_key=answers.get("place_key"),
        place_text=answers.get("place_text"),
    )


async def on_confirm(update: Update, context: Ctx) -> int:
    """Offer similar open incidents first; file the report only when there are none."""
    query = update.callback_query
    lang = lang_of(update, context)
    report = _report_of(draft(context, FLOW))
    try:
        similar = await _call(update, context, svc.similar_incidents, report)
    except InvalidInput as error:  # the account changed since the answer (its apartment removed...)
        await _refuse(update, lang, error)
        return await show_summary(update, context)
    if not similar:
        return await _create(update, context)
    await query.answer()
    tz = draft(context, FLOW).get("tz") or context.rt.settings.timezone
    items = [
        t(
            lang,
            "inc.similar.item_mine" if s.mine else "inc.similar.item",
            number=s.id,
            place=place_label(lang, s.location),
            status=_label(lang, f"inc.status.{s.status.value}"),
            date=fmt_datetime(s.created_at, lang, tz),
            description=_short(s.description, SHORT_IN_SIMILAR),
        )
        for s in similar
    ]
    # My own earlier report: nothing to join; the honest offer is "don't file it twice".
    rows = [
        [
            ui.button(t(lang, "inc.btn.mine_already", number=s.id), PREFIX, "r", "mine", s.id)
            if s.mine
            else ui.button(t(lang, "inc.btn.same", number=s.id), PREFIX, "r", "same", s.id)
        ]
        for s in similar
    ]
    rows.append([ui.button(t(lang, "inc.btn.different"), PREFIX, "r", "new")])
    rows.append(_stop_row(lang))
    await ui.show(update, t(lang, "inc.similar", items=Raw("\n".join(items))), ui.keyboard(rows))
    return Step.SIMILAR


async def _create(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    answers = draft(context, FLOW)
    try:
        uploads = [await _download(context, info) for info in answers.get("photos", [])]
        created = await _call(update, context, svc.create_incident, _report_of(answers), uploads, context.rt.now())
    except InvalidInput as error:
        await _refuse(update, lang, error)
        return await show_summary(update, context)
    except (NotAllowed, NotFound) as error:
        await _refuse(update, lang, error)
        return END
    await _answer(update)
    deliver_soon(context.application)
    text = t(lang, "inc.created", number=created.id)
    if created.points:
        text += t(lang, "inc.points_earned", points=created.points)
    markup = ui.keyboard([[ui.button(t(lang, "inc.btn.list"), PREFIX, "list", 0), *[ui.menu_button(lang)]]])
    await ui.show(update, text, markup)
    return END


async def on_new_anyway(update: Update, context: Ctx) -> int:
    return await _create(update, context)


async def on_same(update: Update, context: Ctx) -> int | None:
    lang = lang_of(update, context)
    number = ui.to_int(ui.parts(update.callback_query.data)[-1])
    if number is None:
        await update.callback_query.answer(t(lang, "inc.stale_step"), show_alert=True)
        return None
    try:
        await _call(update, context, svc.join_incident, number, context.rt.now())
    except InvalidInput as error:
        if error.reason == "closed":
            await update.callback_query.answer(t(lang, "inc.join.closed", number=number), show_alert=True)
        else:
            await _refuse(update, lang, error, number)
        return None  # stay on the choice: another incident, or "it's another problem"
    except (NotFound, NotAllowed) as error:
        await _refuse(update, lang, error)
        return None
    await update.callback_query.answer()
    markup = ui.keyboard([[ui.button(t(lang, "inc.btn.list"), PREFIX, "list", 0), *[ui.menu_button(lang)]]])
    await ui.show(update, t(lang, "inc.joined", number=number), markup)
    return END


async def on_mine_already(update: Update, context: Ctx) -> int:
    """The resident recognised their own earlier report: nothing new is filed."""
    lang = lang_of(update, context)
    number = ui.to_int(ui.parts(update.callback_query.data)[-1])
    await _answer(update)
    if number is None:
        await ui.show(update, t(lang, "cancel.done"), ui.menu_markup(lang))
        return END
    markup = ui.keyboard(
        [[ui.button(t(lang, "inc.btn.back_incident", number=number), PREFIX, "open", number), ui.menu_button(lang)]]
    )
    await ui.show(update, t(lang, "inc.not_filed_twice", number=number), markup)
    return END


async def on_stop(update: Update, context: Ctx) -> int:
    await _answer(update)
    lang = lang_of(update, context)
    await ui.show(update, t(lang, "cancel.done"), ui.keyboard([[ui.menu_button(lang)]]))
    return END


async def stale_step(update: Update, context: Ctx) -> None:
    """A button of an earlier step: say so, and stay where the flow is."""
    await update.callback_query.answer(t(lang_of(update, context), "inc.stale_step"), show_alert=True)


async def already_reporting(update: Update, context: Ctx) -> None:
    await update.callback_query.answer(t(lang_of(update, context), "inc.already_reporting"), show_alert=True)


def report_conversation() -> BaseHandler[Update, Ctx, Any]:
    text = TYPED

    def on(pattern: str, callback: Callable[..., Any]) -> CallbackQueryHandler[Ctx, Any]:
        return CallbackQueryHandler(callback, pattern=rf"^inc:r:{pattern}$")

    buttons_only = wrong_type("flow.use_buttons")
    return conversation(
        FLOW,
        entry_points=[
            CommandHandler(["signaler", "report"], report_start, filters=PRIVATE),
            CallbackQueryHandler(report_start, pattern=r"^(menu:report|inc:report)$"),
            CallbackQueryHandler(ai_report_start, pattern=r"^ai:inc:\d+(:[\w-]+){0,3}$"),
        ],
        states={
            Step.CATEGORY: [on(r"cat:\w+", on_category), buttons_only],
            Step.PLACE: [
                on(r"pl:\w+", on_place_button),
                MessageHandler(text, on_place_text),
                wrong_type("inc.place.expected"),
            ],
            Step.DESCRIPTION: [MessageHandler(text, on_description), wrong_type()],
            Step.URGENCY: [on(r"urg:\w+", on_urgency), buttons_only],
            Step.PHOTOS: [
                MessageHandler(PHOTO_INPUT, on_report_photo),
                on("(skip|done)", on_photos_done),
                wrong_type("inc.photo.wrong_type"),
            ],
            Step.SUMMARY: [on("ok", on_confirm), on("edit", on_edit), buttons_only],
            Step.EDIT: [on(r"ed:\w+", on_edit_choice), on("back", on_back_to_summary), buttons_only],
            Step.SIMILAR: [
                on(r"same:\d+", on_same),
                on(r"mine:\d+", on_mine_already),
                on("new", on_new_anyway),
                buttons_only,
            ],
        },
        fallbacks=[
            on("stop", on_stop),
            CallbackQueryHandler(stale_step, pattern=r"^inc:r:"),
            CallbackQueryHandler(already_reporting, pattern=r"^(menu:report|inc:report|ai:inc:.*)$"),
        ],
    )


# --- adding a comment or a photo to an incident ------------------------------------------------


async def note_start(update: Update, context: Ctx) -> int:
    query = update.callback_query
    lang = lang_of(update, context)
    action, raw = ui.parts(query.data)[1:3]
    number = ui.to_int(raw)
    if number is None:
        await query.answer(t(lang, "inc.err.not_found"), show_alert=True)
        return END
    try:
        detail = await _call(update, context, svc.incident_detail, number)
    except DomainError as error:
        await _refuse(update, lang, error)
        return END
    allowed = detail.can_comment if action == "com" else detail.can_add_photo
    if not allowed:
        if not detail.is_open:
            error: DomainError = InvalidInput("incident", "closed", status=detail.status.value)
        elif action == "pho" and detail.can_comment:
            error = InvalidInput("photo", "too_many", max=svc.MAX_INCIDENT_PHOTOS)
        else:
            error = NotAllowed("not involved")
        await _refuse(update, lang, error)
        return END
    await query.answer()
    draft(context, NOTE_FLOW).update(id=number)
    markup = ui.keyboard([[ui.button(t(lang, "btn.cancel"), PREFIX, "n", "stop")]])
    if action == "com":
        text = t(lang, "inc.ask.comment", number=number, min=svc.COMMENT_MIN, max=svc.COMMENT_MAX)
        await update.effective_chat.send_message(text, reply_markup=markup)
        return Note.COMMENT
    await update.effective_chat.send_message(t(lang, "inc.ask.photo", number=number), reply_markup=markup)
    return Note.PHOTO


def _back_to(lang: str, number: int) -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(t(lang, "inc.btn.back_incident", number=number), PREFIX, "open", number)]])


async def on_comment(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    number = int(draft(context, NOTE_FLOW)["id"])
    try:
        svc.check_comment(update.message.text)
        await _call(update, context, svc.add_comment, number, update.message.text, context.rt.now())
    except InvalidInput as error:
        if error.field == "comment":
            await update.message.reply_text(length_error(lang, error))
            return Note.COMMENT
        await _refuse(update, lang, error)
        return END
    except (NotFound, NotAllowed) as error:
        await _refuse(update, lang, error)
        return END
    deliver_soon(context.application)
    await update.message.reply_text(t(lang, "inc.comment.done", number=number), reply_markup=_back_to(lang, number))
    return END


async def on_note_photo(update: Update, context: Ctx) -> int:
    lang = lang_of(update, context)
    number = int(draft(context, NOTE_FLOW)["id"])
    info = _photo_of(update.message)
    try:
        if info is None:
            raise InvalidInput("photo", "not_image")
        svc.check_photo(info["size"], info["mime"])
        upload = await _download(context, info)
    except InvalidInput as error:
        await update.message.reply_text(_error_text(lang, error))
        return Note.PHOTO
    try:
        await _call(update, context, svc.add_photo, number, upload, context.rt.now())
    except DomainError as error:
        await _refuse(update, lang, error)
        return END
    deliver_soon(context.application)
    await update.message.reply_text(t(lang, "inc.photo.added", number=number), reply_markup=_back_to(lang, number))
    return END


async def note_busy(update: Update, context: Ctx) -> None:
    await update.callback_query.answer(t(lang_of(update, context), "inc.note.busy"), show_alert=True)


def note_conversation() -> BaseHandler[Update, Ctx, Any]:
    text = TYPED
    return conversation(
        NOTE_FLOW,
        entry_points=[CallbackQueryHandler(note_start, pattern=r"^inc:(com|pho):\d+$")],
        states={
            Note.COMMENT: [MessageHandler(text, on_comment), wrong_type()],
            Note.PHOTO: [MessageHandler(PHOTO_INPUT, on_note_photo), wrong_type("inc.photo.wrong_type_add")],
        },
        fallbacks=[
            CallbackQueryHandler(on_stop, pattern=r"^inc:n:stop$"),
            CallbackQueryHandler(note_busy, pattern=r"^inc:(com|pho):"),
        ],
    )


# --- /incidents: list, details, history, photos, withdraw, leave, rate -------------------------


def render_list(page: svc.IncidentPage, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    if not page.items and page.page == 0:
        markup = ui.keyboard([[ui.button(t(lang, "inc.btn.report"), PREFIX, "report")], [ui.menu_button(lang)]])
        return t(lang, "inc.list.empty"), markup
    lines = [t(lang, "inc.list.title", total=page.total)]
    buttons = []
    for item in page.items:
        category = _label(lang, f"inc.cat.{item.category.value}")
        lines.append(
            t(
                lang,
                "inc.list.line",
                number=item.id,
                category=category,
                status=_label(lang, f"inc.status.{item.status.value}"),
                date=fmt_datetime(item.created_at, lang, tz),
                following=_label(lang, "inc.list.following") if item.following else "",
            )
        )
        buttons.append(ui.button(t(lang, "inc.btn.open", number=item.id, category=category), PREFIX, "open", item.id))
    lines.append(t(lang, "inc.list.prompt"))
    rows = [[b] for b in buttons]
    rows.append(page_buttons(lang, (PREFIX, "list"), page.page, page.has_next))
    rows.append([ui.menu_button(lang)])
    return "\n".join(lines), ui.keyboard(rows)


def _who(lang: str, entry: HistoryEntry) -> str:
    if entry.mine:
        return _label(lang, "inc.h.you")
    if entry.actor_is_staff and entry.actor_name:
        return Raw(t(lang, "inc.h.staff", name=entry.actor_name))
    return entry.actor_name or _label(lang, "inc.h.someone")


def render_entry(entry: HistoryEntry, lang: str, tz: str, limit: int) -> str | None:
    """One line of public history in the reader's language (internal notes never reach here)."""
    date = fmt_datetime(entry.at, lang, tz)
    text = _short(entry.text or "", limit)
    if entry.kind == HistoryKind.CREATED:
        return t(lang, "inc.h.created", date=date)
    if entry.kind == HistoryKind.STATUS:
        line = t(
            lang,
            "inc.h.status",
            date=date,
            from_status=_label(lang, f"inc.status.{entry.from_status.value}") if entry.from_status else "—",
            to_status=_label(lang, f"inc.status.{entry.to_status.value}") if entry.to_status else "—",
        )
        return line + (t(lang, "inc.h.reason", text=text) if text else "")
    if entry.kind == HistoryKind.COMMENT:
        return t(lang, "inc.h.comment", date=date, who=_who(lang, entry), text=text)
    if entry.kind == HistoryKind.PHOTO:
        return t(lang, "inc.h.photo", date=date, who=_who(lang, entry))
    if entry.kind == HistoryKind.JOINED:
        return t(lang, "inc.h.joined_mine" if entry.mine else "inc.h.joined", date=date)
    if entry.kind == HistoryKind.ASSIGNED:
        return t(lang, "inc.h.assigned", date=date)
    if entry.kind == HistoryKind.RATED:
        return t(lang, "inc.h.rated", date=date, text=text)
    return None  # NOTE: managers only


def render_detail(detail: IncidentDetail, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    number = detail.id
    text = t(
        lang,
        "inc.detail",
        number=number,
        category=_label(lang, f"inc.cat.{detail.category.value}"),
        status=_label(lang, f"inc.status.{detail.status.value}"),
        place=place_label(lang, detail.location),
        urgency=_label(lang, f"inc.urg.{detail.urgency.value}"),
        date=fmt_datetime(detail.created_at, lang, tz),
        photos=detail.photo_count,
        description=detail.description,
    )
    if detail.is_follower and not detail.is_reporter:
        text += t(lang, "inc.detail.following")
    if detail.rejection_reason:
        text += t(lang, "inc.detail.rejected", reason=_short(detail.rejection_reason, 500))
    if detail.rating is not None:
        text += t(lang, "inc.detail.rating", rating=detail.rating)
    lines = [line for e in detail.history if (line := render_entry(e, lang, tz, SHORT_IN_DETAIL))]
    if lines:
        text += t(lang, "inc.detail.history")
        if detail.history_total > len(detail.history):
            text += t(lang, "inc.detail.older", count=detail.history_total - len(detail.history))
        text += "\n" + "\n".join(lines)
    if detail.can_rate:
        text += t(lang, "inc.detail.rate_prompt")

    rows: list[list[InlineKeyboardButton]] = []
    if detail.can_rate:
        rows.append([ui.button(t(lang, "inc.btn.stars", rating=n), PREFIX, "rate", number, n) for n in range(1, 6)])
    if detail.can_comment:
        rows.append([ui.button(t(lang, "inc.btn.comment"), PREFIX, "com", number)])
    if detail.can_add_photo:
        rows.append([ui.button(t(lang, "inc.btn.photo"), PREFIX, "pho", number)])
    if detail.photo_count:
        rows.append([ui.button(t(lang, "inc.btn.photos", count=detail.photo_count), PREFIX, "pics", number)])
    rows.append([ui.button(t(lang, "inc.btn.history"), PREFIX, "hist", number, 0)])
    if detail.can_withdraw:
        rows.append([ui.button(t(lang, "inc.btn.withdraw"), PREFIX, "wd", number)])
    if detail.can_leave:
        rows.append([ui.button(t(lang, "inc.btn.leave"), PREFIX, "leave", number)])
    rows.append([ui.button(t(lang, "inc.btn.list"), PREFIX, "list", 0), *[ui.menu_button(lang)]])
    return text, ui.keyboard(rows)


def render_history(page: svc.HistoryPage, lang: str, tz: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [line for e in page.entries if (line := render_entry(e, lang, tz, MAX_ENTRY))]
    body = "\n\n".join(lines) if lines else t(lang, "inc.history.empty")
    text = t(lang, "inc.history.title", number=page.incident_id) + "\n" + body
    rows = [
        page_buttons(lang, (PREFIX, "hist", page.incident_id), page.page, page.has_next),
        [ui.button(t(lang, "inc.btn.back_incident", number=page.incident_id), PREFIX, "open", page.incident_id)],
    ]
    return text, ui.keyboard(rows)


async def list_command(update: Update, context: Ctx) -> None:
    """/incidents: my incidents; for a manager, the residence's desk ("Mes incidents" stays theirs)."""
    me = await current_user(update, context)
    if me is not None and me.is_staff and update.callback_query is None:
        from handlers import desk  # the desk builds on this module's helpers

        await desk.open_desk(update, context, me)
        return
    await _answer(update)
    if me is None:
        return
    page = await context.rt.db(svc.list_incidents, me, 0)
    text, markup = render_list(page, me.language, _tz(context, me))
    await update.effective_chat.send_message(text, reply_markup=markup)


async def _show_detail(update: Update, context: Ctx, me: Me, number: int) -> None:
    detail = await context.rt.db(svc.incident_detail, me, number)
    await ui.show(update, *render_detail(detail, me.language, _tz(context, me)))


async def on_button(update: Update, context: Ctx) -> None:
    """Every `inc:<action>:<id>...` button outside the two conversations."""
    query = update.callback_query
    me = await current_user(update, context)
    if me is None:
        await query.answer()
        return
    lang, tz, now = me.language, _tz(context, me), context.rt.now()
    data = ui.parts(query.data)
    action, args = data[1], [ui.to_int(p) for p in data[2:]]
    if not args or any(a is None for a in args):
        await query.answer(t(lang, "inc.err.not_found"), show_alert=True)
        return
    number = int(args[0] or 0)
    try:
        if action == "list":
            await query.answer()
            page = await context.rt.db(svc.list_incidents, me, number)
            await ui.show(update, *render_list(page, lang, tz))
        elif action == "open":
            await _show_detail(update, context, me, number)
            await query.answer()
        elif action == "hist":
            page = await context.rt.db(svc.history_page, me, number, int(args[1] or 0) if len(args) > 1 else 0)
            await ui.show(update, *render_history(page, lang, tz))
            await query.answer()
        elif action == "pics":
            await _send_photos(update, context, me, number)
        elif action == "wd":
            detail = await context.rt.db(svc.incident_detail, me, number)
            if not detail.can_withdraw:
                raise (
                    NotAllowed("not the reporter")
                    if detail.is_open
                    else InvalidInput("incident", "closed", status=detail.status.value)
                )
            await query.answer()
            text = t(
                lang,
                "inc.withdraw.confirm",
                number=number,
                category=_label(lang, f"inc.cat.{detail.category.value}"),
            )
            markup = ui.keyboard(
                [
                    [
                        ui.button(t(lang, "inc.btn.withdraw_yes"), PREFIX, "wdy", number),
                        ui.button(t(lang, "inc.btn.withdraw_no"), PREFIX, "open", number),
                    ]
                ]
            )
            await ui.show(update, text, markup)
        elif action == "wdy":
            await context.rt.db(svc.withdraw, me, number, now)
            deliver_soon(context.application)
            await query.answer()
            await ui.show(update, t(lang, "inc.withdrawn", number=number), _back_to(lang, number))
        elif action == "leave":
            await context.rt.db(svc.leave, me, number, now)
            await query.answer()
            markup = ui.keyboard([[ui.button(t(lang, "inc.btn.list"), PREFIX, "list", 0), *[ui.menu_button(lang)]]])
            await ui.show(update, t(lang, "inc.left", number=number), markup)
        elif action == "rate" and len(args) == 2:
            rated = await context.rt.db(svc.rate, me, number, int(args[1] or 0), now)
            await query.answer()
            text = t(lang, "inc.rated", number=number, rating=rated.rating)
            if rated.points:
                text += t(lang, "inc.points_earned", points=rated.points)
            await ui.show(update, text, _back_to(lang, number))
        else:
            await query.answer(t(lang, "inc.err.not_found"), show_alert=True)
    except DomainError as error:
        await _refuse(update, lang, error)


async def _send_photos(update: Update, context: Ctx, me: Me, number: int) -> None:
    """Photos go again by their Telegram file id; the stored bytes are the fallback."""
    refs = await context.rt.db(svc.incident_photos, me, number)
    await update.callback_query.answer()
    chat = update.effective_chat
    for index, ref in enumerate(refs, 1):
        caption = t(me.language, "inc.photo.caption", number=number, index=index, count=len(refs))
        media: Any = ref.telegram_file_id
        if media is None:
            _, media = await context.rt.db(files.load, ref.stored_file_id)
        if ref.is_document:
            await chat.send_document(media, caption=caption)
        else:
            await chat.send_photo(media, caption=caption)


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    return [
        report_conversation(),
        note_conversation(),
        CommandHandler("incidents", list_command, filters=PRIVATE),
        CallbackQueryHandler(list_command, pattern=r"^menu:incidents$"),
        CallbackQueryHandler(on_button, pattern=r"^inc:(list|open|hist|pics|wd|wdy|leave|rate)(:|$)"),
    ]


__all__ = ["handlers", "place_label", "render_detail", "render_list"]
