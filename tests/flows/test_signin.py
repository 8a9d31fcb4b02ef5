"""Signing in as a resident would: /start, /connexion, invitations, lockout, /deconnexion."""

from __future__ import annotations

import sqlalchemy as sa

from models import Role, User
from models.db import unit_of_work
from services.auth import create_invitation
from tests.conftest import TEST_ROUNDS
from tests.harness import BotHarness, TgUser

PASSWORD = "demo1234"


async def sign_in(user: TgUser, email: str = "resident1@lba.demo", password: str = PASSWORD) -> None:
    await user.send("/connexion")
    await user.send(email)
    await user.send(password)


def linked_account(bot: BotHarness, telegram_id: int) -> User | None:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        return session.scalar(sa.select(User).where(User.telegram_id == telegram_id))


async def test_start_welcomes_an_unknown_user_with_the_two_ways_in(bot: BotHarness) -> None:
    jeanne = bot.user(501, "Jeanne")
    replies = await jeanne.send("/start")
    assert len(replies) == 1
    assert (
        "bienvenue sur LBA Bot" in replies[0].text
        and "/connexion" in replies[0].text
        and "invitation" in replies[0].text
    )
    assert [label for row in jeanne.emu.buttons() for label, _ in row] == ["🔑 Se connecter", "🌐 Langue / Language"]
    assert bot.refused() == []


async def test_an_english_telegram_user_is_answered_in_english(bot: BotHarness) -> None:
    john = bot.user(502, "John", language_code="en")
    replies = await john.send("/start")
    assert "welcome to" in replies[0].text and "/login" in replies[0].text


async def test_user_values_are_escaped_in_html(bot: BotHarness) -> None:
    odd = bot.user(503, "<b>Bob & Co</i>")
    replies = await odd.send("/start")
    assert "<b>Bob & Co</i>" in replies[0].text  # shown as typed, not parsed as markup
    assert bot.refused() == []


async def test_connexion_signs_in_deletes_the_password_and_shows_the_dashboard(bot: BotHarness) -> None:
    jeanne = bot.user(504, "Jeanne")
    assert "e-mail" in (await jeanne.send("/connexion"))[0].text
    assert "mot de passe" in (await jeanne.send("Resident1@LBA.demo "))[0].text
    replies = await jeanne.send(PASSWORD)

    password_messages = [m for m in jeanne.emu.messages if not m.from_bot and m.text == PASSWORD]
    assert len(password_messages) == 1 and password_messages[0].deleted
    texts = "\n".join(m.text for m in replies)
    assert "Bienvenue Jeanne" in texts
    dashboard = replies[-1].text
    for expected in (
        "Bonjour Jeanne",
        "Les Belles Années Lyon",
        "appartement A12",
        "0 points",
        "Mes incidents en cours : 2",
        "Prochaine réservation : Laverie",
        "Loto de l'automne",
    ):
        assert expected in dashboard, expected
    labels = [label for row in jeanne.emu.buttons(replies[-1]) for label, _ in row]
    assert "🛠 Signaler" in labels and "📅 Réserver" in labels and "📣 Annonce" not in labels
    assert linked_account(bot, 504).email == "resident1@lba.demo"  # type: ignore[union-attr]
    assert bot.refused() == []


async def test_the_sign_in_button_of_the_welcome_starts_the_flow(bot: BotHarness) -> None:
    jeanne = bot.user(505, "Jeanne")
    await jeanne.send("/start")
    replies = await jeanne.press("🔑 Se connecter")
    assert "adresse e-mail" in replies[-1].text


async def test_bad_input_at_each_step_is_asked_again(bot: BotHarness) -> None:
    jeanne = bot.user(506, "Jeanne")
    await jeanne.send("/connexion")
    assert "ne semble pas valide" in (await jeanne.send("pas-un-email"))[0].text
    assert "trop longue" in (await jeanne.send("a" * 250 + "@lba.demo"))[0].text
    assert "écrite en texte" in (await jeanne.send_sticker())[0].text
    assert "au milieu d'une démarche" in (await jeanne.send("/menu"))[0].text
    assert "mot de passe" in (await jeanne.send("resident1@lba.demo"))[0].text
    assert "écrit en texte" in (await jeanne.send_sticker())[0].text
    replies = await jeanne.send(PASSWORD)
    assert "Bienvenue Jeanne" in replies[0].text or "Bienvenue Jeanne" in replies[1].text


async def test_annuler_leaves_the_flow(bot: BotHarness) -> None:
    jeanne = bot.user(507, "Jeanne")
    await jeanne.send("/connexion")
    await jeanne.send("resident1@lba.demo")
    assert "c'est annulé" in (await jeanne.send("/annuler"))[0].text
    # The next text is not taken as a password.
    replies = await jeanne.send(PASSWORD)
    assert "reliez d'abord votre compte" in replies[0].text
    assert linked_account(bot, 507) is None
    assert "rien à annuler" in (await jeanne.send("/annuler"))[0].text


async def test_five_wrong_passwords_lock_the_telegram_user_and_the_account(bot: BotHarness) -> None:
    jeanne = bot.user(508, "Jeanne")
    await jeanne.send("/connexion")
    await jeanne.send("resident1@lba.demo")
    for remaining in (4, 3, 2, 1):
        replies = await jeanne.send("wrong-password")
        assert f"Il vous reste {remaining} essai" in replies[-1].text
    replies = await jeanne.send("wrong-password")
    assert "bloquée pendant 15 minutes" in replies[-1].text
    assert "10:15" in replies[-1].text  # 09:15 UTC shown in Paris time
    assert all(m.deleted for m in jeanne.emu.messages if not m.from_bot and m.text == "wrong-password")

    # Even the right password is refused while locked, from this Telegram user...
    replies = await jeanne.send("/connexion")
    assert "bloquée" in replies[0].text
    # ...and for this account from another Telegram user.
    other = bot.user(509, "Autre")
    await sign_in(other)
    assert "bloquée" in other.last.text
    assert linked_account(bot, 508) is None and linked_account(bot, 509) is None

    bot.clock.advance(minutes=15, seconds=1)
    await sign_in(jeanne)
    assert linked_account(bot, 508) is not None
    assert bot.refused() == []


async def test_an_unknown_email_counts_as_a_failure_without_saying_which_was_wrong(bot: BotHarness) -> None:
    jeanne = bot.user(510, "Jeanne")
    await sign_in(jeanne, email="nobody@lba.demo")
    assert "E-mail ou mot de passe incorrect" in jeanne.last.text


async def test_one_telegram_account_per_user(bot: BotHarness) -> None:
    first, second = bot.user(511, "Jeanne"), bot.user(512, "Jeanne bis")
    await sign_in(first)
    await sign_in(second)
    assert "déjà relié à un autre compte Telegram" in second.last.text
    assert linked_account(bot, 511) is not None and linked_account(bot, 512) is None
    # Signing in again while signed in says so.
    assert "déjà connecté(e)" in (await first.send("/connexion"))[0].text


async def test_unlinked_users_reach_only_the_public_commands(bot: BotHarness) -> None:
    stranger = bot.user(513, "Paul")
    for command in ("/menu", "/signaler", "/reserver", "/compte", "/annonce"):
        replies = await stranger.send(command)
        assert "reliez d'abord votre compte" in replies[0].text, command
    assert "Aide" in (await stranger.send("/aide"))[0].text
    assert "Choisissez votre langue" in (await stranger.send("/langue"))[0].text
    assert "reliez d'abord votre compte" in (await stranger.send("bonjour"))[0].text


async def test_deconnexion_unlinks_after_confirmation(bot: BotHarness) -> None:
    jeanne = bot.user(514, "Jeanne")
    await sign_in(jeanne)
    await jeanne.send("/deconnexion")
    await jeanne.press("Non, rester connecté(e)")
    assert linked_account(bot, 514) is not None
    await jeanne.send("/deconnexion")
    replies = await jeanne.press("Oui, me déconnecter")
    assert "déconnecté(e)" in replies[-1].text
    assert linked_account(bot, 514) is None
    assert "reliez d'abord votre compte" in (await jeanne.send("/menu"))[0].text


async def test_langue_switches_to_english_for_this_user(bot: BotHarness) -> None:
    jeanne = bot.user(515, "Jeanne")
    await sign_in(jeanne)
    await jeanne.send("/langue")
    replies = await jeanne.press("🇬🇧 English")
    assert any("Language: English" in m.text for m in jeanne.emu.bot_messages)
    assert "Hello Jeanne!" in replies[-1].text and "My open incidents" in replies[-1].text
    assert linked_account(bot, 515).language == "en"  # type: ignore[union-attr]
    assert "Help" in (await jeanne.send("/help"))[0].text


async def test_a_restart_mid_flow_resumes_the_flow(bot: BotHarness) -> None:
    jeanne = bot.user(516, "Jeanne")
    await jeanne.send("/connexion")
    await jeanne.send("resident1@lba.demo")
    await bot.restart()
    replies = await jeanne.send(PASSWORD)
    assert any("Bienvenue Jeanne" in m.text for m in replies)
    assert linked_account(bot, 516) is not None


async def test_invitation_links_the_account_once(bot: BotHarness) -> None:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        invitation = create_invitation(
            session,
            email="nouveau@lba.demo",
            residence_name="Les Belles Années Lyon",
            role=Role.RESIDENT,
            apartment="D03",
            now=bot.clock(),
            rounds=TEST_ROUNDS,
        )
    newcomer = bot.user(517, "Odette", last_name="Petit")
    replies = await newcomer.send(f"/start {invitation.code}")
    assert "Bienvenue Odette" in replies[0].text and "Les Belles Années Lyon" in replies[0].text
    assert "appartement D03" in replies[-1].text
    account = linked_account(bot, 517)
    assert account is not None and account.email == "nouveau@lba.demo" and account.last_name == "Petit"

    again = bot.user(518, "Intrus")
    assert "déjà servi" in (await again.send(f"/start {invitation.code}"))[0].text
    tampered = invitation.code[:-1] + ("y" if invitation.code.endswith("x") else "x")
    assert "pas valide" in (await again.send(f"/start {tampered}"))[0].text
    assert "pas valide" in (await again.send("/start nimportequoi"))[0].text
    assert linked_account(bot, 518) is None


async def test_an_expired_invitation_is_refused(bot: BotHarness) -> None:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        invitation = create_invitation(
            session,
            email="tard@lba.demo",
            residence_name="Les Belles Années Lyon",
            role=Role.RESIDENT,
            now=bot.clock(),
            rounds=TEST_ROUNDS,
        )
    bot.clock.advance(days=7, seconds=1)
    late = bot.user(519, "Tard")
    assert "expiré" in (await late.send(f"/start {invitation.code}"))[0].text
    assert linked_account(bot, 519) is None


async def test_editing_an_old_message_does_not_replay_it(bot: BotHarness) -> None:
    jeanne = bot.user(520, "Jeanne")
    await jeanne.send("/connexion")
    await jeanne.send("resident1@lba.demo")
    email_message = next(m for m in jeanne.emu.messages if m.text == "resident1@lba.demo")
    before = len(jeanne.emu.bot_messages)
    jeanne.emu.edit_text(email_message, "/menu")  # an edit is not a new message
    await bot.deliver()
    assert len(jeanne.emu.bot_messages) == before
    replies = await jeanne.send(PASSWORD)  # the flow is where it was
    assert any("Bienvenue Jeanne" in m.text for m in replies)
