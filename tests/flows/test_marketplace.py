"""The marketplace as residents use it: browsing, posting, managing, and talking through the bot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.emulator import sample_png
from bot.emulator.core import EmuMessage
from models import Listing, ListingKind, ListingStatus, MarketMessage, MarketThread, OutboxMessage, PointsEntry, User
from models.db import unit_of_work
from services import marketplace as market
from services.people import me_of
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

FAUTEUIL = "Fauteuil releveur"


@contextmanager
def db(bot: BotHarness) -> Iterator[Session]:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        yield session


def listing(bot: BotHarness, title: str) -> Listing:
    with db(bot) as session:
        found = session.scalar(sa.select(Listing).where(Listing.title == title))
        assert found is not None, title
        return found


def relayed(bot: BotHarness) -> int:
    with db(bot) as session:
        return session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "market_relay"))


def set_user(bot: BotHarness, email: str, **values: object) -> None:
    with db(bot) as session:
        session.execute(sa.update(User).where(User.email == email).values(**values))


def post(bot: BotHarness, email: str, title: str, kind: ListingKind = ListingKind.GIVE, **kwargs: object) -> int:
    """A listing created through the service, as if posted earlier (for lists and pages)."""
    with db(bot) as session:
        user = session.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        draft = market.ListingDraft(kind, title, "Une description.", kwargs.get("price"))  # type: ignore[arg-type]
        return market.publish(session, me_of(session, user), draft, bot.clock(), kwargs.get("photo")).listing.id  # type: ignore[arg-type]


async def signed_in(bot: BotHarness, user_id: int, name: str, email: str, **kwargs: object) -> TgUser:
    user = bot.user(user_id, name, **kwargs)
    await sign_in(user, email)
    return user


def labels(user: TgUser, message: EmuMessage | None = None) -> list[str]:
    return [label for row in user.emu.buttons(message) for label, _ in row]


async def forged(bot: BotHarness, user: TgUser, data: str) -> list[EmuMessage]:
    """A press with data the bot never sent this user (an old release, a crafted client)."""
    before = len(user.emu.messages)
    message = user.emu.latest_keyboard_message or user.last
    user.emu.press_data(data, message_id=message.message_id)
    await bot.deliver()
    return [m for m in user.emu.messages[before:] if m.from_bot]


# --- browsing --------------------------------------------------------------------------------------


async def test_browse_from_the_command_and_open_a_listing(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 801, "Marcel", "resident2@lba.demo")
    home = (await marcel.send("/marche"))[-1]
    assert "Marché — Les Belles Années Lyon" in home.text and "4 annonce(s) en ligne · 2 à vous" in home.text
    assert labels(marcel)[:5] == ["Vendre", "Acheter", "Prêter", "Donner", "Tout"]
    page = (await marcel.press("Vendre"))[-1]
    assert page.message_id == home.message_id  # navigation edits the message in place
    assert "Fauteuil releveur — 150 € · Jeanne" in page.text and "Machine à coudre" not in page.text
    detail = (await marcel.press("1. Fauteuil releveur"))[-1]
    for expected in ("À vendre", FAUTEUIL, "Prix : 150 €", "Très bon état", "Jeanne", "dimanche 22 novembre"):
        assert expected in detail.text, expected
    assert "Dupont" not in detail.text and "A12" not in detail.text and "resident1" not in detail.text
    assert labels(marcel) == ["💬 Contacter", "⬅️ Retour"]
    assert FAUTEUIL in (await marcel.press("⬅️ Retour"))[-1].text
    await marcel.press("⬅️ Retour")
    everything = (await marcel.press("Tout"))[-1].text
    order = [everything.index(t) for t in ("Cherche déambulateur", "Perceuse", "Livres de poche", FAUTEUIL)]
    assert order == sorted(order)  # newest first (same day: the last posted first)
    assert "Machine à coudre" not in everything  # Bordeaux's
    assert "Livres de poche (policiers) — gratuit · Marcel" in everything
    assert "Cherche déambulateur pliant · Jeanne" in everything  # someone looking for something: no price
    assert bot.refused() == []


async def test_the_dashboard_button_opens_the_market_and_the_menu_comes_back(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 802, "Jeanne", "resident1@lba.demo")
    dashboard = jeanne.last
    home = (await jeanne.press("🛍 Marché"))[-1]
    assert home.message_id == dashboard.message_id and "Marché — Les Belles Années Lyon" in home.text
    assert not any("Bientôt" in (a.get("text") or "") for a in jeanne.emu.callback_answers)
    given = (await jeanne.press("Donner"))[-1].text
    assert "Livres de poche (policiers) — gratuit · Marcel" in given
    await jeanne.press("⬅️ Retour")
    assert "Bonjour Jeanne" in (await jeanne.press("🏠 Menu"))[-1].text
    assert bot.refused() == []


async def test_lists_paginate_and_hide_expired_listings(bot: BotHarness) -> None:
    for n in range(1, 8):
        post(bot, "resident2@lba.demo", f"Objet numéro {n}")
    jeanne = await signed_in(bot, 803, "Jeanne", "resident1@lba.demo")
    await jeanne.send("/marche")
    first = (await jeanne.press("Tout"))[-1]
    assert "page 1/3" in first.text and "Objet numéro 7" in first.text and "Objet numéro 2" not in first.text
    assert len([b for b in labels(jeanne) if b[0].isdigit()]) == 5
    second = (await jeanne.press("Suivant ▶️"))[-1]
    assert "page 2/3" in second.text and "Objet numéro 2" in second.text and "6. " in second.text
    assert "◀️ Précédent" in labels(jeanne)
    assert len(second.text) < 4096
    # The demo listings were posted two days ago for 30 days: 28 days later they are gone.
    bot.clock.advance(days=28, minutes=1)
    await jeanne.send("/marche")
    remaining = (await jeanne.press("Tout"))[-1].text
    assert "page 1/2" in remaining and FAUTEUIL not in remaining and "Perceuse" not in remaining
    assert bot.refused() == []


async def test_an_empty_kind_says_so_and_offers_to_post(bot: BotHarness) -> None:
    lucienne = await signed_in(bot, 804, "Lucienne", "resident3@lba.demo")
    await lucienne.send("/marche")
    empty = (await lucienne.press("Prêter"))[-1]
    assert "Aucune annonce" in empty.text and "➕ Publier une annonce" in labels(lucienne)
    await lucienne.press("⬅️ Retour")
    sale = (await lucienne.press("Vendre"))[-1].text
    assert "Machine à coudre" in sale and FAUTEUIL not in sale  # only her residence
    assert bot.refused() == []


# --- posting ---------------------------------------------------------------------------------------


async def test_post_a_sale_with_a_photo_every_step_validated(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 805, "Marcel", "resident2@lba.demo")
    await marcel.send("/marche")
    assert "Nouvelle annonce" in (await marcel.press("➕ Publier une annonce"))[-1].text
    assert "titre" in (await marcel.press("Vendre"))[-1].text
    assert "au moins 3 caractères" in (await marcel.send("ab"))[0].text
    assert "80 caractères au plus (vous en avez écrit 81)" in (await marcel.send("x" * 81))[0].text
    assert "réponse écrite" in (await marcel.send_sticker())[0].text
    assert "Décrivez" in (await marcel.send("  Table   de <b>jardin</b> "))[0].text
    assert "au moins 5 caractères" in (await marcel.send("abc"))[0].text
    assert "prix" in (await marcel.send("Ronde, 4 chaises & parasol."))[0].text
    assert "pas compris ce prix" in (await marcel.send("douze"))[0].text
    assert "dépasse 100000 €" in (await marcel.send("250000"))[0].text
    assert "photo" in (await marcel.send("12,50 €"))[0].text
    assert "J'attends une photo" in (await marcel.send("la voici"))[0].text
    marcel.emu.send_document(b"not an image", "notes.txt", "text/plain")
    await bot.deliver()
    assert "n'est pas une image" in marcel.last.text
    preview = (await marcel.send_photo(sample_png(40, 30)))[-1]
    assert preview.kind == "photo"
    for expected in ("Aperçu", "À vendre", "Table de <b>jardin</b>", "12,50 €", "4 chaises & parasol", "Marcel"):
        assert expected in preview.caption, expected
    assert labels(marcel) == ["✅ Publier", "✏️ Modifier", "✖️ Annuler"]
    done = (await marcel.press("✅ Publier"))[-1]
    assert "est en ligne jusqu'au" in done.text and "jeudi 24 décembre" in done.text and "+3 points" in done.text
    saved = listing(bot, "Table de <b>jardin</b>")
    assert saved.price_cents == 1250 and saved.kind == ListingKind.SELL and saved.photo_id is not None
    assert saved.expires_at == bot.clock() + timedelta(days=30)
    with db(bot) as session:
        assert session.scalar(sa.select(PointsEntry.delta).where(PointsEntry.ref == f"listing:{saved.id}")) == 3
    # A neighbour sees it, photo and caption.
    jeanne = await signed_in(bot, 806, "Jeanne", "resident1@lba.demo")
    await jeanne.send("/marche")
    await jeanne.press("Vendre")
    shown = (await jeanne.press("1. Table de <b>jardin</b>"))[-1]
    assert shown.kind == "photo" and "12,50 €" in shown.caption and "💬 Contacter" in labels(jeanne)
    assert bot.refused() == []


async def test_post_from_the_dashboard_give_without_photo_then_edit_before_publishing(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 807, "Jeanne", "resident1@lba.demo")
    await jeanne.press("🛍 Marché")
    await jeanne.press("➕ Publier une annonce")
    await jeanne.press("Donner")
    await jeanne.send("Pots de confiture")
    assert "photo" in (await jeanne.send("Une dizaine de pots vides."))[0].text  # no price for a gift
    preview = (await jeanne.press("⏭ Passer"))[-1]
    assert preview.kind == "text" and "À donner" in preview.text and "gratuit" in preview.text
    assert "Que voulez-vous modifier" in (await jeanne.press("✏️ Modifier"))[-1].text
    assert labels(jeanne) == ["Type d'annonce", "Titre", "Description", "Photo", "⬅️ Retour"]
    await jeanne.press("Titre")
    preview = (await jeanne.send("Pots de confiture vides"))[-1]
    assert "Pots de confiture vides" in preview.text
    # Turned into a sale: the price is asked, then straight back to the preview.
    await jeanne.press("✏️ Modifier")
    await jeanne.press("Type d'annonce")
    assert "prix" in (await jeanne.press("Vendre"))[-1].text
    preview = (await jeanne.send("gratuit"))[-1]
    assert "À vendre" in preview.text and "Prix : gratuit" in preview.text
    await jeanne.press("✏️ Modifier")
    await jeanne.press("Photo")
    preview = (await jeanne.send_photo(sample_png(10, 10)))[-1]
    assert preview.kind == "photo"
    await jeanne.press("✅ Publier")
    saved = listing(bot, "Pots de confiture vides")
    assert saved.kind == ListingKind.SELL and saved.price_cents == 0 and saved.photo_id is not None
    assert bot.refused() == []


async def test_an_image_sent_as_a_file_is_accepted_and_a_long_description_fits_the_caption(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 808, "Marcel", "resident2@lba.demo")
    await marcel.send("/marche")
    await marcel.press("➕ Publier une annonce")
    await marcel.press("Prêter")
    await marcel.send("Escabeau trois marches")
    await marcel.send("É" * 1000)
    marcel.emu.send_document(sample_png(20, 20), "escabeau.png", "image/png")
    await bot.deliver()
    preview = marcel.last
    assert preview.kind == "photo" and "…" in preview.caption and "À prêter" in preview.caption
    await marcel.press("✅ Publier")
    saved = listing(bot, "Escabeau trois marches")
    assert saved.description == "É" * 1000 and saved.photo_id is not None and saved.price_cents is None
    jeanne = await signed_in(bot, 809, "Jeanne", "resident1@lba.demo")
    await jeanne.send("/marche")
    await jeanne.press("Prêter")
    shown = (await jeanne.press("1. Escabeau trois marches"))[-1]
    assert shown.kind == "photo" and "Marcel" in shown.caption
    assert bot.refused() == []  # no caption over 1024 characters


async def test_annuler_and_the_cancel_button_leave_without_posting(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 810, "Marcel", "resident2@lba.demo")
    await marcel.send("/marche")
    await marcel.press("➕ Publier une annonce")
    await marcel.press("Vendre")
    assert "au milieu d'une démarche" in (await marcel.send("/menu"))[0].text
    assert "c'est annulé" in (await marcel.send("/annuler"))[0].text
    assert "Je suis l'assistant" in (await marcel.send("Bonjour"))[0].text  # not taken as a title
    await marcel.send("/marche")
    await marcel.press("➕ Publier une annonce")
    await marcel.press("Donner")
    await marcel.send("Vélo d'appartement")
    await marcel.send("Encore en bon état.")
    await marcel.press("⏭ Passer")
    assert "c'est annulé" in (await marcel.press("✖️ Annuler"))[-1].text
    with db(bot) as session:
        assert session.scalar(sa.select(Listing.id).where(Listing.title == "Vélo d'appartement")) is None
    assert bot.refused() == []


async def test_a_stale_publish_button_does_not_post_twice(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 811, "Marcel", "resident2@lba.demo")
    await marcel.send("/marche")
    await marcel.press("➕ Publier une annonce")
    await marcel.press("Donner")
    await marcel.send("Plante verte")
    await marcel.send("Un joli ficus.")
    preview = (await marcel.press("⏭ Passer"))[-1]
    await marcel.press("✅ Publier")
    assert labels(marcel, preview) == []  # its keyboard is gone
    marcel.emu.press_data("mk:pub", message_id=preview.message_id)
    await bot.deliver()
    assert "Ce menu a expiré" in "\n".join(marcel.texts()[-3:])
    with db(bot) as session:
        assert session.scalar(sa.select(sa.func.count(Listing.id)).where(Listing.title == "Plante verte")) == 1
    assert bot.refused() == []


async def test_buttons_are_expected_where_buttons_are_asked(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 812, "Marcel", "resident2@lba.demo")
    await marcel.send("/marche")
    await marcel.press("➕ Publier une annonce")
    assert "Choisissez avec les boutons" in (await marcel.send("vendre"))[0].text
    await marcel.press("Donner")
    await marcel.send("Plante verte")
    await marcel.send("Un joli ficus.")
    await marcel.press("⏭ Passer")
    assert "Choisissez avec les boutons" in (await marcel.send("ok"))[0].text
    assert bot.refused() == []


# --- managing my listings --------------------------------------------------------------------------


async def test_my_listings_reserve_close_reopen_delete(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 813, "Jeanne", "resident1@lba.demo")
    marcel = await signed_in(bot, 814, "Marcel", "resident2@lba.demo")
    await jeanne.send("/marche")
    mine = (await jeanne.press("📋 Mes annonces"))[-1].text
    assert FAUTEUIL in mine and "Cherche déambulateur" in mine and "Perceuse" not in mine
    detail = (await jeanne.press("2. Fauteuil releveur"))[-1]
    assert "Votre annonce — 🟢 en ligne" in detail.text
    assert labels(jeanne) == ["🟡 Marquer réservée", "✅ Marquer conclue", "🗑 Supprimer", "⬅️ Retour"]
    assert "🟡 réservée" in (await jeanne.press("🟡 Marquer réservée"))[-1].text
    assert listing(bot, FAUTEUIL).status == ListingStatus.RESERVED
    await marcel.send("/marche")
    assert FAUTEUIL not in (await marcel.press("Vendre"))[-1].text  # reserved: no longer offered
    assert "🟢 en ligne" in (await jeanne.press("🟢 Remettre en ligne"))[-1].text
    assert "✅ conclue" in (await jeanne.press("✅ Marquer conclue"))[-1].text
    assert labels(jeanne) == ["🟢 Remettre en ligne", "🗑 Supprimer", "⬅️ Retour"]
    confirm = (await jeanne.press("🗑 Supprimer"))[-1]
    assert "Supprimer définitivement" in confirm.text
    assert "Votre annonce" in (await jeanne.press("Non"))[-1].text  # back, nothing deleted
    await jeanne.press("🗑 Supprimer")
    assert "est supprimée" in (await jeanne.press("🗑 Oui, supprimer"))[-1].text
    assert listing(bot, FAUTEUIL).status == ListingStatus.DELETED
    assert FAUTEUIL not in (await jeanne.press("📋 Mes annonces"))[-1].text
    assert bot.refused() == []


async def test_a_stale_status_button_is_refused_politely(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 815, "Jeanne", "resident1@lba.demo")
    await jeanne.send("/marche")
    await jeanne.press("📋 Mes annonces")
    old = (await jeanne.press("2. Fauteuil releveur"))[-1]
    reserve = dict(old.buttons[0])["🟡 Marquer réservée"]
    await jeanne.press("✅ Marquer conclue")  # the same message now offers other actions
    jeanne.emu.press_data(reserve, message_id=old.message_id)  # e.g. a second device still showing the old one
    await bot.deliver()
    assert any("n'est plus possible" in (a.get("text") or "") for a in jeanne.emu.callback_answers)
    assert listing(bot, FAUTEUIL).status == ListingStatus.CLOSED
    # After deletion, the listing's old buttons say it is gone.
    await jeanne.press("🗑 Supprimer")
    await jeanne.press("🗑 Oui, supprimer")
    replies = await forged(bot, jeanne, f"mk:m:{listing(bot, FAUTEUIL).id}:0")
    assert "n'est plus disponible" in replies[-1].text
    assert bot.refused() == []


async def test_only_the_author_manages_and_only_the_residence_sees(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 816, "Marcel", "resident2@lba.demo")
    lucienne = await signed_in(bot, 817, "Lucienne", "resident3@lba.demo")
    fauteuil = listing(bot, FAUTEUIL).id
    for data in (f"mk:st:close:{fauteuil}:0", f"mk:delok:{fauteuil}:0", f"mk:del:{fauteuil}:0", f"mk:m:{fauteuil}:0"):
        replies = await forged(bot, marcel, data)
        assert "pas permise" in replies[-1].text, data
    assert listing(bot, FAUTEUIL).status == ListingStatus.ACTIVE
    replies = await forged(bot, lucienne, f"mk:o:{fauteuil}:all:0")
    assert "pas permise" in replies[-1].text and FAUTEUIL not in replies[-1].text
    replies = await forged(bot, lucienne, f"mk:contact:{fauteuil}")
    assert "pas permise" in replies[-1].text
    assert (await forged(bot, marcel, "mk:o:999999:all:0"))[-1].text.startswith("Cette annonce n'est plus")
    assert "Ce menu a expiré" in (await forged(bot, marcel, "mk:o:99999999999999999999:all:0"))[0].text
    assert relayed(bot) == 0
    assert bot.refused() == []


# --- conversations relayed by the bot --------------------------------------------------------------


async def contact(buyer: TgUser, title: str, kind: str = "Vendre") -> EmuMessage:
    await buyer.send("/marche")
    await buyer.press(kind)
    await buyer.press(f"1. {title}")
    return (await buyer.press("💬 Contacter"))[-1]


async def test_contact_relays_messages_both_ways_without_revealing_anyone(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 818, "Jeanne", "resident1@lba.demo", username="jeanne_d", last_name="Dupont")
    marcel = await signed_in(bot, 819, "Marcel", "resident2@lba.demo", username="marcel_b", last_name="Bernard")
    ask = await contact(marcel, FAUTEUIL)
    assert "Votre message pour Jeanne" in ask.text and FAUTEUIL in ask.text
    assert "J'attends votre message, écrit en texte" in (await marcel.send_sticker())[0].text
    assert "1000 caractères au plus (vous en avez écrit 1001)" in (await marcel.send("x" * 1001))[0].text
    sent = await marcel.send("Bonjour, est-il <encore> disponible ? & merci")
    assert "Message transmis à Jeanne" in sent[0].text
    received = jeanne.last
    assert "Marcel" in received.text and FAUTEUIL in received.text
    assert "est-il <encore> disponible ? & merci" in received.text
    for secret in ("marcel_b", "Bernard", "B04", "resident2", "+33"):
        assert secret not in received.text
    assert labels(jeanne, received) == ["↩️ Répondre", "🔚 Terminer"]
    assert "Votre réponse à Marcel" in (await jeanne.press("↩️ Répondre"))[-1].text
    await jeanne.send("Oui, passez le voir en A12 demain.")
    answer = marcel.last
    assert "Jeanne vous écrit" in answer.text and "passez le voir" in answer.text
    assert "jeanne_d" not in answer.text and "Dupont" not in answer.text
    ended = (await marcel.press("🔚 Terminer"))[-1]
    assert "terminée" in ended.text and "Jeanne en est informé(e)" in ended.text
    assert "Marcel a terminé la conversation" in jeanne.last.text
    refused = (await jeanne.press("↩️ Répondre", message_id=received.message_id))[-1]
    assert "conversation est terminée" in refused.text
    with db(bot) as session:
        thread = session.scalar(sa.select(MarketThread))
        assert thread is not None and thread.status.value == "closed"
        assert session.scalar(sa.select(sa.func.count(MarketMessage.id))) == 2
    assert bot.refused() == []


async def test_the_seller_cannot_be_reached_once_gone(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 820, "Jeanne", "resident1@lba.demo")
    marcel = await signed_in(bot, 821, "Marcel", "resident2@lba.demo")
    # Deactivated before Marcel writes: told at once, nothing to write.
    set_user(bot, "resident1@lba.demo", active=False)
    assert "ne peut plus être joint" in (await contact(marcel, FAUTEUIL)).text
    set_user(bot, "resident1@lba.demo", active=True)
    # Jeanne blocks the bot while Marcel is writing: his message is not queued.
    await contact(marcel, FAUTEUIL)
    set_user(bot, "resident1@lba.demo", unreachable_since=bot.clock())
    assert "ne peut plus être joint" in (await marcel.send("Toujours disponible ?"))[0].text
    assert relayed(bot) == 0
    with db(bot) as session:
        assert session.scalar(sa.select(sa.func.count(MarketMessage.id))) == 0
    assert "Bonjour Jeanne" in jeanne.texts()[-1]  # she received nothing
    assert bot.refused() == []


async def test_a_neighbour_who_blocked_the_bot_is_found_out_and_not_written_to_again(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 822, "Jeanne", "resident1@lba.demo")
    marcel = await signed_in(bot, 823, "Marcel", "resident2@lba.demo")
    await contact(marcel, FAUTEUIL)
    jeanne.emu.block_bot()
    await bot.deliver()
    await marcel.send("Premier message")  # the delivery fails: Jeanne is marked unreachable
    await contact(marcel, FAUTEUIL)
    assert "ne peut plus être joint" in marcel.last.text
    assert relayed(bot) == 1


async def test_one_cannot_contact_oneself(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 824, "Jeanne", "resident1@lba.demo")
    await jeanne.send("/marche")
    await jeanne.press("Vendre")
    await jeanne.press("1. Fauteuil releveur")
    assert labels(jeanne) == ["⚙️ Gérer mon annonce", "⬅️ Retour"]
    detail = jeanne.last
    replies = await forged(bot, jeanne, f"mk:contact:{listing(bot, FAUTEUIL).id}")
    assert "votre propre annonce" in replies[-1].text
    managed = (await jeanne.press("⚙️ Gérer mon annonce", message_id=detail.message_id))[-1]
    assert "Votre annonce — 🟢 en ligne" in managed.text
    assert relayed(bot) == 0
    assert bot.refused() == []


async def test_outsiders_cannot_reply_or_end_a_conversation(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 825, "Jeanne", "resident1@lba.demo")
    marcel = await signed_in(bot, 826, "Marcel", "resident2@lba.demo")
    sophie = await signed_in(bot, 827, "Sophie", "manager@lba.demo")
    lucienne = await signed_in(bot, 828, "Lucienne", "resident3@lba.demo")
    await contact(marcel, FAUTEUIL)
    await marcel.send("Bonjour !")
    with db(bot) as session:
        thread = session.scalar(sa.select(MarketThread.id))
    for outsider in (sophie, lucienne):
        for data in (f"mk:reply:{thread}", f"mk:end:{thread}"):
            assert "pas permise" in (await forged(bot, outsider, data))[-1].text, data
    assert relayed(bot) == 1 and "Bonjour !" in jeanne.last.text
    with db(bot) as session:
        assert session.scalar(sa.select(MarketThread.status)).value == "open"  # type: ignore[union-attr]
    assert bot.refused() == []


async def test_ending_while_writing_and_who_may_reopen(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 829, "Jeanne", "resident1@lba.demo")
    marcel = await signed_in(bot, 830, "Marcel", "resident2@lba.demo")
    await contact(marcel, FAUTEUIL)
    await marcel.send("Je peux passer ce soir ?")
    relay = jeanne.last
    await jeanne.press("↩️ Répondre")
    # Terminer on the same message while writing: the writing step ends with it.
    await jeanne.press("🔚 Terminer", message_id=relay.message_id)
    assert "Jeanne a terminé la conversation" in marcel.last.text
    assert "pas compris" in (await jeanne.send("Finalement oui"))[0].text  # not relayed
    # The seller ended it: the buyer cannot start it again.
    assert "conversation est terminée" in (await contact(marcel, FAUTEUIL)).text
    # A buyer who ended his own conversation may write again later.
    await contact(jeanne, "Perceuse", "Prêter")
    await jeanne.send("Je peux l'emprunter samedi ?")
    await marcel.press("↩️ Répondre")
    await marcel.send("Oui bien sûr.")
    assert "Marcel a terminé" not in jeanne.last.text
    await jeanne.press("🔚 Terminer")
    assert "Jeanne a terminé la conversation" in marcel.last.text
    assert "Votre message pour Marcel" in (await contact(jeanne, "Perceuse", "Prêter")).text
    await jeanne.send("Finalement, dimanche ?")
    assert "Finalement, dimanche ?" in marcel.last.text
    assert bot.refused() == []


async def test_a_deleted_listing_ends_its_conversations(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 831, "Jeanne", "resident1@lba.demo")
    marcel = await signed_in(bot, 832, "Marcel", "resident2@lba.demo")
    await contact(marcel, FAUTEUIL)
    await marcel.send("Intéressé !")
    relay_to_jeanne = jeanne.last
    await jeanne.send("/marche")
    await jeanne.press("📋 Mes annonces")
    await jeanne.press("2. Fauteuil releveur")
    await jeanne.press("🗑 Supprimer")
    await jeanne.press("🗑 Oui, supprimer")
    assert (
        "conversation est terminée"
        in (await jeanne.press("↩️ Répondre", message_id=relay_to_jeanne.message_id))[-1].text
    )
    # Marcel's open listing page is stale now.
    assert "n'est plus disponible" in (await forged(bot, marcel, f"mk:contact:{listing(bot, FAUTEUIL).id}"))[-1].text
    assert bot.refused() == []


async def test_a_market_button_while_writing_says_a_step_is_in_progress(bot: BotHarness) -> None:
    await signed_in(bot, 833, "Jeanne", "resident1@lba.demo")
    marcel = await signed_in(bot, 834, "Marcel", "resident2@lba.demo")
    await contact(marcel, FAUTEUIL)
    assert "démarche du marché en cours" in (await forged(bot, marcel, "mk:new"))[-1].text
    assert "Message transmis" in (await marcel.send("Toujours là ?"))[0].text
    assert bot.refused() == []


async def test_an_admin_without_a_residence_is_told_the_market_is_a_residence_s(bot: BotHarness) -> None:
    alain = await signed_in(bot, 837, "Alain", "admin@lba.demo")
    assert "aucune résidence" in (await alain.press("🛍 Marché"))[-1].text
    assert "aucune résidence" in (await alain.send("/marche"))[-1].text
    assert "aucune résidence" in (await forged(bot, alain, "mk:new"))[-1].text
    assert "aucune résidence" in (await forged(bot, alain, "mk:ls:all:0"))[-1].text
    assert bot.refused() == []


async def test_annuler_while_writing_sends_nothing(bot: BotHarness) -> None:
    await signed_in(bot, 838, "Jeanne", "resident1@lba.demo")
    marcel = await signed_in(bot, 839, "Marcel", "resident2@lba.demo")
    await contact(marcel, FAUTEUIL)
    assert "c'est annulé" in (await marcel.send("/annuler"))[0].text
    assert "Je suis l'assistant" in (await marcel.send("Bonjour Jeanne"))[0].text  # the assistant's, not relayed
    assert relayed(bot) == 0
    assert bot.refused() == []


# --- English ----------------------------------------------------------------------------------------


async def test_english_speakers_get_the_market_in_english_and_neighbours_read_french(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 835, "Jeanne", "resident1@lba.demo")
    john = await signed_in(bot, 836, "Marcel", "resident2@lba.demo", language_code="en")
    home = (await john.send("/market"))[-1]
    assert "Market — Les Belles Années Lyon" in home.text and "listing(s) online" in home.text
    assert labels(john)[:5] == ["Sell", "Buy", "Lend", "Give", "All"]
    page = (await john.press("Sell"))[-1].text
    assert "For sale" in page and "Riser" not in page and "€150" in page
    detail = (await john.press("1. Fauteuil releveur"))[-1].text
    assert "Price: €150" in detail and "Sunday 22 November" in detail
    assert "Your message to Jeanne" in (await john.press("💬 Contact"))[-1].text
    assert "Message passed on to Jeanne" in (await john.send("Hello!"))[0].text
    assert "Marcel vous écrit" in jeanne.last.text and labels(jeanne)[0] == "↩️ Répondre"
    await john.send("/market")
    await john.press("➕ Post a listing")
    await john.press("Give")
    assert "at least 3 characters" in (await john.send("ab"))[0].text
    assert bot.refused() == []
