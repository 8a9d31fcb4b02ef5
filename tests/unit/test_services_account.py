"""Account rules on the services alone, on each backend: profile, points ledger, documents, certificate."""

from __future__ import annotations

import contextlib
import re
import threading
import zlib
from datetime import time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.documents import render_certificate
from bot.i18n import CATALOGS
from models import Document, OutboxMessage, PointsEntry, User
from models.db import unit_of_work
from services import account, points
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me, me_of
from tests.conftest import Clock

# --- helpers shared with the flow tests -------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """The text a PDF shows, from its content streams (inflated if compressed), lines joined by spaces."""
    chunks: list[str] = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = match.group(1)
        with contextlib.suppress(zlib.error):  # fpdf2 compresses content streams by default
            raw = zlib.decompress(raw)
        for text in re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", raw, re.S):
            unescaped = re.sub(rb"\\(.)", rb"\1", text.group(1))
            chunks.append(unescaped.decode("latin-1"))
    return " ".join(" ".join(chunks).split())


def me_by_email(session: Session, email: str) -> Me:
    user = session.scalar(sa.select(User).where(User.email == email))
    assert user is not None, email
    return me_of(session, user)


def user_id(session: Session, email: str) -> int:
    return me_by_email(session, email).id


JEANNE, MARCEL, LUCIENNE = "resident1@lba.demo", "resident2@lba.demo", "resident3@lba.demo"
MANAGER, ADMIN = "manager@lba.demo", "admin@lba.demo"


# --- phone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33 6 12 34 56 78"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("0612345678", "+33 6 12 34 56 78"),
        ("06.12.34.56.78", "+33 6 12 34 56 78"),
        ("06-12-34-56-78", "+33 6 12 34 56 78"),
        ("+33612345678", "+33 6 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "+33 6 12 34 56 78"),
        ("0033 6 12 34 56 78", "+33 6 12 34 56 78"),
        (" 04 72 00 00 01 ", "+33 4 72 00 00 01"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("0044 20 7946 0958", "+44 20 7946 0958"),
        ("+1 (555) 123-4567", "+1 555 123 4567"),
    ],
)
def test_phone_numbers_are_normalised(typed: str, stored: str) -> None:
    assert account.normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "abc", "12345", "06 12 34 56 7", "06 12 34 56 789", "00 12 34 56 78", "+0 12 34 56 78", "+33 1 2", "06+1234"],
)
def test_invalid_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as error:
        account.normalize_phone(typed)
    assert error.value.reason == "invalid"


def test_a_phone_typed_too_long_says_so() -> None:
    with pytest.raises(InvalidInput) as error:
        account.normalize_phone("0" * 41)
    assert error.value.reason == "too_long" and error.value.details == {"max": 40, "length": 41}


def test_set_and_clear_phone(sessions: sessionmaker[Session], demo: dict[str, int]) -> None:
    with unit_of_work(sessions) as s:
        profile = account.set_phone(s, me_by_email(s, JEANNE), "07 00 11 22 33")
        assert profile.phone == "+33 7 00 11 22 33"
    with unit_of_work(sessions) as s, pytest.raises(InvalidInput):
        account.set_phone(s, me_by_email(s, JEANNE), "pas un numéro")
    with unit_of_work(sessions) as s:
        assert account.profile(s, me_by_email(s, JEANNE)).phone == "+33 7 00 11 22 33"
        assert account.set_phone(s, me_by_email(s, JEANNE), None).phone is None
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(User.phone).where(User.email == JEANNE)) is None


# --- notification preferences ----------------------------------------------------------------------


def test_quiet_hours_are_chosen_among_the_offered_ones(sessions: sessionmaker[Session], demo: dict[str, int]) -> None:
    with unit_of_work(sessions) as s:
        me = me_by_email(s, JEANNE)
        profile = account.set_quiet_hours(s, me, 22, 7)
        assert (profile.quiet_start, profile.quiet_end) == (time(22), time(7))
    for start, end in ((22, None), (None, 7), (3, 7), (22, 12), (19, 6)):
        with unit_of_work(sessions) as s, pytest.raises(InvalidInput):
            account.set_quiet_hours(s, me, start, end)
    with unit_of_work(sessions) as s:
        user = s.scalar(sa.select(User).where(User.email == JEANNE))
        assert user is not None and (user.quiet_hours_start, user.quiet_hours_end) == (time(22), time(7))
        profile = account.set_quiet_hours(s, me, None, None)
        assert profile.quiet_start is None and profile.quiet_end is None


def test_booking_reminders_are_set_not_toggled(sessions: sessionmaker[Session], demo: dict[str, int]) -> None:
    with unit_of_work(sessions) as s:
        me = me_by_email(s, JEANNE)
        assert account.profile(s, me).booking_reminders is True
        assert account.set_booking_reminders(s, me, False).booking_reminders is False
        assert account.set_booking_reminders(s, me, False).booking_reminders is False  # an old button again
        assert account.set_booking_reminders(s, me, True).booking_reminders is True


def test_profile_of_an_admin_has_no_residence(sessions: sessionmaker[Session], demo: dict[str, int]) -> None:
    with unit_of_work(sessions) as s:
        profile = account.profile(s, me_by_email(s, ADMIN))
    assert profile.residence_name is None and not profile.has_residence and profile.full_name == "Alain Lefèvre"


def test_a_deactivated_account_can_do_nothing(sessions: sessionmaker[Session], demo: dict[str, int]) -> None:
    with unit_of_work(sessions) as s:
        me = me_by_email(s, JEANNE)
        s.execute(sa.update(User).where(User.id == me.id).values(active=False))
    with unit_of_work(sessions) as s:
        for call in (
            lambda: account.profile(s, me),
            lambda: account.set_phone(s, me, "0612345678"),
            lambda: account.points_page(s, me),
            lambda: account.documents_page(s, me),
        ):
            with pytest.raises(NotAllowed):
                call()


# --- points: the ledger's guarantees ------------------------------------------------------------------


def _ledger(session: Session, uid: int) -> list[tuple[str, str, int]]:
    rows = session.execute(
        sa.select(PointsEntry.rule, PointsEntry.ref, PointsEntry.delta).where(PointsEntry.user_id == uid)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_the_same_action_never_pays_twice(sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        uid = user_id(s, JEANNE)
        assert points.award(s, uid, "incident_reported", "incident:1", clock()) == 5
        assert points.award(s, uid, "incident_reported", "incident:1", clock()) == 0
    with unit_of_work(sessions) as s:  # and not in a later transaction either
        assert points.award(s, uid, "incident_reported", "incident:1", clock()) == 0
        assert points.award(s, uid, "incident_reported", "incident:2", clock()) == 5
    with unit_of_work(sessions) as s:
        assert points.balance(s, uid) == 10
        assert len(_ledger(s, uid)) == 2


def test_the_balance_never_goes_negative(sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        uid = user_id(s, JEANNE)
        points.award(s, uid, "welcome", "welcome", clock())
    with unit_of_work(sessions) as s:
        with pytest.raises(InvalidInput) as error:
            points.award(s, uid, "spend", "gift:1", clock(), delta=-25)
        assert error.value.reason == "not_enough" and error.value.details == {"balance": 20}
        assert points.balance(s, uid) == 20  # unchanged, and the refused entry is not in the ledger
        assert _ledger(s, uid) == [("welcome", "welcome", 20)]
        assert points.award(s, uid, "spend", "gift:2", clock(), delta=-20) == -20
    with unit_of_work(sessions) as s:
        assert points.balance(s, uid) == 0
        # The database refuses a negative balance too, whoever writes it.
        with pytest.raises(sa.exc.IntegrityError), s.begin_nested():
            s.execute(sa.update(User).where(User.id == uid).values(loyalty_points=-1))


def test_a_concurrent_double_award_pays_once(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        uid = user_id(s, MARCEL)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            # Released together, then each opens its own unit of work (on SQLite, BEGIN IMMEDIATE
            # makes the second wait for the first; on PostgreSQL both run at once).
            barrier.wait(timeout=10)
            with unit_of_work(sessions) as s:
                results.append(points.award(s, uid, "event_attended", "event:7", clock()))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [0, 10]
    with unit_of_work(sessions) as s:
        assert points.balance(s, uid) == 10
        assert _ledger(s, uid) == [("event_attended", "event:7", 10)]


def test_points_page_is_mine_newest_first_and_paginated(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        jeanne, marcel = me_by_email(s, JEANNE), me_by_email(s, MARCEL)
        for n in range(10):
            points.award(s, jeanne.id, "incident_reported", f"incident:{n}", clock() + timedelta(hours=n))
        points.award(s, marcel.id, "welcome", "welcome", clock())
    with unit_of_work(sessions) as s:
        first = account.points_page(s, jeanne, 0)
        assert first.balance == 50 and first.has_next and first.page == 0
        assert [line.ref for line in first.lines] == [f"incident:{n}" for n in range(9, 1, -1)]
        second = account.points_page(s, jeanne, 1)
        assert [line.ref for line in second.lines] == ["incident:1", "incident:0"] and not second.has_next
        assert account.points_page(s, jeanne, 99).page == 1  # past the end: the last page
        assert account.points_page(s, jeanne, -3).page == 0
        assert [line.rule for line in account.points_page(s, marcel).lines] == ["welcome"]
        empty = account.points_page(s, me_by_email(s, LUCIENNE))
        assert empty.balance == 0 and empty.lines == () and not empty.has_next


def test_every_points_rule_has_a_label_in_both_languages() -> None:
    for rule in points.RULES:
        assert f"acc.rule.{rule}" in CATALOGS["fr"] and f"acc.rule.{rule}" in CATALOGS["en"], rule


# --- documents ---------------------------------------------------------------------------------------


def _file(session: Session, actor: str, resident: str, title: str, clock: Clock, **kw: Any) -> account.DocumentItem:
    return account.file_document(
        session,
        me_by_email(session, actor),
        user_id(session, resident),
        title,
        kw.pop("content", b"%PDF-1.4 bail"),
        kw.pop("filename", "bail.pdf"),
        kw.pop("mime_type", "application/pdf"),
        clock(),
        **kw,
    )


def test_a_manager_files_a_document_for_a_resident_of_their_residence(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        s.execute(sa.update(User).where(User.email == JEANNE).values(telegram_id=9001))
        item = _file(s, MANAGER, JEANNE, "  Bail   2026 ", clock, kind="lease")
        assert item.title == "Bail 2026" and item.kind == "lease" and item.filename == "bail.pdf" and item.size == 13
    with unit_of_work(sessions) as s:
        document = s.get(Document, item.id)
        assert document is not None and document.uploaded_by_id == user_id(s, MANAGER)
        message = s.scalar(sa.select(OutboxMessage).where(OutboxMessage.user_id == user_id(s, JEANNE)))
        assert message is not None and message.chat_id == 9001
        assert message.payload["key"] == "acc.notify.document" and message.payload["params"] == {"title": "Bail 2026"}
        assert message.payload["buttons"][0][0]["data"] == f"acc:doc:{item.id}"


def test_only_managers_of_the_residence_or_admins_file_documents(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    for actor, resident in ((JEANNE, MARCEL), (JEANNE, JEANNE), (MANAGER, LUCIENNE)):
        with unit_of_work(sessions) as s, pytest.raises(NotAllowed):
            _file(s, actor, resident, "Quittance", clock)
    with unit_of_work(sessions) as s:
        assert _file(s, ADMIN, LUCIENNE, "Quittance", clock).title == "Quittance"
        with pytest.raises(NotFound):
            account.file_document(s, me_by_email(s, MANAGER), 999_999, "x", b"x", "x", "text/plain", clock())
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count(Document.id))) == 1


@pytest.mark.parametrize(
    ("title", "content", "reason"),
    [("   ", b"x", "empty"), ("x" * 121, b"x", "too_long"), ("Quittance", b"", "empty")],
)
def test_a_filed_document_needs_a_title_and_content(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock, title: str, content: bytes, reason: str
) -> None:
    with unit_of_work(sessions) as s, pytest.raises(InvalidInput) as error:
        _file(s, MANAGER, JEANNE, title, clock, content=content)
    assert error.value.reason == reason


def test_my_documents_newest_first_paginated_and_only_mine(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        for n in range(7):
            _file(s, MANAGER, JEANNE, f"Quittance {n}", clock)
            clock.advance(days=1)
        _file(s, MANAGER, MARCEL, "Pour Marcel", clock)
    with unit_of_work(sessions) as s:
        jeanne = me_by_email(s, JEANNE)
        first = account.documents_page(s, jeanne, 0)
        assert [d.title for d in first.items] == [f"Quittance {n}" for n in range(6, 1, -1)] and first.has_next
        second = account.documents_page(s, jeanne, 1)
        assert [d.title for d in second.items] == ["Quittance 1", "Quittance 0"] and not second.has_next
        assert [d.title for d in account.documents_page(s, me_by_email(s, MARCEL)).items] == ["Pour Marcel"]
        assert account.documents_page(s, me_by_email(s, LUCIENNE)).items == ()


def test_a_resident_downloads_only_their_own_documents(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        item = _file(s, MANAGER, JEANNE, "Bail", clock, content=b"bail de Jeanne")
    with unit_of_work(sessions) as s:
        file = account.document_file(s, me_by_email(s, JEANNE), item.id)
        assert file.content == b"bail de Jeanne" and file.telegram_file_id is None and file.filename == "bail.pdf"
        for intruder in (MARCEL, LUCIENNE, MANAGER):
            with pytest.raises(NotAllowed):
                account.document_file(s, me_by_email(s, intruder), item.id)
            with pytest.raises(NotAllowed):
                account.remember_telegram_file(s, me_by_email(s, intruder), item.id, "stolen")
        with pytest.raises(NotFound):
            account.document_file(s, me_by_email(s, JEANNE), 999_999)
    with unit_of_work(sessions) as s:
        account.remember_telegram_file(s, me_by_email(s, JEANNE), item.id, "BQACAgQ-file-id")
    with unit_of_work(sessions) as s:
        file = account.document_file(s, me_by_email(s, JEANNE), item.id)
        assert file.telegram_file_id == "BQACAgQ-file-id" and file.content is None
        # When Telegram refuses its copy, the bytes are still there.
        assert account.document_file(s, me_by_email(s, JEANNE), item.id, with_content=True).content == b"bail de Jeanne"


# --- the residence certificate --------------------------------------------------------------------------


def test_the_certificate_is_a_pdf_filed_among_my_documents(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    clock.advance(days=40)
    with unit_of_work(sessions) as s:
        certificate = account.issue_certificate(s, me_by_email(s, JEANNE), clock(), render_certificate)
    assert certificate.content.startswith(b"%PDF")
    assert certificate.filename == "attestation-residence-2027-01-03.pdf"
    text = pdf_text(certificate.content)
    for expected in (
        "ATTESTATION DE RÉSIDENCE",
        "Je soussigné(e), gestionnaire de la résidence Les Belles Années Lyon, atteste que Jeanne Dupont réside à "
        "12 rue de la République, 69002 Lyon, appartement A12, depuis le 24 novembre 2026.",
        "Fait à Lyon, le 3 janvier 2027",
        "Sophie Martin",
    ):
        assert expected in text, (expected, text)
    with unit_of_work(sessions) as s:
        docs = account.documents_page(s, me_by_email(s, JEANNE))
        assert [(d.id, d.kind, d.filename) for d in docs.items] == [
            (certificate.document_id, "attestation", certificate.filename)
        ]
        assert docs.items[0].title == "Attestation de résidence du 3 janvier 2027"
        assert account.document_file(s, me_by_email(s, JEANNE), certificate.document_id).content == certificate.content


def test_the_certificate_speaks_english_and_survives_names_outside_latin1(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        s.execute(
            sa.update(User)
            .where(User.email == MARCEL)
            .values(language="en", first_name="Marcel 🎉", last_name="Lœvy", apartment=None)
        )
    with unit_of_work(sessions) as s:
        certificate = account.issue_certificate(s, me_by_email(s, MARCEL), clock(), render_certificate)
    text = pdf_text(certificate.content)
    assert "RESIDENCE CERTIFICATE" in text
    assert "certify that Marcel ? Loevy lives at 12 rue de la République, 69002 Lyon, since 24 November 2026." in text
    assert "Issued in Lyon on 24 November 2026" in text


def test_no_certificate_without_a_residence(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s, pytest.raises(NotAllowed):
        account.issue_certificate(s, me_by_email(s, ADMIN), clock(), render_certificate)
    with unit_of_work(sessions) as s:
        assert s.scalar(sa.select(sa.func.count(Document.id))) == 0
