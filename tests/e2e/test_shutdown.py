"""SIGTERM while an update is being handled, in both run modes: its answer still goes out, its state is
written, the process exits 0, and after a restart the resident's flow goes on where it was.

The emulator holds the bot's answer (its Bot API call) so the update is caught mid-handling; the test
releases it only once the bot has visibly begun stopping — in polling mode its last getUpdates that
confirms what it fetched, in webhook mode its webhook port refusing the next delivery.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.emulator import BotApiEmulator, EmulatorServer
from bot.emulator.core import EmuUser, WebhookAttempt
from models import Incident
from tests.conftest import TEST_TOKEN
from tests.e2e.conftest import press, send
from tests.e2e.process import TIMEOUT, BotProcess, bot_env, bot_process, free_port, healthz, until
from tests.e2e.test_flows_process import sign_in
from tests.e2e.test_webhook import webhook_settings

DESCRIPTION = "La lumière du couloir clignote sans arrêt depuis hier soir."


def started(emu: BotApiEmulator, bot: BotProcess, mode: str, since: int = 0) -> None:
    method = "setWebhook" if mode == "webhook" else "getUpdates"
    assert emu.wait_for(lambda: any(c.method == method for c in emu.calls[since:]), TIMEOUT), bot.log


def attempts_of(emu: BotApiEmulator, update_id: int) -> list[WebhookAttempt]:
    return [a for a in emu.webhook_attempts if a.update_id == update_id]


def stopping_seen(emu: BotApiEmulator, mode: str, since: int, prober: EmuUser) -> bool:
    """Waits until the bot has visibly begun its stop (bounded)."""
    if mode == "polling":
        # Updater.stop's last call: getUpdates without waiting, to confirm what was fetched.
        return emu.wait_for(
            lambda: any(c.method == "getUpdates" and c.params.get("timeout") == 0 for c in emu.calls[since:]), TIMEOUT
        )
    # Webhook: the bot's port closes; a later update is refused and waits at "Telegram".
    for _ in range(20):
        update_id = prober.send_text("/aide")["update_id"]
        assert emu.wait_for(lambda uid=update_id: bool(attempts_of(emu, uid)), TIMEOUT)
        if any(a.status is None for a in attempts_of(emu, update_id)):
            return True
    return False


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_sigterm_mid_update_finishes_it_then_the_flow_resumes_after_restart(
    mode: str, engine: Engine, demo: dict[str, int], tmp_path: Path
) -> None:
    # Each mode on one backend (polling on SQLite, webhook on PostgreSQL): the stop path is the same on
    # both, and the four variants cost 40 s of CI's 15 minutes.
    if (mode == "polling") != (engine.dialect.name == "sqlite"):
        pytest.skip("covered on the other backend: polling on SQLite, webhook on PostgreSQL")
    hook_port = free_port()
    settings = webhook_settings(hook_port, 0) if mode == "webhook" else {}
    emu = BotApiEmulator(TEST_TOKEN, bot_username="lba_e2e_bot")
    with EmulatorServer(emu, webhook_target=f"http://127.0.0.1:{hook_port}") as server:
        env = bot_env(server.url, engine, **settings)
        jeanne, marcel = emu.user(940001, "Jeanne"), emu.user(940002, "Marcel")
        with bot_process(env, tmp_path, "first") as bot:
            started(emu, bot, mode)
            sign_in(emu, jeanne, "resident1@lba.demo")
            send(emu, jeanne, "/signaler")
            press(emu, jeanne, "Électricité")
            press(emu, jeanne, "Mon appartement")

            # The answer to the description is held: the update is in hand when SIGTERM comes.
            hold = emu.hold(lambda method, params: params.get("chat_id") == jeanne.user_id)
            before = len(jeanne.bot_messages)
            jeanne.send_text(DESCRIPTION)
            assert emu.wait_for(lambda: hold.waiting == 1, TIMEOUT), bot.log
            since = len(emu.calls)
            bot.process.send_signal(signal.SIGTERM)
            assert stopping_seen(emu, mode, since, marcel), bot.log
            assert bot.process.poll() is None  # still finishing the update in hand
            hold.release()
            assert bot.wait() == 0, bot.log
            answer = jeanne.bot_messages[before:]
            assert any("urgence" in (m.text or "").lower() for m in answer), [m.text for m in answer]
            assert "Traceback" not in bot.log, bot.log

        # Restart: the conversation state and the draft were flushed at stop; the flow resumes.
        calls = len(emu.calls)
        with bot_process(env, tmp_path, "second") as bot:
            started(emu, bot, mode, calls)
            press(emu, jeanne, "Normale")
            press(emu, jeanne, "Passer")
            created = press(emu, jeanne, "Confirmer")
            assert any("#" in (m.text or "") for m in created), [m.text for m in created]
            if mode == "webhook":
                # Updates refused while the bot was down were delivered after the restart: each answered.
                refused = {a.update_id for a in emu.webhook_rejections}
                assert refused and all(any(a.delivered for a in attempts_of(emu, uid)) for uid in refused)
                asked = [m for m in marcel.messages if not m.from_bot]
                assert len(marcel.bot_messages) == len(asked), [m.text for m in marcel.messages]
            assert bot.terminate() == 0, bot.log
    with engine.connect() as conn:
        descriptions = conn.scalars(sa.select(Incident.description)).all()
    assert DESCRIPTION in descriptions


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_sigterm_while_starting_waits_for_the_start_then_stops_cleanly(
    mode: str, engine: Engine, demo: dict[str, int], tmp_path: Path
) -> None:
    hook_port, metrics_port = free_port(), free_port()
    settings = webhook_settings(hook_port, metrics_port) if mode == "webhook" else {"METRICS_PORT": str(metrics_port)}
    emu = BotApiEmulator(TEST_TOKEN, bot_username="lba_e2e_bot")
    # The bot's first step in its run mode (register the webhook / make sure there is none) is held.
    bootstrap = "setWebhook" if mode == "webhook" else "deleteWebhook"
    hold = emu.hold(lambda method, params: method == bootstrap)
    with (
        EmulatorServer(emu, webhook_target=f"http://127.0.0.1:{hook_port}") as server,
        bot_process(bot_env(server.url, engine, **settings), tmp_path) as bot,
    ):
        assert emu.wait_for(lambda: hold.waiting == 1, TIMEOUT), bot.log
        bot.process.send_signal(signal.SIGTERM)
        status, health = until(lambda: healthz(metrics_port), lambda answer: answer[1]["status"] == "stopping")
        assert (status, health["status"]) == (503, "stopping")  # a load balancer stops sending here
        hold.release()
        assert bot.wait() == 0, bot.log
        log = bot.log
    assert "Traceback" not in log and "stop signal received while starting" in log
    assert [c.method for c in emu.calls if c.method == bootstrap] == [bootstrap]  # completed, not abandoned
