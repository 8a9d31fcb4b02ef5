"""The booking rules on the services alone: each validator, the alternatives, the database guard, DST."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models import (
    OutboxMessage,
    OutboxStatus,
    Reservation,
    ReservationSlot,
    ReservationStatus,
    Residence,
    Role,
    Space,
    SpaceKind,
    User,
)
from models.db import make_engine, make_session_factory, unit_of_work
from services import bookings as svc
from services import scheduler
from services.errors import InvalidInput, NotAllowed, NotFound, SlotTaken
from services.people import Me, me_of
from tests.conftest import START, Clock

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 11, 24)  # START is Tuesday 24 November 2026, 10:00 in Paris


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS).astimezone(UTC)


def me(sessions: sessionmaker[Session], email: str) -> Me:
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        return me_of(s, user)


def space_id(sessions: sessionmaker[Session], name: str, city: str = "Lyon") -> int:
    with unit_of_work(sessions) as s:
        found = s.scalar(
            sa.select(Space.id)
            .join(Residence, Residence.id == Space.residence_id)
            .where(Space.name == name, Residence.city == city)
        )
        assert found is not None
        return found


def call(sessions: sessionmaker[Session], fn: Any, *args: Any) -> Any:
    with unit_of_work(sessions) as s:
        return fn(s, *args)


def refusal(sessions: sessionmaker[Session], fn: Any, *args: Any) -> svc.Refused:
    with pytest.raises(svc.Refused) as caught:
        call(sessions, fn, *args)
    return caught.value


def add_resident(sessions: sessionmaker[Session], email: str, city: str = "Lyon") -> Me:
    with unit_of_work(sessions) as s:
        residence = s.scalar(sa.select(Residence).where(Residence.city == city))
        assert residence is not None
        user = User(
            email=email,
            password_hash="x",
            first_name=email.split("@")[0],
            role=Role.RESIDENT,
            residence_id=residence.id,
            created_at=START,
        )
        s.add(user)
        s.flush()
        return me_of(s, user)


@pytest.fixture
def lyon(sessions: sessionmaker[Session], demo: dict[str, int]) -> dict[str, Any]:
    return {
        "jeanne": me(sessions, "resident1@lba.demo"),
        "marcel": me(sessions, "resident2@lba.demo"),
        "lucienne": me(sessions, "resident3@lba.demo"),
        "sophie": me(sessions, "manager@lba.demo"),
        "admin": me(sessions, "admin@lba.demo"),
        "common": space_id(sessions, "Salle commune"),
        "laundry": space_id(sessions, "Laverie"),
        "gym": space_id(sessions, "Salle de sport"),
        "guest": space_id(sessions, "Chambre d'amis"),
    }


# --- what a resident sees ------------------------------------------------------------------------


def test_spaces_are_those_of_my_residence(sessions: sessionmaker[Session], lyon: dict[str, Any]) -> None:
    names = [s.name for s in call(sessions, svc.spaces, lyon["jeanne"])]
    assert names == ["Salle commune", "Laverie", "Salle de sport", "Chambre d'amis"]
    bordeaux = call(sessions, svc.spaces, lyon["lucienne"])
    assert {s.id for s in bordeaux}.isdisjoint({lyon["laundry"], lyon["gym"]})
    assert call(sessions, svc.spaces, lyon["admin"]) == []  # no residence, nothing to book


def test_another_residence_cannot_read_or_book_a_space(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    lucienne, laundry = lyon["lucienne"], lyon["laundry"]
    start = paris(TODAY + timedelta(days=1), 10)
    for fn, args in (
        (svc.days, (laundry, clock())),
        (svc.day_slots, (laundry, TODAY, clock())),
        (svc.start_choice, (laundry, start, clock())),
        (svc.check, (laundry, start, 1, clock())),
        (svc.book, (laundry, start, 1, clock())),
    ):
        with pytest.raises(NotAllowed):
            call(sessions, fn, lucienne, *args)
    with pytest.raises(NotFound):
        call(sessions, svc.days, lyon["jeanne"], 999_999, clock())


def test_an_inactive_space_is_neither_listed_nor_bookable(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        s.execute(sa.update(Space).where(Space.id == lyon["gym"]).values(active=False))
    assert lyon["gym"] not in {s.id for s in call(sessions, svc.spaces, lyon["jeanne"])}
    with pytest.raises(NotFound):
        call(sessions, svc.book, lyon["jeanne"], lyon["gym"], paris(TODAY + timedelta(days=2), 10), 1, clock())


def test_days_cover_the_advance_window_from_today(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    plan = call(sessions, svc.days, lyon["jeanne"], lyon["laundry"], clock())
    assert plan.today == TODAY and plan.last == TODAY + timedelta(days=7)
    assert [d.day for d in plan.days] == [TODAY + timedelta(days=i) for i in range(8)]
    guest = call(sessions, svc.days, lyon["jeanne"], lyon["guest"], clock())
    # A night starts at midnight and needs 24 hours' notice: tonight and tomorrow night are too soon.
    assert [d.bookable for d in guest.days[:3]] == [False, False, True]
    assert len(guest.days) == 61


def test_day_slots_offer_only_what_passes_every_rule(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    jeanne, laundry = lyon["jeanne"], lyon["laundry"]
    today = call(sessions, svc.day_slots, jeanne, laundry, TODAY, clock())
    # 10:00 now: the 10:00 slot has started; 11:00 is more than 15 minutes away.
    assert today.options[0].start == paris(TODAY, 11)
    in_two_days = call(sessions, svc.day_slots, jeanne, laundry, TODAY + timedelta(days=2), clock())
    starts = [o.start for o in in_two_days.options]
    assert paris(TODAY + timedelta(days=2), 10) not in starts  # her own booking: no overlap
    assert len(starts) == 14 and all(o.free == 3 for o in in_two_days.options)
    marcel_view = call(sessions, svc.day_slots, lyon["marcel"], laundry, TODAY + timedelta(days=2), clock())
    ten = next(o for o in marcel_view.options if o.start == paris(TODAY + timedelta(days=2), 10))
    assert ten.free == 2  # one machine is Jeanne's
    gym_tomorrow = call(sessions, svc.day_slots, jeanne, lyon["gym"], TODAY + timedelta(days=1), clock())
    assert paris(TODAY + timedelta(days=1), 9) not in [o.start for o in gym_tomorrow.options]  # Marcel's


def test_day_slots_refuse_days_outside_the_window(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    with pytest.raises(InvalidInput) as past:
        call(sessions, svc.day_slots, lyon["jeanne"], lyon["laundry"], TODAY - timedelta(days=1), clock())
    assert past.value.reason == "past"
    with pytest.raises(InvalidInput) as far:
        call(sessions, svc.day_slots, lyon["jeanne"], lyon["laundry"], TODAY + timedelta(days=8), clock())
    assert far.value.reason == "too_far" and far.value.details["last"] == TODAY + timedelta(days=7)


def test_typed_days_are_read_in_the_residence_time_zone(sessions: sessionmaker[Session], lyon: dict[str, Any]) -> None:
    # 23:30 UTC on the 24th is already the 25th in Paris: "demain" is the 26th.
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    slots = call(sessions, svc.typed_day, lyon["jeanne"], lyon["laundry"], "demain", late)
    assert slots.day == date(2026, 11, 26)
    with pytest.raises(InvalidInput) as bad:
        call(sessions, svc.typed_day, lyon["jeanne"], lyon["laundry"], "n'importe quand", late)
    assert bad.value.reason == "format"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("demain", date(2026, 11, 25)),
        ("Aujourd’hui", date(2026, 11, 24)),
        ("après-demain", date(2026, 11, 26)),
        ("tomorrow", date(2026, 11, 25)),
        ("lundi", date(2026, 11, 30)),
        ("Mardi", date(2026, 12, 1)),  # today is a Tuesday: the next one
        ("friday", date(2026, 11, 27)),
        ("25/11", date(2026, 11, 25)),
        ("25/11/2026", date(2026, 11, 25)),
        ("25.11.26", date(2026, 11, 25)),
        ("2026-11-25", date(2026, 11, 25)),
        ("le 3 décembre", date(2026, 12, 3)),
        ("1er décembre 2026", date(2026, 12, 1)),
        ("December 3", date(2026, 12, 3)),
        ("lundi 30/11", date(2026, 11, 30)),
        ("05/01", date(2027, 1, 5)),  # early January written in November: next year's
        ("20/11", date(2026, 11, 20)),  # a few days ago stays in the past (and is refused as such)
    ],
)
def test_parse_day(text: str, expected: date) -> None:
    assert svc.parse_day(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "hier soir peut-être", "31/02", "32/11", "2026-13-01", "x" * 80, "jui 3"])
def test_parse_day_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(InvalidInput):
        svc.parse_day(text, TODAY)


# --- the rules chain ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("space", "days", "hour", "minute", "slots", "rule"),
    [
        ("laundry", 0, 9, 0, 1, "past"),
        ("laundry", 1, 6, 0, 1, "opening_hours"),
        ("laundry", 1, 21, 0, 2, "opening_hours"),
        ("laundry", 1, 10, 30, 1, "slot_grid"),
        ("common", 0, 11, 0, 1, "min_notice"),
        ("laundry", 8, 10, 0, 1, "max_advance"),
        ("gym", 2, 10, 0, 2, "max_duration"),
        ("laundry", 2, 9, 0, 2, "overlap"),
        ("gym", 1, 9, 0, 1, "capacity"),
    ],
)
def test_each_rule_refuses_with_its_own_reason(
    sessions: sessionmaker[Session],
    lyon: dict[str, Any],
    clock: Clock,
    space: str,
    days: int,
    hour: int,
    minute: int,
    slots: int,
    rule: str,
) -> None:
    start = paris(TODAY + timedelta(days=days), hour, minute)
    refused = refusal(sessions, svc.check, lyon["jeanne"], lyon[space], start, slots, clock())
    assert refused.refusal.rule == rule
    assert svc.CHAIN[[r.name for r in svc.CHAIN].index(rule)].check  # every reason is a rule of the one chain


def test_the_chain_answers_the_first_failing_rule(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    # Off the grid AND beyond the advance window AND too long: the grid is named first.
    start = paris(TODAY + timedelta(days=20), 10, 30)
    assert refusal(sessions, svc.check, lyon["jeanne"], lyon["gym"], start, 3, clock()).refusal.rule == "slot_grid"


def test_refusal_details_say_what_the_limit_is(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    jeanne = lyon["jeanne"]
    notice = refusal(sessions, svc.check, jeanne, lyon["common"], paris(TODAY, 11), 1, clock()).refusal
    assert notice.details == {"notice": svc.Duration(120)}
    hours = refusal(sessions, svc.check, jeanne, lyon["laundry"], paris(TODAY + timedelta(days=1), 6), 1, clock())
    assert hours.refusal.details == {"opens": time(7), "closes": time(22)}
    longest = refusal(sessions, svc.check, jeanne, lyon["guest"], paris(TODAY + timedelta(days=5), 0), 4, clock())
    assert longest.refusal.rule == "max_duration" and longest.refusal.details == {"max": svc.Duration(4320, True)}


def test_weekly_quota_counts_bookings_of_the_same_iso_week(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    jeanne, common = lyon["jeanne"], lyon["common"]
    call(sessions, svc.book, jeanne, common, paris(date(2026, 11, 26), 14), 1, clock())
    call(sessions, svc.book, jeanne, common, paris(date(2026, 11, 29), 14), 1, clock())  # Sunday, same week
    third = refusal(sessions, svc.check, jeanne, common, paris(date(2026, 11, 27), 14), 1, clock())
    assert third.refusal.rule == "weekly_quota" and third.refusal.details == {"quota": 2}
    # The alternatives are in the next ISO week, nearest first.
    assert [a.start for a in third.alternatives][0] == paris(date(2026, 11, 30), 9)
    call(sessions, svc.book, jeanne, common, paris(date(2026, 11, 30), 14), 1, clock())  # Monday: a new week
    # Cancelling gives the place in the quota back.
    first = call(sessions, svc.my_bookings, jeanne, clock()).items
    common_ids = [b.id for b in first if b.space_id == common]
    call(sessions, svc.cancel, jeanne, common_ids[0], clock())
    assert call(sessions, svc.check, jeanne, common, paris(date(2026, 11, 27), 14), 1, clock()).option


def test_alternatives_are_the_nearest_slots_that_pass_every_rule(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    tomorrow = TODAY + timedelta(days=1)
    refused = refusal(sessions, svc.check, lyon["jeanne"], lyon["gym"], paris(tomorrow, 9), 1, clock())
    assert refused.refusal.rule == "capacity"
    assert [a.start for a in refused.alternatives] == [paris(tomorrow, 8), paris(tomorrow, 10), paris(tomorrow, 7)]
    for option in refused.alternatives:
        assert call(sessions, svc.check, lyon["jeanne"], lyon["gym"], option.start, option.slots, clock())


def test_durations_offered_are_only_those_free_and_allowed(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    jeanne, marcel, laundry = lyon["jeanne"], lyon["marcel"], lyon["laundry"]
    day = TODAY + timedelta(days=3)
    choice = call(sessions, svc.start_choice, jeanne, laundry, paris(day, 10), clock())
    assert [o.slots for o in choice.options] == [1, 2]
    assert choice.options[1].duration == svc.Duration(120) and choice.options[1].end == paris(day, 12)
    assert [o.slots for o in call(sessions, svc.start_choice, jeanne, laundry, paris(day, 21), clock()).options] == [1]
    # The 11:00 slot full: 10:00 can only be booked for one hour.
    for who in (marcel, lyon["sophie"], add_resident(sessions, "third@lba.demo")):
        call(sessions, svc.book, who, laundry, paris(day, 11), 1, clock())
    assert [o.slots for o in call(sessions, svc.start_choice, jeanne, laundry, paris(day, 10), clock()).options] == [1]
    nights = call(sessions, svc.start_choice, jeanne, lyon["guest"], paris(TODAY + timedelta(days=4), 0), clock())
    assert [o.duration for o in nights.options] == [svc.Duration(1440 * n, True) for n in (1, 2, 3)]


# --- booking and cancelling ------------------------------------------------------------------------


def slot_rows(sessions: sessionmaker[Session], space: int, start: datetime) -> list[tuple[int, int]]:
    with unit_of_work(sessions) as s:
        rows = s.execute(
            sa.select(ReservationSlot.user_id, ReservationSlot.unit)
            .where(ReservationSlot.space_id == space, ReservationSlot.slot_start == start)
            .order_by(ReservationSlot.unit)
        )
        return [(r.user_id, r.unit) for r in rows]


def test_a_booking_claims_one_unit_per_covered_slot(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    jeanne, laundry = lyon["jeanne"], lyon["laundry"]
    day = TODAY + timedelta(days=3)
    booked = call(sessions, svc.book, jeanne, laundry, paris(day, 10), 2, clock())
    assert booked.booking.duration == svc.Duration(120) and booked.booking.end_at == paris(day, 12)
    assert slot_rows(sessions, laundry, paris(day, 10)) == [(jeanne.id, 1)]
    assert slot_rows(sessions, laundry, paris(day, 11)) == [(jeanne.id, 1)]
    assert booked.booking.cancel_until == paris(day, 9, 30)


def test_three_residents_share_the_laundry_slot_the_fourth_is_refused(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    laundry, start = lyon["laundry"], paris(TODAY + timedelta(days=2), 10)  # Jeanne holds unit 1
    call(sessions, svc.book, lyon["marcel"], laundry, start, 1, clock())
    call(sessions, svc.book, lyon["sophie"], laundry, start, 1, clock())
    assert [unit for _, unit in slot_rows(sessions, laundry, start)] == [1, 2, 3]
    late = add_resident(sessions, "late@lba.demo")
    refused = refusal(sessions, svc.book, late, laundry, start, 1, clock())
    assert refused.refusal.rule == "capacity" and refused.alternatives
    assert start not in [a.start for a in refused.alternatives]


def test_the_database_alone_refuses_a_double_booking(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every validator switched off, the unique constraints still say no."""
    monkeypatch.setattr(svc, "CHAIN", ())
    gym, start = lyon["gym"], paris(TODAY + timedelta(days=1), 9)  # Marcel holds the only unit
    with pytest.raises(SlotTaken) as taken:
        call(sessions, svc.book, lyon["jeanne"], gym, start, 1, clock())
    assert isinstance(taken.value, svc.Taken)
    # The same resident cannot hold two units of one slot either.
    laundry, slot = lyon["laundry"], paris(TODAY + timedelta(days=2), 10)
    with pytest.raises(SlotTaken):
        call(sessions, svc.book, lyon["jeanne"], laundry, slot, 1, clock())
    # Nothing was left behind by the refused attempts.
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count(Reservation.id))) == 2
    # A two-slot booking whose second slot is full leaves no row of its first slot.
    with pytest.raises(SlotTaken):
        call(sessions, svc.book, lyon["jeanne"], gym, paris(TODAY + timedelta(days=1), 8), 2, clock())
    assert slot_rows(sessions, gym, paris(TODAY + timedelta(days=1), 8)) == []


def test_a_booking_gets_its_reminders_from_the_tick_and_cancelling_withdraws_them(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    jeanne, laundry = lyon["jeanne"], lyon["laundry"]
    with unit_of_work(sessions) as s:
        s.execute(sa.update(User).where(User.id == jeanne.id).values(telegram_id=4242))
    start = paris(TODAY + timedelta(days=3), 15)
    booked = call(sessions, svc.book, jeanne, laundry, start, 1, clock())
    assert booked.reminder  # she has not turned them off
    with unit_of_work(sessions) as s:  # nothing is queued at booking time: the tick derives it
        assert s.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "booking_reminder")) == 0
    with unit_of_work(sessions) as s:
        scheduler.tick(s, start - timedelta(hours=1, minutes=5), scheduler.TickConfig())
    with unit_of_work(sessions) as s:
        reminder = s.scalar(
            sa.select(OutboxMessage).where(
                OutboxMessage.dedup_key == f"booking:{booked.booking.id}:reminder:60:{start.isoformat()}"
            )
        )
        assert reminder is not None and reminder.not_before == start - timedelta(hours=1)
        assert reminder.payload["key"] == "rem.booking"
    cancelled = call(sessions, svc.cancel, jeanne, booked.booking.id, clock())
    assert cancelled.status == "cancelled"
    with unit_of_work(sessions) as s:
        row = s.get(Reservation, booked.booking.id)
        assert row is not None and row.status == ReservationStatus.CANCELLED and row.cancelled_at == clock()
        status = s.scalar(sa.select(OutboxMessage.status).where(OutboxMessage.id == reminder.id))
        assert status == OutboxStatus.CANCELLED
    assert slot_rows(sessions, laundry, start) == []


def test_cancel_frees_the_unit_for_someone_else(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    gym, start = lyon["gym"], paris(TODAY + timedelta(days=1), 9)
    assert refusal(sessions, svc.check, lyon["jeanne"], gym, start, 1, clock()).refusal.rule == "capacity"
    marcels = call(sessions, svc.my_bookings, lyon["marcel"], clock()).items
    call(sessions, svc.cancel, lyon["marcel"], marcels[0].id, clock())
    booked = call(sessions, svc.book, lyon["jeanne"], gym, start, 1, clock())
    assert slot_rows(sessions, gym, start) == [(lyon["jeanne"].id, 1)] and booked.booking.id


def test_cancel_rules(sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock) -> None:
    marcel, jeanne = lyon["marcel"], lyon["jeanne"]
    booking = call(sessions, svc.my_bookings, marcel, clock()).items[0]  # gym tomorrow 09:00, cancel up to 1 h before
    with pytest.raises(NotAllowed):
        call(sessions, svc.cancellation, jeanne, booking.id, clock())
    with pytest.raises(NotAllowed):
        call(sessions, svc.cancel, jeanne, booking.id, clock())
    with pytest.raises(NotFound):
        call(sessions, svc.cancel, marcel, 999_999, clock())
    late = clock() + timedelta(hours=22, minutes=30)  # 08:30 tomorrow
    refused = refusal(sessions, svc.cancel, marcel, booking.id, late)
    assert refused.refusal.rule == "cancel_deadline"
    assert refused.refusal.details == {"deadline": svc.Duration(60), "until": paris(TODAY + timedelta(days=1), 8)}
    assert call(sessions, svc.cancellation, marcel, booking.id, clock()).id == booking.id
    call(sessions, svc.cancel, marcel, booking.id, clock())
    with pytest.raises(InvalidInput) as again:
        call(sessions, svc.cancel, marcel, booking.id, clock())
    assert again.value.reason == "already_cancelled"


def test_my_bookings_lists_upcoming_confirmed_ones_page_by_page(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    jeanne, laundry = lyon["jeanne"], lyon["laundry"]
    for days in (3, 4, 5, 6):
        call(sessions, svc.book, jeanne, laundry, paris(TODAY + timedelta(days=days), 8), 1, clock())
    call(sessions, svc.book, jeanne, laundry, paris(TODAY + timedelta(days=7), 8), 1, clock())  # the next week
    first = call(sessions, svc.my_bookings, jeanne, clock())
    assert first.total == 6 and len(first.items) == 5 and first.has_next
    assert first.items[0].space_name == "Laverie" and first.items[0].start_at == paris(TODAY + timedelta(days=2), 10)
    second = call(sessions, svc.my_bookings, jeanne, clock(), 1)
    assert len(second.items) == 1 and not second.has_next
    assert call(sessions, svc.my_bookings, jeanne, clock(), 9).page == 1  # a page past the end: the last one
    assert call(sessions, svc.my_bookings, lyon["lucienne"], clock()).total == 0
    # Ended bookings leave the list.
    assert call(sessions, svc.my_bookings, jeanne, clock() + timedelta(days=30)).total == 0


def test_a_guest_room_booking_tells_the_manager(
    sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        s.execute(sa.update(User).where(User.email == "manager@lba.demo").values(telegram_id=777))
    booked = call(sessions, svc.book, lyon["jeanne"], lyon["guest"], paris(date(2026, 11, 27), 0), 2, clock())
    assert booked.reminder  # reminders are derived from every booking (services/reminders.py)
    call(sessions, svc.cancel, lyon["jeanne"], booked.booking.id, clock())
    with unit_of_work(sessions) as s:
        sent = s.execute(sa.select(OutboxMessage.payload).where(OutboxMessage.user_id == lyon["sophie"].id)).all()
    keys = [p.payload["key"] for p in sent]
    assert keys == ["bk.notify.guest_booked", "bk.notify.guest_cancelled"]
    assert sent[0].payload["params"] == {
        "name": "Jeanne Dupont",
        "apartment": "A12",
        "space": "Chambre d'amis",
        "start": "27/11/2026",
        "end": "29/11/2026",
        "nights": 2,
    }


def test_the_calendar_file(sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock) -> None:
    booked = call(sessions, svc.book, lyon["jeanne"], lyon["laundry"], paris(date(2026, 11, 27), 10), 2, clock())
    assert booked.filename == f"reservation-{booked.booking.id}.ics"
    calendar = Calendar.from_ical(booked.ics)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Réservation — Laverie"
    assert str(event["LOCATION"]) == "12 rue de la République, 69002 Lyon"
    assert str(event["UID"]) == f"lba-booking-{booked.booking.id}@lba-bot"
    assert event["DTSTART"].dt == datetime(2026, 11, 27, 10, 0, tzinfo=PARIS)
    assert event["DTEND"].dt == datetime(2026, 11, 27, 12, 0, tzinfo=PARIS)
    assert b"DTSTART;TZID=Europe/Paris:20261127T100000" in booked.ics
    assert calendar.walk("VTIMEZONE")


# --- daylight-saving changes ---------------------------------------------------------------------------


def test_fall_back_on_2026_10_25(sessions: sessionmaker[Session], lyon: dict[str, Any]) -> None:
    now = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
    jeanne, laundry, guest = lyon["jeanne"], lyon["laundry"], lyon["guest"]
    saturday = call(sessions, svc.day_slots, jeanne, laundry, date(2026, 10, 24), now)
    sunday = call(sessions, svc.day_slots, jeanne, laundry, date(2026, 10, 25), now)
    # 07:00 wall time both days: 05:00 UTC in summer time, 06:00 UTC once clocks went back.
    assert saturday.options[0].start == datetime(2026, 10, 24, 5, 0, tzinfo=UTC)
    assert sunday.options[0].start == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)
    assert len(saturday.options) == len(sunday.options) == 15
    # Two nights across the change: midnight to midnight in wall time, 49 real hours.
    booked = call(sessions, svc.book, jeanne, guest, paris(date(2026, 10, 24), 0), 2, now)
    assert booked.booking.start_at == datetime(2026, 10, 23, 22, 0, tzinfo=UTC)
    assert booked.booking.end_at == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert booked.booking.duration == svc.Duration(2880, True)
    assert slot_rows(sessions, guest, datetime(2026, 10, 24, 22, 0, tzinfo=UTC)) == [(jeanne.id, 1)]
    assert b"DTEND;TZID=Europe/Paris:20261026T000000" in booked.ics


def test_spring_forward_on_2026_03_29(sessions: sessionmaker[Session], lyon: dict[str, Any]) -> None:
    now = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
    jeanne, guest = lyon["jeanne"], lyon["guest"]
    with unit_of_work(sessions) as s:
        residence = s.scalar(sa.select(Residence).where(Residence.city == "Lyon"))
        assert residence is not None
        hall = Space(
            residence_id=residence.id,
            name="Hall 24 h",
            kind=SpaceKind.COMMON_ROOM,
            capacity=1,
            opens_at=time(0),
            closes_at=time(23, 59),
            slot_minutes=60,
            min_notice_minutes=0,
            max_advance_days=30,
            max_duration_minutes=180,
            weekly_quota=10,
            cancel_deadline_minutes=0,
            created_at=now,
        )
        s.add(hall)
        s.flush()
        hall_id = hall.id
    hours = [
        o.start.astimezone(PARIS).hour
        for o in call(sessions, svc.day_slots, jeanne, hall_id, date(2026, 3, 29), now).options
    ]
    assert hours == [h for h in range(24) if h != 2]  # 02:00 does not exist that night
    back = [
        o.start
        for o in call(
            sessions, svc.day_slots, jeanne, hall_id, date(2026, 10, 25), datetime(2026, 10, 1, tzinfo=UTC)
        ).options
    ]
    assert len(back) == 24 and len(set(back)) == 24
    # 01:00 for three hours covers 01:00 and 03:00 wall time... refused: the grid has no 02:00 slot.
    refused = refusal(sessions, svc.check, jeanne, hall_id, paris(date(2026, 3, 29), 1), 3, now)
    assert refused.refusal.rule == "slot_grid"
    # A night across the change lasts 23 real hours and is still one night.
    booked = call(sessions, svc.book, jeanne, guest, paris(date(2026, 3, 29), 0), 1, now)
    assert booked.booking.start_at == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert booked.booking.end_at == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert booked.booking.duration == svc.Duration(1440, True)
    # The laundry's 10:00 moves from 09:00 UTC (winter) to 08:00 UTC (summer).
    laundry, week_before = lyon["laundry"], datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    sat = call(sessions, svc.day_slots, jeanne, laundry, date(2026, 3, 28), week_before).options
    sun = call(sessions, svc.day_slots, jeanne, laundry, date(2026, 3, 29), week_before).options
    assert sat[3].start == datetime(2026, 3, 28, 9, 0, tzinfo=UTC) and sun[3].start == datetime(
        2026, 3, 29, 8, 0, tzinfo=UTC
    )


# --- the race: many residents, the same last places ------------------------------------------------------


def race(engine: Engine, racers: list[Me], space: int, start: datetime, now: datetime) -> dict[str, int]:
    """Every racer confirms at the same instant, each in its own unit of work and connection."""
    own = make_engine(engine.url, pool_size=len(racers) + 2, max_overflow=0)
    sessions = make_session_factory(own)
    barrier = threading.Barrier(len(racers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(who: Me) -> None:
        barrier.wait()
        try:
            with unit_of_work(sessions) as s:
                svc.book(s, who, space, start, 1, now)
            outcome = "booked"
        except (svc.Refused, SlotTaken):
            outcome = "refused"
        except Exception as error:  # anything else is a failure of the guard
            outcome = f"error: {type(error).__name__}: {error}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(who,)) for who in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    own.dispose()
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def test_twenty_residents_race_for_the_last_laundry_machine(
    engine: Engine, sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    laundry, start = lyon["laundry"], paris(TODAY + timedelta(days=3), 16)
    call(sessions, svc.book, lyon["jeanne"], laundry, start, 1, clock())
    call(sessions, svc.book, lyon["marcel"], laundry, start, 1, clock())
    racers = [add_resident(sessions, f"racer{i}@lba.demo") for i in range(20)]
    assert race(engine, racers, laundry, start, clock()) == {"booked": 1, "refused": 19}
    assert [unit for _, unit in slot_rows(sessions, laundry, start)] == [1, 2, 3]
    with unit_of_work(sessions) as s:
        confirmed = s.scalar(
            sa.select(sa.func.count(Reservation.id)).where(
                Reservation.space_id == laundry,
                Reservation.start_at == start,
                Reservation.status == ReservationStatus.CONFIRMED,
            )
        )
    assert confirmed == 3


def test_twenty_residents_race_for_three_free_machines(
    engine: Engine, sessions: sessionmaker[Session], lyon: dict[str, Any], clock: Clock
) -> None:
    laundry, start = lyon["laundry"], paris(TODAY + timedelta(days=4), 18)
    racers = [add_resident(sessions, f"racer{i}@lba.demo") for i in range(20)]
    assert race(engine, racers, laundry, start, clock()) == {"booked": 3, "refused": 17}
    rows = slot_rows(sessions, laundry, start)
    assert [unit for _, unit in rows] == [1, 2, 3] and len({user for user, _ in rows}) == 3


def test_the_guard_holds_under_the_race_without_the_rules(
    engine: Engine,
    sessions: sessionmaker[Session],
    lyon: dict[str, Any],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The validators off, so every racer reaches the insert: the constraints alone pick three."""
    monkeypatch.setattr(svc, "CHAIN", ())
    laundry, start = lyon["laundry"], paris(TODAY + timedelta(days=5), 12)
    racers = [add_resident(sessions, f"racer{i}@lba.demo") for i in range(20)]
    assert race(engine, racers, laundry, start, clock()) == {"booked": 3, "refused": 17}
    assert [unit for _, unit in slot_rows(sessions, laundry, start)] == [1, 2, 3]
