"""The local understanding (services/nlu.py): accuracy on the labelled set, and the readings each flow relies on."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest

from bench.nlu_accuracy import evaluate, load_items
from models import IncidentCategory, ListingKind, SpaceKind, Urgency
from services.assistant_types import INTENTS
from services.incidents import COMMON_PLACES, HOME
from services.nlu import MAX_CHARS, SLOTS_OF, understand

TUESDAY = date(2026, 11, 24)
ITEMS = load_items()


def slots(text: str, today: date = TUESDAY) -> dict[str, str]:
    return understand(text, today=today).slots


def intent(text: str, today: date = TUESDAY) -> str:
    return understand(text, today=today).intent


# --- the labelled set ---------------------------------------------------------------------------------------


def test_labelled_set_is_large_varied_and_split() -> None:
    assert len(ITEMS) >= 120
    splits = Counter(item.split for item in ITEMS)
    assert splits["heldout"] >= 30
    per_intent = Counter(item.intent for item in ITEMS)
    assert {name for name in INTENTS if per_intent[name] < 5} == set()
    french = sum(item.lang == "fr" for item in ITEMS) / len(ITEMS)
    assert 0.6 <= french <= 0.8
    slot_kinds = {name for item in ITEMS for name in item.slots}
    assert slot_kinds == {name for names in SLOTS_OF.values() for name in names}


def test_intent_and_slot_accuracy_reach_ninety_percent() -> None:
    overall = evaluate(ITEMS).sets["overall"]
    assert overall.intent >= 0.90, f"intent accuracy {overall.intent:.1%}"
    assert overall.slot >= 0.90, f"slot accuracy {overall.slot:.1%}"
    assert overall.language >= 0.95, f"language accuracy {overall.language:.1%}"


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.text[:40])
def test_every_answer_is_well_formed(item) -> None:
    got = understand(item.text, today=item.today)
    assert got.intent in INTENTS
    assert 0.0 <= got.confidence <= 1.0
    assert got.language in ("fr", "en")
    assert set(got.slots) <= set(SLOTS_OF.get(got.intent, ()))
    valid = {
        "category": {c.value for c in IncidentCategory},
        "urgency": {u.value for u in Urgency},
        "place": {HOME, *COMMON_PLACES},
        "space": {s.value for s in SpaceKind},
        "kind": {k.value for k in ListingKind},
        "period": {"morning", "afternoon", "evening"},
    }
    for name, value in got.slots.items():
        if name in valid:
            assert value in valid[name], (name, value)
    if "date" in got.slots:
        assert date.fromisoformat(got.slots["date"]) >= item.today
    if "time" in got.slots:
        hour, minute = map(int, got.slots["time"].split(":"))
        assert 0 <= hour <= 23 and 0 <= minute <= 59
    for name, value in item.slots.items():  # the labels themselves use only real values
        if name in valid:
            assert value in valid[name], (item.text, name, value)


# --- the "done when" sentences ------------------------------------------------------------------


def test_the_leak_in_my_bathroom_is_a_plumbing_report_at_home() -> None:
    got = understand("Il y a une fuite d'eau dans ma salle de bain", today=TUESDAY)
    assert (got.intent, got.slots, got.language) == (
        "report_incident",
        {"category": "plumbing", "place": "home"},
        "fr",
    )
    assert got.confidence >= 0.5


def test_booking_the_laundry_tomorrow_at_ten() -> None:
    got = understand("Je veux réserver la laverie demain à 10h", today=TUESDAY)
    assert got.intent == "book_space"
    assert got.slots == {"space": "laundry", "date": "2026-11-25", "time": "10:00"}
    assert got.confidence >= 0.5


def test_asking_when_the_gym_opens_is_a_question_not_a_booking() -> None:
    got = understand("À quelle heure ouvre la salle de sport ?", today=TUESDAY)
    assert got.intent == "question"
    assert got.slots == {"space": "gym"}
    assert intent("Est-ce que la salle de sport est libre jeudi matin ?") == "book_space"
    assert intent("What time does the gym open?") == "question"
    assert intent("Can I book the gym on Saturday morning?") == "book_space"


@pytest.mark.parametrize("text", ["asdfghjkl", "blablabla", "???", "42", "😀😀😀", "xkcd qwerty zorg", "...", "\x00"])
def test_nonsense_is_unknown_and_unsure(text: str) -> None:
    got = understand(text, today=TUESDAY)
    assert got.intent == "unknown"
    assert got.confidence < 0.5
    assert got.slots == {}


# --- intents -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bonjour", "greeting"),
        ("Bonjour, je voudrais réserver la laverie", "book_space"),
        ("Bonjour Madame, depuis hier soir l'eau coule du plafond de ma cuisine", "report_incident"),
        ("merci beaucoup", "thanks"),
        ("merci, mais où est la laverie ?", "question"),
        ("que sais-tu faire ?", "help"),
        ("c'est quand le prochain loto ?", "events"),
        ("quelles sont les activités cette semaine", "events"),
        ("je vends un fauteuil", "market"),
        ("quelqu'un donne un vélo ?", "market"),
        ("mes réservations", "my_bookings"),
        ("annuler ma réservation de la laverie", "my_bookings"),
        ("où en est mon signalement", "my_incidents"),
        ("changer mon téléphone", "account"),
        ("mes points", "account"),
        ("où jeter le verre ?", "question"),
        ("comment payer le loyer ?", "question"),
        ("je voudrais signaler un problème", "report_incident"),
        ("je veux réserver pour le loto", "events"),
    ],
)
def test_intents(text: str, expected: str) -> None:
    assert intent(text) == expected


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("il y a une fuite sous mon évier", "plumbing"),
        ("mon radiateur ne chauffe plus", "heating"),
        ("l'ascenseur est en panne", "elevator"),
        ("j'ai perdu ma clé", "locksmith"),
        ("la porte ne ferme plus", "locksmith"),
        ("la lumière du couloir ne marche plus", "electricity"),
        ("la prise de ma chambre ne marche pas", "electricity"),
        ("plus de courant chez moi", "electricity"),
        ("voisin bruyant tous les soirs", "noise"),
        ("tapage nocturne au 3ème", "noise"),
        ("le hall est sale", "common_areas"),
        ("les poubelles débordent", "common_areas"),
        ("Plus d'ascenseur au bâtiment C", "elevator"),
        ("I have no heating", "heating"),
    ],
)
def test_incident_categories(text: str, category: str) -> None:
    got = understand(text, today=TUESDAY)
    assert got.intent == "report_incident"
    assert got.slots["category"] == category


def test_typos_of_one_letter_and_spelling_by_ear_on_long_words() -> None:
    assert slots("l'acsenseur est en panne") == {"category": "elevator", "place": "elevator"}
    assert intent("je voudrais resrver la salle de sport") == "book_space"
    assert slots("le chofage marche pas")["category"] == "heating"
    # A near word that is two letters away is not taken for a cue ("roulant" is not "brûlant").
    assert slots("mon volet roulant est bloqué") == {"place": "home"}


# --- urgency and place ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("Ça coule partout dans la cuisine, c'est une inondation !", "urgent"),
        ("il y a de la fumée dans le local poubelle", "urgent"),
        ("odeur de gaz dans l'escalier", "urgent"),
        ("je suis bloquée dans l'ascenseur", "urgent"),
        ("fuite sous l'évier, venez vite", "urgent"),
        ("water everywhere in the laundry room!", "urgent"),
        ("le robinet goutte, pas pressé", "low"),
        ("l'ampoule est grillée, quand vous pourrez", "low"),
        ("the tap is dripping, no rush", "low"),
        ("fuite sous l'évier, pas urgent", "low"),
        ("je n'ai plus d'eau chaude", None),
        ("mon radiateur ne chauffe plus", None),
    ],
)
def test_urgency(text: str, urgency: str | None) -> None:
    got = understand(text, today=TUESDAY)
    assert got.intent == "report_incident"
    assert got.slots.get("urgency") == urgency


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("fuite dans ma salle de bain", "home"),
        ("mon évier fuit", "home"),
        ("plus de courant chez moi", "home"),
        ("mon radiateur ne chauffe plus", "home"),
        ("la lumière du couloir ne marche plus", "corridors"),
        ("le hall est sale", "hall"),
        ("tags dans l'escalier", "stairs"),
        ("la porte du parking est cassée", "parking"),
        ("les poubelles du jardin débordent", "garden"),
        ("la machine de la laverie est cassée", "laundry"),
        ("the heating is off in the common room", "common_room"),
        ("l'ascenseur est en panne", "elevator"),
        ("le radiateur ne chauffe plus", None),
        ("j'ai perdu ma clé", None),
    ],
)
def test_place(text: str, place: str | None) -> None:
    got = understand(text, today=TUESDAY)
    assert got.intent == "report_incident"
    assert got.slots.get("place") == place


# --- spaces, dates and times ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "space"),
    [
        ("réserver la laverie", "laundry"),
        ("réserver une machine à laver", "laundry"),
        ("réserver le sèche-linge", "laundry"),
        ("book the laundry", "laundry"),
        ("réserver la salle de sport", "gym"),
        ("réserver la salle de musculation", "gym"),
        ("book the gym", "gym"),
        ("réserver la salle commune", "common_room"),
        ("réserver la salle polyvalente", "common_room"),
        ("book the party room", "common_room"),
        ("réserver la chambre d'amis", "guest_room"),
        ("réserver la chambre d'hôtes", "guest_room"),
        ("book the guest room", "guest_room"),
    ],
)
def test_spaces(text: str, space: str) -> None:
    assert slots(text) == {"space": space}


@pytest.mark.parametrize(
    ("today", "words", "expected"),
    [
        (TUESDAY, "aujourd'hui", "2026-11-24"),
        (TUESDAY, "demain", "2026-11-25"),
        (TUESDAY, "après-demain", "2026-11-26"),
        (TUESDAY, "samedi", "2026-11-28"),
        (TUESDAY, "mardi", "2026-11-24"),  # today's weekday name means today
        (TUESDAY, "mardi prochain", "2026-12-01"),
        (TUESDAY, "le 3 décembre", "2026-12-03"),
        (TUESDAY, "le 1er décembre", "2026-12-01"),
        (TUESDAY, "3/12", "2026-12-03"),
        (TUESDAY, "le 3", "2026-12-03"),  # the 3rd of this month is gone: next month's
        (TUESDAY, "le 28", "2026-11-28"),
        (TUESDAY, "tomorrow", "2026-11-25"),
        (TUESDAY, "on Saturday", "2026-11-28"),
        (TUESDAY, "next Friday", "2026-11-27"),
        (TUESDAY, "December 3rd", "2026-12-03"),
        (TUESDAY, "the 3rd of December", "2026-12-03"),
        (date(2026, 11, 28), "samedi", "2026-11-28"),  # said on a Saturday: today
        (date(2026, 11, 28), "samedi prochain", "2026-12-05"),
        (date(2026, 11, 28), "next Saturday", "2026-12-05"),
        (date(2026, 11, 30), "demain", "2026-12-01"),  # across a month end
        (date(2026, 11, 30), "le 31", "2026-12-31"),  # November has no 31st
        (date(2026, 12, 30), "après-demain", "2027-01-01"),  # across a year end
        (date(2026, 12, 30), "le 3", "2027-01-03"),
        (date(2026, 12, 30), "le 2 janvier", "2027-01-02"),
        (date(2026, 12, 30), "2/1", "2027-01-02"),
        (date(2026, 12, 31), "January 2nd", "2027-01-02"),
        (date(2027, 2, 27), "le 1er mars", "2027-03-01"),
        (date(2028, 2, 28), "demain", "2028-02-29"),  # a leap day
        (date(2026, 10, 24), "demain", "2026-10-25"),  # the night clocks change: dates only, nothing moves
    ],
)
def test_dates(today: date, words: str, expected: str) -> None:
    assert slots(f"réserver la laverie {words}", today)["date"] == expected


@pytest.mark.parametrize("words", ["hier", "le 2 novembre", "23/11", "yesterday", "le 30 février"])
def test_a_day_gone_by_or_impossible_gives_no_date(words: str) -> None:
    assert "date" not in slots(f"réserver la laverie {words}")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("à 10h", "10:00"),
        ("à 10h30", "10:30"),
        ("à 10:30", "10:30"),
        ("à 9 heures", "09:00"),
        ("à 9 h 15", "09:15"),
        ("à 10h et demie", "10:30"),
        ("à midi", "12:00"),
        ("à midi et demi", "12:30"),
        ("à minuit", "00:00"),
        ("at 3pm", "15:00"),
        ("at 3 pm", "15:00"),
        ("at 3:30pm", "15:30"),
        ("at 12am", "00:00"),
        ("at noon", "12:00"),
        ("at 10 o'clock", "10:00"),
        ("tomorrow at 10", "10:00"),
        ("demain à 8 heures du soir", "20:00"),
        ("samedi après-midi à 3h", "15:00"),
    ],
)
def test_times(words: str, expected: str) -> None:
    assert slots(f"réserver la laverie {words}")["time"] == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("samedi matin", {"date": "2026-11-28", "period": "morning"}),
        ("samedi après-midi", {"date": "2026-11-28", "period": "afternoon"}),
        ("ce soir", {"date": "2026-11-24", "period": "evening"}),
        ("tonight", {"date": "2026-11-24", "period": "evening"}),
        ("tomorrow morning", {"date": "2026-11-25", "period": "morning"}),
        ("on Friday evening", {"date": "2026-11-27", "period": "evening"}),
    ],
)
def test_periods(words: str, expected: dict[str, str]) -> None:
    assert slots(f"book the laundry {words}") == {"space": "laundry", **expected}


def test_after_midday_is_not_noon_and_a_bad_hour_is_no_time() -> None:
    assert "time" not in slots("réserver la laverie cet après-midi")
    assert "time" not in slots("réserver la laverie à 25h")
    assert "time" not in slots("réserver la laverie à 10h75")


# --- events and market ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c'est quand le prochain loto ?", {"query": "loto"}),
        ("quelles sont les activités cette semaine", {}),
        ("Je voudrais m'inscrire à l'atelier cuisine de jeudi", {"query": "atelier cuisine", "date": "2026-11-26"}),
        ("je veux participer au tournoi de belote", {"query": "tournoi belote"}),
        ("Can I sign up for the cooking workshop on Thursday?", {"query": "cooking workshop", "date": "2026-11-26"}),
        ("any events tomorrow?", {"date": "2026-11-25"}),
    ],
)
def test_events(text: str, expected: dict[str, str]) -> None:
    got = understand(text, today=TUESDAY)
    assert got.intent == "events"
    assert got.slots == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("je vends un fauteuil", "sell"),
        ("quelqu'un donne un vélo ?", "give"),
        ("je cherche à acheter un déambulateur", "buy"),
        ("quelqu'un pourrait me prêter une perceuse ?", "lend"),
        ("I'm selling my old sofa", "sell"),
        ("I'd like to borrow a ladder", "lend"),
        ("voir les petites annonces", None),
    ],
)
def test_market_kinds(text: str, kind: str | None) -> None:
    got = understand(text, today=TUESDAY)
    assert got.intent == "market"
    assert got.slots.get("kind") == kind


# --- language, confidence, odd inputs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("bonjour", "fr"),
        ("hello", "en"),
        ("gym tomorrow 10am", "en"),
        ("gym demain 10h", "fr"),
        ("The lift is broken again", "en"),
        ("l'ascenseur est en panne", "fr"),
        ("help", "en"),
        ("aide", "fr"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert understand(text, today=TUESDAY).language == language


def test_confidence_is_high_on_clear_requests_and_low_on_hints() -> None:
    assert understand("Je veux réserver la laverie demain à 10h", today=TUESDAY).confidence >= 0.8
    assert understand("mon radiateur ne chauffe plus", today=TUESDAY).confidence >= 0.6
    assert understand("la laverie", today=TUESDAY).confidence < 0.5


@pytest.mark.parametrize("text", ["", " ", "\n\t", None])
def test_empty_text(text: str | None) -> None:
    got = understand(text, today=TUESDAY)  # type: ignore[arg-type]
    assert (got.intent, got.slots) == ("unknown", {})


def test_long_text_is_read_only_up_to_the_cap_and_stays_fast() -> None:
    filler = "je voulais vous dire que tout va bien ici, " * 60
    assert len(filler) > 2000
    assert intent(filler + "il y a une fuite") == "unknown"  # past the cap: not read
    assert intent("il y a une fuite, " + filler) == "report_incident"
    worst = ["a" * 100_000, "fuite " * 20_000, "le 3 " * 20_000, "10h " * 20_000, "é" * 50_000, filler * 40]
    start = time.perf_counter()
    for text in worst:
        understand(text, today=TUESDAY)
    assert (time.perf_counter() - start) / len(worst) < 0.05
    assert MAX_CHARS >= 300


def test_typical_messages_take_well_under_a_millisecond() -> None:
    texts = [item.text for item in ITEMS]
    start = time.perf_counter()
    for _ in range(5):
        for text in texts:
            understand(text, today=TUESDAY)
    mean = (time.perf_counter() - start) / (5 * len(texts))
    assert mean < 0.001, f"{mean * 1e6:.0f} µs per message"
