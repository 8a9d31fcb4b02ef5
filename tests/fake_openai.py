"""An OpenAI-compatible chat-completions server on loopback, scripted by the tests.

The real `openai` client talks to it over HTTP, so what is tested is the production path: request
encoding, response parsing, timeouts and HTTP errors. Each request takes the next scripted step (a
text answer, tool calls — malformed ones included —, an HTTP error, a stall, or a raw body) and is
recorded, so tests can assert on the messages, tools and model the engine sent.

    with FakeOpenAI() as server:
        server.script(tool_calls(("free_slots", {"space": "laundry", "day": "2026-11-25"})), answer("Voilà."))
        engine = OpenAIEngine(OpenAIConfig("key", server.url, "gpt-4o-mini", 5.0))
        ...
        server.requests[1]["messages"]  # what the second round carried

Other test modules use the fixture `fake_openai` with `from tests.fake_openai import fake_openai_fixture  # noqa: F401`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import pytest

PATHS = ("/v1/chat/completions", "/chat/completions")
DEFAULT_USAGE = (40, 10)  # prompt, completion tokens of a scripted answer


@dataclass(frozen=True)
class Step:
    """One scripted response; build them with answer(), tool_calls(), http_error(), stall() and raw()."""

    kind: str  # answer | tools | status | stall | raw
    content: str | None = None
    calls: tuple[tuple[str, str], ...] = ()
    status: int = 200
    seconds: float = 0.0
    body: bytes = b""
    usage: tuple[int, int] = DEFAULT_USAGE
    then: Step | None = None  # what a stall answers once its delay is over


def answer(content: str, *, usage: tuple[int, int] = DEFAULT_USAGE) -> Step:
    """The model's final words (finish_reason "stop")."""
    return Step("answer", content=content, usage=usage)


def tool_calls(
    *calls: tuple[str, str | dict[str, Any]], content: str | None = None, usage: tuple[int, int] = DEFAULT_USAGE
) -> Step:
    """The model asks for tools: (name, arguments), arguments a dict (sent as JSON) or any string, even broken."""
    encoded = tuple((name, args if isinstance(args, str) else json.dumps(args)) for name, args in calls)
    return Step("tools", content=content, calls=encoded, usage=usage)


def http_error(status: int, message: str = "The server had an error while processing your request.") -> Step:
    return Step("status", content=message, status=status)


def stall(seconds: float, then: Step | None = None) -> Step:
    """Answer only after `seconds` (`then`, or a text answer); a stopping server hangs up at once instead."""
    return Step("stall", seconds=seconds, then=then or answer("(late)"))


def raw(body: bytes | str, status: int = 200) -> Step:
    """A body that is not a chat completion, served as JSON."""
    return Step("raw", status=status, body=body.encode() if isinstance(body, str) else body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?")[0] not in PATHS:
            self._send(404, _error("Unknown path " + self.path, "invalid_request_error"))
            return
        try:
            request = json.loads(body)
        except json.JSONDecodeError:
            self._send(400, _error("Body is not JSON", "invalid_request_error"))
            return
        status, payload = self.server.fake.respond(request, {k.lower(): v for k, v in self.headers.items()})
        if status:
            self._send(status, payload)
        else:
            self.close_connection = True

    def _send(self, status: int, payload: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (timed out) before the answer


def _error(message: str, kind: str = "server_error") -> bytes:
    return json.dumps({"error": {"message": message, "type": kind, "param": None, "code": None}}).encode()


class FakeOpenAI:
    """The server: `.url` (ends with /v1), `.script(*steps)`, `.requests` (the JSON bodies received)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []  # of each request, names in lower case
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def pending(self) -> int:
        """Scripted steps no request has taken yet."""
        return len(self._steps)

    def script(self, *steps: Step) -> None:
        with self._lock:
            self._steps.extend(steps)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._stopping.set()  # stalled requests end now, not after their delay
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def respond(self, request: dict[str, Any], headers: dict[str, str]) -> tuple[int, bytes]:
        """The next step's response to one request; status 0 means "hang up without answering"."""
        with self._lock:
            self.requests.append(request)
            self.headers.append(headers)
            number = len(self.requests)
            step = self._steps.popleft() if self._steps else http_error(500, "fake_openai: nothing scripted")
        if step.kind == "stall":
            if self._stopping.wait(step.seconds) or step.then is None:
                return 0, b""
            step = step.then
        if step.kind == "status":
            return step.status, _error(step.content or "")
        if step.kind == "raw":
            return step.status, step.body
        return 200, json.dumps(_completion(request, step, number)).encode()


def _completion(request: dict[str, Any], step: Step, number: int) -> dict[str, Any]:
    """A chat.completion exactly as the API returns it."""
    message: dict[str, Any] = {"role": "assistant", "content": step.content, "refusal": None}
    if step.calls:
        message["tool_calls"] = [
            {"id": f"call_{number}_{i}", "type": "function", "function": {"name": name, "arguments": args}}
            for i, (name, args) in enumerate(step.calls)
        ]
    prompt, completion = step.usage
    return {
        "id": f"chatcmpl-fake{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", ""),
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if step.calls else "stop",
            }
        ],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        "system_fingerprint": "fp_fake",
    }


@pytest.fixture(name="fake_openai")
def fake_openai_fixture() -> Iterator[FakeOpenAI]:
    """A running server for one test. Import `fake_openai_fixture` (noqa: F401) and ask for `fake_openai`:
    a parameter then never shadows the import (ruff F811)."""
    with FakeOpenAI() as server:
        yield server


fake_openai = (
    fake_openai_fixture  # the same fixture under its own name, for `from tests.fake_openai import fake_openai`
)
