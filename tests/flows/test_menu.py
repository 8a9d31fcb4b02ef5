"""The dashboard, help, commands, stale buttons and the error handler."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from tests.flows.test_signin import sign_in
from tests.harness import BotHarness


async def test_manager_dashboard_shows_the_residence(bot: BotHarness) -> None:
    sophie = bot.user(601, "Sophie")
    await sign_in(sophie, "manager@lba.demo")
    board = sophie.last.text
    assert "Gestion de la résidence" in board
    assert "Prochain événement : Loto de l'automne" in board  # not signed up: the residence's next one
    assert "Incidents ouverts : 3" in board and "Dont urgents : 1" in board
    labels = [label for row in sophie.emu.buttons() for label, _ in row]
    assert "📣 Annonce" in labels and "📊 Statistiques" in labels
    scopes = bot.emu.commands
    manager_lists = [cmds for (scope, _lang), cmds in scopes.items() if '"chat"' in scope and "601" in scope]
    assert manager_lists and any(c["command"] == "annonce" for c in manager_lists[0])


async def test_commands_are_registered_in_french_and_english(bot: BotHarness) -> None:
    by_lang = {
        lang: [c["command"] for c in cmds] for (scope, lang), cmds in bot.emu.commands.items() if '"default"' in scope
    }
    assert "connexion" in by_lang[""] and "reserver" in by_lang[""] and "annonce" not in by_lang[""]
    assert "login" in by_lang["en"] and "book" in by_lang["en"]


async def test_menu_buttons_refresh_and_the_assistant(bot: BotHarness) -> None:
    jeanne = bot.user(602, "Jeanne")
    await sign_in(jeanne)
    dashboard = jeanne.last
    await jeanne.press("🔄 Actualiser")  # same content: the bot must not edit into the same text
    assert jeanne.last.message_id == dashboard.message_id
    replies = await jeanne.press("💬 Assistant")
    assert "L'assistant de la résidence" in replies[-1].text
    assert bot.refused() == []


async def test_a_stale_button_gets_a_polite_answer_and_a_fresh_menu(bot: BotHarness) -> None:
    jeanne = bot.user(603, "Jeanne")
    await sign_in(jeanne)
    old = jeanne.last
    await jeanne.send("/deconnexion")  # a message whose buttons belong to a finished exchange
    await jeanne.press("Non, rester connecté(e)")
    # A button whose data no handler knows any more (an old release, a finished flow).
    bot.emu.user(603, "Jeanne")
    jeanne.emu.press_data("old:flow:42", message_id=old.message_id)
    await bot.deliver()
    texts = jeanne.texts()
    assert any("Ce menu a expiré" in t for t in texts)
    assert "Bonjour Jeanne" in jeanne.last.text
    assert bot.refused() == []


async def test_stray_text_gets_the_menu(bot: BotHarness) -> None:
    jeanne = bot.user(604, "Jeanne")
    await sign_in(jeanne)
    replies = await jeanne.send("blorf zqx")  # what nobody can make out: the assistant says so, then the menu
    assert "pas compris" in replies[0].text and "Bonjour Jeanne" in replies[-1].text


async def test_an_error_is_answered_not_swallowed(bot: BotHarness) -> None:
    async def boom(update: Update, context: object) -> None:
        raise RuntimeError("boom")

    assert bot.app is not None
    bot.app.add_handler(CommandHandler("boom", boom), group=-2)
    jeanne = bot.user(605, "Jeanne")
    replies = await jeanne.send("/boom")
    assert "une erreur est survenue" in replies[0].text


async def test_help_lists_manager_commands_only_for_managers(bot: BotHarness) -> None:
    jeanne, sophie = bot.user(606, "Jeanne"), bot.user(607, "Sophie")
    await sign_in(jeanne)
    await sign_in(sophie, "manager@lba.demo")
    assert "/annonce" not in (await jeanne.send("/aide"))[0].text
    assert "/annonce" in (await sophie.send("/aide"))[0].text


async def test_a_crafted_menu_press_in_a_group_shows_nothing_there(bot: BotHarness) -> None:
    sophie = bot.user(608, "Sophie")
    await sign_in(sophie, "manager@lba.demo")
    group = bot.emu.group(-100608, "Résidents")
    group.add_bot(by=sophie.emu)
    await bot.deliver()
    before = [(m.message_id, m.text, m.edited) for m in group.messages]
    hint = group.bot_messages[-1]  # the bot's "a manager should run /lier_groupe" hint
    for data in ("menu:home", "old:flow:1"):  # forged presses on it, as a modified client could send
        bot.emu._press(sophie.emu, group.chat_id, data, hint.message_id, raw_data=True)  # noqa: SLF001
        await bot.deliver()
    assert [(m.message_id, m.text, m.edited) for m in group.messages] == before  # nothing posted or edited
