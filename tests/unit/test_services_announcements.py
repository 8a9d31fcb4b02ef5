"""Announcement rules on the service alone, on each backend: audience, outbox rows, report, receipts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.emulator import sample_png
from models import (
    Announcement,
    AnnouncementAck,
    AnnouncementStatus,
    GroupKind,
    OutboxMessage,
    OutboxStatus,
    Residence,
    Role,
    StoredFile,
    User,
)
from models.db import unit_of_work
from services import announcements as ann
from services import groups, outbox
from services.announcements import AnnouncementDraft, PhotoUpload
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me, me_of
from tests.conftest import Clock

LYON_GROUP = -100123
TELEGRAM = {
    "manager@lba.demo": 601,
    "admin@lba.demo": 602,
    "resident1@lba.demo": 603,
    "resident2@lba.demo": 604,
    "resident3@lba.demo": 605,
}


def me(session: Session, email: str) -> Me:
    user = session.scalar(sa.select(User).where(User.email == email))
    assert user is not None
    return me_of(session, user)


def uid(session: Session, email: str) -> int:
    return me(session, email).id


def residence(session: Session, city: str) -> int:
    found = session.scalar(sa.select(Residence.id).where(Residence.city == city))
    assert found is not None
    return found


def add_user(session: Session, email: str, role: Role, city: str, clock: Clock, telegram_id: int | None = None) -> int:
    user = User(
        email=email,
        first_name=email.split("@")[0].capitalize(),
        last_name="Test",
        role=role,
        residence_id=residence(session, city),
        apartment="Z1",
        telegram_id=telegram_id,
        created_at=clock(),
    )
    session.add(user)
    session.flush()
    return user.id


@pytest.fixture
def world(sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock) -> sessionmaker[Session]:
    """The demo people signed in, and Lyon's residents' group linked."""
    with unit_of_work(sessions) as session:
        for email, telegram_id in TELEGRAM.items():
            session.execute(sa.update(User).where(User.email == email).values(telegram_id=telegram_id))
        session.flush()
        groups.link(
            session, 601, LYON_GROUP, "Résidents Lyon", residence(session, "Lyon"), GroupKind.RESIDENTS, clock()
        )
    return sessions


def rows(session: Session, announcement_id: int) -> list[OutboxMessage]:
    return list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.batch == ann.batch_of(announcement_id))
            .order_by(OutboxMessage.id)
        )
    )


def deliver(session: Session, announcement_id: int, clock: Clock, *, unreachable: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    """What the sender does: each row sent (or refused), then the batch's end checked."""
    for row in rows(session, announcement_id):
        if row.user_id in unreachable:
            outbox.mark_unreachable(session, row.id, row.user_id, clock(), "blocked")
        else:
            outbox.mark_sent(session, row.id, 1, clock())
        outbox.finish_batch_if_done(session, ann.batch_of(announcement_id), clock())


def lyon_draft(text: str = "Coupure d'eau jeudi.", **kwargs: bool) -> AnnouncementDraft:
    return AnnouncementDraft(text=text, residence_ids=(), **kwargs)


# --- pure rules ------------------------------------------------------------------------------------


def test_text_length_rules() -> None:
    assert ann.check_text("  Bonjour  ") == "Bonjour"
    assert ann.check_text("a" * 3500) == "a" * 3500
    assert ann.check_text("a" * 1000, with_photo=True) == "a" * 1000
    for text, with_photo, reason in (
        ("", False, "too_short"),
        ("   ", False, "too_short"),
        (None, False, "too_short"),
        ("a" * 3501, False, "too_long"),
        ("a" * 1001, True, "too_long"),
        ("🙂" * 600, True, "too_long"),  # 600 characters, but 1200 UTF-16 units in a caption
    ):
        with pytest.raises(InvalidInput) as error:
            ann.check_text(text, with_photo=with_photo)
        assert error.value.reason == reason
    assert ann.excerpt("un\n  deux   trois") == "un deux trois"
    assert ann.excerpt("x" * 100, 10) == "x" * 9 + "…"


# --- who writes to whom ------------------------------------------------------------------------------


def test_residents_may_not_write_and_managers_write_to_their_residence(world: sessionmaker[Session]) -> None:
    with unit_of_work(world) as session:
        with pytest.raises(NotAllowed):
            ann.composer(session, me(session, "resident1@lba.demo"))
        sophie = me(session, "manager@lba.demo")
        lyon, bordeaux = residence(session, "Lyon"), residence(session, "Bordeaux")
        composer = ann.composer(session, sophie)
        assert composer.fixed and [r.id for r in composer.residences] == [lyon]
        assert ann.check_audience(session, sophie, []) == (lyon,)
        with pytest.raises(NotAllowed):
            ann.check_audience(session, sophie, [bordeaux])
        alain = me(session, "admin@lba.demo")
        assert not ann.composer(session, alain).fixed and len(ann.composer(session, alain).residences) == 2
        with pytest.raises(InvalidInput):
            ann.check_audience(session, alain, [])
        with pytest.raises(NotFound):
            ann.check_audience(session, alain, [lyon, 999_999])
        assert ann.check_audience(session, alain, [lyon, bordeaux, lyon]) == tuple(sorted((lyon, bordeaux)))


# --- sending ---------------------------------------------------------------------------------------


def test_sending_queues_one_row_per_reachable_resident_and_per_group(
    world: sessionmaker[Session], clock: Clock
) -> None:
    with unit_of_work(world) as session:
        add_user(session, "nontelegram@lba.demo", Role.RESIDENT, "Lyon", clock)  # never signed in: no row
        blocked = add_user(session, "blocked@lba.demo", Role.RESIDENT, "Lyon", clock, telegram_id=777)
        session.execute(sa.update(User).where(User.id == blocked).values(unreachable_since=clock()))
        add_user(session, "gone@lba.demo", Role.RESIDENT, "Lyon", clock, telegram_id=778)
        session.execute(sa.update(User).where(User.email == "gone@lba.demo").values(active=False))
        add_user(session, "colleague@lba.demo", Role.MANAGER, "Lyon", clock, telegram_id=779)  # not a resident
        sophie = me(session, "manager@lba.demo")
        reach = ann.reach(session, sophie, [])
        assert (reach.residents, reach.unreachable, reach.groups) == (2, 1, 1)
        sent = ann.send(session, sophie, lyon_draft(pin=True, ask_ack=True), clock())
        assert (sent.residents, sent.groups, sent.unreachable, sent.done) == (2, 1, 1, False)
    with unit_of_work(world) as session:
        announcement = session.get(Announcement, sent.id)
        assert announcement is not None and announcement.status == AnnouncementStatus.SENDING
        assert announcement.residence_ids == [residence(session, "Lyon")] and announcement.pin and announcement.ask_ack
        queued = rows(session, sent.id)
        users = {r.user_id for r in queued if r.user_id is not None}
        assert users == {uid(session, "resident1@lba.demo"), uid(session, "resident2@lba.demo")}
        for row in queued:
            assert row.kind == "announcement" and row.payload["key"] == "ann.message"
            assert row.payload["params"] == {"text": "Coupure d'eau jeudi."}
        private = [r for r in queued if r.user_id is not None]
        assert all(r.payload["buttons"] == [[{"key": "ann.btn.ack", "data": f"ann:ack:{sent.id}"}]] for r in private)
        assert {r.dedup_key for r in private} == {f"announcement:{sent.id}:user:{u}" for u in users}
        [group] = [r for r in queued if r.user_id is None]
        assert group.chat_id == LYON_GROUP and group.payload["pin"] is True and group.payload["buttons"] == []


def test_the_batch_hook_completes_once_and_reports_to_the_author(world: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(world) as session:
        sent = ann.send(session, me(session, "manager@lba.demo"), lyon_draft(), clock())
    with unit_of_work(world) as session:
        first = rows(session, sent.id)[0]
        outbox.mark_sent(session, first.id, 1, clock())
        assert outbox.finish_batch_if_done(session, ann.batch_of(sent.id), clock()) is False  # still pending
        assert session.get(Announcement, sent.id).status == AnnouncementStatus.SENDING  # type: ignore[union-attr]
    with unit_of_work(world) as session:
        marcel = uid(session, "resident2@lba.demo")
        deliver(session, sent.id, clock, unreachable={marcel})
        # Two senders may both see the end of the batch: the report is queued once.
        ann.complete_batch(session, ann.batch_of(sent.id), clock())
        ann.complete_batch(session, "announcement:not-a-number", clock())
    with unit_of_work(world) as session:
        announcement = session.get(Announcement, sent.id)
        assert announcement is not None and announcement.status == AnnouncementStatus.DONE
        assert announcement.completed_at == clock()
        report = announcement.report or {}
        assert (report["recipients"], report["sent"], report["unreachable"], report["failed"]) == (2, 1, 1, 0)
        assert (report["groups"], report["groups_sent"]) == (1, 1)
        reports = list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "announcement_report")))
        assert len(reports) == 1 and reports[0].user_id == uid(session, "manager@lba.demo")
        assert reports[0].payload["params"]["unreachable"] == 1
        assert reports[0].payload["buttons"] == [[{"key": "ann.btn.readers", "data": f"ann:v:{sent.id}"}]]


def test_nobody_to_reach_completes_at_once(world: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(world) as session:
        alain = me(session, "admin@lba.demo")
        session.execute(sa.update(User).where(User.email == "resident3@lba.demo").values(telegram_id=None))
        sent = ann.send(session, alain, AnnouncementDraft("Bordeaux seul.", (residence(session, "Bordeaux"),)), clock())
        assert sent.done and sent.residents == sent.groups == 0
    with unit_of_work(world) as session:
        assert session.get(Announcement, sent.id).status == AnnouncementStatus.DONE  # type: ignore[union-attr]
        assert (
            session.scalar(
                sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "announcement_report")
            )
            == 1
        )


def test_an_admin_reaches_several_residences_and_a_photo_is_stored_once(
    world: sessionmaker[Session], clock: Clock
) -> None:
    with unit_of_work(world) as session:
        alain = me(session, "admin@lba.demo")
        ids = (residence(session, "Lyon"), residence(session, "Bordeaux"))
        photo = PhotoUpload(sample_png(4, 4), "image/png", telegram_file_id="file-1")
        with pytest.raises(InvalidInput):  # under a photo the text is a caption: 1000 at most
            ann.send(session, alain, AnnouncementDraft("a" * 1001, ids), clock(), photo)
        with pytest.raises(InvalidInput):
            ann.send(
                session, alain, AnnouncementDraft("Un PDF ?", ids), clock(), PhotoUpload(b"%PDF", "application/pdf")
            )
        sent = ann.send(session, alain, AnnouncementDraft("Réseau.", ids), clock(), photo)
        assert sent.residents == 3 and sent.groups == 1
    with unit_of_work(world) as session:
        assert session.scalar(sa.select(sa.func.count(StoredFile.id))) == 1
        photo_ids = {r.payload["photo"] for r in rows(session, sent.id)}
        assert photo_ids == {session.get(Announcement, sent.id).photo_id}  # type: ignore[union-attr]


# --- acknowledgments -------------------------------------------------------------------------------


def test_acknowledgment_is_recorded_once_and_only_for_recipients(world: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(world) as session:
        sophie = me(session, "manager@lba.demo")
        asked = ann.send(session, sophie, lyon_draft(ask_ack=True), clock()).id
        plain = ann.send(session, sophie, lyon_draft("Sans accusé."), clock()).id
    with unit_of_work(world) as session:
        jeanne = me(session, "resident1@lba.demo")
        assert ann.acknowledge(session, jeanne, asked, clock()).first is True
        assert ann.acknowledge(session, jeanne, asked, clock()).first is False
        with pytest.raises(NotAllowed):
            ann.acknowledge(session, me(session, "resident3@lba.demo"), asked, clock())  # Bordeaux: not sent to her
        with pytest.raises(NotAllowed):
            ann.acknowledge(session, sophie, asked, clock())
        with pytest.raises(NotAllowed):
            ann.acknowledge(session, jeanne, plain, clock())
        with pytest.raises(NotFound):
            ann.acknowledge(session, jeanne, 999_999, clock())
    with unit_of_work(world) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AnnouncementAck)) == 1


# --- follow-up -------------------------------------------------------------------------------------


def test_who_sees_which_announcements(world: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(world) as session:
        lyon, bordeaux = residence(session, "Lyon"), residence(session, "Bordeaux")
        add_user(session, "bernard@lba.demo", Role.MANAGER, "Bordeaux", clock, telegram_id=780)
        sophie, alain = me(session, "manager@lba.demo"), me(session, "admin@lba.demo")
        own = ann.send(session, sophie, lyon_draft("De Sophie."), clock()).id
        to_lyon = ann.send(session, alain, AnnouncementDraft("De l'admin à Lyon.", (lyon,)), clock()).id
        network = ann.send(session, alain, AnnouncementDraft("Au réseau.", (lyon, bordeaux)), clock()).id
    with unit_of_work(world) as session:
        sophie, alain, bernard = (me(session, e) for e in ("manager@lba.demo", "admin@lba.demo", "bernard@lba.demo"))
        assert {i.id for i in ann.list_announcements(session, sophie).items} == {own, to_lyon}
        assert {i.id for i in ann.list_announcements(session, alain).items} == {own, to_lyon, network}
        assert ann.list_announcements(session, bernard).items == ()
        with pytest.raises(NotAllowed):
            ann.announcement_detail(session, sophie, network)  # it names Bordeaux residents too
        with pytest.raises(NotAllowed):
            ann.announcement_detail(session, bernard, own)
        with pytest.raises(NotAllowed):
            ann.list_announcements(session, me(session, "resident1@lba.demo"))
        with pytest.raises(NotFound):
            ann.announcement_detail(session, alain, 999_999)
        assert ann.announcement_detail(session, sophie, to_lyon).author_name == "Alain"


def test_the_list_paginates_newest_first(world: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(world) as session:
        sophie = me(session, "manager@lba.demo")
        for n in range(7):
            clock.advance(minutes=1)
            ann.send(session, sophie, lyon_draft(f"Annonce {n}"), clock())
    with unit_of_work(world) as session:
        sophie = me(session, "manager@lba.demo")
        first = ann.list_announcements(session, sophie, 0)
        assert [i.excerpt for i in first.items] == [f"Annonce {n}" for n in (6, 5, 4, 3, 2)]
        assert first.pages == 2 and first.has_next
        second = ann.list_announcements(session, sophie, 9)  # beyond the end: the last page
        assert second.page == 1 and [i.excerpt for i in second.items] == ["Annonce 1", "Annonce 0"]
        assert first.items[0].counts.recipients == 2 and first.items[0].counts.groups == 1


def test_non_readers_and_reminder_rounds(world: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(world) as session:
        for n in range(10):
            add_user(session, f"voisin{n}@lba.demo", Role.RESIDENT, "Lyon", clock, telegram_id=900 + n)
        sophie = me(session, "manager@lba.demo")
        sent = ann.send(session, sophie, lyon_draft(ask_ack=True), clock())
        assert sent.residents == 12
    with unit_of_work(world) as session:
        deliver(session, sent.id, clock, unreachable={uid(session, "voisin9@lba.demo")})
        ann.acknowledge(session, me(session, "resident1@lba.demo"), sent.id, clock())
    with unit_of_work(world) as session:
        sophie = me(session, "manager@lba.demo")
        detail = ann.announcement_detail(session, sophie, sent.id, 0)
        assert (detail.counts.recipients, detail.counts.delivered, detail.counts.read) == (12, 11, 1)
        assert detail.counts.unreachable == 1 and detail.pages == 2 and len(detail.non_readers) == 8
        second = ann.announcement_detail(session, sophie, sent.id, 1)
        names = [r.name for r in detail.non_readers + second.non_readers]
        assert len(names) == 11 and "Jeanne Dupont" not in names and "Marcel Bernard" in names
        assert [r.delivered for r in second.non_readers if r.name.startswith("Voisin9")] == [False]
        assert detail.remindable == 10 and detail.next_round == 1
        first_round = ann.remind(session, sophie, sent.id, 1, clock())
        assert (first_round.queued, first_round.already_sent) == (10, False)
        assert ann.remind(session, sophie, sent.id, 1, clock()).already_sent  # a double press
        with pytest.raises(InvalidInput):
            ann.remind(session, sophie, sent.id, 5, clock())  # a round nobody was shown
        with pytest.raises(NotAllowed):
            ann.remind(session, me(session, "resident2@lba.demo"), sent.id, 2, clock())
        assert ann.announcement_detail(session, sophie, sent.id).next_round == 2
        reminders = list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "announcement_reminder")))
        assert len(reminders) == 10 and all(r.batch == f"annrem:{sent.id}:1" for r in reminders)
        assert all(r.payload["buttons"][0][0]["data"] == f"ann:ack:{sent.id}" for r in reminders)
        assert uid(session, "resident1@lba.demo") not in {r.user_id for r in reminders}
        # Reminders are not part of the announcement's own counts.
        assert ann.announcement_detail(session, sophie, sent.id).counts.recipients == 12
        # A round whose rows are all sent: the announcement is not reported twice.
        for row in reminders:
            outbox.mark_sent(session, row.id, 1, clock())
        outbox.finish_batch_if_done(session, f"annrem:{sent.id}:1", clock())
        assert (
            session.scalar(
                sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "announcement_report")
            )
            == 1
        )


def test_no_reminder_without_acknowledgment(world: sessionmaker[Session], clock: Clock) -> None:
    with unit_of_work(world) as session:
        sophie = me(session, "manager@lba.demo")
        sent = ann.send(session, sophie, lyon_draft(), clock())
        detail = ann.announcement_detail(session, sophie, sent.id)
        assert not detail.ask_ack and detail.non_readers == () and detail.remindable == 0
        with pytest.raises(NotAllowed):
            ann.remind(session, sophie, sent.id, 1, clock())
        assert outbox.batch_counts(session, ann.batch_of(sent.id)) == {OutboxStatus.PENDING.value: 3}
