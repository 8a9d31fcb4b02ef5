"""The residences' knowledge base: its search (the assistant's answers) and its care by managers (/faq).

Search is Okapi BM25 over each entry's question, keywords and answer, the question and keywords weighing
more than the answer, in the asker's language with the other language's text indexed too (at half weight),
so a French resident typing English still finds. Words are folded (case, accents: services.text.fold),
stop words dropped, lightly stemmed (plural s/x and -aux, -ement/-ment, -ing, a final e) and a few
synonyms made one term ("sport" finds the gym, "rent" the loyer). A score under MIN_SCORE, or far below
the best hit, is not an answer: an empty list means "I don't know".

Everyone signed in reads the entries of their residence plus the network-wide ones (residence NULL).
A manager adds, edits and deletes their residence's entries; an admin any entry, network-wide ones
included. The acting account is read again from the database on every call, whatever buttons say.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Residence, Role, User
from models.assistant import FaqEntry
from services.assistant_types import KbHit
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me
from services.text import fold
from services.validation import text_length

log = logging.getLogger(__name__)

TOPICS = ("horaires", "regles", "contacts", "services", "dechets", "visiteurs", "loyer", "securite", "general")
"""The knowledge base's topics, in the order /faq shows them (labels: catalog keys faq.topic.<key>)."""
NETWORK = 0
"""The scope of the network-wide entries (an admin's view); any other scope is a residence id."""
PAGE_SIZE = 8
QUESTION_MIN, QUESTION_MAX = 5, 300
ANSWER_MIN, ANSWER_MAX = 5, 2000
KEYWORDS_MAX = 300
TEXT_FIELDS = ("question_fr", "answer_fr", "question_en", "answer_en", "keywords")
OPTIONAL_FIELDS = frozenset({"question_en", "answer_en", "keywords"})

# --- text analysis ---------------------------------------------------------------------------------

_STOP_LINES = (
    # French: articles, pronouns, auxiliaries, question words, politeness
    "le la les un une des du de au aux et ou en dans sur sous par pour avec sans ne pas plus moins que qui quoi",
    "quel quels quelle quelles comment combien pourquoi quand est sont etre ai as avons avez ont avoir suis es",
    "il elle ils elles on nous vous je tu me te se ce cet cette ces ca cela ceci mon ma mes ton ta tes son sa ses",
    "notre nos votre vos leur leurs lui y si oui non tres bien peut peux puis pouvez pourrais pourriez doit dois",
    "devons devez faut fait faire va vais vont veux voudrais voulez aimerais savoir dire dites svp merci",
    "bonjour madame monsieur alors donc mais car aussi tout tous toute toutes chez ici quoi ya qu jusqu lorsqu",
    # English
    "the an and or of in on at to for from with without by is are was were be been am do does did can could",
    "would should shall will may might must what which who whom whose when where why how there here this that",
    "these those it its my me mine our your yours we you they them he she his her their i please thanks hello",
    "hi any some all get got have has had not no yes so if than then about into out up don doesn isn aren didn",
)
STOP_WORDS = frozenset(word for line in _STOP_LINES for word in line.split())

# Words that mean the same thing here, French and English; each group becomes one term.
SYNONYM_GROUPS: dict[str, tuple[str, ...]] = {
    "gym": ("sport", "sports", "gym", "gymnase", "fitness", "musculation", "cardio", "workout"),
    "laundry": ("laverie", "laundry", "linge", "lessive", "laver", "washing", "seche-linge", "dryer", "buanderie"),
    "waste": (
        "poubelle", "dechet", "tri", "trier", "ordure", "recyclage", "recycler", "trash", "rubbish", "waste",
        "garbage", "recycling", "bin", "bins", "compost",
    ),
    "rent": ("loyer", "rent", "paiement", "payer", "payment", "pay", "prelevement", "debit", "mensualite"),
    "mail": ("colis", "courrier", "parcel", "package", "mail", "lettre", "letter", "facteur", "postman", "post"),
    "wifi": ("wifi", "internet", "web", "box"),
    "visitor": ("visiteur", "invite", "guest", "visitor", "visite", "visit", "famille", "family", "proche"),
    "key": ("cle", "clef", "badge", "key", "keys", "fob"),
    "hours": ("heure", "horaire", "hour", "time", "schedule"),
    "open": ("ouvre", "ouvert", "ouverture", "ouvrir", "open", "opens", "ferme", "fermeture", "close", "closes"),
    "pet": ("animal", "animaux", "pet", "chien", "chat", "dog", "cat", "oiseau", "bird"),
    "smoke": ("fumer", "fumeur", "fume", "cigarette", "tabac", "smoke", "smoking", "smoker", "vapoter", "vape"),
    "noise": ("bruit", "bruyant", "calme", "silence", "noise", "noisy", "quiet", "tapage"),
    "fire": ("incendie", "feu", "fire", "fumee", "evacuation", "evacuate"),
    "heating": ("chauffage", "chauffer", "radiateur", "heating", "heater", "radiator", "heat", "froid", "cold"),
    "parking": ("parking", "stationnement", "stationner", "garer", "voiture", "park"),
    "doctor": ("medecin", "docteur", "doctor", "physician", "gp", "medical", "medicale"),
    "hair": ("coiffeur", "coiffeuse", "coiffure", "hairdresser", "haircut", "hair", "barber"),
    "shuttle": ("navette", "shuttle", "minibus", "transport"),
    "emergency": ("urgence", "urgences", "emergency", "samu", "pompier", "firefighter", "ambulance"),
    "caretaker": ("gardien", "gardienne", "concierge", "caretaker", "janitor"),
    "event": ("evenement", "event", "animation", "activite", "activity", "loto", "sortie", "outing"),
    "market": ("market", "marketplace", "listing", "vendre", "sell", "acheter", "buy"),
    "booking": ("reserver", "reserve", "reservation", "book", "booking", "creneau", "slot"),
    "manager": ("gestionnaire", "manager", "directeur", "directrice", "responsable", "direction"),
    "lost": ("perdu", "perdre", "perte", "lost", "lose", "oublie", "forgot"),
    "receipt": ("quittance", "receipt", "justificatif"),
    "address": ("adresse", "address"),
}  # fmt: skip

_WORD = re.compile(r"[a-z0-9]+")
_GLUED = re.compile(r"\b(wi|seche|e)[\s-]+(fi|linge|mail)\b")  # "wi-fi", "sèche-linge", "e-mail": one word


def stem(word: str) -> str:
    """A light French/English stemmer: enough to make "horaires"/"horaire" and "parking"/"park" meet."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("eaux"):
        word = word[:-1]  # creneaux -> creneau
    elif word.endswith("aux") and len(word) > 5:
        word = word[:-3] + "al"  # animaux -> animal
    elif word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    for suffix, keep in (("ement", 3), ("ment", 4), ("ing", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def _synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for group, words in SYNONYM_GROUPS.items():
        for word in words:
            key = stem(_GLUED.sub(r"\1\2", word).replace("-", ""))
            if table.setdefault(key, "~" + group) != "~" + group:
                raise ValueError(f"{word!r} is in two synonym groups")
    return table


SYNONYMS = _synonyms()


def terms(text: str) -> list[str]:
    """The search terms of a text: folded, without stop words, stemmed, synonyms made one."""
    words = _WORD.findall(_GLUED.sub(r"\1\2", fold(text)))
    out = []
    for word in words:
        if len(word) < 2 or word in STOP_WORDS:
            continue
        term = stem(word)
        out.append(SYNONYMS.get(term, term))
    return out


# --- the index ---------------------------------------------------------------------------------------

K1, B = 1.2, 0.75
# How much a word counts where it appears; the other language's text counts half.
WEIGHT_QUESTION, WEIGHT_KEYWORDS, WEIGHT_ANSWER, WEIGHT_OTHER_LANGUAGE = 3.0, 2.0, 1.0, 0.5
MIN_SCORE = 4.0
"""A hit must score this much (a strong term in a question, or several weaker ones) to be an answer."""
RELATIVE_CUT = 0.4
"""Hits under this share of the best one's score are left out: they would only blur the answer."""
CACHE_SIZE = 64


@dataclass(frozen=True)
class _Doc:
    entry_id: int
    residence_id: int | None
    topic: str
    question: str
    answer: str
    tf: dict[str, float]
    length: float


@dataclass(frozen=True)
class _Index:
    docs: tuple[_Doc, ...]
    idf: dict[str, float]
    avgdl: float

    def score(self, query: list[str]) -> list[tuple[float, _Doc]]:
        wanted = [term for term in dict.fromkeys(query) if term in self.idf]
        scored = []
        for doc in self.docs:
            total = 0.0
            norm = K1 * (1 - B + B * doc.length / self.avgdl)
            for term in wanted:
                tf = doc.tf.get(term)
                if tf:
                    total += self.idf[term] * tf * (K1 + 1) / (tf + norm)
            if total > 0:
                scored.append((total, doc))
        scored.sort(key=lambda pair: (-pair[0], pair[1].entry_id))
        return scored


def _in_language(row: FaqEntry, lang: str) -> tuple[str, str]:
    """The entry's question and answer in `lang`, each falling back to French."""
    if lang == "en":
        return row.question_en or row.question_fr, row.answer_en or row.answer_fr
    return row.question_fr, row.answer_fr


def _build(rows: list[FaqEntry], lang: str) -> _Index:
    docs = []
    for row in rows:
        mine_q, mine_a = (row.question_en, row.answer_en) if lang == "en" else (row.question_fr, row.answer_fr)
        other_q, other_a = (row.question_fr, row.answer_fr) if lang == "en" else (row.question_en, row.answer_en)
        tf: Counter[str] = Counter()
        for text, weight in (
            (mine_q, WEIGHT_QUESTION),
            (other_q, WEIGHT_QUESTION * WEIGHT_OTHER_LANGUAGE),
            (row.keywords, WEIGHT_KEYWORDS),
            (mine_a, WEIGHT_ANSWER),
            (other_a, WEIGHT_ANSWER * WEIGHT_OTHER_LANGUAGE),
        ):
            for term in terms(text or ""):
                tf[term] += weight
        question, answer = _in_language(row, lang)
        docs.append(_Doc(row.id, row.residence_id, row.topic, question, answer, dict(tf), sum(tf.values()) or 1.0))
    count = len(docs)
    df: Counter[str] = Counter(term for doc in docs for term in doc.tf)
    idf = {term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in df.items()}
    avgdl = sum(doc.length for doc in docs) / count if count else 1.0
    return _Index(tuple(docs), idf, avgdl)


_cache: dict[tuple[object, ...], _Index] = {}
_cache_lock = threading.Lock()


def forget_indexes() -> None:
    """Drop the cached indexes (after a write here; other processes' writes change the cache key)."""
    with _cache_lock:
        _cache.clear()


def _visible(residence_id: int | None) -> sa.ColumnElement[bool]:
    """Active entries of this residence and of the whole network (a user without residence: the network's)."""
    network = FaqEntry.residence_id.is_(None)
    where = network if residence_id is None else sa.or_(network, FaqEntry.residence_id == residence_id)
    return sa.and_(FaqEntry.active.is_(True), where)


def _index(session: Session, residence_id: int | None, lang: str) -> _Index:
    """The residence's index, rebuilt when its entries changed: (count, latest update) is the version."""
    count, latest = session.execute(
        sa.select(sa.func.count(FaqEntry.id), sa.func.max(FaqEntry.updated_at)).where(_visible(residence_id))
    ).one()
    key = (str(session.get_bind().url), residence_id, lang, count, latest)
    with _cache_lock:
        index = _cache.get(key)
    if index is not None:
        return index
    rows = list(session.scalars(sa.select(FaqEntry).where(_visible(residence_id)).order_by(FaqEntry.id)))
    index = _build(rows, lang)
    with _cache_lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[key] = index
    return index


def search(session: Session, me: Me, text: str, *, lang: str, limit: int = 3) -> list[KbHit]:
    """Entries of my residence and of the whole network that answer `text`, best first; [] means "I don't know"."""
    query = terms(text)
    if not query or limit <= 0:
        return []
    scored = _index(session, me.residence_id, "en" if lang == "en" else "fr").score(query)
    if not scored or scored[0][0] < MIN_SCORE:
        return []
    floor = max(MIN_SCORE, scored[0][0] * RELATIVE_CUT)
    return [
        KbHit(
            entry_id=doc.entry_id,
            question=doc.question,
            answer=doc.answer,
            topic=doc.topic,
            score=round(score, 3),
            residence_id=doc.residence_id,
        )
        for score, doc in scored[:limit]
        if score >= floor
    ]


# --- values handed to handlers ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeChoice:
    id: int  # a residence id, or NETWORK
    name: str | None  # None: the whole network


@dataclass(frozen=True)
class FaqHome:
    """A scope's knowledge base at a glance: how many entries per topic, and what this user may do."""

    scope: int
    residence_name: str | None  # None: the network-wide entries
    counts: tuple[tuple[str, int], ...]  # (topic, entries), topics with entries only, in TOPICS order
    can_manage: bool
    can_switch: bool  # an admin, who may look at another residence

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


@dataclass(frozen=True)
class FaqLine:
    id: int
    question_fr: str
    question_en: str | None

    def question(self, lang: str) -> str:
        return (self.question_en if lang == "en" else None) or self.question_fr


@dataclass(frozen=True)
class FaqPage:
    scope: int
    residence_name: str | None
    topic: str
    items: tuple[FaqLine, ...]
    page: int
    pages: int

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


@dataclass(frozen=True)
class FaqView:
    id: int
    residence_id: int | None
    residence_name: str | None
    topic: str
    question_fr: str
    answer_fr: str
    question_en: str | None
    answer_en: str | None
    keywords: str
    updated_at: datetime
    can_edit: bool

    def question(self, lang: str) -> str:
        return (self.question_en if lang == "en" else None) or self.question_fr

    def answer(self, lang: str) -> str:
        return (self.answer_en if lang == "en" else None) or self.answer_fr


# --- validation ---------------------------------------------------------------------------------------


def check_topic(topic: str) -> str:
    if topic not in TOPICS:
        raise InvalidInput("topic", "unknown")
    return topic


def check_question(text: str | None, field: str = "question_fr") -> str:
    return text_length(field, text, QUESTION_MIN, QUESTION_MAX)


def check_answer(text: str | None, field: str = "answer_fr") -> str:
    return text_length(field, text, ANSWER_MIN, ANSWER_MAX)


def check_keywords(text: str | None) -> str:
    """Extra words, separated by spaces or commas, stored one space apart."""
    words = re.split(r"[\s,;]+", text_length("keywords", text, 2, KEYWORDS_MAX))
    return text_length("keywords", " ".join(w for w in words if w), 2, KEYWORDS_MAX)


def check_field(field: str, value: str | None) -> str | None:
    """A typed value for `field`, cleaned; None clears an optional field."""
    if field not in TEXT_FIELDS:
        raise InvalidInput("field", "unknown")
    if value is None or not value.strip():
        if field in OPTIONAL_FIELDS:
            return None
        raise InvalidInput(field, "too_short", min=QUESTION_MIN if field.startswith("question") else ANSWER_MIN)
    if field == "keywords":
        return check_keywords(value)
    return check_question(value, field) if field.startswith("question") else check_answer(value, field)


# --- who may do what -------------------------------------------------------------------------------


def _actor(session: Session, me: Me) -> User:
    """The acting account as it is now."""
    user = session.get(User, me.id)
    if user is None or not user.active:
        raise NotAllowed("inactive")
    return user


def _may_manage(actor: User, residence_id: int | None) -> bool:
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.MANAGER and residence_id is not None and residence_id == actor.residence_id


def _may_read(actor: User, entry: FaqEntry) -> bool:
    return actor.role == Role.ADMIN or entry.residence_id is None or entry.residence_id == actor.residence_id


def _scope(session: Session, actor: User, scope: int) -> Residence | None:
    """The residence a scope names (None: the network), if this user may look at it."""
    if scope == NETWORK:
        if actor.role != Role.ADMIN:
            raise NotAllowed("residence")
        return None
    if actor.role != Role.ADMIN and scope != actor.residence_id:
        raise NotAllowed("residence")
    residence = session.get(Residence, scope)
    if residence is None:
        raise NotFound("residence")
    return residence


def _in_scope(scope: int) -> sa.ColumnElement[bool]:
    """What a scope lists: a residence shows its entries and the network's; the network scope its own."""
    if scope == NETWORK:
        return sa.and_(FaqEntry.active.is_(True), FaqEntry.residence_id.is_(None))
    return _visible(scope)


def _entry(session: Session, actor: User, entry_id: int, *, lock: bool = False) -> FaqEntry:
    entry = session.get(FaqEntry, entry_id, with_for_update=lock)
    if entry is None or not entry.active:
        raise NotFound("entry")
    if not _may_read(actor, entry):
        raise NotAllowed("residence")
    return entry


def _view(session: Session, actor: User, entry: FaqEntry) -> FaqView:
    residence = session.get(Residence, entry.residence_id) if entry.residence_id else None
    return FaqView(
        id=entry.id,
        residence_id=entry.residence_id,
        residence_name=residence.name if residence else None,
        topic=entry.topic,
        question_fr=entry.question_fr,
        answer_fr=entry.answer_fr,
        question_en=entry.question_en,
        answer_en=entry.answer_en,
        keywords=entry.keywords,
        updated_at=entry.updated_at,
        can_edit=_may_manage(actor, entry.residence_id),
    )


# --- reading ----------------------------------------------------------------------------------------


def default_scope(session: Session, me: Me) -> int | None:
    """The scope /faq opens on: my residence; None for an admin, who picks one (or the network)."""
    actor = _actor(session, me)
    if actor.role == Role.ADMIN:
        return None
    if actor.residence_id is None:
        raise NotAllowed("no residence")
    return actor.residence_id


def scopes(session: Session, me: Me) -> tuple[ScopeChoice, ...]:
    """Where this user may read (and, staff, write): the network and every residence for an admin."""
    actor = _actor(session, me)
    if actor.role != Role.ADMIN:
        residence = _scope(session, actor, actor.residence_id or NETWORK)
        assert residence is not None
        return (ScopeChoice(residence.id, residence.name),)
    rows = session.execute(sa.select(Residence.id, Residence.name).order_by(Residence.name))
    return (ScopeChoice(NETWORK, None), *(ScopeChoice(rid, name) for rid, name in rows))


def home(session: Session, me: Me, scope: int) -> FaqHome:
    actor = _actor(session, me)
    residence = _scope(session, actor, scope)
    query = sa.select(FaqEntry.topic, sa.func.count()).where(_in_scope(scope)).group_by(FaqEntry.topic)
    rows: dict[str, int] = {topic: n for topic, n in session.execute(query)}
    counts = tuple((topic, rows[topic]) for topic in TOPICS if rows.get(topic))
    # Entries of a topic no longer offered would be unreachable: show them under "général".
    stray = sum(n for topic, n in rows.items() if topic not in TOPICS)
    if stray:
        general = dict(counts).get("general", 0) + stray
        counts = tuple((t, n) for t, n in counts if t != "general") + (("general", general),)
    return FaqHome(
        scope=scope,
        residence_name=residence.name if residence else None,
        counts=counts,
        can_manage=_may_manage(actor, residence.id if residence else None),
        can_switch=actor.role == Role.ADMIN,
    )


def topic_page(session: Session, me: Me, scope: int, topic: str, page: int) -> FaqPage:
    """A topic's entries in a scope, PAGE_SIZE at a time, network-wide ones after the residence's own."""
    actor = _actor(session, me)
    residence = _scope(session, actor, scope)
    check_topic(topic)
    where = FaqEntry.topic == topic if topic != "general" else sa.not_(FaqEntry.topic.in_(TOPICS[:-1]))
    rows = session.execute(
        sa.select(FaqEntry.id, FaqEntry.question_fr, FaqEntry.question_en, FaqEntry.residence_id).where(
            _in_scope(scope), where
        )
    ).all()
    # Sorted here, not by the database's collation, so "À quoi..." sorts with the A's on every backend.
    rows.sort(key=lambda row: (row.residence_id is None, fold(row.question_fr), row.id))
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    return FaqPage(
        scope=scope,
        residence_name=residence.name if residence else None,
        topic=topic,
        items=tuple(FaqLine(row.id, row.question_fr, row.question_en) for row in shown),
        page=page,
        pages=pages,
    )


def get_entry(session: Session, me: Me, entry_id: int) -> FaqView:
    actor = _actor(session, me)
    return _view(session, actor, _entry(session, actor, entry_id))


# --- writing ---------------------------------------------------------------------------------------


def create_entry(
    session: Session,
    me: Me,
    *,
    residence_id: int | None,
    topic: str,
    question_fr: str,
    answer_fr: str,
    question_en: str | None = None,
    answer_en: str | None = None,
    keywords: str = "",
    now: datetime,
) -> int:
    """A new entry of a residence (or, `residence_id` None, of the whole network: admins only); returns its id."""
    actor = _actor(session, me)
    if not _may_manage(actor, residence_id):
        raise NotAllowed("manage")
    if residence_id is not None and session.get(Residence, residence_id) is None:
        raise NotFound("residence")
    entry = FaqEntry(
        residence_id=residence_id,
        topic=check_topic(topic),
        question_fr=check_question(question_fr),
        answer_fr=check_answer(answer_fr),
        question_en=check_field("question_en", question_en),
        answer_en=check_field("answer_en", answer_en),
        keywords=check_field("keywords", keywords) or "",
        active=True,
        created_at=now,
        updated_at=now,
        updated_by_id=actor.id,
    )
    session.add(entry)
    session.flush()
    forget_indexes()
    log.info("faq entry %s created by user %s", entry.id, actor.id)
    return entry.id


def _editable(session: Session, me: Me, entry_id: int) -> tuple[User, FaqEntry]:
    actor = _actor(session, me)
    entry = _entry(session, actor, entry_id, lock=True)
    if not _may_manage(actor, entry.residence_id):
        raise NotAllowed("manage")
    return actor, entry


def update_entry(session: Session, me: Me, entry_id: int, field: str, value: str | None, *, now: datetime) -> FaqView:
    """Change one field ("topic" or one of TEXT_FIELDS); None or blank clears an optional one."""
    actor, entry = _editable(session, me, entry_id)
    if field == "topic":
        entry.topic = check_topic(value or "")
    else:
        cleaned = check_field(field, value)
        setattr(entry, field, cleaned if cleaned is not None or field != "keywords" else "")
    entry.updated_at = now
    entry.updated_by_id = actor.id
    session.flush()
    forget_indexes()
    return _view(session, actor, entry)


def delete_entry(session: Session, me: Me, entry_id: int, *, now: datetime) -> FaqView:
    """Take an entry out of the knowledge base (kept, inactive: a forwarded question may point to it)."""
    actor, entry = _editable(session, me, entry_id)
    entry.active = False
    entry.updated_at = now
    entry.updated_by_id = actor.id
    session.flush()
    forget_indexes()
    log.info("faq entry %s deleted by user %s", entry.id, actor.id)
    return _view(session, actor, entry)
