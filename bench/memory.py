"""Memory of the bot process with conversations in progress: `python -m bench.memory [--conversations 1000]`.

What runs: a fresh SQLite database with the demo data and N generated residents (`python -m bot seed-demo
--residents N`), the Bot API emulator on loopback, `python -m bot run` in its own process. Its resident set
size (psutil) is read, each time once the bot has gone quiet:

1. idle, just started;
2. after each of the N residents opened the dashboard (/menu): the bot has met them, no flow is open;
3. after each was brought into the middle of a flow, `--concurrency` at a time: half booking, stopped at the
   slot step (/reserver, a space, a day), half reporting an incident, stopped at the description step
   (/signaler, a category, a place). Per conversation: (3 - 2) / N;
4. after a restart (SIGTERM, then a new process): the conversations come back from the database;
5. after a sample of them carried on where they stopped (the proof they were really reloaded).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from bench._harness import (
    TOKEN,
    BotUnderTest,
    ClosedLoop,
    Script,
    bot_env,
    load,
    machine,
    seed_demo,
)
from bench.seed_load import fresh_database
from bench.updates import DESCRIPTIONS, SPACES, buttons_with, text_step
from bench.updates import press_step as press
from bot.emulator import BotApiEmulator, EmulatorServer
from bot.emulator.core import EmuUser
from models import BotState
from models.db import make_engine
from services.demo import LOAD_TELEGRAM_BASE

MiB = 2**20
QUIET = 1.0  # seconds without any API call before a reading: the bot has finished what it was doing


@dataclass
class Reading:
    label: str
    rss: int
    load: str


@dataclass
class MemoryReport:
    conversations: int
    concurrency: int
    readings: list[Reading] = field(default_factory=list)
    reached: Counter[str] = field(default_factory=Counter)  # "booking" / "incident" users at their step
    stored: dict[str, int] = field(default_factory=dict)  # bot_state rows by kind, after the stop
    resumed: int = 0
    sample: int = 0
    timeouts: int = 0
    exit_codes: list[int] = field(default_factory=list)
    tracebacks: int = 0

    def rss(self, label: str) -> int:
        return next(r.rss for r in self.readings if r.label == label)

    @property
    def healthy(self) -> bool:
        return (
            sum(self.reached.values()) == self.conversations
            and self.resumed == self.sample
            and self.timeouts == 0
            and all(code == 0 for code in self.exit_codes)
            and self.tracebacks == 0
        )

    def lines(self) -> list[str]:
        n = self.conversations
        idle, met, busy = self.rss("idle"), self.rss("met"), self.rss("in flows")
        again = self.rss("restarted")
        lines = [
            f"memory bench: SQLite, {n} residents, {self.concurrency} at a time; "
            f"{self.reached['booking']} at the slot step, {self.reached['incident']} at the description step",
            "",
            "| moment | RSS MiB | vs idle MiB | load avg |",
            "|---|---|---|---|",
        ]
        for r in self.readings:
            lines.append(f"| {r.label} | {r.rss / MiB:.1f} | {(r.rss - idle) / MiB:+.1f} | {r.load} |")
        lines += [
            "",
            f"per conversation in progress: {(busy - met) / n / 1024:.1f} KiB "
            f"(in flows - met, / {n}); per resident met and in a flow: {(busy - idle) / n / 1024:.1f} KiB",
            f"after the restart: {(again - idle) / MiB:+.1f} MiB vs the first idle "
            f"({(again - idle) / n / 1024:.1f} KiB per conversation reloaded)",
            "stored in bot_state after the stop: " + ", ".join(f"{k} {v}" for k, v in sorted(self.stored.items())),
            f"carried on after the restart: {self.resumed}/{self.sample}; lost updates: {self.timeouts}; "
            f"exit codes {self.exit_codes}; tracebacks {self.tracebacks}",
        ]
        return lines


def to_slot_step(user: EmuUser, rng: random.Random, reached: Counter[str]) -> Script:
    """/reserver, a space, a day: the slots are on screen, the conversation waits for one."""
    yield text_step(user, "/reserver")
    wanted = rng.choice(SPACES)
    yield press(user, next(data for label, data in buttons_with(user, "bk:sp:") if label == wanted))
    days = [data for _, data in buttons_with(user, "bk:day:")]
    yield press(user, rng.choice(days[2:] or days))
    if buttons_with(user, "bk:sl"):
        reached["booking"] += 1


def to_description_step(user: EmuUser, rng: random.Random, reached: Counter[str]) -> Script:
    """/signaler, a category, a place: the bot waits for the description."""
    yield text_step(user, "/signaler")
    yield press(user, rng.choice(buttons_with(user, "inc:r:cat:"))[1])
    yield press(user, rng.choice(buttons_with(user, "inc:r:pl:"))[1])
    if [data for _, data in buttons_with(user, "inc:r:")] == ["inc:r:stop"]:
        reached["incident"] += 1


def carry_on(user: EmuUser, booking: bool, rng: random.Random, resumed: list[int]) -> Script:
    """The next step of the flow the user was left in, after the restart."""
    if booking:
        yield press(user, rng.choice(buttons_with(user, "bk:sl"))[1])
        ok = bool(buttons_with(user, "bk:sum:") or buttons_with(user, "bk:ok:"))
    else:
        yield text_step(user, rng.choice(DESCRIPTIONS))
        ok = bool(buttons_with(user, "inc:r:urg:"))
    if ok:
        resumed.append(user.user_id)


def _menu(user: EmuUser) -> Script:
    yield text_step(user, "/menu")


def stored_state(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(BotState.kind, sa.func.count()).group_by(BotState.kind)).all()
    finally:
        engine.dispose()
    return {str(kind): int(count) for kind, count in rows}


def run(
    url: str, conversations: int, concurrency: int, sample: int, workdir: Path, quiet: float = QUIET
) -> MemoryReport:
    """The bench on `url`, a database holding the demo data and at least `conversations` generated residents."""
    report = MemoryReport(conversations, concurrency)
    emu = BotApiEmulator(TOKEN, bot_username="lba_bench_bot")
    people = [emu.user(LOAD_TELEGRAM_BASE + n, f"R{n}") for n in range(1, conversations + 1)]
    rng = random.Random(7)

    def read(bot: BotUnderTest, label: str) -> None:
        emu.wait_idle(quiet=quiet, timeout=60)
        report.readings.append(Reading(label, bot.rss(), load()))

    def drive(scripts: list[tuple[int, Script]]) -> None:
        loop = ClosedLoop(emu)
        loop.run(scripts, concurrency)
        report.timeouts += loop.timeouts

    with EmulatorServer(emu) as server:
        bot = BotUnderTest(emu, ["bot", "run"], bot_env(server.url, url), workdir / "bot.log")
        with bot:
            read(bot, "idle")
            drive([(u.user_id, _menu(u)) for u in people])
            read(bot, "met")
            drive(
                [
                    (u.user_id, (to_slot_step if n % 2 == 0 else to_description_step)(u, rng, report.reached))
                    for n, u in enumerate(people)
                ]
            )
            read(bot, "in flows")
            bot.stop()
            report.exit_codes.append(-1 if bot.exit_code is None else bot.exit_code)
            report.stored = stored_state(url)
            bot.start()
            read(bot, "restarted")
            chosen = rng.sample(range(conversations), min(sample, conversations))
            resumed: list[int] = []
            drive([(people[n].user_id, carry_on(people[n], n % 2 == 0, rng, resumed)) for n in chosen])
            report.resumed, report.sample = len(resumed), len(chosen)
            read(bot, "after carrying on")
        report.exit_codes.append(-1 if bot.exit_code is None else bot.exit_code)
    log = bot.log_text()
    report.tracebacks = log.count("Traceback")
    if report.tracebacks:
        print(f"bot log tail:\n{log[-3000:]}", file=sys.stderr)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000, help="residents brought into a flow")
    parser.add_argument("--concurrency", type=int, default=50, help="residents acting at once")
    parser.add_argument("--sample", type=int, default=20, help="conversations carried on after the restart")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lba-bench-memory-") as tmp:
        workdir = Path(tmp)
        url = fresh_database("sqlite", "memory", workdir)
        seed_demo(url, args.conversations, workdir)
        report = run(url, args.conversations, args.concurrency, args.sample, workdir)
    command = " ".join(["python -m bench.memory", *(sys.argv[1:] if argv is None else argv)])
    print(f"{command}\n{date.today().isoformat()}, {machine()}")
    print("\n".join(report.lines()))
    return 0 if report.healthy else 1


if __name__ == "__main__":
    raise SystemExit(main())
