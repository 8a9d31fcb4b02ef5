"""Marketplace rules on the services alone, on each backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.emulator import sample_png
from models import (
    Listing,
    ListingKind,
    ListingStatus,
    MarketMessage,
    MarketThread,
    OutboxMessage,
    PointsEntry,
    StoredFile,
    ThreadStatus,
    User,
)
from models.db import unit_of_work
from services import marketplace as market
from services.errors import InvalidInput, NotAllowed, NotFound
from services.marketplace import ListingDraft, PhotoUpload, RelayStatus, StatusAction
from services.people import Me, me_of
from tests.conftest import Clock

FAUTEUIL = "Fauteuil releveur"


def me(session: Session, email: str) -> Me:
    user = session.scalar(sa.select(User).where(User.email == email))
    assert user is not None
    return me_of(session, user)


def listing_id(session: Session, title: str) -> int:
    found = session.scalar(sa.select(Listing.id).where(Listing.title == title))
    assert found is not None
    return found


def link_everyone(session: Session) -> None:
    """Give every demo account a Telegram id, as if they had all signed in."""
    for n, user in enumerate(session.scalars(sa.select(User).order_by(User.id)), start=1):
        user.telegram_id = 10_000 + n


# --- pure rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12", 1200),
        ("12,50", 1250),
        ("12.5 €", 1250),
        ("12.5€", 1250),
        ("€ 7", 700),
        ("1 200 €", 120000),
        ("3 euros", 300),
        ("gratuit", 0),
        ("Free", 0),
        (" 0 ", 0),
        ("100000", 10_000_000),
    ],
)
def test_prices_people_write(text: str, cents: int) -> None:
    assert market.parse_price(text) == cents


@pytest.mark.parametrize("text", ["", "douze", "-5", "12,505", "12..5", "1,2,3", "12 $", "abc €"])
def test_prices_not_understood(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        market.parse_price(text)
    assert error.value.reason == "format"


@pytest.mark.parametrize("text", ["100000,01", "250000", "99999999999"])
def test_prices_too_high(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        market.parse_price(text)
    assert error.value.reason == "too_high" and error.value.details == {"max": 100_000}


def test_lengths_are_checked_after_trimming() -> None:
    assert market.check_title("  Une\n  table  ") == "Une table"
    assert market.check_description("  Belle table.  ") == "Belle table."
    with pytest.raises(InvalidInput) as short:
        market.check_title("  ab ")
    assert short.value.reason == "too_short" and short.value.details["min"] == 3
    with pytest.raises(InvalidInput) as long:
        market.check_title("x" * 81)
    assert long.value.details == {"max": 80, "length": 81}
    with pytest.raises(InvalidInput):
        market.check_description("abcd")
    with pytest.raises(InvalidInput):
        market.check_description("x" * 1001)
    with pytest.raises(InvalidInput):
        market.check_message("   ")
    assert market.check_message("x" * 1000) == "x" * 1000
    with pytest.raises(InvalidInput):
        market.check_message("x" * 1001)


def test_only_images_of_at_most_10_mb() -> None:
    market.check_photo("image/png", 1000)
    market.check_photo("IMAGE/JPEG", None)
    with pytest.raises(InvalidInput) as not_image:
        market.check_photo("application/pdf", 1000)
    assert not_image.value.reason == "not_image"
    with pytest.raises(InvalidInput) as too_big:
        market.check_photo("image/jpeg", 10 * 1024 * 1024 + 1)
    assert too_big.value.reason == "too_big"


# --- reading ---------------------------------------------------------------------------------------


def test_browse_shows_my_residence_open_listings_newest_first(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        jeanne, lucienne = me(s, "resident1@lba.demo"), me(s, "resident3@lba.demo")
        titles = [i.title for i in market.browse(s, jeanne, None, 0, clock()).items]
        assert titles == ["Cherche déambulateur pliant", "Perceuse", "Livres de poche (policiers)", FAUTEUIL]
        assert [i.title for i in market.browse(s, jeanne, ListingKind.SELL, 0, clock()).items] == [FAUTEUIL]
        assert [i.title for i in market.browse(s, lucienne, None, 0, clock()).items] == ["Machine à coudre"]
        s.get(Listing, listing_id(s, "Perceuse")).status = ListingStatus.RESERVED  # type: ignore[union-attr]
        s.get(Listing, listing_id(s, FAUTEUIL)).status = ListingStatus.CLOSED  # type: ignore[union-attr]
        page = market.browse(s, jeanne, None, 0, clock())
        assert [i.title for i in page.items] == ["Cherche déambulateur pliant", "Livres de poche (policiers)"]
        first = page.items[0]
        assert first.author_first_name == "Jeanne" and first.status == ListingStatus.ACTIVE
        assert market.overview(s, jeanne, clock()) == market.Overview("Les Belles Années Lyon", 2, 2)
        # 28 days after: the demo listings (posted two days before) have expired.
        later = clock() + timedelta(days=28)
        assert market.browse(s, jeanne, None, 0, later).items == ()
        mine = market.my_listings(s, jeanne, 0, later)
        assert {i.title: i.status for i in mine.items} == {
            "Cherche déambulateur pliant": ListingStatus.EXPIRED,
            FAUTEUIL: ListingStatus.CLOSED,
        }


def test_pages_of_five_and_a_stale_page_lands_on_the_last(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        marcel = me(s, "resident2@lba.demo")
        for n in range(8):
            market.publish(s, marcel, ListingDraft(ListingKind.GIVE, f"Objet {n}", "Description.", None), clock())
        jeanne = me(s, "resident1@lba.demo")
        first = market.browse(s, jeanne, None, 0, clock())
        assert (first.total, first.pages, len(first.items), first.has_next) == (12, 3, 5, True)
        assert first.items[0].title == "Objet 7"
        last = market.browse(s, jeanne, None, 99, clock())
        assert (last.page, len(last.items), last.has_next) == (2, 2, False)
        assert market.browse(s, jeanne, None, -3, clock()).page == 0
        empty = market.browse(s, jeanne, ListingKind.LEND, 0, clock() + timedelta(days=29))
        assert (empty.total, empty.pages, empty.items) == (0, 1, ())


def test_opening_a_listing(sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        jeanne, marcel = me(s, "resident1@lba.demo"), me(s, "resident2@lba.demo")
        lucienne, sophie = me(s, "resident3@lba.demo"), me(s, "manager@lba.demo")
        fauteuil = listing_id(s, FAUTEUIL)
        view = market.open_listing(s, marcel, fauteuil, clock())
        assert (view.title, view.price_cents, view.author_first_name, view.mine) == (FAUTEUIL, 15000, "Jeanne", False)
        assert market.open_listing(s, jeanne, fauteuil, clock()).mine
        assert market.open_listing(s, sophie, fauteuil, clock()).title == FAUTEUIL  # staff of the residence
        with pytest.raises(NotAllowed):
            market.open_listing(s, lucienne, fauteuil, clock())
        with pytest.raises(NotFound):
            market.open_listing(s, marcel, 424242, clock())
        market.change_status(s, jeanne, fauteuil, StatusAction.RESERVE, clock())
        with pytest.raises(NotFound):  # a neighbour sees it only while it is open
            market.open_listing(s, marcel, fauteuil, clock())
        assert market.open_listing(s, jeanne, fauteuil, clock()).status == ListingStatus.RESERVED


def test_no_market_without_a_residence(sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        admin = me(s, "admin@lba.demo")
        assert admin.residence_id is None
        for call in (
            lambda: market.overview(s, admin, clock()),
            lambda: market.browse(s, admin, None, 0, clock()),
            lambda: market.my_listings(s, admin, 0, clock()),
            lambda: market.open_listing(s, admin, listing_id(s, FAUTEUIL), clock()),
            lambda: market.publish(s, admin, ListingDraft(ListingKind.GIVE, "Titre", "Description", None), clock()),
        ):
            with pytest.raises(NotAllowed):
                call()


# --- publishing and managing ------------------------------------------------------------------------


def test_publish_stores_the_photo_expires_in_30_days_and_pays_once(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    png = sample_png(8, 8)
    with unit_of_work(sessions) as s:
        marcel = me(s, "resident2@lba.demo")
        photo = PhotoUpload(png, "image/png", "table.png", telegram_file_id="tg-file", telegram_unique_id="u1")
        draft = ListingDraft(ListingKind.SELL, "  Table  ", "  Belle table. ", 4500)
        published = market.publish(s, marcel, draft, clock(), photo)
        view = published.listing
        assert published.points == 3
        assert (view.title, view.description, view.price_cents) == ("Table", "Belle table.", 4500)
        assert view.expires_at == clock() + timedelta(days=30) and view.photo_telegram_id == "tg-file"
        stored = s.get(StoredFile, view.photo_id)
        assert stored is not None and stored.content == png and stored.mime_type == "image/png"
        assert market.listing_photo(s, me(s, "resident1@lba.demo"), view.id) == png
        with pytest.raises(NotAllowed):
            market.listing_photo(s, me(s, "resident3@lba.demo"), view.id)
        assert s.get(User, marcel.id).loyalty_points == 3  # type: ignore[union-attr]
        gift = market.publish(s, marcel, ListingDraft(ListingKind.GIVE, "Livres", "Des livres.", 999), clock())
        assert gift.listing.price_cents is None and gift.points == 3  # giving is free, whatever was typed
        refs = s.scalars(sa.select(PointsEntry.ref).where(PointsEntry.rule == "listing_published")).all()
        assert sorted(refs) == sorted([f"listing:{view.id}", f"listing:{gift.listing.id}"])


def test_publish_checks_every_answer_again(sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        marcel = me(s, "resident2@lba.demo")
        bad = [
            (ListingDraft(ListingKind.SELL, "ab", "Description", 100), "title"),
            (ListingDraft(ListingKind.SELL, "Titre", "abc", 100), "description"),
            (ListingDraft(ListingKind.SELL, "Titre", "Description", None), "price"),
            (ListingDraft(ListingKind.SELL, "Titre", "Description", -1), "price"),
            (ListingDraft(ListingKind.SELL, "Titre", "Description", 10_000_001), "price"),
        ]
        for draft, field in bad:
            with pytest.raises(InvalidInput) as error:
                market.publish(s, marcel, draft, clock())
            assert error.value.field == field
        with pytest.raises(InvalidInput) as error:
            market.publish(
                s,
                marcel,
                ListingDraft(ListingKind.GIVE, "Titre", "Description", None),
                clock(),
                PhotoUpload(b"%PDF", "application/pdf"),
            )
        assert error.value.field == "photo"
        with pytest.raises(InvalidInput):
            too_big = PhotoUpload(b"x" * (10 * 1024 * 1024 + 1), "image/jpeg")
            market.publish(s, marcel, ListingDraft(ListingKind.GIVE, "Titre", "Description", None), clock(), too_big)
        assert s.scalar(sa.select(sa.func.count(Listing.id)).where(Listing.author_id == marcel.id)) == 2


def test_status_changes_follow_the_life_of_a_listing(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        jeanne = me(s, "resident1@lba.demo")
        fauteuil = listing_id(s, FAUTEUIL)
        assert market.change_status(s, jeanne, fauteuil, StatusAction.RESERVE, clock()).status == ListingStatus.RESERVED
        with pytest.raises(InvalidInput):
            market.change_status(s, jeanne, fauteuil, StatusAction.RESERVE, clock())
        assert market.change_status(s, jeanne, fauteuil, StatusAction.CLOSE, clock()).status == ListingStatus.CLOSED
        with pytest.raises(InvalidInput):
            market.change_status(s, jeanne, fauteuil, StatusAction.CLOSE, clock())
        assert market.change_status(s, jeanne, fauteuil, StatusAction.REOPEN, clock()).status == ListingStatus.ACTIVE
        with pytest.raises(InvalidInput):
            market.change_status(s, jeanne, fauteuil, StatusAction.REOPEN, clock())
        # An expired listing put back online gets 30 more days from now.
        later = clock() + timedelta(days=40)
        view = market.change_status(s, jeanne, fauteuil, StatusAction.REOPEN, later)
        assert view.status == ListingStatus.ACTIVE and view.expires_at == later + timedelta(days=30)


def test_only_the_author_manages(sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        fauteuil = listing_id(s, FAUTEUIL)
        for email, error in (
            ("resident2@lba.demo", NotAllowed),
            ("manager@lba.demo", NotAllowed),
            ("resident3@lba.demo", NotAllowed),
        ):
            other = me(s, email)
            for action in StatusAction:
                with pytest.raises(error):
                    market.change_status(s, other, fauteuil, action, clock())
            with pytest.raises(error):
                market.delete_listing(s, other, fauteuil, clock())
        assert s.get(Listing, fauteuil).status == ListingStatus.ACTIVE  # type: ignore[union-attr]


def test_delete_is_soft_and_ends_the_conversations(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        link_everyone(s)
        jeanne, marcel = me(s, "resident1@lba.demo"), me(s, "resident2@lba.demo")
        fauteuil = listing_id(s, FAUTEUIL)
        relay = market.send_contact(s, marcel, fauteuil, "Bonjour", clock())
        assert market.delete_listing(s, jeanne, fauteuil, clock()) == FAUTEUIL
        assert s.get(Listing, fauteuil).status == ListingStatus.DELETED  # type: ignore[union-attr]
        assert s.get(MarketThread, relay.thread_id).status == ThreadStatus.CLOSED  # type: ignore[union-attr]
        with pytest.raises(NotFound):
            market.open_listing(s, jeanne, fauteuil, clock())
        with pytest.raises(NotFound):
            market.delete_listing(s, jeanne, fauteuil, clock())
        assert market.send_reply(s, jeanne, relay.thread_id, "Trop tard", clock()).status == RelayStatus.CLOSED  # type: ignore[arg-type]
        assert FAUTEUIL not in [i.title for i in market.my_listings(s, jeanne, 0, clock()).items]


# --- relayed conversations ---------------------------------------------------------------------------


def outbox_rows(s: Session) -> list[OutboxMessage]:
    return list(s.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_conversation_both_ways(sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        link_everyone(s)
        jeanne, marcel = me(s, "resident1@lba.demo"), me(s, "resident2@lba.demo")
        fauteuil = listing_id(s, FAUTEUIL)
        ready = market.prepare_contact(s, marcel, fauteuil, clock())
        assert (ready.status, ready.other_first_name, ready.thread_id) == (RelayStatus.OK, "Jeanne", None)
        sent = market.send_contact(s, marcel, fauteuil, "  Disponible ?  ", clock())
        assert sent.status == RelayStatus.OK and sent.thread_id is not None
        again = market.send_contact(s, marcel, fauteuil, "Toujours ?", clock())
        assert again.thread_id == sent.thread_id  # one thread per listing and buyer
        assert market.prepare_reply(s, jeanne, sent.thread_id, clock()).other_first_name == "Marcel"
        assert market.send_reply(s, jeanne, sent.thread_id, "Oui", clock()).status == RelayStatus.OK
        assert market.send_reply(s, marcel, sent.thread_id, "Super", clock()).status == RelayStatus.OK
        assert market.thread_messages(s, jeanne, sent.thread_id) == [
            ("Marcel", "Disponible ?"),
            ("Marcel", "Toujours ?"),
            ("Jeanne", "Oui"),
            ("Marcel", "Super"),
        ]
        rows = outbox_rows(s)
        assert [r.user_id for r in rows] == [jeanne.id, jeanne.id, marcel.id, jeanne.id]
        first = rows[0]
        assert first.kind == "market_relay" and first.payload["key"] == "mk.relay.message"
        assert first.payload["params"] == {"name": "Marcel", "title": FAUTEUIL, "text": "Disponible ?"}
        assert first.payload["buttons"] == [
            [
                {"key": "mk.btn.reply", "data": f"mk:reply:{sent.thread_id}"},
                {"key": "mk.btn.end", "data": f"mk:end:{sent.thread_id}"},
            ]
        ]
        # Ending: the other side is told once; ending again changes nothing and tells nobody.
        ended = market.end_conversation(s, jeanne, sent.thread_id, clock())
        assert ended.status == RelayStatus.OK and ended.other_first_name == "Marcel"
        assert market.end_conversation(s, marcel, sent.thread_id, clock()).status == RelayStatus.CLOSED
        rows = outbox_rows(s)
        assert len(rows) == 5 and rows[-1].user_id == marcel.id and rows[-1].payload["key"] == "mk.relay.ended_by_other"
        assert market.send_reply(s, marcel, sent.thread_id, "Encore ?", clock()).status == RelayStatus.CLOSED
        assert market.prepare_reply(s, marcel, sent.thread_id, clock()).status == RelayStatus.CLOSED
        assert len(outbox_rows(s)) == 5
        assert s.scalar(sa.select(sa.func.count(MarketMessage.id))) == 4


def test_who_may_start_again_after_an_end(sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        link_everyone(s)
        jeanne, marcel = me(s, "resident1@lba.demo"), me(s, "resident2@lba.demo")
        fauteuil, perceuse = listing_id(s, FAUTEUIL), listing_id(s, "Perceuse")
        # The seller ended it: the buyer cannot reopen it.
        thread = market.send_contact(s, marcel, fauteuil, "Bonjour", clock()).thread_id
        market.end_conversation(s, jeanne, thread, clock())  # type: ignore[arg-type]
        assert market.prepare_contact(s, marcel, fauteuil, clock()).status == RelayStatus.CLOSED
        assert market.send_contact(s, marcel, fauteuil, "Allô ?", clock()).status == RelayStatus.CLOSED
        # The buyer ended it himself: writing again reopens it.
        thread = market.send_contact(s, jeanne, perceuse, "Bonjour", clock()).thread_id
        market.end_conversation(s, jeanne, thread, clock())  # type: ignore[arg-type]
        assert market.prepare_contact(s, jeanne, perceuse, clock()).status == RelayStatus.OK
        assert market.send_contact(s, jeanne, perceuse, "Re-bonjour", clock()).thread_id == thread
        assert s.get(MarketThread, thread).status == ThreadStatus.OPEN  # type: ignore[union-attr]


def test_contact_is_for_neighbours_on_open_listings_not_for_oneself(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        link_everyone(s)
        jeanne, lucienne = me(s, "resident1@lba.demo"), me(s, "resident3@lba.demo")
        marcel = me(s, "resident2@lba.demo")
        fauteuil = listing_id(s, FAUTEUIL)
        with pytest.raises(market.OwnListing):
            market.prepare_contact(s, jeanne, fauteuil, clock())
        with pytest.raises(market.OwnListing):
            market.send_contact(s, jeanne, fauteuil, "Moi ?", clock())
        with pytest.raises(NotAllowed):
            market.prepare_contact(s, lucienne, fauteuil, clock())
        with pytest.raises(NotAllowed):
            market.send_contact(s, lucienne, fauteuil, "Bonjour de Bordeaux", clock())
        market.change_status(s, jeanne, fauteuil, StatusAction.CLOSE, clock())
        with pytest.raises(NotFound):
            market.send_contact(s, marcel, fauteuil, "Encore là ?", clock())
        with pytest.raises(NotFound):
            market.prepare_contact(
                s, marcel, listing_id(s, "Cherche déambulateur pliant"), clock() + timedelta(days=29)
            )
        with pytest.raises(InvalidInput):
            market.send_contact(s, marcel, listing_id(s, "Cherche déambulateur pliant"), "x" * 1001, clock())
        assert outbox_rows(s) == [] and s.scalar(sa.select(sa.func.count(MarketThread.id))) == 0


def test_only_the_two_parties_use_a_conversation(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        link_everyone(s)
        marcel = me(s, "resident2@lba.demo")
        thread = market.send_contact(s, marcel, listing_id(s, FAUTEUIL), "Bonjour", clock()).thread_id
        assert thread is not None
        for email in ("manager@lba.demo", "resident3@lba.demo", "admin@lba.demo"):
            outsider = me(s, email)
            calls = (
                (market.prepare_reply, (thread, clock())),
                (market.send_reply, (thread, "Intrus", clock())),
                (market.end_conversation, (thread, clock())),
                (market.thread_messages, (thread,)),
            )
            for call, args in calls:
                with pytest.raises(NotAllowed):
                    call(s, outsider, *args)  # type: ignore[operator]
        with pytest.raises(NotAllowed):
            market.prepare_reply(s, marcel, 424242, clock())
        assert len(outbox_rows(s)) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"active": False},  # departed / deactivated
        {"unreachable_since": "now"},  # blocked the bot
        {"telegram_id": None},  # never linked Telegram
        {"residence_id": None},  # moved out of the residence
    ],
)
def test_nothing_is_queued_for_a_neighbour_who_cannot_be_reached(
    sessions: sessionmaker[Session], demo: dict[str, int], clock: Clock, change: dict[str, object]
) -> None:
    with unit_of_work(sessions) as s:
        link_everyone(s)
        jeanne, marcel = me(s, "resident1@lba.demo"), me(s, "resident2@lba.demo")
        fauteuil = listing_id(s, FAUTEUIL)
        thread = market.send_contact(s, marcel, fauteuil, "Bonjour", clock()).thread_id
        assert thread is not None
        values = {k: (clock() if v == "now" else v) for k, v in change.items()}
        s.execute(sa.update(User).where(User.id == jeanne.id).values(**values))
        assert market.prepare_contact(s, marcel, fauteuil, clock()).status == RelayStatus.UNREACHABLE
        assert market.send_contact(s, marcel, fauteuil, "Allô ?", clock()).status == RelayStatus.UNREACHABLE
        assert market.send_reply(s, marcel, thread, "Allô ?", clock()).status == RelayStatus.UNREACHABLE
        assert market.end_conversation(s, marcel, thread, clock()).status == RelayStatus.OK
        assert len(outbox_rows(s)) == 1  # only the first message, sent while she could be reached
        assert s.scalar(sa.select(sa.func.count(MarketMessage.id))) == 1
