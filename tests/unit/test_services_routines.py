"""The scheduler's routines on the services alone, on each backend: what falls due when, and only once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models import (
    Announcement,
    Event,
    Incident,
    IncidentCategory,
    IncidentStatus,
    Listing,
    ListingStatus,
    OutboxMessage,
    OutboxStatus,
    Reservation,
    Residence,
    Space,
    Urgency,
    User,
)
from models.db import unit_of_work
from services import announcements, desk, outbox, routines, scheduler
from services import incidents as inc
from services import marketplace as market
from services.people import Me, me_of
from services.scheduler import TickConfig, TickReport
from tests.conftest import Clock

Sessions = sessionmaker[Session]
CONFIG = TickConfig()
PARIS = "Europe/Paris"


def me(session: Session, email: str) -> Me:
    user = session.scalar(sa.select(User).where(User.email == email))
    assert user is not None
    return me_of(session, user)


def link_everyone(sessions: Sessions) -> None:
    with unit_of_work(sessions) as s:
        for n, user in enumerate(s.scalars(sa.select(User).order_by(User.id)), start=1):
            user.telegram_id = 10_000 + n


def plan(sessions: Sessions, now: datetime, last_tick: datetime | None = None) -> TickReport:
    report = TickReport()
    with unit_of_work(sessions) as s:
        routines.plan(s, now, CONFIG, last_tick, report)
    return report


def queued(sessions: Sessions, kind: str) -> list[tuple[str, OutboxStatus, datetime, dict[str, Any]]]:
    """(recipient's email, status, not_before, payload) of each queued message of `kind`."""
    with unit_of_work(sessions) as s:
        rows = s.execute(
            sa.select(User.email, OutboxMessage.status, OutboxMessage.not_before, OutboxMessage.payload)
            .join(User, User.id == OutboxMessage.user_id)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def report_urgent(sessions: Sessions, now: datetime, email: str = "resident1@lba.demo") -> int:
    with unit_of_work(sessions) as s:
        report = inc.Report(IncidentCategory.PLUMBING, "Fuite d'eau importante sous l'évier", Urgency.URGENT, "home")
        return inc.create_incident(s, me(s, email), report, [], now).id


def claim(sessions: Sessions, now: datetime) -> list[outbox.Outgoing]:
    with unit_of_work(sessions) as s:
        return outbox.claim_due(s, now, limit=500)


# --- escalation ------------------------------------------------------------------------------------


def test_an_urgent_incident_not_taken_in_charge_is_escalated_once_to_managers_and_admins(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    link_everyone(sessions)
    number = report_urgent(sessions, clock())
    assert plan(sessions, clock() + timedelta(hours=1, minutes=59)).queued["escalation"] == 0
    later = clock() + timedelta(hours=2)
    assert plan(sessions, later).queued["escalation"] == 2
    rows = queued(sessions, routines.ESCALATION_KIND)
    assert [r[0] for r in rows] == ["manager@lba.demo", "admin@lba.demo"]
    payload = rows[0][3]
    assert payload["key"] == "rout.escalation" and payload["params"]["number"] == number
    assert payload["params"]["hours"] == 2
    assert payload["buttons"][0][0]["data"] == f"desk:tk:{number}"  # the desk's own buttons
    assert plan(sessions, later + timedelta(minutes=1)).queued["escalation"] == 0  # once per incident


def test_escalation_ignores_taken_normal_and_other_incidents(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    link_everyone(sessions)
    number = report_urgent(sessions, clock())
    with unit_of_work(sessions) as s:
        desk.change_status(s, me(s, "manager@lba.demo"), number, "take", clock() + timedelta(minutes=30))
    # Demo's incidents: the urgent one was taken, the others are not urgent.
    assert plan(sessions, clock() + timedelta(hours=3)).queued["escalation"] == 0


def test_an_escalation_is_not_delayed_by_quiet_hours_and_dropped_if_taken_before_it_leaves(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    link_everyone(sessions)
    with unit_of_work(sessions) as s:
        s.execute(sa.update(User).values(quiet_hours_start=time(0), quiet_hours_end=time(23)))
    number = report_urgent(sessions, clock())
    later = clock() + timedelta(hours=2)
    plan(sessions, later)
    assert {r[2] for r in queued(sessions, routines.ESCALATION_KIND)} == {later}
    with unit_of_work(sessions) as s:
        desk.change_status(s, me(s, "manager@lba.demo"), number, "take", later)
    assert [o for o in claim(sessions, later) if o.kind == routines.ESCALATION_KIND] == []
    assert {r[1] for r in queued(sessions, routines.ESCALATION_KIND)} == {OutboxStatus.CANCELLED}


# --- the digest -------------------------------------------------------------------------------------


def test_the_digest_tells_incidents_stale_ones_todays_bookings_events_and_little_read_announcements(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    link_everyone(sessions)
    now = clock()  # Tuesday 10:00 in Paris
    with unit_of_work(sessions) as s:
        lyon = s.scalar(sa.select(Residence.id).where(Residence.city == "Lyon"))
        assert lyon is not None
        laundry = s.scalar(sa.select(Space).where(Space.residence_id == lyon, Space.name == "Laverie"))
        assert laundry is not None
        jeanne = me(s, "resident1@lba.demo")
        s.add(
            Reservation(
                space_id=laundry.id,
                user_id=jeanne.id,
                start_at=now + timedelta(hours=5),
                end_at=now + timedelta(hours=6),
            )
        )
        # Tomorrow 00:30 in Paris is not today.
        s.add(
            Reservation(
                space_id=laundry.id,
                user_id=jeanne.id,
                start_at=now + timedelta(hours=14, minutes=30),
                end_at=now + timedelta(hours=15),
            )
        )
        s.add(
            Event(
                residence_id=lyon,
                title="Thé dansant",
                location="Salle commune",
                starts_at=now + timedelta(hours=6),
                capacity=30,
            )
        )
        sent = announcements.send(
            s,
            me(s, "manager@lba.demo"),
            announcements.AnnouncementDraft("Coupure d'eau jeudi matin", (lyon,), ask_ack=True),
            now,
        )
        s.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.batch == announcements.batch_of(sent.id))
            .values(status=OutboxStatus.SENT)
        )
        # An old one does not count any more.
        s.add(Announcement(residence_ids=[lyon], text="Ancienne", ask_ack=True, created_at=now - timedelta(days=8)))
    fresh = report_urgent(sessions, now - timedelta(hours=1))
    with unit_of_work(sessions) as s:
        digest = routines.build_digest(s, lyon, now, CONFIG)
    assert (digest.open, digest.urgent, digest.new) == (4, 2, 1)
    assert [i.urgent for i in digest.incidents] == [True, True, False, False]  # urgent first, then oldest
    assert fresh in [i.id for i in digest.incidents if i.waiting]
    three_days = [i.id for i in digest.incidents if i.age_days == 3]
    assert digest.stale == ((3, tuple(three_days)),)  # open for 3 days: flagged
    assert digest.bookings == (("Laverie", 1),)
    assert [(e.title, e.registered, e.capacity) for e in digest.events] == [("Thé dansant", 0, 30)]
    assert [(a.excerpt, a.read, a.delivered) for a in digest.announcements] == [("Coupure d'eau jeudi matin", 0, 2)]
    params = routines.digest_params(digest)
    assert "Laverie : 1" in params["bookings"] and "16:00 Thé dansant" in params["events"]
    assert "3+ : #" in params["stale"] and "0/2 (0 %)" in params["announcements"]


def test_stale_incidents_are_flagged_at_3_7_and_14_days(sessions: Sessions, demo: dict[str, int], clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        lyon = s.scalar(sa.select(Residence.id).where(Residence.city == "Lyon"))
        assert lyon is not None
        digest = routines.build_digest(s, lyon, clock() + timedelta(days=12), CONFIG)
    # Demo's open incidents were reported 1, 2 and 3 days before: now 13, 14 and 15 days old.
    assert [(days, len(ids)) for days, ids in digest.stale] == [(14, 2), (7, 1)]


@pytest.mark.parametrize(
    ("label", "due"),
    [
        ("Saturday before winter time", datetime(2026, 10, 24, 6, 0, tzinfo=UTC)),  # 08:00 CEST
        ("Monday after winter time", datetime(2026, 10, 26, 7, 0, tzinfo=UTC)),  # 08:00 CET
        ("Saturday before summer time", datetime(2026, 3, 28, 7, 0, tzinfo=UTC)),  # 08:00 CET
        ("Monday after summer time", datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),  # 08:00 CEST
    ],
)
def test_the_digest_leaves_at_8_local_across_daylight_saving_changes(
    sessions: Sessions, demo: dict[str, int], label: str, due: datetime
) -> None:
    link_everyone(sessions)
    before = due - timedelta(minutes=1)
    assert plan(sessions, before, before - timedelta(minutes=1)).queued["digest"] == 0, label
    assert plan(sessions, due, before).queued["digest"] == 1, label  # the one Lyon manager
    assert plan(sessions, due + timedelta(minutes=1), due).queued["digest"] == 0, label
    rows = queued(sessions, routines.DIGEST_KIND)
    assert [(r[0], r[2]) for r in rows] == [("manager@lba.demo", due)]


def test_a_digest_missed_while_down_is_sent_until_noon_then_skipped(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    link_everyone(sessions)
    wednesday_8 = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    down = wednesday_8 - timedelta(hours=3)
    report = plan(sessions, wednesday_8 + timedelta(hours=2, minutes=30), down)  # 10:30 local
    assert report.queued["digest"] == 1 and not report.skipped
    thursday_8 = wednesday_8 + timedelta(days=1)
    report = plan(sessions, thursday_8 + timedelta(hours=4, minutes=1), thursday_8 - timedelta(hours=1))  # 12:01
    assert report.queued["digest"] == 0 and report.skipped["digest"] == 1
    # The next tick does not count it again.
    report = plan(sessions, thursday_8 + timedelta(hours=4, minutes=2), thursday_8 + timedelta(hours=4, minutes=1))
    assert not report.skipped
    assert len(queued(sessions, routines.DIGEST_KIND)) == 1


def test_the_digest_waits_for_the_end_of_quiet_hours_an_unlinked_manager_gets_none(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    due = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert plan(sessions, due).queued["digest"] == 0  # nobody linked yet
    link_everyone(sessions)
    with unit_of_work(sessions) as s:
        s.execute(
            sa.update(User)
            .where(User.email == "manager@lba.demo")
            .values(quiet_hours_start=time(7), quiet_hours_end=time(10))
        )
    plan(sessions, due)
    assert [r[2] for r in queued(sessions, routines.DIGEST_KIND)] == [due + timedelta(hours=2)]  # 10:00 local


# --- marketplace listings ---------------------------------------------------------------------------


def test_a_listing_ending_gets_one_notice_and_a_renewal_cancels_it_and_expiry_is_written_down(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    link_everyone(sessions)
    ends = clock() + timedelta(days=28)  # every demo listing
    assert plan(sessions, ends - timedelta(days=2, minutes=1)).queued["listing_notice"] == 0
    notice_time = ends - timedelta(days=2)
    assert plan(sessions, notice_time).queued["listing_notice"] == 5
    assert plan(sessions, notice_time + timedelta(minutes=1)).queued["listing_notice"] == 0
    with unit_of_work(sessions) as s:
        fauteuil = s.scalar(sa.select(Listing.id).where(Listing.title == "Fauteuil releveur"))
        assert fauteuil is not None
        view = market.change_status(s, me(s, "resident1@lba.demo"), fauteuil, market.StatusAction.REOPEN, notice_time)
        assert view.expires_at == notice_time + timedelta(days=30)
    sent = claim(sessions, notice_time)
    notices = [o for o in sent if o.kind == routines.LISTING_NOTICE_KIND]
    assert len(notices) == 4  # the renewed one is not worth telling any more
    assert notices[0].payload["buttons"][0][0]["data"].startswith("mk:st:reopen:")
    plan(sessions, ends)
    with unit_of_work(sessions) as s:
        statuses = dict(s.execute(sa.select(Listing.title, Listing.status)).all())
    assert statuses["Fauteuil releveur"] == ListingStatus.ACTIVE
    assert statuses["Perceuse"] == ListingStatus.EXPIRED and statuses["Machine à coudre"] == ListingStatus.EXPIRED
    # Renewed: a new notice before its new end.
    assert plan(sessions, notice_time + timedelta(days=28)).queued["listing_notice"] == 1


def test_a_listing_far_from_its_end_cannot_be_renewed(sessions: Sessions, demo: dict[str, int], clock: Clock) -> None:
    from services.errors import InvalidInput

    with unit_of_work(sessions) as s:
        fauteuil = s.scalar(sa.select(Listing.id).where(Listing.title == "Fauteuil releveur"))
        assert fauteuil is not None
        with pytest.raises(InvalidInput):
            market.change_status(s, me(s, "resident1@lba.demo"), fauteuil, market.StatusAction.REOPEN, clock())


# --- rating requests --------------------------------------------------------------------------------


def test_a_rating_request_a_day_after_the_resolution_once_and_not_if_rated(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    link_everyone(sessions)
    # The demo's resolved incident (Marcel's, resolved 3 days ago) is asked at the first tick.
    assert plan(sessions, clock()).queued["rating_request"] == 1
    assert queued(sessions, routines.RATING_KIND)[0][0] == "resident2@lba.demo"
    number = report_urgent(sessions, clock())
    other = report_urgent(sessions, clock(), "resident2@lba.demo")
    with unit_of_work(sessions) as s:
        sophie = me(s, "manager@lba.demo")
        desk.change_status(s, sophie, number, "resolve", clock())
        desk.change_status(s, sophie, other, "resolve", clock())
        inc.rate(s, me(s, "resident2@lba.demo"), other, 5, clock())  # rated at once: not asked
    assert plan(sessions, clock() + timedelta(hours=23, minutes=59)).queued["rating_request"] == 0
    day = clock() + timedelta(hours=24)
    assert plan(sessions, day).queued["rating_request"] == 1
    assert plan(sessions, day + timedelta(minutes=1)).queued["rating_request"] == 0
    rows = queued(sessions, routines.RATING_KIND)
    assert rows[-1][0] == "resident1@lba.demo"
    assert rows[-1][3]["buttons"][0][4]["data"] == f"inc:rate:{number}:5"
    # Rated before the request left: dropped by its validator.
    with unit_of_work(sessions) as s:
        inc.rate(s, me(s, "resident1@lba.demo"), number, 4, day)
    assert [o.payload["params"]["number"] for o in claim(sessions, day) if o.kind == routines.RATING_KIND] == [
        rows[0][3]["params"]["number"]
    ]


def test_old_resolutions_are_not_asked_after_a_long_downtime(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    link_everyone(sessions)
    assert plan(sessions, clock() + timedelta(days=10)).queued["rating_request"] == 0


# --- two processes ----------------------------------------------------------------------------------


def test_two_processes_ticking_at_once_queue_each_message_once(
    sessions: Sessions, demo: dict[str, int], clock: Clock
) -> None:
    link_everyone(sessions)
    number = report_urgent(sessions, clock())
    now = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # Wednesday 08:00 in Paris: digest, escalation, notices
    with unit_of_work(sessions) as s:
        s.execute(sa.update(Listing).values(expires_at=now + timedelta(days=1)))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            with unit_of_work(sessions) as s:
                scheduler.tick(s, now, CONFIG, now - timedelta(minutes=1))
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with unit_of_work(sessions) as s:
        keys = list(
            s.scalars(
                sa.select(OutboxMessage.dedup_key).where(
                    OutboxMessage.kind.in_(
                        [
                            routines.ESCALATION_KIND,
                            routines.DIGEST_KIND,
                            routines.LISTING_NOTICE_KIND,
                            routines.RATING_KIND,
                        ]
                    )
                )
            )
        )
        incident = s.get(Incident, number)
        assert incident is not None and incident.status == IncidentStatus.NEW
    assert len(keys) == len(set(keys))
    assert sum(k.startswith(f"incident:{number}:escalation:") for k in keys) == 2
    assert sum(k.startswith("digest:") for k in keys) == 1
    assert sum(k.startswith("listing:") for k in keys) == 5
    assert sum(k.endswith(":rating_request") for k in keys) == 1
