"""The knowledge base on the service alone, on each backend: search quality, who sees what, who may change what."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models import Role, Space, SpaceKind, User
from models.assistant import FaqEntry
from models.db import unit_of_work
from services import knowledge
from services.demo import BORDEAUX, LYON
from services.demo_faq import NETWORK_ENTRIES, clock, residence_entries, seed_faq, span
from services.errors import InvalidInput, NotAllowed, NotFound
from services.knowledge import NETWORK, stem, terms
from services.people import Me
from tests.conftest import Clock
from tests.unit.test_services_residents import add_manager, me, residence_id

GYM_HOURS = "Quels sont les horaires de la salle de sport ?"

# (language of the asker, what they type, the French question of the entry that must come first)
QUERIES = (
    ("fr", "À quelle heure ouvre la salle de sport ?", GYM_HOURS),
    ("fr", "a quelle heure OUVRE la salle de SPORT", GYM_HOURS),
    ("fr", "horaires gym", GYM_HOURS),
    ("en", "What time does the gym open?", GYM_HOURS),
    ("fr", "what time does the gym open?", GYM_HOURS),  # a French resident typing English
    ("fr", "horaires laverie", "Quels sont les horaires de la laverie ?"),
    ("en", "laundry hours", "Quels sont les horaires de la laverie ?"),
    ("fr", "Quand passent les poubelles ?", "Comment trier mes déchets et quand sortent les poubelles ?"),
    ("fr", "où jeter mes DÉCHETS", "Comment trier mes déchets et quand sortent les poubelles ?"),
    ("fr", "les encombrants", "Que faire de mes encombrants ?"),
    ("fr", "LOYER", "Comment payer mon loyer ?"),
    ("en", "when is the rent paid", "Comment payer mon loyer ?"),
    ("fr", "prélèvement", "Comment payer mon loyer ?"),
    ("fr", "quittance", "Où trouver ma quittance de loyer ?"),
    ("en", "where is my parcel", "Où récupérer mon courrier et mes colis ?"),
    ("fr", "J'ai perdu mon badge", "J'ai perdu ma clé ou mon badge, que faire ?"),
    ("en", "I lost my keys", "J'ai perdu ma clé ou mon badge, que faire ?"),
    ("fr", "Est-ce que je peux avoir un chat ?", "Les animaux de compagnie sont-ils acceptés ?"),
    ("en", "can my dog come", "Les animaux de compagnie sont-ils acceptés ?"),
    ("fr", "mot de passe wi-fi", "Comment me connecter au wifi ?"),
    ("fr", "internet", "Comment me connecter au wifi ?"),
    ("fr", "numéro des pompiers", "Quels sont les numéros d'urgence ?"),
    ("en", "can I smoke on my balcony", "Peut-on fumer dans la résidence ?"),
    ("fr", "y a-t-il un coiffeur", "Y a-t-il un coiffeur à la résidence ?"),
    ("fr", "un médecin vient-il ?", "Un médecin passe-t-il à la résidence ?"),
    ("fr", "navette pour le marché", "Existe-t-il une navette pour aller en ville ?"),
    ("en", "Where can guests park?", "Où mes visiteurs peuvent-ils se garer ?"),
    ("fr", "réserver la chambre d'amis", "Comment réserver la chambre d'amis ?"),
    ("fr", "il y a le feu", "Que faire en cas d'incendie ?"),
    ("fr", "heures de calme", "Quelles sont les heures de calme ?"),
    ("en", "noise at night", "Quelles sont les heures de calme ?"),
    ("fr", "quand est allumé le chauffage", "Quand le chauffage est-il allumé ?"),
    ("fr", "qui est la gestionnaire", "Qui est le gestionnaire et comment le joindre ?"),
    ("fr", "attestation de résidence", "Comment obtenir une attestation de résidence ?"),
    ("fr", "changer de langue", "Comment changer la langue du bot ?"),
)
GIBBERISH = (
    "azerty blorp",
    "xkcd qwfp zzzz",
    "bonjour",
    "merci beaucoup",
    "how are you",
    "Quel temps fait-il demain ?",
)


def user(session: Session, email: str) -> Me:
    return me(session, email)


def entry_id(session: Session, question_fr: str, residence: str | None) -> int:
    rid = residence_id(session, residence) if residence else None
    found = session.scalar(
        sa.select(FaqEntry.id).where(
            FaqEntry.question_fr == question_fr, FaqEntry.residence_id.is_not_distinct_from(rid)
        )
    )
    assert found is not None, question_fr
    return found


# --- text analysis -------------------------------------------------------------------------------------


def test_stemming_makes_forms_of_a_word_meet() -> None:
    pairs = [
        ("horaires", "horaire"),
        ("heures", "heure"),
        ("animaux", "animal"),
        ("creneaux", "creneau"),
        ("machines", "machine"),
        ("parking", "park"),
        ("smoking", "smoke"),
        ("evenements", "evenement"),
    ]
    for a, b in pairs:
        assert stem(a) == stem(b), (a, b)
    assert stem("bus") == "bus" and stem("112") == "112"
    assert stem("rapidement") == "rapid" and stem("paiement") == stem("paie")


def test_terms_fold_case_and_accents_drop_stop_words_and_join_synonyms() -> None:
    assert terms("À quelle HEURE ouvre la Salle de Sport ?") == ["~hours", "~open", "sall", "~gym"]
    assert terms("Déchets") == terms("dechets") == terms("POUBELLES") == terms("trash") == ["~waste"]
    assert terms("wi-fi") == terms("Wi Fi") == terms("internet") == ["~wifi"]
    assert terms("the and le la les") == []


def test_synonym_groups_are_disjoint_and_hold_no_stop_word() -> None:
    seen: dict[str, str] = {}
    for group, words in knowledge.SYNONYM_GROUPS.items():
        for word in words:
            assert word not in knowledge.STOP_WORDS, word
            key = stem(word.replace("-", ""))
            assert seen.setdefault(key, group) == group, (word, group, seen[key])


# --- search ------------------------------------------------------------------------------------------


def test_search_finds_the_right_entry_in_french_and_english(sessions: sessionmaker[Session], demo: dict) -> None:
    misses = []
    with unit_of_work(sessions) as s:
        jeanne = user(s, "resident1@lba.demo")
        for lang, query, expected in QUERIES:
            hits = knowledge.search(s, jeanne, query, lang=lang)
            first = s.get(FaqEntry, hits[0].entry_id).question_fr if hits else None  # type: ignore[union-attr]
            if first != expected:
                misses.append((query, first))
    assert misses == []
    assert len(QUERIES) >= 15


def test_gibberish_and_small_talk_find_nothing(sessions: sessionmaker[Session], demo: dict) -> None:
    with unit_of_work(sessions) as s:
        jeanne = user(s, "resident1@lba.demo")
        for query in (*GIBBERISH, "", "   ", "?!"):
            assert knowledge.search(s, jeanne, query, lang="fr") == [], query
        assert knowledge.search(s, jeanne, "salle de sport", lang="fr", limit=0) == []


def test_hits_come_in_the_askers_language_best_first_with_their_source(
    sessions: sessionmaker[Session], demo: dict
) -> None:
    with unit_of_work(sessions) as s:
        jeanne = user(s, "resident1@lba.demo")
        fr = knowledge.search(s, jeanne, "À quelle heure ouvre la salle de sport ?", lang="fr")
        en = knowledge.search(s, jeanne, "À quelle heure ouvre la salle de sport ?", lang="en")
        lyon = residence_id(s, LYON)
    assert fr[0].question == GYM_HOURS and "7 h à 21 h" in fr[0].answer
    assert en[0].entry_id == fr[0].entry_id and en[0].question == "What are the gym's opening hours?"
    assert "7:00 to 21:00" in en[0].answer
    assert fr[0].residence_id == lyon and fr[0].topic == "horaires"
    assert [h.score for h in fr] == sorted((h.score for h in fr), reverse=True) and len(fr) <= 3
    assert all(h.score >= knowledge.MIN_SCORE for h in fr)


def test_an_entry_without_english_falls_back_to_french(
    sessions: sessionmaker[Session], demo: dict, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        sophie = user(s, "manager@lba.demo")
        knowledge.create_entry(
            s,
            sophie,
            residence_id=sophie.residence_id,
            topic="services",
            question_fr="Y a-t-il une bibliothèque ?",
            answer_fr="Oui, au premier étage, ouverte à tous.",
            keywords="livres lecture",
            now=clock(),
        )
    with unit_of_work(sessions) as s:
        hits = knowledge.search(s, user(s, "resident1@lba.demo"), "bibliothèque livres", lang="en")
    assert hits[0].question == "Y a-t-il une bibliothèque ?" and hits[0].answer.startswith("Oui, au premier")


def test_search_sees_my_residence_and_the_network_never_another_residence(
    sessions: sessionmaker[Session], demo: dict, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        knowledge.create_entry(
            s,
            user(s, "manager@lba.demo"),
            residence_id=residence_id(s, LYON),
            topic="services",
            question_fr="Y a-t-il une piscine ?",
            answer_fr="Oui, au sous-sol, ouverte de 10 h à 18 h.",
            now=clock(),
        )
    with unit_of_work(sessions) as s:
        jeanne, lucienne = user(s, "resident1@lba.demo"), user(s, "resident3@lba.demo")
        admin = user(s, "admin@lba.demo")
        lyon, bordeaux = residence_id(s, LYON), residence_id(s, BORDEAUX)
        assert knowledge.search(s, jeanne, "piscine", lang="fr")[0].question == "Y a-t-il une piscine ?"
        assert knowledge.search(s, lucienne, "piscine", lang="fr") == []
        wifi = knowledge.search(s, lucienne, "mot de passe wifi", lang="fr")
        assert wifi and {h.residence_id for h in wifi} <= {bordeaux, None}
        assert "LBA-Bordeaux" in wifi[0].answer
        for who in (jeanne, lucienne):
            urgent = knowledge.search(s, who, "numéros d'urgence", lang="fr")
            assert urgent[0].residence_id is None and "112" in urgent[0].answer
        # Someone of no residence (the network's admin) reads the network's entries only.
        assert {h.residence_id for h in knowledge.search(s, admin, "numéros d'urgence wifi", lang="fr")} == {None}
        for query, _, _ in QUERIES:
            for hit in knowledge.search(s, jeanne, query, lang="fr", limit=10):
                assert hit.residence_id in (lyon, None)


def test_deleted_and_edited_entries_are_searched_as_they_are_now(
    sessions: sessionmaker[Session], demo: dict, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        jeanne, sophie = user(s, "resident1@lba.demo"), user(s, "manager@lba.demo")
        hair = entry_id(s, "Y a-t-il un coiffeur à la résidence ?", LYON)
        assert knowledge.search(s, jeanne, "coiffeur", lang="fr")[0].entry_id == hair
        knowledge.delete_entry(s, sophie, hair, now=clock())
        assert all(h.entry_id != hair for h in knowledge.search(s, jeanne, "coiffeur", lang="fr", limit=10))
        # Same count, same instant: the edit is still seen (writes here drop the cached index).
        wifi = entry_id(s, "Comment me connecter au wifi ?", LYON)
        assert knowledge.search(s, jeanne, "zorglub", lang="fr") == []
        knowledge.update_entry(s, sophie, wifi, "keywords", "zorglub", now=clock())
        assert knowledge.search(s, jeanne, "zorglub", lang="fr")[0].entry_id == wifi


def test_an_edit_by_another_process_is_seen_through_the_cache_key(
    sessions: sessionmaker[Session], demo: dict, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        jeanne = user(s, "resident1@lba.demo")
        assert knowledge.search(s, jeanne, "zorglub", lang="fr") == []
        # Not through this module: as another process would write it.
        s.execute(
            sa.update(FaqEntry)
            .where(FaqEntry.question_fr == "Comment me connecter au wifi ?")
            .values(keywords="zorglub", updated_at=clock() + timedelta(seconds=1))
        )
        assert knowledge.search(s, jeanne, "zorglub", lang="fr")


# --- reading: /faq --------------------------------------------------------------------------------------


def test_home_and_topic_pages_of_a_residence(sessions: sessionmaker[Session], demo: dict) -> None:
    with unit_of_work(sessions) as s:
        jeanne = user(s, "resident1@lba.demo")
        lyon = residence_id(s, LYON)
        assert knowledge.default_scope(s, jeanne) == lyon
        home = knowledge.home(s, jeanne, lyon)
        assert home.residence_name == LYON and not home.can_manage and not home.can_switch
        assert [topic for topic, _ in home.counts] == list(knowledge.TOPICS)
        assert home.total == len(residence_entries(LYON)) + len(NETWORK_ENTRIES)
        general = dict(home.counts)["general"]
        page0 = knowledge.topic_page(s, jeanne, lyon, "general", 0)
        assert len(page0.items) == min(general, knowledge.PAGE_SIZE) and page0.pages == -(-general // 8)
        seen = [
            line.id for p in range(page0.pages) for line in knowledge.topic_page(s, jeanne, lyon, "general", p).items
        ]
        assert len(seen) == len(set(seen)) == general
        # The residence's own entries first, the network's after.
        rows = [s.get(FaqEntry, i) for i in seen]
        owners = [row.residence_id for row in rows if row]
        assert owners == sorted(owners, key=lambda rid: rid is None)
        assert knowledge.topic_page(s, jeanne, lyon, "general", 99).page == page0.pages - 1
        with pytest.raises(InvalidInput):
            knowledge.topic_page(s, jeanne, lyon, "nope", 0)
        view = knowledge.get_entry(s, jeanne, seen[0])
        assert not view.can_edit and view.question("en") and view.answer("fr")


def test_a_resident_reads_only_their_residence(sessions: sessionmaker[Session], demo: dict) -> None:
    with unit_of_work(sessions) as s:
        jeanne = user(s, "resident1@lba.demo")
        bordeaux = residence_id(s, BORDEAUX)
        for call in (
            lambda: knowledge.home(s, jeanne, bordeaux),
            lambda: knowledge.home(s, jeanne, NETWORK),
            lambda: knowledge.topic_page(s, jeanne, bordeaux, "horaires", 0),
            lambda: knowledge.get_entry(s, jeanne, entry_id(s, "Comment me connecter au wifi ?", BORDEAUX)),
        ):
            with pytest.raises(NotAllowed):
                call()
        with pytest.raises(NotFound):
            knowledge.get_entry(s, jeanne, 999_999)
        assert knowledge.scopes(s, jeanne) == (knowledge.ScopeChoice(residence_id(s, LYON), LYON),)


def test_an_admin_picks_a_residence_or_the_network(sessions: sessionmaker[Session], demo: dict) -> None:
    with unit_of_work(sessions) as s:
        admin = user(s, "admin@lba.demo")
        assert knowledge.default_scope(s, admin) is None
        choices = knowledge.scopes(s, admin)
        assert choices[0] == knowledge.ScopeChoice(NETWORK, None) and {c.name for c in choices[1:]} == {LYON, BORDEAUX}
        network = knowledge.home(s, admin, NETWORK)
        assert network.residence_name is None and network.can_manage and network.can_switch
        assert network.total == len(NETWORK_ENTRIES)
        bordeaux = knowledge.home(s, admin, residence_id(s, BORDEAUX))
        assert bordeaux.can_manage and bordeaux.total == len(residence_entries(BORDEAUX)) + len(NETWORK_ENTRIES)
        with pytest.raises(NotFound):
            knowledge.home(s, admin, 424242)


# --- writing: who may ------------------------------------------------------------------------------------


def _new(
    session: Session, who: Me, residence: int | None, clock: Clock, question: str = "Où est la boîte à idées ?"
) -> int:
    return knowledge.create_entry(
        session,
        who,
        residence_id=residence,
        topic="general",
        question_fr=question,
        answer_fr="Dans le hall, à côté des boîtes aux lettres.",
        question_en="Where is the suggestion box?",
        answer_en="In the hall, next to the letterboxes.",
        keywords="idées, suggestions ;  avis",
        now=clock(),
    )


def test_managers_write_their_residence_admins_anywhere_residents_nowhere(
    sessions: sessionmaker[Session], demo: dict, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        jeanne, sophie, admin = (user(s, e) for e in ("resident1@lba.demo", "manager@lba.demo", "admin@lba.demo"))
        lyon, bordeaux = residence_id(s, LYON), residence_id(s, BORDEAUX)
        for who, where in ((jeanne, lyon), (jeanne, None), (sophie, bordeaux), (sophie, None)):
            with pytest.raises(NotAllowed):
                _new(s, who, where, clock)
        mine = _new(s, sophie, lyon, clock)
        network = _new(s, admin, None, clock)
        theirs = _new(s, admin, bordeaux, clock)
        with pytest.raises(NotFound):
            _new(s, admin, 424242, clock)
        row = s.get(FaqEntry, mine)
        assert row is not None and row.updated_by_id == sophie.id and row.updated_at == clock()
        assert row.keywords == "idées suggestions avis" and row.question_en == "Where is the suggestion box?"
        assert knowledge.get_entry(s, sophie, mine).can_edit
        assert not knowledge.get_entry(s, sophie, network).can_edit  # she reads it, may not change it
    clock.advance(hours=1)
    with unit_of_work(sessions) as s:
        jeanne, sophie, admin = (user(s, e) for e in ("resident1@lba.demo", "manager@lba.demo", "admin@lba.demo"))
        # Forged ids: a resident, or a manager on another residence's or the network's entry.
        for who, target in ((jeanne, mine), (sophie, theirs), (sophie, network)):
            with pytest.raises(NotAllowed):
                knowledge.update_entry(
                    s, who, target, "answer_fr", "Changé par quelqu'un qui ne peut pas.", now=clock()
                )
            with pytest.raises(NotAllowed):
                knowledge.delete_entry(s, who, target, now=clock())
        view = knowledge.update_entry(s, sophie, mine, "answer_fr", "  À l'accueil désormais.  ", now=clock())
        assert view.answer_fr == "À l'accueil désormais."
        knowledge.update_entry(s, admin, theirs, "topic", "services", now=clock())
        knowledge.delete_entry(s, admin, network, now=clock())
    with unit_of_work(sessions) as s:
        rows = {i: s.get(FaqEntry, i) for i in (mine, theirs, network)}
        admin_id = s.scalar(sa.select(User.id).where(User.email == "admin@lba.demo"))
        assert rows[mine].answer_fr == "À l'accueil désormais."  # type: ignore[union-attr]
        assert rows[mine].updated_at == clock()  # type: ignore[union-attr]
        assert rows[theirs].topic == "services" and rows[theirs].updated_by_id == admin_id  # type: ignore[union-attr]
        assert rows[network].active is False  # type: ignore[union-attr]
        assert rows[theirs].answer_fr == "Dans le hall, à côté des boîtes aux lettres."  # type: ignore[union-attr]
        with pytest.raises(NotFound):  # deleted: gone for everyone, and cannot be deleted twice
            knowledge.get_entry(s, user(s, "admin@lba.demo"), network)


def test_a_manager_demoted_or_deactivated_is_refused_at_once(
    sessions: sessionmaker[Session], demo: dict, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        sophie = user(s, "manager@lba.demo")
        paul = add_manager(s, "paul@lba.demo", LYON)
        s.execute(sa.update(User).where(User.id == sophie.id).values(role=Role.RESIDENT))
        s.execute(sa.update(User).where(User.id == paul.id).values(active=False))
        lyon = residence_id(s, LYON)
        for who in (sophie, paul):  # their Me still says manager: the service reads the account again
            with pytest.raises(NotAllowed):
                _new(s, who, lyon, clock)


def test_what_an_entry_may_hold(sessions: sessionmaker[Session], demo: dict, clock: Clock) -> None:
    with unit_of_work(sessions) as s:
        sophie = user(s, "manager@lba.demo")
        lyon = residence_id(s, LYON)
        mine = _new(s, sophie, lyon, clock)
        base = {"residence_id": lyon, "topic": "general", "question_fr": "Une question ?", "answer_fr": "Une réponse."}
        for field, value, reason in (
            ("topic", "cuisine", "unknown"),
            ("question_fr", "Quoi", "too_short"),
            ("question_fr", "x" * 301, "too_long"),
            ("answer_fr", "Oui", "too_short"),
            ("answer_fr", "x" * 2001, "too_long"),
            ("question_en", "Why", "too_short"),
            ("keywords", "k" * 301, "too_long"),
        ):
            with pytest.raises(InvalidInput) as error:
                knowledge.create_entry(s, sophie, **{**base, field: value}, now=clock())  # type: ignore[arg-type]
            assert error.value.reason == reason, field
        with pytest.raises(InvalidInput):
            knowledge.update_entry(s, sophie, mine, "question_fr", "   ", now=clock())
        with pytest.raises(InvalidInput):
            knowledge.update_entry(s, sophie, mine, "residence_id", "2", now=clock())
        view = knowledge.update_entry(s, sophie, mine, "question_en", None, now=clock())
        assert view.question_en is None and view.question("en") == view.question_fr
        assert knowledge.update_entry(s, sophie, mine, "keywords", "", now=clock()).keywords == ""


# --- the demo data --------------------------------------------------------------------------------------


def test_demo_entries_cover_each_residence_in_both_languages(sessions: sessionmaker[Session], demo: dict) -> None:
    assert demo["faq_entries"] == 2 * len(residence_entries(LYON)) + len(NETWORK_ENTRIES)
    with unit_of_work(sessions) as s:
        for name in (LYON, BORDEAUX):
            rows = s.scalars(sa.select(FaqEntry).where(FaqEntry.residence_id == residence_id(s, name))).all()
            assert len(rows) >= 25
            assert all(r.question_en and r.answer_en and r.topic in knowledge.TOPICS for r in rows)
            assert {r.topic for r in rows} == set(knowledge.TOPICS)
        assert s.scalar(sa.select(sa.func.count()).where(FaqEntry.residence_id.is_(None))) == len(NETWORK_ENTRIES)
        assert all(len(r.question_fr) <= knowledge.QUESTION_MAX for r in s.scalars(sa.select(FaqEntry)))
        assert all(len(r.answer_fr) <= knowledge.ANSWER_MAX for r in s.scalars(sa.select(FaqEntry)))


def test_demo_answers_agree_with_the_spaces_as_stored(sessions: sessionmaker[Session], demo: dict) -> None:
    """The opening hours and rules the FAQ states are the ones the booking rules enforce."""
    questions = {
        SpaceKind.GYM: GYM_HOURS,
        SpaceKind.LAUNDRY: "Quels sont les horaires de la laverie ?",
        SpaceKind.COMMON_ROOM: "Quels sont les horaires de la salle commune ?",
    }
    with unit_of_work(sessions) as s:
        for name in (LYON, BORDEAUX):
            rid = residence_id(s, name)
            for kind, question in questions.items():
                space = s.scalar(sa.select(Space).where(Space.residence_id == rid, Space.kind == kind))
                entry = s.get(FaqEntry, entry_id(s, question, name))
                assert space is not None and entry is not None
                for lang, answer in (("fr", entry.answer_fr), ("en", entry.answer_en or "")):
                    opens, closes = clock(space.opens_at, lang), clock(space.closes_at, lang)
                    assert f"{opens} {'à' if lang == 'fr' else 'to'} {closes}" in answer, (name, kind, lang)
                    assert f" {space.weekly_quota} " in answer and f"{space.max_advance_days} " in answer
                    assert span(space.cancel_deadline_minutes, lang) in answer
            guest = s.scalar(sa.select(Space).where(Space.residence_id == rid, Space.kind == SpaceKind.GUEST_ROOM))
            entry = s.get(FaqEntry, entry_id(s, "Comment réserver la chambre d'amis ?", name))
            assert guest is not None and entry is not None
            assert f"{guest.max_duration_minutes // 1440} nuits" in entry.answer_fr
        lyon_contact = s.get(FaqEntry, entry_id(s, "Qui est le gestionnaire et comment le joindre ?", LYON))
        bdx_contact = s.get(FaqEntry, entry_id(s, "Qui est le gestionnaire et comment le joindre ?", BORDEAUX))
        address = s.get(FaqEntry, entry_id(s, "Quelle est l'adresse de la résidence ?", BORDEAUX))
    assert lyon_contact and "Sophie Martin (+33 4 72 00 00 01)" in lyon_contact.answer_fr
    assert bdx_contact and "Alain Lefèvre" in bdx_contact.answer_fr and "Sophie" not in bdx_contact.answer_fr
    assert address and "8 cours de l'Intendance, 33000 Bordeaux" in address.answer_fr


def test_seeding_again_creates_nothing_and_keeps_managers_edits(
    sessions: sessionmaker[Session], demo: dict, clock: Clock
) -> None:
    with unit_of_work(sessions) as s:
        ids = {LYON: residence_id(s, LYON), BORDEAUX: residence_id(s, BORDEAUX)}
        wifi = entry_id(s, "Comment me connecter au wifi ?", LYON)
        knowledge.update_entry(s, user(s, "manager@lba.demo"), wifi, "answer_fr", "Réseau LBA-Lyon-2.", now=clock())
    with unit_of_work(sessions) as s:
        assert seed_faq(s, ids, clock()) == 0
        assert s.get(FaqEntry, wifi).answer_fr == "Réseau LBA-Lyon-2."  # type: ignore[union-attr]
        s.execute(sa.delete(FaqEntry).where(FaqEntry.id == wifi))
        assert seed_faq(s, ids, clock()) == 1
