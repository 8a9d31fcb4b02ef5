"""Every resident flow, from its command and from the dashboard, against `python -m bot run` on loopback."""

from __future__ import annotations

from bot.emulator import BotApiEmulator
from bot.emulator.core import EmuUser
from tests.e2e.conftest import press, say, send


def sign_in(emu: BotApiEmulator, user: EmuUser, email: str) -> None:
    say(emu, user, "/connexion", lambda t: "adresse e-mail" in t)
    say(emu, user, email, lambda t: "mot de passe" in t)
    say(emu, user, "demo1234", lambda t: "Que souhaitez-vous faire" in t)


def texts(messages: list) -> str:  # type: ignore[type-arg]
    return "\n".join((m.text or m.caption or "") for m in messages)


def test_each_resident_flow_works_against_the_running_bot(running_bot: BotApiEmulator) -> None:
    emu = running_bot
    jeanne, marcel, sophie = emu.user(910001, "Jeanne"), emu.user(910002, "Marcel"), emu.user(910003, "Sophie")
    sign_in(emu, jeanne, "resident1@lba.demo")
    sign_in(emu, marcel, "resident2@lba.demo")
    sign_in(emu, sophie, "manager@lba.demo")

    # Incidents, from the command: the manager gets the alert.
    send(emu, jeanne, "/signaler")
    press(emu, jeanne, "Électricité")
    press(emu, jeanne, "Mon appartement")
    send(emu, jeanne, "La prise du salon ne fonctionne plus depuis ce matin.")
    press(emu, jeanne, "Normale")
    press(emu, jeanne, "Passer")
    created = press(emu, jeanne, "Confirmer")
    assert "#" in texts(created)
    assert emu.wait_for(lambda: any("prise du salon" in (m.text or "") for m in sophie.bot_messages), 30)

    # Bookings, from the dashboard button: a laundry slot, confirmed with its .ics file.
    send(emu, jeanne, "/menu")
    press(emu, jeanne, "Réserver")
    press(emu, jeanne, "Laverie")
    day_buttons = [label for row in jeanne.buttons() for label, data in row if data.startswith("bk:day:")]
    press(emu, jeanne, day_buttons[1])  # tomorrow
    slot = [label for row in jeanne.buttons() for label, data in row if data.startswith("bk:sl")][0]
    press(emu, jeanne, slot)
    if any(data.startswith("bk:sum:") for row in jeanne.buttons() for _, data in row):
        press(emu, jeanne, "1 h")
    booked = press(emu, jeanne, "Confirmer")
    assert any(m.document is not None and (m.document_name or "").endswith(".ics") for m in booked), texts(booked)

    # Events, from the command: sign up to the workshop.
    send(emu, marcel, "/evenements")
    press(emu, marcel, "Atelier tablette")
    registered = press(emu, marcel, "M'inscrire")
    assert "inscrit" in texts(registered)

    # Marketplace, from the dashboard: Marcel contacts Jeanne about her armchair; she gets it relayed.
    send(emu, marcel, "/menu")
    press(emu, marcel, "Marché")
    press(emu, marcel, "Vendre")
    press(emu, marcel, "Fauteuil releveur")
    press(emu, marcel, "Contacter")
    send(emu, marcel, "Bonjour, le fauteuil est-il toujours disponible ?")
    assert emu.wait_for(lambda: any("toujours disponible" in (m.text or "") for m in jeanne.bot_messages), 30)
    relayed = next(m for m in jeanne.bot_messages if "toujours disponible" in (m.text or ""))
    assert "Marcel" in relayed.text and "910002" not in relayed.text

    # Account, from the command: the residence certificate as a PDF.
    send(emu, jeanne, "/compte")
    before = len(jeanne.messages)
    press(emu, jeanne, "Attestation")
    # The first certificate after a start loads the PDF library (imported when first used): wait for the
    # document itself, not for a quiet moment.
    assert emu.wait_for(
        lambda: any((m.document_name or "").endswith(".pdf") for m in jeanne.messages[before:] if m.from_bot), 30
    ), texts(jeanne.messages[before:])

    assert [c for c in emu.refused if c.method != "getUpdates"] == []
