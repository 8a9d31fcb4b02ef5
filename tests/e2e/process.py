"""`python -m bot run` as a process with any environment, and what its operator reads: /healthz, /metrics, the log.

Every wait is bounded and ends on a condition: the emulator's (emu.wait_for), or the process's exit.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from tests.conftest import TEST_TOKEN

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0  # generous bounds for a loaded CI machine; every wait ends as soon as it is satisfied
T = TypeVar("T")
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(api_url: str, engine: Engine, **settings: str) -> dict[str, str]:
    """The process environment: ours minus any bot setting, then the emulator, the database and `settings`."""
    prefixes = ("TELEGRAM_", "DATABASE_", "OPENAI_", "WEBHOOK_", "METRICS_", "LOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(
        TELEGRAM_BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_URL=api_url,
        DATABASE_URL=engine.url.render_as_string(hide_password=False),
        LOG_LEVEL="INFO",
        METRICS_PORT="0",
        PYTHONPATH=str(ROOT),
    )
    env.update(settings)
    return env


@dataclass
class BotProcess:
    process: subprocess.Popen  # type: ignore[type-arg]
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def terminate(self) -> int:
        """SIGTERM, then the exit code (bounded wait; killed if it does not stop)."""
        self.process.send_signal(signal.SIGTERM)
        return self.wait()

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
            raise AssertionError(f"the bot did not stop within {TIMEOUT} s:\n{self.log}") from None


@contextlib.contextmanager
def bot_process(env: dict[str, str], workdir: Path, name: str = "bot") -> Iterator[BotProcess]:
    """Starts `python -m bot run`; at the end, stops it if the test did not (SIGTERM, bounded)."""
    log_path = workdir / f"{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    running = BotProcess(process, log_path)
    try:
        yield running
    finally:
        if process.poll() is None:
            running.terminate()


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    return http_request(url, headers=headers)


def http_request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body else "GET")
    try:
        with _DIRECT.open(request, timeout=TIMEOUT) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def healthz(port: int) -> tuple[int, dict[str, Any]]:
    status, body = http_get(f"http://127.0.0.1:{port}/healthz")
    return status, json.loads(body)


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse_metrics(text: str) -> Samples:
    """Every sample of a Prometheus exposition, keyed by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def metrics(port: int) -> Samples:
    status, body = http_get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200, body
    return parse_metrics(body.decode())


def sample(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def until(fetch: Callable[[], T], ready: Callable[[T], bool]) -> T:
    """Fetches again until `ready` (bounded): for what the process shows only on its own HTTP port."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        found = fetch()
        if ready(found) or time.monotonic() > deadline:
            return found


def wait_metrics(port: int, ready: Callable[[Samples], bool]) -> Samples:
    """/metrics once `ready`: for what the bot counts just after its API call returned."""
    return until(lambda: metrics(port), ready)
