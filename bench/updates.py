"""Updates handled per second and latency, the full bot beside a bare echo bot: `python -m bench.updates`.

`python -m bench.updates [--backend sqlite|postgresql] [--users 50] [--updates 1000] [--warmup 100]`

The same harness for both bots: the Bot API emulator on loopback (bot/emulator, flood limits off: the bots'
own limits are what is compared), each bot in its own process, `users` simulated users at once, each
waiting for the answer to its update before the next (closed loop).

- Full bot: `python -m bot run` on a fresh database seeded with `python -m bot seed-demo --residents N`
  (the users are the generated residents, already linked: sign-in and its bcrypt are not in the mix). Each
  user goes round the dashboard (/menu), a booking (/reserver, a space, a day, a slot, a length if asked,
  Confirmer: the buttons the bot really sent) and an incident report (/signaler, a category, a place, the
  description, an urgency, Passer, Confirmer). A step whose button is not there (a day that filled up)
  makes the user leave with /annuler.
- Echo bot: `python -m bench.echo_bot`, the same users sending the same texts and button presses in the same
  order (each user replays what it sent the full bot); it echoes texts and answers presses.

Measured over `updates` answers after `warmup` ones: answers completed per second (the full bot's answer to
a Confirmer is the edit and the calendar file), and p50 / p95 latency from injecting the update to the
bot's first API call about it, as the emulator sees it. Goal: the full bot at 50 % of the echo bot's rate.

To see why: `--timing` prints where each update's time goes in the bot process (awaits on the database,
persistence, the Bot API and the rate limiter), `--cprofile FILE` profiles its CPU, and `--variant` measures
a fix before anyone writes it (see WHAT_IFS), e.g. `--only full --variant no-limiter`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import io
import json
import math
import pstats
import random
import re
import socket
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import sqlalchemy as sa

from bench._harness import (
    TOKEN,
    BotUnderTest,
    ClosedLoop,
    Handled,
    Script,
    Step,
    answered,
    bot_env,
    load,
    machine,
    percentile,
    seed_demo,
    visible,
)
from bench.seed_load import fresh_database
from bot.emulator import BotApiEmulator, CallRecord, EmulatorServer
from bot.emulator.core import EmuUser
from services.demo import LOAD_TELEGRAM_BASE

GOAL = 0.5
SPACES = ("Laverie", "Salle de sport")
DESCRIPTIONS = (
    "La prise du salon ne fonctionne plus depuis ce matin.",
    "Le robinet de la cuisine goutte sans arrêt, même fermé.",
    "Le radiateur de la chambre reste froid malgré le thermostat.",
    "La porte du local à vélos ne ferme plus à clé.",
    "L'ampoule du couloir du deuxième étage est grillée.",
)


# --- what a user does ---------------------------------------------------------------------------------


def buttons_with(user: EmuUser, prefix: str) -> list[tuple[str, str]]:
    """(label, callback data) of the latest keyboard's buttons whose data starts with `prefix`."""
    return [(label, data) for row in user.buttons() for label, data in row if data.startswith(prefix)]


def text_step(user: EmuUser, text: str) -> Step:
    return Step("text", lambda: user.send_text(text), visible)


def press_step(user: EmuUser, data: str, done: Callable[[list[CallRecord]], bool] = visible) -> Step:
    return Step("press", lambda: user.press(data), done)


def _booked(outputs: list[CallRecord]) -> bool:
    """A booking's answer: the confirmation and its calendar file; a refusal is one edit without them."""
    if any(c.method.lower() == "senddocument" for c in outputs):
        return True
    edits = [c for c in outputs if c.method.lower() in ("editmessagetext", "sendmessage")]
    return bool(edits) and not any("bk:my:" in str(c.params.get("reply_markup", "")) for c in edits)


def menu(user: EmuUser, rng: random.Random) -> Script:
    yield text_step(user, "/menu")


def booking(user: EmuUser, rng: random.Random) -> Script:
    yield text_step(user, "/reserver")
    wanted = rng.choice(SPACES)
    spaces = [data for label, data in buttons_with(user, "bk:sp:") if label == wanted]
    if not spaces:
        yield text_step(user, "/annuler")
        return
    yield press_step(user, spaces[0])
    days = [data for _, data in buttons_with(user, "bk:day:")]
    if not days:
        yield text_step(user, "/annuler")
        return
    # From the day after tomorrow: a booking inside the reminders' lead would draw a reminder mid-run.
    yield press_step(user, rng.choice(days[2:] or days))
    slots = [data for _, data in buttons_with(user, "bk:sl")]
    if not slots:
        yield text_step(user, "/annuler")
        return
    yield press_step(user, rng.choice(slots))
    lengths = buttons_with(user, "bk:sum:")
    if lengths:
        yield press_step(user, lengths[0][1])
    confirm = buttons_with(user, "bk:ok:")
    if not confirm:
        yield text_step(user, "/annuler")
        return
    yield press_step(user, confirm[0][1], _booked)


def incident(user: EmuUser, rng: random.Random) -> Script:
    yield text_step(user, "/signaler")
    for prefix in ("inc:r:cat:", "inc:r:pl:"):
        choices = buttons_with(user, prefix)
        if not choices:
            yield text_step(user, "/annuler")
            return
        yield press_step(user, rng.choice(choices)[1])
    yield text_step(user, rng.choice(DESCRIPTIONS))
    for prefix in ("inc:r:urg:low", "inc:r:skip", "inc:r:ok"):
        choices = buttons_with(user, prefix)
        if not choices:
            yield text_step(user, "/annuler")
            return
        yield press_step(user, choices[0][1])


FLOWS = (menu, booking, incident)


def full_script(user: EmuUser, seed: int) -> Script:
    """Round the three flows forever, each user starting at a different one."""
    rng = random.Random(seed)
    turn = seed
    while True:
        yield from FLOWS[turn % len(FLOWS)](user, rng)
        turn += 1


def echo_script(user: EmuUser, kinds: Iterator[str], same_calls: bool = False) -> Script:
    """The same kinds of updates, in the same order, for the echo bot: texts echoed, presses answered
    (`same_calls`: a press is complete with its edit)."""
    pressed = visible if same_calls else answered
    for number, kind in enumerate(kinds):
        if kind == "text":
            yield Step("text", lambda n=number: user.send_text(f"/menu {n}"), visible)
        else:
            target = user.bot_messages[-1].message_id
            yield Step("press", lambda t=target: user.press_data("bk:sl:2:1795586400", message_id=t), pressed)


def kinds_of(seed: int) -> Iterator[str]:
    """The kinds a full-bot user sends when every step succeeds: what the echo bot is given."""
    shapes = {menu: ["text"], booking: ["text"] + ["press"] * 5, incident: ["text", "press", "press", "text"]}
    shapes[incident] += ["press"] * 3
    turn = seed
    while True:
        yield from shapes[FLOWS[turn % len(FLOWS)]]
        turn += 1


# --- the bot process, as is or as a what-if ---------------------------------------------------------------

WHAT_IFS = ("no-limiter", "concurrent-N", "no-shared-state")
"""What `python -m bot run` becomes with `--variant`, to measure a fix before anyone makes it (one of these or
several joined by "+", e.g. `no-limiter+concurrent-8`):
- `no-limiter`: the application built without its rate limiter (`build_application(rate_limiter=False)`);
- `concurrent-N`: python-telegram-bot handling N updates at once (`ApplicationBuilder.concurrent_updates(N)`);
- `no-shared-state`: without `shared_state_handlers` (no write-through of each update's state, nor, on
  PostgreSQL, the read of it before each update: PTB's periodic flush only, as before several processes
  shared a database).
Nothing in the bot's code changes: `python -m bench.updates --serve VARIANT` runs `bot.cli` with these
applied in its own process."""


def variant_name(text: str) -> str:
    """argparse type: "as-is", or what-ifs joined by "+"."""
    parts = text.split("+")
    for part in parts:
        if (
            text != "as-is"
            and part not in ("no-limiter", "no-shared-state")
            and not re.fullmatch(r"concurrent-[1-9]\d*", part)
        ):
            raise argparse.ArgumentTypeError(f"{part!r}: as-is, or among {', '.join(WHAT_IFS)} joined by +")
    return text


class Stopwatch:
    """Wall time spent awaiting chosen coroutines inside the bot process, by label (seconds, calls)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def wrap(self, owner: type, name: str, label: Callable[..., str]) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                key = label(*args, **kwargs)
                self.seconds[key] += time.perf_counter() - started
                self.calls[key] += 1

        setattr(owner, name, timed)

    def dump(self, path: Path, wall: float) -> None:
        cpu = psutil.Process().cpu_times()
        data = {"wall": wall, "cpu": cpu.user + cpu.system, "seconds": self.seconds, "calls": self.calls}
        path.write_text(json.dumps(data))


def _endpoint(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def instrument(watch: Stopwatch) -> None:
    """Times, in the bot process: each update, its database work, persistence, Bot API calls and the limiter."""
    from telegram.ext import AIORateLimiter, Application
    from telegram.request import HTTPXRequest

    from bot.persistence import SqlPersistence
    from bot.runtime import Runtime

    watch.wrap(Application, "process_update", lambda *a, **k: "update")
    watch.wrap(Runtime, "db", lambda self, fn, *a, **k: f"db {getattr(fn, '__qualname__', fn)}")
    watch.wrap(SqlPersistence, "_run", lambda *a, **k: "persistence")
    watch.wrap(HTTPXRequest, "do_request", lambda self, url, *a, **k: f"http {_endpoint(url)}")
    watch.wrap(AIORateLimiter, "process_request", lambda self, *a, **k: f"limiter {k.get('endpoint', '')}")


def profile_threads() -> list[cProfile.Profile]:
    """cProfile in the worker threads too: the bot's database work runs there (`asyncio.to_thread`)."""
    profilers: list[cProfile.Profile] = []
    local = threading.local()
    original = asyncio.to_thread

    async def to_thread(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            if not hasattr(local, "profiler"):
                local.profiler = cProfile.Profile(time.thread_time)
                profilers.append(local.profiler)
            return local.profiler.runcall(func, *args, **kwargs)

        return await original(run)

    asyncio.to_thread = to_thread  # type: ignore[assignment]
    return profilers


def serve(variant: str, timing: Path | None, profile: Path | None) -> int:
    """`python -m bot run`, with the variant's what-if applied, optionally timed or profiled (cProfile)."""
    from telegram.ext import ApplicationBuilder

    from bot import app as bot_app
    from bot import cli

    parts = variant.split("+")
    if "no-limiter" in parts:
        bot_app.build_application = functools.partial(bot_app.build_application, rate_limiter=False)  # type: ignore[assignment]
    if "no-shared-state" in parts:
        bot_app.shared_state_handlers = lambda app: []  # type: ignore[assignment]
    concurrent = [int(part.split("-")[1]) for part in parts if part.startswith("concurrent-")]
    if concurrent:
        concurrency = concurrent[0]
        original = ApplicationBuilder.build

        def build(self: ApplicationBuilder) -> Any:  # type: ignore[type-arg]
            self.concurrent_updates(concurrency)
            return original(self)

        ApplicationBuilder.build = build  # type: ignore[method-assign]
    watch = Stopwatch()
    if timing is not None:
        instrument(watch)
    started = time.perf_counter()
    if profile is None:
        code = cli.main(["run"])
    else:
        profiler, threads = cProfile.Profile(time.thread_time), profile_threads()
        code = profiler.runcall(cli.main, ["run"])
        stats = pstats.Stats(profiler)
        for thread_profiler in threads:
            stats.add(thread_profiler)
        stats.dump_stats(profile)
    if timing is not None:
        watch.dump(timing, time.perf_counter() - started)
    return code


def breakdown(path: Path) -> list[str]:
    """Where the full bot's time went, per update handled (from `--timing`)."""
    data = json.loads(path.read_text())
    seconds, calls = data["seconds"], data["calls"]
    handled = calls.get("update", 0) or 1
    lines = [
        f"where the time goes, in the bot process: {handled} updates handled (all of the run, warm-up "
        f"included), process CPU {data['cpu']:.1f} s over {data['wall']:.1f} s",
        "| awaited in the bot | calls | ms per update | ms per call |",
        "|---|---|---|---|",
    ]
    polls = [k for k in seconds if k.endswith("getUpdates")]
    keys = sorted((k for k in seconds if k not in polls), key=lambda k: -seconds[k])
    for key in keys:
        lines.append(
            f"| {key} | {calls[key]} | {seconds[key] / handled * 1000:.1f} | {seconds[key] / calls[key] * 1000:.1f} |"
        )
    return lines


def top_functions(path: Path, count: int = 25) -> list[str]:
    """The cProfile of the bot process (event loop and worker threads), by own CPU time (time.thread_time)."""
    out = io.StringIO()
    pstats.Stats(str(path), stream=out).sort_stats("tottime").print_stats(count)
    return out.getvalue().splitlines()


# --- measuring ------------------------------------------------------------------------------------------


@dataclass
class Figures:
    bot: str
    backend: str
    users: int
    measured: int = 0
    seconds: float = 0.0
    p50: float = 0.0  # ms, injection -> first API call
    p95: float = 0.0
    done_p50: float = 0.0  # ms, injection -> the answer complete
    done_p95: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    sequences: dict[int, list[str]] = field(default_factory=dict)  # what each user sent, in order
    timeouts: int = 0
    bot_cpu: float = math.nan  # % of one core over the window
    harness_cpu: float = math.nan
    exit_code: int | None = None
    tracebacks: int = 0
    refused: int = 0
    load_before: str = ""
    load_after: str = ""
    spread: dict[str, int] = field(default_factory=dict)  # several processes: updates each one was posted

    @property
    def rate(self) -> float:
        return self.measured / self.seconds if self.seconds else 0.0

    @property
    def healthy(self) -> bool:
        return self.timeouts == 0 and self.exit_code == 0 and self.tracebacks == 0 and self.refused == 0


def figures(handled: list[Handled], warmup: int, updates: int, into: Figures) -> Figures:
    """Rate over the answers completed after the warm-up; latencies of those same updates."""
    if len(handled) < warmup + updates or warmup < 1:
        raise RuntimeError(f"only {len(handled)} answers for {warmup} + {updates}")
    window = handled[warmup : warmup + updates]
    into.measured = len(window)
    into.seconds = window[-1].completed - handled[warmup - 1].completed
    firsts = [(h.first - h.injected) * 1000 for h in window]
    dones = [(h.completed - h.injected) * 1000 for h in window]
    into.p50, into.p95 = percentile(firsts, 50), percentile(firsts, 95)
    into.done_p50, into.done_p95 = percentile(dones, 50), percentile(dones, 95)
    into.kinds = Counter(h.kind for h in window)
    for h in handled:
        into.sequences.setdefault(h.user_id, []).append(h.kind)
    return into


class CpuShare:
    """CPU used by the bot process and by this one (emulator and users) over the measured window, in %
    of one core: a bot near 100 % is the limit; a harness near 100 % would mean the harness is."""

    def __init__(self, pids: list[int], start: int, end: int) -> None:
        self.bots = [psutil.Process(pid) for pid in pids]  # several bot processes: their sum
        self.harness = psutil.Process()
        self.start, self.end = start, end
        self.samples: list[tuple[float, float, float]] = []

    def _sample(self) -> None:
        bots = sum(t.user + t.system for t in (p.cpu_times() for p in self.bots))
        harness = self.harness.cpu_times()
        self.samples.append((time.monotonic(), bots, harness.user + harness.system))

    def __call__(self, answers: int) -> None:
        if (not self.samples and answers >= self.start) or (len(self.samples) == 1 and answers >= self.end):
            self._sample()

    def shares(self) -> tuple[float, float]:
        if len(self.samples) < 2:
            return math.nan, math.nan
        (t0, b0, h0), (t1, b1, h1) = self.samples[0], self.samples[-1]
        return (b1 - b0) / (t1 - t0) * 100, (h1 - h0) / (t1 - t0) * 100


def measure(
    emu: BotApiEmulator,
    bots: BotUnderTest | list[BotUnderTest],
    scripts: list[tuple[int, Script]],
    warmup: int,
    updates: int,
    into: Figures,
) -> Figures:
    fleet = bots if isinstance(bots, list) else [bots]
    into.load_before = load()
    with contextlib.ExitStack() as running:
        for bot in fleet:
            running.enter_context(bot)
        loop = ClosedLoop(emu)
        cpu = CpuShare([bot.pid for bot in fleet], warmup, warmup + updates)
        handled = loop.run(scripts, concurrency=len(scripts), limit=warmup + updates, progress=cpu)
    into.load_after = load()
    into.bot_cpu, into.harness_cpu = cpu.shares()
    into.timeouts = loop.timeouts
    into.exit_code = max((bot.exit_code or 0 for bot in fleet), default=0)
    log = "".join(bot.log_text() for bot in fleet)
    into.tracebacks = log.count("Traceback")
    into.refused = sum(1 for c in emu.refused if c.method != "getUpdates")
    if into.tracebacks or into.refused:
        print(f"{into.bot}: {into.refused} refused calls; log tail:\n{log[-3000:]}", file=sys.stderr)
    return figures(handled, warmup, updates, into)


def run_full(
    url: str,
    users: int,
    warmup: int,
    updates: int,
    workdir: Path,
    variant: str = "as-is",
    timing: Path | None = None,
    profile: Path | None = None,
    processes: int = 0,
) -> Figures:
    """The full bot on `url`, a database holding the demo data and at least `users` generated residents.

    `variant` other than "as-is", `timing` or `profile` run the bot through `serve` (see WHAT_IFS).
    `processes` N > 0: N bot processes in webhook mode on the one database, behind the emulator playing a
    load balancer (round robin), each pacing its outbox at 30 / N."""
    backend = sa.make_url(url).get_backend_name()
    emu = BotApiEmulator(TOKEN, bot_username="lba_bench_bot")
    people = [emu.user(LOAD_TELEGRAM_BASE + n, f"R{n}") for n in range(1, users + 1)]
    scripts = [(u.user_id, full_script(u, n)) for n, u in enumerate(people)]
    command = ["bot", "run"]
    if variant != "as-is" or timing or profile:
        command = ["bench.updates", "--serve", variant]
        command += ["--timing", str(timing)] if timing else []
        command += ["--cprofile", str(profile)] if profile else []
    name = "full bot" if variant == "as-is" else f"full bot, {variant}"
    if processes:
        name += f", {processes} process{'es' if processes > 1 else ''} (webhook)"
        ports = [free_port() for _ in range(processes)]
        emu.webhook_target = ",".join(f"http://127.0.0.1:{port}" for port in ports)
    with EmulatorServer(emu) as server:
        if not processes:
            bot = BotUnderTest(emu, command, bot_env(server.url, url), workdir / "full.log")
            return measure(emu, bot, scripts, warmup, updates, Figures(name, backend, users))
        fleet = [
            BotUnderTest(
                emu,
                command,
                bot_env(
                    server.url,
                    url,
                    WEBHOOK_URL="https://lba-bench.invalid/telegram",
                    WEBHOOK_SECRET="bench-webhook-secret-0123456789",
                    WEBHOOK_LISTEN="127.0.0.1",
                    WEBHOOK_PORT=str(port),
                    OUTBOX_PER_SECOND=f"{30 / processes:g}",
                ),
                workdir / f"full-{n}.log",
                ready="setWebhook",
            )
            for n, port in enumerate(ports)
        ]
        result = measure(emu, fleet, scripts, warmup, updates, Figures(name, backend, users))
        result.spread = dict(Counter(urlsplit(a.url).netloc for a in emu.webhook_deliveries))
        return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_echo(
    users: int,
    warmup: int,
    updates: int,
    workdir: Path,
    replay: dict[int, list[str]] | None = None,
    *,
    same_calls: bool = False,
) -> Figures:
    """The echo bot, given what each full-bot user sent (`replay`: user id -> kinds, in order) or, without
    it, what a full-bot user sends when every step succeeds. `same_calls`: the echo bot making the full
    bot's Bot API calls (bench/echo_bot.py), a press then complete with its edit."""
    emu = BotApiEmulator(TOKEN, bot_username="lba_bench_echo_bot")
    people = [emu.user(LOAD_TELEGRAM_BASE + n, f"R{n}") for n in range(1, users + 1)]
    scripts = [
        (u.user_id, echo_script(u, iter(replay[u.user_id]) if replay else kinds_of(n), same_calls))
        for n, u in enumerate(people)
    ]
    command = ["bench.echo_bot", "--same-calls"] if same_calls else ["bench.echo_bot"]
    name = "echo bot, the full bot's calls" if same_calls else "echo bot"
    with EmulatorServer(emu) as server:
        bot = BotUnderTest(emu, command, bot_env(server.url, "sqlite://"), workdir / f"{command[-1]}.log")
        return measure(emu, bot, scripts, warmup, updates, Figures(name, "-", users))


def table(results: list[Figures]) -> list[str]:
    lines = [
        "| bot | backend | users | updates (texts/presses) | seconds | updates/s | first call p50 / p95 ms "
        "| answer complete p50 / p95 ms | lost | CPU % bot / harness | load avg before -> after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in results:
        lines.append(
            f"| {f.bot} | {f.backend} | {f.users} | {f.measured} ({f.kinds['text']}/{f.kinds['press']}) "
            f"| {f.seconds:.1f} | {f.rate:.1f} | {f.p50:.0f} / {f.p95:.0f} | {f.done_p50:.0f} / {f.done_p95:.0f} "
            f"| {f.timeouts} | {f.bot_cpu:.0f} / {f.harness_cpu:.0f} | {f.load_before} -> {f.load_after} |"
        )
    return lines


def verdict(full: Figures, echo: Figures) -> str:
    ratio = full.rate / echo.rate if echo.rate else 0.0
    met = "met" if ratio >= GOAL else "NOT met"
    return f"ratio full/echo: {ratio:.1%} (goal {GOAL:.0%}: {met})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.updates", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--updates", type=int, default=1000, help="answers measured, after the warm-up")
    parser.add_argument("--warmup", type=int, default=100, help="answers before the measure starts")
    parser.add_argument("--postgres-url", default=None, help="server for the database lba_bencha (default: local)")
    parser.add_argument("--only", choices=("full", "echo"), default=None, help="run one of the two bots")
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="N full-bot processes in webhook mode behind a round-robin load balancer (PostgreSQL)",
    )
    parser.add_argument(
        "--same-calls",
        action="store_true",
        help="also run the echo bot making the full bot's Bot API calls (the floor of any such bot)",
    )
    parser.add_argument("--variant", type=variant_name, default="as-is", help="what-ifs for the full bot (WHAT_IFS)")
    parser.add_argument("--timing", nargs="?", const="", help="time the full bot's awaits (where time goes)")
    parser.add_argument("--cprofile", metavar="FILE", help="cProfile the full bot (CPU time, all threads) into FILE")
    parser.add_argument("--serve", type=variant_name, help=argparse.SUPPRESS)  # the bot process of a variant
    args = parser.parse_args(argv)
    if args.processes and args.backend != "postgresql":
        parser.error("--processes needs --backend postgresql (SQLite serves one process)")
    if args.serve:
        timing_out = Path(args.timing) if args.timing else None
        return serve(args.serve, timing_out, Path(args.cprofile) if args.cprofile else None)
    results: list[Figures] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lba-bench-updates-") as tmp:
        workdir = Path(tmp)
        timing = workdir / "timing.json" if args.timing is not None else None
        profile = Path(args.cprofile).resolve() if args.cprofile else None
        if args.only != "echo":
            url = fresh_database(args.backend, "lba_bencha", workdir, args.postgres_url)
            seed_demo(url, args.users, workdir)
            full = run_full(
                url, args.users, args.warmup, args.updates, workdir, args.variant, timing, profile, args.processes
            )
            results.append(full)
            notes += breakdown(timing) if timing else []
            notes += top_functions(profile) if profile else []
        if args.only != "full":
            replay = results[0].sequences if results else None
            results.append(run_echo(args.users, args.warmup, args.updates, workdir, replay))
            if args.same_calls:
                results.append(run_echo(args.users, args.warmup, args.updates, workdir, replay, same_calls=True))
    command = " ".join(["python -m bench.updates", *(sys.argv[1:] if argv is None else argv)])
    print(f"{command}\n{date.today().isoformat()}, {machine()}")
    print("\n".join(table(results)))
    if len(results) >= 2 and args.only is None:
        print(verdict(results[0], results[1]))
    if args.same_calls and args.only is None:
        print(
            f"the full bot's calls alone: {results[2].rate / results[1].rate:.1%} of the echo bot; the full bot "
            f"{results[0].rate / results[2].rate:.1%} of them"
        )
    if notes:
        print("\n".join(["", *notes]))
    return 0 if all(f.healthy for f in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
