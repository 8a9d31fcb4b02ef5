"""The incident desk's rules on the services alone, on each backend: who may act, which moves, who is told."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.emulator import sample_png
from models import (
    GroupChat,
    GroupKind,
    HistoryKind,
    Incident,
    IncidentCategory,
    IncidentFollower,
    IncidentHistory,
    IncidentStatus,
    OutboxMessage,
    Residence,
    Role,
    Urgency,
    User,
)
from models.db import unit_of_work
from services import desk
from services import incidents as inc
from services.desk import QueueFilter
from services.errors import InvalidInput, NotAllowed, NotFound
from services.incidents import PhotoUpload, Report
from services.people import Me, me_of

PLUMBING_1 = "Le robinet de la cuisine goutte sans arrêt."
ELEVATOR_2 = "L'ascenseur s'arrête entre deux étages."
HEATING_3 = "Le radiateur de la chambre reste froid."
ELECTRICITY_4 = "Deux ampoules grillées dans le couloir."
LOCKSMITH_5 = "La serrure de la porte d'entrée force."
HALL = "La porte du hall ne ferme plus du tout."

Sessions = sessionmaker[Session]


# --- helpers --------------------------------------------------------------------------------------


def me(sessions: Sessions, email: str) -> Me:
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        return me_of(s, user)


def run(sessions: Sessions, fn: Any, *args: Any) -> Any:
    with unit_of_work(sessions) as s:
        return fn(s, *args)


def number(sessions: Sessions, description: str) -> int:
    with unit_of_work(sessions) as s:
        found = s.scalar(sa.select(Incident.id).where(Incident.description == description))
        assert found is not None
        return found


def residence(sessions: Sessions, city: str) -> int:
    with unit_of_work(sessions) as s:
        found = s.scalar(sa.select(Residence.id).where(Residence.name.like(f"%{city}")))
        assert found is not None
        return found


def link(sessions: Sessions, email: str, telegram_id: int) -> None:
    with unit_of_work(sessions) as s:
        s.execute(sa.update(User).where(User.email == email).values(telegram_id=telegram_id))


def add_user(sessions: Sessions, email: str, name: str, role: Role, city: str | None, telegram_id: int | None) -> Me:
    residence_id = residence(sessions, city) if city else None
    with unit_of_work(sessions) as s:
        s.add(User(email=email, first_name=name, role=role, residence_id=residence_id, telegram_id=telegram_id))
    return me(sessions, email)


def sophie(sessions: Sessions) -> Me:
    return me(sessions, "manager@lba.demo")


def outbox(sessions: Sessions, *kinds: str) -> list[OutboxMessage]:
    with unit_of_work(sessions) as s:
        rows = list(s.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind.in_(kinds)).order_by(OutboxMessage.id)))
        s.expunge_all()
        return rows


def incident(sessions: Sessions, incident_id: int) -> Incident:
    with unit_of_work(sessions) as s:
        row = s.get(Incident, incident_id)
        assert row is not None
        s.expunge(row)
        return row


def hall_incident(sessions: Sessions, clock: Any, *, photos: list[PhotoUpload] | None = None) -> int:
    """Jeanne reports a common-place incident, and Marcel joins it."""
    report = Report(IncidentCategory.COMMON_AREAS, HALL, Urgency.NORMAL, place_key="hall")
    created = run(sessions, inc.create_incident, me(sessions, "resident1@lba.demo"), report, photos or [], clock())
    run(sessions, inc.join_incident, me(sessions, "resident2@lba.demo"), created.id, clock())
    return int(created.id)


@pytest.fixture
def linked(sessions: Sessions, demo: dict[str, int]) -> None:
    """Notifications reach only people who linked Telegram: the manager and both Lyon residents."""
    link(sessions, "manager@lba.demo", 900)
    link(sessions, "resident1@lba.demo", 901)
    link(sessions, "resident2@lba.demo", 902)


# --- pure rules -----------------------------------------------------------------------------------


def test_reason_and_note_lengths() -> None:
    assert desk.check_reason("  Hors contrat  ") == "Hors contrat"
    with pytest.raises(InvalidInput) as short:
        desk.check_reason("no")
    assert short.value.reason == "too_short" and short.value.details["min"] == 3
    with pytest.raises(InvalidInput) as long:
        desk.check_reason("x" * 501)
    assert long.value.details == {"max": 500, "length": 501}
    assert desk.check_note("ok") == "ok"
    with pytest.raises(InvalidInput):
        desk.check_note("x" * 1001)


def test_filters_are_checked() -> None:
    assert QueueFilter("in_progress", "urgent", "heating").checked().status == "in_progress"
    for bad in (QueueFilter(status="bogus"), QueueFilter(urgency="high"), QueueFilter(category="roof")):
        with pytest.raises(InvalidInput):
            bad.checked()


# --- the alert ------------------------------------------------------------------------------------


def test_the_alert_goes_to_managers_and_their_group_with_the_first_image_and_buttons(
    sessions: Sessions, linked: None, clock: Any
) -> None:
    lyon = residence(sessions, "Lyon")
    with unit_of_work(sessions) as s:
        s.add(GroupChat(chat_id=-1001, residence_id=lyon, kind=GroupKind.MANAGERS, title="Gestion"))
        s.add(GroupChat(chat_id=-1002, residence_id=lyon, kind=GroupKind.RESIDENTS, title="Résidents"))
        s.add(GroupChat(chat_id=-1003, residence_id=lyon, kind=GroupKind.MANAGERS, title="Ancien", active=False))
    long = "Une description très longue. " * 30
    report = Report(IncidentCategory.PLUMBING, long, Urgency.URGENT, place_key="home")
    image_file = PhotoUpload(sample_png(2, 2), "BQAC", mime_type="image/png", filename="fuite.png")
    photo = PhotoUpload(sample_png(3, 3), "AgAC")
    created = run(
        sessions, inc.create_incident, me(sessions, "resident1@lba.demo"), report, [image_file, photo], clock()
    )
    alerts = outbox(sessions, "incident_alert")
    assert [a.chat_id for a in alerts] == [900, -1001]
    private, group = alerts
    # The first image came as a file: it goes out as a document, to the group too.
    assert private.payload["document"] is not None and private.payload["photo"] is None
    assert group.payload["document"] == private.payload["document"] and group.payload["lang"] == "fr"
    assert private.payload["params"]["photos"] == 2
    assert len(private.payload["params"]["description"]) == inc.ALERT_DESCRIPTION_WITH_MEDIA
    assert private.payload["key"] == "inc.alert.urgent"
    data = [b["data"] for row in private.payload["buttons"] for b in row]
    assert data == [f"desk:{a}:{created.id}" for a in ("tk", "ip", "rs", "rj", "cm", "o")]
    assert group.payload["buttons"] == private.payload["buttons"]


def test_staff_buttons_follow_the_status() -> None:
    def actions(status: IncidentStatus) -> list[str]:
        return [b["data"].split(":")[1] for row in inc.staff_buttons(7, status) for b in row]

    assert actions(IncidentStatus.NEW) == ["tk", "ip", "rs", "rj", "cm", "o"]
    assert actions(IncidentStatus.TAKEN) == ["ip", "rs", "rj", "cm", "o"]
    assert actions(IncidentStatus.IN_PROGRESS) == ["rs", "rj", "cm", "o"]
    for closed in (IncidentStatus.RESOLVED, IncidentStatus.REJECTED, IncidentStatus.WITHDRAWN):
        assert actions(closed) == ["cm", "o"]


# --- status changes -------------------------------------------------------------------------------


def test_forward_moves_record_history_and_tell_the_reporter_and_followers(
    sessions: Sessions, linked: None, clock: Any
) -> None:
    manager = sophie(sessions)
    number_ = hall_incident(sessions, clock)
    clock.advance(hours=1)
    taken = run(sessions, desk.change_status, manager, number_, "take", clock())
    assert taken.card.status == IncidentStatus.TAKEN and taken.what == "taken" and taken.notified == 2
    row = incident(sessions, number_)
    assert row.taken_at is not None and row.assignee_id == manager.id and row.resolved_at is None
    news = outbox(sessions, "incident_status")
    assert sorted(n.chat_id for n in news) == [901, 902]
    assert all(n.payload["key"] == "desk.n.status" for n in news)
    params = news[0].payload["params"]
    assert params["status"] == {"$t": "inc.status.taken"} and params["who"] == "Sophie"

    with pytest.raises(InvalidInput) as again:
        run(sessions, desk.change_status, manager, number_, "take", clock())
    assert again.value.field == "status" and again.value.details["status"] == "taken"

    clock.advance(hours=1)
    run(sessions, desk.change_status, manager, number_, "progress", clock())
    clock.advance(hours=1)
    resolved = run(sessions, desk.change_status, manager, number_, "resolve", clock())
    assert resolved.card.status == IncidentStatus.RESOLVED and not resolved.card.is_open
    row = incident(sessions, number_)
    assert row.resolved_at is not None and row.taken_at < row.resolved_at  # type: ignore[operator]
    last = [n for n in outbox(sessions, "incident_status") if n.payload["key"].startswith("desk.n.resolved")]
    by_chat = {n.chat_id: n.payload for n in last}
    # Only the reporter is asked to rate, with the residents' own rating buttons.
    assert by_chat[901]["key"] == "desk.n.resolved_rate" and by_chat[902]["key"] == "desk.n.resolved"
    assert [b["data"] for b in by_chat[901]["buttons"][0]] == [f"inc:rate:{number_}:{n}" for n in range(1, 6)]
    assert by_chat[902]["buttons"] == [[{"key": "desk.btn.see", "data": f"inc:open:{number_}"}]]

    with pytest.raises(InvalidInput) as closed:
        run(sessions, desk.change_status, manager, number_, "reject", clock(), "Trop tard")
    assert closed.value.reason == "closed"
    with unit_of_work(sessions) as s:
        moves = s.execute(
            sa.select(IncidentHistory.from_status, IncidentHistory.to_status)
            .where(IncidentHistory.incident_id == number_, IncidentHistory.kind == HistoryKind.STATUS)
            .order_by(IncidentHistory.id)
        ).all()
    assert [(a.value, b.value) for a, b in moves] == [
        ("new", "taken"),
        ("taken", "in_progress"),
        ("in_progress", "resolved"),
    ]


def test_skipping_ahead_takes_the_incident_on_the_way(sessions: Sessions, linked: None, clock: Any) -> None:
    plumbing = number(sessions, PLUMBING_1)
    run(sessions, desk.change_status, sophie(sessions), plumbing, "resolve", clock())
    row = incident(sessions, plumbing)
    assert row.status == IncidentStatus.RESOLVED and row.taken_at == row.resolved_at == clock()
    assert row.assignee_id == sophie(sessions).id


def test_reject_needs_a_reason_and_works_from_any_open_status(sessions: Sessions, linked: None, clock: Any) -> None:
    manager = sophie(sessions)
    heating = number(sessions, HEATING_3)  # in progress
    with pytest.raises(InvalidInput) as no_reason:
        run(sessions, desk.change_status, manager, heating, "reject", clock(), " ")
    assert no_reason.value.field == "reason"
    acted = run(sessions, desk.change_status, manager, heating, "reject", clock(), "  Hors contrat de la résidence ")
    assert acted.card.rejection_reason == "Hors contrat de la résidence"
    row = incident(sessions, heating)
    assert row.status == IncidentStatus.REJECTED and row.rejection_reason == "Hors contrat de la résidence"
    [news] = outbox(sessions, "incident_status")
    assert news.chat_id == 901 and news.payload["key"] == "desk.n.rejected"
    assert news.payload["params"]["reason"] == "Hors contrat de la résidence"
    with pytest.raises(InvalidInput):
        run(sessions, desk.change_status, manager, heating, "progress", clock())
    with pytest.raises(InvalidInput) as unknown:
        run(sessions, desk.change_status, manager, heating, "reopen", clock())
    assert unknown.value.field == "action"


def test_a_withdrawn_incident_cannot_move(sessions: Sessions, linked: None, clock: Any) -> None:
    plumbing = number(sessions, PLUMBING_1)
    run(sessions, inc.withdraw, me(sessions, "resident1@lba.demo"), plumbing, clock())
    with pytest.raises(InvalidInput) as closed:
        run(sessions, desk.change_status, sophie(sessions), plumbing, "take", clock())
    assert closed.value.details["status"] == "withdrawn"


def test_the_actor_is_not_told_of_their_own_change(sessions: Sessions, linked: None, clock: Any) -> None:
    """A manager who reported an incident themselves does not get news of their own move."""
    lyon_manager = sophie(sessions)
    report = Report(IncidentCategory.ELEVATOR, "L'ascenseur du bâtiment A grince fort.", Urgency.LOW, place_key="hall")
    created = run(sessions, inc.create_incident, lyon_manager, report, [], clock())
    acted = run(sessions, desk.change_status, lyon_manager, created.id, "take", clock())
    assert acted.notified == 0 and outbox(sessions, "incident_status") == []


# --- who may act ----------------------------------------------------------------------------------


def test_residents_and_other_residences_cannot_read_or_act(sessions: Sessions, linked: None, clock: Any) -> None:
    plumbing = number(sessions, PLUMBING_1)
    now = clock()
    resident = me(sessions, "resident2@lba.demo")
    reporter = me(sessions, "resident1@lba.demo")
    bordeaux_manager = add_user(sessions, "m.bdx@lba.demo", "Bernard", Role.MANAGER, "Bordeaux", 950)
    homeless_manager = add_user(sessions, "m.none@lba.demo", "Nina", Role.MANAGER, None, 951)
    calls: list[tuple[Any, ...]] = [
        (desk.change_status, plumbing, "take", now),
        (desk.change_status, plumbing, "reject", now, "Pas chez nous"),
        (desk.add_comment, plumbing, "Bonjour à tous", now),
        (desk.add_note, plumbing, "Note secrète", now),
        (desk.assign, plumbing, 1, now),
        (desk.card, plumbing),
        (desk.detail, plumbing),
        (desk.history_page, plumbing, 0),
        (desk.photos, plumbing),
        (desk.managers_for, plumbing),
    ]
    for who, error in ((resident, NotAllowed), (reporter, NotAllowed), (homeless_manager, NotAllowed)):
        for fn, *args in calls:
            with pytest.raises(error):
                run(sessions, fn, who, *args)
        with pytest.raises(NotAllowed):
            run(sessions, desk.queue, who)
        with pytest.raises(NotAllowed):
            run(sessions, desk.residences, who)
    for fn, *args in calls:
        with pytest.raises(NotFound):
            run(sessions, fn, bordeaux_manager, *args)
    with pytest.raises(NotFound):
        run(sessions, desk.queue, bordeaux_manager, residence(sessions, "Lyon"))
    with pytest.raises(NotFound):
        run(sessions, desk.card, sophie(sessions), 999999)
    row = incident(sessions, plumbing)
    assert row.status == IncidentStatus.NEW and row.assignee_id is None
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count()).where(IncidentHistory.incident_id == plumbing)) == 1
    assert outbox(sessions, "incident_status", "incident_comment", "incident_assigned") == []


def test_an_admin_acts_anywhere(sessions: Sessions, linked: None, clock: Any) -> None:
    admin = me(sessions, "admin@lba.demo")
    locksmith = number(sessions, LOCKSMITH_5)
    acted = run(sessions, desk.change_status, admin, locksmith, "take", clock())
    assert acted.card.residence_name.endswith("Bordeaux") and acted.card.assignee_name == "Alain"


# --- the queue ------------------------------------------------------------------------------------


def test_the_queue_is_the_residence_oldest_first_filtered_and_paginated(
    sessions: Sessions, linked: None, clock: Any
) -> None:
    manager = sophie(sessions)
    heating, elevator, plumbing = (number(sessions, d) for d in (HEATING_3, ELEVATOR_2, PLUMBING_1))
    page = run(sessions, desk.queue, manager)
    assert [i.id for i in page.items] == [heating, elevator, plumbing] and page.total == 3
    assert page.residence_name is not None and page.residence_name.endswith("Lyon") and not page.can_switch
    assert page.items[0].assignee_name == "Sophie" and page.items[0].assigned_to_me
    for n in range(6):
        clock.advance(minutes=1)
        hall = Report(IncidentCategory.COMMON_AREAS, f"Problème {n} dans le hall.", Urgency.LOW, place_key="hall")
        run(sessions, inc.create_incident, me(sessions, "resident1@lba.demo"), hall, [], clock())
    first = run(sessions, desk.queue, manager, None, QueueFilter(), 0)
    second = run(sessions, desk.queue, manager, None, QueueFilter(), 1)
    assert first.total == 9 and len(first.items) == 5 and first.has_next
    assert len(second.items) == 4 and not second.has_next
    assert [i.created_at for i in first.items + second.items] == sorted(
        i.created_at for i in first.items + second.items
    )

    def ids(**f: str) -> list[int]:
        return [i.id for i in run(sessions, desk.queue, manager, None, QueueFilter(**f), 0, 50).items]

    assert ids(status="resolved") == [number(sessions, ELECTRICITY_4)]
    assert ids(status="all", urgency="urgent") == [elevator]
    assert ids(status="new", category="plumbing") == [plumbing]
    assert len(ids(category="common_areas", urgency="low")) == 6
    assert ids(status="rejected") == []
    assert run(sessions, desk.queue, manager, None, QueueFilter(status="all"), 0, 50).total == 10


def test_an_admin_sees_every_residence_or_one(sessions: Sessions, linked: None, clock: Any) -> None:
    admin = me(sessions, "admin@lba.demo")
    choices = run(sessions, desk.residences, admin)
    by_name = {c.name.split()[-1]: c for c in choices}
    assert (by_name["Lyon"].open_incidents, by_name["Lyon"].urgent_incidents) == (3, 1)
    assert by_name["Bordeaux"].open_incidents == 1
    everywhere = run(sessions, desk.queue, admin)
    assert everywhere.total == 4 and everywhere.residence_id is None and everywhere.can_switch
    bordeaux = run(sessions, desk.queue, admin, residence(sessions, "Bordeaux"))
    assert [i.id for i in bordeaux.items] == [number(sessions, LOCKSMITH_5)]
    with pytest.raises(NotFound):
        run(sessions, desk.queue, admin, 999999)
    assert [c.name for c in run(sessions, desk.residences, sophie(sessions))] == [by_name["Lyon"].name]


# --- notes, comments, history ---------------------------------------------------------------------


def test_internal_notes_stay_with_the_managers(sessions: Sessions, linked: None, clock: Any) -> None:
    manager = sophie(sessions)
    reporter = me(sessions, "resident1@lba.demo")
    plumbing = number(sessions, PLUMBING_1)
    clock.advance(minutes=1)
    run(sessions, desk.add_note, manager, plumbing, "Le plombier a le code 4321.", clock())
    clock.advance(minutes=1)
    comment = run(sessions, desk.add_comment, manager, plumbing, "Le plombier passe jeudi.", clock())
    assert comment.notified == 1 and comment.what == "comment"
    [news] = outbox(sessions, "incident_comment")
    assert news.chat_id == 901 and news.payload["key"] == "desk.n.comment"
    assert news.payload["params"]["text"] == "Le plombier passe jeudi."

    detail = run(sessions, desk.detail, manager, plumbing)
    assert [(e.kind, e.internal) for e in detail.history] == [
        (HistoryKind.CREATED, False),
        (HistoryKind.NOTE, True),
        (HistoryKind.COMMENT, False),
    ]
    assert detail.history[1].actor_name == "Sophie" and detail.history[1].actor_is_staff
    pages = run(sessions, desk.history_page, manager, plumbing, 0, 2)
    assert pages.has_next and [e.kind for e in pages.entries] == [HistoryKind.CREATED, HistoryKind.NOTE]

    # The residents' views never read internal rows.
    mine = run(sessions, inc.incident_detail, reporter, plumbing)
    assert all(e.kind != HistoryKind.NOTE and "4321" not in (e.text or "") for e in mine.history)
    assert mine.history_total == 2
    full = run(sessions, inc.history_page, reporter, plumbing, 0, 50)
    assert [e.kind for e in full.entries] == [HistoryKind.CREATED, HistoryKind.COMMENT]
    with pytest.raises(InvalidInput):
        run(sessions, desk.add_note, manager, plumbing, "x", clock())
    with pytest.raises(InvalidInput):
        run(sessions, desk.add_comment, manager, plumbing, "y" * 1001, clock())


def test_photos_of_an_incident(sessions: Sessions, linked: None, clock: Any) -> None:
    number_ = hall_incident(sessions, clock, photos=[PhotoUpload(sample_png(2, 2), "AgAC1")])
    refs = run(sessions, desk.photos, sophie(sessions), number_)
    assert [(r.telegram_file_id, r.is_document) for r in refs] == [("AgAC1", False)]
    card = run(sessions, desk.card, sophie(sessions), number_)
    assert card.photo_count == 1 and card.followers == 1 and card.reporter == "Jeanne (A12)"


# --- assignment -----------------------------------------------------------------------------------


def test_assign_to_myself_or_another_manager_of_the_residence(sessions: Sessions, linked: None, clock: Any) -> None:
    manager = sophie(sessions)
    paul = add_user(sessions, "paul@lba.demo", "Paul", Role.MANAGER, "Lyon", 960)
    bernard = add_user(sessions, "bernard@lba.demo", "Bernard", Role.MANAGER, "Bordeaux", 961)
    plumbing = number(sessions, PLUMBING_1)
    choices = run(sessions, desk.managers_for, manager, plumbing)
    assert [(c.name, c.is_me, c.is_assignee) for c in choices] == [("Sophie", True, False), ("Paul", False, False)]

    acted = run(sessions, desk.assign, manager, plumbing, paul.id, clock())
    assert acted.assignee_name == "Paul" and acted.card.assignee_name == "Paul"
    [told] = outbox(sessions, "incident_assigned")
    assert told.chat_id == 960 and told.payload["key"] == "desk.n.assigned"
    with pytest.raises(InvalidInput) as same:
        run(sessions, desk.assign, manager, plumbing, paul.id, clock())
    assert same.value.reason == "same" and same.value.details["name"] == "Paul"
    for stranger in (bernard.id, me(sessions, "resident2@lba.demo").id, 999999):
        with pytest.raises(InvalidInput) as wrong:
            run(sessions, desk.assign, manager, plumbing, stranger, clock())
        assert wrong.value.reason == "not_manager"
    run(sessions, desk.assign, manager, plumbing, manager.id, clock())
    assert incident(sessions, plumbing).assignee_id == manager.id
    assert len(outbox(sessions, "incident_assigned")) == 1  # assigning myself tells nobody
    with unit_of_work(sessions) as s:
        texts = s.scalars(
            sa.select(IncidentHistory.text)
            .where(IncidentHistory.incident_id == plumbing, IncidentHistory.kind == HistoryKind.ASSIGNED)
            .order_by(IncidentHistory.id)
        ).all()
    assert texts == ["Paul", "Sophie"]
    resolved = number(sessions, ELECTRICITY_4)
    with pytest.raises(InvalidInput) as closed:
        run(sessions, desk.assign, manager, resolved, paul.id, clock())
    assert closed.value.reason == "closed"


def test_followers_who_left_are_not_told(sessions: Sessions, linked: None, clock: Any) -> None:
    number_ = hall_incident(sessions, clock)
    run(sessions, inc.leave, me(sessions, "resident2@lba.demo"), number_, clock())
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(IncidentFollower)) == 0
    clock.advance(minutes=5)
    acted = run(sessions, desk.change_status, sophie(sessions), number_, "take", clock() + timedelta(seconds=1))
    assert acted.notified == 1 and [n.chat_id for n in outbox(sessions, "incident_status")] == [901]
