"""The events flow as residents and managers live it: /evenements, signing up, the waiting list,
proposals and their approval, cancellation, attendance; stale and forged buttons; English."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models import Event, EventStatus, Participation, ParticipationStatus, User
from models.db import unit_of_work
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

WALK = "Promenade au parc de la Tête d'Or"


def db(bot: BotHarness) -> Any:
    return unit_of_work(bot.app.bot_data["lba.runtime"].sessions)  # type: ignore[union-attr]


def event_id(bot: BotHarness, title: str) -> int:
    with db(bot) as s:
        found = s.scalar(sa.select(Event.id).where(Event.title == title))
        assert found is not None
        return int(found)


def status_of(bot: BotHarness, title: str, email: str) -> ParticipationStatus | None:
    with db(bot) as s:
        return s.scalar(  # type: ignore[no-any-return]
            sa.select(Participation.status)
            .join(Event, Event.id == Participation.event_id)
            .join(User, User.id == Participation.user_id)
            .where(Event.title == title, User.email == email)
        )


def answers(user: TgUser) -> list[str]:
    return [a["text"] or "" for a in user.emu.callback_answers]


async def forge(bot: BotHarness, user: TgUser, data: str) -> None:
    """A callback with data the user made up, on one of the bot's messages to them."""
    user.emu.press_data(data, message_id=user.last.message_id)
    await bot.deliver()


async def open_event(user: TgUser, title: str) -> str:
    await user.send("/evenements")
    label = next(label for row in user.emu.buttons() for label, _ in row if title in label)
    return (await user.press(label))[-1].text or ""


async def propose(user: TgUser, title: str, when: str, place: str, seats: str, description: str | None) -> None:
    await user.send("/evenements")
    await user.press("➕ Proposer")
    for answer in (title, when, place, seats):
        await user.send(answer)
    if description is None:
        await user.press("⏭ Passer")
    else:
        await user.send(description)


# --- browsing --------------------------------------------------------------------------------------------


async def test_the_list_from_the_command_and_from_the_dashboard(bot: BotHarness) -> None:
    jeanne = bot.user(801, "Jeanne")
    await sign_in(jeanne)
    dashboard = jeanne.last
    replies = await jeanne.send("/evenements")
    text = replies[-1].text or ""
    assert "Événements à venir" in text and "Les Belles Années Lyon" in text
    assert text.index("Loto de l'automne") < text.index("Atelier tablette") < text.index(WALK)
    assert "vendredi 27 novembre à 15:00" in text  # 14:00 UTC shown in Paris time
    assert "38 place(s) libre(s)" in text and "Dégustation" not in text  # another residence's event
    assert "1. Loto de l'automne" in jeanne.last.button_labels

    replies = await jeanne.press("🎉 Événements", message_id=dashboard.message_id)
    assert replies[-1].message_id == dashboard.message_id  # the dashboard turns into the list
    assert "Événements à venir" in (replies[-1].text or "")
    assert bot.refused() == []


async def test_sign_up_then_cancel_my_place(bot: BotHarness) -> None:
    jeanne = bot.user(802, "Jeanne")
    await sign_in(jeanne)
    details = await open_event(jeanne, WALK)
    assert "Organisé par Marcel" in details and "Votre statut : pas inscrit(e)" in details
    replies = await jeanne.press("✅ M'inscrire")
    assert "Place n°1" in answers(jeanne)[-1]
    assert "Votre statut : ✅ inscrit(e)" in (replies[-1].text or "")
    assert status_of(bot, WALK, "resident1@lba.demo") == ParticipationStatus.REGISTERED

    replies = await jeanne.press("🚪 Me désinscrire")
    assert "Annuler votre inscription" in (replies[-1].text or "")
    await jeanne.press("Non, revenir")
    assert status_of(bot, WALK, "resident1@lba.demo") == ParticipationStatus.REGISTERED
    await jeanne.press("🚪 Me désinscrire")
    replies = await jeanne.press("Oui, me désinscrire")
    assert "pas inscrit(e)" in (replies[-1].text or "") and "12 place(s) libre(s) sur 12" in (replies[-1].text or "")
    assert status_of(bot, WALK, "resident1@lba.demo") == ParticipationStatus.CANCELLED
    assert bot.refused() == []


async def test_full_event_waiting_list_and_the_freed_seat(bot: BotHarness) -> None:
    sophie, jeanne, marcel = bot.user(803, "Sophie"), bot.user(804, "Jeanne"), bot.user(805, "Marcel")
    await sign_in(sophie, "manager@lba.demo")
    await sign_in(jeanne)
    await sign_in(marcel, "resident2@lba.demo")
    # A manager's event is published at once, with the organizer on seat 1.
    await propose(sophie, "Atelier cuisine", "samedi 14h30", "Cuisine", "2", "Tartes aux pommes.")
    replies = await sophie.press("✅ Confirmer")
    assert "est publié" in (replies[-1].text or "")

    await open_event(jeanne, "Atelier cuisine")
    await jeanne.press("✅ M'inscrire")
    details = await open_event(marcel, "Atelier cuisine")
    assert "0 place(s) libre(s) sur 2" in details and "⏳ Liste d'attente" in marcel.last.button_labels
    replies = await marcel.press("⏳ Liste d'attente")
    assert "position 1" in answers(marcel)[-1] and "liste d'attente, position 1" in (replies[-1].text or "")

    await jeanne.press("🚪 Me désinscrire")
    await jeanne.press("Oui, me désinscrire")
    note = marcel.last
    assert "Une place s'est libérée" in (note.text or "") and "Atelier cuisine" in (note.text or "")
    assert "samedi 28 novembre à 14:30" in (note.text or "")
    replies = await marcel.press("🎉 Voir l'événement", message_id=note.message_id)
    assert replies[-1].message_id != note.message_id  # the notification stays; details come below
    assert "Votre statut : ✅ inscrit(e)" in (replies[-1].text or "")
    assert status_of(bot, "Atelier cuisine", "resident2@lba.demo") == ParticipationStatus.REGISTERED
    assert bot.refused() == []


# --- proposing -------------------------------------------------------------------------------------------


async def test_a_proposal_with_every_answer_checked_then_approved(bot: BotHarness) -> None:
    sophie, jeanne, marcel = bot.user(806, "Sophie"), bot.user(807, "Jeanne"), bot.user(808, "Marcel")
    await sign_in(sophie, "manager@lba.demo")
    await sign_in(marcel, "resident2@lba.demo")
    await sign_in(jeanne)
    await jeanne.send("/evenements")
    assert "titre" in ((await jeanne.press("➕ Proposer"))[-1].text or "")
    assert "au moins 3 caractères" in (await jeanne.send("ab"))[-1].text
    assert "80 caractères au plus" in (await jeanne.send("x" * 81))[-1].text
    assert "réponse écrite" in (await jeanne.send_sticker())[-1].text
    assert "Quand" in (await jeanne.send("Thé <dansant> & co"))[-1].text
    assert "pas compris cette date" in (await jeanne.send("un de ces jours"))[-1].text
    assert "déjà passée" in (await jeanne.send("aujourd'hui 9h"))[-1].text
    assert "plus d'un an" in (await jeanne.send("25/12/2027 15h"))[-1].text
    assert "n'existe pas" in (await jeanne.send("31/02 15h"))[-1].text
    assert "Où" in (await jeanne.send("25/12 15h"))[-1].text
    assert "au moins 2 caractères" in (await jeanne.send("A"))[-1].text
    assert "Combien de places" in (await jeanne.send("Salle commune"))[-1].text
    assert "entre 1 et 500" in (await jeanne.send("beaucoup"))[-1].text
    assert "entre 1 et 500" in (await jeanne.send("501"))[-1].text
    assert "description" in (await jeanne.send("30"))[-1].text
    assert "1000 caractères au plus" in (await jeanne.send("x" * 1001))[-1].text
    summary = (await jeanne.press("⏭ Passer"))[-1].text or ""
    assert "Thé <dansant> & co" in summary and "vendredi 25 décembre à 15:00" in summary
    assert "pas de description" in summary and "soumise aux gestionnaires" in summary
    assert "boutons" in (await jeanne.send("ok"))[-1].text

    await jeanne.press("✏️ Modifier")
    assert "Où" in ((await jeanne.press("Lieu"))[-1].text or "")
    summary = (await jeanne.send("Jardin d'hiver"))[-1].text or ""
    assert "Jardin d'hiver" in summary and "Votre proposition" in summary
    replies = await jeanne.press("✅ Confirmer")
    assert "transmis aux gestionnaires" in (replies[-1].text or "")
    eid = event_id(bot, "Thé <dansant> & co")
    assert status_of(bot, "Thé <dansant> & co", "resident1@lba.demo") == ParticipationStatus.REGISTERED

    # Sophie is asked, with the proposal's details and two buttons.
    ask = sophie.last
    assert "Nouvelle proposition" in (ask.text or "") and "Jeanne Dupont (appartement A12)" in (ask.text or "")
    assert ask.buttons == [[("✅ Approuver", f"ev:approve:{eid}"), ("❌ Refuser", f"ev:reject:{eid}")]]
    assert "Thé <dansant> & co" not in (await marcel.send("/evenements"))[-1].text  # not yet published
    replies = await sophie.press("✅ Approuver", message_id=ask.message_id)
    assert "approuvée et publiée" in (replies[0].text or "")
    assert "est publiée" in (jeanne.last.text or "")
    assert "Thé <dansant> & co" in (await marcel.send("/evenements"))[-1].text
    # The same decision again (an old copy of the buttons): already decided, said politely.
    await forge(bot, sophie, f"ev:reject:{eid}")
    assert "déjà été approuvée" in (sophie.last.text or "")
    with db(bot) as s:
        assert s.get(Event, eid).status == EventStatus.PUBLISHED  # type: ignore[union-attr]
    assert bot.refused() == []


async def test_a_rejected_proposal_is_told_and_a_late_decision_says_so(bot: BotHarness) -> None:
    sophie, jeanne, admin = bot.user(809, "Sophie"), bot.user(810, "Jeanne"), bot.user(811, "Alain")
    await sign_in(sophie, "manager@lba.demo")
    await sign_in(jeanne)
    await sign_in(admin, "admin@lba.demo")
    await propose(jeanne, "Karaoké", "demain 18h", "Salle commune", "15", "Chansons françaises.")
    await jeanne.press("✅ Confirmer")
    eid = event_id(bot, "Karaoké")
    # Sophie finds it among the proposals to review, from her list.
    await sophie.send("/evenements")
    await sophie.press("⏳ À valider (1)")
    details = (await sophie.press("1. Karaoké"))[-1].text or ""
    assert "en attente de validation" in details
    replies = await sophie.press("❌ Refuser")
    assert "Proposition refusée" in (replies[-1].text or "")
    assert "n'a pas été retenue" in (jeanne.last.text or "")
    await forge(bot, admin, f"ev:approve:{eid}")  # too late: someone decided
    assert "déjà été refusée" in (admin.last.text or "")
    with db(bot) as s:
        assert s.get(Event, eid).status == EventStatus.CANCELLED  # type: ignore[union-attr]
    assert bot.refused() == []


async def test_annuler_and_other_commands_mid_proposal(bot: BotHarness) -> None:
    jeanne = bot.user(812, "Jeanne")
    await sign_in(jeanne)
    await jeanne.send("/evenements")
    await jeanne.press("➕ Proposer")
    await jeanne.send("Loto de printemps")
    assert "au milieu d'une démarche" in (await jeanne.send("/evenements"))[-1].text
    assert "c'est annulé" in (await jeanne.send("/annuler"))[-1].text
    replies = await jeanne.send("demain 15h")  # no longer an answer
    assert "pas compris" in (replies[0].text or "")
    with db(bot) as s:
        assert s.scalar(sa.select(Event.id).where(Event.title == "Loto de printemps")) is None
    assert bot.refused() == []


# --- cancelling, stale buttons, forged buttons -------------------------------------------------------------


async def test_the_organizer_cancels_everyone_is_told_and_old_buttons_are_stale(bot: BotHarness) -> None:
    marcel, jeanne = bot.user(813, "Marcel"), bot.user(814, "Jeanne")
    await sign_in(marcel, "resident2@lba.demo")
    await sign_in(jeanne)
    await open_event(jeanne, WALK)
    await jeanne.press("✅ M'inscrire")
    old_details = jeanne.last

    await open_event(marcel, WALK)
    replies = await marcel.press("❌ Annuler l'événement")
    assert "seront prévenues" in (replies[-1].text or "")
    replies = await marcel.press("Oui, annuler l'événement")
    assert "est annulé" in (replies[-1].text or "") and "1 personne(s) prévenue(s)" in (replies[-1].text or "")
    assert "est annulé" in (jeanne.last.text or "") and WALK in (jeanne.last.text or "")

    replies = await jeanne.press("🚪 Me désinscrire", message_id=old_details.message_id)
    assert "Cet événement est annulé" in (replies[-1].text or "")
    assert "🚪 Me désinscrire" not in replies[-1].button_labels
    assert WALK not in (await jeanne.send("/evenements"))[-1].text
    await forge(bot, jeanne, "ev:open:999999")
    assert "plus disponible" in answers(jeanne)[-1] and "Événements à venir" in (jeanne.last.text or "")
    await forge(bot, jeanne, "ev:open:abc")
    assert "plus disponible" in answers(jeanne)[-1]
    await forge(bot, jeanne, "ev:p:ok")  # a summary button of a finished proposal
    assert "plus disponible" in answers(jeanne)[-1]
    assert bot.refused() == []


async def test_nobody_acts_on_what_is_not_theirs_even_with_forged_buttons(bot: BotHarness) -> None:
    jeanne, lucienne, sophie = bot.user(815, "Jeanne"), bot.user(816, "Lucienne"), bot.user(817, "Sophie")
    await sign_in(jeanne)
    await sign_in(lucienne, "resident3@lba.demo")
    await sign_in(sophie, "manager@lba.demo")
    loto, walk = event_id(bot, "Loto de l'automne"), event_id(bot, WALK)
    await lucienne.send("/evenements")
    for data in (f"ev:open:{loto}", f"ev:join:{loto}", f"ev:wait:{loto}", f"ev:cancel_ok:{loto}", f"ev:att:{loto}:0"):
        await forge(bot, lucienne, data)
        assert "ne pouvez pas" in answers(lucienne)[-1], data
    await forge(bot, lucienne, f"ev:approve:{loto}")
    assert "ne pouvez pas" in answers(lucienne)[-1]

    # A resident of the residence: not the organizer, not a manager.
    await jeanne.send("/evenements")
    await forge(bot, jeanne, f"ev:cancel_ok:{walk}")
    assert "ne pouvez pas" in answers(jeanne)[-1]
    await forge(bot, jeanne, "ev:pending:0")
    assert "ne pouvez pas" in answers(jeanne)[-1]
    await propose(jeanne, "Tricot", "demain 15h", "Salon", "8", None)
    await jeanne.press("✅ Confirmer")
    pending = event_id(bot, "Tricot")
    await forge(bot, jeanne, f"ev:approve:{pending}")
    assert "ne pouvez pas" in answers(jeanne)[-1]
    bot.clock.advance(days=3, hours=6)  # the Loto has started
    await forge(bot, jeanne, f"ev:att:{loto}:0")
    assert "ne pouvez pas" in answers(jeanne)[-1]
    with db(bot) as s:
        participant = s.scalar(sa.select(Participation.id).where(Participation.event_id == loto))
    await forge(bot, jeanne, f"ev:tick:{loto}:{participant}:0")
    assert "ne pouvez pas" in answers(jeanne)[-1]

    with db(bot) as s:
        statuses = dict(s.execute(sa.select(Event.title, Event.status)).all())
        rows = s.execute(sa.select(Participation.status).where(Participation.event_id == loto)).scalars().all()
        points = s.scalar(sa.select(User.loyalty_points).where(User.email == "resident1@lba.demo"))
    assert statuses["Loto de l'automne"] == statuses[WALK] == EventStatus.PUBLISHED
    assert statuses["Tricot"] == EventStatus.PENDING
    assert sorted(rows) == [ParticipationStatus.REGISTERED] * 2 and points == 0
    assert bot.refused() == []


# --- attendance ----------------------------------------------------------------------------------------------


async def test_the_organizer_records_attendance_and_points_are_paid_once(bot: BotHarness) -> None:
    marcel, jeanne = bot.user(818, "Marcel"), bot.user(819, "Jeanne")
    await sign_in(marcel, "resident2@lba.demo")
    await sign_in(jeanne)
    await open_event(jeanne, WALK)
    await jeanne.press("✅ M'inscrire")
    await open_event(marcel, WALK)
    assert "📋 Présences" not in marcel.last.button_labels  # not before it starts

    bot.clock.advance(days=9, hours=5)
    await marcel.send("/evenements")
    await marcel.press("🕘 Récents")
    details = (await marcel.press(f"1. {WALK}"))[-1]
    assert "a commencé" in (details.text or "")
    sheet = (await marcel.press("📋 Présences"))[-1]
    assert "0 présent(e)(s) sur 1 inscrit(e)(s)" in (sheet.text or "") and "⬜ Jeanne D." in sheet.button_labels
    sheet = (await marcel.press("⬜ Jeanne D."))[-1]
    assert "+10 points" in answers(marcel)[-1]
    assert "✅ Jeanne D." in sheet.button_labels and "1 présent(e)(s) sur 1" in (sheet.text or "")
    await marcel.press("✅ Jeanne D.")
    assert "déjà noté(e) présent(e)" in answers(marcel)[-1]
    assert status_of(bot, WALK, "resident1@lba.demo") == ParticipationStatus.ATTENDED
    assert "10 points fidélité" in ((await jeanne.send("/menu"))[-1].text or "")
    assert bot.refused() == []


# --- English ---------------------------------------------------------------------------------------------------


async def test_a_resident_who_chose_english_gets_english(bot: BotHarness) -> None:
    john = bot.user(820, "Jeanne")
    await sign_in(john)
    await john.send("/language")
    await john.press("🇬🇧 English")
    text = (await john.send("/events"))[-1].text or ""
    assert "Upcoming events" in text and "Friday 27 November at 15:00" in text and "38 seat(s) left" in text
    details = (await john.press(f"3. {WALK}"))[-1].text or ""
    assert "Organised by Marcel" in details and "Your status: not registered" in details
    await john.press("✅ Sign me up")
    assert "Seat no. 1" in answers(john)[-1]
    await john.press("📋 All events")
    assert "What is its title" in ((await john.press("➕ Propose"))[-1].text or "")
    await john.send("Tea party")
    assert "did not understand" in (await john.send("someday"))[-1].text
    await john.send("tomorrow 3pm")
    await john.send("Garden")
    await john.send("10")
    summary = (await john.press("⏭ Skip"))[-1].text or ""
    assert "Your proposal" in summary and "Wednesday 25 November at 15:00" in summary
    assert "has gone to the residence's managers" in ((await john.press("✅ Confirm"))[-1].text or "")
    assert bot.refused() == []


async def test_the_list_pages_and_a_restart_mid_proposal_keeps_the_answers(bot: BotHarness) -> None:
    sophie = bot.user(821, "Sophie")
    await sign_in(sophie, "manager@lba.demo")
    for i in range(3):
        await propose(sophie, f"Atelier mémoire {i}", f"1{i}/12 10h", "Bibliothèque", "10", None)
        await sophie.press("✅ Confirmer")
    first = (await sophie.send("/evenements"))[-1]
    assert "Page 1" in (first.text or "") and len([b for b in first.button_labels if b[0].isdigit()]) == 5
    second = (await sophie.press("Suivant ▶️"))[-1]
    assert second.message_id == first.message_id and "Page 2" in (second.text or "")
    assert "6. Atelier mémoire 2" in second.button_labels and "◀️ Précédent" in second.button_labels

    await sophie.press("➕ Proposer")
    await sophie.send("Chorale de Noël")
    await bot.restart()  # persisted state: the flow resumes where it was
    assert "Où" in (await sophie.send("20/12 17h"))[-1].text
    await sophie.send("Chapelle")
    await sophie.send("25")
    summary = (await sophie.send("Passer"))[-1].text or ""  # typed instead of pressed
    assert "Chorale de Noël" in summary and "dimanche 20 décembre à 17:00" in summary
    assert "publiée tout de suite" in summary  # a manager's event needs nobody's approval
    replies = await sophie.press("✖️ Annuler")
    assert "abandonnée" in (replies[-1].text or "")
    with db(bot) as s:
        assert s.scalar(sa.select(Event.id).where(Event.title == "Chorale de Noël")) is None
    assert bot.refused() == []


async def test_a_network_admin_sees_the_proposals_to_review(bot: BotHarness) -> None:
    jeanne, admin = bot.user(822, "Jeanne"), bot.user(823, "Alain")
    await sign_in(jeanne)
    await sign_in(admin, "admin@lba.demo")
    await propose(jeanne, "Scrabble", "demain 15h", "Salon", "6", "Tournoi amical.")
    await jeanne.press("✅ Confirmer")
    text = (await admin.send("/evenements"))[-1].text or ""
    assert "Propositions à valider" in text and "Scrabble" in text
    await admin.press("1. Scrabble")
    await admin.press("✅ Approuver")
    assert "est publiée" in (jeanne.last.text or "")
    assert bot.refused() == []
