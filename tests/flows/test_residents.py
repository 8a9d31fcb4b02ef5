"""The managers' residents tools as a manager uses them: inviting, the list, a card, deactivating."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.emulator.core import EmuMessage
from models import Invitation, OutboxMessage, OutboxStatus, Residence, Role, User
from models.db import unit_of_work
from services import outbox
from services.auth import hash_secret
from services.demo import BORDEAUX, LYON, seed_load_residents
from tests.conftest import TEST_ROUNDS
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

LINK = re.compile(r"https://t\.me/lba_test_bot\?start=(\S+)")


@contextmanager
def db(bot: BotHarness) -> Iterator[Session]:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        yield session


def account(bot: BotHarness, email: str) -> User:
    with db(bot) as session:
        user = session.scalar(sa.select(User).where(User.email == email))
        assert user is not None, email
        return user


def add_manager(bot: BotHarness, email: str, residence: str, first_name: str) -> None:
    with db(bot) as session:
        residence_id = session.scalar(sa.select(Residence.id).where(Residence.name == residence))
        session.add(
            User(
                email=email,
                password_hash=hash_secret("demo1234", TEST_ROUNDS),
                first_name=first_name,
                last_name="Gérant",
                role=Role.MANAGER,
                residence_id=residence_id,
            )
        )


async def signed_in(bot: BotHarness, user_id: int, name: str, email: str, **kwargs: object) -> TgUser:
    user = bot.user(user_id, name, **kwargs)
    await sign_in(user, email)
    return user


async def sophie(bot: BotHarness) -> TgUser:
    return await signed_in(bot, 700, "Sophie", "manager@lba.demo")


def labels(user: TgUser, message: EmuMessage | None = None) -> list[str]:
    return [label for row in user.emu.buttons(message) for label, _ in row]


def data_of(user: TgUser, label: str, message: EmuMessage | None = None) -> str:
    return next(data for row in user.emu.buttons(message) for text, data in row if text == label)


async def forged(bot: BotHarness, user: TgUser, data: str) -> list[EmuMessage]:
    """A press with data the bot never sent this user (an old release, a crafted client)."""
    message = user.emu.latest_keyboard_message or user.last
    return await user._act(lambda: user.emu.press_data(data, message_id=message.message_id))  # sent or edited


def text_of(replies: list[EmuMessage]) -> str:
    return "\n".join(m.text or m.caption or "" for m in replies)


# --- inviting ------------------------------------------------------------------------------------


async def test_invite_from_the_command_and_the_link_signs_the_newcomer_in(bot: BotHarness) -> None:
    manager = await sophie(bot)
    ask = (await manager.send("/inviter"))[-1]
    assert "Inviter un résident" in ask.text and LYON in ask.text and "adresse e-mail" in ask.text
    assert labels(manager, ask) == ["👥 Liste des résidents", "✖️ Annuler"]
    ask_flat = (await manager.send("Odette.Roux@Example.fr"))[-1]
    assert "appartement de la personne invitée (odette.roux@example.fr)" in ask_flat.text
    assert labels(manager, ask_flat) == ["⏭ Passer", "✖️ Annuler"]
    created = (await manager.send("D03"))[-1]
    assert "Invitation créée" in created.text and "D03" in created.text and LYON in created.text
    assert "valable jusqu'au mardi 1 décembre à 10:00" in created.text  # 7 days, residence time
    code = LINK.search(created.text)
    assert code is not None and len(code.group(1)) <= 64
    assert labels(manager, created) == ["👥 Liste des résidents", "✉️ Inviter", "🏠 Menu"]
    sophie_id = account(bot, "manager@lba.demo").id
    with db(bot) as session:
        invitation = session.scalar(sa.select(Invitation))
        assert invitation is not None and invitation.created_by_id == sophie_id
        assert code.group(1) not in invitation.code_hash

    odette = bot.user(950, "Odette", last_name="Roux")
    welcome = text_of(await odette.send(f"/start {code.group(1)}"))
    assert "Bienvenue Odette" in welcome and LYON in welcome
    newcomer = account(bot, "odette.roux@example.fr")
    assert newcomer.telegram_id == 950 and newcomer.apartment == "D03" and newcomer.role == Role.RESIDENT
    assert newcomer.residence_id == account(bot, "manager@lba.demo").residence_id
    assert "Les Belles Années Lyon" in (await odette.send("/menu"))[-1].text
    assert bot.refused() == []


async def test_invite_from_the_dashboard_without_an_apartment(bot: BotHarness) -> None:
    manager = await sophie(bot)
    await manager.send("/menu")
    ask = (await manager.press("✉️ Inviter"))[-1]
    assert "adresse e-mail" in ask.text
    assert manager.emu.callback_answers[-1]["text"] in (None, "")
    await manager.send("gaston@example.fr")
    created = (await manager.press("⏭ Passer"))[-1]
    assert "Invitation créée" in created.text and "Appartement : —" in created.text
    assert LINK.search(created.text) is not None
    with db(bot) as session:
        invitation = session.scalar(sa.select(Invitation))
        assert invitation is not None and invitation.apartment is None and invitation.email == "gaston@example.fr"
    assert bot.refused() == []


async def test_every_typed_step_is_checked_and_asked_again(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 701, "Jeanne", "resident1@lba.demo")  # linked: needs no invitation
    manager = await sophie(bot)
    await manager.send("/inviter")
    expectations = [
        ("pas-un-email", "ne semble pas valide"),
        ("x" * 250 + "@exemple.fr", "trop longue"),
        ("resident1@lba.demo", "déjà un compte actif relié"),
        ("resident3@lba.demo", "une autre résidence"),
        ("manager@lba.demo", "gestionnaire ou d'administrateur"),
    ]
    for typed, expected in expectations:
        reply = (await manager.send(typed))[-1]
        assert expected in reply.text, typed
    assert "J'attends l'adresse e-mail" in (await manager.send_sticker())[-1].text
    assert "appartement" in (await manager.send("  Lucie@exemple.fr "))[-1].text
    assert "20 caractères au plus (vous en avez écrit 21)" in (await manager.send("x" * 21))[-1].text
    assert "J'attends le numéro d'appartement" in (await manager.send_sticker())[-1].text
    assert "Invitation créée" in (await manager.send("E 07"))[-1].text
    with db(bot) as session:
        assert session.scalars(sa.select(Invitation.email)).all() == ["lucie@exemple.fr"]
    assert jeanne.id == 701 and bot.refused() == []


async def test_annuler_and_the_cancel_button_leave_without_inviting(bot: BotHarness) -> None:
    manager = await sophie(bot)
    await manager.send("/inviter")
    await manager.send("leon@example.fr")
    assert "annulé" in (await manager.send("/annuler"))[-1].text
    assert "Je n'ai pas compris" in (await manager.send("E12"))[0].text  # no longer an answer to a step
    await manager.send("/invite")
    assert "annulé" in (await manager.press("✖️ Annuler"))[-1].text
    with db(bot) as session:
        assert session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    assert bot.refused() == []


async def test_a_resident_is_told_inviting_is_for_managers(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 702, "Marcel", "resident2@lba.demo")
    assert "réservée aux gestionnaires" in (await marcel.send("/inviter"))[-1].text
    assert "réservée aux gestionnaires" in text_of(await forged(bot, marcel, "menu:invite"))
    assert "réservée aux gestionnaires" in (await marcel.send("/residents"))[-1].text
    await marcel.send("/menu")
    assert "réservée aux gestionnaires" in text_of(await forged(bot, marcel, "res:ls:1:0"))
    assert "Je n'ai pas compris" in (await marcel.send("odette@example.fr"))[0].text  # no flow was left open
    with db(bot) as session:
        assert session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    assert bot.refused() == []


async def test_an_admin_picks_the_residence(bot: BotHarness) -> None:
    alain = await signed_in(bot, 703, "Alain", "admin@lba.demo")
    pick = (await alain.send("/inviter"))[-1]
    assert "Pour quelle résidence" in pick.text and labels(alain, pick)[:2] == [BORDEAUX, LYON]
    assert "Choisissez avec les boutons" in (await alain.send("Bordeaux"))[-1].text
    ask = (await alain.press(BORDEAUX))[-1]
    assert BORDEAUX in ask.text and "adresse e-mail" in ask.text
    await alain.send("paulette@example.fr")
    created = (await alain.press("⏭ Passer"))[-1]
    assert BORDEAUX in created.text
    code = LINK.search(created.text)
    assert code is not None
    await bot.user(951, "Paulette").send(f"/start {code.group(1)}")
    assert account(bot, "paulette@example.fr").residence_id == account(bot, "resident3@lba.demo").residence_id
    assert bot.refused() == []


async def test_an_english_manager_invites_in_english(bot: BotHarness) -> None:
    with db(bot) as session:
        session.execute(sa.update(User).where(User.email == "manager@lba.demo").values(language="en"))
    manager = await signed_in(bot, 704, "Sophie", "manager@lba.demo", language_code="en")
    ask = (await manager.send("/invite"))[-1]
    assert "Invite a resident" in ask.text and "/cancel" in ask.text
    assert "does not look valid" in (await manager.send("nope"))[-1].text
    await manager.send("arthur@example.com")
    created = (await manager.send("C3"))[-1]
    assert "Invitation created" in created.text and "valid until Tuesday 1 December at 10:00" in created.text
    listing = (await manager.press("👥 Residents list"))[-1]
    assert "Residents — Les Belles Années Lyon" in listing.text and "Resident · ✉️ not linked yet" in listing.text
    assert bot.refused() == []


# --- the list and the cards ------------------------------------------------------------------------


async def test_the_list_shows_who_is_linked_or_unreachable_and_paginates(bot: BotHarness) -> None:
    with db(bot) as session:
        seed_load_residents(session, 14, now=bot.clock(), rounds=TEST_ROUNDS)
        session.execute(sa.update(User).where(User.email == "resident2@lba.demo").values(unreachable_since=bot.clock()))
    manager = await sophie(bot)
    first = (await manager.send("/residents"))[-1]
    assert "Résidents — Les Belles Années Lyon" in first.text and "17 personne(s) · page 1/3" in first.text
    assert "Marcel Bernard · B04 · Résident(e) · ✉️ pas encore relié(e) · ⚠️ injoignable" in first.text
    assert "✅ relié(e)" in first.text
    assert len([label for label in labels(manager, first) if label[0].isdigit()]) == 8
    second = (await manager.press("Suivant ▶️"))[-1]
    assert second.message_id == first.message_id and "page 2/3" in second.text  # edited in place
    third = (await manager.press("Suivant ▶️"))[-1]
    assert "page 3/3" in third.text and "Suivant ▶️" not in labels(manager, third)
    assert "page 2/3" in (await manager.press("◀️ Précédent"))[-1].text
    assert bot.refused() == []


async def test_search_asks_again_until_it_can_search(bot: BotHarness) -> None:
    manager = await sophie(bot)
    await manager.send("/residents")
    assert "Tapez un nom" in (await manager.press("🔎 Rechercher"))[-1].text
    assert "au moins 2 caractères" in (await manager.send("d"))[-1].text
    assert "J'attends un nom" in (await manager.send_sticker())[-1].text
    found = (await manager.send("dupont"))[-1]
    assert "Recherche : « dupont »" in found.text and "Jeanne Dupont" in found.text and "Marcel" not in found.text
    assert "Personne ne correspond" in (await manager.send("/residents zzz"))[-1].text
    assert "1 personne(s)" in (await manager.send("/residents B04"))[-1].text
    everyone = (await manager.press("📋 Tout afficher"))[-1]
    assert "3 personne(s)" in everyone.text
    assert bot.refused() == []


async def test_deactivate_after_confirmation_signs_the_resident_out(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 705, "Jeanne", "resident1@lba.demo")
    jeanne_id = account(bot, "resident1@lba.demo").id
    with db(bot) as session:  # a reminder queued for later: it must never leave now
        later = outbox.notify(
            session,
            user_id=jeanne_id,
            kind="test",
            key="soon",
            now=bot.clock(),
            not_before=bot.clock().replace(year=2027),
        )
    manager = await sophie(bot)
    await manager.send("/residents")
    card = (await manager.press("2. Jeanne Dupont"))[-1]
    assert "resident1@lba.demo" in card.text and "A12" in card.text and "Telegram : ✅ relié(e)" in card.text
    assert labels(manager, card) == ["⛔ Désactiver", "⬅️ Retour à la liste", "🏠 Menu"]
    confirm = (await manager.press("⛔ Désactiver"))[-1]
    assert "Désactiver Jeanne Dupont ?" in confirm.text
    assert "Jeanne Dupont" in (await manager.press("Non, garder"))[-1].text
    await manager.press("⛔ Désactiver")
    done = (await manager.press("⛔ Oui, désactiver"))[-1]
    assert "Jeanne Dupont est désactivé(e) et déconnecté(e)" in done.text and "Compte : ⛔ désactivé" in done.text
    assert labels(manager, done) == ["✅ Réactiver", "⬅️ Retour à la liste", "🏠 Menu"]

    farewell = jeanne.last
    assert "accès à LBA Bot pour la résidence Les Belles Années Lyon a été fermé" in farewell.text
    assert "reliez d'abord votre compte" in (await jeanne.send("/menu"))[-1].text
    user = account(bot, "resident1@lba.demo")
    assert not user.active and user.telegram_id is None
    with db(bot) as session:
        assert session.get(OutboxMessage, later).status == OutboxStatus.CANCELLED  # type: ignore[union-attr]
    listing = (await manager.press("⬅️ Retour à la liste"))[-1]
    assert "Jeanne Dupont · A12 · Résident(e) · ⛔ désactivé(e)" in listing.text
    assert bot.refused() == []


async def test_reactivate_and_hand_over_a_new_link(bot: BotHarness) -> None:
    manager = await sophie(bot)
    marcel_id = account(bot, "resident2@lba.demo").id
    await manager.send("/residents")
    await manager.press("1. Marcel Bernard")
    await manager.press("⛔ Désactiver")
    await manager.press("⛔ Oui, désactiver")
    back = (await manager.press("✅ Réactiver"))[-1]
    assert "Marcel Bernard est réactivé(e)" in back.text and "✉️ Nouveau lien d'invitation" in labels(manager, back)
    created = (await manager.press("✉️ Nouveau lien d'invitation"))[-1]
    assert "resident2@lba.demo" in created.text and "B04" in created.text
    code = LINK.search(created.text)
    assert code is not None
    marcel = bot.user(706, "Marcel")
    assert "Bienvenue Marcel" in text_of(await marcel.send(f"/start {code.group(1)}"))
    assert account(bot, "resident2@lba.demo").telegram_id == 706 and account(bot, "resident2@lba.demo").id == marcel_id
    assert bot.refused() == []


async def test_stale_buttons_are_answered_politely(bot: BotHarness) -> None:
    manager = await sophie(bot)
    await manager.send("/residents")
    await manager.press("1. Marcel Bernard")
    confirm = (await manager.press("⛔ Désactiver"))[-1]
    yes = data_of(manager, "⛔ Oui, désactiver", confirm)
    await manager.press("⛔ Oui, désactiver")
    again = await forged(bot, manager, yes)  # a second device still showing the confirmation
    assert "Marcel Bernard était déjà désactivé(e)" in text_of(again)
    with db(bot) as session:
        farewells = session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "res_deactivated")
        )
        assert farewells == 0  # Marcel was never linked: nobody to say goodbye to
    assert "expiré" in text_of(await forged(bot, manager, "res:zz:1"))
    assert "expiré" in text_of(await forged(bot, manager, "res:skip"))  # a step button after its flow
    assert "expiré" in text_of(await forged(bot, manager, "res:sq:0"))  # no search to page through
    assert "expiré" in text_of(await forged(bot, manager, "res:op:abc:l0"))
    assert bot.refused() == []


async def test_nobody_acts_outside_their_rights_even_with_forged_buttons(bot: BotHarness) -> None:
    add_manager(bot, "manager.bdx@lba.demo", BORDEAUX, "Paul")
    add_manager(bot, "manager2@lba.demo", LYON, "Claire")
    jeanne_id = account(bot, "resident1@lba.demo").id
    sophie_id = account(bot, "manager@lba.demo").id
    claire_id = account(bot, "manager2@lba.demo").id
    bordeaux_id = account(bot, "resident3@lba.demo").residence_id
    manager = await sophie(bot)
    marcel = await signed_in(bot, 707, "Marcel", "resident2@lba.demo")
    paul = await signed_in(bot, 708, "Paul", "manager.bdx@lba.demo")

    await marcel.send("/menu")
    assert "réservée aux gestionnaires" in text_of(await forged(bot, marcel, f"res:offy:{jeanne_id}:l0"))
    await paul.send("/residents")
    assert "pas accessible" in text_of(await forged(bot, paul, f"res:offy:{jeanne_id}:l0"))
    assert "pas accessible" in text_of(await forged(bot, paul, f"res:op:{jeanne_id}:l0"))

    await manager.send("/residents")
    own = (await manager.press("4. Sophie Martin"))[-1]  # after Claire Gérant
    assert "⛔ Désactiver" not in labels(manager, own)
    assert "propre compte" in text_of(await forged(bot, manager, f"res:offy:{sophie_id}:l0"))
    assert "Seul un administrateur" in text_of(await forged(bot, manager, f"res:offy:{claire_id}:l0"))
    assert "pas accessible" in text_of(await forged(bot, manager, f"res:ls:{bordeaux_id}:0"))
    assert "pas accessible" in text_of(await forged(bot, manager, f"res:inv:{bordeaux_id}"))
    assert "pas accessible" in text_of(await forged(bot, manager, "res:op:99999:l0"))
    with db(bot) as session:
        assert session.scalar(sa.select(sa.func.count(User.id)).where(User.active.is_(False))) == 0
        assert session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    assert bot.refused() == []


async def test_an_admin_lists_any_residence_and_may_take_a_manager_out(bot: BotHarness) -> None:
    manager = await sophie(bot)
    alain = await signed_in(bot, 709, "Alain", "admin@lba.demo")
    pick = (await alain.send("/residents"))[-1]
    assert "Quelle résidence" in pick.text
    bordeaux = (await alain.press(BORDEAUX))[-1]
    assert "Lucienne Moreau" in bordeaux.text and "🏢 Autre résidence" in labels(alain, bordeaux)
    await alain.press("🏢 Autre résidence")
    await alain.press(LYON)
    card = (await alain.press("3. Sophie Martin"))[-1]
    assert "Gestionnaire" in card.text and "⛔ Désactiver" in labels(alain, card)
    await alain.press("⛔ Désactiver")
    await alain.press("⛔ Oui, désactiver")
    assert "a été fermé" in manager.last.text
    assert "reliez d'abord votre compte" in (await manager.send("/residents"))[-1].text
    assert bot.emu.commands_for({"type": "chat", "chat_id": 700}) == []  # her managers' command list is gone
    assert bot.refused() == []


async def test_the_list_button_mid_invitation_leaves_the_step(bot: BotHarness) -> None:
    manager = await sophie(bot)
    await manager.send("/inviter")
    listing = (await manager.press("👥 Liste des résidents"))[-1]
    assert "Résidents — Les Belles Années Lyon" in listing.text
    assert "Je n'ai pas compris" in (await manager.send("leon@example.fr"))[0].text  # not read as the e-mail
    assert "adresse e-mail" in (await manager.press("✉️ Inviter"))[-1].text
    assert "appartement" in (await manager.send("leon@example.fr"))[-1].text
    assert bot.refused() == []


async def test_a_restart_mid_invitation_keeps_the_answers(bot: BotHarness) -> None:
    manager = await sophie(bot)
    await manager.send("/inviter")
    await manager.send("berthe@example.fr")
    await bot.restart()
    created = (await manager.send("F 11"))[-1]
    assert "Invitation créée" in created.text and "berthe@example.fr" in created.text and "F 11" in created.text
    assert bot.refused() == []
