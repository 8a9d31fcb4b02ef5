"""Telegram groups as managers use them: adding the bot, /lier_groupe, removal, and who may link."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.emulator.core import EmuGroup, EmuMessage
from models import GroupChat, GroupKind, Residence, Role, User
from models.db import unit_of_work
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

LYON = "Les Belles Années Lyon"
BORDEAUX = "Les Belles Années Bordeaux"


@contextmanager
def db(bot: BotHarness) -> Iterator[Session]:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        yield session


async def signed_in(bot: BotHarness, user_id: int, name: str, email: str, **kwargs: object) -> TgUser:
    user = bot.user(user_id, name, **kwargs)
    await sign_in(user, email)
    return user


def add_manager(bot: BotHarness, email: str, first_name: str, residence: str) -> None:
    """Another manager (the demo has one, in Lyon), with the demo password."""
    with db(bot) as session:
        model = session.scalar(sa.select(User).where(User.email == "manager@lba.demo"))
        residence_id = session.scalar(sa.select(Residence.id).where(Residence.name == residence))
        assert model is not None and residence_id is not None
        session.add(
            User(
                email=email,
                password_hash=model.password_hash,
                first_name=first_name,
                last_name="Test",
                role=Role.MANAGER,
                residence_id=residence_id,
                language="fr",
                created_at=bot.clock(),
            )
        )


def links(bot: BotHarness) -> list[tuple[int, str, GroupKind, bool]]:
    with db(bot) as session:
        rows = session.execute(
            sa.select(GroupChat.chat_id, Residence.name, GroupChat.kind, GroupChat.active)
            .join(Residence, Residence.id == GroupChat.residence_id)
            .order_by(GroupChat.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def residence_id(bot: BotHarness, name: str) -> int:
    with db(bot) as session:
        found = session.scalar(sa.select(Residence.id).where(Residence.name == name))
        assert found is not None
        return found


async def in_group(bot: BotHarness, group: EmuGroup, user: TgUser, text: str) -> list[EmuMessage]:
    """A message in the group; returns what the bot posted there in answer."""
    before = len(group.messages)
    group.send_text(user.emu, text)
    await bot.deliver()
    return [m for m in group.messages[before:] if m.from_bot]


async def press_in(bot: BotHarness, group: EmuGroup, user: TgUser, label: str, *, raw: bool = False) -> None:
    if raw:  # data the bot never sent (a crafted client), on the latest message with buttons
        target = bot.emu._latest_with_keyboard(group.chat_id) or group.last_bot_message
        assert target is not None
        bot.emu._press(user.emu, group.chat_id, label, target.message_id, raw_data=True)
    else:
        group.press(user.emu, label)
    await bot.deliver()


def last_answer(bot: BotHarness) -> str:
    return bot.emu.callback_answers[-1]["text"] or ""


async def added_group(bot: BotHarness, by: TgUser, chat_id: int = -100123, title: str = "Résidents Lyon") -> EmuGroup:
    group = bot.emu.group(chat_id, title)
    group.add_bot(by=by.emu)
    await bot.deliver()
    return group


async def link_as(bot: BotHarness, group: EmuGroup, manager: TgUser, label: str = "👥 Groupe des résidents") -> None:
    await in_group(bot, group, manager, "/lier_groupe")
    await press_in(bot, group, manager, label)


# --- adding the bot --------------------------------------------------------------------------------


async def test_the_bot_added_to_a_group_says_once_what_to_do_and_then_stays_silent(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 901, "Sophie", "manager@lba.demo")
    jeanne = await signed_in(bot, 902, "Jeanne", "resident1@lba.demo")
    group = await added_group(bot, sophie)
    assert len(group.bot_messages) == 1 and "/lier_groupe" in group.bot_messages[0].text
    # Nobody linked it: other commands and mentions get no answer at all.
    for text in ("/menu", "/aide", "/signaler", "/annonce", "@lba_test_bot bonjour", "/start"):
        assert await in_group(bot, group, jeanne, text) == []
    group.set_bot_admin(by=sophie.emu)  # a promotion is not a new arrival: nothing said again
    await bot.deliver()
    assert len(group.bot_messages) == 1
    assert links(bot) == []
    assert bot.refused() == []


async def test_an_english_manager_is_greeted_in_english(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 903, "Sophie", "manager@lba.demo", language_code="en")
    group = await added_group(bot, sophie)
    assert "/link_group" in group.bot_messages[0].text
    replies = await in_group(bot, group, sophie, "/link_group")
    assert "Link the group “Résidents Lyon” to Les Belles Années Lyon as:" in replies[0].text
    await press_in(bot, group, sophie, "👥 Residents' group")
    assert "this group is the residents' group of Les Belles Années Lyon" in group.bot_messages[-1].text
    assert links(bot) == [(-100123, LYON, GroupKind.RESIDENTS, True)]
    assert bot.refused() == []


# --- linking ---------------------------------------------------------------------------------------


async def test_a_manager_links_the_group_as_the_residents_group(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 904, "Sophie", "manager@lba.demo")
    group = await added_group(bot, sophie)
    replies = await in_group(bot, group, sophie, "/lier_groupe")
    assert len(replies) == 1
    assert "Lier le groupe « Résidents Lyon » à Les Belles Années Lyon comme :" in replies[0].text
    assert replies[0].button_labels == ["👥 Groupe des résidents", "🧰 Groupe des gestionnaires", "✖️ Annuler"]
    await press_in(bot, group, sophie, "👥 Groupe des résidents")
    confirmation = group.bot_messages[-1]
    assert confirmation.message_id == replies[0].message_id  # the choice message is edited in place
    assert "ce groupe est le groupe des résidents de Les Belles Années Lyon" in confirmation.text
    assert "jamais les données personnelles" in confirmation.text and confirmation.buttons == []
    assert links(bot) == [(-100123, LYON, GroupKind.RESIDENTS, True)]
    assert bot.refused() == []


async def test_relinking_the_same_chat_updates_its_link(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 905, "Sophie", "manager@lba.demo")
    group = await added_group(bot, sophie)
    await link_as(bot, group, sophie)
    replies = await in_group(bot, group, sophie, "/lier_groupe")
    assert "actuellement le groupe des résidents de Les Belles Années Lyon" in replies[0].text
    await press_in(bot, group, sophie, "🧰 Groupe des gestionnaires")
    assert links(bot) == [(-100123, LYON, GroupKind.MANAGERS, True)]
    assert "alertes d'incidents" in group.bot_messages[-1].text
    assert bot.refused() == []


async def test_cancelling_the_choice_links_nothing(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 906, "Sophie", "manager@lba.demo")
    group = await added_group(bot, sophie)
    await in_group(bot, group, sophie, "/lier_groupe")
    await press_in(bot, group, sophie, "✖️ Annuler")
    assert group.bot_messages[-1].text == "Liaison du groupe annulée."
    assert links(bot) == []
    assert bot.refused() == []


async def test_an_admin_first_picks_the_residence(bot: BotHarness) -> None:
    alain = await signed_in(bot, 907, "Alain", "admin@lba.demo")
    group = await added_group(bot, alain, -100777, "Équipe Bordeaux")
    replies = await in_group(bot, group, alain, "/lier_groupe")
    assert "choisissez d'abord la résidence" in replies[0].text
    assert "À quelle résidence lier le groupe « Équipe Bordeaux » ?" in replies[1].text
    assert replies[1].button_labels == [BORDEAUX, LYON, "✖️ Annuler"]
    await press_in(bot, group, alain, BORDEAUX)
    assert "à Les Belles Années Bordeaux comme" in group.bot_messages[-1].text
    await press_in(bot, group, alain, "🧰 Groupe des gestionnaires")
    assert links(bot) == [(-100777, BORDEAUX, GroupKind.MANAGERS, True)]
    assert bot.refused() == []


# --- who may link ----------------------------------------------------------------------------------


async def test_residents_and_strangers_are_refused_politely_in_the_group(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 908, "Sophie", "manager@lba.demo")
    jeanne = await signed_in(bot, 909, "Jeanne", "resident1@lba.demo")
    stranger = bot.user(910, "Paul")
    group = await added_group(bot, sophie)
    for who in (jeanne, stranger):
        replies = await in_group(bot, group, who, "/lier_groupe")
        assert len(replies) == 1 and "Seul(e) un(e) gestionnaire de la résidence" in replies[0].text
        assert replies[0].buttons == []
    assert links(bot) == []
    assert bot.refused() == []


async def test_only_the_manager_who_ran_the_command_may_press_and_forged_data_changes_nothing(
    bot: BotHarness,
) -> None:
    sophie = await signed_in(bot, 911, "Sophie", "manager@lba.demo")
    jeanne = await signed_in(bot, 912, "Jeanne", "resident1@lba.demo")
    add_manager(bot, "manager.bordeaux@lba.demo", "Bernard", BORDEAUX)
    bernard = await signed_in(bot, 913, "Bernard", "manager.bordeaux@lba.demo")
    group = await added_group(bot, sophie)
    await in_group(bot, group, sophie, "/lier_groupe")
    choice = group.bot_messages[-1]

    await press_in(bot, group, jeanne, "👥 Groupe des résidents")
    assert last_answer(bot) == "Seule la personne qui a tapé /lier_groupe peut choisir."
    await press_in(bot, group, bernard, "🧰 Groupe des gestionnaires")
    assert last_answer(bot) == "Seule la personne qui a tapé /lier_groupe peut choisir."
    # Forged with their own Telegram id: the service refuses a resident, and a manager of elsewhere.
    lyon = residence_id(bot, LYON)
    await press_in(bot, group, jeanne, f"grp:k:residents:{lyon}:{jeanne.id}", raw=True)
    assert last_answer(bot) == "⛔ Vous ne pouvez pas lier ce groupe à cette résidence."
    await press_in(bot, group, bernard, f"grp:k:managers:{lyon}:{bernard.id}", raw=True)
    assert last_answer(bot) == "⛔ Vous ne pouvez pas lier ce groupe à cette résidence."
    await press_in(bot, group, sophie, f"grp:k:residents:{residence_id(bot, BORDEAUX)}:{sophie.id}", raw=True)
    assert last_answer(bot) == "⛔ Vous ne pouvez pas lier ce groupe à cette résidence."
    for data in ("grp:k:owners:1:911", "grp:zz", "grp", "ann:send", "ann:ack:1", f"grp:r:999999:{sophie.id}"):
        await press_in(bot, group, sophie, data, raw=True)
    assert links(bot) == []
    assert group.bot_messages[-1].message_id == choice.message_id  # nothing posted in the group
    assert choice.text == group.bot_messages[-1].text
    await press_in(bot, group, sophie, "👥 Groupe des résidents")  # the real press still works
    assert links(bot) == [(-100123, LYON, GroupKind.RESIDENTS, True)]
    assert bot.refused() == []


async def test_removing_the_bot_marks_the_link_inactive_and_readding_asks_again(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 914, "Sophie", "manager@lba.demo")
    group = await added_group(bot, sophie)
    await link_as(bot, group, sophie)
    group.remove_bot(by=sophie.emu)
    await bot.deliver()
    assert links(bot) == [(-100123, LYON, GroupKind.RESIDENTS, False)]
    group.add_bot(by=sophie.emu)
    await bot.deliver()
    assert "/lier_groupe" in group.bot_messages[-1].text
    await link_as(bot, group, sophie)
    assert links(bot) == [(-100123, LYON, GroupKind.RESIDENTS, True)]  # the same row, active again
    assert bot.refused() == []


async def test_blocking_the_bot_in_private_is_not_a_group_event(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 915, "Jeanne", "resident1@lba.demo")
    jeanne.emu.block_bot()
    await bot.deliver()
    assert links(bot) == []
    assert bot.refused() == []


# --- in private ------------------------------------------------------------------------------------


async def test_in_private_the_command_explains_and_lists_the_linked_groups(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 916, "Sophie", "manager@lba.demo")
    replies = await sophie.send("/lier_groupe")
    assert "s'utilise dans le groupe lui-même" in replies[0].text and "Aucun groupe n'est lié" in replies[0].text
    group = await added_group(bot, sophie)
    await link_as(bot, group, sophie)
    replies = await sophie.send("/link_group")
    assert "• Résidents Lyon — groupe des résidents, Les Belles Années Lyon" in replies[0].text
    assert bot.refused() == []


async def test_in_private_a_resident_is_told_the_command_is_for_managers(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 917, "Jeanne", "resident1@lba.demo")
    replies = await jeanne.send("/lier_groupe")
    assert replies[0].text == "🔒 Cette commande est réservée aux gestionnaires de résidence."
    assert bot.refused() == []
