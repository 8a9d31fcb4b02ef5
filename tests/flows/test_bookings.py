"""Booking a space and cancelling it, as residents would, through the real Application."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.emulator.core import EmuMessage
from bot.scheduler import run_tick
from models import Reservation, ReservationSlot, ReservationStatus, Residence, Space, User
from models.db import unit_of_work
from services import bookings as svc
from services.people import me_of
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

PARIS = ZoneInfo("Europe/Paris")


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS).astimezone(UTC)


def db(bot: BotHarness) -> Any:
    return unit_of_work(bot.app.bot_data["lba.runtime"].sessions)  # type: ignore[union-attr]


def space_id(bot: BotHarness, name: str, city: str = "Lyon") -> int:
    with db(bot) as s:
        found = s.scalar(
            sa.select(Space.id)
            .join(Residence, Residence.id == Space.residence_id)
            .where(Space.name == name, Residence.city == city)
        )
        assert found is not None
        return int(found)


def bookings_of(bot: BotHarness, email: str) -> list[tuple[str, datetime, ReservationStatus]]:
    with db(bot) as s:
        rows = s.execute(
            sa.select(Space.name, Reservation.start_at, Reservation.status)
            .join(Space, Space.id == Reservation.space_id)
            .join(User, User.id == Reservation.user_id)
            .where(User.email == email)
            .order_by(Reservation.start_at)
        )
        return [(r.name, r.start_at, r.status) for r in rows]


def text(messages: list[EmuMessage]) -> str:
    return "\n".join(m.content for m in messages)


def labels(user: TgUser) -> list[str]:
    return [label for row in user.emu.buttons() for label, _ in row]


async def signed(bot: BotHarness, uid: int, email: str, name: str, **kwargs: Any) -> TgUser:
    user = bot.user(uid, name, **kwargs)
    await sign_in(user, email)
    return user


# --- the happy paths ---------------------------------------------------------------------------------


async def test_booking_the_laundry_from_the_command(bot: BotHarness) -> None:
    jeanne = await signed(bot, 701, "resident1@lba.demo", "Jeanne")
    replies = await jeanne.send("/reserver")
    assert "Quel espace" in replies[0].text and "3 machines" in replies[0].text
    assert labels(jeanne)[:4] == ["Salle commune", "Laverie", "Salle de sport", "Chambre d'amis"]

    replies = await jeanne.press("Laverie")
    assert "De 07:00 à 22:00" in replies[0].text and "3 places par créneau" in replies[0].text
    assert labels(jeanne)[:3] == ["mar. 24/11", "mer. 25/11", "jeu. 26/11"]

    replies = await jeanne.press("jeu. 26/11")
    assert "jeudi 26 novembre" in replies[0].text
    slot_labels = labels(jeanne)
    assert "10:00 (3)" not in slot_labels  # her own booking that day: never offered
    assert slot_labels[:4] == ["07:00 (3)", "08:00 (3)", "09:00 (3)", "11:00 (3)"]

    replies = await jeanne.press("11:00 (3)")
    assert "Pour combien de temps" in replies[0].text
    assert labels(jeanne)[:2] == ["1 h", "2 h"]

    replies = await jeanne.press("2 h")
    summary = replies[0].text
    assert "Récapitulatif" in summary and "jeudi 26 novembre à 11:00" in summary and "à 13:00" in summary
    assert "jusqu'au jeudi 26 novembre à 10:30" in summary

    replies = await jeanne.press("✅ Confirmer")
    assert "C'est réservé" in replies[0].text and "rappel" in replies[0].text
    document = replies[-1]
    assert document.kind == "document" and document.document_name and document.document_name.endswith(".ics")
    stored = bot.emu.file(document.document)
    assert stored is not None
    ics = stored.data.decode()
    assert "SUMMARY:Réservation — Laverie" in ics and "DTSTART;TZID=Europe/Paris:20261126T110000" in ics
    assert "LOCATION:12 rue de la République\\, 69002 Lyon" in ics

    booked = bookings_of(bot, "resident1@lba.demo")
    assert ("Laverie", paris(date(2026, 11, 26), 11), ReservationStatus.CONFIRMED) in booked
    # The flow is over: a typed text is no longer a date.
    assert "pas compris" in (await jeanne.send("demain"))[0].text
    assert bot.refused() == []


async def test_booking_the_gym_from_the_dashboard_button(bot: BotHarness) -> None:
    marcel = await signed(bot, 702, "resident2@lba.demo", "Marcel")
    replies = await marcel.press("📅 Réserver")
    assert "Quel espace" in replies[-1].text
    await marcel.press("Salle de sport")
    await marcel.press("jeu. 26/11")
    assert "(" not in "".join(labels(marcel)[:3])  # one unit: no free-places count
    replies = await marcel.press("10:00")
    # The gym allows one hour at most: no duration step.
    assert "Récapitulatif" in replies[0].text and "Durée : 1 h" in replies[0].text
    replies = await marcel.press("✅ Confirmer")
    assert "C'est réservé" in replies[0].text
    replies = await marcel.press("🗓 Mes réservations")
    listing = replies[0].text
    assert "Mes réservations à venir (2)" in listing
    assert "1. Salle de sport — mercredi 25 novembre à 09:00, 1 h" in listing
    assert "2. Salle de sport — jeudi 26 novembre à 10:00, 1 h" in listing
    assert bot.refused() == []


async def test_my_bookings_from_the_dashboard_and_the_command(bot: BotHarness) -> None:
    jeanne = await signed(bot, 703, "resident1@lba.demo", "Jeanne")
    replies = await jeanne.press("🗓 Mes réservations")
    assert "1. Laverie — jeudi 26 novembre à 10:00, 1 h" in replies[-1].text
    replies = await jeanne.send("/reservations")
    assert "Mes réservations à venir (1)" in replies[0].text
    assert labels(jeanne) == ["✖️ Annuler n°1", "📅 Réserver", "🏠 Menu"]
    replies = await jeanne.press("📅 Réserver")  # straight into the booking flow
    assert "Quel espace" in replies[-1].text
    assert bot.refused() == []


async def test_the_guest_room_is_booked_by_the_night_and_the_manager_is_told(bot: BotHarness) -> None:
    sophie = await signed(bot, 704, "manager@lba.demo", "Sophie")
    jeanne = await signed(bot, 705, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reserver")
    replies = await jeanne.press("Chambre d'amis")
    assert "À la nuitée, 3 nuits au plus" in replies[0].text
    # Tonight and tomorrow night are within the 24 h notice: shown as full.
    assert labels(jeanne)[:3] == ["mar. 24/11 ✖", "mer. 25/11 ✖", "jeu. 26/11"]
    replies = await jeanne.press("mar. 24/11 ✖")
    assert "Plus aucun créneau" in replies[0].text
    await jeanne.press("📆 Autre jour")
    replies = await jeanne.press("sam. 28/11")
    assert "Pour combien de nuits" in replies[0].text
    assert labels(jeanne)[:3] == ["1 nuit", "2 nuits", "3 nuits"]
    replies = await jeanne.press("2 nuits")
    assert "Arrivée : samedi 28 novembre" in replies[0].text and "Départ : lundi 30 novembre" in replies[0].text
    replies = await jeanne.press("✅ Confirmer")
    assert "du samedi 28 novembre au lundi 30 novembre, 2 nuits" in replies[0].text
    told = sophie.last.text
    assert "Jeanne Dupont (appartement A12) a réservé la Chambre d'amis du 28/11/2026 au 30/11/2026" in told
    # Cancelling (up to 48 h before) tells her too.
    await jeanne.send("/reservations")
    await jeanne.press("✖️ Annuler n°2")
    await jeanne.press("Oui, annuler")
    assert "a annulé sa réservation de la Chambre d'amis du 28/11/2026 au 30/11/2026" in sophie.last.text
    assert bot.refused() == []


async def test_a_reminder_arrives_an_hour_before(bot: BotHarness) -> None:
    jeanne = await signed(bot, 706, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reserver")
    await jeanne.press("Laverie")
    await jeanne.press("mer. 25/11")
    await jeanne.press("15:00 (3)")
    await jeanne.press("1 h")
    await jeanne.press("✅ Confirmer")
    bot.clock.advance(hours=27, minutes=40)  # Wednesday 13:40 in Paris: not yet
    await run_tick(bot.app)
    await bot.deliver()
    assert "mercredi 25 novembre à 15:00" not in jeanne.last.text
    bot.clock.advance(minutes=15)  # 13:55: the tick queues it for 14:00 ...
    await run_tick(bot.app)
    await bot.deliver()
    assert "mercredi 25 novembre à 15:00" not in jeanne.last.text
    bot.clock.advance(minutes=5)  # ... and it leaves at 14:00
    await bot.deliver()
    assert "Rappel : votre réservation Laverie commence mercredi 25 novembre à 15:00" in jeanne.last.text
    assert bot.refused() == []


async def test_english_for_a_user_who_chose_english(bot: BotHarness) -> None:
    john = await signed(bot, 707, "resident1@lba.demo", "John", language_code="en")
    replies = await john.send("/book")
    assert "Which space" in replies[0].text
    replies = await john.press("Laverie")
    assert "From 07:00 to 22:00" in replies[0].text and "Choose a day" in replies[0].text
    assert labels(john)[:2] == ["Tue 24/11", "Wed 25/11"]
    replies = await john.send("the 32nd")
    assert "I did not understand that date" in replies[0].text
    replies = await john.send("tomorrow")
    assert "Wednesday 25 November" in replies[0].text
    await john.press("12:00 (3)")
    replies = await john.press("1 h")
    assert "Shall I book it?" in replies[0].text and "Wednesday 25 November at 12:00" in replies[0].text
    replies = await john.press("✅ Confirm")
    assert "Booked!" in replies[0].text
    stored = bot.emu.file(replies[-1].document)
    assert stored is not None and "SUMMARY:Booking — Laverie" in stored.data.decode()
    replies = await john.send("/bookings")
    assert "My upcoming bookings (2)" in replies[0].text
    await john.press("✖️ Cancel no. 2")
    replies = await john.press("Yes, cancel it")
    assert "Booking cancelled" in replies[0].text
    assert bot.refused() == []


# --- every step re-asks --------------------------------------------------------------------------------


async def test_typed_days_and_their_re_asks(bot: BotHarness) -> None:
    jeanne = await signed(bot, 708, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reserver")
    await jeanne.press("Laverie")
    assert "Je n'ai pas compris cette date" in (await jeanne.send("la semaine des quatre jeudis"))[0].text
    assert "déjà passé" in (await jeanne.send("20/11"))[0].text
    too_far = (await jeanne.send("25/12/2026"))[0].text
    assert "trop loin" in too_far and "7 jours" in too_far and "mardi 1 décembre" in too_far
    assert "écrivez une date" in (await jeanne.send_sticker())[0].text
    assert "au milieu d'une démarche" in (await jeanne.send("/menu"))[0].text
    replies = await jeanne.send("demain")
    assert "mercredi 25 novembre" in replies[0].text and "11:00 (3)" in labels(jeanne)
    replies = await jeanne.send("2026-11-27")  # the slot step wants a button, not a date
    assert "choisissez avec les boutons" in replies[0].text.lower()
    await jeanne.press("📆 Autre jour")
    replies = await jeanne.send("Vendredi")
    assert "vendredi 27 novembre" in replies[0].text
    assert bot.refused() == []


async def test_button_steps_refuse_text_and_stickers(bot: BotHarness) -> None:
    jeanne = await signed(bot, 709, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reserver")
    assert "Choisissez avec les boutons" in (await jeanne.send("la laverie"))[0].text
    assert "Choisissez avec les boutons" in (await jeanne.send_sticker())[0].text
    await jeanne.press("Salle de sport")
    await jeanne.press("jeu. 26/11")
    assert "Choisissez avec les boutons" in (await jeanne.send("10h"))[0].text
    await jeanne.press("10:00")
    assert "Choisissez avec les boutons" in (await jeanne.send("oui"))[0].text
    assert bot.refused() == []


async def test_day_pages_and_going_back(bot: BotHarness) -> None:
    jeanne = await signed(bot, 710, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reserver")
    await jeanne.press("Laverie")
    replies = await jeanne.press("Suivant ▶️")
    assert labels(jeanne)[0] == "mar. 01/12" and "◀️ Précédent" in labels(jeanne)
    await jeanne.press("◀️ Précédent")
    assert labels(jeanne)[0] == "mar. 24/11"
    replies = await jeanne.press("⬅️ Autre espace")
    assert "Quel espace" in replies[0].text
    await jeanne.press("Salle commune")
    await jeanne.press("sam. 28/11")
    replies = await jeanne.press("14:00")
    assert labels(jeanne)[:4] == ["1 h", "2 h", "3 h", "4 h"]
    replies = await jeanne.press("⬅️ Autre créneau")
    assert "samedi 28 novembre" in replies[0].text
    replies = await jeanne.press("✖️ Annuler")
    assert "c'est annulé" in replies[0].text
    assert bot.refused() == []


async def test_annuler_mid_flow(bot: BotHarness) -> None:
    jeanne = await signed(bot, 711, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reserver")
    await jeanne.press("Laverie")
    assert "c'est annulé" in (await jeanne.send("/annuler"))[0].text
    assert "pas compris" in (await jeanne.send("demain"))[0].text
    assert len(bookings_of(bot, "resident1@lba.demo")) == 1
    assert bot.refused() == []


async def test_the_flow_survives_a_restart(bot: BotHarness) -> None:
    jeanne = await signed(bot, 712, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reserver")
    await jeanne.press("Laverie")
    await bot.restart()
    replies = await jeanne.send("demain")
    assert "mercredi 25 novembre" in replies[0].text
    assert bot.refused() == []


async def test_the_dashboard_button_mid_flow_starts_again(bot: BotHarness) -> None:
    jeanne = await signed(bot, 713, "resident1@lba.demo", "Jeanne")
    dashboard = jeanne.last
    await jeanne.send("/reserver")
    await jeanne.press("Laverie")
    replies = await jeanne.press("📅 Réserver", message_id=dashboard.message_id)
    assert "Quel espace" in replies[-1].text
    replies = await jeanne.send("/reserver")  # the command too
    assert "Quel espace" in replies[-1].text
    assert bot.refused() == []


# --- refusals, races, stale and forged buttons ----------------------------------------------------------


async def test_two_residents_confirm_the_same_last_place(bot: BotHarness) -> None:
    jeanne = await signed(bot, 714, "resident1@lba.demo", "Jeanne")
    marcel = await signed(bot, 715, "resident2@lba.demo", "Marcel")
    for user in (jeanne, marcel):
        await user.send("/reserver")
        await user.press("Salle de sport")
        await user.press("jeu. 26/11")
        await user.press("10:00")
    assert "C'est réservé" in (await jeanne.press("✅ Confirmer"))[0].text
    replies = await marcel.press("✅ Confirmer")
    refusal = replies[0].text
    assert "Réservation impossible" in refusal and "Ce créneau est complet" in refusal
    assert "Ces créneaux sont possibles" in refusal
    alternatives = labels(marcel)[:3]
    assert alternatives == ["jeu. 26/11 09:00 · 1 h", "jeu. 26/11 11:00 · 1 h", "jeu. 26/11 08:00 · 1 h"]
    replies = await marcel.press("jeu. 26/11 11:00 · 1 h")
    assert "Récapitulatif" in replies[0].text and "à 11:00" in replies[0].text
    assert "C'est réservé" in (await marcel.press("✅ Confirmer"))[0].text
    with db(bot) as s:
        holders = s.scalars(
            sa.select(ReservationSlot.user_id).where(
                ReservationSlot.space_id == space_id(bot, "Salle de sport"),
                ReservationSlot.slot_start == paris(date(2026, 11, 26), 10),
            )
        ).all()
    assert len(holders) == 1
    assert bot.refused() == []


async def test_the_database_refuses_the_last_place_when_the_checks_let_both_through(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both confirmations pass the rules (capacity check off): the unique constraint answers the second."""
    monkeypatch.setattr(svc, "CHAIN", tuple(rule for rule in svc.CHAIN if rule.name != "capacity"))
    jeanne = await signed(bot, 725, "resident1@lba.demo", "Jeanne")
    marcel = await signed(bot, 726, "resident2@lba.demo", "Marcel")
    for user in (jeanne, marcel):
        await user.send("/reserver")
        await user.press("Salle de sport")
        await user.press("ven. 27/11")
        await user.press("10:00")
    assert "C'est réservé" in (await jeanne.press("✅ Confirmer"))[0].text
    replies = await marcel.press("✅ Confirmer")
    assert "Trop tard" in replies[0].text and "dernière place" in replies[0].text
    assert labels(marcel)[0] in ("ven. 27/11 09:00 · 1 h", "ven. 27/11 11:00 · 1 h")
    assert [b for b in bookings_of(bot, "resident2@lba.demo") if b[1] == paris(date(2026, 11, 27), 10)] == []
    assert bot.refused() == []


async def test_a_rule_refusal_names_the_rule(bot: BotHarness) -> None:
    jeanne = await signed(bot, 716, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reserver")
    await jeanne.press("Salle commune")
    await jeanne.press("jeu. 26/11")
    await jeanne.press("14:00")
    await jeanne.press("1 h")
    bot.clock.advance(days=2, hours=3)  # the summary waited: it is now Thursday 13:00, inside the 2 h notice
    replies = await jeanne.press("✅ Confirmer")
    assert "Il faut réserver au moins 2 h à l'avance" in replies[0].text
    assert labels(jeanne)[0] == "jeu. 26/11 15:00 · 1 h"
    assert bot.refused() == []


async def test_stale_buttons_are_answered_politely(bot: BotHarness) -> None:
    jeanne = await signed(bot, 717, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reserver")
    days = (await jeanne.press("Laverie"))[0]
    await jeanne.press("jeu. 26/11")
    await jeanne.press("12:00 (3)")
    await jeanne.press("1 h")
    await jeanne.press("✅ Confirmer")
    # The flow is over; a day button of its older message now belongs to nothing.
    jeanne.emu.press_data("bk:day:2:20261127", message_id=days.message_id)
    await bot.deliver()
    assert any("Ce menu a expiré" in t for t in jeanne.texts())
    # Mid-flow, data this release never made gets a polite word, not a crash.
    await jeanne.send("/reserver")
    jeanne.emu.press_data("bk:sl:2:not-a-time")
    await bot.deliver()
    assert "Ce bouton n'est plus valable" in jeanne.last.text
    jeanne.emu.press_data("bk:cx:abc")
    await bot.deliver()
    assert "Ce bouton n'est plus valable" in jeanne.last.text
    assert bot.refused() == []


async def test_another_residence_cannot_book_even_with_forged_buttons(bot: BotHarness) -> None:
    lucienne = await signed(bot, 718, "resident3@lba.demo", "Lucienne")
    laundry, gym = space_id(bot, "Laverie"), space_id(bot, "Salle de sport")
    replies = await lucienne.send("/reserver")
    assert "Laverie" in replies[0].text  # her own residence's laundry, not Lyon's
    assert all(data != f"bk:sp:{laundry}" for row in lucienne.emu.buttons() for _, data in row)
    message = lucienne.last.message_id
    lucienne.emu.press_data(f"bk:sp:{laundry}", message_id=message)
    await bot.deliver()
    assert "ne vous concerne pas" in lucienne.last.text
    start = int(paris(date(2026, 11, 27), 10).timestamp())
    await lucienne.send("/reserver")
    for forged in (f"bk:sl:{gym}:{start}", f"bk:sum:{gym}:{start}:1", f"bk:ok:{gym}:{start}:1"):
        await lucienne.send("/reserver")
        lucienne.emu.press_data(forged)
        await bot.deliver()
        assert "ne vous concerne pas" in lucienne.last.text, forged
    assert bookings_of(bot, "resident3@lba.demo") == []
    assert bot.refused() == []


async def test_another_resident_cannot_cancel_my_booking(bot: BotHarness) -> None:
    jeanne = await signed(bot, 719, "resident1@lba.demo", "Jeanne")
    marcel = await signed(bot, 720, "resident2@lba.demo", "Marcel")
    await jeanne.send("/reservations")
    jeanne_booking = next(data for row in jeanne.emu.buttons() for _, data in row if data.startswith("bk:cx:"))
    booking_id = jeanne_booking.split(":")[-1]
    for forged in (f"bk:cx:{booking_id}", f"bk:cxy:{booking_id}"):
        marcel.emu.press_data(forged, message_id=marcel.last.message_id)
        await bot.deliver()
        assert "ne vous concerne pas" in marcel.last.text
    assert bookings_of(bot, "resident1@lba.demo")[0][2] == ReservationStatus.CONFIRMED
    assert bot.refused() == []


# --- cancelling -------------------------------------------------------------------------------------------


async def test_cancel_with_confirmation_frees_the_place(bot: BotHarness) -> None:
    jeanne = await signed(bot, 721, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reservations")
    replies = await jeanne.press("✖️ Annuler n°1")
    assert "Annuler votre réservation Laverie du jeudi 26 novembre à 10:00" in replies[0].text
    replies = await jeanne.press("Non, la garder")
    assert "conservée" in replies[0].text
    await jeanne.press("🗓 Mes réservations")
    await jeanne.press("✖️ Annuler n°1")
    replies = await jeanne.press("Oui, annuler")
    assert "Réservation annulée : Laverie, jeudi 26 novembre à 10:00" in replies[0].text
    replies = await jeanne.press("🗓 Mes réservations")
    assert "aucune réservation à venir" in replies[0].text
    with db(bot) as s:
        row = s.scalar(sa.select(Reservation).join(User).where(User.email == "resident1@lba.demo"))
        assert row is not None and row.status == ReservationStatus.CANCELLED and row.cancelled_at == bot.clock()
        assert (
            s.scalar(sa.select(sa.func.count(ReservationSlot.id)).where(ReservationSlot.reservation_id == row.id)) == 0
        )
    # A copy of the confirmation button cannot cancel twice.
    jeanne.emu.press_data(f"bk:cxy:{row.id}", message_id=jeanne.last.message_id)
    await bot.deliver()
    assert "déjà annulée" in jeanne.last.text
    assert bot.refused() == []


async def test_cancel_is_refused_after_the_deadline_with_the_reason(bot: BotHarness) -> None:
    jeanne = await signed(bot, 722, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/reservations")
    await jeanne.press("✖️ Annuler n°1")  # asked in time...
    bot.clock.advance(days=1, hours=23, minutes=45)  # ...answered on Thursday at 09:45, 15 min before
    replies = await jeanne.press("Oui, annuler")
    refusal = replies[0].text
    assert "Annulation impossible" in refusal and "jusqu'à 30 min avant le début" in refusal
    assert "jeudi 26 novembre à 09:30" in refusal
    await jeanne.press("🗓 Mes réservations")
    replies = await jeanne.press("✖️ Annuler n°1")
    assert "Trop tard pour annuler" in replies[0].text
    assert bookings_of(bot, "resident1@lba.demo")[0][2] == ReservationStatus.CONFIRMED
    assert bot.refused() == []


async def test_my_bookings_paginate(bot: BotHarness) -> None:
    jeanne = await signed(bot, 723, "resident1@lba.demo", "Jeanne")
    with db(bot) as s:
        me = me_of(s, s.scalar(sa.select(User).where(User.email == "resident1@lba.demo")))
    laundry = space_id(bot, "Laverie")
    for days in (3, 4, 5, 6, 7):
        with db(bot) as s:
            svc.book(s, me, laundry, paris(date(2026, 11, 24) + timedelta(days=days), 8), 1, bot.clock())
    replies = await jeanne.send("/reservations")
    assert "(6)" in replies[0].text and "5. Laverie" in replies[0].text and "6. Laverie" not in replies[0].text
    replies = await jeanne.press("Suivant ▶️")
    assert "6. Laverie — mardi 1 décembre à 08:00, 1 h" in replies[0].text
    assert labels(jeanne)[0] == "✖️ Annuler n°6"
    assert bot.refused() == []


async def test_nothing_to_book_without_a_residence(bot: BotHarness) -> None:
    alain = await signed(bot, 724, "admin@lba.demo", "Alain")
    replies = await alain.send("/reserver")
    assert "Aucun espace" in replies[0].text
    replies = await alain.send("/reservations")
    assert "aucune réservation à venir" in replies[0].text
    assert bot.refused() == []
