"""`python -m bot run` as a real process, against the Bot API emulator served on loopback.

This is the bot as an operator runs it: configuration from the environment, migrations at start,
long polling over HTTP. A demo resident signs in and gets the dashboard; five wrong passwords lock.
"""

from __future__ import annotations

from bot.emulator import BotApiEmulator
from tests.e2e.conftest import say


def test_a_resident_signs_in_against_the_running_bot(running_bot: BotApiEmulator) -> None:
    emu = running_bot
    jeanne = emu.user(900001, "Jeanne")
    say(emu, jeanne, "/connexion", lambda t: "adresse e-mail" in t)
    say(emu, jeanne, "resident1@lba.demo", lambda t: "mot de passe" in t)
    dashboard = say(emu, jeanne, "demo1234", lambda t: "Bonjour Jeanne" in t)
    assert "Les Belles Années Lyon" in dashboard and "Prochaine réservation" in dashboard
    password = [m for m in jeanne.messages if not m.from_bot and m.text == "demo1234"]
    assert password and password[0].deleted
    assert ["🛠 Signaler", "📋 Mes incidents"] in [[label for label, _ in row] for row in jeanne.buttons()]

    # Five wrong passwords from another Telegram user lock it, and say until when.
    intruder = emu.user(900002, "Intrus")
    say(emu, intruder, "/connexion", lambda t: "adresse e-mail" in t)
    say(emu, intruder, "resident2@lba.demo", lambda t: "mot de passe" in t)
    for _ in range(4):
        say(emu, intruder, "nope", lambda t: "incorrect" in t)
    assert "bloquée pendant 15 minutes" in say(emu, intruder, "nope", lambda t: "bloquée" in t)

    # The default command lists were registered by the running bot.
    assert any('"default"' in scope for scope, _lang in emu.commands)
    # Telegram refused nothing the bot sent (a poll ended by shutdown is not a refusal of ours).
    assert [c for c in emu.refused if c.method != "getUpdates"] == []
