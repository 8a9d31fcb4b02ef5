"""The scheduler's routines end to end: the clock moves, the tick runs, people get messages whose buttons work."""

from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa

from bot.emulator.core import EmuMessage
from bot.scheduler import run_tick
from models import IncidentCategory, IncidentStatus, Listing, ListingStatus, Role, Urgency, User
from services import desk
from services import incidents as incidents_svc
from services.people import me_of
from services.scheduler import TickReport
from tests.flows.test_incidents import (
    ELECTRICITY_4,
    PLUMBING_1,
    answers,
    db,
    incident,
    incident_id,
    jeanne_,
    manager,
    marcel_,
    signed_in,
)
from tests.harness import BotHarness, TgUser

FAUTEUIL = "Fauteuil releveur"
DEAMBULATEUR = "Cherche déambulateur pliant"


async def tick(bot: BotHarness) -> TickReport:
    report = await run_tick(bot.app)  # type: ignore[arg-type]
    await bot.deliver()
    return report


def about(user: TgUser, fragment: str) -> list[EmuMessage]:
    return [m for m in user.emu.bot_messages if fragment in (m.text or m.caption or "")]


async def tick_brings(bot: BotHarness, user: TgUser, fragment: str) -> list[EmuMessage]:
    """The new messages about `fragment` a tick brings (a pressed message is edited: it is not counted twice)."""
    before = {m.message_id for m in user.emu.bot_messages}
    await tick(bot)
    return [m for m in about(user, fragment) if m.message_id not in before]


def report_urgent(bot: BotHarness, email: str = "resident1@lba.demo") -> int:
    with db(bot) as s:
        reporter = s.scalar(sa.select(User).where(User.email == email))
        assert reporter is not None
        report = incidents_svc.Report(
            IncidentCategory.PLUMBING, "Fuite d'eau importante sous l'évier", Urgency.URGENT, "home"
        )
        return incidents_svc.create_incident(s, me_of(s, reporter), report, [], bot.clock()).id


def as_staff(bot: BotHarness, action: str, number: int) -> None:
    with db(bot) as s:
        sophie = s.scalar(sa.select(User).where(User.email == "manager@lba.demo"))
        assert sophie is not None
        desk.change_status(s, me_of(s, sophie), number, action, bot.clock())


def listing(bot: BotHarness, title: str) -> Listing:
    with db(bot) as s:
        row = s.scalar(sa.select(Listing).where(Listing.title == title))
        assert row is not None
        s.expunge(row)
        return row


def set_quiet_hours(bot: BotHarness, email: str, start: int, end: int) -> None:
    with db(bot) as s:
        s.execute(
            sa.update(User).where(User.email == email).values(quiet_hours_start=time(start), quiet_hours_end=time(end))
        )


# --- escalation ------------------------------------------------------------------------------------


async def test_an_urgent_incident_nobody_took_goes_again_to_managers_and_admins(bot: BotHarness) -> None:
    sophie = await manager(bot)
    alain = await signed_in(bot, 709, "admin@lba.demo", "Alain")
    jeanne = await jeanne_(bot)
    number = report_urgent(bot)
    await bot.deliver()  # the ordinary alert
    assert len(about(sophie, f"#{number}")) == 1
    bot.clock.advance(hours=1, minutes=59)
    await tick(bot)
    assert about(sophie, "Relance") == [] and about(alain, "Relance") == []
    bot.clock.advance(minutes=1)
    report = await tick(bot)
    assert report.queued["escalation"] == 2
    (escalation,) = about(sophie, f"Relance — incident urgent #{number}")
    assert "il y a 2 h" in escalation.text and "Jeanne (A12)" in escalation.text
    assert len(about(alain, f"Relance — incident urgent #{number}")) == 1
    bot.clock.advance(minutes=1)
    await tick(bot)  # once per incident
    assert len(about(sophie, "Relance")) == 1 and len(about(alain, "Relance")) == 1
    # The desk's buttons work from the escalation.
    await sophie.press("🧰 Prendre en charge", message_id=escalation.message_id)
    assert incident(bot, number).status == IncidentStatus.TAKEN
    assert any(f"#{number}" in text for text in jeanne.texts()[-2:])  # the reporter hears of it
    assert bot.refused() == []


async def test_another_residences_manager_is_not_alerted_and_cannot_act(bot: BotHarness) -> None:
    sophie = await manager(bot)
    with db(bot) as s:
        bordeaux = s.scalar(sa.select(User.residence_id).where(User.email == "resident3@lba.demo"))
        # A Bordeaux manager, linked as an invitation would have left her.
        s.add(User(email="m2@lba.demo", first_name="Léa", role=Role.MANAGER, residence_id=bordeaux, telegram_id=708))
    lea = bot.user(708, "Léa")
    number = report_urgent(bot)
    bot.clock.advance(hours=2)
    await tick(bot)
    assert len(about(sophie, "Relance")) == 1
    assert about(lea, "Relance") == []
    # A forged press of the desk's button from another residence changes nothing.
    lea.emu.send_text("/menu")
    await bot.deliver()
    lea.emu.press_data(f"desk:tk:{number}", message_id=lea.last.message_id)
    await bot.deliver()
    assert incident(bot, number).status == IncidentStatus.NEW
    assert bot.refused() == []


async def test_an_urgent_escalation_is_not_delayed_by_quiet_hours_while_the_digest_is(bot: BotHarness) -> None:
    sophie = await manager(bot)
    set_quiet_hours(bot, "manager@lba.demo", 7, 10)
    bot.clock.advance(hours=19, minutes=30)  # Wednesday 05:30 in Paris
    number = report_urgent(bot)
    await tick(bot)
    bot.clock.advance(hours=2)  # 07:30, quiet
    await tick(bot)
    assert len(about(sophie, f"Relance — incident urgent #{number}")) == 1
    bot.clock.advance(minutes=30)  # 08:00, quiet: the digest waits
    report = await tick(bot)
    assert report.queued["digest"] == 1
    assert about(sophie, "Résumé du jour") == []
    bot.clock.advance(hours=1, minutes=59)
    await tick(bot)
    assert about(sophie, "Résumé du jour") == []
    bot.clock.advance(minutes=1)  # 10:00: the quiet hours are over
    await tick(bot)
    assert len(about(sophie, "Résumé du jour")) == 1
    assert bot.refused() == []


# --- the digest -------------------------------------------------------------------------------------


async def test_the_daily_digest_at_8_once_with_working_buttons(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    bot.clock.advance(hours=21, minutes=59)  # Wednesday 07:59 in Paris
    await tick(bot)
    assert about(sophie, "Résumé du jour") == []
    bot.clock.advance(minutes=1)
    await tick(bot)
    (digest,) = about(sophie, "Résumé du jour")
    assert "Les Belles Années Lyon" in digest.text
    assert "3 ouverts, dont 1 urgents" in digest.text
    assert "⏳ Ouverts depuis trop longtemps (jours)\n• 3+ : #" in digest.text
    assert "Réservations aujourd'hui : 1\n• Salle de sport : 1" in digest.text  # Marcel's, at 09:00
    assert "Événements aujourd'hui : 0\n• rien à signaler" in digest.text
    assert len(digest.text) < 4096
    assert about(jeanne, "Résumé du jour") == []  # residents get none
    bot.clock.advance(minutes=1)
    await tick(bot)
    assert len(about(sophie, "Résumé du jour")) == 1
    replies = await sophie.press("🗂 Bureau des incidents", message_id=digest.message_id)
    assert replies, "the desk opens"
    # Tomorrow, another one.
    bot.clock.advance(days=1)
    await tick(bot)
    assert len(about(sophie, "Résumé du jour")) == 2
    assert bot.refused() == []


async def test_the_digest_in_english_for_a_manager_who_chose_english(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 700, "manager@lba.demo", "Sophie", language_code="en")
    bot.clock.advance(hours=22)  # Wednesday 08:00 in Paris
    await tick(bot)
    (digest,) = about(sophie, "Today's digest")
    assert "3 open, 1 of them urgent" in digest.text and "Bookings today: 1" in digest.text
    assert [label for row in digest.buttons for label, _ in row] == ["🗂 Incident desk", "🏠 Menu"]
    assert bot.refused() == []


# --- listings ---------------------------------------------------------------------------------------


async def test_a_listing_notice_renews_it_and_the_others_expire(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    marcel = await marcel_(bot)
    bot.clock.advance(days=26)
    await tick(bot)
    notices = about(jeanne, "expire le")
    assert len(notices) == 2  # her two listings
    (fauteuil_notice,) = [m for m in notices if FAUTEUIL in m.text]
    assert [label for row in fauteuil_notice.buttons for label, _ in row] == [
        "🟢 Remettre en ligne 30 jours",
        "📋 Mes annonces",
        "🏠 Menu",
    ]
    # Another resident cannot renew her listing, even with forged data.
    fauteuil = listing(bot, FAUTEUIL)
    (marcel_notice, *_) = about(marcel, "expire le")
    marcel.emu.press_data(f"mk:st:reopen:{fauteuil.id}:0", message_id=marcel_notice.message_id)
    await bot.deliver()
    assert listing(bot, FAUTEUIL).expires_at == fauteuil.expires_at
    await jeanne.press("🟢 Remettre en ligne 30 jours", message_id=fauteuil_notice.message_id)
    assert listing(bot, FAUTEUIL).expires_at == bot.clock() + timedelta(days=30)
    # The same button again: nothing to renew any more, answered politely.
    jeanne.emu.press_data(f"mk:st:reopen:{fauteuil.id}:0", message_id=fauteuil_notice.message_id)
    await bot.deliver()
    assert answers(jeanne)[-1] == "Cette action n'est plus possible : l'annonce a changé entre-temps."
    other = next(m for m in notices if m is not fauteuil_notice)
    replies = await jeanne.press("📋 Mes annonces", message_id=other.message_id)
    assert replies and FAUTEUIL in replies[-1].text
    assert await tick_brings(bot, jeanne, "expire le") == []  # once
    bot.clock.advance(days=2)
    await tick(bot)
    assert listing(bot, DEAMBULATEUR).status == ListingStatus.EXPIRED
    assert listing(bot, FAUTEUIL).status == ListingStatus.ACTIVE
    assert bot.refused() == []


# --- rating requests --------------------------------------------------------------------------------


async def test_a_rating_request_whose_buttons_store_the_rating(bot: BotHarness) -> None:
    marcel = await marcel_(bot)
    jeanne = await jeanne_(bot)
    await tick(bot)  # Marcel's resolved incident (demo) was resolved 3 days ago and never rated
    resolved = incident_id(bot, ELECTRICITY_4)
    (request,) = about(marcel, f"Incident #{resolved}")
    assert "Notez-la de 1" in request.text
    assert [label for label, _ in request.buttons[0]] == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
    # Jeanne cannot rate Marcel's incident, even with forged data.
    jeanne.emu.press_data(f"inc:rate:{resolved}:1", message_id=jeanne.last.message_id)
    await bot.deliver()
    assert incident(bot, resolved).rating is None
    await marcel.press("4 ⭐", message_id=request.message_id)
    assert incident(bot, resolved).rating == 4
    assert "Merci pour votre note (4/5)" in marcel.last.text
    marcel.emu.press_data(f"inc:rate:{resolved}:5", message_id=request.message_id)  # stale: already rated
    await bot.deliver()
    assert incident(bot, resolved).rating == 4
    assert answers(marcel)[-1] == "Vous avez déjà noté cet incident. Merci !"
    assert await tick_brings(bot, marcel, f"Incident #{resolved}") == []  # once
    assert bot.refused() == []


async def test_a_day_after_a_resolution_the_reporter_is_asked_once_in_english(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot, language_code="en")
    number = incident_id(bot, PLUMBING_1)
    as_staff(bot, "resolve", number)
    await bot.deliver()
    bot.clock.advance(hours=23, minutes=59)
    await tick(bot)
    assert about(jeanne, "Rate it from 1") == []
    bot.clock.advance(minutes=1)
    await tick(bot)
    (request,) = about(jeanne, "Rate it from 1")
    assert f"Incident #{number}" in request.text and "Plumbing" in request.text
    await jeanne.press("5 ⭐", message_id=request.message_id)
    assert incident(bot, number).rating == 5
    bot.clock.advance(hours=1)
    assert await tick_brings(bot, jeanne, "Rate it from 1") == []  # once
    assert bot.refused() == []


async def test_no_rating_request_once_rated(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    number = incident_id(bot, PLUMBING_1)
    as_staff(bot, "resolve", number)
    await bot.deliver()
    resolved_message = about(jeanne, f"#{number}")[-1]
    await jeanne.press("3 ⭐", message_id=resolved_message.message_id)  # from the resolution notice
    assert incident(bot, number).rating == 3
    bot.clock.advance(days=1)
    await tick(bot)
    assert about(jeanne, "Notez-la de 1") == []
    assert bot.refused() == []
