"""Booking and event reminders as residents get them: time is moved, the tick runs, the outbox sends."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.scheduler import run_tick
from models import OutboxMessage, Reservation, ReservationStatus, User
from models.db import unit_of_work
from services.scheduler import TickReport
from tests.conftest import Clock, make_settings
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

PARIS = ZoneInfo("Europe/Paris")
TOMORROW = date(2026, 11, 25)  # the tests start on Tuesday 24 November 2026, 10:00 in Paris
AT_15 = "Laverie commence mercredi 25 novembre à 15:00"


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS).astimezone(UTC)


def db(bot: BotHarness) -> Any:
    return unit_of_work(bot.app.bot_data["lba.runtime"].sessions)  # type: ignore[union-attr]


async def signed(bot: BotHarness, uid: int, email: str, name: str, **kwargs: Any) -> TgUser:
    user = bot.user(uid, name, **kwargs)
    await sign_in(user, email)
    return user


async def book_laundry(user: TgUser, slot: str = "15:00 (3)", day: str = "mer. 25/11") -> None:
    await user.send("/reserver")
    await user.press("Laverie")
    await user.press(day)
    await user.press(slot)
    await user.press("1 h")
    await user.press("✅ Confirmer")


async def at(bot: BotHarness, when: datetime) -> TickReport:
    """Move the clock to `when`, run the scheduler's tick as the job would, and send what is due."""
    assert when >= bot.clock(), "time only moves forward"
    bot.clock.current = when
    report = await run_tick(bot.app)  # type: ignore[arg-type]
    await bot.deliver()
    return report


def about(user: TgUser, needle: str) -> list[str]:
    return [text for text in user.texts() if needle in text]


def status_of(bot: BotHarness, email: str, start: datetime) -> ReservationStatus | None:
    with db(bot) as s:
        return s.scalar(
            sa.select(Reservation.status)
            .join(User, User.id == Reservation.user_id)
            .where(User.email == email, Reservation.start_at == start)
            .order_by(Reservation.id.desc())
        )


# --- the happy path -------------------------------------------------------------------------------------


async def test_a_booking_for_tomorrow_is_reminded_a_day_and_an_hour_before_with_working_buttons(
    bot: BotHarness,
) -> None:
    jeanne = await signed(bot, 801, "resident1@lba.demo", "Jeanne")
    await book_laundry(jeanne)
    await at(bot, bot.clock())
    await at(bot, paris(date(2026, 11, 24), 14, 52))  # queued for 15:00, not sent before
    assert about(jeanne, AT_15 + ".") == []
    await at(bot, paris(date(2026, 11, 24), 15))
    assert about(jeanne, "Rappel : votre réservation " + AT_15) != []
    assert jeanne.last.text == "⏰ Rappel : votre réservation Laverie commence mercredi 25 novembre à 15:00."
    assert [label for row in jeanne.emu.buttons() for label, _ in row] == ["✖️ Annuler la réservation", "🏠 Menu"]
    day_before = jeanne.last
    await at(bot, paris(TOMORROW, 13, 50))
    await at(bot, paris(TOMORROW, 14))  # the hour before
    assert len(about(jeanne, "Rappel : votre réservation " + AT_15)) == 2
    reminder = jeanne.last
    reminder_buttons = jeanne.emu.buttons(reminder)
    # "Menu" opens the dashboard; "Annuler la réservation" cancels it, after the usual question.
    replies = await jeanne.press("🏠 Menu", message_id=day_before.message_id)
    assert "🗓 Mes réservations" in [label for row in replies[-1].buttons for label, _ in row]
    replies = await jeanne.press("✖️ Annuler la réservation", message_id=reminder.message_id)
    assert "Annuler" in replies[-1].text or "annuler" in replies[-1].text
    replies = await jeanne.press("Oui, annuler")
    assert "Réservation annulée" in replies[-1].text
    assert status_of(bot, "resident1@lba.demo", paris(TOMORROW, 15)) == ReservationStatus.CANCELLED
    # The same button pressed again (another copy of the reminder, say) now answers politely.
    data = dict(sum(reminder_buttons, []))["✖️ Annuler la réservation"]
    jeanne.emu.press_data(data, message_id=reminder.message_id)
    await bot.deliver()
    assert "déjà annulée" in jeanne.last.text
    assert bot.refused() == []


async def test_english_for_a_user_who_chose_english(bot: BotHarness) -> None:
    john = await signed(bot, 802, "resident1@lba.demo", "John", language_code="en")
    await john.send("/book")
    await john.press("Laverie")
    await john.press("Wed 25/11")
    await john.press("15:00 (3)")
    await john.press("1 h")
    await john.press("✅ Confirm")
    await at(bot, bot.clock())
    await at(bot, paris(TOMORROW, 13, 55))
    await at(bot, paris(TOMORROW, 14))
    assert john.last.text == "⏰ Reminder: your booking of Laverie starts Wednesday 25 November at 15:00."
    assert [label for row in john.emu.buttons() for label, _ in row] == ["✖️ Cancel the booking", "🏠 Menu"]
    assert bot.refused() == []


# --- settings and choices ------------------------------------------------------------------------------


@pytest.fixture
async def bot_30(engine: Engine, clock: Clock, demo: dict[str, int]) -> AsyncIterator[BotHarness]:
    """A deployment with REMINDER_LEAD_MINUTES=30: one reminder, half an hour before."""
    harness = BotHarness(dataclasses.replace(make_settings(), reminder_lead_minutes=(30,)), engine, clock)
    await harness.start()
    yield harness
    await harness.stop()


async def test_the_deployment_s_lead_times_are_used(bot_30: BotHarness) -> None:
    bot = bot_30
    jeanne = await signed(bot, 803, "resident1@lba.demo", "Jeanne")
    await book_laundry(jeanne)
    for moment in (bot.clock(), paris(date(2026, 11, 24), 15), paris(TOMORROW, 14), paris(TOMORROW, 14, 25)):
        await at(bot, moment)
    assert about(jeanne, AT_15 + ".") == []
    await at(bot, paris(TOMORROW, 14, 30))
    assert len(about(jeanne, AT_15 + ".")) == 1
    assert bot.refused() == []


async def test_reminders_switched_off_in_the_account_are_not_sent(bot: BotHarness) -> None:
    jeanne = await signed(bot, 804, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/compte")
    await jeanne.press("🔕 Couper les rappels")
    await book_laundry(jeanne)
    for moment in (bot.clock(), paris(date(2026, 11, 24), 15), paris(TOMORROW, 13, 55), paris(TOMORROW, 14)):
        await at(bot, moment)
    assert about(jeanne, "Rappel :") == []
    assert bot.refused() == []


async def test_cancelling_just_before_the_reminder_means_it_is_never_sent(bot: BotHarness) -> None:
    jeanne = await signed(bot, 805, "resident1@lba.demo", "Jeanne")
    await book_laundry(jeanne)
    await at(bot, paris(date(2026, 11, 24), 16))
    await at(bot, paris(TOMORROW, 13, 55))  # the hour-before reminder is queued for 14:00
    with db(bot) as s:
        assert s.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "booking_reminder"))
    bot.clock.advance(minutes=3)
    await jeanne.send("/reservations")
    await jeanne.press("✖️ Annuler n°1")
    await jeanne.press("Oui, annuler")
    await at(bot, paris(TOMORROW, 14))
    assert len(about(jeanne, AT_15 + ".")) == 1  # the day-before one only
    assert bot.refused() == []


async def test_a_moved_booking_is_reminded_at_its_new_time_only(bot: BotHarness) -> None:
    jeanne = await signed(bot, 806, "resident1@lba.demo", "Jeanne")
    await book_laundry(jeanne)
    await at(bot, bot.clock())
    await jeanne.send("/reservations")
    await jeanne.press("✖️ Annuler n°1")
    await jeanne.press("Oui, annuler")
    await book_laundry(jeanne, "17:00 (3)")  # moved: cancelled, booked again two hours later
    for hour in (15, 17):
        await at(bot, paris(date(2026, 11, 24), hour))
    for hour, minute in ((13, 55), (14, 0), (15, 55), (16, 0)):
        await at(bot, paris(TOMORROW, hour, minute))
    assert about(jeanne, AT_15) == []
    assert len(about(jeanne, "Laverie commence mercredi 25 novembre à 17:00.")) == 2
    assert bot.refused() == []


# --- restarts and downtime ----------------------------------------------------------------------------


async def test_a_restart_between_queuing_and_sending_loses_nothing_and_sends_once(bot: BotHarness) -> None:
    jeanne = await signed(bot, 807, "resident1@lba.demo", "Jeanne")
    await book_laundry(jeanne)
    await at(bot, paris(date(2026, 11, 24), 16))
    await at(bot, paris(TOMORROW, 13, 55))
    await bot.restart()
    await at(bot, paris(TOMORROW, 14))
    await bot.restart()
    await at(bot, paris(TOMORROW, 14, 1))
    assert len(about(jeanne, AT_15 + ".")) == 2  # a day before, an hour before: each once
    assert bot.refused() == []


async def test_a_reminder_due_while_the_bot_was_down_is_sent_once_if_the_booking_has_not_started(
    bot: BotHarness,
) -> None:
    jeanne = await signed(bot, 808, "resident1@lba.demo", "Jeanne")
    await book_laundry(jeanne)
    await at(bot, paris(date(2026, 11, 24), 16))
    await bot.stop()
    bot.clock.current = paris(TOMORROW, 14, 30)  # down across the hour-before reminder
    await bot.start()
    report = await at(bot, bot.clock())
    assert report.queued["booking_reminder"] >= 1
    await at(bot, paris(TOMORROW, 14, 31))
    assert len(about(jeanne, AT_15 + ".")) == 2
    assert bot.refused() == []


async def test_a_reminder_due_while_the_bot_was_down_is_skipped_if_the_booking_has_started(
    bot: BotHarness,
) -> None:
    jeanne = await signed(bot, 809, "resident1@lba.demo", "Jeanne")
    await book_laundry(jeanne)
    await at(bot, paris(date(2026, 11, 24), 16))
    await bot.stop()
    bot.clock.current = paris(TOMORROW, 15, 10)  # back after the start
    await bot.start()
    report = await at(bot, bot.clock())
    assert report.skipped["booking_reminder"] >= 1
    assert len(about(jeanne, AT_15 + ".")) == 1  # only the day-before one, sent before the stop
    assert bot.refused() == []


# --- other residents -------------------------------------------------------------------------------------


async def test_another_resident_cannot_cancel_through_a_forged_reminder_button(bot: BotHarness) -> None:
    jeanne = await signed(bot, 810, "resident1@lba.demo", "Jeanne")
    marcel = await signed(bot, 811, "resident2@lba.demo", "Marcel")
    await book_laundry(jeanne)
    with db(bot) as s:
        booking = s.scalar(sa.select(Reservation.id).where(Reservation.start_at == paris(TOMORROW, 15)))
    await marcel.send("/menu")
    marcel.emu.press_data(f"bk:cx:{booking}", message_id=marcel.last.message_id)
    await bot.deliver()
    assert "ne vous concerne pas" in marcel.last.text
    marcel.emu.press_data(f"bk:cxy:{booking}", message_id=marcel.last.message_id)
    await bot.deliver()
    assert status_of(bot, "resident1@lba.demo", paris(TOMORROW, 15)) == ReservationStatus.CONFIRMED
    # And Marcel is never reminded of Jeanne's booking.
    await at(bot, paris(TOMORROW, 13, 55))
    await at(bot, paris(TOMORROW, 14))
    assert about(marcel, AT_15) == [] and len(about(jeanne, AT_15 + ".")) >= 1
    assert bot.refused() == []


# --- event reminders --------------------------------------------------------------------------------------


async def test_event_participants_are_reminded_the_day_before_and_two_hours_before(bot: BotHarness) -> None:
    jeanne = await signed(bot, 812, "resident1@lba.demo", "Jeanne")
    marcel = await signed(bot, 813, "resident2@lba.demo", "Marcel", language_code="en")
    with db(bot) as s:
        s.execute(sa.update(User).where(User.email == "resident2@lba.demo").values(language="en"))
    loto = "Loto de l'automne"  # Friday 27 November 15:00, both registered (demo data)
    await at(bot, bot.clock())
    await at(bot, paris(date(2026, 11, 26), 14, 55))
    await at(bot, paris(date(2026, 11, 26), 15))
    assert about(jeanne, f"Rappel : {loto} commence vendredi 27 novembre à 15:00.") != []
    assert about(marcel, f"Reminder: {loto} starts Friday 27 November at 15:00.") != []
    reminder = jeanne.last
    assert "Salle commune" in reminder.text
    replies = await jeanne.press("🎉 Voir l'événement", message_id=reminder.message_id)
    assert loto in replies[-1].text
    await at(bot, paris(date(2026, 11, 27), 12, 55))
    await at(bot, paris(date(2026, 11, 27), 13))
    assert len(about(jeanne, f"Rappel : {loto}")) == 2 and len(about(marcel, f"Reminder: {loto}")) == 2
    await at(bot, paris(date(2026, 11, 27), 16))
    assert len(about(jeanne, f"Rappel : {loto}")) == 2
    assert bot.refused() == []
