"""The dashboard's counts and "my incidents", written for the indexes, give exactly the same answers.

"Mine" is what I reported plus what I follow (a UNION of two indexed lookups, not `reporter OR id IN
(followed)`); the staff counts are scoped by `residence_id IN (...)`, for the whole network too. Each
answer is checked against a plain Python reading of every row, on a world where a user reported some
incidents, follows others, follows one of their own, and shares incidents with other followers, among
other users' incidents in three residences.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models import (
    OPEN_STATUSES,
    Incident,
    IncidentCategory,
    IncidentFollower,
    IncidentStatus,
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
from services import dashboard as dash
from services import incidents as svc
from services.people import Me, me_of
from tests.conftest import Clock

Sessions = sessionmaker[Session]
PARIS = ZoneInfo("Europe/Paris")
STATUSES = list(IncidentStatus)


def me(sessions: Sessions, email: str) -> Me:
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        return me_of(s, user)


@pytest.fixture
def world(sessions: Sessions, demo: dict[str, int], clock: Clock) -> dict[str, int]:
    """The demo, plus a third residence and a crowd of incidents, followers and today's bookings."""
    now = clock()
    with unit_of_work(sessions) as s:
        residences = {r.city: r.id for r in s.scalars(sa.select(Residence))}
        nantes = Residence(name="Les Belles Années Nantes", city="Nantes", created_at=now)
        s.add(nantes)
        s.flush()
        residences["Nantes"] = nantes.id
        s.add(Space(residence_id=nantes.id, name="Laverie", kind=SpaceKind.LAUNDRY, created_at=now))
        users = {u.email: u.id for u in s.scalars(sa.select(User))}
        for city, rid in residences.items():
            for n in range(3):
                user = User(
                    email=f"crowd{n}.{city.lower()}@example.org",
                    first_name=f"Crowd{n}",
                    role=Role.RESIDENT,
                    residence_id=rid,
                    created_at=now,
                )
                s.add(user)
                s.flush()
                users[user.email] = user.id
        s.add(User(email="nobody@example.org", first_name="Nobody", residence_id=residences["Lyon"], created_at=now))
        jeanne, marcel = users["resident1@lba.demo"], users["resident2@lba.demo"]
        people = sorted(users.values())

        # Incidents of every status, urgency and residence, by many reporters, a few minutes apart
        # (with ties on created_at, so the id breaks them).
        reporters = [jeanne, marcel, *people]
        made: list[Incident] = []
        for n in range(60):
            reporter = reporters[n % len(reporters)]
            rid = s.get(User, reporter).residence_id or residences["Lyon"]  # type: ignore[union-attr]
            incident = Incident(
                residence_id=rid,
                reporter_id=reporter,
                category=list(IncidentCategory)[n % len(IncidentCategory)],
                location=f"Lieu {n}",
                description=f"Description de l'incident numéro {n}.",
                urgency=list(Urgency)[n % len(Urgency)],
                status=STATUSES[(n * 7) % len(STATUSES)],
                created_at=now - timedelta(minutes=5 * (n // 2)),
            )
            s.add(incident)
            made.append(incident)
        s.flush()
        mine = [i for i in made if i.reporter_id == jeanne]
        others = [i for i in made if i.reporter_id != jeanne]
        assert len(mine) >= 4 and len(others) > 20
        follows = {(i.id, jeanne) for i in others[::3]}  # Jeanne follows some of the others'
        follows |= {(i.id, marcel) for i in others[::2] if i.reporter_id != marcel}  # shared with Marcel
        follows |= {(i.id, people[-1]) for i in others[1::4]}  # someone else's follows
        follows.add((mine[0].id, jeanne))  # both reported and followed: counted once
        follows.add((mine[1].id, marcel))  # Marcel follows one of Jeanne's
        s.add_all(IncidentFollower(incident_id=i, user_id=u, created_at=now) for i, u in sorted(follows))

        # Today's bookings (10:00 in Paris) in every residence, around the day's edges in Paris time.
        today = now.astimezone(PARIS).date()
        midnight = datetime.combine(today, time(0), PARIS)
        tomorrow = datetime.combine(today + timedelta(days=1), time(0), PARIS)
        starts = [
            midnight - timedelta(hours=1),
            midnight - timedelta(seconds=1),
            midnight,
            midnight + timedelta(hours=12),
            tomorrow - timedelta(minutes=30),
            tomorrow,
            tomorrow + timedelta(hours=3),
        ]
        for n, space in enumerate(s.scalars(sa.select(Space).order_by(Space.id))):
            for k, start in enumerate(starts):
                cancelled = (n + k) % 5 == 0
                s.add(
                    Reservation(
                        space_id=space.id,
                        user_id=people[(n + k) % len(people)],
                        start_at=start + timedelta(minutes=n),
                        end_at=start + timedelta(minutes=n + 30),
                        status=ReservationStatus.CANCELLED if cancelled else ReservationStatus.CONFIRMED,
                        cancelled_at=now if cancelled else None,
                        created_at=now,
                    )
                )
        return {"jeanne": jeanne, "marcel": marcel, **{f"residence:{c}": r for c, r in residences.items()}}


# --- the plain readings ---------------------------------------------------------------------------------


def involved(sessions: Sessions, user_id: int, open_only: bool = False) -> list[Incident]:
    """Reported or followed, newest first, read row by row."""
    with unit_of_work(sessions) as s:
        followed = {
            i for i, u in s.execute(sa.select(IncidentFollower.incident_id, IncidentFollower.user_id)) if u == user_id
        }
        rows = [
            i
            for i in s.scalars(sa.select(Incident))
            if (i.reporter_id == user_id or i.id in followed) and (not open_only or i.status in OPEN_STATUSES)
        ]
        s.expunge_all()
    return sorted(rows, key=lambda i: (i.created_at, i.id), reverse=True)


def staff_counts(sessions: Sessions, residence_ids: set[int], now: datetime) -> dash.StaffCounts:
    today = now.astimezone(PARIS).date()
    start = datetime.combine(today, time(0), PARIS)
    end = datetime.combine(today + timedelta(days=1), time(0), PARIS)
    with unit_of_work(sessions) as s:
        incidents = [i for i in s.scalars(sa.select(Incident)) if i.residence_id in residence_ids]
        open_ = [i for i in incidents if i.status in OPEN_STATUSES]
        space_residence = {space_id: rid for space_id, rid in s.execute(sa.select(Space.id, Space.residence_id))}
        booked = [
            r
            for r in s.scalars(sa.select(Reservation))
            if space_residence[r.space_id] in residence_ids
            and r.status == ReservationStatus.CONFIRMED
            and start <= r.start_at < end
        ]
    return dash.StaffCounts(len(open_), sum(i.urgency == Urgency.URGENT for i in open_), len(booked))


def board(sessions: Sessions, who: Me, now: datetime) -> dash.Dashboard:
    with unit_of_work(sessions) as s:
        return dash.dashboard(s, who, now)


# --- my incidents ---------------------------------------------------------------------------------------


EMAILS = (
    "resident1@lba.demo",
    "resident2@lba.demo",
    "resident3@lba.demo",
    "manager@lba.demo",
    "admin@lba.demo",
    "crowd2.nantes@example.org",
    "nobody@example.org",
)


@pytest.mark.parametrize("email", EMAILS)
def test_open_incidents_on_the_dashboard_count_reported_and_followed_once(
    sessions: Sessions, world: dict[str, int], clock: Clock, email: str
) -> None:
    who = me(sessions, email)
    expected = involved(sessions, who.id, open_only=True)
    everything = involved(sessions, who.id)
    assert board(sessions, who, clock()).open_incidents == len(expected)
    with unit_of_work(sessions) as s:
        assert svc.count_involved(s, who.id) == len(everything)
        assert sorted(s.scalars(svc.involved_ids(who.id, OPEN_STATUSES))) == sorted(i.id for i in expected)


def test_jeanne_reports_follows_and_both(sessions: Sessions, world: dict[str, int], clock: Clock) -> None:
    """The world is what the test claims it is: Jeanne's count mixes all three cases."""
    jeanne = world["jeanne"]
    with unit_of_work(sessions) as s:
        reported = set(s.scalars(sa.select(Incident.id).where(Incident.reporter_id == jeanne)))
        followed = set(s.scalars(sa.select(IncidentFollower.incident_id).where(IncidentFollower.user_id == jeanne)))
        assert reported - followed and followed - reported and reported & followed
        union = reported | followed
        assert svc.count_involved(s, jeanne) == len(union) < len(reported) + len(followed)
        others = s.scalar(sa.select(sa.func.count(Incident.id)).where(Incident.id.not_in(union)))
        assert others and others > len(union)


@pytest.mark.parametrize("email", EMAILS)
def test_the_list_of_my_incidents_pages_through_exactly_mine_newest_first(
    sessions: Sessions, world: dict[str, int], email: str
) -> None:
    who = me(sessions, email)
    expected = involved(sessions, who.id)
    seen = []
    page = 0
    while True:
        with unit_of_work(sessions) as s:
            result = svc.list_incidents(s, who, page, per_page=4)
        assert result.total == len(expected)
        assert result.page == page
        seen.extend(result.items)
        if not result.has_next:
            break
        page += 1
    assert [line.id for line in seen] == [i.id for i in expected]
    assert [line.following for line in seen] == [i.reporter_id != who.id for i in expected]
    assert [(line.status, line.category, line.location) for line in seen] == [
        (i.status, i.category, i.location) for i in expected
    ]
    assert page == max(0, (len(expected) - 1) // 4)


# --- the staff counts -----------------------------------------------------------------------------------


def test_the_manager_counts_their_residence(sessions: Sessions, world: dict[str, int], clock: Clock) -> None:
    manager = me(sessions, "manager@lba.demo")
    expected = staff_counts(sessions, {world["residence:Lyon"]}, clock())
    assert board(sessions, manager, clock()).staff == expected
    assert expected.open_incidents and expected.urgent_incidents and expected.bookings_today


def test_the_admin_counts_the_whole_network(sessions: Sessions, world: dict[str, int], clock: Clock) -> None:
    admin = me(sessions, "admin@lba.demo")
    assert admin.residence_id is None
    network = {world[k] for k in world if k.startswith("residence:")}
    expected = staff_counts(sessions, network, clock())
    assert board(sessions, admin, clock()).staff == expected
    lyon = staff_counts(sessions, {world["residence:Lyon"]}, clock())
    assert expected.open_incidents > lyon.open_incidents and expected.bookings_today > lyon.bookings_today
    with unit_of_work(sessions) as s:  # every open incident of the network, unfiltered
        assert expected.open_incidents == s.scalar(
            sa.select(sa.func.count(Incident.id)).where(Incident.status.in_(OPEN_STATUSES))
        )


def test_an_admin_with_a_residence_and_a_manager_without_one(
    sessions: Sessions, world: dict[str, int], clock: Clock
) -> None:
    admin = me(sessions, "admin@lba.demo")
    nantes = world["residence:Nantes"]
    at_nantes = dataclasses.replace(admin, residence_id=nantes)
    expected = staff_counts(sessions, {nantes}, clock())
    assert board(sessions, at_nantes, clock()).staff == expected
    assert expected.bookings_today
    homeless = dataclasses.replace(me(sessions, "manager@lba.demo"), residence_id=None)
    assert board(sessions, homeless, clock()).staff == dash.StaffCounts(0, 0, 0)
    assert board(sessions, me(sessions, "resident1@lba.demo"), clock()).staff is None


# --- the indexes are there, and SQLite's plans use them -------------------------------------------------


def test_the_followers_are_indexed_by_user(engine: Engine) -> None:
    indexes = {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes("incident_followers")}
    assert indexes["ix_incident_followers_user_id"] == ["user_id"]


def _plans(engine: Engine, sessions: Sessions, who: Me, now: datetime) -> str:
    statements: list[tuple[str, object]] = []

    def record(conn: object, cursor: object, statement: str, parameters: object, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        board(sessions, who, now)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    lines = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            lines.extend(
                " ".join(map(str, row)) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            )
    return "\n".join(lines)


def test_sqlite_serves_the_admin_dashboard_from_indexes(
    engine: Engine, sessions: Sessions, world: dict[str, int], clock: Clock
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the plans of PostgreSQL follow its statistics; bench.queries --explain shows them at scale")
    plans = _plans(engine, sessions, me(sessions, "admin@lba.demo"), clock())
    assert "ix_incident_followers_user_id" in plans
    for table in ("incidents", "incident_followers", "reservations"):
        assert f"SCAN {table}" not in plans  # with or without "USING ... INDEX": a walk of the whole table
