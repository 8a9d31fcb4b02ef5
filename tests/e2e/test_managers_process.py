"""The managers' side as a new manager would try it, against `python -m bot run` on loopback."""

from __future__ import annotations

from bot.emulator import BotApiEmulator
from bot.emulator.core import EmuUser
from tests.e2e.conftest import TIMEOUT, press, send
from tests.e2e.test_flows_process import sign_in, texts


def labels(user: EmuUser) -> list[str]:
    return [label for row in user.buttons() for label, _ in row]


def test_desk_announcement_and_stats_against_the_running_bot(running_bot: BotApiEmulator) -> None:
    emu = running_bot
    jeanne, marcel, sophie = emu.user(920001, "Jeanne"), emu.user(920002, "Marcel"), emu.user(920003, "Sophie")
    sign_in(emu, jeanne, "resident1@lba.demo")
    sign_in(emu, marcel, "resident2@lba.demo")
    sign_in(emu, sophie, "manager@lba.demo")
    group = emu.group(-100920, "Résidents Lyon")
    group.add_bot(by=sophie)
    assert emu.wait_idle(quiet=0.4, timeout=TIMEOUT)
    group.send_text(sophie, "/lier_groupe")
    assert emu.wait_idle(quiet=0.4, timeout=TIMEOUT)
    group.press(sophie, next(label for row in group.buttons() for label, _ in row if "résidents" in label.lower()))
    assert emu.wait_idle(quiet=0.4, timeout=TIMEOUT)

    # resident1 reports; the manager gets the alert with its buttons.
    send(emu, jeanne, "/signaler")
    press(emu, jeanne, "Chauffage")
    press(emu, jeanne, "Mon appartement")
    send(emu, jeanne, "Le radiateur du salon reste froid malgré la purge.")
    press(emu, jeanne, "Urgente")
    press(emu, jeanne, "Passer")
    press(emu, jeanne, "Confirmer")
    if any("autre problème" in label for label in labels(jeanne)):
        press(emu, jeanne, "autre problème")
    assert emu.wait_for(lambda: any("radiateur du salon" in (m.text or "") for m in sophie.bot_messages), TIMEOUT)
    alert = next(m for m in sophie.bot_messages if "radiateur du salon" in (m.text or ""))
    assert "🧰 Prendre en charge" in [label for row in sophie.buttons(alert) for label, _ in row]

    # A press by resident2 on the manager's button changes nothing.
    take = next(data for row in sophie.buttons(alert) for label, data in row if "Prendre en charge" in label)
    before = len(jeanne.bot_messages)
    marcel.press_data(take, message_id=max(m.message_id for m in marcel.bot_messages))
    assert emu.wait_idle(quiet=0.4, timeout=TIMEOUT)
    assert len(jeanne.bot_messages) == before

    # Each status change reaches resident1.
    for step in ("Prendre en charge", "En cours", "Résolu"):
        sophie_before = len(jeanne.bot_messages)
        sophie.press(
            next(label for row in sophie.buttons(alert) for label, _ in row if step in label),
            message_id=alert.message_id,
        )
        assert emu.wait_for(lambda n=sophie_before: len(jeanne.bot_messages) > n, TIMEOUT), step
        alert = emu.message(sophie.user_id, alert.message_id) or alert
    assert "résolu" in jeanne.bot_messages[-1].text.lower()

    # An announcement reaches every Lyon resident and the linked group, and returns a report.
    send(emu, sophie, "/annonce")
    if any("Nouvelle annonce" in label for label in labels(sophie)):
        press(emu, sophie, "Nouvelle annonce")
    send(emu, sophie, "Coupure d'eau jeudi de 9h à 11h pour maintenance.")
    for _ in range(4):
        if any("Envoyer" in label for label in labels(sophie)):
            break
        press(emu, sophie, "Continuer")
    press(emu, sophie, "Envoyer")
    for reader in (jeanne, marcel):
        assert emu.wait_for(lambda r=reader: any("Coupure d'eau" in (m.text or "") for m in r.bot_messages), TIMEOUT)
    assert emu.wait_for(lambda: any("Coupure d'eau" in (m.text or "") for m in group.bot_messages), TIMEOUT)
    assert emu.wait_for(
        lambda: any(
            "Coupure d'eau" not in (m.text or "") and "envoy" in (m.text or "").lower()
            for m in sophie.bot_messages[-3:]
        ),
        TIMEOUT,
    ), texts(sophie.bot_messages[-3:])

    # /stats returns a summary, a chart and a CSV.
    send(emu, sophie, "/stats")
    answer = press(emu, sophie, "30 jours")
    assert emu.wait_for(lambda: any((m.document_name or "").endswith(".csv") for m in sophie.bot_messages), TIMEOUT)
    assert any(m.photo for m in sophie.bot_messages), "at least one chart"
    assert any("Incidents" in (m.text or "") for m in answer + sophie.bot_messages[-6:])

    assert [c for c in emu.refused if c.method != "getUpdates"] == []
