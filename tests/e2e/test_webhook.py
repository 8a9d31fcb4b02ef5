"""Webhook mode as an operator runs it: `python -m bot run` with WEBHOOK_URL, behind the secret token.

The emulator plays Telegram and the TLS-terminating reverse proxy: it posts each update to the
bot's own plain-HTTP port, at the path of the registered https:// URL, with the secret header.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.emulator import BotApiEmulator, EmulatorServer
from models import BotState
from tests.conftest import TEST_TOKEN
from tests.e2e.conftest import press, say
from tests.e2e.process import (
    TIMEOUT,
    bot_env,
    bot_process,
    free_port,
    healthz,
    http_request,
    metrics,
    sample,
)
from tests.e2e.test_flows_process import sign_in

SECRET = "wh-secret_0123456789abcdefXYZ"
HOOK_PATH = "/tg/lba-7f3c"
PUBLIC_URL = f"https://bot.example.org{HOOK_PATH}"


def forged_update(update_id: int, user_id: int, text: str) -> bytes:
    sender = {"id": user_id, "is_bot": False, "first_name": "Intrus", "language_code": "fr"}
    message = {
        "message_id": 1,
        "date": 1_790_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": "Intrus"},
        "from": sender,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def webhook_settings(hook_port: int, metrics_port: int) -> dict[str, str]:
    return {
        "WEBHOOK_URL": PUBLIC_URL,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(hook_port),
        "METRICS_PORT": str(metrics_port),
        "LOG_FORMAT": "json",
    }


def test_webhook_mode_behind_the_secret_token(engine: Engine, demo: dict[str, int], tmp_path: Path) -> None:
    hook_port, metrics_port = free_port(), free_port()
    emu = BotApiEmulator(TEST_TOKEN, bot_username="lba_e2e_bot")
    with (
        EmulatorServer(emu, webhook_target=f"http://127.0.0.1:{hook_port}") as server,
        bot_process(bot_env(server.url, engine, **webhook_settings(hook_port, metrics_port)), tmp_path) as bot,
    ):
        # The bot registered its public URL with the secret, for every update type.
        assert emu.wait_for(lambda: any(c.method == "setWebhook" and c.ok for c in emu.calls), TIMEOUT), bot.log
        registered = next(c for c in emu.calls if c.method == "setWebhook")
        assert registered.params["url"] == PUBLIC_URL and registered.params["secret_token"] == SECRET
        assert {"message", "callback_query", "my_chat_member"} <= set(registered.params["allowed_updates"])

        # A resident signs in and uses /menu, every update arriving by webhook.
        jeanne = emu.user(930001, "Jeanne")
        sign_in(emu, jeanne, "resident1@lba.demo")
        dashboard = say(emu, jeanne, "/menu", lambda t: "Bonjour Jeanne" in t)
        assert "Les Belles Années Lyon" in dashboard
        assert "Mes réservations" in "".join(m.text or "" for m in press(emu, jeanne, "Mes réservations"))
        assert not any(c.method == "getUpdates" for c in emu.calls)
        delivered = emu.webhook_deliveries
        assert len(delivered) == 5 and all(a.with_secret for a in delivered)  # 4 messages, 1 button
        assert all(a.url == f"http://127.0.0.1:{hook_port}{HOOK_PATH}" for a in delivered)
        handled = metrics(metrics_port)
        assert sample(handled, "lba_updates_total", kind="message") == 4
        assert sample(handled, "lba_updates_total", kind="callback_query") == 1

        # Requests without the secret, or with a wrong one, are refused and handled nowhere.
        hook = f"http://127.0.0.1:{hook_port}{HOOK_PATH}"
        json_type = {"Content-Type": "application/json"}
        intruder = 930099
        status, _ = http_request(hook, forged_update(1, intruder, "/connexion"), json_type)
        assert status == 403
        wrong = {**json_type, "X-Telegram-Bot-Api-Secret-Token": "not-the-secret-0123456789"}
        status, _ = http_request(hook, forged_update(2, intruder, "/connexion"), wrong)
        assert status == 403
        # The next real update is handled alone: nothing was queued before it.
        say(emu, jeanne, "/menu", lambda t: "Bonjour Jeanne" in t)
        after = metrics(metrics_port)
        assert sample(after, "lba_updates_total", kind="message") == 5
        assert emu.messages(intruder) == []
        with engine.connect() as conn:  # no sign-in conversation started for the forged sender
            assert conn.scalar(sa.select(sa.func.count()).where(BotState.key.contains(str(intruder)))) == 0
        # A request with the secret is taken (here in Jeanne's chat): it was the header that was refused.
        right = {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET}
        answers = len(jeanne.bot_messages)
        assert http_request(hook, forged_update(3, jeanne.user_id, "/aide"), right)[0] == 200
        assert emu.wait_for(lambda: len(jeanne.bot_messages) > answers, TIMEOUT)

        status, health = healthz(metrics_port)
        assert status == 200 and health["mode"] == "webhook" and health["status"] == "ok"
        assert health["database"] == "ok" and health["last_update_at"] is not None

        assert bot.terminate() == 0
        log = bot.log
    records = [json.loads(line) for line in log.splitlines()]  # JSON lines, every one
    started = [r for r in records if "webhook mode" in r["message"]]
    assert len(started) == 1 and started[0]["logger"] == "bot" and PUBLIC_URL in started[0]["message"]
    assert TEST_TOKEN not in log and SECRET not in log
    assert "Traceback" not in log
    assert [c for c in emu.refused if c.method != "getUpdates"] == []
