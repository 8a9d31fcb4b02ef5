"""Reading what residents type: one way to fold case and accents, and the day and month names.

Every parser of typed text (dates in bookings and events, incident similarity, the assistant's
understanding and its knowledge-base search) reads through these, so "Décembre", "decembre" and
"DÉCEMBRE" always mean the same thing.
"""

from __future__ import annotations

import unicodedata

WEEKDAY_NAMES = (
    "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "monday tuesday wednesday thursday friday saturday sunday",
)
MONTH_NAMES = (
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "january february march april may june july august september october november december",
)
WEEKDAYS: dict[str, int] = {name: i for names in WEEKDAY_NAMES for i, name in enumerate(names.split())}
"""Folded weekday name (French or English) -> Monday=0 .. Sunday=6."""
MONTHS: dict[str, int] = {name: i for names in MONTH_NAMES for i, name in enumerate(names.split(), 1)}
"""Folded month name (French or English) -> 1 .. 12."""


def fold(text: str) -> str:
    """Lower case without accents, with the typographic apostrophe made plain: "Après-Demain’s" -> "apres-demain's"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def squash(text: str) -> str:
    """`fold`, with runs of white space made one space and the ends trimmed."""
    return " ".join(fold(text).split())
