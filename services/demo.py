"""The demo data of `seed-demo`: two residences, their spaces, people and a little life.

Every row is found by a natural key before it is created, so running the seed twice (or on a
database that already has some of it) creates nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    Base,
    Event,
    HistoryKind,
    Incident,
    IncidentCategory,
    IncidentHistory,
    IncidentStatus,
    Listing,
    ListingKind,
    Participation,
    ParticipationStatus,
    Reservation,
    ReservationSlot,
    Residence,
    Role,
    Space,
    SpaceKind,
    Urgency,
    User,
)
from services.auth import hash_secret

DEMO_PASSWORD = "demo1234"
LYON = "Les Belles Années Lyon"
BORDEAUX = "Les Belles Années Bordeaux"

T = TypeVar("T", bound=Base)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: Role
    residence: str | None
    apartment: str | None
    phone: str | None


DEMO_ACCOUNTS = (
    DemoAccount("manager@lba.demo", "Sophie", "Martin", Role.MANAGER, LYON, None, "+33 4 72 00 00 01"),
    DemoAccount("resident1@lba.demo", "Jeanne", "Dupont", Role.RESIDENT, LYON, "A12", "+33 6 12 34 56 01"),
    DemoAccount("resident2@lba.demo", "Marcel", "Bernard", Role.RESIDENT, LYON, "B04", "+33 6 12 34 56 02"),
    DemoAccount("resident3@lba.demo", "Lucienne", "Moreau", Role.RESIDENT, BORDEAUX, "C21", None),
    DemoAccount("admin@lba.demo", "Alain", "Lefèvre", Role.ADMIN, None, None, None),
)

RESIDENCES = (
    (LYON, "Lyon", "12 rue de la République, 69002 Lyon", 120),
    (BORDEAUX, "Bordeaux", "8 cours de l'Intendance, 33000 Bordeaux", 90),
)

# name, kind, description, capacity, opens, closes, slot, notice, advance days, max duration, quota, cancel
SPACES: tuple[tuple[Any, ...], ...] = (
    (
        "Salle commune",
        SpaceKind.COMMON_ROOM,
        "Grande salle avec cuisine, 30 personnes",
        1,
        time(9),
        time(22),
        60,
        120,
        30,
        240,
        2,
        24 * 60,
    ),
    ("Laverie", SpaceKind.LAUNDRY, "3 machines à laver et 2 sèche-linge", 3, time(7), time(22), 60, 15, 7, 120, 4, 30),
    (
        "Salle de sport",
        SpaceKind.GYM,
        "Appareils cardio et musculation douce",
        1,
        time(7),
        time(21),
        60,
        30,
        7,
        60,
        5,
        60,
    ),
    (
        "Chambre d'amis",
        SpaceKind.GUEST_ROOM,
        "Chambre double pour vos invités (nuitée)",
        1,
        time(0),
        time(23, 59),
        24 * 60,
        24 * 60,
        60,
        3 * 24 * 60,
        1,
        48 * 60,
    ),
)


def _get_or_create(session: Session, model: type[T], where: dict[str, Any], **values: Any) -> tuple[T, bool]:
    row = session.scalar(sa.select(model).filter_by(**where))
    if row is not None:
        return row, False
    row = model(**where, **values)
    session.add(row)
    session.flush()
    return row, True


def seed_demo(session: Session, *, now: datetime, rounds: int = 12) -> dict[str, int]:
    """Create what is missing of the demo data; returns how many rows of each kind were created."""
    created: dict[str, int] = {}

    def count(kind: str, was_created: bool) -> None:
        created[kind] = created.get(kind, 0) + int(was_created)

    residences: dict[str, Residence] = {}
    for name, city, address, capacity in RESIDENCES:
        residence, new = _get_or_create(
            session,
            Residence,
            {"name": name},
            city=city,
            address=address,
            capacity=capacity,
            timezone="Europe/Paris",
            created_at=now,
        )
        residences[name] = residence
        count("residences", new)
        for s_name, kind, desc, cap, opens, closes, slot, notice, advance, max_dur, quota, cancel in SPACES:
            _, new = _get_or_create(
                session,
                Space,
                {"residence_id": residence.id, "name": s_name},
                kind=kind,
                description=desc,
                capacity=cap,
                opens_at=opens,
                closes_at=closes,
                slot_minutes=slot,
                min_notice_minutes=notice,
                max_advance_days=advance,
                max_duration_minutes=max_dur,
                weekly_quota=quota,
                cancel_deadline_minutes=cancel,
                created_at=now,
            )
            count("spaces", new)

    password_hash: str | None = None
    users: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        existing = session.scalar(sa.select(User).where(User.email == account.email))
        count("users", existing is None)
        if existing is None:
            password_hash = password_hash or hash_secret(DEMO_PASSWORD, rounds)
            existing = User(
                email=account.email,
                password_hash=password_hash,
                first_name=account.first_name,
                last_name=account.last_name,
                role=account.role,
                residence_id=residences[account.residence].id if account.residence else None,
                apartment=account.apartment,
                phone=account.phone,
                language="fr",
                created_at=now,
            )
            session.add(existing)
            session.flush()
        users[account.email] = existing

    _seed_life(session, residences, users, now, count)
    from services.demo_faq import seed_faq  # here: demo_faq reads this module's data

    created["faq_entries"] = seed_faq(session, {name: r.id for name, r in residences.items()}, now)
    return created


def _seed_life(
    session: Session,
    residences: dict[str, Residence],
    users: dict[str, User],
    now: datetime,
    count: Any,
) -> None:
    tz = ZoneInfo("Europe/Paris")
    today = now.astimezone(tz).date()

    def local(days: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, minute), tz)

    lyon, bordeaux = residences[LYON], residences[BORDEAUX]
    manager = users["manager@lba.demo"]
    r1, r2, r3 = (users[f"resident{i}@lba.demo"] for i in (1, 2, 3))

    events = (
        (lyon, manager, "Loto de l'automne", "Salle commune", local(3, 15), 40, "Cartons offerts, goûter à la pause."),
        (lyon, manager, "Atelier tablette", "Salle commune", local(6, 10), 8, "Apprendre les appels vidéo."),
        (lyon, r2, "Promenade au parc de la Tête d'Or", "Hall d'entrée", local(9, 14, 30), 12, "Balade douce."),
        (bordeaux, None, "Dégustation de canelés", "Salle commune", local(4, 16), 25, "Avec la pâtisserie voisine."),
        (bordeaux, None, "Chorale", "Salle commune", local(7, 17), 30, "Répétition ouverte à tous."),
    )
    event_rows: dict[str, Event] = {}
    for residence, organizer, title, place, starts, capacity, description in events:
        row, new = _get_or_create(
            session,
            Event,
            {"residence_id": residence.id, "title": title},
            organizer_id=organizer.id if organizer else None,
            location=place,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            description=description,
            created_at=now,
        )
        event_rows[title] = row
        count("events", new)
    for user, title in ((r1, "Loto de l'automne"), (r2, "Loto de l'automne"), (r1, "Atelier tablette")):
        event = event_rows[title]
        taken = session.scalar(sa.select(sa.func.max(Participation.seat)).where(Participation.event_id == event.id))
        _, new = _get_or_create(
            session,
            Participation,
            {"event_id": event.id, "user_id": user.id},
            status=ParticipationStatus.REGISTERED,
            seat=(taken or 0) + 1,
            created_at=now,
        )
        count("participations", new)

    listings = (
        (lyon, r1, ListingKind.SELL, "Fauteuil releveur", "Très bon état, télécommande incluse.", 15000),
        (lyon, r2, ListingKind.GIVE, "Livres de poche (policiers)", "Une vingtaine, à venir chercher.", None),
        (lyon, r2, ListingKind.LEND, "Perceuse", "Prêt pour un week-end.", None),
        (lyon, r1, ListingKind.BUY, "Cherche déambulateur pliant", "Léger, pour les sorties.", None),
        (bordeaux, r3, ListingKind.SELL, "Machine à coudre", "Singer, révisée l'an dernier.", 6000),
    )
    for residence, author, kind, title, description, price in listings:
        _, new = _get_or_create(
            session,
            Listing,
            {"author_id": author.id, "title": title},
            residence_id=residence.id,
            kind=kind,
            description=description,
            price_cents=price,
            created_at=now - timedelta(days=2),
            expires_at=now + timedelta(days=28),
        )
        count("listings", new)

    incidents = (
        (
            lyon,
            r1,
            IncidentCategory.PLUMBING,
            "Appartement A12",
            "Le robinet de la cuisine goutte sans arrêt.",
            Urgency.NORMAL,
            IncidentStatus.NEW,
        ),
        (
            lyon,
            r2,
            IncidentCategory.ELEVATOR,
            "Ascenseur bâtiment B",
            "L'ascenseur s'arrête entre deux étages.",
            Urgency.URGENT,
            IncidentStatus.TAKEN,
        ),
        (
            lyon,
            r1,
            IncidentCategory.HEATING,
            "Appartement A12",
            "Le radiateur de la chambre reste froid.",
            Urgency.NORMAL,
            IncidentStatus.IN_PROGRESS,
        ),
        (
            lyon,
            r2,
            IncidentCategory.ELECTRICITY,
            "Couloir 2e étage",
            "Deux ampoules grillées dans le couloir.",
            Urgency.LOW,
            IncidentStatus.RESOLVED,
        ),
        (
            bordeaux,
            r3,
            IncidentCategory.LOCKSMITH,
            "Appartement C21",
            "La serrure de la porte d'entrée force.",
            Urgency.NORMAL,
            IncidentStatus.NEW,
        ),
    )
    for days_ago, (residence, reporter, category, place, description, urgency, status) in enumerate(incidents, 1):
        created_at = now - timedelta(days=days_ago)
        row, new = _get_or_create(
            session,
            Incident,
            {"reporter_id": reporter.id, "description": description},
            residence_id=residence.id,
            category=category,
            location=place,
            in_private_unit=place.startswith("Appartement"),
            urgency=urgency,
            status=status,
            assignee_id=manager.id if status != IncidentStatus.NEW and residence is lyon else None,
            taken_at=created_at + timedelta(hours=2) if status != IncidentStatus.NEW else None,
            resolved_at=created_at + timedelta(days=1) if status == IncidentStatus.RESOLVED else None,
            created_at=created_at,
        )
        count("incidents", new)
        if new:
            session.add(
                IncidentHistory(
                    incident_id=row.id,
                    actor_id=reporter.id,
                    kind=HistoryKind.CREATED,
                    to_status=IncidentStatus.NEW,
                    created_at=created_at,
                )
            )
            if status != IncidentStatus.NEW:
                session.add(
                    IncidentHistory(
                        incident_id=row.id,
                        actor_id=manager.id,
                        kind=HistoryKind.STATUS,
                        from_status=IncidentStatus.NEW,
                        to_status=status,
                        created_at=created_at + timedelta(hours=2),
                    )
                )

    laundry = session.scalar(sa.select(Space).where(Space.residence_id == lyon.id, Space.name == "Laverie"))
    gym = session.scalar(sa.select(Space).where(Space.residence_id == lyon.id, Space.name == "Salle de sport"))
    assert laundry is not None and gym is not None
    for user, space, start in ((r1, laundry, local(2, 10)), (r2, gym, local(1, 9))):
        reservation, new = _get_or_create(
            session,
            Reservation,
            {"user_id": user.id, "space_id": space.id},
            start_at=start,
            end_at=start + timedelta(minutes=space.slot_minutes),
            created_at=now,
        )
        count("reservations", new)
        if new:  # the booking holds its slot like any other (see ReservationSlot)
            session.add(
                ReservationSlot(
                    reservation_id=reservation.id, space_id=space.id, user_id=user.id, slot_start=start, unit=1
                )
            )


# --- load data: many generated residents, for delivery at scale --------------------------------------

LOAD_DOMAIN = "load.lba.demo"
LOAD_TELEGRAM_BASE = 1_000_000
LOAD_CHUNK = 1000
LOAD_FIRST_NAMES = (
    "Jeanne", "Marcel", "Yvette", "Robert", "Simone", "André", "Germaine", "René", "Madeleine", "Lucien",
    "Paulette", "Henri", "Odette", "Raymond", "Suzanne", "Georges", "Colette", "Maurice", "Hélène", "Roger",
    "Marguerite", "Gérard", "Jacqueline", "Bernard", "Monique", "Claude", "Denise", "Michel", "Françoise", "Pierre",
    "Thérèse", "Jean", "Geneviève", "Louis", "Ginette", "Émile", "Solange", "Fernand", "Lucienne", "Armand",
)  # fmt: skip
LOAD_LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure", "André",
    "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
    "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
    "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
)  # fmt: skip
LOAD_BUILDINGS = "ABCDEFGH"


def load_email(number: int) -> str:
    return f"resident-{number:04d}@{LOAD_DOMAIN}"


def _load_row(
    number: int, residence_id: int, password_hash: str, telegram_id: int | None, now: datetime
) -> dict[str, Any]:
    """Resident number n, always the same; the steps make neighbours differ and use every name pair."""
    first = LOAD_FIRST_NAMES[(number * 7) % len(LOAD_FIRST_NAMES)]
    last = LOAD_LAST_NAMES[(number * 13 + number // len(LOAD_FIRST_NAMES)) % len(LOAD_LAST_NAMES)]
    building = LOAD_BUILDINGS[(number - 1) % len(LOAD_BUILDINGS)]
    door = 1 + ((number - 1) // len(LOAD_BUILDINGS)) % 999
    return {
        "email": load_email(number),
        "password_hash": password_hash,
        "first_name": first,
        "last_name": last,
        "role": Role.RESIDENT,
        "residence_id": residence_id,
        "apartment": f"{building}{door:03d}",
        "telegram_id": telegram_id,
        # One in ten reads English, so a broadcast exercises both catalogs.
        "language": "en" if number % 10 == 0 else "fr",
        "created_at": now,
    }


def seed_load_residents(session: Session, count: int, *, now: datetime, rounds: int = 12) -> int:
    """Add the generated residents 1..count that are missing; returns how many were added.

    They live in the Lyon residence and are linked to the Telegram users 1000001..1000000+count
    (a Telegram id already linked to someone else is left unset rather than stolen). One bcrypt
    hash of the demo password serves them all, and rows go in by the thousand, so ten thousand
    residents take seconds rather than hours of hashing.
    """
    if count < 0:
        raise ValueError("count must be 0 or more")
    lyon = session.scalar(sa.select(Residence).where(Residence.name == LYON))
    if lyon is None:
        raise LookupError(f"the residence {LYON!r} is missing: seed the demo data first")
    existing = set(session.scalars(sa.select(User.email).where(User.email.like(f"%@{LOAD_DOMAIN}"))))
    missing = [n for n in range(1, count + 1) if load_email(n) not in existing]
    if not missing:
        return 0
    taken = set(
        session.scalars(
            sa.select(User.telegram_id).where(
                User.telegram_id.between(LOAD_TELEGRAM_BASE + 1, LOAD_TELEGRAM_BASE + count)
            )
        )
    )
    password_hash = hash_secret(DEMO_PASSWORD, rounds)
    rows = []
    for number in missing:
        telegram_id = LOAD_TELEGRAM_BASE + number
        rows.append(_load_row(number, lyon.id, password_hash, None if telegram_id in taken else telegram_id, now))
    for start in range(0, len(rows), LOAD_CHUNK):
        session.execute(sa.insert(User), rows[start : start + LOAD_CHUNK])
    session.flush()
    return len(rows)
