"""The emulator delivers updates by webhook as Telegram does, and holds calls for tests that need the bot mid-update.

A plain HTTP server on loopback plays the bot's webhook (behind "the reverse proxy": the emulator
posts the registered https:// URL's path to a local http:// address); every wait ends on a condition.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.emulator import BotApiEmulator, EmulatorServer
from tests.conftest import TEST_TOKEN

SECRET = "s3cret-token_for-the-webhook"
PUBLIC_URL = "https://bot.example.org/tg/hook-path"
TIMEOUT = 10.0


@dataclass
class FakeWebhook:
    """The bot's side: records each POST; answers the next statuses queued in `answers` (then 200)."""

    answers: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def webhook() -> Iterator[FakeWebhook]:
    yield from serve_fake_webhook()


def serve_fake_webhook() -> Iterator[FakeWebhook]:
    fake = FakeWebhook()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return None

        def do_POST(self) -> None:  # noqa: N802 - stdlib naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            fake.received.append(
                {
                    "path": self.path,
                    "secret": self.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                    "content_type": self.headers.get("Content-Type"),
                    "update": json.loads(body),
                }
            )
            status = fake.answers.pop(0) if fake.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def emu(webhook: FakeWebhook) -> Iterator[BotApiEmulator]:
    emulator = BotApiEmulator(TEST_TOKEN, webhook_target=webhook.url)
    emulator.webhook_retry_max = 0.2
    yield emulator
    emulator.stop_webhook_delivery()


@pytest.fixture
def second_webhook() -> Iterator[FakeWebhook]:
    yield from serve_fake_webhook()


def set_webhook(emu: BotApiEmulator, url: str = PUBLIC_URL, **params: Any) -> tuple[int, dict[str, Any]]:
    return emu.call("setWebhook", {"url": url, "secret_token": SECRET, **params})


def test_updates_are_posted_in_order_with_the_secret_to_the_proxied_path(
    emu: BotApiEmulator, webhook: FakeWebhook
) -> None:
    jeanne = emu.user(101, "Jeanne")
    jeanne.send_text("avant le webhook")  # pending before setWebhook: delivered too
    assert set_webhook(emu)[0] == 200
    for text in ("un", "deux", "trois"):
        jeanne.send_text(text)
    assert emu.wait_for(lambda: len(emu.webhook_deliveries) == 4, TIMEOUT)

    assert [r["update"]["message"]["text"] for r in webhook.received] == ["avant le webhook", "un", "deux", "trois"]
    assert {r["path"] for r in webhook.received} == {"/tg/hook-path"}
    assert {r["secret"] for r in webhook.received} == {SECRET}
    assert {r["content_type"] for r in webhook.received} == {"application/json"}
    ids = [r["update"]["update_id"] for r in webhook.received]
    assert ids == sorted(ids)
    assert emu.pending_updates == []
    assert emu.wait_idle(quiet=0.0, timeout=TIMEOUT)
    # Meanwhile getUpdates is refused, as on Telegram.
    status, body = emu.call("getUpdates", {"timeout": 0})
    assert status == 409 and "webhook is active" in body["description"]


def test_a_refused_or_unreachable_delivery_is_retried_until_accepted(emu: BotApiEmulator, webhook: FakeWebhook) -> None:
    webhook.answers = [500, 403]
    set_webhook(emu)
    marcel = emu.user(102, "Marcel")
    marcel.send_text("premier")
    marcel.send_text("second")
    assert emu.wait_for(lambda: len(emu.webhook_deliveries) == 2, TIMEOUT)

    assert [a.status for a in emu.webhook_rejections] == [500, 403]
    # The refused update was retried before the next one left: order holds.
    assert [r["update"]["message"]["text"] for r in webhook.received] == ["premier", "premier", "premier", "second"]
    info = emu.call("getWebhookInfo", {})[1]["result"]
    assert info["url"] == PUBLIC_URL and info["pending_update_count"] == 0
    assert "403" in info["last_error_message"] or "Forbidden" in info["last_error_message"]

    # Nobody listening: the attempt fails to connect, the update waits, and goes once the bot is back.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    emu.webhook_target = f"http://127.0.0.1:{closed_port}"
    marcel.send_text("pendant la panne")
    assert emu.wait_for(lambda: any(a.status is None for a in emu.webhook_rejections), TIMEOUT)
    assert [u["message"]["text"] for u in emu.pending_updates] == ["pendant la panne"]
    emu.webhook_target = webhook.url
    set_webhook(emu)  # the bot restarting registers again: retried at once
    assert emu.wait_for(lambda: len(emu.webhook_deliveries) == 3, TIMEOUT)
    assert webhook.received[-1]["update"]["message"]["text"] == "pendant la panne"


def test_delete_webhook_stops_delivery_and_polling_takes_over(emu: BotApiEmulator, webhook: FakeWebhook) -> None:
    set_webhook(emu)
    lea = emu.user(103, "Léa")
    lea.send_text("par webhook")
    assert emu.wait_for(lambda: len(emu.webhook_deliveries) == 1, TIMEOUT)
    assert emu.call("deleteWebhook", {})[0] == 200
    lea.send_text("par getUpdates")
    status, body = emu.call("getUpdates", {"timeout": 0})
    assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["par getUpdates"]
    assert len(webhook.received) == 1


def test_without_a_proxy_target_nothing_is_posted(webhook: FakeWebhook) -> None:
    emu = BotApiEmulator(TEST_TOKEN)  # offline: it never reaches for the registered public URL
    set_webhook(emu)
    emu.user(104, "Paul").send_text("bonjour")
    assert emu._webhook_destination(PUBLIC_URL) is None  # the delivery thread finds nowhere to post
    assert emu.webhook_attempts == [] and len(emu.pending_updates) == 1
    emu.stop_webhook_delivery()


def test_allowed_updates_of_set_webhook_filter_what_is_delivered(emu: BotApiEmulator, webhook: FakeWebhook) -> None:
    set_webhook(emu, allowed_updates=json.dumps(["callback_query"]))
    emu.user(105, "Rose").send_text("un message")
    assert emu.wait_for(lambda: len(emu.dropped_updates) == 1, TIMEOUT)
    assert emu.webhook_attempts == []


def test_the_server_maps_the_public_url_and_stops_delivery_with_it(webhook: FakeWebhook) -> None:
    emu = BotApiEmulator(TEST_TOKEN)
    with EmulatorServer(emu, webhook_target=webhook.url) as server:
        assert emu.webhook_target == webhook.url and server.url.startswith("http://127.0.0.1:")
        set_webhook(emu)
        emu.user(106, "Hugo").send_text("via le serveur")
        assert emu.wait_for(lambda: len(emu.webhook_deliveries) == 1, TIMEOUT)
    assert emu._webhook_thread is None  # stopped with the server


def test_a_held_call_waits_until_released_while_others_go_on(emu: BotApiEmulator) -> None:
    jeanne, marcel = emu.user(201, "Jeanne"), emu.user(202, "Marcel")
    jeanne.send_text("/start")
    marcel.send_text("/start")
    hold = emu.hold(lambda method, params: method == "sendMessage" and params.get("chat_id") == 201)
    results: list[int] = []
    caller = threading.Thread(target=lambda: results.append(emu.call("sendMessage", {"chat_id": 201, "text": "x"})[0]))
    caller.start()
    assert emu.wait_for(lambda: hold.waiting == 1, TIMEOUT)
    assert emu.call("sendMessage", {"chat_id": 202, "text": "pas retenu"})[0] == 200  # another chat is not held
    assert results == [] and jeanne.bot_messages == []
    hold.release()
    caller.join(TIMEOUT)
    assert results == [200] and [m.text for m in jeanne.bot_messages] == ["x"]
    assert hold.calls == [("sendMessage", {"chat_id": 201, "text": "x"})] and hold.waiting == 0
    assert emu.call("sendMessage", {"chat_id": 201, "text": "plus retenu"})[0] == 200


def test_several_targets_are_a_load_balancers_pool_round_robin_with_failover(
    emu: BotApiEmulator, webhook: FakeWebhook, second_webhook: FakeWebhook
) -> None:
    """Several bot processes behind one public URL: posts go to each in turn; one that fails is skipped."""
    emu.webhook_target = f"{webhook.url}, {second_webhook.url}"
    set_webhook(emu)
    jeanne = emu.user(104, "Jeanne")
    for text in ("un", "deux", "trois", "quatre"):
        jeanne.send_text(text)
    assert emu.wait_for(lambda: len(emu.webhook_deliveries) == 4, TIMEOUT)
    assert [r["update"]["message"]["text"] for r in webhook.received] == ["un", "trois"]
    assert [r["update"]["message"]["text"] for r in second_webhook.received] == ["deux", "quatre"]
    webhook.answers = [502]  # the first process is down: its post goes to the other one
    jeanne.send_text("cinq")
    assert emu.wait_for(lambda: len(emu.webhook_deliveries) == 5, TIMEOUT)
    assert [r["update"]["message"]["text"] for r in second_webhook.received][-1] == "cinq"
    assert [a.status for a in emu.webhook_rejections] == [502]
