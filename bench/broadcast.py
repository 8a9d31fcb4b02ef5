"""An announcement to N residents under Telegram's flood limits: `python -m bench.broadcast --residents 1000`.

What runs, as an operator would run it:
1. a fresh database (`--backend sqlite|postgresql`), then `python -m bot seed-demo --residents N` (N Lyon
   residents linked to Telegram ids 1000001..);
2. the Bot API emulator on loopback with Telegram's flood limits enforced (30 messages a second overall,
   about one a second per chat: a 429 with retry_after beyond that), every resident having started the bot;
3. `python -m bot run` in its own process against it;
4. the Lyon manager (linked to her Telegram account beforehand, as /connexion leaves it), through the bot
   as in Telegram: /annonce, the text, Continuer, a moment to read the preview, Envoyer.

Measured: from the press on Envoyer to the last resident's copy, messages per second against the 30
allowed (goal 90 %); the 429s the emulator answered and whether each was handled (the same chat served
later, no sooner than its retry_after); copies per resident (duplicates, missing); the outbox rows of the
batch by status; the delivery report the manager received. All waits are bounded and end on their
condition.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from bench._harness import TOKEN, BotUnderTest, bot_env, load, machine, seed_demo
from bench.seed_load import fresh_database
from bot.emulator import BotApiEmulator, EmulatorServer
from bot.emulator.core import EmuMessage, EmuUser
from models import OutboxMessage, User
from models.db import make_engine
from services.demo import LOAD_TELEGRAM_BASE

MANAGER_EMAIL = "manager@lba.demo"
MANAGER_TELEGRAM_ID = 990_001
TEXT = "Coupure d'eau jeudi de 9h à 11h : pensez à faire vos réserves."
ALLOWED_PER_SECOND = 30
GOAL = 0.9
STEP_TIMEOUT = 30.0  # one step of the manager's flow, or the bot starting
READING = 1.5  # seconds of quiet before the manager presses Envoyer (she reads the preview)


@dataclass
class BroadcastReport:
    backend: str
    residents: int
    seed_seconds: float = 0.0
    elapsed: float = 0.0  # Envoyer pressed -> last resident's copy
    first_after: float = 0.0  # Envoyer pressed -> first resident's copy
    confirmed_after: float = 0.0  # Envoyer pressed -> "Annonce en route" (the batch is queued)
    received: int = 0  # residents who got it
    duplicates: int = 0  # copies beyond the first
    peak_per_second: int = 0  # most copies in any one-second window
    refusals_429: int = 0
    refusals_429_residents: int = 0  # the others were in the manager's chat
    unhandled_429: int = 0
    outbox: dict[str, int] = field(default_factory=dict)
    retried_rows: int = 0  # outbox rows that needed more than one attempt
    report_text: str = ""
    report_figures: dict[str, int] = field(default_factory=dict)
    reports: int = 0
    exit_code: int | None = None
    tracebacks: int = 0
    errors: list[str] = field(default_factory=list)  # the bot's ERROR lines and exception messages
    load_before: str = ""
    load_after: str = ""

    @property
    def rate(self) -> float:
        return self.received / self.elapsed if self.elapsed else 0.0

    @property
    def steady_rate(self) -> float:
        """Between the first copy and the last: the sending pace, without the time to queue the batch."""
        span = self.elapsed - self.first_after
        return (self.received - 1) / span if span > 0 else 0.0

    @property
    def share(self) -> float:
        return self.rate / ALLOWED_PER_SECOND

    @property
    def met(self) -> bool:
        return (
            self.share >= GOAL
            and self.received == self.residents
            and self.duplicates == 0
            and self.unhandled_429 == 0
            and self.outbox.get("sent", 0) == self.residents
            and self.reports == 1
            and self.exit_code == 0
            and self.tracebacks == 0
        )

    def lines(self) -> list[str]:
        figures = ", ".join(f"{k} {v}" for k, v in self.report_figures.items()) or "none"
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.outbox.items())) or "none"
        return [
            f"broadcast bench: {self.backend}, {self.residents} residents, flood limits on "
            f"({ALLOWED_PER_SECOND}/s overall, 1/s per chat); seed-demo took {self.seed_seconds:.1f} s",
            f"  sent in {self.elapsed:.1f} s from Envoyer to the last copy; batch queued and confirmed to the "
            f"author after {self.confirmed_after:.2f} s, first copy after {self.first_after:.2f} s",
            f"  rate: {self.rate:.1f} msg/s = {self.share:.1%} of the {ALLOWED_PER_SECOND}/s allowed "
            f"(goal {GOAL:.0%}: {'met' if self.share >= GOAL else 'MISSED'}); from the first copy to the last "
            f"{self.steady_rate:.1f} msg/s; peak {self.peak_per_second} in 1 s",
            f"  residents reached: {self.received}/{self.residents}, duplicates: {self.duplicates}",
            f"  429 answered by the emulator: {self.refusals_429} ({self.refusals_429_residents} in residents' "
            f"chats, the rest in the manager's), unhandled: {self.unhandled_429}; "
            f"outbox rows retried: {self.retried_rows}",
            f"  outbox rows of the batch: {statuses}",
            f"  delivery reports to the author: {self.reports} ({figures})",
            f"  bot exit code {self.exit_code}, tracebacks in its log: {self.tracebacks}",
            *(f"    {line[:300]}" for line in self.errors),
            f"  load average {self.load_before} before, {self.load_after} after",
            f"  verdict: {'all goals met' if self.met else 'GOAL MISSED'}",
        ]


class Deliveries:
    """Each new bot message to a resident, with the time it arrived (fed by the emulator, under its lock)."""

    def __init__(self, residents: set[int]) -> None:
        self.residents = residents
        self.seen: dict[tuple[int, int], float] = {}
        self.copies: Counter[int] = Counter()

    def __call__(self, record: EmuMessage) -> None:
        key = (record.chat_id, record.message_id)
        if record.chat_id in self.residents and key not in self.seen and TEXT in (record.text or ""):
            self.seen[key] = time.monotonic()
            self.copies[record.chat_id] += 1


# --- driving the manager through the bot --------------------------------------------------------------


def _answer(emu: BotApiEmulator, user: EmuUser, act: Callable[[], object], expect: Callable[[str], bool]) -> str:
    """Do `act`, then wait (bounded) for a bot message or edit whose text satisfies `expect`."""
    before = {(m.message_id, m.edited) for m in user.messages}

    def found() -> str | None:
        for m in user.messages:
            if m.from_bot and (m.message_id, m.edited) not in before and expect(m.text or ""):
                return m.text or ""
        return None

    act()
    if not emu.wait_for(lambda: found() is not None, STEP_TIMEOUT):
        raise TimeoutError(f"no answer from the bot; its last messages: {[m.text for m in user.messages[-3:]]}")
    return found() or ""


def _press(emu: BotApiEmulator, user: EmuUser, fragment: str, expect: Callable[[str], bool]) -> str:
    label = next((label for row in user.buttons() for label, _ in row if fragment in label), None)
    if label is None:
        raise LookupError(f"no button with {fragment!r} in {user.buttons()}")
    return _answer(emu, user, lambda: user.press(label), expect)


def announce(emu: BotApiEmulator, manager: EmuUser) -> tuple[float, float]:
    """Send the announcement as the manager does; returns when Envoyer was pressed, and how long the bot
    took to confirm it (the whole batch is queued in the outbox before the confirmation).

    Before Envoyer she reads the preview: the bench waits until the bot has been quiet for READING
    seconds. Without it the preview's three messages and the confirmation arrive in her chat faster
    than Telegram's one a second per chat: the confirmation draws a 429, and python-telegram-bot's
    rate limiter then pauses *all* sending for the retry_after, the broadcast's first second included.
    """
    _answer(emu, manager, lambda: manager.send_text("/annonce"), lambda t: "Nouvelle annonce" in t)
    _answer(emu, manager, lambda: manager.send_text(TEXT), lambda t: "Options" in t)
    _press(emu, manager, "Continuer", lambda t: "Envoyer l'annonce ?" in t)
    if not emu.wait_idle(quiet=READING, timeout=STEP_TIMEOUT):
        raise TimeoutError("the bot did not settle on the preview")
    pressed = time.monotonic()
    _press(emu, manager, "Envoyer", lambda t: "Annonce en route" in t)
    return pressed, time.monotonic() - pressed


# --- the bot process ------------------------------------------------------------------------------------


def seed(database_url: str, residents: int, workdir: Path) -> float:
    """`python -m bot seed-demo --residents N`, as the operator types it, then the manager linked to her
    Telegram account (what her /connexion does); returns the seconds the command took."""
    took = seed_demo(database_url, residents, workdir)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.update(User).where(User.email == MANAGER_EMAIL).values(telegram_id=MANAGER_TELEGRAM_ID))
    finally:
        engine.dispose()
    return took


# --- figures ------------------------------------------------------------------------------------------


def unhandled_429(emu: BotApiEmulator, residents: set[int]) -> tuple[int, int, int]:
    """429s answered: in all, to residents' chats, and not followed by a send to the same chat at least
    retry_after later (unhandled)."""
    calls = list(emu.calls)  # read once the server has stopped
    refused = [c for c in calls if c.status == 429]
    served: dict[int, list[float]] = {}
    for c in calls:
        if c.status == 200 and c.method.lower() in ("sendmessage", "sendphoto", "senddocument"):
            served.setdefault(int(c.params.get("chat_id", 0)), []).append(c.at)
    missing = 0
    for c in refused:
        match = re.search(r"retry after (\d+)", c.description or "")  # Telegram's own wording
        retry = float(match.group(1)) if match else 0.0
        chat = int(c.params.get("chat_id", 0))
        if not any(at >= c.at + retry - 0.05 for at in served.get(chat, [])):
            missing += 1
    to_residents = sum(1 for c in refused if int(c.params.get("chat_id", 0)) in residents)
    return len(refused), to_residents, missing


def outbox_figures(database_url: str) -> tuple[dict[str, int], int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            where = OutboxMessage.batch.like("announcement:%") & OutboxMessage.user_id.is_not(None)
            rows = conn.execute(sa.select(OutboxMessage.status, OutboxMessage.attempts).where(where)).all()
    finally:
        engine.dispose()
    statuses = Counter(str(getattr(status, "value", status)) for status, _ in rows)
    return dict(statuses), sum(1 for _, attempts in rows if attempts > 1)


REPORT_FIGURES = {"Destinataires": "recipients", "Reçue": "sent", "Injoignables": "unreachable", "Échecs": "failed"}


def read_report(text: str) -> dict[str, int]:
    found = {}
    for label, name in REPORT_FIGURES.items():
        match = re.search(rf"{label} : (\d+)", text)
        if match:
            found[name] = int(match.group(1))
    return found


def peak(times: list[float]) -> int:
    ordered, best, low = sorted(times), 0, 0
    for high, moment in enumerate(ordered):
        while moment - ordered[low] >= 1.0:
            low += 1
        best = max(best, high - low + 1)
    return best


# --- the bench ---------------------------------------------------------------------------------------------


def run(database_url: str, residents: int, workdir: Path, backend: str = "") -> BroadcastReport:
    """Seed, start the bot, announce, wait for every copy and the report, stop the bot; the figures."""
    report = BroadcastReport(backend or sa.make_url(database_url).get_backend_name(), residents)
    report.seed_seconds = seed(database_url, residents, workdir)
    ids = set(range(LOAD_TELEGRAM_BASE + 1, LOAD_TELEGRAM_BASE + residents + 1))
    emu = BotApiEmulator(TOKEN, bot_username="lba_bench_bot", flood_limits=True)
    for tid in sorted(ids):
        emu.user(tid, f"R{tid}").started = True
    manager = emu.user(MANAGER_TELEGRAM_ID, "Sophie")
    deliveries = Deliveries(ids)
    emu.subscribe(deliveries)
    report.load_before = load()
    # INFO: the log shows each 429 python-telegram-bot's rate limiter waited out.
    bot = BotUnderTest(emu, ["bot", "run"], bot_env("", database_url, LOG_LEVEL="INFO"), workdir / "bot.log")
    with EmulatorServer(emu) as server:
        bot.env["TELEGRAM_API_URL"] = server.url
        with bot:
            pressed, report.confirmed_after = announce(emu, manager)
            budget = residents / ALLOWED_PER_SECOND * 2 + 60

            def reported() -> bool:
                return any("Rapport de distribution" in (m.text or "") for m in manager.messages if m.from_bot)

            all_in = emu.wait_for(lambda: len(deliveries.copies) >= residents and reported(), budget)
            # Anything sent twice would follow at once: give it a bounded moment to show.
            emu.wait_idle(quiet=0.5, timeout=10)
    report.exit_code = bot.exit_code
    report.load_after = load()
    times = sorted(deliveries.seen.values())
    if times:
        report.first_after = times[0] - pressed
        report.elapsed = times[-1] - pressed
    report.received = len(deliveries.copies)
    report.duplicates = sum(n - 1 for n in deliveries.copies.values())
    report.peak_per_second = peak(times)
    report.refusals_429, report.refusals_429_residents, report.unhandled_429 = unhandled_429(emu, ids)
    report.outbox, report.retried_rows = outbox_figures(database_url)
    texts = [m.text or "" for m in manager.messages if m.from_bot and "Rapport de distribution" in (m.text or "")]
    report.reports = len(texts)
    report.report_text = texts[-1] if texts else ""
    report.report_figures = read_report(report.report_text)
    output = bot.log_text()
    report.tracebacks = output.count("Traceback")
    report.errors = [line for line in output.splitlines() if " ERROR " in line or "Error:" in line][:10]
    if not all_in:
        print(f"timed out waiting for the broadcast; bot log tail:\n{output[-3000:]}", file=sys.stderr)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url", default=None, help="server to create the database lba_bench_broadcast on (default: local)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lba-bench-") as tmp:
        workdir = Path(tmp)
        url = fresh_database(args.backend, "lba_bench_broadcast", workdir, args.postgres_url)
        report = run(url, args.residents, workdir, args.backend)
    print(f"{date.today().isoformat()}, {machine()}")
    print("\n".join(report.lines()))
    return 0 if report.met else 1


if __name__ == "__main__":
    raise SystemExit(main())
