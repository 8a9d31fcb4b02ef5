"""Shared pieces of the process-level benches: a bot in its own process against the emulator on loopback.

Stable API (bench/updates.py, bench/memory.py and the other benches use it):

- `TOKEN`: the bot token every bench process uses (the emulator checks it).
- `bot_env(server_url, database_url, **extra) -> dict[str, str]`: the environment of a bot process.
- `start_process(module, args, env, log) -> Popen`: `python -m <module> <args>` with output to `log`.
- `stop_process(process, timeout) -> int`: SIGTERM, bounded wait (SIGKILL past it); the exit code.
- `seed_demo(database_url, residents, workdir) -> float`: `python -m bot seed-demo --residents N`, seconds.
- `BotUnderTest(emu, command, env, log, ready="getUpdates")`: a context manager that starts the process, waits
  (bounded) until it long-polls (or makes the `ready` call: "setWebhook" in webhook mode), and stops it on
  exit; `.exit_code`, `.log_text()`, `.pid`, `.rss()` (bytes), `.restart()`.
- `first_poll(emu, since, timeout, method="getUpdates") -> bool`: wait until such a call arrives after call
  number `since`.
- `percentile(values, p) -> float`, `load() -> str` (the load average), `machine() -> str`.
- `ClosedLoop(emu).run(scripts, concurrency, limit, progress) -> list[Handled]`: simulated users, each waiting
  for the bot's answer before its next update; a script is a generator of `Step(kind, act, done)` that
  receives the API calls answering each step (`visible` and `answered` are the usual `done` tests).

Every wait here is bounded and ends as soon as its condition holds: no sleeps.
"""

from __future__ import annotations

import math
import os
import platform
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import psutil

from bot.emulator import BotApiEmulator, CallRecord

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "424242425:BENCHupdatesBENCHupdatesBENCHupdates4"
START_TIMEOUT = 60.0  # a bot process reaching its first getUpdates, on a loaded 2-core machine
STOP_TIMEOUT = 30.0


def bot_env(server_url: str, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a bot process: ours minus any real token, database or OpenAI key, plus the bench's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "OPENAI_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=server_url,
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",  # a log line per update would be part of what is measured
        METRICS_PORT="0",  # several benches may run at once: no fixed port
        BACKUP_HOUR="off",
    )
    env.update(extra)
    return env


def start_process(module: str, args: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args], cwd=log.parent, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def stop_process(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> int:
    """SIGTERM (the bot finishes the update in hand and flushes its state), SIGKILL only past `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def seed_demo(database_url: str, residents: int, workdir: Path) -> float:
    """`python -m bot seed-demo --residents N` as an operator types it (cheap bcrypt); the seconds it took."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_"))}
    env.update(DATABASE_URL=database_url, PYTHONPATH=str(ROOT), LBA_BCRYPT_ROUNDS="4", LOG_LEVEL="WARNING")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "seed-demo", "--residents", str(residents)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seed-demo failed ({done.returncode}): {done.stderr[-2000:]}")
    return time.monotonic() - started


def first_poll(emu: BotApiEmulator, since: int = 0, timeout: float = START_TIMEOUT, method: str = "getUpdates") -> bool:
    """True once a getUpdates call (or `method`) arrived after the first `since` calls (the bot is up)."""
    return emu.wait_for(lambda: any(c.method == method for c in emu.calls[since:]), timeout)


class BotUnderTest:
    """`python -m <command>` against the emulator, started on enter (up once it polls), stopped on exit."""

    def __init__(
        self, emu: BotApiEmulator, command: Sequence[str], env: dict[str, str], log: Path, ready: str = "getUpdates"
    ) -> None:
        self.emu = emu
        self.ready = ready
        self.module, *rest = command
        self.args = list(rest)
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.exit_code: int | None = None
        self.started_in = 0.0  # seconds from launch to the first getUpdates

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("not started")
        return self.process.pid

    def start(self) -> BotUnderTest:
        since = len(self.emu.calls)
        launched = time.monotonic()
        self.process = start_process(self.module, self.args, self.env, self.log)
        if not first_poll(self.emu, since, method=self.ready):
            self.stop()
            raise RuntimeError(f"{self.module} did not start polling; log tail:\n{self.log_text()[-3000:]}")
        self.started_in = time.monotonic() - launched
        return self

    def stop(self) -> int:
        if self.process is not None:
            self.exit_code = stop_process(self.process)
            self.process = None
        return self.exit_code if self.exit_code is not None else 0

    def restart(self) -> BotUnderTest:
        self.stop()
        return self.start()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def rss(self) -> int:
        """Resident set size of the process, in bytes."""
        return int(psutil.Process(self.pid).memory_info().rss)

    def __enter__(self) -> BotUnderTest:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), nearest rank: the value below which p % of the sample lies."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def load() -> str:
    """The 1, 5 and 15-minute load averages, as printed beside every figure (other work skews them)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    return f"{platform.node()}: {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


# --- closed-loop users ------------------------------------------------------------------------------------

VISIBLE = frozenset(
    {"sendmessage", "editmessagetext", "editmessagecaption", "editmessagereplymarkup", "senddocument", "sendphoto"}
)
STEP_TIMEOUT = 30.0  # one update without an answer for this long counts as lost


@dataclass
class Step:
    """One update a simulated user injects, and when the bot's answer to it is complete.

    `act` injects the update (e.g. `lambda: user.send_text("/menu")`); `done(outputs)` says whether the
    API calls the bot made for this user since then (CallRecords: sends and edits to the user's chat,
    answers to the user's button presses) complete the answer the user waits for.
    """

    kind: str  # "text" or "press": what the bench reports, and what the echo bot gets the same number of
    act: Callable[[], object]
    done: Callable[[list[CallRecord]], bool]


def visible(outputs: list[CallRecord]) -> bool:
    """The user sees something new: a message or an edit in the chat."""
    return any(c.method.lower() in VISIBLE for c in outputs)


def answered(outputs: list[CallRecord]) -> bool:
    """The button press was answered (the spinner stops)."""
    return any(c.method.lower() == "answercallbackquery" for c in outputs)


Script = Generator[Step, list[CallRecord], None]
"""A user's behaviour: yields Steps, receives the outputs of each once its answer is complete."""


@dataclass
class Handled:
    """One update: when it was injected, when the bot's first call about it arrived, when the answer completed."""

    user_id: int
    kind: str
    injected: float
    first: float = math.nan
    completed: float = math.nan


@dataclass
class _Pending:
    handled: Handled
    step: Step
    script: Script
    outputs: list[CallRecord] = field(default_factory=list)


class ClosedLoop:
    """Users that each wait for the bot's answer before their next step, many of them at once.

    One driver thread injects; the emulator tells us about every API call (a listener, under its lock), and
    a user whose answer is complete goes back to the ready queue. No thread per user, no polling: the
    harness stays light beside the bot it measures. Times are the emulator's clock (time.time), so a call's
    arrival (`CallRecord.at`) and an injection are on the same scale.

    `run(scripts, concurrency, limit, progress)` starts `concurrency` scripts (user id -> script), starts the
    next one whenever one ends, stops injecting once `limit` answers are complete (None: when every script
    ended), waits (bounded) for the answers in flight, and returns every `Handled` in completion order.
    `progress(answers so far)` is called from the driver thread as answers come in.
    """

    def __init__(self, emu: BotApiEmulator, step_timeout: float = STEP_TIMEOUT) -> None:
        self.emu = emu
        self.step_timeout = step_timeout
        self.timeouts = 0  # updates that got no complete answer in time (their user is dropped)
        self._lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._ready: queue.SimpleQueue[tuple[int, Script, list[CallRecord]]] = queue.SimpleQueue()
        self._completed: list[Handled] = []
        self._seen = len(emu.calls)

    def _user_of(self, call: CallRecord) -> int | None:
        chat = call.params.get("chat_id")
        if chat is not None:
            try:
                return int(chat)
            except (TypeError, ValueError):
                return None
        query = call.params.get("callback_query_id")
        if query is not None:
            record = self.emu.callback_queries.get(str(query))
            return record.user_id if record else None
        return None

    def _on_change(self) -> None:
        """Runs under the emulator's lock after each change: attribute the new calls to waiting users."""
        calls = self.emu.calls
        new, self._seen = calls[self._seen :], len(calls)
        for call in new:
            if call.method == "getUpdates" or call.status == 0:
                continue
            user_id = self._user_of(call)
            if user_id is None:
                continue
            with self._lock:
                pending = self._pending.get(user_id)
                if pending is None or call.at < pending.handled.injected:
                    continue
                if math.isnan(pending.handled.first):
                    pending.handled.first = call.at
                pending.outputs.append(call)
                if not pending.step.done(pending.outputs):
                    continue
                pending.handled.completed = call.at
                del self._pending[user_id]
                self._completed.append(pending.handled)
            self._ready.put((user_id, pending.script, pending.outputs))

    def _inject(self, user_id: int, script: Script, outputs: list[CallRecord] | None) -> bool:
        """The script's next step, injected; False when the script has ended."""
        try:
            step = next(script) if outputs is None else script.send(outputs)
        except StopIteration:
            return False
        handled = Handled(user_id, step.kind, time.time())
        with self._lock:
            self._pending[user_id] = _Pending(handled, step, script)
        step.act()
        return True

    def _expire(self) -> int:
        """Drops the updates waiting longer than the step timeout; returns how many were dropped."""
        deadline = time.time() - self.step_timeout
        with self._lock:
            late = [uid for uid, p in self._pending.items() if p.handled.injected < deadline]
            for uid in late:
                del self._pending[uid]
        self.timeouts += len(late)
        return len(late)

    def run(
        self,
        scripts: Iterable[tuple[int, Script]],
        concurrency: int,
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Handled]:
        waiting = iter(scripts)
        active = 0
        checked = time.monotonic()

        def start_next() -> None:
            nonlocal active
            for user_id, script in waiting:
                if self._inject(user_id, script, None):
                    active += 1
                    return

        self.emu.add_listener(self._on_change)
        try:
            for _ in range(concurrency):
                start_next()
            while active:
                with self._lock:
                    done = len(self._completed)
                if progress is not None:
                    progress(done)
                if limit is not None and done >= limit:
                    break
                try:
                    ready: tuple[int, Script, list[CallRecord]] | None = self._ready.get(timeout=1.0)
                except queue.Empty:
                    ready = None
                if time.monotonic() - checked >= 1.0:
                    checked = time.monotonic()
                    expired = self._expire()
                    active -= expired
                    for _ in range(expired):
                        start_next()
                if ready is None:
                    continue
                user_id, script, outputs = ready
                if not self._inject(user_id, script, outputs):
                    active -= 1
                    start_next()
            # The answers in flight complete (bounded) so the bot stops on a quiet queue.
            self.emu.wait_for(lambda: not self._pending, self.step_timeout)
        finally:
            self.emu.remove_listener(self._on_change)
        with self._lock:
            self.timeouts += len(self._pending)
            return list(self._completed)
