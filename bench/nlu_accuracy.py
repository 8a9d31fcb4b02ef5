"""How well the local engine understands residents: `python -m bench.nlu_accuracy [--errors]`.

Reads the labelled set tests/data/nlu_utterances.json ("dev": the items the rules were tuned on; "heldout":
items written after the rules were frozen) and prints intent, slot and language accuracy, per intent and
per slot, and the time one understanding takes.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from services.assistant_types import INTENTS, Understanding
from services.nlu import understand

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "nlu_utterances.json"
CONFIDENT = 0.5
"""The orchestrator (services/assistant.py) takes a less confident understanding as a question."""
SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class Item:
    split: str
    text: str
    intent: str
    slots: dict[str, str]
    lang: str
    today: date


@dataclass
class Score:
    n: int = 0
    intent_ok: int = 0
    slots_ok: int = 0
    lang_ok: int = 0
    acted_ok: int = 0  # the intent as the orchestrator reads it: unsure means "question"

    def add(self, item: Item, got: Understanding) -> None:
        self.n += 1
        self.intent_ok += got.intent == item.intent
        self.slots_ok += got.slots == item.slots
        self.lang_ok += got.language == item.lang
        acted = got.intent if got.confidence >= CONFIDENT else "question"
        self.acted_ok += _path(acted) == _path(item.intent)

    @property
    def intent(self) -> float:
        return self.intent_ok / self.n if self.n else 0.0

    @property
    def slot(self) -> float:
        return self.slots_ok / self.n if self.n else 0.0

    @property
    def acted(self) -> float:
        return self.acted_ok / self.n if self.n else 0.0

    @property
    def language(self) -> float:
        return self.lang_ok / self.n if self.n else 0.0


def _path(intent: str) -> str:
    """Unknown and question take the same road in the orchestrator: the knowledge base, then the managers."""
    return "question" if intent == "unknown" else intent


@dataclass
class Report:
    sets: dict[str, Score] = field(default_factory=dict)
    intents: dict[str, Counter[str]] = field(default_factory=dict)  # intent -> tp, expected, predicted
    slots: dict[str, Counter[str]] = field(default_factory=dict)  # slot -> tp, expected, predicted
    errors: list[tuple[Item, Understanding]] = field(default_factory=list)


def load_items(path: Path = DATA) -> list[Item]:
    data = json.loads(path.read_text(encoding="utf-8"))
    default = date.fromisoformat(data["today"])
    return [
        Item(
            split=split,
            text=row["text"],
            intent=row["intent"],
            slots=row["slots"],
            lang=row["lang"],
            today=date.fromisoformat(row["today"]) if "today" in row else default,
        )
        for split in SPLITS
        for row in data[split]
    ]


def evaluate(items: list[Item]) -> Report:
    report = Report()
    for item in items:
        got = understand(item.text, today=item.today)
        for name in ("overall", item.split, item.lang):
            report.sets.setdefault(name, Score()).add(item, got)
        for name in {item.intent, got.intent}:
            counts = report.intents.setdefault(name, Counter())
            counts["tp"] += item.intent == got.intent == name
            counts["expected"] += item.intent == name
            counts["predicted"] += got.intent == name
        for name in set(item.slots) | set(got.slots):
            counts = report.slots.setdefault(name, Counter())
            counts["tp"] += name in item.slots and item.slots[name] == got.slots.get(name)
            counts["expected"] += name in item.slots
            counts["predicted"] += name in got.slots
        if got.intent != item.intent or got.slots != item.slots:
            report.errors.append((item, got))
    return report


def timing(items: list[Item], rounds: int = 20) -> tuple[float, float, float]:
    """Mean and 95th percentile of one call over the set, and one call on a 5,000-character message, in µs."""
    samples = []
    for _ in range(rounds):
        for item in items:
            start = time.perf_counter()
            understand(item.text, today=item.today)
            samples.append(time.perf_counter() - start)
    samples.sort()
    long_text = " ".join(item.text for item in items)[:5000]
    start = time.perf_counter()
    understand(long_text, today=items[0].today)
    long_call = time.perf_counter() - start
    return statistics.fmean(samples) * 1e6, samples[int(len(samples) * 0.95)] * 1e6, long_call * 1e6


def _ratio(num: int, den: int) -> str:
    return f"{num / den:6.1%}" if den else "     -"


def render(report: Report, speed: tuple[float, float, float] | None) -> str:
    lines = ["NLU accuracy (local engine, services/nlu.py) on tests/data/nlu_utterances.json", ""]
    lines.append(f"{'set':10} {'n':>4} {'intent':>7} {'slots':>7} {'lang':>7} {'acted':>7}")
    for name in ("overall", *SPLITS, "fr", "en"):
        if score := report.sets.get(name):
            row = f"{score.intent:7.1%} {score.slot:7.1%} {score.language:7.1%} {score.acted:7.1%}"
            lines.append(f"{name:10} {score.n:4} {row}")
    lines.append(f"(acted: the road taken, an understanding under {CONFIDENT} confidence being read as a question)")
    lines += ["", f"{'intent':16} {'n':>4} {'precision':>10} {'recall':>7}"]
    for name in INTENTS:
        counts = report.intents.get(name, Counter())
        precision = _ratio(counts["tp"], counts["predicted"])
        lines.append(f"{name:16} {counts['expected']:4} {precision:>10} {_ratio(counts['tp'], counts['expected']):>7}")
    lines += ["", f"{'slot':10} {'expected':>8} {'found':>6} {'right':>6} {'precision':>10} {'recall':>7}"]
    for name in sorted(report.slots):
        counts = report.slots[name]
        lines.append(
            f"{name:10} {counts['expected']:8} {counts['predicted']:6} {counts['tp']:6} "
            f"{_ratio(counts['tp'], counts['predicted']):>10} {_ratio(counts['tp'], counts['expected']):>7}"
        )
    if speed:
        mean, p95, long_call = speed
        lines += [
            "",
            f"understand(): mean {mean:.0f} µs, p95 {p95:.0f} µs; a 5,000-character message {long_call:.0f} µs",
        ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    items = load_items()
    report = evaluate(items)
    print(render(report, timing(items)))
    if "--errors" in argv:
        print(f"\n{len(report.errors)} utterances not fully understood:")
        for item, got in report.errors:
            print(f"  [{item.split}] {item.text!r}")
            print(f"      expected {item.intent} {item.slots}\n      got      {got.intent} {got.slots}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
