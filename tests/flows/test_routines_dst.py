"""The managers' digest stays at 08:00 Paris time on the weekends the clocks change (2026)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Clock
from tests.flows.test_incidents import manager
from tests.flows.test_routines import about, tick
from tests.harness import BotHarness, TgUser

DIGEST = "Résumé du jour"


@pytest.fixture
def clock() -> Clock:
    """The demo is set up a few days before the clocks go forward (it is relative to this time)."""
    return Clock(datetime(2026, 3, 26, 10, 0, tzinfo=UTC))


async def digest_at(bot: BotHarness, sophie: TgUser, due: datetime) -> None:
    """Nothing a minute before `due`, the digest at `due`, and nothing more a minute later."""
    count = len(about(sophie, DIGEST))
    bot.clock.current = due - timedelta(minutes=1)
    await tick(bot)
    assert len(about(sophie, DIGEST)) == count, f"too early at {bot.clock()}"
    bot.clock.current = due
    await tick(bot)
    assert len(about(sophie, DIGEST)) == count + 1, f"missing at {due}"
    bot.clock.current = due + timedelta(minutes=1)
    await tick(bot)
    assert len(about(sophie, DIGEST)) == count + 1


async def test_the_digest_at_8_local_around_both_daylight_saving_changes(bot: BotHarness) -> None:
    sophie = await manager(bot)
    await digest_at(bot, sophie, datetime(2026, 3, 28, 7, 0, tzinfo=UTC))  # Saturday, winter time: 08:00 CET
    await digest_at(bot, sophie, datetime(2026, 3, 30, 6, 0, tzinfo=UTC))  # Monday, summer time: 08:00 CEST
    await digest_at(bot, sophie, datetime(2026, 10, 24, 6, 0, tzinfo=UTC))  # Saturday, summer time: 08:00 CEST
    await digest_at(bot, sophie, datetime(2026, 10, 26, 7, 0, tzinfo=UTC))  # Monday, winter time: 08:00 CET
    assert bot.refused() == []
