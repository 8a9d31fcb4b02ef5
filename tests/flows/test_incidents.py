"""Reporting and following incidents as residents would: /signaler, /incidents, and the managers' alerts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.emulator import sample_png
from models import (
    HistoryKind,
    Incident,
    IncidentFollower,
    IncidentHistory,
    IncidentPhoto,
    IncidentStatus,
    PointsEntry,
    StoredFile,
    Urgency,
    User,
)
from models.db import unit_of_work
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

PLUMBING_1 = "Le robinet de la cuisine goutte sans arrêt."
ELEVATOR_2 = "L'ascenseur s'arrête entre deux étages."
HEATING_3 = "Le radiateur de la chambre reste froid."
ELECTRICITY_4 = "Deux ampoules grillées dans le couloir."
LOCKSMITH_5 = "La serrure de la porte d'entrée force."


@contextmanager
def db(bot: BotHarness) -> Iterator[Session]:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        yield session


def incident_id(bot: BotHarness, description: str) -> int:
    with db(bot) as s:
        found = s.scalar(sa.select(Incident.id).where(Incident.description == description))
    assert found is not None, description
    return found


def incident(bot: BotHarness, number: int) -> Incident:
    with db(bot) as s:
        row = s.get(Incident, number)
        assert row is not None
        s.expunge(row)
        return row


def count(bot: BotHarness, model: type, *where: object) -> int:
    with db(bot) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def answers(user: TgUser) -> list[str]:
    """The pop-ups a user got in answer to button presses."""
    return [a["text"] or "" for a in user.emu.callback_answers]


async def signed_in(bot: BotHarness, telegram_id: int, email: str, name: str, **kwargs: object) -> TgUser:
    user = bot.user(telegram_id, name, **kwargs)  # type: ignore[arg-type]
    await sign_in(user, email)
    return user


async def manager(bot: BotHarness) -> TgUser:
    return await signed_in(bot, 700, "manager@lba.demo", "Sophie")


async def jeanne_(bot: BotHarness, telegram_id: int = 701, **kwargs: object) -> TgUser:
    return await signed_in(bot, telegram_id, "resident1@lba.demo", "Jeanne", **kwargs)


async def marcel_(bot: BotHarness, telegram_id: int = 702) -> TgUser:
    return await signed_in(bot, telegram_id, "resident2@lba.demo", "Marcel")


async def lucienne_(bot: BotHarness, telegram_id: int = 703) -> TgUser:
    return await signed_in(bot, telegram_id, "resident3@lba.demo", "Lucienne")


async def fill_report(
    user: TgUser,
    *,
    category: str = "💡 Électricité",
    place: str = "🏠 Mon appartement (A12)",
    typed_place: str | None = None,
    description: str = "La prise du salon fait des étincelles.",
    urgency: str = "🟡 Normale",
    start: str = "/signaler",
) -> None:
    """Answers every step up to the summary (no photos)."""
    await user.send(start)
    await user.press(category)
    if typed_place is not None:
        await user.send(typed_place)
    else:
        await user.press(place)
    await user.send(description)
    await user.press(urgency)
    replies = await user.press("⏭ Passer")
    assert "Récapitulatif" in replies[-1].text


async def open_incident(user: TgUser, number: int) -> str:
    await user.send("/incidents")
    replies = await user.press(f"#{number} · " + _category_of(user, number))
    return replies[-1].text


def _category_of(user: TgUser, number: int) -> str:
    for label in user.last.button_labels:
        if label.startswith(f"#{number} · "):
            return label.split(" · ", 1)[1]
    raise AssertionError(f"incident #{number} not in the list: {user.last.button_labels}")


# --- /signaler ---------------------------------------------------------------------------------


async def test_report_from_the_command_files_it_pays_points_and_alerts_the_manager(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    replies = await jeanne.send("/signaler")
    assert "Signaler un incident" in replies[-1].text
    labels = jeanne.last.button_labels
    for category in ("🚰 Plomberie", "💡 Électricité", "🔥 Chauffage", "🛗 Ascenseur", "🔑 Serrurerie"):
        assert category in labels
    assert "🏢 Parties communes" in labels and "🔊 Nuisances" in labels and "❓ Autre" in labels

    replies = await jeanne.press("💡 Électricité")
    assert "Où se situe le problème" in replies[-1].text
    labels = jeanne.last.button_labels
    assert labels[0] == "🏠 Mon appartement (A12)"
    for place in ("Hall d'entrée", "Couloirs", "Ascenseur", "Escaliers", "Parking", "Jardin", "Laverie"):
        assert place in labels
    assert "Salle commune" in labels

    assert "Décrivez le problème" in (await jeanne.press("🏠 Mon appartement (A12)"))[-1].text
    assert "Quelle est l'urgence" in (await jeanne.send("La prise du salon fait des étincelles."))[-1].text
    assert jeanne.last.button_labels[:3] == ["🟢 Faible", "🟡 Normale", "🚨 Urgente"]
    assert "jusqu'à 5 photos" in (await jeanne.press("🚨 Urgente"))[-1].text
    summary = (await jeanne.press("⏭ Passer"))[-1].text
    for expected in ("💡 Électricité", "Appartement A12", "🚨 Urgente", "Photos : 0", "fait des étincelles"):
        assert expected in summary, expected
    assert jeanne.last.button_labels == ["✅ Confirmer", "✏️ Modifier", "✖️ Annuler"]

    done = (await jeanne.press("✅ Confirmer"))[-1].text
    number = incident_id(bot, "La prise du salon fait des étincelles.")
    assert f"Incident #{number} enregistré" in done and "+5 points" in done
    row = incident(bot, number)
    assert (row.status, row.urgency, row.location, row.in_private_unit) == (
        IncidentStatus.NEW,
        Urgency.URGENT,
        "Appartement A12",
        True,
    )
    assert count(bot, IncidentHistory, IncidentHistory.incident_id == number, IncidentHistory.kind == "created") == 1
    assert count(bot, PointsEntry, PointsEntry.ref == f"incident:{number}", PointsEntry.rule == "incident_reported")

    alert = sophie.last.text
    assert f"INCIDENT URGENT #{number}" in alert and "🚨" in alert
    for expected in ("💡 Électricité", "Appartement A12", "Jeanne (A12)", "fait des étincelles"):
        assert expected in alert, expected
    assert "Mes incidents en cours : 3" in (await jeanne.send("/menu"))[-1].text
    assert bot.refused() == []


async def test_report_from_the_dashboard_button_with_a_typed_place_and_photos(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    await jeanne.press("🛠 Signaler")
    await jeanne.press("🏢 Parties communes")
    assert "Décrivez" in (await jeanne.send("Local à vélos, sous-sol"))[-1].text
    await jeanne.send("La porte du local à vélos ne ferme plus à clé.")
    await jeanne.press("🟢 Faible")
    photo = sample_png(8, 6)
    assert "Photo 1/5 reçue" in (await jeanne.send_photo(photo))[-1].text
    assert jeanne.last.button_labels[0] == "✅ Terminé"
    image_file = sample_png(3, 3, rgb=(1, 2, 3))
    jeanne.emu.send_document(image_file, "porte.png", "image/png")
    await bot.deliver()
    assert "Photo 2/5 reçue" in jeanne.last.text
    summary = (await jeanne.press("✅ Terminé"))[-1].text
    assert "Local à vélos, sous-sol" in summary and "Photos : 2" in summary
    await jeanne.press("✅ Confirmer")

    number = incident_id(bot, "La porte du local à vélos ne ferme plus à clé.")
    with db(bot) as s:
        stored = s.execute(
            sa.select(StoredFile.content, StoredFile.telegram_file_id, StoredFile.mime_type, StoredFile.filename)
            .join(IncidentPhoto, IncidentPhoto.file_id == StoredFile.id)
            .where(IncidentPhoto.incident_id == number)
            .order_by(IncidentPhoto.id)
        ).all()
        row = s.get(Incident, number)
        assert row is not None and row.location == "Local à vélos, sous-sol" and not row.in_private_unit
    assert [(c, m, f) for c, _, m, f in stored] == [(photo, "image/jpeg", ""), (image_file, "image/png", "porte.png")]
    assert all(file_id for _, file_id, _, _ in stored)
    # The manager's alert carries the first image (a Telegram photo here) and says how many there are.
    assert sophie.last.kind == "photo"
    assert f"Nouvel incident #{number}" in sophie.last.content and "Photos : 2" in sophie.last.content
    assert "🧰 Prendre en charge" in sophie.last.button_labels

    # The resident sees them again from the incident: the photo as a photo, the file as a file.
    await open_incident(jeanne, number)
    sent = await jeanne.press("🖼 Voir les photos (2)")
    assert [m.kind for m in sent] == ["photo", "document"]
    assert "photo 1/2" in (sent[0].caption or "")
    assert bot.refused() == []


async def test_each_step_asks_again_on_bad_input(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    await jeanne.send("/signaler")
    assert "Choisissez avec les boutons" in (await jeanne.send("plomberie"))[-1].text
    place_question = (await jeanne.press("🚰 Plomberie"))[-1]
    assert "au moins 3 caractères" in (await jeanne.send("ab"))[-1].text
    assert "200 caractères au plus" in (await jeanne.send("x" * 201))[-1].text
    assert "J'attends le lieu" in (await jeanne.send_sticker())[-1].text
    assert "Décrivez" in (await jeanne.send("Cave n°3"))[-1].text

    # A button of an earlier step does nothing but say so.
    await jeanne.press("Parking", message_id=place_question.message_id)
    assert "ne correspond plus à l'étape en cours" in answers(jeanne)[-1]
    assert "au moins 10 caractères" in (await jeanne.send("fuite"))[-1].text
    assert "1000 caractères au plus (vous en avez écrit 1001)" in (await jeanne.send("y" * 1001))[-1].text
    assert "réponse écrite" in (await jeanne.send_sticker())[-1].text
    assert "urgence" in (await jeanne.send("Un tuyau fuit dans la cave numéro 3."))[-1].text
    assert "Choisissez avec les boutons" in (await jeanne.send("urgent"))[-1].text
    await jeanne.press("🟡 Normale")

    assert "J'attends une photo" in (await jeanne.send_sticker())[-1].text
    assert "J'attends une photo" in (await jeanne.send("voici"))[-1].text
    jeanne.emu.send_document(b"%PDF-1.4 facture", "facture.pdf", "application/pdf")
    await bot.deliver()
    assert "n'est pas une image" in jeanne.last.text
    huge = sample_png(2, 2) + b"\0" * (10 * 1024 * 1024 + 1)
    jeanne.emu.send_document(huge, "enorme.png", "image/png")
    await bot.deliver()
    assert "trop lourde : 10 Mo au plus" in jeanne.last.text
    summary = (await jeanne.press("⏭ Passer"))[-1].text
    assert "Cave n°3" in summary and "Photos : 0" in summary
    assert "Choisissez avec les boutons" in (await jeanne.send("oui"))[-1].text
    await jeanne.press("✅ Confirmer")
    assert count(bot, Incident, Incident.location == "Cave n°3") == 1
    assert bot.refused() == []


async def test_five_photos_at_most_then_the_summary(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    await jeanne.send("/signaler")
    await jeanne.press("🔊 Nuisances")
    await jeanne.press("Jardin")
    await jeanne.send("Des travaux bruyants tous les soirs dans le jardin.")
    await jeanne.press("🟢 Faible")
    for n in range(1, 5):
        assert f"Photo {n}/5 reçue" in (await jeanne.send_photo(sample_png(n, n)))[-1].text
    replies = await jeanne.send_photo(sample_png(5, 5))
    assert "c'est le maximum" in replies[0].text and "Photos : 5" in replies[-1].text
    await jeanne.press("✅ Confirmer")
    number = incident_id(bot, "Des travaux bruyants tous les soirs dans le jardin.")
    assert count(bot, IncidentPhoto, IncidentPhoto.incident_id == number) == 5


async def test_annuler_mid_flow_files_nothing(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    before = count(bot, Incident)
    dashboard = jeanne.last
    await jeanne.send("/signaler")
    await jeanne.press("🔥 Chauffage")
    await jeanne.press("Couloirs")
    assert "au milieu d'une démarche" in (await jeanne.send("/incidents"))[-1].text
    await jeanne.press("🛠 Signaler", message_id=dashboard.message_id)
    assert "déjà en cours" in answers(jeanne)[-1]
    assert "c'est annulé" in (await jeanne.send("/annuler"))[-1].text
    # Outside the flow, the same words only get the assistant's offer: nothing is filed.
    assert "Je peux préparer un signalement" in (await jeanne.send("Il fait froid dans le couloir."))[0].text
    # The button on the summary's keyboard leaves too.
    await fill_report(jeanne)
    assert "c'est annulé" in (await jeanne.press("✖️ Annuler"))[-1].text
    assert count(bot, Incident) == before
    assert bot.refused() == []


async def test_modifier_changes_one_answer_and_comes_back_to_the_summary(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    await fill_report(jeanne, description="La lumière du palier clignote.", place="Escaliers")
    replies = await jeanne.press("✏️ Modifier")
    assert "Que voulez-vous modifier" in replies[-1].text
    assert jeanne.last.button_labels == ["Catégorie", "Lieu", "Description", "Urgence", "Photos", "⬅️ Retour"]
    await jeanne.press("Description")
    assert "au moins 10" in (await jeanne.send("court"))[-1].text
    summary = (await jeanne.send("La lumière de l'escalier B clignote le soir."))[-1].text
    assert "Récapitulatif" in summary and "escalier B clignote" in summary and "Escaliers" in summary
    await jeanne.press("✏️ Modifier")
    await jeanne.press("Urgence")
    summary = (await jeanne.press("🟢 Faible"))[-1].text
    assert "🟢 Faible" in summary and "escalier B clignote" in summary
    await jeanne.press("✏️ Modifier")
    await jeanne.press("Lieu")
    summary = (await jeanne.press("Hall d'entrée"))[-1].text
    assert "Hall d'entrée" in summary and "🟢 Faible" in summary
    await jeanne.press("✏️ Modifier")
    await jeanne.press("Photos")
    await jeanne.send_photo(sample_png(2, 2))
    assert "Photos : 1" in (await jeanne.press("✅ Terminé"))[-1].text
    await jeanne.press("✏️ Modifier")
    assert "Récapitulatif" in (await jeanne.press("⬅️ Retour"))[-1].text
    await jeanne.press("✏️ Modifier")
    await jeanne.press("Catégorie")
    summary = (await jeanne.press("🏢 Parties communes"))[-1].text
    assert "🏢 Parties communes" in summary
    await jeanne.press("✅ Confirmer")
    row = incident(bot, incident_id(bot, "La lumière de l'escalier B clignote le soir."))
    assert (row.category.value, row.location, row.urgency) == ("common_areas", "Hall d'entrée", Urgency.LOW)
    assert bot.refused() == []


async def test_a_restart_mid_report_resumes_it(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    await jeanne.send("/signaler")
    await jeanne.press("🚰 Plomberie")
    await jeanne.press("Laverie")
    await bot.restart()
    assert "urgence" in (await jeanne.send("La machine numéro 2 fuit par le bas."))[-1].text


# --- similar incidents -------------------------------------------------------------------------


async def test_similar_incident_joined_instead_of_a_duplicate(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    elevator = incident_id(bot, ELEVATOR_2)
    before = count(bot, Incident)
    await fill_report(
        jeanne, category="🛗 Ascenseur", place="Ascenseur", description="L'ascenseur est bloqué entre deux étages !"
    )
    replies = await jeanne.press("✅ Confirmer")
    similar = replies[-1].text
    assert "peut-être déjà signalé" in similar and f"#{elevator}" in similar and "Ascenseur bâtiment B" in similar
    assert "s'arrête entre deux étages" in similar
    assert jeanne.last.button_labels == [
        f"✅ C'est le même problème (#{elevator})",
        "➕ Non, c'est un autre problème",
        "✖️ Annuler",
    ]
    replies = await jeanne.press(f"✅ C'est le même problème (#{elevator})")
    assert f"vous suivez l'incident #{elevator}" in replies[-1].text
    assert count(bot, Incident) == before
    assert count(bot, IncidentFollower, IncidentFollower.incident_id == elevator) == 1
    assert count(bot, IncidentHistory, IncidentHistory.incident_id == elevator, IncidentHistory.kind == "joined") == 1

    # It is among her incidents, marked as followed, with its history in her words.
    await jeanne.send("/incidents")
    assert f"#{elevator} · 🛗 Ascenseur · 🧰 Pris en charge" in jeanne.last.text and "👥 suivi" in jeanne.last.text
    detail = (await jeanne.press(f"#{elevator} · 🛗 Ascenseur"))[-1].text
    assert "Vous suivez cet incident" in detail and "Vous avez rejoint ce signalement" in detail
    assert "Statut : 🆕 Nouveau → 🧰 Pris en charge" in detail
    labels = jeanne.last.button_labels
    assert "🚪 Ne plus suivre" in labels and "↩️ Retirer mon signalement" not in labels

    # Joining twice is refused politely, and "another problem" still files hers.
    await fill_report(
        jeanne, category="🛗 Ascenseur", place="Ascenseur", description="L'ascenseur fait un bruit entre deux étages."
    )
    await jeanne.press("✅ Confirmer")
    await jeanne.press(f"✅ C'est le même problème (#{elevator})")
    assert f"Vous suivez déjà l'incident #{elevator}" in answers(jeanne)[-1]
    replies = await jeanne.press("➕ Non, c'est un autre problème")
    assert "enregistré" in replies[-1].text
    assert count(bot, Incident) == before + 1
    assert bot.refused() == []


async def test_joining_ones_own_incident_is_refused(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    plumbing = incident_id(bot, PLUMBING_1)
    await fill_report(jeanne, category="🚰 Plomberie", description="Le robinet de la salle de bain goutte aussi.")
    similar = (await jeanne.press("✅ Confirmer"))[-1].text
    assert f"#{plumbing}" in similar and "votre signalement" in similar
    # Her own report is not offered to "join": the button says she already reported it.
    assert f"✅ C'est le même problème (#{plumbing})" not in [label for row in jeanne.emu.buttons() for label, _ in row]
    # Forged "same" on her own incident is refused by the service, and she stays on the choice.
    jeanne.emu.press_data(f"inc:r:same:{plumbing}")
    await bot.deliver()
    assert "C'est votre propre signalement" in answers(jeanne)[-1]
    # Forged: an incident of another residence, or someone's apartment, is not joinable either.
    locksmith = incident_id(bot, LOCKSMITH_5)
    jeanne.emu.press_data(f"inc:r:same:{locksmith}")
    await bot.deliver()
    assert "n'existe pas ou ne vous est pas accessible" in answers(jeanne)[-1]
    assert count(bot, IncidentFollower) == 0
    before = count(bot, Incident)
    replies = await jeanne.press(f"✅ Je l'ai déjà signalé (#{plumbing})")
    assert "pas de doublon" in replies[-1].text and count(bot, Incident) == before
    assert bot.refused() == []


async def test_a_neighbours_apartment_incident_is_never_offered(bot: BotHarness) -> None:
    marcel = await marcel_(bot)
    await fill_report(
        marcel,
        category="🚰 Plomberie",
        place="🏠 Mon appartement (B04)",
        description="Le robinet de la cuisine goutte sans arrêt.",
    )
    replies = await marcel.press("✅ Confirmer")
    assert "enregistré" in replies[-1].text  # no "similar" step: Jeanne's kitchen is hers


# --- /incidents --------------------------------------------------------------------------------


async def test_incidents_lists_mine_newest_first_and_pages(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    plumbing, heating = incident_id(bot, PLUMBING_1), incident_id(bot, HEATING_3)
    text = (await jeanne.send("/incidents"))[-1].text
    assert "Mes incidents (2)" in text
    assert text.index(f"#{plumbing} · 🚰 Plomberie · 🆕 Nouveau") < text.index(f"#{heating} · 🔥 Chauffage")
    assert "🔧 En cours" in text and "novembre" in text
    assert f"#{incident_id(bot, ELEVATOR_2)}" not in text  # Marcel's

    for place, noise in (
        ("Jardin", "Aboiements nocturnes incessants."),
        ("Parking", "Klaxons répétés vers minuit."),
        ("Laverie", "Machine bruyante après 22 heures."),
        ("Couloirs", "Musique forte chaque samedi."),
        ("Escaliers", "Perceuse utilisée dès l'aube."),
    ):
        await fill_report(jeanne, description=noise, category="🔊 Nuisances", place=place)
        await jeanne.press("✅ Confirmer")
        bot.clock.advance(minutes=1)
    first = (await jeanne.send("/incidents"))[-1].text
    assert "Mes incidents (7)" in first
    assert first.count("\n#") == 5 and f"#{heating}" not in first
    second = (await jeanne.press("Suivant ▶️"))[-1].text
    assert f"#{plumbing}" in second and f"#{heating}" in second
    assert (await jeanne.press("◀️ Précédent"))[-1].text == first
    assert bot.refused() == []


async def test_incidents_from_the_dashboard_and_an_empty_list(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    replies = await jeanne.press("📋 Mes incidents")
    assert "Mes incidents (2)" in replies[-1].text
    sophie = await manager(bot)
    replies = await sophie.press("📋 Mes incidents")  # /incidents is the desk for a manager
    assert "aucun incident" in replies[-1].text
    replies = await sophie.press("🛠 Signaler un incident")
    assert "De quel type de problème" in replies[-1].text
    assert bot.refused() == []


async def test_comment_on_an_open_incident_reaches_the_manager(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    plumbing = incident_id(bot, PLUMBING_1)
    detail = await open_incident(jeanne, plumbing)
    assert f"Incident #{plumbing}" in detail and "goutte sans arrêt" in detail and "Incident signalé" in detail
    await jeanne.press("💬 Commenter")
    assert "Écrivez votre commentaire" in jeanne.last.text
    assert "au moins 2" in (await jeanne.send("x"))[-1].text
    assert "réponse écrite" in (await jeanne.send_sticker())[-1].text
    replies = await jeanne.send("C'est pire ce matin, <b>vite</b> svp")
    assert "Commentaire ajouté" in replies[-1].text
    alert = sophie.last.text
    assert f"Incident #{plumbing}" in alert and "nouveau commentaire de Jeanne (A12)" in alert
    assert "<b>vite</b>" in alert  # shown as typed
    detail = (await jeanne.press(f"⬅️ Incident #{plumbing}"))[-1].text
    assert "💬 vous" in detail and "C'est pire ce matin" in detail
    with db(bot) as s:
        comment = s.scalar(
            sa.select(IncidentHistory).where(
                IncidentHistory.incident_id == plumbing, IncidentHistory.kind == HistoryKind.COMMENT
            )
        )
        assert comment is not None and not comment.internal
    assert bot.refused() == []


async def test_add_a_photo_to_an_open_incident(bot: BotHarness) -> None:
    sophie = await manager(bot)
    jeanne = await jeanne_(bot)
    heating = incident_id(bot, HEATING_3)
    await open_incident(jeanne, heating)
    await jeanne.press("📷 Ajouter une photo")
    assert "J'attends une photo" in (await jeanne.send_sticker())[-1].text
    assert "J'attends une photo" in (await jeanne.send("la voici"))[-1].text
    assert "Photo ajoutée" in (await jeanne.send_photo(sample_png(5, 5)))[-1].text
    assert sophie.last.kind == "photo" and f"Incident #{heating}" in (sophie.last.caption or "")
    detail = (await jeanne.press(f"⬅️ Incident #{heating}"))[-1].text
    assert "Photos : 1" in detail and "📷 Photo ajoutée par vous" in detail
    assert count(bot, IncidentPhoto, IncidentPhoto.incident_id == heating) == 1
    assert bot.refused() == []


async def test_annuler_while_adding_a_comment(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    plumbing = incident_id(bot, PLUMBING_1)
    await open_incident(jeanne, plumbing)
    await jeanne.press("💬 Commenter")
    assert "c'est annulé" in (await jeanne.send("/annuler"))[-1].text
    assert "Commentaire ajouté" not in (await jeanne.send("Un commentaire perdu"))[0].text  # the assistant's
    assert count(bot, IncidentHistory, IncidentHistory.kind == HistoryKind.COMMENT) == 0


async def test_withdraw_after_confirmation_and_followers_are_told(bot: BotHarness) -> None:
    sophie = await manager(bot)
    marcel = await marcel_(bot)
    jeanne = await jeanne_(bot)
    elevator = incident_id(bot, ELEVATOR_2)
    # Jeanne follows Marcel's elevator incident.
    await fill_report(jeanne, category="🛗 Ascenseur", place="Ascenseur", description="Ascenseur bloqué entre étages.")
    await jeanne.press("✅ Confirmer")
    await jeanne.press(f"✅ C'est le même problème (#{elevator})")

    # A follower cannot withdraw, even with a forged button.
    await open_incident(jeanne, elevator)
    jeanne.emu.press_data(f"inc:wdy:{elevator}")
    await bot.deliver()
    assert "ne vous est pas accessible" in answers(jeanne)[-1]
    assert incident(bot, elevator).status == IncidentStatus.TAKEN

    await open_incident(marcel, elevator)
    replies = await marcel.press("↩️ Retirer mon signalement")
    assert "Voulez-vous vraiment retirer" in replies[-1].text
    replies = await marcel.press("Non, le garder")
    assert f"Incident #{elevator}" in replies[-1].text
    assert incident(bot, elevator).status == IncidentStatus.TAKEN
    await marcel.press("↩️ Retirer mon signalement")
    confirm = marcel.last
    replies = await marcel.press("Oui, le retirer")
    assert f"signalement #{elevator} est retiré" in replies[-1].text
    assert incident(bot, elevator).status == IncidentStatus.WITHDRAWN
    withdrawn = IncidentHistory.to_status == IncidentStatus.WITHDRAWN
    assert count(bot, IncidentHistory, IncidentHistory.incident_id == elevator, withdrawn) == 1
    assert f"Incident #{elevator}" in sophie.last.text and "retiré par Marcel (B04)" in sophie.last.text
    assert f"L'incident #{elevator}" in jeanne.last.text and "que vous suiviez a été retiré" in jeanne.last.text

    # Closed now: the old confirmation, pressed again, says so; no more comments or withdrawal.
    marcel.emu.press_data(f"inc:wdy:{elevator}", message_id=confirm.message_id)
    await bot.deliver()
    assert "Cet incident est clos (↩️ Retiré)" in answers(marcel)[-1]
    detail = (await marcel.press(f"⬅️ Incident #{elevator}"))[-1].text
    assert "↩️ Retiré" in detail
    assert "💬 Commenter" not in marcel.last.button_labels
    marcel.emu.press_data(f"inc:com:{elevator}")
    await bot.deliver()
    assert "Cet incident est clos" in answers(marcel)[-1]
    assert bot.refused() == []


async def test_a_follower_may_leave(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    elevator = incident_id(bot, ELEVATOR_2)
    await fill_report(jeanne, category="🛗 Ascenseur", place="Ascenseur", description="Ascenseur bloqué entre étages.")
    await jeanne.press("✅ Confirmer")
    await jeanne.press(f"✅ C'est le même problème (#{elevator})")
    await open_incident(jeanne, elevator)
    replies = await jeanne.press("🚪 Ne plus suivre")
    assert f"ne suivez plus l'incident #{elevator}" in replies[-1].text
    assert count(bot, IncidentFollower) == 0
    assert f"#{elevator}" not in (await jeanne.send("/incidents"))[-1].text
    jeanne.emu.press_data(f"inc:leave:{elevator}")
    await bot.deliver()
    assert "ne vous est pas accessible" in answers(jeanne)[-1]


async def test_rate_a_resolved_incident_once(bot: BotHarness) -> None:
    marcel = await marcel_(bot)
    resolved = incident_id(bot, ELECTRICITY_4)
    detail = await open_incident(marcel, resolved)
    assert "✅ Résolu" in detail and "Notez l'intervention" in detail
    assert marcel.last.button_labels[:5] == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
    rating_message = marcel.last
    replies = await marcel.press("4 ⭐")
    assert "Merci pour votre note (4/5)" in replies[-1].text and "+2 points" in replies[-1].text
    assert incident(bot, resolved).rating == 4
    assert count(bot, IncidentHistory, IncidentHistory.incident_id == resolved, IncidentHistory.kind == "rated") == 1
    assert count(bot, PointsEntry, PointsEntry.rule == "incident_rated") == 1

    marcel.emu.press_data(f"inc:rate:{resolved}:5", message_id=rating_message.message_id)
    await bot.deliver()
    assert "déjà noté" in answers(marcel)[-1]
    assert incident(bot, resolved).rating == 4 and count(bot, PointsEntry, PointsEntry.rule == "incident_rated") == 1
    detail = (await marcel.press(f"⬅️ Incident #{resolved}"))[-1].text
    assert "Votre note : 4/5" in detail and "Résolution notée 4/5" in detail and "1 ⭐" not in marcel.last.button_labels
    # Open incidents cannot be rated.
    elevator = incident_id(bot, ELEVATOR_2)
    marcel.emu.press_data(f"inc:rate:{elevator}:5")
    await bot.deliver()
    assert "n'est pas résolu" in answers(marcel)[-1]
    assert bot.refused() == []


async def test_full_history_pages(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    plumbing = incident_id(bot, PLUMBING_1)
    for n in range(4):
        await open_incident(jeanne, plumbing)
        await jeanne.press("💬 Commenter")
        await jeanne.send(f"Commentaire numéro {n} " + "z" * 900)
        bot.clock.advance(minutes=1)
    detail = await open_incident(jeanne, plumbing)
    assert "Commentaire numéro 3" in detail and "…" in detail and len(detail) < 4096
    first = (await jeanne.press("📜 Historique complet"))[-1].text
    assert "Historique de l'incident" in first and "Incident signalé" in first and "Commentaire numéro 1" in first
    assert "z" * 900 in first
    second = (await jeanne.press("Suivant ▶️"))[-1].text
    assert "Commentaire numéro 2" in second and "Commentaire numéro 3" in second
    assert bot.refused() == []


# --- who may see and do what -------------------------------------------------------------------


async def test_another_resident_or_residence_cannot_see_or_act(bot: BotHarness) -> None:
    lucienne = await lucienne_(bot)
    marcel = await marcel_(bot)
    plumbing = incident_id(bot, PLUMBING_1)
    before = incident(bot, plumbing)
    for user in (lucienne, marcel):
        for data in (
            f"inc:open:{plumbing}",
            f"inc:hist:{plumbing}:0",
            f"inc:pics:{plumbing}",
            f"inc:wd:{plumbing}",
            f"inc:wdy:{plumbing}",
            f"inc:com:{plumbing}",
            f"inc:pho:{plumbing}",
            f"inc:rate:{plumbing}:5",
            f"inc:leave:{plumbing}",
        ):
            user.emu.press_data(data)
            await bot.deliver()
            assert "n'existe pas ou ne vous est pas accessible" in answers(user)[-1], data
    after = incident(bot, plumbing)
    assert (after.status, after.rating) == (before.status, before.rating)
    assert count(bot, IncidentHistory, IncidentHistory.incident_id == plumbing) == 1
    # Forged or malformed data does not crash either.
    for data in ("inc:open:999999", "inc:open:abc", "inc:rate:1", "inc:zzz:1"):
        lucienne.emu.press_data(data)
        await bot.deliver()
    # After a forged comment entry, a text goes to the assistant, not to a comment step.
    assert "Je suis l'assistant" in (await lucienne.send("Bonjour"))[0].text
    assert bot.refused() == []


async def test_a_stale_report_button_gets_a_fresh_menu(bot: BotHarness) -> None:
    jeanne = await jeanne_(bot)
    await fill_report(jeanne)
    summary = jeanne.last
    await jeanne.press("✅ Confirmer")
    jeanne.emu.press_data("inc:r:ok", message_id=summary.message_id)
    await bot.deliver()
    assert any("Ce menu a expiré" in text for text in jeanne.texts())
    assert "Bonjour Jeanne" in jeanne.last.text
    assert count(bot, Incident, Incident.description == "La prise du salon fait des étincelles.") == 1
    assert bot.refused() == []


async def test_english_resident_reports_in_english(bot: BotHarness) -> None:
    sophie = await manager(bot)
    john = await jeanne_(bot, 704, language_code="en")
    replies = await john.send("/report")
    assert "Report an incident" in replies[-1].text and "🚰 Plumbing" in john.last.button_labels
    await john.press("🔥 Heating")
    assert "🏠 My apartment (A12)" in john.last.button_labels and "Entrance hall" in john.last.button_labels
    await john.press("Entrance hall")
    assert "at least 10 characters" in (await john.send("cold"))[-1].text
    await john.send("The radiator in the entrance hall is cold.")
    await john.press("🟡 Normal")
    summary = (await john.press("⏭ Skip"))[-1].text
    assert "Your report" in summary and "Place: Entrance hall" in summary
    done = (await john.press("✅ Confirm"))[-1].text
    number = incident_id(bot, "The radiator in the entrance hall is cold.")
    assert f"Incident #{number} recorded" in done and "+5 loyalty points" in done
    assert incident(bot, number).location == "Hall d'entrée"
    assert f"Nouvel incident #{number}" in sophie.last.text  # the manager reads French
    text = (await john.send("/incidents"))[-1].text
    assert "My incidents (3)" in text and "🆕 New" in text and "November" in text
    detail = (await john.press(f"#{number} · 🔥 Heating"))[-1].text
    assert "Place: Entrance hall" in detail and "Incident reported" in detail
    assert bot.refused() == []


async def test_a_manager_without_residence_cannot_report(bot: BotHarness) -> None:
    admin = await signed_in(bot, 705, "admin@lba.demo", "Alain")
    with db(bot) as s:
        assert s.scalar(sa.select(User.residence_id).where(User.email == "admin@lba.demo")) is None
    replies = await admin.send("/signaler")
    assert "aucune résidence" in replies[-1].text
    assert "De quel type" not in replies[-1].text
