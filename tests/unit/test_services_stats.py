"""The /stats figures on the services alone, on each backend: a residence with a known week of life
(incidents, bookings, events, residents), every figure checked exactly, medians included; periods,
typed periods and who may see what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models import (
    Event,
    EventStatus,
    Incident,
    IncidentCategory,
    IncidentFollower,
    IncidentStatus,
    Listing,
    ListingKind,
    Participation,
    ParticipationStatus,
    Reservation,
    ReservationStatus,
    Residence,
    Role,
    Space,
    SpaceKind,
    Urgency,
    User,
)
from models.db import unit_of_work
from services import stats
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me, me_of
from tests.conftest import START, Clock

Sessions = sessionmaker[Session]
Demo = dict[str, int]
PARIS = "Europe/Paris"
NICE = "Les Belles Années Nice"
BEFORE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # well before the 7-day period of START


def utc(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Nice:
    residence_id: int
    manager: str
    residents: tuple[int, ...]


def me(sessions: Sessions, email: str) -> Me:
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        return me_of(s, user)


def residence_id(sessions: Sessions, name: str) -> int:
    with unit_of_work(sessions) as s:
        found = s.scalar(sa.select(Residence.id).where(Residence.name == name))
        assert found is not None
        return found


def build_nice(session: Session) -> Nice:
    """A residence with one known week (18–24 November 2026, Paris time) of everything /stats counts.

    START is Tuesday 24 November 2026, 09:00 UTC; the 7-day period is 17 Nov 23:00 UTC → 24 Nov 23:00 UTC.
    """
    nice = Residence(name=NICE, city="Nice", timezone=PARIS, created_at=BEFORE)
    session.add(nice)
    session.flush()

    def person(email: str, first: str, role: Role = Role.RESIDENT, **values: object) -> User:
        user = User(email=email, first_name=first, role=role, residence_id=nice.id, created_at=BEFORE, **values)
        session.add(user)
        session.flush()
        return user

    person("manager@nice.test", "Nadia", Role.MANAGER)
    r1 = person("r1@nice.test", "Rose")
    r2 = person("r2@nice.test", "Raoul")
    r3 = person("r3@nice.test", "Rita", last_login_at=utc(20))  # active: signed in during the period
    r4 = person("r4@nice.test", "René")
    r5 = person("r5@nice.test", "Renée")
    r6 = person("r6@nice.test", "Roger", last_login_at=BEFORE)  # nothing in the period
    person("gone@nice.test", "Gaston", active=False, last_login_at=utc(21))  # deactivated: never counted

    def space(name: str, kind: SpaceKind, capacity: int, opens: time, closes: time, active: bool = True) -> Space:
        row = Space(
            residence_id=nice.id,
            name=name,
            kind=kind,
            capacity=capacity,
            opens_at=opens,
            closes_at=closes,
            active=active,
            created_at=BEFORE,
        )
        session.add(row)
        session.flush()
        return row

    room = space("Salle", SpaceKind.COMMON_ROOM, 1, time(9), time(21))  # 12 h a day
    laundry = space("Laverie", SpaceKind.LAUNDRY, 3, time(8), time(20))  # 3 × 12 h a day
    guest = space("Chambre", SpaceKind.GUEST_ROOM, 1, time(0), time(23, 59))  # 24 h a day
    space("Ancienne salle", SpaceKind.COMMON_ROOM, 1, time(9), time(21), active=False)  # closed, unused

    def book(
        where: Space,
        user: User,
        start: datetime,
        end: datetime,
        status: ReservationStatus = ReservationStatus.CONFIRMED,
    ) -> None:
        session.add(
            Reservation(
                space_id=where.id, user_id=user.id, start_at=start, end_at=end, status=status, created_at=BEFORE
            )
        )

    book(room, r2, utc(19, 14), utc(19, 16))  # 2 h
    book(room, r2, utc(20, 14), utc(20, 17), ReservationStatus.CANCELLED)  # cancelled: not counted
    book(room, r6, utc(17, 22), utc(18, 0))  # straddles the start: 1 h of it is in the period
    book(room, r6, utc(20, 10), utc(20, 11), ReservationStatus.CANCELLED)  # r6 stays inactive
    for hour in (8, 9, 10):
        book(laundry, r2, utc(21, hour), utc(21, hour + 1))  # 3 × 1 h
    book(laundry, r2, utc(25, 10), utc(25, 11))  # after the period
    book(guest, r2, utc(21, 23), utc(22, 23))  # one night, 24 h

    def incident(
        reporter: User,
        category: IncidentCategory,
        created: datetime,
        status: IncidentStatus,
        *,
        taken: timedelta | None = None,
        resolved: timedelta | None = None,
        rating: int | None = None,
        urgency: Urgency = Urgency.NORMAL,
    ) -> Incident:
        row = Incident(
            residence_id=nice.id,
            reporter_id=reporter.id,
            category=category,
            location="Hall",
            description="Quelque chose ne va pas.",
            urgency=urgency,
            status=status,
            taken_at=created + taken if taken is not None else None,
            resolved_at=created + resolved if resolved is not None else None,
            rating=rating,
            created_at=created,
        )
        session.add(row)
        session.flush()
        return row

    P, S = IncidentCategory, IncidentStatus
    incident(r1, P.PLUMBING, utc(18, 10), S.RESOLVED, taken=timedelta(hours=2), resolved=timedelta(hours=24), rating=5)
    incident(r1, P.PLUMBING, utc(19, 8), S.RESOLVED, taken=timedelta(hours=4), resolved=timedelta(hours=48), rating=3)
    incident(r1, P.HEATING, utc(20, 9), S.IN_PROGRESS, taken=timedelta(hours=1))
    incident(r1, P.ELECTRICITY, utc(22, 9), S.NEW, urgency=Urgency.URGENT)
    incident(r1, P.ELEVATOR, utc(23, 9), S.TAKEN, taken=timedelta(minutes=30), urgency=Urgency.URGENT)
    incident(r1, P.OTHER, utc(21, 9), S.REJECTED)
    # Reported before the period, taken on (192 h) and resolved (240 h, rated 4) within it.
    incident(r2, P.NOISE, utc(10, 12), S.RESOLVED, taken=timedelta(days=8), resolved=timedelta(days=10), rating=4)
    incident(r2, P.NOISE, utc(16, 9), S.NEW, urgency=Urgency.URGENT)  # old, urgent, still open
    incident(r2, P.NOISE, utc(1, 9), S.RESOLVED, taken=timedelta(hours=1), resolved=timedelta(hours=2), rating=1)

    def event(title: str, starts: datetime, capacity: int, status: EventStatus = EventStatus.PUBLISHED) -> Event:
        row = Event(
            residence_id=nice.id,
            title=title,
            location="Salle",
            starts_at=starts,
            capacity=capacity,
            status=status,
            created_at=BEFORE,
        )
        session.add(row)
        session.flush()
        return row

    def take_part(
        where: Event, user: User, status: ParticipationStatus, seat: int | None, updated: datetime | None = None
    ) -> None:
        session.add(
            Participation(
                event_id=where.id, user_id=user.id, status=status, seat=seat, created_at=BEFORE, updated_at=updated
            )
        )

    A, R, W, C = (
        ParticipationStatus.ATTENDED,
        ParticipationStatus.REGISTERED,
        ParticipationStatus.WAITLISTED,
        ParticipationStatus.CANCELLED,
    )
    loto = event("Loto", utc(19, 14), 10)
    take_part(loto, r1, A, 1)
    take_part(loto, r2, A, 2)
    take_part(loto, r5, A, 3, updated=utc(19, 16))  # attendance ticked in the period: r5 is active
    take_part(loto, r4, R, 4)
    take_part(loto, r6, C, None)
    take_part(loto, r3, W, None)
    choir = event("Chorale", utc(22, 15), 20)
    take_part(choir, r1, R, 1)
    take_part(choir, r2, R, 2)
    take_part(choir, r4, A, 3)
    take_part(event("Annulé", utc(20, 14), 30, EventStatus.CANCELLED), r6, R, 1)
    take_part(event("Ce soir", utc(24, 17), 15), r6, R, 1)  # later today: not held yet
    take_part(event("Avant", utc(10, 14), 15), r6, A, 1)  # before the period

    session.add(
        Listing(
            residence_id=nice.id,
            author_id=r4.id,
            kind=ListingKind.GIVE,
            title="Livres",
            created_at=utc(21, 10),
            expires_at=utc(21, 10) + timedelta(days=30),
        )
    )
    session.flush()
    return Nice(nice.id, "manager@nice.test", (r1.id, r2.id, r3.id, r4.id, r5.id, r6.id))


@pytest.fixture
def nice(sessions: Sessions, demo: Demo) -> Nice:
    with unit_of_work(sessions) as s:
        return build_nice(s)


def report(sessions: Sessions, email: str, rid: int | None, code: str, now: datetime = START) -> stats.Report:
    with unit_of_work(sessions) as s:
        return stats.report(s, me(sessions, email), rid, code, now, PARIS)


def counts(items: tuple[stats.Count, ...]) -> dict[str, int]:
    return {c.key: c.count for c in items if c.count}


# --- the figures -------------------------------------------------------------------------------------


def test_every_figure_of_a_known_week(sessions: Sessions, nice: Nice) -> None:
    r = report(sessions, nice.manager, nice.residence_id, "7d")

    assert r.scope == stats.Scope(nice.residence_id, NICE, PARIS)
    assert (r.period.first_day, r.period.last_day, r.period.days) == (date(2026, 11, 18), date(2026, 11, 24), 7)
    assert (r.period.start, r.period.end) == (utc(17, 23), utc(24, 23))

    # Reported in the period, by their status now and their category.
    assert r.incidents == 6
    assert counts(r.by_status) == {"resolved": 2, "in_progress": 1, "new": 1, "taken": 1, "rejected": 1}
    assert counts(r.by_category) == {"plumbing": 2, "heating": 1, "electricity": 1, "elevator": 1, "other": 1}
    assert [c.key for c in r.by_status] == [s.value for s in IncidentStatus]  # every status, zeros included
    assert len(r.by_category) == len(IncidentCategory)

    # Taken on in the period: 2 h, 4 h, 1 h, 0.5 h and 192 h -> median 2 h.
    assert (r.take_charge_hours, r.taken) == (2.0, 5)
    # Resolved in the period: 24 h, 48 h and 240 h -> median 48 h; their ratings 5, 3 and 4.
    assert (r.resolve_hours, r.resolved) == (48.0, 3)
    assert r.ratings == stats.Ratings(3, 4.0, (0, 0, 1, 1, 1))
    assert r.open_urgent == 3  # now: two reported in the period, one before it

    uses = {u.space: u for u in r.spaces}
    assert list(uses) == ["Salle", "Laverie", "Chambre"]  # the closed, unused space is left out
    assert (uses["Salle"].booked_hours, uses["Salle"].bookable_hours) == (3.0, 84.0)
    assert (uses["Laverie"].booked_hours, uses["Laverie"].bookable_hours) == (3.0, 252.0)
    assert (uses["Chambre"].booked_hours, uses["Chambre"].bookable_hours) == (24.0, 168.0)
    assert uses["Chambre"].rate == pytest.approx(24 / 168)
    assert r.booked_hours == 30.0

    assert r.events == stats.Attendance(held=2, registered=7, attended=4, capacity=30)
    assert r.events.fill_rate == pytest.approx(7 / 30)

    assert (r.active_residents, r.residents) == (5, 6)
    assert not r.empty


def test_an_even_number_of_durations_takes_the_mean_of_the_middle_two(sessions: Sessions, nice: Nice) -> None:
    one_day = report(sessions, nice.manager, nice.residence_id, "20261118-20261118")
    assert (one_day.take_charge_hours, one_day.taken) == (97.0, 2)  # 2 h and 192 h
    two_days = report(sessions, nice.manager, nice.residence_id, "20261118-20261119")
    assert (two_days.take_charge_hours, two_days.taken) == (4.0, 3)  # 2 h, 4 h, 192 h
    assert (two_days.resolve_hours, two_days.resolved) == (24.0, 1)
    assert two_days.period.days == 2 and two_days.incidents == 2


def test_an_empty_period_says_so(sessions: Sessions, nice: Nice) -> None:
    r = report(sessions, nice.manager, nice.residence_id, "20260601-20260607")
    assert r.empty
    assert r.incidents == 0 and r.take_charge_hours is None and r.resolve_hours is None
    assert r.ratings == stats.Ratings(0, None, (0, 0, 0, 0, 0))
    assert r.events.fill_rate is None and r.booked_hours == 0
    assert r.open_urgent == 3  # "now" does not depend on the period
    assert [u.bookable_hours for u in r.spaces] == [84.0, 252.0, 168.0]


def test_a_joined_incident_makes_a_resident_active(sessions: Sessions, nice: Nice) -> None:
    with unit_of_work(sessions) as s:
        first = s.scalar(sa.select(Incident.id).where(Incident.residence_id == nice.residence_id).limit(1))
        s.add(IncidentFollower(incident_id=first, user_id=nice.residents[5], created_at=utc(23)))
    assert report(sessions, nice.manager, nice.residence_id, "7d").active_residents == 6


def test_opening_hours_follow_the_clocks(sessions: Sessions, nice: Nice) -> None:
    """25 October 2026: clocks go back in Paris, the guest room's day lasts 25 hours."""
    r = report(sessions, nice.manager, nice.residence_id, "20261025-20261025")
    uses = {u.space: u.bookable_hours for u in r.spaces}
    assert uses == {"Salle": 12.0, "Laverie": 36.0, "Chambre": 25.0}
    assert r.period.end - r.period.start == timedelta(hours=25)


def test_the_network_adds_up_every_residence(sessions: Sessions, nice: Nice) -> None:
    network = report(sessions, "admin@lba.demo", None, "7d")
    lyon = report(sessions, "admin@lba.demo", residence_id(sessions, "Les Belles Années Lyon"), "7d")
    bordeaux = report(sessions, "admin@lba.demo", residence_id(sessions, "Les Belles Années Bordeaux"), "7d")
    alone = report(sessions, nice.manager, nice.residence_id, "7d")
    parts = (lyon, bordeaux, alone)
    assert network.scope.name is None and network.scope.key == stats.ALL
    assert network.incidents == sum(p.incidents for p in parts) == 6 + 4 + 1  # the demo's 5 recent incidents
    assert network.open_urgent == sum(p.open_urgent for p in parts) == 3 + 1
    assert network.residents == sum(p.residents for p in parts) == 6 + 2 + 1
    assert len(network.spaces) == sum(len(p.spaces) for p in parts)
    assert {u.residence for u in network.spaces} == {NICE, "Les Belles Années Lyon", "Les Belles Années Bordeaux"}
    # The demo's own week: Lyon's incidents were taken on 2 h after their report, one resolved in a day.
    assert (lyon.take_charge_hours, lyon.taken, lyon.resolve_hours, lyon.resolved) == (2.0, 3, 24.0, 1)


# --- periods -----------------------------------------------------------------------------------------


def test_preset_periods_end_today_in_the_residence_time() -> None:
    cases = {
        "7d": (date(2026, 11, 18), utc(17, 23)),
        "30d": (date(2026, 10, 26), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),  # after the clocks went back
        "90d": (date(2026, 8, 27), datetime(2026, 8, 26, 22, 0, tzinfo=UTC)),  # summer time
        "12m": (date(2025, 11, 25), datetime(2025, 11, 24, 23, 0, tzinfo=UTC)),
    }
    for code, (first, start) in cases.items():
        period = stats.period_of(code, START, PARIS)
        assert (period.first_day, period.last_day, period.start, period.end) == (
            first,
            date(2026, 11, 24),
            start,
            utc(24, 23),
        ), code
        assert period.preset
    assert stats.period_of("12m", START, PARIS).days == 365
    # Just after midnight in Paris it is already the next day there.
    assert stats.period_of("7d", utc(24, 23, 30), PARIS).last_day == date(2026, 11, 25)
    assert stats.period_of("12m", datetime(2028, 2, 29, 12, tzinfo=UTC), PARIS).first_day == date(2027, 3, 1)
    for bogus in ("99d", "", "20261301-20261302", "2026101-20261031", "20261031-20261001"):
        with pytest.raises(InvalidInput):
            stats.period_of(bogus, START, PARIS)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("01/10/2026 - 31/10/2026", "20261001-20261031"),
        ("1/10/2026-31/10/2026", "20261001-20261031"),
        ("du 1/10 au 15/10", "20261001-20261015"),
        ("from 1.10 to 15.10.26", "20261001-20261015"),
        ("2026-10-01 2026-10-31", "20261001-20261031"),
        ("12/10/2026", "20261012-20261012"),
        ("10/2026", "20261001-20261031"),
        ("11/2026", "20261101-20261124"),  # this month: up to today
        ("15/12 - 15/01", "20251215-20260115"),  # no year: the latest such day, not after today
        ("24/11", "20261124-20261124"),
        ("29/02", "20240229-20240229"),
    ],
)
def test_typed_periods(typed: str, code: str) -> None:
    assert stats.parse_period(typed, START, PARIS) == code
    assert stats.period_of(code, START, PARIS).code == code


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("bonjour", "format"),
        ("", "format"),
        ("31/02/2026", "format"),
        ("13/2026", "format"),
        ("1/10 2/10 3/10", "format"),
        ("01/10/2026 et puis voilà", "format"),
        ("01/10/2026 - 31/10/2026" + " au" * 20, "format"),
        ("31/10/2026 - 01/10/2026", "order"),
        ("01/11/2026 - 30/11/2026", "future"),
        ("25/11/2026", "future"),
        ("12/2026", "future"),
        ("01/01/2025 - 30/06/2026", "too_long"),
    ],
)
def test_typed_periods_refused(typed: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        stats.parse_period(typed, START, PARIS)
    assert (refused.value.field, refused.value.reason) == ("period", reason)
    if reason == "future":
        assert refused.value.details["today"] == date(2026, 11, 24)
    if reason == "too_long":
        assert refused.value.details["max"] == stats.MAX_CUSTOM_DAYS


def test_typed_report_reads_the_period_in_the_residence_time(sessions: Sessions, nice: Nice, clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        r = stats.typed_report(s, me(sessions, nice.manager), nice.residence_id, "du 18/11 au 19/11", clock(), PARIS)
    assert r.period.code == "20261118-20261119" and r.incidents == 2
    with unit_of_work(sessions) as s, pytest.raises(NotAllowed):
        stats.typed_report(s, me(sessions, "manager@lba.demo"), nice.residence_id, "18/11", clock(), PARIS)


# --- who may see what ----------------------------------------------------------------------------------


def test_a_resident_sees_no_statistics(sessions: Sessions, nice: Nice) -> None:
    jeanne = me(sessions, "resident1@lba.demo")
    lyon = residence_id(sessions, "Les Belles Années Lyon")
    with unit_of_work(sessions) as s:
        for call in (
            lambda: stats.default_scope(s, jeanne),
            lambda: stats.scope(s, jeanne, lyon),
            lambda: stats.residences(s, jeanne),
            lambda: stats.report(s, jeanne, lyon, "7d", START),
            lambda: stats.report(s, jeanne, None, "7d", START),
        ):
            with pytest.raises(NotAllowed):
                call()


def test_a_manager_sees_their_residence_only(sessions: Sessions, nice: Nice) -> None:
    sophie = me(sessions, "manager@lba.demo")
    lyon = residence_id(sessions, "Les Belles Années Lyon")
    with unit_of_work(sessions) as s:
        assert stats.default_scope(s, sophie, PARIS) == stats.Scope(lyon, "Les Belles Années Lyon", PARIS)
        assert stats.report(s, sophie, lyon, "30d", START).scope.residence_id == lyon
        for other in (nice.residence_id, None, 999_999):  # another, the network, one that does not exist
            with pytest.raises(NotAllowed):
                stats.report(s, sophie, other, "7d", START)
            with pytest.raises(NotAllowed):
                stats.scope(s, sophie, other)
        with pytest.raises(NotAllowed):
            stats.residences(s, sophie)
        homeless = Me(**{**sophie.__dict__, "residence_id": None})
        with pytest.raises(NotAllowed):
            stats.default_scope(s, homeless)


def test_an_admin_chooses_any_residence_or_all(sessions: Sessions, nice: Nice) -> None:
    alain = me(sessions, "admin@lba.demo")
    with unit_of_work(sessions) as s:
        assert stats.default_scope(s, alain) is None
        page = stats.residences(s, alain)
        assert [x.name for x in page.items] == ["Les Belles Années Bordeaux", "Les Belles Années Lyon", NICE]
        assert not page.has_next and page.page == 0
        assert stats.scope(s, alain, None, PARIS) == stats.Scope(None, None, PARIS)
        assert stats.report(s, alain, nice.residence_id, "7d", START).incidents == 6
        with pytest.raises(NotFound):
            stats.report(s, alain, 999_999, "7d", START)


def test_residences_page_by_eight(sessions: Sessions, demo: Demo) -> None:
    with unit_of_work(sessions) as s:
        s.add_all(Residence(name=f"Résidence {n:02d}", city="X", created_at=BEFORE) for n in range(10))
    alain = me(sessions, "admin@lba.demo")
    with unit_of_work(sessions) as s:
        first, second = stats.residences(s, alain, 0), stats.residences(s, alain, 1)
    assert len(first.items) == stats.SCOPE_PAGE_SIZE and first.has_next
    assert len(second.items) == 4 and not second.has_next
    assert {x.residence_id for x in first.items}.isdisjoint({x.residence_id for x in second.items})


def test_slugs_for_file_names() -> None:
    assert stats.slugify("Les Belles Années Lyon") == "les-belles-annees-lyon"
    assert stats.slugify("«  Œuvre / 12 »") == "oeuvre-12"
    assert stats.slugify("???") == "residence"
