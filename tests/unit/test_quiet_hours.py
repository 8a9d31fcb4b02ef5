"""Quiet hours delay a non-urgent message to their end, in the user's local time, across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from services.outbox import after_quiet_hours

PARIS = "Europe/Paris"


@pytest.mark.parametrize(
    ("when_utc", "expected_utc"),
    [
        (datetime(2026, 11, 24, 21, 30, tzinfo=UTC), datetime(2026, 11, 25, 6, 0, tzinfo=UTC)),  # 22:30 → 07:00
        (datetime(2026, 11, 25, 2, 0, tzinfo=UTC), datetime(2026, 11, 25, 6, 0, tzinfo=UTC)),  # 03:00 → 07:00
        (datetime(2026, 11, 24, 12, 0, tzinfo=UTC), datetime(2026, 11, 24, 12, 0, tzinfo=UTC)),  # daytime: as is
        (datetime(2026, 11, 25, 6, 0, tzinfo=UTC), datetime(2026, 11, 25, 6, 0, tzinfo=UTC)),  # 07:00 sharp: out
        # The night clocks go back (25 Oct 2026): 07:00 local is 06:00 UTC, not 05:00.
        (datetime(2026, 10, 24, 21, 0, tzinfo=UTC), datetime(2026, 10, 25, 6, 0, tzinfo=UTC)),
    ],
)
def test_across_midnight(when_utc: datetime, expected_utc: datetime) -> None:
    assert after_quiet_hours(when_utc, time(22), time(7), PARIS) == expected_utc


def test_a_daytime_window_and_an_empty_one() -> None:
    lunch = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)  # 13:30 in Paris
    assert after_quiet_hours(lunch, time(13), time(14), PARIS) == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert after_quiet_hours(lunch, time(13), time(13), PARIS) == lunch
