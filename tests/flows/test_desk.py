"""The managers' incident desk as managers and residents would use it: alerts, their buttons, the queue."""

from __future__ import annotations

import sqlalchemy as sa

from bot.emulator import sample_png
from bot.emulator.core import EmuGroup, EmuMessage
from models import (
    GroupChat,
    GroupKind,
    IncidentCategory,
    IncidentFollower,
    IncidentHistory,
    IncidentStatus,
    OutboxMessage,
    Residence,
    Role,
    User,
)
from services import incidents as incidents_svc
from services.incidents import Report
from services.people import me_of
from tests.flows.test_incidents import (
    ELECTRICITY_4,
    ELEVATOR_2,
    HEATING_3,
    LOCKSMITH_5,
    PLUMBING_1,
    answers,
    count,
    db,
    incident,
    incident_id,
    jeanne_,
    manager,
    marcel_,
    signed_in,
)
from tests.harness import BotHarness, TgUser

MANAGERS_CHAT = -100123
RESIDENTS_CHAT = -100456
HALL = "La porte du hall ne se ferme plus du tout."


# --- helpers --------------------------------------------------------------------------------------


def lyon_id(bot: BotHarness) -> int:
    with db(bot) as s:
        found = s.scalar(sa.select(Residence.id).where(Residence.name.like("%Lyon")))
    assert found is not None
    return found


def bordeaux_id(bot: BotHarness) -> int:
    with db(bot) as s:
        found = s.scalar(sa.select(Residence.id).where(Residence.name.like("%Bordeaux")))
    assert found is not None
    return found


def add_manager(bot: BotHarness, email: str, first_name: str, residence_id: int) -> None:
    """Another manager, with the demo password (the demo has one manager, in Lyon)."""
    with db(bot) as s:
        password = s.scalar(sa.select(User.password_hash).where(User.email == "manager@lba.demo"))
        s.add(
            User(
                email=email,
                password_hash=password,
                first_name=first_name,
                last_name="Test",
                role=Role.MANAGER,
                residence_id=residence_id,
            )
        )


def link_group(bot: BotHarness, chat_id: int, kind: GroupKind, title: str, by: TgUser) -> EmuGroup:
    """A group with the bot in it, linked to Lyon (linking itself is the groups feature's job)."""
    group = bot.emu.group(chat_id, title)
    group.add_bot(by=by.emu)
    lyon = lyon_id(bot)
    with db(bot) as s:
        linker = s.scalar(sa.select(User.id).where(User.telegram_id == by.id))
        s.add(GroupChat(chat_id=chat_id, residence_id=lyon, kind=kind, title=title, linked_by_id=linker))
    return group


def file_incident(bot: BotHarness, email: str, description: str, **report: object) -> int:
    """An incident filed through the service, as /signaler would (alerts included)."""
    values: dict[str, object] = {
        "category": IncidentCategory.COMMON_AREAS,
        "description": description,
        "urgency": incidents_svc.Urgency.NORMAL,
        "place_key": "hall",
    }
    values.update(report)
    with db(bot) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        created = incidents_svc.create_incident(s, me_of(s, user), Report(**values), [], bot.clock())  # type: ignore[arg-type]
    return created.id


async def report_hall(bot: BotHarness, jeanne: TgUser, *, photo: bool = False, urgent: bool = False) -> int:
    """Jeanne reports a problem in the hall through /signaler (a common place others may join)."""
    await jeanne.send("/signaler")
    await jeanne.press("🏢 Parties communes")
    await jeanne.press("Hall d'entrée")
    await jeanne.send(HALL)
    await jeanne.press("🚨 Urgente" if urgent else "🟡 Normale")
    if photo:
        await jeanne.send_photo(sample_png(6, 4))
        await jeanne.press("✅ Terminé")
    else:
        await jeanne.press("⏭ Passer")
    await jeanne.press("✅ Confirmer")
    return incident_id(bot, HALL)


def follow(bot: BotHarness, number: int, email: str) -> None:
    with db(bot) as s:
        user_id = s.scalar(sa.select(User.id).where(User.email == email))
        s.add(IncidentFollower(incident_id=number, user_id=user_id, created_at=bot.clock()))


def alert_of(user: TgUser, number: int) -> EmuMessage:
    for message in reversed(user.emu.bot_messages):
        if f"#{number}" in message.content and any(label.startswith("💬") for label in message.button_labels):
            return message
    raise AssertionError(f"no alert for #{number}")


def history(bot: BotHarness, number: int) -> list[tuple[str, str | None, bool]]:
    with db(bot) as s:
        rows = s.scalars(
            sa.select(IncidentHistory).where(IncidentHistory.incident_id == number).order_by(IncidentHistory.id)
        ).all()
        return [(r.kind.value, r.to_status.value if r.to_status else r.text, r.internal) for r in rows]


# --- the alert ------------------------------------------------------------------------------------


async def test_a_new_incident_alerts_the_manager_privately_and_in_the_managers_group(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    managers = link_group(bot, MANAGERS_CHAT, GroupKind.MANAGERS, "Gestion Lyon", sophie)
    residents = link_group(bot, RESIDENTS_CHAT, GroupKind.RESIDENTS, "Résidents Lyon", sophie)
    await bot.deliver()
    number = await report_hall(bot, jeanne, photo=True, urgent=True)

    private = sophie.last
    assert private.kind == "photo"
    for expected in (f"INCIDENT URGENT #{number}", "🚨 Urgente", "Hall d'entrée", "Jeanne (A12)", "Photos : 1", HALL):
        assert expected in private.content, expected
    assert private.button_labels == [
        "🧰 Prendre en charge",
        "🔧 En cours",
        "✅ Résolu",
        "❌ Rejeter",
        "💬 Commenter",
        "📂 Détails",
    ]
    copy = managers.last_bot_message
    assert copy is not None and copy.kind == "photo" and f"INCIDENT URGENT #{number}" in copy.content
    assert copy.button_labels == private.button_labels
    # The residents' group never hears of a resident's incident.
    assert not any(f"#{number}" in m.content or HALL in m.content for m in residents.bot_messages)
    assert bot.refused() == []


async def test_an_image_sent_as_a_file_goes_to_the_managers_as_a_document(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    managers = link_group(bot, MANAGERS_CHAT, GroupKind.MANAGERS, "Gestion Lyon", sophie)
    await bot.deliver()
    await jeanne.send("/signaler")
    await jeanne.press("🏢 Parties communes")
    await jeanne.press("Hall d'entrée")
    await jeanne.send(HALL)
    await jeanne.press("🟡 Normale")
    jeanne.emu.send_document(sample_png(3, 3), "porte.png", "image/png")
    await bot.deliver()
    await jeanne.press("✅ Terminé")
    await jeanne.press("✅ Confirmer")
    assert sophie.last.kind == "document" and "Nouvel incident" in sophie.last.content
    assert managers.last_bot_message is not None and managers.last_bot_message.kind == "document"
    # The card keeps being edited in place, as a caption.
    await sophie.press("🧰 Prendre en charge", message_id=sophie.last.message_id)
    assert "Pris en charge par Sophie" in sophie.last.content
    assert bot.refused() == []


# --- status changes -------------------------------------------------------------------------------


async def test_each_status_change_from_the_alert_reaches_the_reporter_and_a_follower(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    marcel = await marcel_(bot)
    number = await report_hall(bot, jeanne)
    follow(bot, number, "resident2@lba.demo")
    alert = alert_of(sophie, number)

    replies = await sophie.press("🧰 Prendre en charge", message_id=alert.message_id)
    card = replies[0]
    assert card.message_id == alert.message_id and card.edited
    assert "Statut : 🧰 Pris en charge" in card.text and "Responsable : Sophie" in card.text
    assert "Pris en charge par Sophie, mardi 24 novembre à 10:00" in card.text
    assert "🧰 Prendre en charge" not in card.button_labels and "🔧 En cours" in card.button_labels
    assert "🧰 Pris en charge" in answers(sophie)[-1]
    for resident in (jeanne, marcel):
        assert f"Incident #{number}" in resident.last.text
        assert "Nouveau statut : 🧰 Pris en charge — par Sophie (gestionnaire)" in resident.last.text
    row = incident(bot, number)
    assert row.status == IncidentStatus.TAKEN and row.taken_at is not None
    with db(bot) as s:
        assert row.assignee_id == s.scalar(sa.select(User.id).where(User.email == "manager@lba.demo"))

    bot.clock.advance(hours=1)
    await sophie.press("🔧 En cours", message_id=alert.message_id)
    assert "Mis en cours par Sophie" in alert_text(sophie, alert)
    assert "🔧 En cours" in jeanne.last.text and "🔧 En cours" in marcel.last.text

    bot.clock.advance(hours=1)
    await sophie.press("✅ Résolu", message_id=alert.message_id)
    assert "Résolu par Sophie" in alert_text(sophie, alert)
    assert alert_buttons(sophie, alert) == ["💬 Commenter", "📂 Détails"]
    row = incident(bot, number)
    assert row.status == IncidentStatus.RESOLVED and row.resolved_at is not None
    # The reporter may rate from the news itself; a follower is only told.
    assert "le problème est résolu" in jeanne.last.text and "Notez l'intervention" in jeanne.last.text
    assert jeanne.last.button_labels[:5] == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
    assert "le problème est résolu" in marcel.last.text and "1 ⭐" not in marcel.last.button_labels
    replies = await jeanne.press("4 ⭐")
    assert "Merci pour votre note (4/5)" in replies[-1].text
    assert incident(bot, number).rating == 4

    # A late press on a closed incident says so and changes nothing.
    told = len(jeanne.emu.bot_messages)
    sophie.emu.press_data(f"desk:tk:{number}", message_id=alert.message_id)
    await bot.deliver()
    assert "déjà clos (✅ Résolu)" in answers(sophie)[-1]
    assert "Résolu par Sophie" in alert_text(sophie, alert)  # the card still says who closed it
    assert incident(bot, number).status == IncidentStatus.RESOLVED and len(jeanne.emu.bot_messages) == told
    assert [h[:2] for h in history(bot, number) if h[0] == "status"] == [
        ("status", "taken"),
        ("status", "in_progress"),
        ("status", "resolved"),
    ]
    assert bot.refused() == []


def alert_text(user: TgUser, alert: EmuMessage) -> str:
    message = user.harness.emu.message(user.id, alert.message_id)
    assert message is not None
    return message.content


def alert_buttons(user: TgUser, alert: EmuMessage) -> list[str]:
    message = user.harness.emu.message(user.id, alert.message_id)
    assert message is not None
    return message.button_labels


async def test_a_second_press_of_the_same_step_says_it_is_done(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    number = await report_hall(bot, jeanne)
    alert = alert_of(sophie, number)
    await sophie.press("🔧 En cours", message_id=alert.message_id)  # straight from new: taken on the way
    row = incident(bot, number)
    assert row.status == IncidentStatus.IN_PROGRESS and row.taken_at is not None and row.assignee_id is not None
    sophie.emu.press_data(f"desk:tk:{number}", message_id=alert.message_id)
    await bot.deliver()
    assert "déjà fait" in answers(sophie)[-1].lower() and "🔧 En cours" in answers(sophie)[-1]
    assert incident(bot, number).status == IncidentStatus.IN_PROGRESS
    assert bot.refused() == []


async def test_reject_asks_a_reason_and_asks_again_on_bad_input(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    number = await report_hall(bot, jeanne)
    alert = alert_of(sophie, number)
    replies = await sophie.press("❌ Rejeter", message_id=alert.message_id)
    assert f"Rejeter l'incident #{number}" in replies[-1].text and "3 à 500 caractères" in replies[-1].text
    assert "au moins 3 caractères" in (await sophie.send("no"))[-1].text
    assert "500 caractères au plus (vous en avez écrit 501)" in (await sophie.send("x" * 501))[-1].text
    assert "réponse écrite" in (await sophie.send_sticker())[-1].text
    assert "au milieu d'une démarche" in (await sophie.send("/menu"))[-1].text
    assert incident(bot, number).status == IncidentStatus.NEW
    replies = await sophie.send("Relève du syndic, <b>pas</b> de la résidence.")
    assert f"Incident #{number} rejeté" in replies[-1].text and "prévenu(s) : 1" in replies[-1].text
    row = incident(bot, number)
    assert (
        row.status == IncidentStatus.REJECTED
        and row.rejection_reason == "Relève du syndic, <b>pas</b> de la résidence."
    )
    card = alert_text(sophie, alert)
    assert "Rejeté par Sophie" in card and "Motif du refus : Relève du syndic, <b>pas</b>" in card
    news = jeanne.last.text
    assert (
        "refusé par Sophie (gestionnaire)" in news and "Motif : Relève du syndic, <b>pas</b> de la résidence." in news
    )
    detail = (await jeanne.press("🔎 Voir l'incident"))[-1].text
    assert "❌ Refusé" in detail and "Relève du syndic" in detail
    assert bot.refused() == []


async def test_a_public_comment_reaches_the_residents_and_annuler_leaves(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    marcel = await marcel_(bot)
    number = await report_hall(bot, jeanne)
    follow(bot, number, "resident2@lba.demo")
    alert = alert_of(sophie, number)

    await sophie.press("💬 Commenter", message_id=alert.message_id)
    assert "D'accord, c'est annulé" in (await sophie.send("/annuler"))[-1].text
    assert count(bot, IncidentHistory, IncidentHistory.incident_id == number) == 1
    await sophie.press("💬 Commenter", message_id=alert.message_id)
    question = sophie.last
    assert "Commentaire public" in question.text and "2 à 1000 caractères" in question.text
    assert "D'accord, c'est annulé" in (await sophie.press("✖️ Annuler"))[-1].text
    sophie.emu.press_data("desk:x", message_id=question.message_id)  # the cancel button, once more
    await bot.deliver()
    assert "expiré" in answers(sophie)[-1]

    await sophie.press("💬 Commenter", message_id=alert.message_id)
    assert "au moins 2 caractères" in (await sophie.send("k"))[-1].text
    replies = await sophie.send("Le serrurier passe demain matin.")
    assert "Commentaire publié" in replies[-1].text and "prévenu(s) : 2" in replies[-1].text
    assert "Commentaire public de Sophie" in alert_text(sophie, alert)
    for resident in (jeanne, marcel):
        assert "message de Sophie (gestionnaire)" in resident.last.text
        assert "Le serrurier passe demain matin." in resident.last.text
    detail = (await jeanne.press("🔎 Voir l'incident"))[-1].text
    assert "Sophie (gestionnaire)" in detail and "Le serrurier passe demain matin." in detail
    assert incident(bot, number).status == IncidentStatus.NEW
    assert bot.refused() == []


# --- the managers' group --------------------------------------------------------------------------


async def test_buttons_pressed_in_the_managers_group_act_as_the_presser(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    marcel = await marcel_(bot)
    managers = link_group(bot, MANAGERS_CHAT, GroupKind.MANAGERS, "Gestion Lyon", sophie)
    await bot.deliver()
    number = await report_hall(bot, jeanne, photo=True)
    card = managers.last_bot_message
    assert card is not None

    # A resident who is in the group cannot act, even on a real button.
    managers.press(marcel.emu, "🧰 Prendre en charge", message_id=card.message_id)
    await bot.deliver()
    assert "réservée aux gestionnaires" in answers(marcel)[-1]
    assert incident(bot, number).status == IncidentStatus.NEW

    managers.press(sophie.emu, "🧰 Prendre en charge", message_id=card.message_id)
    await bot.deliver()
    assert "Pris en charge par Sophie" in (card.caption or "") and card.edited
    assert incident(bot, number).status == IncidentStatus.TAKEN
    assert "Nouveau statut : 🧰 Pris en charge" in jeanne.last.text

    # Reject: the reason is asked privately, and the group's card shows the outcome.
    managers.press(sophie.emu, "❌ Rejeter", message_id=card.message_id)
    await bot.deliver()
    assert "écris en privé" in answers(sophie)[-1]
    assert f"Rejeter l'incident #{number}" in sophie.last.text
    await sophie.send("Doublon du signalement de la semaine dernière.")
    assert "Rejeté par Sophie" in (card.caption or "") and "Doublon du signalement" in (card.caption or "")
    assert incident(bot, number).status == IncidentStatus.REJECTED
    assert "Doublon du signalement" in jeanne.last.text

    # Details from the group go to the presser privately, never to the group.
    before = len(managers.bot_messages)
    managers.press(sophie.emu, "📂 Détails", message_id=card.message_id)
    await bot.deliver()
    assert len(managers.bot_messages) == before and f"Incident #{number}" in sophie.last.text
    assert "Historique" in sophie.last.text
    assert bot.refused() == []


# --- who may act ----------------------------------------------------------------------------------


async def test_a_resident_pressing_forged_manager_buttons_changes_nothing(bot: BotHarness) -> None:
    await manager(bot)
    jeanne = await jeanne_(bot)
    marcel = await marcel_(bot)
    number = await report_hall(bot, jeanne)
    before = history(bot, number)
    target = jeanne.last.message_id
    for user, message_id in ((marcel, None), (jeanne, target)):
        for data in (
            f"desk:tk:{number}",
            f"desk:ip:{number}",
            f"desk:rs:{number}:d",
            f"desk:rj:{number}",
            f"desk:cm:{number}",
            f"desk:nt:{number}:d",
            f"desk:o:{number}",
            f"desk:as:{number}",
            f"desk:ag:{number}:1",
            f"desk:h:{number}:0",
            f"desk:ph:{number}",
            "desk:q:0:open:-:-:0",
            "menu:desk",
        ):
            user.emu.press_data(data, message_id=message_id)
            await bot.deliver()
            assert "réservée aux gestionnaires" in answers(user)[-1], data
    # /incidents stays the residents' own list.
    assert "Mes incidents" in (await marcel.send("/incidents"))[-1].text
    assert incident(bot, number).status == IncidentStatus.NEW and history(bot, number) == before
    # After a forged text entry, a text goes to the assistant, not to a desk step.
    assert "Je suis l'assistant" in (await marcel.send("Bonjour"))[0].text
    assert bot.refused() == []


async def test_a_manager_of_another_residence_cannot_act(bot: BotHarness) -> None:
    add_manager(bot, "manager.bordeaux@lba.demo", "Bernard", bordeaux_id(bot))
    bernard = await signed_in(bot, 720, "manager.bordeaux@lba.demo", "Bernard")
    jeanne = await jeanne_(bot)
    number = await report_hall(bot, jeanne)
    assert not any(f"#{number}" in m.content for m in bernard.emu.bot_messages)  # no alert for Bordeaux
    for data in (f"desk:tk:{number}", f"desk:rj:{number}", f"desk:o:{number}", f"desk:ag:{number}:1"):
        bernard.emu.press_data(data)
        await bot.deliver()
        assert "n'existe pas ou ne vous est pas accessible" in answers(bernard)[-1], data
    assert incident(bot, number).status == IncidentStatus.NEW and len(history(bot, number)) == 1
    # His desk is Bordeaux's: its one open incident, not Lyon's.
    queue = (await bernard.send("/incidents"))[-1].text
    assert "Les Belles Années Bordeaux (1)" in queue and f"#{incident_id(bot, LOCKSMITH_5)}" in queue
    assert f"#{number}" not in queue
    bernard.emu.press_data(f"desk:q:{lyon_id(bot)}:open:-:-:0")
    await bot.deliver()
    assert "n'existe pas" in answers(bernard)[-1]
    assert bot.refused() == []


# --- the queue ------------------------------------------------------------------------------------


async def test_the_queue_from_the_command_oldest_first_with_filters_and_pages(bot: BotHarness) -> None:
    sophie = await manager(bot)
    heating, elevator, plumbing = (incident_id(bot, d) for d in (HEATING_3, ELEVATOR_2, PLUMBING_1))
    queue = (await sophie.send("/incidents"))[-1].text
    assert "Incidents — Les Belles Années Lyon (3)" in queue and "Ouverts" in queue
    assert queue.index(f"#{heating}") < queue.index(f"#{elevator}") < queue.index(f"#{plumbing}")
    assert f"#{incident_id(bot, ELECTRICITY_4)}" not in queue  # resolved: not in the open queue
    assert "🚨 urgent" in queue.split(f"#{elevator}")[1].split("\n#")[0]
    assert sophie.last.button_labels[:3] == [
        f"#{heating} · 🔥 Chauffage",
        f"🚨 #{elevator} · 🛗 Ascenseur",
        f"#{plumbing} · 🚰 Plomberie",
    ]

    added = []
    for n in range(5):
        bot.clock.advance(minutes=1)
        added.append(file_incident(bot, "resident1@lba.demo", f"Problème numéro {n} dans le hall d'entrée."))
    await bot.deliver()  # the alerts go out first
    first = (await sophie.send("/incidents"))[-1].text
    assert "(8)" in first and first.count("\n#") == 5 and f"#{added[2]}" not in first
    second = (await sophie.press("Suivant ▶️"))[-1].text
    assert all(f"#{n}" in second for n in added[2:]) and f"#{heating}" not in second
    assert (await sophie.press("◀️ Précédent"))[-1].text == first

    # Filters: status, urgency, category.
    assert "Quels incidents" in (await sophie.press("🔎 Statut"))[-1].text
    assert "Ouverts ✓" in sophie.last.button_labels
    resolved = (await sophie.press("✅ Résolu"))[-1].text
    assert "(1)" in resolved and f"#{incident_id(bot, ELECTRICITY_4)}" in resolved
    await sophie.press("🔎 Statut")
    await sophie.press("Tous les statuts")
    await sophie.press("⏱ Urgence")
    urgent = (await sophie.press("🚨 Urgente"))[-1].text
    assert "(1)" in urgent and f"#{elevator}" in urgent and "🚨 Urgente" in urgent
    await sophie.press("⏱ Urgence")
    await sophie.press("Toutes urgences")
    await sophie.press("🗂 Catégorie")
    common = (await sophie.press("🏢 Parties communes"))[-1].text
    assert "(5)" in common and f"#{plumbing} ·" not in common
    await sophie.press("🗂 Catégorie")
    nothing = (await sophie.press("🔊 Nuisances"))[-1].text
    assert "Aucun incident ne correspond" in nothing
    # A forged filter is refused politely.
    sophie.emu.press_data("desk:q:0:bogus:-:-:0")
    await bot.deliver()
    assert "n'est pas possible" in answers(sophie)[-1]
    assert bot.refused() == []


async def test_the_desk_from_the_dashboard_and_the_detail_with_its_history(bot: BotHarness) -> None:
    sophie = await manager(bot)
    heating = incident_id(bot, HEATING_3)
    replies = await sophie.press("🧰 Incidents résidence")
    assert "Incidents — Les Belles Années Lyon (3)" in replies[-1].text
    detail = (await sophie.press(f"#{heating} · 🔥 Chauffage"))[-1].text
    for expected in (
        f"Incident #{heating}",
        "Statut : 🔧 En cours",
        "Signalé par : Jeanne (A12)",
        "Responsable : Sophie",
        "Historique",
        "Signalé par Jeanne",
        "🆕 Nouveau → 🔧 En cours, par Sophie (gestionnaire)",
    ):
        assert expected in detail, expected
    labels = sophie.last.button_labels
    assert "✅ Résolu" in labels and "❌ Rejeter" in labels and "🧰 Prendre en charge" not in labels
    assert "👤 Assigner" in labels and "🔒 Note interne" in labels and "📜 Historique complet" in labels
    full = (await sophie.press("📜 Historique complet"))[-1].text
    assert f"Historique de l'incident #{heating}" in full
    await sophie.press(f"⬅️ Incident #{heating}")
    # Resolving from the detail shows the detail again, up to date.
    replies = await sophie.press("✅ Résolu")
    assert "Statut : ✅ Résolu" in replies[-1].text and "✅ Résolu" not in sophie.last.button_labels[:2]
    queue = (await sophie.press("⬅️ File d'attente"))[-1].text
    assert "(2)" in queue and f"#{heating}" not in queue
    assert bot.refused() == []


async def test_internal_notes_are_never_shown_to_residents(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    plumbing = incident_id(bot, PLUMBING_1)
    await sophie.send("/incidents")
    await sophie.press(f"#{plumbing} · 🚰 Plomberie")
    await sophie.press("🔒 Note interne")
    assert "Seuls les gestionnaires" in sophie.last.text
    assert "au moins 2 caractères" in (await sophie.send("x"))[-1].text
    told_before = len(jeanne.emu.bot_messages)
    replies = await sophie.send("Code de la cave : 4321, voir avec le gardien.")
    assert "Note interne ajoutée" in replies[-1].text
    detail = (await sophie.press(f"⬅️ Incident #{plumbing}"))[-1].text
    assert "🔒 Note interne de Sophie (gestionnaire)" in detail and "Code de la cave : 4321" in detail
    assert len(jeanne.emu.bot_messages) == told_before  # no news for a note
    assert history(bot, plumbing)[-1] == ("note", "Code de la cave : 4321, voir avec le gardien.", True)

    resident_views = [
        await_text(await jeanne.send("/incidents")),
        await_text(await jeanne.press(f"#{plumbing} · 🚰 Plomberie")),
        await_text(await jeanne.press("📜 Historique complet")),
    ]
    for view in resident_views:
        assert "4321" not in view and "Note interne" not in view
    assert bot.refused() == []


def await_text(replies: list[EmuMessage]) -> str:
    return replies[-1].content


async def test_assign_to_myself_or_another_manager_who_is_told(bot: BotHarness) -> None:
    add_manager(bot, "paul@lba.demo", "Paul", lyon_id(bot))
    sophie = await manager(bot)
    paul = await signed_in(bot, 721, "paul@lba.demo", "Paul")
    plumbing = incident_id(bot, PLUMBING_1)
    await sophie.send("/incidents")
    await sophie.press(f"#{plumbing} · 🚰 Plomberie")
    replies = await sophie.press("👤 Assigner")
    assert f"À qui confier l'incident #{plumbing}" in replies[-1].text and "personne" in replies[-1].text
    assert sophie.last.button_labels[:2] == ["🙋 Moi (Sophie)", "👤 Paul"]
    replies = await sophie.press("👤 Paul")
    assert "Responsable : Paul" in replies[-1].text and "confié à Paul" in answers(sophie)[-1]
    assert f"Sophie vous a confié l'incident #{plumbing}" in paul.last.text
    await paul.press("📂 Détails")
    assert "Responsable : Paul" in paul.last.text and "👤 Confié à Paul par Sophie (gestionnaire)" in paul.last.text
    await sophie.press("👤 Assigner")
    assert "👤 Paul ✓" in sophie.last.button_labels
    await sophie.press("👤 Paul ✓")
    assert "déjà confié à Paul" in answers(sophie)[-1]
    # A forged assignee who is not a manager of the residence is refused.
    with db(bot) as s:
        resident = s.scalar(sa.select(User.id).where(User.email == "resident2@lba.demo"))
    sophie.emu.press_data(f"desk:ag:{plumbing}:{resident}")
    await bot.deliver()
    assert "n'est pas gestionnaire" in answers(sophie)[-1]
    await sophie.press("🙋 Moi (Sophie)")
    assert "Responsable : Sophie" in sophie.last.text
    assert count(bot, IncidentHistory, IncidentHistory.incident_id == plumbing, IncidentHistory.kind == "assigned") == 2
    assert bot.refused() == []


async def test_photos_from_the_detail(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    number = await report_hall(bot, jeanne, photo=True)
    await sophie.press("📂 Détails", message_id=alert_of(sophie, number).message_id)
    sent = await sophie.press("🖼 Photos (1)")
    assert [m.kind for m in sent] == ["photo"] and "photo 1/1" in (sent[0].caption or "")
    assert bot.refused() == []


async def test_an_admin_picks_a_residence_or_sees_them_all(bot: BotHarness) -> None:
    alain = await signed_in(bot, 722, "admin@lba.demo", "Alain")
    replies = await alain.send("/incidents")
    assert "Choisissez une résidence" in replies[-1].text
    labels = alain.last.button_labels
    assert "🏢 Les Belles Années Lyon · 3 ouvert(s) · 🚨 1" in labels and "🌐 Toutes les résidences" in labels
    everywhere = (await alain.press("🌐 Toutes les résidences"))[-1].text
    assert "toutes les résidences (4)" in everywhere and "🏢 Les Belles Années Bordeaux" in everywhere
    await alain.press("🏢 Résidences")
    lyon = (await alain.press("🏢 Les Belles Années Lyon · 3 ouvert(s) · 🚨 1"))[-1].text
    assert "Les Belles Années Lyon (3)" in lyon
    locksmith = incident_id(bot, LOCKSMITH_5)
    alain.emu.press_data(f"desk:tk:{locksmith}:d")
    await bot.deliver()
    assert incident(bot, locksmith).status == IncidentStatus.TAKEN
    assert "Pris en charge" in alain.last.text
    assert bot.refused() == []


async def test_stale_and_malformed_desk_buttons_are_answered_politely(bot: BotHarness) -> None:
    sophie = await manager(bot)
    await sophie.send("/incidents")
    for data in ("desk:zzz:1", "desk:o:abc", "desk:tk:99999", "desk:q:1", "desk:f:z:0:open:-:-", "desk:h:1"):
        sophie.emu.press_data(data)
        await bot.deliver()
        assert answers(sophie)[-1], data
    sophie.emu.press_data("desk:tk:99999")
    await bot.deliver()
    assert "n'existe pas ou ne vous est pas accessible" in answers(sophie)[-1]
    assert bot.refused() == []


# --- English --------------------------------------------------------------------------------------


async def test_an_english_manager_gets_the_alert_and_the_desk_in_english(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 723, "manager@lba.demo", "Sophie", language_code="en")
    jeanne = await jeanne_(bot)
    number = await report_hall(bot, jeanne)
    alert = sophie.last
    assert f"New incident #{number}" in alert.text and "🏢 Common areas" in alert.text
    assert alert.button_labels == [
        "🧰 Take charge",
        "🔧 In progress",
        "✅ Resolved",
        "❌ Reject",
        "💬 Comment",
        "📂 Details",
    ]
    await sophie.press("🧰 Take charge", message_id=alert.message_id)
    assert "Taken on by Sophie, Tuesday 24 November at 10:00" in alert_text(sophie, alert)
    assert "Nouveau statut : 🧰 Pris en charge" in jeanne.last.text  # Jeanne reads French
    await sophie.press("❌ Reject", message_id=alert.message_id)
    assert "Give the reason" in sophie.last.text
    assert "at least 3 characters" in (await sophie.send("no"))[-1].text
    await sophie.send("Not a residence matter.")
    assert "rejected" in sophie.last.text and "Reason for rejection: Not a residence matter." in alert_text(
        sophie, alert
    )
    queue = (await sophie.send("/incidents"))[-1].text
    assert "Incidents — Les Belles Années Lyon (3)" in queue and "oldest first" in queue and "Open" in queue
    assert bot.refused() == []


async def test_the_managers_group_reads_the_language_of_the_manager_who_linked_it(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 724, "manager@lba.demo", "Sophie", language_code="en")
    managers = link_group(bot, MANAGERS_CHAT, GroupKind.MANAGERS, "Managers Lyon", sophie)
    await bot.deliver()
    jeanne = await jeanne_(bot)
    number = await report_hall(bot, jeanne)
    card = managers.last_bot_message
    assert card is not None and f"New incident #{number}" in card.content
    with db(bot) as s:
        row = s.scalar(sa.select(OutboxMessage).where(OutboxMessage.chat_id == MANAGERS_CHAT))
        assert row is not None and row.payload["lang"] == "en"
    assert bot.refused() == []


async def test_a_reason_asked_from_the_group_survives_a_restart(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    managers = link_group(bot, MANAGERS_CHAT, GroupKind.MANAGERS, "Gestion Lyon", sophie)
    await bot.deliver()
    number = await report_hall(bot, jeanne)
    card = managers.last_bot_message
    assert card is not None
    managers.press(sophie.emu, "❌ Rejeter", message_id=card.message_id)
    await bot.deliver()
    await bot.restart()
    assert "au moins 3 caractères" in (await sophie.send("ok"))[-1].text
    await sophie.send("Signalé au syndic de copropriété.")
    assert incident(bot, number).status == IncidentStatus.REJECTED
    assert "Rejeté par Sophie" in (card.text or "") and "syndic de copropriété" in (card.text or "")
    assert bot.refused() == []


async def test_an_old_alert_of_a_withdrawn_incident_says_so(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    number = await report_hall(bot, jeanne)
    alert = alert_of(sophie, number)
    await jeanne.send("/incidents")
    await jeanne.press(f"#{number} · 🏢 Parties communes")
    await jeanne.press("↩️ Retirer mon signalement")
    await jeanne.press("Oui, le retirer")
    await sophie.press("✅ Résolu", message_id=alert.message_id)
    assert "déjà clos (↩️ Retiré)" in answers(sophie)[-1]
    assert "Retiré par Jeanne" in alert_text(sophie, alert) and "Statut : ↩️ Retiré" in alert_text(sophie, alert)
    assert alert_buttons(sophie, alert) == ["💬 Commenter", "📂 Détails"]
    assert incident(bot, number).status == IncidentStatus.WITHDRAWN
    assert bot.refused() == []
