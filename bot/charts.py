"""Charts of /stats as PNG images, drawn with matplotlib off screen.

Only the object-oriented API and the Agg canvas are used (never pyplot): no display is needed, no
global figure state is shared, and handlers call this from a worker thread. Matplotlib's caches
(fonts, text layout) are not documented as thread-safe, so drawing is serialised by one lock; a
chart takes a few tens of milliseconds. Matplotlib is imported on the first chart rather than with
the bot: a quarter of a second at start that no other command needs.

Labels arrive translated and as plain text (never HTML): they are drawn as typed, a "$" in a
space's name included, since mathtext parsing is turned off for every text.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LABEL_MAX = 38
MAX_BARS = 20
DPI = 100
WIDTH_INCHES = 8.0
COLORS = ("#3B6EA8", "#E07B39", "#4E9F6D", "#C44E52", "#8172B2", "#937860", "#DA8BC3", "#8C8C8C")

_lock = threading.Lock()


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def _figure(height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _no_math(figure: Figure) -> None:
    for text in figure.findobj(match=lambda artist: hasattr(artist, "set_parse_math")):
        text.set_parse_math(False)  # type: ignore[attr-defined]


def horizontal_bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    percent: bool = False,
    value_labels: Sequence[str] | None = None,
) -> bytes:
    """One bar per label, top to bottom in the given order; `percent` values are 0..1 shown 0..100 %.

    Beyond MAX_BARS the rest is left out (the CSV export has every row).
    """
    if not labels or len(labels) != len(values):
        raise ValueError("one value per label, at least one")
    labels, values = list(labels)[:MAX_BARS], list(values)[:MAX_BARS]
    shown = [v * 100 for v in values] if percent else list(values)
    texts = list(value_labels)[:MAX_BARS] if value_labels else [_number(v, percent) for v in shown]
    with _lock:
        figure = _figure(max(3.0, 1.4 + 0.45 * len(labels)))
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        colors = [COLORS[i % len(COLORS)] for i in positions]
        bars = axes.barh(positions, shown, color=colors)
        axes.set_yticks(positions, labels=[_short(label) for label in labels])
        axes.invert_yaxis()
        top = max(shown)
        axes.bar_label(bars, labels=texts, padding=3)
        if percent:
            # Room on the right for "100 % (126 h / 126 h)", ticks up to 100 % only.
            axes.set_xlim(0, max(100.0, top) * 1.3)
            axes.set_xticks(range(0, int(max(100.0, top)) + 1, 20))
            axes.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0f} %")
        else:
            axes.set_xlim(0, max(1.0, top) * 1.18)
            axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_title(title, loc="left", fontweight="bold")
        axes.spines[["top", "right"]].set_visible(False)
        _no_math(figure)
        return _png(figure)


def vertical_bars(title: str, labels: Sequence[str], values: Sequence[float]) -> bytes:
    """Counts side by side (the ratings 1 to 5): few bars, short labels."""
    if not labels or len(labels) != len(values):
        raise ValueError("one value per label, at least one")
    with _lock:
        figure = _figure(4.5)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        bars = axes.bar(positions, list(values), color=[COLORS[i % len(COLORS)] for i in positions])
        axes.set_xticks(positions, labels=[_short(label) for label in labels])
        axes.set_ylim(0, max(1.0, max(values)) * 1.18)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.bar_label(bars, labels=[_number(v, False) for v in values], padding=3)
        axes.set_title(title, loc="left", fontweight="bold")
        axes.spines[["top", "right"]].set_visible(False)
        _no_math(figure)
        return _png(figure)


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.0f} %"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
