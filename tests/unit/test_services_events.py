"""Event rules on the services alone, on each backend: capacity under concurrency, the waiting list,
proposals and decisions, cancellation, attendance and points."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models import (
    Event,
    EventStatus,
    OutboxMessage,
    Participation,
    ParticipationStatus,
    PointsEntry,
    Residence,
    Role,
    User,
)
from models.db import unit_of_work
from services import events
from services.errors import EventFull, InvalidInput, NotAllowed, NotFound
from services.events import Proposal
from services.people import Me, me_of
from tests.conftest import START, Clock

Sessions = sessionmaker[Session]
Demo = dict[str, int]
WALK = "Promenade au parc de la Tête d'Or"
LYON = "Les Belles Années Lyon"
BORDEAUX = "Les Belles Années Bordeaux"


# --- helpers -----------------------------------------------------------------------------------------


def me(sessions: Sessions, email: str) -> Me:
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        return me_of(s, user)


def link(sessions: Sessions, email: str, telegram_id: int) -> None:
    """Notifications are only queued for people who linked Telegram."""
    with unit_of_work(sessions) as s:
        s.execute(sa.update(User).where(User.email == email).values(telegram_id=telegram_id))


def new_people(sessions: Sessions, count: int, residence: str = LYON, role: Role = Role.RESIDENT) -> list[Me]:
    with unit_of_work(sessions) as s:
        home = s.scalar(sa.select(Residence).where(Residence.name == residence))
        assert home is not None
        users = [
            User(
                email=f"{role.value}{i}.{home.city.lower()}@test.lba",
                first_name=f"Person{i}",
                last_name="Test",
                role=role,
                residence_id=home.id,
                apartment=f"T{i}",
            )
            for i in range(count)
        ]
        s.add_all(users)
        s.flush()
        return [me_of(s, user) for user in users]


def event_id(sessions: Sessions, title: str) -> int:
    with unit_of_work(sessions) as s:
        found = s.scalar(sa.select(Event.id).where(Event.title == title))
        assert found is not None
        return found


def publish(
    sessions: Sessions, organizer: Me, clock: Clock, capacity: int, days: int = 5, title: str = "Bridge"
) -> int:
    """An event published at once (a manager proposes it); the organizer holds seat 1."""
    with unit_of_work(sessions) as s:
        outcome = events.propose(
            s,
            organizer,
            Proposal(title, clock() + timedelta(days=days), "Salle commune", capacity, "Cartes fournies."),
            clock(),
        )
    assert outcome.status == EventStatus.PUBLISHED
    return outcome.event_id


def participations(sessions: Sessions, eid: int) -> list[tuple[int, ParticipationStatus, int | None]]:
    with unit_of_work(sessions) as s:
        rows = s.execute(
            sa.select(Participation.user_id, Participation.status, Participation.seat)
            .where(Participation.event_id == eid)
            .order_by(Participation.id)
        )
        return [(u, st, seat) for u, st, seat in rows]


def outbox_rows(sessions: Sessions, kind: str) -> list[OutboxMessage]:
    with unit_of_work(sessions) as s:
        return list(s.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def call(sessions: Sessions, fn: Any, *args: Any) -> Any:
    with unit_of_work(sessions) as s:
        return fn(s, *args)


# --- typed input -------------------------------------------------------------------------------------


def test_parse_when_reads_what_residents_type_in_the_residence_time_zone() -> None:
    now = START  # Tuesday 24 November 2026, 10:00 in Paris
    paris = "Europe/Paris"

    def local(text: str) -> str:
        return events.parse_when(text, now, paris).astimezone(ZoneInfo(paris)).strftime("%Y-%m-%d %H:%M")

    assert local("25/12 15h") == "2026-12-25 15:00"
    assert events.parse_when("25/12 15h", now, paris).hour == 14  # stored in UTC
    assert local("25/12/2026 15:00") == "2026-12-25 15:00"
    assert local("demain 15h") == "2026-11-25 15:00"
    assert local("Après-demain à 9h30") == "2026-11-26 09:30"
    assert local("samedi 14h30") == "2026-11-28 14:30"
    assert local("mardi 9h") == "2026-12-01 09:00"  # today's 9h has passed: next Tuesday
    assert local("25 décembre 15h") == "2026-12-25 15:00"
    assert local("tomorrow at 3pm") == "2026-11-25 15:00"
    assert local("20/11 10h") == "2027-11-20 10:00"  # no year: the next 20 November
    for text, reason in (
        ("hier 10h", "format"),
        ("15h", "format"),
        ("25/12", "format"),
        ("n'importe quoi", "format"),
        ("31/02 10h", "invalid_date"),
        ("aujourd'hui 9h", "past"),
        ("20/11/2026 10h", "past"),
        ("25/12/2027 10h", "too_far"),
        ("25/12 25h", "format"),
    ):
        with pytest.raises(InvalidInput) as caught:
            events.parse_when(text, now, paris)
        assert (caught.value.field, caught.value.reason) == ("starts_at", reason), text


def test_text_rules() -> None:
    assert events.clean_title("  Thé   dansant ") == "Thé dansant"
    for bad, reason in (("ab", "too_short"), ("x" * 81, "too_long")):
        with pytest.raises(InvalidInput) as caught:
            events.clean_title(bad)
        assert caught.value.reason == reason
    with pytest.raises(InvalidInput):
        events.clean_location("A")
    assert events.parse_capacity(" 12 ") == 12
    for bad in ("0", "501", "douze", "-3", "1.5", ""):
        with pytest.raises(InvalidInput):
            events.parse_capacity(bad)
    assert events.clean_description("") == ""
    with pytest.raises(InvalidInput) as caught:
        events.clean_description("x" * 1001)
    assert caught.value.details == {"max": 1000, "length": 1001}


# --- browsing ------------------------------------------------------------------------------------------


def test_upcoming_events_of_my_residence_soonest_first(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    page = call(sessions, events.list_upcoming, jeanne, clock(), 0)
    assert [e.title for e in page.items] == [
        "Loto de l'automne",
        "Atelier tablette",
        WALK,
    ]
    loto = page.items[0]
    assert (loto.capacity, loto.seats_left, loto.my_status) == (40, 38, ParticipationStatus.REGISTERED)
    assert page.items[2].my_status is None and not page.has_next and page.pending == 0
    lucienne = me(sessions, "resident3@lba.demo")
    assert [e.title for e in call(sessions, events.list_upcoming, lucienne, clock(), 0).items] == [
        "Dégustation de canelés",
        "Chorale",
    ]
    clock.advance(days=4)  # the Loto has taken place: no longer upcoming, but recent
    assert "Loto de l'automne" not in [e.title for e in call(sessions, events.list_upcoming, jeanne, clock(), 0).items]
    assert [e.title for e in call(sessions, events.list_recent, jeanne, clock(), 0).items] == ["Loto de l'automne"]


def test_the_list_paginates(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    sophie = me(sessions, "manager@lba.demo")
    for i in range(4):
        publish(sessions, sophie, clock, 10, days=10 + i, title=f"Atelier {i}")
    first = call(sessions, events.list_upcoming, sophie, clock(), 0)
    second = call(sessions, events.list_upcoming, sophie, clock(), 1)
    assert len(first.items) == events.PAGE_SIZE and first.has_next
    assert [e.title for e in second.items] == ["Atelier 2", "Atelier 3"] and not second.has_next


def test_details_say_who_organizes_and_where_i_stand(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    loto = event_id(sessions, "Loto de l'automne")
    details = call(sessions, events.event_details, jeanne, loto, clock())
    assert details.organizer_name == "Sophie" and details.my_status == ParticipationStatus.REGISTERED
    assert details.can_leave and not details.can_register and not details.can_cancel_event
    walk = call(sessions, events.event_details, jeanne, event_id(sessions, WALK), clock())
    assert walk.organizer_name == "Marcel" and walk.my_status is None and walk.can_register
    marcel = me(sessions, "resident2@lba.demo")
    assert call(sessions, events.event_details, marcel, walk.id, clock()).can_cancel_event  # he organizes it


def test_another_residence_cannot_see_or_act(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    lucienne = me(sessions, "resident3@lba.demo")
    loto = event_id(sessions, "Loto de l'automne")
    for fn in (events.event_details, events.register, events.join_waitlist, events.leave, events.cancel_event):
        with pytest.raises(NotAllowed):
            call(sessions, fn, lucienne, loto, clock())
    with pytest.raises(NotFound):
        call(sessions, events.event_details, lucienne, 999_999, clock())
    assert len(participations(sessions, loto)) == 2


# --- signing up, the waiting list ------------------------------------------------------------------------


def test_register_takes_a_free_seat_once(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    walk = event_id(sessions, WALK)
    outcome = call(sessions, events.register, jeanne, walk, clock())
    assert (outcome.status, outcome.seat, outcome.already) == (ParticipationStatus.REGISTERED, 1, False)
    again = call(sessions, events.register, jeanne, walk, clock())
    assert again.already and again.seat == 1
    assert participations(sessions, walk) == [(jeanne.id, ParticipationStatus.REGISTERED, 1)]


def test_full_event_refuses_then_offers_the_waiting_list(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    sophie = me(sessions, "manager@lba.demo")
    jeanne, marcel = me(sessions, "resident1@lba.demo"), me(sessions, "resident2@lba.demo")
    a, b = new_people(sessions, 2)
    eid = publish(sessions, sophie, clock, capacity=2)
    assert call(sessions, events.register, jeanne, eid, clock()).seat == 2
    with pytest.raises(EventFull):
        call(sessions, events.register, marcel, eid, clock())
    first = call(sessions, events.join_waitlist, marcel, eid, clock())
    assert (first.status, first.position) == (ParticipationStatus.WAITLISTED, 1)
    clock.advance(minutes=1)
    assert call(sessions, events.join_waitlist, a, eid, clock()).position == 2
    clock.advance(minutes=1)
    assert call(sessions, events.join_waitlist, b, eid, clock()).position == 3
    assert call(sessions, events.event_details, a, eid, clock()).waitlist_position == 2
    # Joining the list again changes nothing; "register" while waiting keeps the place in the queue.
    assert call(sessions, events.join_waitlist, marcel, eid, clock()).already
    assert call(sessions, events.register, a, eid, clock()).position == 2

    # Marcel leaves the list: the others move up. Jeanne gives up her seat: it goes to the first waiting.
    link(sessions, "resident0.lyon@test.lba", 9100)  # a, so that the promotion can be told
    call(sessions, events.leave, marcel, eid, clock())
    assert call(sessions, events.event_details, a, eid, clock()).waitlist_position == 1
    left = call(sessions, events.leave, jeanne, eid, clock())
    assert left.promoted and left.was == ParticipationStatus.REGISTERED
    rows = {user: (status, seat) for user, status, seat in participations(sessions, eid)}
    assert rows[a.id] == (ParticipationStatus.REGISTERED, 2)  # Jeanne's seat number
    assert rows[b.id] == (ParticipationStatus.WAITLISTED, None)
    assert rows[jeanne.id] == (ParticipationStatus.CANCELLED, None)
    notes = outbox_rows(sessions, "event_seat")
    assert len(notes) == 1 and notes[0].user_id == a.id and notes[0].payload["key"] == "ev.notify.seat"
    assert notes[0].dedup_key is not None and notes[0].dedup_key.startswith("event_seat:")
    # Jeanne comes back: the event is full again, she may only wait (behind b).
    with pytest.raises(EventFull):
        call(sessions, events.register, jeanne, eid, clock())
    clock.advance(minutes=1)
    assert call(sessions, events.join_waitlist, jeanne, eid, clock()).position == 2


def test_joining_the_list_when_a_seat_is_free_gives_the_seat(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    walk = event_id(sessions, WALK)
    outcome = call(sessions, events.join_waitlist, jeanne, walk, clock())
    assert outcome.status == ParticipationStatus.REGISTERED and outcome.seat == 1


def test_no_signing_up_or_leaving_once_started_or_cancelled(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne, marcel = me(sessions, "resident1@lba.demo"), me(sessions, "resident2@lba.demo")
    loto = event_id(sessions, "Loto de l'automne")
    walk = event_id(sessions, WALK)
    with pytest.raises(InvalidInput) as caught:
        call(sessions, events.leave, marcel, event_id(sessions, "Atelier tablette"), clock())
    assert caught.value.reason == "not_registered"
    call(sessions, events.cancel_event, marcel, walk, clock())
    with pytest.raises(InvalidInput) as caught:
        call(sessions, events.register, jeanne, walk, clock())
    assert caught.value.reason == "cancelled"
    clock.advance(days=3, hours=6)  # the Loto has started
    for fn in (events.register, events.leave):
        with pytest.raises(InvalidInput) as caught:
            call(sessions, fn, jeanne, loto, clock())
        assert caught.value.reason == "started"


# --- capacity under concurrency: the database decides ------------------------------------------------------


def _race(sessions: Sessions, people: list[Me], work: Any) -> list[Any]:
    """Everyone starts at once (a barrier), each in their own unit of work, as concurrent updates would."""
    barrier = threading.Barrier(len(people))
    results: list[Any] = [None] * len(people)

    def run(i: int, person: Me) -> None:
        barrier.wait()
        try:
            with unit_of_work(sessions) as s:
                results[i] = work(s, person)
        except Exception as error:  # collected and checked by the test
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.parametrize("seats_left", [1, 5])
def test_twenty_residents_racing_never_overbook(sessions: Sessions, demo: Demo, clock: Clock, seats_left: int) -> None:
    sophie = me(sessions, "manager@lba.demo")
    eid = publish(sessions, sophie, clock, capacity=seats_left + 1)  # Sophie holds seat 1
    people = new_people(sessions, 20)
    now = clock()
    results = _race(sessions, people, lambda s, person: events.register(s, person, eid, now))

    won = [r for r in results if isinstance(r, events.JoinOutcome)]
    refused = [r for r in results if isinstance(r, EventFull)]
    assert len(won) == seats_left and len(refused) == 20 - seats_left, results
    seats = [seat for _, status, seat in participations(sessions, eid) if status == ParticipationStatus.REGISTERED]
    assert sorted(seats) == list(range(1, seats_left + 2))  # each seat once, none beyond capacity


def test_a_double_tap_registers_once(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    walk = event_id(sessions, WALK)
    now = clock()
    results = _race(sessions, [jeanne] * 5, lambda s, person: events.register(s, person, walk, now))
    assert all(isinstance(r, events.JoinOutcome) for r in results), results
    assert sum(not r.already for r in results) == 1
    assert participations(sessions, walk) == [(jeanne.id, ParticipationStatus.REGISTERED, 1)]


def test_concurrent_cancellations_promote_each_waiting_resident_once(
    sessions: Sessions, demo: Demo, clock: Clock
) -> None:
    sophie = me(sessions, "manager@lba.demo")
    eid = publish(sessions, sophie, clock, capacity=4)
    holders = new_people(sessions, 3)
    waiting = new_people(sessions, 6, role=Role.MANAGER)  # anyone of the residence may wait; distinct e-mails
    for person in holders:
        call(sessions, events.register, person, eid, clock())
    for person in waiting:
        clock.advance(seconds=1)
        call(sessions, events.join_waitlist, person, eid, clock())

    results = _race(sessions, holders, lambda s, person: events.leave(s, person, eid, clock()))
    assert all(isinstance(r, events.LeaveOutcome) and r.promoted for r in results), results
    rows = {user: (status, seat) for user, status, seat in participations(sessions, eid)}
    promoted = [w.id for w in waiting if rows[w.id][0] == ParticipationStatus.REGISTERED]
    assert promoted == [w.id for w in waiting[:3]]  # the first three on the list, each once
    assert sorted(rows[w][1] for w in promoted) == [2, 3, 4]  # the freed seats
    assert all(rows[w.id] == (ParticipationStatus.WAITLISTED, None) for w in waiting[3:])


# --- proposals and decisions ----------------------------------------------------------------------------


def test_a_resident_proposal_waits_for_the_managers(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    link(sessions, "manager@lba.demo", 9001)
    jeanne = me(sessions, "resident1@lba.demo")
    assert call(sessions, events.proposals_need_approval, jeanne)
    proposal = Proposal("Thé dansant", clock() + timedelta(days=4), "Salle commune", 12, "")
    outcome = call(sessions, events.propose, jeanne, proposal, clock())
    assert outcome.status == EventStatus.PENDING and outcome.managers_notified == 1
    assert participations(sessions, outcome.event_id) == [(jeanne.id, ParticipationStatus.REGISTERED, 1)]
    note = outbox_rows(sessions, "event_proposed")[0]
    assert note.payload["buttons"][0][0]["data"] == f"ev:approve:{outcome.event_id}"
    assert note.payload["buttons"][0][1]["data"] == f"ev:reject:{outcome.event_id}"
    # Hidden from the other residents until approved; visible to the author and the managers.
    marcel = me(sessions, "resident2@lba.demo")
    assert "Thé dansant" not in [e.title for e in call(sessions, events.list_upcoming, marcel, clock(), 0).items]
    with pytest.raises(NotFound):
        call(sessions, events.event_details, marcel, outcome.event_id, clock())
    with pytest.raises(NotFound):
        call(sessions, events.register, marcel, outcome.event_id, clock())
    assert call(sessions, events.event_details, jeanne, outcome.event_id, clock()).status == EventStatus.PENDING
    sophie = me(sessions, "manager@lba.demo")
    assert call(sessions, events.list_upcoming, sophie, clock(), 0).pending == 1
    assert [e.title for e in call(sessions, events.list_pending, sophie, clock(), 0).items] == ["Thé dansant"]
    with pytest.raises(NotAllowed):
        call(sessions, events.list_pending, marcel, clock(), 0)


def test_where_the_residence_allows_it_a_proposal_is_published_directly(
    sessions: Sessions, demo: Demo, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        s.execute(sa.update(Residence).where(Residence.name == LYON).values(event_proposals_need_approval=False))
    jeanne = me(sessions, "resident1@lba.demo")
    proposal = Proposal("Thé dansant", clock() + timedelta(days=4), "Salle commune", 12, "Venez !")
    outcome = call(sessions, events.propose, jeanne, proposal, clock())
    assert outcome.status == EventStatus.PUBLISHED and outcome.managers_notified == 0
    marcel = me(sessions, "resident2@lba.demo")
    assert "Thé dansant" in [e.title for e in call(sessions, events.list_upcoming, marcel, clock(), 0).items]


def test_a_proposal_is_checked_again_on_submission(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    for proposal, field in (
        (Proposal("Thé", clock() - timedelta(minutes=1), "Salle", 12), "starts_at"),
        (Proposal("Thé", clock() + timedelta(days=400), "Salle", 12), "starts_at"),
        (Proposal("T", clock() + timedelta(days=1), "Salle", 12), "title"),
        (Proposal("Thé", clock() + timedelta(days=1), "S", 12), "location"),
        (Proposal("Thé", clock() + timedelta(days=1), "Salle", 0), "capacity"),
        (Proposal("Thé", clock() + timedelta(days=1), "Salle", 12, "x" * 1001), "description"),
    ):
        with pytest.raises(InvalidInput) as caught:
            call(sessions, events.propose, jeanne, proposal, clock())
        assert caught.value.field == field
    admin = me(sessions, "admin@lba.demo")
    with pytest.raises(NotAllowed):
        call(sessions, events.propose, admin, Proposal("Thé", clock() + timedelta(days=1), "Salle", 12), clock())


def _pending(sessions: Sessions, clock: Clock) -> int:
    jeanne = me(sessions, "resident1@lba.demo")
    proposal = Proposal("Thé dansant", clock() + timedelta(days=4), "Salle commune", 12, "")
    return int(call(sessions, events.propose, jeanne, proposal, clock()).event_id)


def test_only_a_manager_of_the_residence_decides_once(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    link(sessions, "resident1@lba.demo", 9002)
    eid = _pending(sessions, clock)
    (bordeaux_manager,) = new_people(sessions, 1, BORDEAUX, Role.MANAGER)
    for outsider in (me(sessions, "resident2@lba.demo"), me(sessions, "resident1@lba.demo"), bordeaux_manager):
        with pytest.raises(NotAllowed):
            call(sessions, events.decide, outsider, eid, True, clock())
    sophie = me(sessions, "manager@lba.demo")
    decision = call(sessions, events.decide, sophie, eid, True, clock())
    assert (decision.status, decision.already) == (EventStatus.PUBLISHED, False)
    again = call(sessions, events.decide, sophie, eid, False, clock())
    assert (again.status, again.already) == (EventStatus.PUBLISHED, True)
    notes = outbox_rows(sessions, "event_decided")
    assert len(notes) == 1 and notes[0].payload["key"] == "ev.notify.approved"
    with pytest.raises(NotFound):
        call(sessions, events.decide, sophie, 999_999, True, clock())


def test_an_admin_may_reject(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    link(sessions, "resident1@lba.demo", 9003)
    eid = _pending(sessions, clock)
    decision = call(sessions, events.decide, me(sessions, "admin@lba.demo"), eid, False, clock())
    assert decision.status == EventStatus.CANCELLED
    assert outbox_rows(sessions, "event_decided")[0].payload["key"] == "ev.notify.rejected"


# --- cancelling an event ------------------------------------------------------------------------------------


def test_cancelling_tells_everyone_registered_or_waiting(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    sophie = me(sessions, "manager@lba.demo")
    jeanne, marcel = me(sessions, "resident1@lba.demo"), me(sessions, "resident2@lba.demo")
    link(sessions, "resident1@lba.demo", 9004)
    link(sessions, "resident2@lba.demo", 9005)
    link(sessions, "manager@lba.demo", 9006)
    eid = publish(sessions, sophie, clock, capacity=2)
    call(sessions, events.register, jeanne, eid, clock())
    call(sessions, events.join_waitlist, marcel, eid, clock())
    with pytest.raises(NotAllowed):
        call(sessions, events.cancel_event, jeanne, eid, clock())  # a participant, not the organizer
    result = call(sessions, events.cancel_event, sophie, eid, clock())
    assert result.notified == 2
    assert sorted(n.user_id for n in outbox_rows(sessions, "event_cancelled")) == sorted([jeanne.id, marcel.id])
    assert eid not in [e.id for e in call(sessions, events.list_upcoming, jeanne, clock(), 0).items]
    with pytest.raises(InvalidInput):
        call(sessions, events.cancel_event, sophie, eid, clock())


# --- attendance and points ----------------------------------------------------------------------------------


def test_attendance_after_the_start_pays_each_participant_once(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    marcel, jeanne = me(sessions, "resident2@lba.demo"), me(sessions, "resident1@lba.demo")
    sophie = me(sessions, "manager@lba.demo")
    walk = event_id(sessions, WALK)
    call(sessions, events.register, jeanne, walk, clock())
    with pytest.raises(InvalidInput) as caught:
        call(sessions, events.attendance, marcel, walk, clock(), 0)
    assert caught.value.reason == "not_started"
    clock.advance(days=9, hours=5)  # the walk has started
    with pytest.raises(NotAllowed):
        call(sessions, events.attendance, jeanne, walk, clock(), 0)  # a participant, not the organizer
    sheet = call(sessions, events.attendance, marcel, walk, clock(), 0)
    assert [(a.name, a.attended) for a in sheet.items] == [("Jeanne D.", False)] and sheet.reward == 10
    pid = sheet.items[0].participation_id
    assert call(sessions, events.mark_attended, marcel, walk, pid, clock()).points == 10
    assert call(sessions, events.mark_attended, sophie, walk, pid, clock()).points == 0  # once only
    assert me(sessions, "resident1@lba.demo").points == 10
    sheet = call(sessions, events.attendance, sophie, walk, clock(), 0)
    assert (sheet.attended, sheet.registered, sheet.items[0].attended) == (1, 1, True)
    with unit_of_work(sessions) as s:
        ledger = s.execute(
            sa.select(PointsEntry.rule, PointsEntry.ref, PointsEntry.delta).where(PointsEntry.rule == "event_attended")
        ).all()
    assert ledger == [("event_attended", f"event:{walk}", 10)]
    # A participation of another event, passed with this event's id, is not found.
    loto = event_id(sessions, "Loto de l'automne")
    with unit_of_work(sessions) as s:
        other = s.scalar(sa.select(Participation.id).where(Participation.event_id == loto))
    with pytest.raises(NotFound):
        call(sessions, events.mark_attended, marcel, walk, other, clock())
    lucienne = me(sessions, "resident3@lba.demo")
    with pytest.raises(NotAllowed):
        call(sessions, events.mark_attended, lucienne, walk, pid, clock())


def test_attendance_sheet_paginates(sessions: Sessions, demo: Demo, clock: Clock) -> None:
    sophie = me(sessions, "manager@lba.demo")
    eid = publish(sessions, sophie, clock, capacity=20, days=1)
    for person in new_people(sessions, 10):
        call(sessions, events.register, person, eid, clock())
    clock.advance(days=1, minutes=1)
    first = call(sessions, events.attendance, sophie, eid, clock(), 0)
    second = call(sessions, events.attendance, sophie, eid, clock(), 1)
    assert len(first.items) == events.ATTENDANCE_PAGE_SIZE and first.has_next
    assert len(second.items) == 3 and not second.has_next and second.registered == 11
