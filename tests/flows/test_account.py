"""/compte as residents use it: profile and preferences, points, documents, the residence certificate."""

from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.emulator.core import EmuMessage
from models import Document, StoredFile, User
from models.db import unit_of_work
from services import account, points
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser
from tests.unit.test_services_account import me_by_email, pdf_text, user_id

JEANNE, MARCEL, LUCIENNE = "resident1@lba.demo", "resident2@lba.demo", "resident3@lba.demo"
MANAGER, ADMIN = "manager@lba.demo", "admin@lba.demo"


def sessions_of(bot: BotHarness) -> sessionmaker[Session]:
    return bot.app.bot_data["lba.runtime"].sessions  # type: ignore[union-attr,no-any-return]


def account_row(bot: BotHarness, email: str) -> User:
    with unit_of_work(sessions_of(bot)) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        return user


def file_for(bot: BotHarness, resident: str, title: str, content: bytes = b"%PDF-1.4 quittance") -> int:
    """What the managers' tools (a later issue) will do: file a document through the service."""
    with unit_of_work(sessions_of(bot)) as s:
        item = account.file_document(
            s,
            me_by_email(s, MANAGER),
            user_id(s, resident),
            title,
            content,
            f"{title.lower().replace(' ', '-')}.pdf",
            "application/pdf",
            bot.clock(),
        )
    return item.id


async def signed_in(bot: BotHarness, telegram_id: int, email: str = JEANNE, **kwargs: str) -> TgUser:
    user = bot.user(telegram_id, kwargs.pop("first_name", "Jeanne"), **kwargs)
    await sign_in(user, email)
    return user


def labels(user: TgUser, message: EmuMessage | None = None) -> list[str]:
    return [label for row in user.emu.buttons(message) for label, _ in row]


def documents_sent(user: TgUser) -> list[EmuMessage]:
    return [m for m in user.emu.bot_messages if m.document]


# --- the profile ---------------------------------------------------------------------------------


async def test_compte_shows_my_profile_and_preferences(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 701)
    replies = await jeanne.send("/compte")
    assert len(replies) == 1
    text = replies[0].text
    for expected in (
        "Mon compte",
        "Nom : Jeanne Dupont",
        "E-mail : resident1@lba.demo",
        "Résidence : Les Belles Années Lyon",
        "Appartement : A12",
        "Téléphone : +33 6 12 34 56 01",
        "Langue : Français",
        "Points fidélité : ⭐ 0",
        "Heures calmes : aucune",
        "Rappels de réservation : activés",
    ):
        assert expected in text, expected
    assert labels(jeanne) == [
        "📞 Téléphone",
        "🌐 Langue",
        "🌙 Heures calmes",
        "🔕 Couper les rappels",
        "⭐ Mes points",
        "📂 Mes documents",
        "📄 Attestation de résidence",
        "🏠 Menu",
    ]
    # /account is the same command in English.
    assert "Nom : Jeanne Dupont" in (await jeanne.send("/account"))[0].text
    assert bot.refused() == []


async def test_the_dashboard_button_opens_the_account_in_place(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 702)
    dashboard = jeanne.last
    replies = await jeanne.press("👤 Mon compte")
    assert [m.message_id for m in replies] == [dashboard.message_id]
    assert "Mon compte" in replies[0].text and "Appartement : A12" in replies[0].text
    assert "Bientôt" not in " ".join(a.get("text") or "" for a in jeanne.emu.callback_answers)
    # The whole flow works from there, through a restart mid-step.
    assert "Écrivez votre numéro" in (await jeanne.press("📞 Téléphone"))[0].text
    await bot.restart()
    assert "+33 7 55 44 33 22" in (await jeanne.send("+33 7 55 44 33 22"))[0].text
    assert account_row(bot, JEANNE).phone == "+33 7 55 44 33 22"
    replies = await jeanne.press("🏠 Menu")
    assert "Bonjour Jeanne" in replies[0].text
    assert bot.refused() == []


# --- the phone -----------------------------------------------------------------------------------


async def test_phone_is_typed_validated_and_normalised(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 703)
    await jeanne.send("/compte")
    replies = await jeanne.press("📞 Téléphone")
    assert "Écrivez votre numéro" in replies[0].text and "+33 6 12 34 56 01" in replies[0].text
    assert "ne semble pas valide" in (await jeanne.send("mon numéro"))[0].text
    assert "ne semble pas valide" in (await jeanne.send("06 12 34"))[0].text
    assert "trop long" in (await jeanne.send("0" * 41))[0].text
    assert "écrit en texte" in (await jeanne.send_sticker())[0].text
    assert "au milieu d'une démarche" in (await jeanne.send("/menu"))[0].text
    assert account_row(bot, JEANNE).phone == "+33 6 12 34 56 01"
    replies = await jeanne.send("06.98.76.54.32")
    assert "Téléphone enregistré : +33 6 98 76 54 32" in replies[0].text
    assert "Téléphone : +33 6 98 76 54 32" in replies[0].text
    assert account_row(bot, JEANNE).phone == "+33 6 98 76 54 32"
    # The step is over: the next text is not a phone number.
    assert "Je n'ai pas compris" in (await jeanne.send("0611111111"))[0].text
    assert account_row(bot, JEANNE).phone == "+33 6 98 76 54 32"
    assert bot.refused() == []


async def test_international_numbers_and_the_remove_button(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 704)
    await jeanne.send("/compte")
    await jeanne.press("📞 Téléphone")
    assert "+44 20 7946 0958" in (await jeanne.send("+44 20 7946 0958"))[0].text
    ask = (await jeanne.press("📞 Téléphone"))[0]
    replies = await jeanne.press("🗑 Supprimer le numéro")
    assert "Numéro de téléphone supprimé" in replies[0].text and "Téléphone : non renseigné" in replies[0].text
    assert account_row(bot, JEANNE).phone is None
    # With no number there is nothing to remove, so no such button.
    await jeanne.press("📞 Téléphone")
    assert "🗑 Supprimer le numéro" not in labels(jeanne)
    await jeanne.send("/annuler")
    # The remove button of an old message, the step being over, has expired.
    jeanne.emu.press_data("acc:phclr", message_id=ask.message_id)
    await bot.deliver()
    assert "Ce bouton a expiré" in jeanne.last.text and "Mon compte" in jeanne.last.text
    assert bot.refused() == []


async def test_annuler_leaves_the_phone_step(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 705)
    await jeanne.send("/compte")
    await jeanne.press("📞 Téléphone")
    assert "c'est annulé" in (await jeanne.send("/annuler"))[0].text
    replies = await jeanne.send("0699999999")
    assert "Je n'ai pas compris" in replies[0].text
    assert account_row(bot, JEANNE).phone == "+33 6 12 34 56 01"
    assert bot.refused() == []


async def test_another_account_button_leaves_the_phone_step(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 706)
    await jeanne.send("/compte")
    await jeanne.press("📞 Téléphone")
    replies = await jeanne.press("⬅️ Retour")
    assert "Mon compte" in replies[0].text
    assert "Je n'ai pas compris" in (await jeanne.send("0699999999"))[0].text
    # From the dashboard too: its "Mon compte" button works mid-step (never "bientôt").
    dashboard = (await jeanne.send("/menu"))[0]
    profile = (await jeanne.send("/compte"))[0]
    await jeanne.press("📞 Téléphone", message_id=profile.message_id)
    replies = await jeanne.press("👤 Mon compte", message_id=dashboard.message_id)
    assert "Mon compte" in replies[0].text
    assert "Je n'ai pas compris" in (await jeanne.send("0699999999"))[0].text
    assert account_row(bot, JEANNE).phone == "+33 6 12 34 56 01"
    assert bot.refused() == []


# --- notification preferences ----------------------------------------------------------------------


async def test_quiet_hours_are_chosen_with_buttons(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 707)
    await jeanne.send("/compte")
    replies = await jeanne.press("🌙 Heures calmes")
    assert "À partir de quelle heure" in replies[0].text
    assert labels(jeanne) == ["20:00", "21:00", "22:00", "23:00", "Aucune", "⬅️ Retour"]
    replies = await jeanne.press("22:00")
    assert "Jusqu'à quelle heure" in replies[0].text
    assert labels(jeanne) == ["06:00", "07:00", "08:00", "09:00", "⬅️ Retour"]
    replies = await jeanne.press("07:00")
    assert "Heures calmes : de 22:00 à 07:00" in replies[0].text
    row = account_row(bot, JEANNE)
    assert (row.quiet_hours_start, row.quiet_hours_end) == (time(22), time(7))

    # A forged choice nobody offered is refused, the setting kept.
    jeanne.emu.press_data("acc:qh:3:7")
    await bot.deliver()
    assert "Ce bouton a expiré" in jeanne.last.text
    assert account_row(bot, JEANNE).quiet_hours_start == time(22)

    await jeanne.press("🌙 Heures calmes")
    replies = await jeanne.press("Aucune")
    assert "Heures calmes supprimées" in replies[0].text and "Heures calmes : aucune" in replies[0].text
    assert account_row(bot, JEANNE).quiet_hours_start is None
    assert bot.refused() == []


async def test_booking_reminders_are_turned_off_and_on(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 708)
    first = (await jeanne.send("/compte"))[0]
    replies = await jeanne.press("🔕 Couper les rappels")
    assert "Rappels de réservation désactivés" in replies[0].text
    assert "🔔 Activer les rappels" in labels(jeanne)
    assert account_row(bot, JEANNE).booking_reminders is False
    # The same old button again keeps them off: a button sets a value, it does not flip it.
    second = (await jeanne.send("/compte"))[0]
    jeanne.emu.press_data("acc:rem:off", message_id=second.message_id)
    await bot.deliver()
    assert account_row(bot, JEANNE).booking_reminders is False
    replies = await jeanne.press("🔔 Activer les rappels", message_id=first.message_id)
    assert "Rappels de réservation activés" in replies[0].text
    assert account_row(bot, JEANNE).booking_reminders is True
    assert bot.refused() == []


async def test_the_language_button_opens_the_chooser(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 709)
    await jeanne.send("/compte")
    replies = await jeanne.press("🌐 Langue")
    assert "Choisissez votre langue" in replies[-1].text
    await jeanne.press("🇬🇧 English")
    replies = await jeanne.send("/account")
    assert "My account" in replies[0].text and "Language: English" in replies[0].text
    assert "Booking reminders: on" in replies[0].text
    assert bot.refused() == []


# --- points --------------------------------------------------------------------------------------


async def test_points_balance_and_history_paginated(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 710)
    with unit_of_work(sessions_of(bot)) as s:
        uid = user_id(s, JEANNE)
        points.award(s, uid, "welcome", "welcome", bot.clock())
        for n in range(9):
            points.award(s, uid, "incident_reported", f"incident:{n}", bot.clock() + timedelta(days=1, minutes=n))
        points.award(s, uid, "spend", "gift:1", bot.clock() + timedelta(days=2), delta=-15)
        points.award(s, user_id(s, MARCEL), "event_organized", "event:1", bot.clock())
    await jeanne.send("/compte")
    replies = await jeanne.press("⭐ Mes points")
    text = replies[0].text
    assert "Solde : 50 points" in text
    assert "−15 · Autre (spend) · 26 novembre 2026" in text
    assert "+5 · Incident signalé · 25 novembre 2026" in text
    assert "Bienvenue" not in text and "Événement organisé" not in text
    assert labels(jeanne) == ["Suivant ▶️", "⬅️ Retour"]
    replies = await jeanne.press("Suivant ▶️")
    assert "+20 · Bienvenue · 24 novembre 2026" in replies[0].text
    assert replies[0].text.count("Incident signalé") == 2
    assert labels(jeanne) == ["◀️ Précédent", "⬅️ Retour"]
    replies = await jeanne.press("◀️ Précédent")
    assert "−15" in replies[0].text
    replies = await jeanne.press("⬅️ Retour")
    assert "Points fidélité : ⭐ 50" in replies[0].text
    assert bot.refused() == []


async def test_no_points_yet_says_how_to_earn_some(bot: BotHarness) -> None:
    lucienne = await signed_in(bot, 711, LUCIENNE, first_name="Lucienne")
    await lucienne.send("/compte")
    replies = await lucienne.press("⭐ Mes points")
    assert "Solde : 0 points" in replies[0].text and "Pas encore de points" in replies[0].text
    assert bot.refused() == []


# --- documents -----------------------------------------------------------------------------------


async def test_a_filed_document_is_announced_and_downloaded(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 712)
    document_id = file_for(bot, JEANNE, "Quittance novembre", b"%PDF-1.4 quittance de novembre")
    await bot.deliver()  # the notification queued with the document leaves now
    notice = jeanne.last
    assert "Un nouveau document vous attend" in notice.text and "Quittance novembre" in notice.text
    replies = await jeanne.press("📥 Télécharger")
    assert len(replies) == 1 and replies[0].document and replies[0].caption == "📄 Quittance novembre"
    assert replies[0].document_name == "quittance-novembre.pdf"
    assert bot.emu.file(replies[0].document).data == b"%PDF-1.4 quittance de novembre"  # type: ignore[union-attr]
    with unit_of_work(sessions_of(bot)) as s:
        document = s.get(Document, document_id)
        stored = s.get(StoredFile, document.file_id)  # type: ignore[union-attr]
        assert stored is not None and stored.telegram_file_id == replies[0].document
    # A second download sends Telegram's copy again, by its file id.
    again = await jeanne.press("📥 Télécharger", message_id=notice.message_id)
    assert again[0].document == replies[0].document
    assert bot.refused() == []


async def test_a_file_id_telegram_no_longer_knows_falls_back_to_the_bytes(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 721)
    document_id = file_for(bot, JEANNE, "Bail", b"%PDF-1.4 bail")
    with unit_of_work(sessions_of(bot)) as s:
        document = s.get(Document, document_id)
        s.execute(
            sa.update(StoredFile)
            .where(StoredFile.id == document.file_id)  # type: ignore[union-attr]
            .values(telegram_file_id="BQACAgQ-from-another-bot")
        )
    await bot.deliver()
    replies = await jeanne.press("📥 Télécharger")
    assert bot.emu.file(replies[-1].document).data == b"%PDF-1.4 bail"  # type: ignore[union-attr,arg-type]
    assert [call.method.lower() for call in bot.refused()] == ["senddocument"]  # the stale id, then the upload
    with unit_of_work(sessions_of(bot)) as s:
        stored = s.get(StoredFile, s.get(Document, document_id).file_id)  # type: ignore[union-attr]
        assert stored is not None and stored.telegram_file_id == replies[-1].document


async def test_my_documents_are_listed_newest_first_and_paginated(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 713)
    for n in range(6):
        file_for(bot, JEANNE, f"Quittance {n}")
        bot.clock.advance(days=1)
    file_for(bot, MARCEL, "Pour Marcel")
    anchor = (await jeanne.send("/compte"))[0]
    replies = await jeanne.press("📂 Mes documents", message_id=anchor.message_id)
    text = replies[0].text
    assert text.index("1. Quittance 5") < text.index("5. Quittance 1") and "Quittance 0" not in text
    assert "Pour Marcel" not in text
    assert labels(jeanne, anchor)[:2] == ["📥 1. Quittance 5", "📥 2. Quittance 4"]
    replies = await jeanne.press("Suivant ▶️", message_id=anchor.message_id)
    assert "6. Quittance 0" in replies[0].text
    replies = await jeanne.press("📥 6. Quittance 0", message_id=anchor.message_id)
    assert replies[-1].document and replies[-1].caption == "📄 Quittance 0"
    assert bot.refused() == []


async def test_nobody_downloads_someone_elses_document(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 714)
    document_id = file_for(bot, JEANNE, "Bail")
    marcel = await signed_in(bot, 715, MARCEL, first_name="Marcel")
    lucienne = await signed_in(bot, 716, LUCIENNE, first_name="Lucienne")
    for intruder in (marcel, lucienne):
        anchor = (await intruder.send("/compte"))[0]
        intruder.emu.press_data(f"acc:doc:{document_id}", message_id=anchor.message_id)
        await bot.deliver()
        assert "Ce document n'est pas disponible" in intruder.last.text
        assert documents_sent(intruder) == []
        assert intruder.emu.callback_answers[-1]["text"] == "Ce document n'est pas disponible."
    assert documents_sent(jeanne) == []
    assert bot.refused() == []


async def test_stale_and_unknown_buttons_are_answered_politely(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 717)
    anchor = (await jeanne.send("/compte"))[0]
    for data in ("acc:zzz", "acc:doc:abc", "acc:pts:x", "acc:qs:5", "acc"):
        jeanne.emu.press_data(data, message_id=anchor.message_id)
        await bot.deliver()
        assert "Ce bouton a expiré" in jeanne.last.text, data
        assert "Mon compte" in jeanne.last.text
    jeanne.emu.press_data("acc:doc:999999", message_id=anchor.message_id)
    await bot.deliver()
    assert "Ce document n'est pas disponible" in jeanne.last.text
    # A page past the end shows the last page.
    jeanne.emu.press_data("acc:pts:42", message_id=anchor.message_id)
    await bot.deliver()
    assert "Solde : 0 points" in bot.emu.message(jeanne.id, anchor.message_id).text  # type: ignore[union-attr]
    assert bot.refused() == []


# --- the residence certificate -------------------------------------------------------------------


async def test_the_residence_certificate_is_sent_as_pdf_and_kept(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 718)
    await jeanne.send("/compte")
    replies = await jeanne.press("📄 Attestation de résidence")
    assert len(replies) == 1 and replies[0].document
    assert replies[0].document_name == "attestation-residence-2026-11-24.pdf"
    assert "Votre attestation de résidence" in (replies[0].caption or "")
    data = bot.emu.file(replies[0].document).data  # type: ignore[union-attr]
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "ATTESTATION DE RÉSIDENCE" in text
    assert (
        "gestionnaire de la résidence Les Belles Années Lyon, atteste que Jeanne Dupont réside à "
        "12 rue de la République, 69002 Lyon, appartement A12, depuis le 24 novembre 2026." in text
    )
    assert "Fait à Lyon, le 24 novembre 2026" in text
    await jeanne.send("/compte")
    replies = await jeanne.press("📂 Mes documents")
    assert "1. Attestation de résidence du 24 novembre 2026 · 24 novembre 2026" in replies[0].text
    replies = await jeanne.press("📥 1. Attestation de résidence du 24 novembre…")
    assert replies[-1].document == documents_sent(jeanne)[0].document  # the same file, by its Telegram id
    assert bot.refused() == []


async def test_no_certificate_for_an_account_without_residence(bot: BotHarness) -> None:
    alain = await signed_in(bot, 719, ADMIN, first_name="Alain")
    anchor = (await alain.send("/compte"))[0]
    assert "Résidence : Réseau Les Belles Années" in anchor.text
    assert "📄 Attestation de résidence" not in labels(alain)
    alain.emu.press_data("acc:cert", message_id=anchor.message_id)
    await bot.deliver()
    assert "n'est possible que pour un compte rattaché à une résidence" in alain.last.text
    assert documents_sent(alain) == []
    assert bot.refused() == []


# --- English ---------------------------------------------------------------------------------------


async def test_an_english_user_gets_everything_in_english(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 720, MARCEL, first_name="Marcel", language_code="en")
    replies = await marcel.send("/account")
    assert "My account" in replies[0].text and "Quiet hours: none" in replies[0].text
    assert "📞 Phone" in labels(marcel)
    await marcel.press("📞 Phone")
    assert "does not look valid" in (await marcel.send("hello"))[0].text
    assert "Phone saved: +33 7 12 34 56 78" in (await marcel.send("07 12 34 56 78"))[0].text
    await marcel.press("🌙 Quiet hours")
    await marcel.press("21:00")
    assert "Quiet hours: from 21:00 to 08:00" in (await marcel.press("08:00"))[0].text
    replies = await marcel.press("📄 Residence certificate")
    assert "Your residence certificate" in (replies[0].caption or "")
    text = pdf_text(bot.emu.file(replies[0].document).data)  # type: ignore[union-attr,arg-type]
    assert "RESIDENCE CERTIFICATE" in text and "certify that Marcel Bernard lives at" in text
    replies = await marcel.press("⭐ My points")
    assert "My loyalty points" in replies[0].text and "No points yet" in replies[0].text
    file_for(bot, MARCEL, "Lease")
    await bot.deliver()
    assert "A new document is waiting for you" in marcel.last.text and "📥 Download" in labels(marcel)
    assert bot.refused() == []
