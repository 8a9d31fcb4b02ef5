"""Incident rules on the services alone, on each backend: who sees what, who may do what, and when."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.emulator import sample_png
from models import (
    HistoryKind,
    Incident,
    IncidentCategory,
    IncidentFollower,
    IncidentHistory,
    IncidentPhoto,
    IncidentStatus,
    OutboxMessage,
    PointsEntry,
    Residence,
    Role,
    StoredFile,
    Urgency,
    User,
)
from models.db import unit_of_work
from services import incidents as svc
from services.errors import InvalidInput, NotAllowed, NotFound
from services.incidents import PhotoUpload, Report
from services.people import Me, me_of

PLUMBING_1 = "Le robinet de la cuisine goutte sans arrêt."
ELEVATOR_2 = "L'ascenseur s'arrête entre deux étages."
HEATING_3 = "Le radiateur de la chambre reste froid."
ELECTRICITY_4 = "Deux ampoules grillées dans le couloir."
LOCKSMITH_5 = "La serrure de la porte d'entrée force."

Sessions = sessionmaker[Session]


def me(sessions: Sessions, email: str) -> Me:
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        return me_of(s, user)


def jeanne(sessions: Sessions) -> Me:
    return me(sessions, "resident1@lba.demo")


def marcel(sessions: Sessions) -> Me:
    return me(sessions, "resident2@lba.demo")


def lucienne(sessions: Sessions) -> Me:
    return me(sessions, "resident3@lba.demo")


def sophie(sessions: Sessions) -> Me:
    return me(sessions, "manager@lba.demo")


def number(sessions: Sessions, description: str) -> int:
    with unit_of_work(sessions) as s:
        found = s.scalar(sa.select(Incident.id).where(Incident.description == description))
        assert found is not None
        return found


def link(sessions: Sessions, email: str, telegram_id: int) -> None:
    """Notifications only go to people who linked Telegram."""
    with unit_of_work(sessions) as s:
        s.execute(sa.update(User).where(User.email == email).values(telegram_id=telegram_id))


def run(sessions: Sessions, fn: Any, *args: Any) -> Any:
    with unit_of_work(sessions) as s:
        return fn(s, *args)


def report(**overrides: Any) -> Report:
    values: dict[str, Any] = {
        "category": IncidentCategory.ELECTRICITY,
        "description": "La prise du salon fait des étincelles.",
        "urgency": Urgency.NORMAL,
        "place_key": svc.HOME,
    }
    values.update(overrides)
    return Report(**values)


def photo(n: int = 1, **overrides: Any) -> PhotoUpload:
    values: dict[str, Any] = {
        "content": sample_png(n, n),
        "telegram_file_id": f"AgAC{n}",
        "telegram_unique_id": f"u{n}",
    }
    values.update(overrides)
    return PhotoUpload(**values)


def outbox(sessions: Sessions, kind: str) -> list[OutboxMessage]:
    with unit_of_work(sessions) as s:
        rows = list(s.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))
        s.expunge_all()
        return rows


# --- pure rules --------------------------------------------------------------------------------


def test_tokens_ignore_accents_case_plurals_and_stop_words() -> None:
    assert svc.tokens("Les AMPOULES grillées du Couloir") == {"ampoule", "grillee", "couloir"}
    assert svc.tokens("The lights in the hall are not working") == {"light", "hall"}
    assert svc.tokens("L'ascenseur s'arrête") == {"ascenseur", "arrete"}
    assert svc.tokens("le la de et") == set()


def test_free_text_lengths() -> None:
    assert svc.check_place("  Cave 3  ") == "Cave 3"
    with pytest.raises(InvalidInput) as short:
        svc.check_place("ab")
    assert short.value.reason == "too_short" and short.value.details["min"] == 3
    with pytest.raises(InvalidInput) as long:
        svc.check_description("x" * 1001)
    assert long.value.reason == "too_long" and long.value.details == {"max": 1000, "length": 1001}
    assert svc.check_description("dix lettre") == "dix lettre"  # 10 characters: the minimum
    with pytest.raises(InvalidInput):
        svc.check_description("neuf lett")
    with pytest.raises(InvalidInput):
        svc.check_comment(" x ")
    assert svc.check_comment("ok") == "ok"


def test_photos_must_be_images_of_ten_megabytes_at_most() -> None:
    svc.check_photo(1000, "image/jpeg")
    svc.check_photo(None, "image/webp")
    with pytest.raises(InvalidInput) as not_image:
        svc.check_photo(1000, "application/pdf")
    assert not_image.value.reason == "not_image"
    with pytest.raises(InvalidInput) as too_big:
        svc.check_photo(10 * 1024 * 1024 + 1, "image/png")
    assert too_big.value.reason == "too_big"


def test_places(sessions: Sessions, demo: dict[str, int]) -> None:
    resident = jeanne(sessions)
    assert svc.resolve_place(resident, report()) == ("Appartement A12", True)
    assert svc.resolve_place(resident, report(place_key="hall")) == ("Hall d'entrée", False)
    assert svc.resolve_place(resident, report(place_key=None, place_text=" Cave 3 ")) == ("Cave 3", False)
    with pytest.raises(InvalidInput):
        svc.resolve_place(resident, report(place_key="roof"))
    with pytest.raises(InvalidInput) as no_apartment:
        svc.resolve_place(sophie(sessions), report())
    assert no_apartment.value.reason == "no_apartment"


# --- reporting ---------------------------------------------------------------------------------


def test_create_files_history_points_photos_and_alerts_linked_managers(
    sessions: Sessions, demo: dict[str, int], clock: Any
) -> None:
    link(sessions, "manager@lba.demo", 900)
    with unit_of_work(sessions) as s:  # an unlinked second manager, and a manager elsewhere
        lyon = s.scalar(sa.select(User.residence_id).where(User.email == "manager@lba.demo"))
        bordeaux = s.scalar(sa.select(Residence.id).where(Residence.id != lyon))
        s.add(User(email="m2@lba.demo", first_name="Paul", role=Role.MANAGER, residence_id=lyon))
        s.add(User(email="m3@lba.demo", first_name="Léa", role=Role.MANAGER, residence_id=bordeaux, telegram_id=901))
    created = run(sessions, svc.create_incident, jeanne(sessions), report(urgency=Urgency.URGENT), [photo(1)], clock())
    assert created.points == 5 and created.managers_notified == 1
    with unit_of_work(sessions) as s:
        row = s.get(Incident, created.id)
        assert row is not None and row.status == IncidentStatus.NEW and row.location == "Appartement A12"
        assert [h.kind for h in row.history] == [HistoryKind.CREATED]
        assert len(row.photos) == 1
        stored = s.get(StoredFile, row.photos[0].file_id)
        assert stored is not None and stored.telegram_file_id == "AgAC1" and stored.content == sample_png(1, 1)
        assert s.scalar(sa.select(PointsEntry.delta).where(PointsEntry.ref == f"incident:{created.id}")) == 5
    alerts = outbox(sessions, "incident_alert")
    assert [a.chat_id for a in alerts] == [900]
    payload = alerts[0].payload
    assert alerts[0].dedup_key.endswith(f"incident:{created.id}:alert:{alerts[0].user_id}")  # type: ignore[union-attr]
    assert payload["key"] == "inc.alert.urgent"
    assert payload["params"]["who"] == "Jeanne (A12)" and payload["params"]["place"] == "Appartement A12"
    assert payload["params"]["category"] == {"$t": "inc.cat.electricity"} and payload["params"]["photos"] == 1


def test_create_refuses_bad_reports(sessions: Sessions, demo: dict[str, int], clock: Any) -> None:
    resident = jeanne(sessions)
    with pytest.raises(InvalidInput):
        run(sessions, svc.create_incident, resident, report(description="court"), [], clock())
    with pytest.raises(InvalidInput) as too_many:
        run(sessions, svc.create_incident, resident, report(), [photo(n) for n in range(1, 7)], clock())
    assert too_many.value.reason == "too_many"
    with pytest.raises(InvalidInput):
        run(sessions, svc.create_incident, resident, report(), [photo(1, mime_type="application/pdf")], clock())
    admin = me(sessions, "admin@lba.demo")
    with pytest.raises(NotAllowed):
        run(sessions, svc.create_incident, admin, report(place_key="hall"), [], clock())
    with unit_of_work(sessions) as s:  # nothing half-made
        assert s.scalar(sa.select(sa.func.count(Incident.id))) == 5
        assert s.scalar(sa.select(sa.func.count(StoredFile.id))) == 0


def test_similar_incidents(sessions: Sessions, demo: dict[str, int], clock: Any) -> None:
    elevator = number(sessions, ELEVATOR_2)
    plumbing = number(sessions, PLUMBING_1)
    stuck = report(category=IncidentCategory.ELEVATOR, place_key="elevator", description="Ascenseur BLOQUÉ au 2e")
    assert [s.id for s in run(sessions, svc.similar_incidents, jeanne(sessions), stuck)] == [elevator]
    # Same words, other category: nothing.
    other = report(category=IncidentCategory.NOISE, place_key="elevator", description="L'ascenseur grince fort")
    assert run(sessions, svc.similar_incidents, jeanne(sessions), other) == []
    # My own apartment incident is offered to me (and marked mine), never to a neighbour.
    tap = report(category=IncidentCategory.PLUMBING, description="Le robinet de la salle de bain goutte")
    mine = run(sessions, svc.similar_incidents, jeanne(sessions), tap)
    assert [(s.id, s.mine) for s in mine] == [(plumbing, True)]
    assert run(sessions, svc.similar_incidents, marcel(sessions), tap) == []
    # Another residence never sees ours.
    assert run(sessions, svc.similar_incidents, lucienne(sessions), stuck) == []
    # Closed incidents are not offered.
    bulbs = report(category=IncidentCategory.ELECTRICITY, place_key="corridors", description="Ampoule grillée")
    assert run(sessions, svc.similar_incidents, marcel(sessions), bulbs) == []
    # At most three, best match first.
    for text in ("Ascenseur en panne", "Bouton ascenseur cassé", "Ascenseur bloqué hier", "Porte ascenseur bloquée"):
        run(
            sessions,
            svc.create_incident,
            marcel(sessions),
            report(category=IncidentCategory.ELEVATOR, place_key="stairs", description=text + " ce matin."),
            [],
            clock(),
        )
    found = run(sessions, svc.similar_incidents, jeanne(sessions), stuck)
    assert len(found) == 3 and found[0].description == "Ascenseur bloqué hier ce matin."


def test_join_follows_once_and_never_ones_own(sessions: Sessions, demo: dict[str, int], clock: Any) -> None:
    elevator = number(sessions, ELEVATOR_2)
    assert run(sessions, svc.join_incident, jeanne(sessions), elevator, clock()) == elevator
    with unit_of_work(sessions) as s:
        assert s.get(IncidentFollower, (elevator, jeanne(sessions).id)) is not None
        kinds = s.scalars(sa.select(IncidentHistory.kind).where(IncidentHistory.incident_id == elevator)).all()
        assert HistoryKind.JOINED in kinds
    with pytest.raises(InvalidInput) as twice:
        run(sessions, svc.join_incident, jeanne(sessions), elevator, clock())
    assert twice.value.reason == "already_following"
    with pytest.raises(InvalidInput) as own:
        run(sessions, svc.join_incident, marcel(sessions), elevator, clock())
    assert own.value.reason == "own"
    with pytest.raises(NotFound):
        run(sessions, svc.join_incident, lucienne(sessions), elevator, clock())
    with pytest.raises(NotFound):  # someone's apartment
        run(sessions, svc.join_incident, marcel(sessions), number(sessions, PLUMBING_1), clock())
    with pytest.raises(InvalidInput) as closed:
        run(sessions, svc.join_incident, jeanne(sessions), number(sessions, ELECTRICITY_4), clock())
    assert closed.value.reason == "closed"
    with pytest.raises(NotFound):
        run(sessions, svc.join_incident, jeanne(sessions), 999_999, clock())


# --- reading -----------------------------------------------------------------------------------


def test_list_shows_mine_and_followed_newest_first_by_pages(
    sessions: Sessions, demo: dict[str, int], clock: Any
) -> None:
    resident = jeanne(sessions)
    elevator = number(sessions, ELEVATOR_2)
    run(sessions, svc.join_incident, resident, elevator, clock())
    page = run(sessions, svc.list_incidents, resident, 0)
    assert [i.id for i in page.items] == [number(sessions, PLUMBING_1), elevator, number(sessions, HEATING_3)]
    assert [i.following for i in page.items] == [False, True, False] and page.total == 3 and not page.has_next
    first = run(sessions, svc.list_incidents, resident, 0, 2)
    second = run(sessions, svc.list_incidents, resident, 1, 2)
    assert first.has_next and not second.has_next and len(first.items) + len(second.items) == 3
    assert run(sessions, svc.list_incidents, lucienne(sessions), 0).total == 1


def test_only_the_reporter_and_followers_see_an_incident(sessions: Sessions, demo: dict[str, int], clock: Any) -> None:
    plumbing = number(sessions, PLUMBING_1)
    detail = run(sessions, svc.incident_detail, jeanne(sessions), plumbing)
    assert detail.is_reporter and detail.can_withdraw and detail.can_comment and not detail.can_rate
    with pytest.raises(NotFound):
        run(sessions, svc.incident_detail, lucienne(sessions), plumbing)
    with pytest.raises(NotAllowed):
        run(sessions, svc.incident_detail, marcel(sessions), plumbing)
    with pytest.raises(NotFound):
        run(sessions, svc.history_page, lucienne(sessions), plumbing, 0)
    with pytest.raises(NotFound):
        run(sessions, svc.incident_photos, lucienne(sessions), plumbing)
    with pytest.raises(NotFound):
        run(sessions, svc.incident_detail, jeanne(sessions), 999_999)
    # The residence's manager may read along, but not act as a resident.
    assert run(sessions, svc.incident_detail, sophie(sessions), plumbing).id == plumbing
    with pytest.raises(NotAllowed):
        run(sessions, svc.add_comment, sophie(sessions), plumbing, "Je passe demain.", clock())


def test_internal_notes_never_reach_residents(sessions: Sessions, demo: dict[str, int], clock: Any) -> None:
    plumbing = number(sessions, PLUMBING_1)
    with unit_of_work(sessions) as s:
        manager_id = s.scalar(sa.select(User.id).where(User.email == "manager@lba.demo"))
        s.add(
            IncidentHistory(
                incident_id=plumbing,
                actor_id=manager_id,
                kind=HistoryKind.NOTE,
                text="Locataire difficile",
                internal=True,
                created_at=clock(),
            )
        )
    detail = run(sessions, svc.incident_detail, jeanne(sessions), plumbing)
    page = run(sessions, svc.history_page, jeanne(sessions), plumbing, 0)
    assert all(e.kind != HistoryKind.NOTE for e in detail.history + page.entries)
    assert detail.history_total == 1


def test_history_pages_oldest_first(sessions: Sessions, demo: dict[str, int], clock: Any) -> None:
    plumbing = number(sessions, PLUMBING_1)
    for n in range(4):
        clock.advance(minutes=1)
        run(sessions, svc.add_comment, jeanne(sessions), plumbing, f"Commentaire {n}", clock())
    first = run(sessions, svc.history_page, jeanne(sessions), plumbing, 0)
    second = run(sessions, svc.history_page, jeanne(sessions), plumbing, 1)
    assert [e.kind for e in first.entries] == [HistoryKind.CREATED, HistoryKind.COMMENT, HistoryKind.COMMENT]
    assert first.has_next and not second.has_next
    assert [e.text for e in second.entries] == ["Commentaire 2", "Commentaire 3"] and second.entries[0].mine
    detail = run(sessions, svc.incident_detail, jeanne(sessions), plumbing, 2)
    assert [e.text for e in detail.history] == ["Commentaire 2", "Commentaire 3"] and detail.history_total == 5


# --- acting ------------------------------------------------------------------------------------


def test_comments_are_public_and_reach_the_managers(sessions: Sessions, demo: dict[str, int], clock: Any) -> None:
    link(sessions, "manager@lba.demo", 900)
    elevator = number(sessions, ELEVATOR_2)
    run(sessions, svc.join_incident, jeanne(sessions), elevator, clock())
    run(sessions, svc.add_comment, jeanne(sessions), elevator, "  Toujours bloqué ce soir.  ", clock())
    with unit_of_work(sessions) as s:
        row = s.scalar(sa.select(IncidentHistory).where(IncidentHistory.kind == HistoryKind.COMMENT))
        assert row is not None and row.text == "Toujours bloqué ce soir." and not row.internal
    [alert] = outbox(sessions, "incident_comment")
    assert alert.payload["params"]["who"] == "Jeanne (A12)" and alert.payload["params"]["number"] == elevator
    with pytest.raises(InvalidInput):
        run(sessions, svc.add_comment, jeanne(sessions), elevator, "x", clock())
    with pytest.raises(InvalidInput) as closed:
        run(sessions, svc.add_comment, marcel(sessions), number(sessions, ELECTRICITY_4), "Merci beaucoup", clock())
    assert closed.value.reason == "closed"
    with pytest.raises(NotFound):
        run(sessions, svc.add_comment, lucienne(sessions), elevator, "Chez nous aussi", clock())


def test_photos_added_later_are_capped(sessions: Sessions, demo: dict[str, int], clock: Any) -> None:
    link(sessions, "manager@lba.demo", 900)
    heating = number(sessions, HEATING_3)
    for n in range(1, svc.MAX_INCIDENT_PHOTOS + 1):
        run(sessions, svc.add_photo, jeanne(sessions), heating, photo(n), clock())
    with pytest.raises(InvalidInput) as full:
        run(sessions, svc.add_photo, jeanne(sessions), heating, photo(11), clock())
    assert full.value.reason == "too_many"
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count(IncidentPhoto.id))) == svc.MAX_INCIDENT_PHOTOS
    alerts = outbox(sessions, "incident_photo")
    assert len(alerts) == svc.MAX_INCIDENT_PHOTOS and alerts[0].payload["photo"] is not None
    # An image sent as a file goes to managers as a file (its Telegram id is a document's).
    plumbing = number(sessions, PLUMBING_1)
    run(sessions, svc.add_photo, jeanne(sessions), plumbing, photo(1, filename="fuite.png"), clock())
    last = outbox(sessions, "incident_photo")[-1]
    assert last.payload["photo"] is None and last.payload["document"] is not None
    refs = run(sessions, svc.incident_photos, jeanne(sessions), plumbing)
    assert [r.is_document for r in refs] == [True]


def test_only_the_reporter_withdraws_and_followers_are_told(
    sessions: Sessions, demo: dict[str, int], clock: Any
) -> None:
    link(sessions, "resident1@lba.demo", 901)
    link(sessions, "manager@lba.demo", 900)
    elevator = number(sessions, ELEVATOR_2)
    run(sessions, svc.join_incident, jeanne(sessions), elevator, clock())
    with pytest.raises(NotAllowed):
        run(sessions, svc.withdraw, jeanne(sessions), elevator, clock())
    with pytest.raises(NotAllowed):
        run(sessions, svc.withdraw, sophie(sessions), elevator, clock())
    run(sessions, svc.withdraw, marcel(sessions), elevator, clock())
    with unit_of_work(sessions) as s:
        row = s.get(Incident, elevator)
        assert row is not None and row.status == IncidentStatus.WITHDRAWN
        last = row.history[-1]
        assert (last.kind, last.from_status, last.to_status) == (
            HistoryKind.STATUS,
            IncidentStatus.TAKEN,
            IncidentStatus.WITHDRAWN,
        )
    assert [m.chat_id for m in outbox(sessions, "incident_status")] == [901]
    assert [m.chat_id for m in outbox(sessions, "incident_withdrawn")] == [900]
    with pytest.raises(InvalidInput) as again:
        run(sessions, svc.withdraw, marcel(sessions), elevator, clock())
    assert again.value.reason == "closed"


def test_followers_leave_reporters_do_not(sessions: Sessions, demo: dict[str, int], clock: Any) -> None:
    elevator = number(sessions, ELEVATOR_2)
    run(sessions, svc.join_incident, jeanne(sessions), elevator, clock())
    assert run(sessions, svc.incident_detail, jeanne(sessions), elevator).can_leave
    run(sessions, svc.leave, jeanne(sessions), elevator, clock())
    with pytest.raises(NotAllowed):  # no longer involved: no longer visible
        run(sessions, svc.leave, jeanne(sessions), elevator, clock())
    with pytest.raises(InvalidInput) as reporter:
        run(sessions, svc.leave, marcel(sessions), elevator, clock())
    assert reporter.value.reason == "not_following"


def test_rating_once_by_the_reporter_of_a_resolved_incident(
    sessions: Sessions, demo: dict[str, int], clock: Any
) -> None:
    resolved = number(sessions, ELECTRICITY_4)
    assert run(sessions, svc.incident_detail, marcel(sessions), resolved).can_rate
    with pytest.raises(InvalidInput):
        run(sessions, svc.rate, marcel(sessions), resolved, 6, clock())
    with pytest.raises(NotAllowed):
        run(sessions, svc.rate, jeanne(sessions), resolved, 5, clock())
    with pytest.raises(InvalidInput) as still_open:
        run(sessions, svc.rate, marcel(sessions), number(sessions, ELEVATOR_2), 5, clock())
    assert still_open.value.reason == "not_resolved"
    rated = run(sessions, svc.rate, marcel(sessions), resolved, 4, clock())
    assert (rated.rating, rated.points) == (4, 2)
    with pytest.raises(InvalidInput) as twice:
        clock.advance(days=1)
        run(sessions, svc.rate, marcel(sessions), resolved, 5, clock())
    assert twice.value.reason == "already"
    with unit_of_work(sessions) as s:
        row = s.get(Incident, resolved)
        assert row is not None and row.rating == 4 and row.history[-1].kind == HistoryKind.RATED
        assert s.scalar(sa.select(sa.func.count()).where(PointsEntry.rule == "incident_rated")) == 1
    assert not run(sessions, svc.incident_detail, marcel(sessions), resolved).can_rate


def test_a_followed_incident_of_a_departed_residence_is_not_found(
    sessions: Sessions, demo: dict[str, int], clock: Any
) -> None:
    """Moving to another residence takes away what was followed there, whatever ids are kept."""
    elevator = number(sessions, ELEVATOR_2)
    run(sessions, svc.join_incident, jeanne(sessions), elevator, clock() - timedelta(days=1))
    with unit_of_work(sessions) as s:
        bordeaux = s.scalar(sa.select(User.residence_id).where(User.email == "resident3@lba.demo"))
        s.execute(sa.update(User).where(User.email == "resident1@lba.demo").values(residence_id=bordeaux))
    with pytest.raises(NotFound):
        run(sessions, svc.incident_detail, jeanne(sessions), elevator)
