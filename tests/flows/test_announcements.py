"""Announcements as managers and residents live them: writing, sending, the report, "J'ai lu", follow-up."""

from __future__ import annotations

import sqlalchemy as sa

from bot.emulator import sample_png
from bot.emulator.core import EmuGroup, EmuMessage
from models import Announcement, AnnouncementAck, AnnouncementStatus, OutboxMessage, Residence, Role, User
from tests.flows.test_groups import BORDEAUX, LYON, add_manager, db, link_as, signed_in
from tests.harness import BotHarness, TgUser

TEXT = "Coupure d'eau jeudi de 9 h à 11 h pour l'entretien des canalisations."
PRIVATE_DATA = ("Jeanne", "Dupont", "A12", "Marcel", "Bernard", "B04", "resident1", "resident2")


def labels(user: TgUser, message: EmuMessage | None = None) -> list[str]:
    return [label for row in user.emu.buttons(message) for label, _ in row]


def announcements(bot: BotHarness) -> list[Announcement]:
    with db(bot) as session:
        rows = list(session.scalars(sa.select(Announcement).order_by(Announcement.id)))
        session.expunge_all()
        return rows


def acks(bot: BotHarness) -> list[tuple[int, str]]:
    with db(bot) as session:
        rows = session.execute(
            sa.select(AnnouncementAck.announcement_id, User.first_name)
            .join(User, User.id == AnnouncementAck.user_id)
            .order_by(User.first_name)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def outbox_kinds(bot: BotHarness, kind: str) -> int:
    with db(bot) as session:
        return session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == kind)) or 0


async def forged(bot: BotHarness, user: TgUser, data: str) -> list[EmuMessage]:
    """A press with data the bot never sent this user."""
    before = len(user.emu.messages)
    message = user.emu.latest_keyboard_message or user.last
    user.emu.press_data(data, message_id=message.message_id)
    await bot.deliver()
    return [m for m in user.emu.messages[before:] if m.from_bot]


async def send_it(bot: BotHarness, author: TgUser, label: str = "📤 Envoyer") -> list[EmuMessage]:
    """Press Envoyer; the sender's next pass then carries the delivery report queued at the batch's end."""
    replies = await author.press(label)
    before = len(author.emu.messages)
    await bot.deliver()
    return replies + [m for m in author.emu.messages[before:] if m.from_bot]


def containing(messages: list[EmuMessage], snippet: str) -> EmuMessage:
    found = [m for m in messages if snippet in m.content]
    assert len(found) == 1, [m.content for m in messages]
    return found[0]


def answers(user: TgUser) -> list[str]:
    return [a["text"] or "" for a in user.emu.callback_answers]


async def lyon(bot: BotHarness, *, admin_group: bool = False) -> tuple[TgUser, TgUser, TgUser, EmuGroup]:
    """Sophie (manager), Jeanne and Marcel signed in, and the residents' group linked."""
    sophie = await signed_in(bot, 1101, "Sophie", "manager@lba.demo")
    jeanne = await signed_in(bot, 1102, "Jeanne", "resident1@lba.demo")
    marcel = await signed_in(bot, 1103, "Marcel", "resident2@lba.demo")
    group = bot.emu.group(-100123, "Résidents Lyon")
    group.add_bot(by=sophie.emu, admin=admin_group)
    await bot.deliver()
    await link_as(bot, group, sophie)
    return sophie, jeanne, marcel, group


async def compose(sophie: TgUser, text: str = TEXT, *, pin: bool = False, ack: bool = False) -> list[EmuMessage]:
    """From /annonce to the preview; returns the preview's messages."""
    await sophie.send("/annonce")
    options = (await sophie.send(text))[-1]
    assert "Options" in options.text
    if pin:
        await sophie.press("⬜ Épingler dans le groupe")
    if ack:
        await sophie.press("⬜ Demander un « J'ai lu »")
    return await sophie.press("Continuer ➡️")


# --- sending ---------------------------------------------------------------------------------------


async def test_an_announcement_reaches_every_linked_resident_and_the_group_and_reports_back(bot: BotHarness) -> None:
    sophie, jeanne, marcel, group = await lyon(bot)
    marcel.emu.block_bot()  # Telegram refuses what is sent to him: he is counted unreachable
    await bot.deliver()
    prompt = (await sophie.send("/annonce"))[-1]
    assert "Nouvelle annonce" in prompt.text and "3500" in prompt.text and "1000" in prompt.text
    assert labels(sophie) == ["📋 Mes annonces", "✖️ Annuler"]
    options = (await sophie.send(TEXT))[-1]
    assert labels(sophie, options) == ["⬜ Épingler dans le groupe", "⬜ Demander un « J'ai lu »", "Continuer ➡️"]
    preview = await sophie.press("Continuer ➡️")
    intro, body, summary = preview[-3:]
    assert "Aperçu" in intro.text
    assert body.text == f"📣 Annonce\n\n{TEXT}" and body.buttons == []
    for expected in (LYON, "joignables en privé : 2", "Groupes des résidents : 1", "Épinglée dans le groupe : Non"):
        assert expected in summary.text, expected
    assert labels(sophie, summary) == ["📤 Envoyer", "✏️ Modifier", "✖️ Annuler"]

    replies = await send_it(bot, sophie)
    assert replies[0].buttons == []  # the summary's buttons are gone: nothing can be sent twice
    confirmation = containing(replies, "Annonce en route")
    assert "Annonce en route vers 2 résident(s) et 1 groupe(s)" in confirmation.text
    assert jeanne.last.text == body.text  # exactly the preview
    assert group.last_bot_message.text == body.text  # type: ignore[union-attr]
    assert not group.last_bot_message.pinned  # type: ignore[union-attr]
    report = containing(replies, "Rapport de distribution")
    assert report is sophie.last or report.message_id == sophie.last.message_id
    for expected in ("Rapport de distribution", "Destinataires : 2", "Reçue : 1", "Injoignables : 1", "Échecs : 0"):
        assert expected in report.text, expected
    assert "Groupes : 1/1" in report.text
    [sent] = announcements(bot)
    assert sent.status == AnnouncementStatus.DONE and sent.report is not None
    assert (sent.report["sent"], sent.report["unreachable"], sent.report["failed"]) == (1, 1, 0)
    # The only thing Telegram refused: the message to Marcel, who blocked the bot.
    assert [(c.method, c.status, c.params["chat_id"]) for c in bot.refused()] == [("sendMessage", 403, marcel.id)]


async def test_the_residents_group_gets_the_announcement_and_nothing_personal(bot: BotHarness) -> None:
    sophie, jeanne, marcel, group = await lyon(bot)
    before = len(group.bot_messages)
    await compose(sophie, "Réunion des résidents vendredi à 15 h.", ack=True)
    await send_it(bot, sophie)
    await jeanne.press("✅ J'ai lu")  # reading receipts and reports go nowhere near the group
    [posted] = group.bot_messages[before:]
    assert posted.text == "📣 Annonce\n\nRéunion des résidents vendredi à 15 h."
    assert posted.buttons == []  # no "J'ai lu" in the group: it is personal
    for secret in PRIVATE_DATA:
        assert secret not in posted.text, secret
    assert bot.refused() == []


async def test_the_dashboard_button_starts_an_announcement(bot: BotHarness) -> None:
    sophie, jeanne, _, _ = await lyon(bot)
    await sophie.send("/menu")
    prompt = (await sophie.press("📣 Annonce"))[-1]
    assert "Nouvelle annonce" in prompt.text
    assert not any("Bientôt" in text for text in answers(sophie))
    await sophie.send("Le jardin est ouvert.")
    await sophie.press("Continuer ➡️")
    await send_it(bot, sophie)
    assert jeanne.last.text == "📣 Annonce\n\nLe jardin est ouvert."
    assert bot.refused() == []


async def test_pinning_in_the_group(bot: BotHarness) -> None:
    sophie, _, _, group = await lyon(bot, admin_group=True)
    await compose(sophie, "Fête des voisins samedi.", pin=True)
    assert "Épinglée dans le groupe : Oui" in sophie.last.text
    await send_it(bot, sophie)
    posted = group.last_bot_message
    assert posted is not None and posted.text.endswith("Fête des voisins samedi.") and posted.pinned
    assert any(call.method.lower() == "pinchatmessage" for call in bot.emu.calls)
    assert bot.refused() == []


async def test_a_photo_with_its_caption_goes_to_residents_and_the_group(bot: BotHarness) -> None:
    sophie, jeanne, _, group = await lyon(bot)
    await sophie.send("/annonce")
    replies = await sophie.send_photo(sample_png(40, 30), caption="x" * 1001)
    assert "Avec une photo, le texte est limité à 1000 caractères (vous en avez écrit 1001)" in replies[-1].text
    options = (await sophie.send("Le nouveau hall d'entrée."))[-1]
    assert "Options" in options.text
    preview = await sophie.press("Continuer ➡️")
    assert preview[-2].photo and preview[-2].caption == "📣 Annonce\n\nLe nouveau hall d'entrée."
    await send_it(bot, sophie)
    assert jeanne.last.photo and jeanne.last.caption == "📣 Annonce\n\nLe nouveau hall d'entrée."
    assert group.last_bot_message.photo  # type: ignore[union-attr]
    assert bot.refused() == []


async def test_a_photo_without_caption_asks_for_its_text_within_the_caption_limit(bot: BotHarness) -> None:
    sophie, jeanne, _, _ = await lyon(bot)
    await sophie.send("/annonce")
    asked = (await sophie.send_photo(sample_png(20, 20)))[-1]
    assert "Photo reçue" in asked.text and "1000" in asked.text
    assert "J'attends le texte qui accompagnera la photo" in (await sophie.send_sticker())[-1].text
    assert "1000 caractères" in (await sophie.send("é" * 1200))[-1].text
    await sophie.send("Travaux au 2e étage " + "é" * 900)
    await sophie.press("Continuer ➡️")
    await send_it(bot, sophie)
    assert jeanne.last.photo and jeanne.last.caption.startswith("📣 Annonce\n\nTravaux au 2e étage")  # type: ignore[union-attr]
    assert bot.refused() == []


async def test_nobody_to_reach_completes_at_once_with_a_report(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 1104, "Sophie", "manager@lba.demo")
    await compose(sophie, "Personne ne lira ceci.")
    replies = await send_it(bot, sophie)
    assert "personne n'est joignable" in containing(replies, "Annonce enregistrée").text
    assert "Rapport de distribution" in sophie.last.text and "Destinataires : 0" in sophie.last.text
    assert [a.status for a in announcements(bot)] == [AnnouncementStatus.DONE]
    assert bot.refused() == []


# --- validation, edits, leaving ------------------------------------------------------------------------


async def test_each_step_validates_and_asks_again(bot: BotHarness) -> None:
    sophie, jeanne, _, _ = await lyon(bot)
    await sophie.send("/annonce")
    too_long = (await sophie.send("a" * 3501))[-1].text
    assert "3500 caractères au plus (vous en avez écrit 3501)" in too_long
    assert "J'attends le texte de l'annonce, ou une photo" in (await sophie.send_sticker())[-1].text
    assert "Nouvelle annonce" in (await forged(bot, sophie, "ann:ed:back"))[-1].text  # no preview of nothing
    await sophie.send("Première version.")
    assert "Choisissez avec les boutons" in (await sophie.send("continuer"))[-1].text
    await sophie.press("Continuer ➡️")
    assert "Choisissez avec les boutons" in (await sophie.send("envoyer"))[-1].text
    await sophie.press("✏️ Modifier")
    assert labels(sophie) == ["✏️ Texte ou photo", "⚙️ Options", "⬅️ Retour à l'aperçu"]  # a manager's audience is fixed
    await sophie.press("✏️ Texte ou photo")
    back = await sophie.press("⬅️ Retour à l'aperçu")
    assert back[-2].text == "📣 Annonce\n\nPremière version."
    await sophie.press("✏️ Modifier")
    await sophie.press("✏️ Texte ou photo")
    preview = await sophie.send("Seconde version.")
    assert preview[-2].text == "📣 Annonce\n\nSeconde version."
    await sophie.press("✏️ Modifier")
    await sophie.press("⚙️ Options")
    await sophie.press("⬜ Demander un « J'ai lu »")
    preview = await sophie.press("Continuer ➡️")
    assert labels(sophie, preview[-2]) == ["✅ J'ai lu"]  # the preview shows the residents' button
    await sophie.press("✅ J'ai lu", message_id=preview[-2].message_id)
    assert "confirmeront leur lecture" in answers(sophie)[-1]
    assert acks(bot) == []
    await sophie.press("📤 Envoyer", message_id=preview[-1].message_id)
    assert jeanne.last.text == "📣 Annonce\n\nSeconde version."
    assert len(announcements(bot)) == 1
    assert bot.refused() == []


async def test_cancel_mid_flow_sends_nothing(bot: BotHarness) -> None:
    sophie, jeanne, _, _ = await lyon(bot)
    await sophie.send("/annonce")
    await sophie.send("Brouillon.")
    assert "c'est annulé" in (await sophie.send("/annuler"))[-1].text
    await sophie.send("/annonce")
    await sophie.send("Autre brouillon.")
    await sophie.press("Continuer ➡️")
    await sophie.press("✖️ Annuler")
    assert "c'est annulé" in sophie.last.text
    assert announcements(bot) == [] and not any("Brouillon" in (m.text or "") for m in jeanne.emu.bot_messages)
    assert bot.refused() == []


async def test_a_stale_send_button_sends_nothing_twice(bot: BotHarness) -> None:
    sophie, jeanne, _, _ = await lyon(bot)
    preview = await compose(sophie, "Une seule fois.")
    await send_it(bot, sophie)
    replies = await forged(bot, sophie, "ann:send")
    assert any("Ce bouton a expiré" in m.text for m in replies)
    sophie.emu.press_data("ann:opt:pin", message_id=preview[-1].message_id)
    await bot.deliver()
    assert len(announcements(bot)) == 1
    assert [m.text for m in jeanne.emu.bot_messages].count("📣 Annonce\n\nUne seule fois.") == 1
    assert bot.refused() == []


# --- who may ---------------------------------------------------------------------------------------


async def test_a_resident_is_told_announcements_are_for_managers(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 1105, "Jeanne", "resident1@lba.demo")
    replies = await jeanne.send("/annonce")
    assert replies[-1].text == "🔒 Les annonces sont réservées aux gestionnaires de résidence."
    replies = await forged(bot, jeanne, "menu:announce")
    assert replies[-1].text == "🔒 Les annonces sont réservées aux gestionnaires de résidence."
    assert "réservées aux gestionnaires" in (await forged(bot, jeanne, "ann:list:0"))[-1].text
    assert "Nouvelle annonce" not in (await jeanne.send("Bonjour"))[-1].text  # no flow was entered
    assert announcements(bot) == []
    assert bot.refused() == []


async def test_forged_announcement_buttons_change_nothing(bot: BotHarness) -> None:
    sophie, jeanne, marcel, _ = await lyon(bot)
    await compose(sophie, "Merci de confirmer.", ack=True)
    await send_it(bot, sophie)
    [sent] = announcements(bot)
    lucienne = await signed_in(bot, 1106, "Lucienne", "resident3@lba.demo")
    add_manager(bot, "manager.bordeaux@lba.demo", "Bernard", BORDEAUX)
    bernard = await signed_in(bot, 1107, "Bernard", "manager.bordeaux@lba.demo")

    await forged(bot, lucienne, f"ann:ack:{sent.id}")  # not sent to her
    assert answers(lucienne)[-1] == "⛔ Cette annonce ne vous était pas adressée."
    await forged(bot, jeanne, "ann:ack:424242")
    assert answers(jeanne)[-1] == "Cette annonce n'existe plus."
    assert "réservées aux gestionnaires" in (await forged(bot, jeanne, f"ann:o:{sent.id}:0"))[-1].text
    assert "réservées aux gestionnaires" in (await forged(bot, jeanne, f"ann:rem:{sent.id}:1"))[-1].text
    assert "pas de votre ressort" in (await forged(bot, bernard, f"ann:o:{sent.id}:0"))[-1].text
    assert "pas de votre ressort" in (await forged(bot, bernard, f"ann:rem:{sent.id}:1"))[-1].text
    for data in ("ann:ack:99999999999", "ann:o:1:x", "ann:rem", "ann:zz"):
        assert "Ce bouton a expiré" in (await forged(bot, jeanne, data))[-1].text
    assert acks(bot) == [] and outbox_kinds(bot, "announcement_reminder") == 0
    assert "Merci de confirmer." not in "".join(m.content for m in lucienne.emu.bot_messages)
    assert bot.refused() == []


# --- read receipts and follow-up ---------------------------------------------------------------------


async def test_acknowledgment_is_recorded_once_and_the_button_says_so(bot: BotHarness) -> None:
    sophie, jeanne, _, _ = await lyon(bot)
    await compose(sophie, "Merci de lire.", ack=True)
    await send_it(bot, sophie)
    message = jeanne.last
    assert message.text == "📣 Annonce\n\nMerci de lire." and labels(jeanne, message) == ["✅ J'ai lu"]
    await jeanne.press("✅ J'ai lu")
    assert answers(jeanne)[-1] == "Merci, c'est noté ✅"
    assert labels(jeanne, message) == ["✅ Lu — merci !"]
    await jeanne.press("✅ Lu — merci !")
    assert answers(jeanne)[-1] == "C'est déjà noté, merci ✅"
    assert acks(bot) == [(announcements(bot)[0].id, "Jeanne")]
    assert bot.refused() == []


async def test_managers_see_who_has_not_read_and_remind_them(bot: BotHarness) -> None:
    sophie, jeanne, marcel, _ = await lyon(bot)
    await compose(sophie, "Assemblée générale le 3 décembre.", ack=True)
    await send_it(bot, sophie)
    await jeanne.press("✅ J'ai lu")
    report = sophie.last
    assert "Rapport de distribution" in report.text
    detail = (await sophie.press("👀 Voir le suivi"))[-1]
    assert detail.message_id != report.message_id and "Rapport de distribution" in report.text  # the report stays
    for expected in ("Assemblée générale", "Destinataires : 2", "Reçue : 2", "Lue par 1 sur 2", "Pas encore lue par"):
        assert expected in detail.text, expected
    assert "• Marcel Bernard — appartement B04" in detail.text and "Jeanne" not in detail.text
    reminded = await sophie.press("🔔 Relancer (1)")
    assert answers(sophie)[-1] == "🔔 Rappel envoyé à 1 résident(s)."
    assert reminded[-1].message_id == detail.message_id  # the follow-up is refreshed in place
    reminder = marcel.last
    assert reminder.text.startswith("🔔 Rappel — merci de confirmer") and "Assemblée générale" in reminder.text
    assert "Jeanne" not in "".join(m.content for m in marcel.emu.bot_messages[-1:])
    assert [m.text for m in jeanne.emu.bot_messages].count(reminder.text) == 0  # she had read it
    # The same round pressed again (a double tap, an old message) sends nothing twice.
    [sent] = announcements(bot)
    await forged(bot, sophie, f"ann:rem:{sent.id}:1")
    assert answers(sophie)[-1] == "Ce rappel est déjà parti."
    assert outbox_kinds(bot, "announcement_reminder") == 1
    await marcel.press("✅ J'ai lu")
    refreshed = (await sophie.press("🔄 Actualiser"))[-1]
    assert "Lue par 2 sur 2" in refreshed.text and "Tout le monde l'a lue" in refreshed.text
    assert "Relancer" not in "".join(labels(sophie, refreshed))
    assert bot.refused() == []


async def test_the_non_readers_list_paginates(bot: BotHarness) -> None:
    sophie, _, _, _ = await lyon(bot)
    with db(bot) as session:
        lyon_id = session.scalar(sa.select(Residence.id).where(Residence.name == LYON))
        for n in range(1, 11):
            session.add(
                User(
                    email=f"voisin{n}@lba.demo",
                    first_name=f"Voisin{n:02d}",
                    last_name="Test",
                    role=Role.RESIDENT,
                    residence_id=lyon_id,
                    apartment=f"Z{n:02d}",
                    telegram_id=1200 + n,
                    created_at=bot.clock(),
                )
            )
    for n in range(1, 11):
        bot.emu.user(1200 + n, f"Voisin{n:02d}").started = True
    await compose(sophie, "Liste longue.", ack=True)
    await send_it(bot, sophie)
    first = (await sophie.press("👀 Voir le suivi"))[-1]
    assert "Lue par 0 sur 12" in first.text and "(page 1/2)" in first.text
    assert first.text.count("• ") == 8
    second = (await sophie.press("Suivant ▶️"))[-1]
    assert "(page 2/2)" in second.text and second.text.count("• ") == 4
    assert "Relancer (12)" in "".join(labels(sophie, second))
    assert len(second.text) < 4096
    assert bot.refused() == []


async def test_my_announcements_lists_them_and_a_manager_sees_only_theirs(bot: BotHarness) -> None:
    sophie, _, _, _ = await lyon(bot)
    for text in ("Annonce un.", "Annonce deux."):
        await compose(sophie, text)
        await send_it(bot, sophie)
    prompt = (await sophie.send("/annonce"))[-1]
    listing = (await sophie.press("📋 Mes annonces", message_id=prompt.message_id))[-1]
    assert "Mes annonces" in listing.text and listing.text.index("Annonce deux") < listing.text.index("Annonce un")
    assert "reçue par 2/2" in listing.text
    detail = (await sophie.press("1. Annonce deux."))[-1]
    assert "Aucun « J'ai lu » n'a été demandé" in detail.text
    add_manager(bot, "manager.bordeaux@lba.demo", "Bernard", BORDEAUX)
    bernard = await signed_in(bot, 1108, "Bernard", "manager.bordeaux@lba.demo")
    await bernard.send("/annonce")
    assert "Aucune annonce pour l'instant." in (await bernard.press("📋 Mes annonces"))[-1].text
    assert "Nouvelle annonce" not in (await bernard.send("Texte hors démarche"))[-1].text  # the list left the flow
    assert bot.refused() == []


# --- admins and languages ----------------------------------------------------------------------------


async def test_an_admin_chooses_the_residences(bot: BotHarness) -> None:
    alain = await signed_in(bot, 1109, "Alain", "admin@lba.demo")
    jeanne = await signed_in(bot, 1110, "Jeanne", "resident1@lba.demo")
    lucienne = await signed_in(bot, 1111, "Lucienne", "resident3@lba.demo")
    await alain.send("/annonce")
    audience = (await alain.send("Message du réseau."))[-1]
    assert "À qui envoyer l'annonce" in audience.text
    assert labels(alain) == [f"⬜ {BORDEAUX}", f"⬜ {LYON}", "🌍 Toutes les résidences", "Continuer ➡️"]
    await alain.press("Continuer ➡️")
    assert answers(alain)[-1] == "Cochez au moins une résidence."
    await alain.press(f"⬜ {BORDEAUX}")
    assert labels(alain)[:2] == [f"✅ {BORDEAUX}", f"⬜ {LYON}"]
    await alain.press("Continuer ➡️")
    summary = (await alain.press("Continuer ➡️"))[-1]
    assert f"Résidence(s) : {BORDEAUX}" in summary.text and "joignables en privé : 1" in summary.text
    await alain.press("✏️ Modifier")
    await alain.press("👥 Destinataires")
    await alain.press("🌍 Toutes les résidences")
    assert labels(alain)[:3] == [f"✅ {BORDEAUX}", f"✅ {LYON}", "✖️ Aucune résidence"]
    summary = (await alain.press("Continuer ➡️"))[-1]  # back to the preview directly
    assert f"{BORDEAUX}, {LYON}" in summary.text and "joignables en privé : 2" in summary.text
    await send_it(bot, alain)
    assert jeanne.last.text == lucienne.last.text == "📣 Annonce\n\nMessage du réseau."
    # A forged toggle for a residence that does not exist changes nothing.
    await alain.send("/annonce")
    await alain.send("Deuxième.")
    alain.emu.press_data("ann:aud:t:999999")
    await bot.deliver()
    await alain.press(f"⬜ {LYON}")
    await alain.press("Continuer ➡️")
    summary = (await alain.press("Continuer ➡️"))[-1]
    assert f"Résidence(s) : {LYON}" in summary.text
    assert bot.refused() == []


async def test_english_for_managers_and_residents_who_chose_it(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 1112, "Sophie", "manager@lba.demo", language_code="en")
    jeanne = await signed_in(bot, 1113, "Jeanne", "resident1@lba.demo", language_code="en")
    marcel = await signed_in(bot, 1114, "Marcel", "resident2@lba.demo")
    group = bot.emu.group(-100123, "Residents")
    group.add_bot(by=sophie.emu)
    await bot.deliver()
    await link_as(bot, group, sophie, "👥 Residents' group")
    assert "New announcement" in (await sophie.send("/announce"))[-1].text
    await sophie.send("Lift maintenance on Monday.")
    await sophie.press("⬜ Ask for an “I have read it”")
    summary = (await sophie.press("Continue ➡️"))[-1]
    assert "Residents reachable privately: 2" in summary.text
    await send_it(bot, sophie, "📤 Send")
    assert jeanne.last.text == "📣 Announcement\n\nLift maintenance on Monday."
    assert labels(jeanne) == ["✅ I have read it"]
    assert marcel.last.text == "📣 Annonce\n\nLift maintenance on Monday."  # each in their own language
    assert group.last_bot_message.text == jeanne.last.text  # type: ignore[union-attr]  # the linker's language
    await jeanne.press("✅ I have read it")
    assert answers(jeanne)[-1] == "Thank you, noted ✅"
    assert "Delivery report" in sophie.last.text
    detail = (await sophie.press("👀 See the follow-up"))[-1]
    assert "Read by 1 of 2" in detail.text and "• Marcel Bernard — apartment B04" in detail.text
    assert bot.refused() == []


async def test_a_restart_mid_flow_keeps_the_draft(bot: BotHarness) -> None:
    sophie, jeanne, _, _ = await lyon(bot)
    await sophie.send("/annonce")
    await sophie.send("Écrit avant le redémarrage.")
    await sophie.press("⬜ Demander un « J'ai lu »")
    await bot.restart()
    preview = await sophie.press("Continuer ➡️")
    assert preview[-2].text == "📣 Annonce\n\nÉcrit avant le redémarrage." and labels(sophie, preview[-2]) == [
        "✅ J'ai lu"
    ]
    await send_it(bot, sophie)
    assert jeanne.last.text == "📣 Annonce\n\nÉcrit avant le redémarrage."
    assert bot.refused() == []
