"""Rules every typed answer shares, so each flow refuses the same way (and says the same numbers)."""

from __future__ import annotations

from services.errors import InvalidInput


def text_length(field: str, text: str | None, low: int, high: int) -> str:
    """The text without surrounding spaces, if its length is within [low, high]."""
    value = (text or "").strip()
    if len(value) < low:
        raise InvalidInput(field, "too_short", min=low, length=len(value))
    if len(value) > high:
        raise InvalidInput(field, "too_long", max=high, length=len(value))
    return value
