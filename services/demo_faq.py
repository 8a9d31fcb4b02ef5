"""The demo knowledge base: per demo residence, the questions residents ask, in French and English.

What the demo data already says is not written twice: the spaces' hours and booking rules are
computed from services.demo.SPACES, the addresses from RESIDENCES, the managers from DEMO_ACCOUNTS,
the points from services.points.RULES, so the answers can never disagree with what the bot does.
Seeding finds each entry by its natural key (residence, French question) before creating it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Role, SpaceKind
from models.assistant import FaqEntry
from services.points import RULES


@dataclass(frozen=True)
class FaqSeed:
    topic: str
    question_fr: str
    answer_fr: str
    question_en: str
    answer_en: str
    keywords: str = ""


@dataclass(frozen=True)
class SpaceFacts:
    """One row of services.demo.SPACES, named."""

    name: str
    kind: SpaceKind
    description: str
    capacity: int
    opens: time
    closes: time
    slot: int
    notice: int
    advance_days: int
    max_duration: int
    weekly_quota: int
    cancel: int


@dataclass(frozen=True)
class Local:
    """What differs between the demo residences beyond the demo data itself (days, places)."""

    doctor: tuple[str, str]  # (fr, en) when the visiting doctor comes
    hairdresser: tuple[str, str]
    shuttle: tuple[str, str]
    household_waste: tuple[str, str]
    recycling: tuple[str, str]
    bulky: tuple[str, str]
    parking_places: int
    visitor_places: int
    wifi: str  # network name


LOCALS = {
    "Les Belles Années Lyon": Local(
        doctor=("le mardi matin, de 9 h à 12 h", "on Tuesday mornings, 9:00 to 12:00"),
        hairdresser=("le jeudi, de 9 h à 17 h", "on Thursdays, 9:00 to 17:00"),
        shuttle=(
            "le mercredi et le samedi à 9 h 30, vers la place Bellecour et le marché de la Croix-Rousse",
            "on Wednesdays and Saturdays at 9:30, to Place Bellecour and the Croix-Rousse market",
        ),
        household_waste=("le lundi et le jeudi", "on Mondays and Thursdays"),
        recycling=("le mercredi", "on Wednesdays"),
        bulky=("le premier vendredi du mois", "on the first Friday of the month"),
        parking_places=20,
        visitor_places=4,
        wifi="LBA-Lyon",
    ),
    "Les Belles Années Bordeaux": Local(
        doctor=("le lundi après-midi, de 14 h à 17 h", "on Monday afternoons, 14:00 to 17:00"),
        hairdresser=("un vendredi sur deux, de 9 h à 16 h", "every other Friday, 9:00 to 16:00"),
        shuttle=(
            "le mardi et le vendredi à 10 h, vers la place des Quinconces et le marché des Capucins",
            "on Tuesdays and Fridays at 10:00, to Place des Quinconces and the Capucins market",
        ),
        household_waste=("le mardi et le vendredi", "on Tuesdays and Fridays"),
        recycling=("le jeudi", "on Thursdays"),
        bulky=("le dernier mercredi du mois", "on the last Wednesday of the month"),
        parking_places=15,
        visitor_places=3,
        wifi="LBA-Bordeaux",
    ),
}


# --- formatting the demo data -------------------------------------------------------------------------


def clock(value: time, lang: str) -> str:
    """'7 h' / '9 h 30' in French, '7:00' / '9:30' in English."""
    if lang == "en":
        return f"{value.hour}:{value.minute:02d}"
    return f"{value.hour} h" + (f" {value.minute:02d}" if value.minute else "")


def span(minutes: int, lang: str) -> str:
    """A length of time as a resident says it: '30 min', '1 h', '2 h' / '30 minutes', '1 hour', '2 hours'."""
    if minutes % 60:
        return f"{minutes} min" if lang == "fr" else f"{minutes} minutes"
    hours = minutes // 60
    if lang == "fr":
        return f"{hours} h"
    return f"{hours} hour" + ("s" if hours > 1 else "")


def space_facts() -> dict[SpaceKind, SpaceFacts]:
    from services.demo import SPACES

    return {row[1]: SpaceFacts(*row) for row in SPACES}


def opening(space: SpaceFacts, lang: str) -> str:
    if lang == "en":
        return f"every day from {clock(space.opens, lang)} to {clock(space.closes, lang)}"
    return f"tous les jours de {clock(space.opens, lang)} à {clock(space.closes, lang)}"


def booking_rules(space: SpaceFacts, lang: str) -> str:
    """The space's booking rules in one sentence (slots, notice, advance, length, quota, cancellation)."""
    if lang == "en":
        return (
            f"Book with /book in {span(space.slot, lang)} slots, up to {space.advance_days} days ahead and at "
            f"least {span(space.notice, lang)} before; at most {span(space.max_duration, lang)} per booking and "
            f"{space.weekly_quota} bookings a week. You can cancel until {span(space.cancel, lang)} before the start."
        )
    return (
        f"On réserve avec /reserver, par créneaux de {span(space.slot, lang)}, jusqu'à {space.advance_days} jours à "
        f"l'avance et au moins {span(space.notice, lang)} avant ; {span(space.max_duration, lang)} au plus par "
        f"réservation et {space.weekly_quota} réservations par semaine. Annulation possible jusqu'à "
        f"{span(space.cancel, lang)} avant le début."
    )


def guest_room_rules(space: SpaceFacts, lang: str) -> str:
    nights = space.max_duration // (24 * 60)
    if lang == "en":
        return (
            f"The guest room ({space.description.lower()} — a double room for your guests) is booked by the night "
            f"with /book: up to {space.advance_days} days ahead and at least {span(space.notice, lang)} before, "
            f"{nights} nights at most, {space.weekly_quota} booking a week. Free cancellation until "
            f"{span(space.cancel, lang)} before the arrival."
        )
    return (
        f"La chambre d'amis ({space.description[0].lower()}{space.description[1:]}) se réserve à la nuitée avec "
        f"/reserver : jusqu'à {space.advance_days} jours à l'avance et au moins {span(space.notice, lang)} avant, "
        f"{nights} nuits au plus, {space.weekly_quota} réservation par semaine. Annulation gratuite jusqu'à "
        f"{span(space.cancel, lang)} avant l'arrivée."
    )


def manager_sentence(residence: str, lang: str) -> str:
    """Who manages the residence, from the demo accounts (and how to reach them)."""
    from services.demo import DEMO_ACCOUNTS

    managers = [a for a in DEMO_ACCOUNTS if a.role == Role.MANAGER and a.residence == residence]
    admin = next(a for a in DEMO_ACCOUNTS if a.role == Role.ADMIN)
    if not managers:
        if lang == "en":
            return (
                f"The residence has no manager of its own at the moment: {admin.first_name} {admin.last_name}, the "
                "network administrator, looks after it. Write to them through /assistant, or report a problem with "
                "/report."
            )
        return (
            f"La résidence n'a pas de gestionnaire attitré(e) pour le moment : {admin.first_name} {admin.last_name}, "
            "administrateur du réseau, en assure le suivi. Écrivez-lui par /assistant, ou signalez un problème avec "
            "/signaler."
        )
    names = ", ".join(f"{m.first_name} {m.last_name}" + (f" ({m.phone})" if m.phone else "") for m in managers)
    if lang == "en":
        return (
            f"Your residence's manager: {names}, at the office on the ground floor. For a problem, /report "
            "alerts the management at once, day and night."
        )
    return (
        f"Gestion de votre résidence : {names}, au bureau du rez-de-chaussée. Pour un problème, "
        "/signaler prévient la gestion aussitôt, de jour comme de nuit."
    )


def points_sentence(lang: str) -> str:
    labels = {
        "welcome": ("à votre arrivée", "when you join"),
        "incident_reported": ("par incident signalé", "per incident reported"),
        "incident_rated": ("par intervention notée", "per repair you rate"),
        "listing_published": ("par annonce publiée sur le marché", "per listing on the market"),
        "event_attended": ("par événement auquel vous participez", "per event you attend"),
        "event_organized": ("par événement que vous organisez", "per event you organise"),
    }
    parts = [f"{RULES[rule]} points {labels[rule][lang == 'en']}" for rule in labels]
    return ", ".join(parts)


# --- the entries --------------------------------------------------------------------------------------


def residence_entries(residence: str) -> list[FaqSeed]:
    """The demo entries of one demo residence (a name of services.demo.RESIDENCES)."""
    from services.demo import RESIDENCES

    address = next(a for name, _, a, _ in RESIDENCES if name == residence)
    local = LOCALS[residence]
    spaces = space_facts()
    gym, laundry = spaces[SpaceKind.GYM], spaces[SpaceKind.LAUNDRY]
    room, guest = spaces[SpaceKind.COMMON_ROOM], spaces[SpaceKind.GUEST_ROOM]
    fr, en = "fr", "en"
    return [
        # --- horaires
        FaqSeed(
            "horaires",
            "Quels sont les horaires de la salle de sport ?",
            f"La salle de sport ({gym.description.lower()}) est ouverte {opening(gym, fr)}. " + booking_rules(gym, fr),
            "What are the gym's opening hours?",
            f"The gym (cardio machines and gentle weight training) is open {opening(gym, en)}. "
            + booking_rules(gym, en),
            "fitness musculation cardio vélo tapis",
        ),
        FaqSeed(
            "horaires",
            "Quels sont les horaires de la laverie ?",
            f"La laverie ({laundry.description}) est ouverte {opening(laundry, fr)}. {laundry.capacity} personnes "
            "peuvent la réserver sur le même créneau, une par machine. " + booking_rules(laundry, fr),
            "What are the laundry room's opening hours?",
            f"The laundry room (3 washing machines and 2 dryers) is open {opening(laundry, en)}. {laundry.capacity} "
            "residents can book the same slot, one per machine. " + booking_rules(laundry, en),
            "machine à laver sèche-linge lessive washing machine dryer",
        ),
        FaqSeed(
            "horaires",
            "Quels sont les horaires de la salle commune ?",
            f"La salle commune ({room.description.lower()}) est ouverte {opening(room, fr)}. Vous pouvez la "
            "réserver pour un repas de famille ou un anniversaire. " + booking_rules(room, fr),
            "What are the common room's hours?",
            f"The common room (a large room with a kitchen, for 30 people) is open {opening(room, en)}. You can "
            "book it for a family meal or a birthday. " + booking_rules(room, en),
            "fête anniversaire repas cuisine party birthday",
        ),
        FaqSeed(
            "horaires",
            "Quand le bureau de la gestion est-il ouvert ?",
            "Le bureau de la gestion, au rez-de-chaussée, est ouvert du lundi au vendredi de 9 h à 12 h et de 14 h à "
            "17 h. En dehors de ces heures, /signaler prévient la gestion, et un incident urgent l'astreinte.",
            "When is the management office open?",
            "The management office, on the ground floor, is open Monday to Friday, 9:00 to 12:00 and 14:00 to "
            "17:00. Outside these hours, /report alerts the management, and an urgent incident the on-call team.",
            "bureau accueil office reception",
        ),
        # --- règles
        FaqSeed(
            "regles",
            "Quelles sont les heures de calme ?",
            "Le calme est de rigueur de 22 h à 8 h, et de 12 h 30 à 14 h pour la sieste : télévision et radio à "
            "volume modéré, pas de travaux bruyants. Un bruit gênant et répété ? Signalez-le avec /signaler "
            "(catégorie Bruit).",
            "What are the quiet hours?",
            "Quiet is expected from 22:00 to 8:00, and from 12:30 to 14:00 for the afternoon nap: TV and radio at a "
            "moderate volume, no noisy work. A repeated disturbing noise? Report it with /report (Noise category).",
            "nuit sieste voisin télévision night neighbour tv",
        ),
        FaqSeed(
            "regles",
            "Les animaux de compagnie sont-ils acceptés ?",
            "Oui : un petit animal par appartement (chat, petit chien, oiseau), déclaré à la gestion. Les chiens "
            "sont tenus en laisse dans les parties communes et n'entrent ni dans la salle commune ni dans la salle "
            "de sport.",
            "Are pets allowed?",
            "Yes: one small pet per apartment (a cat, a small dog, a bird), declared to the management. Dogs stay on "
            "a lead in the common areas and do not go into the common room or the gym.",
        ),
        FaqSeed(
            "regles",
            "Peut-on fumer dans la résidence ?",
            "Il est interdit de fumer (et de vapoter) dans toutes les parties communes : hall, couloirs, ascenseurs, "
            "salles et laverie. Vous pouvez fumer chez vous, sur votre balcon, ou dans le jardin près du cendrier "
            "prévu à cet effet.",
            "Can I smoke in the residence?",
            "Smoking (and vaping) is forbidden in all common areas: hall, corridors, lifts, rooms and laundry. You "
            "may smoke at home, on your balcony, or in the garden by the ashtray provided.",
            "cigarette vapoter balcon",
        ),
        FaqSeed(
            "regles",
            "Quelles sont les règles de la laverie ?",
            "Réservez votre créneau avec /reserver (une machine par réservation), arrivez à l'heure, et libérez la "
            "machine à la fin du créneau : le linge oublié est posé dans le bac prévu. Nettoyez le filtre du "
            "sèche-linge après usage. La lessive n'est pas fournie.",
            "What are the laundry room rules?",
            "Book your slot with /book (one machine per booking), come on time, and free the machine at the end of "
            "your slot: forgotten laundry goes into the basket provided. Clean the dryer's filter after use. "
            "Detergent is not provided.",
            "machine filtre lessive oubli",
        ),
        FaqSeed(
            "regles",
            "Quelles sont les règles de la salle de sport ?",
            f"Une séance se réserve avec /reserver ({span(gym.max_duration, fr)} au plus). Tenue et chaussures "
            "propres, une serviette sur les appareils, et essuyez-les après usage. Demandez l'avis de votre médecin "
            "avant de reprendre une activité ; en cas de malaise, le bouton d'appel est près de la porte.",
            "What are the gym rules?",
            f"Book a session with /book ({span(gym.max_duration, en)} at most). Clean clothes and shoes, a towel on "
            "the machines, and wipe them after use. Ask your doctor before taking up exercise again; if you feel "
            "unwell, the call button is by the door.",
            "serviette tenue appareil towel",
        ),
        FaqSeed(
            "regles",
            "Puis-je faire des travaux ou percer les murs ?",
            "Les petits travaux (percer pour un cadre, changer une ampoule) sont permis du lundi au samedi de 9 h à "
            "12 h et de 14 h à 18 h. Pour des travaux plus importants, demandez d'abord l'accord de la gestion. Une "
            "réparation à faire ? /signaler.",
            "Can I do work or drill the walls?",
            "Small jobs (drilling for a frame, changing a bulb) are allowed Monday to Saturday, 9:00 to 12:00 and "
            "14:00 to 18:00. For bigger work, ask the management first. Something to repair? /report.",
            "perceuse bricolage drill diy",
        ),
        # --- contacts
        FaqSeed(
            "contacts",
            "Qui est le gestionnaire et comment le joindre ?",
            manager_sentence(residence, fr),
            "Who is the manager and how do I reach them?",
            manager_sentence(residence, en),
            "téléphone joindre contact phone",
        ),
        FaqSeed(
            "contacts",
            "Comment joindre le gardien ?",
            "Le gardien est à la loge, dans le hall, du lundi au vendredi de 8 h à 12 h et de 14 h à 18 h. En dehors "
            "de ces heures, signalez le problème avec /signaler : un incident urgent prévient aussitôt l'équipe.",
            "How do I reach the caretaker?",
            "The caretaker is at the lodge, in the hall, Monday to Friday, 8:00 to 12:00 and 14:00 to 18:00. Outside "
            "these hours, report the problem with /report: an urgent incident alerts the team at once.",
            "loge hall lodge",
        ),
        FaqSeed(
            "contacts",
            "Qui appeler pour un problème urgent la nuit ou le week-end ?",
            "Signalez-le avec /signaler en choisissant « Urgent » : la gestion et l'astreinte sont prévenues "
            "aussitôt, jour et nuit. Si une personne est en danger, appelez d'abord le 112 (ou le 15, le 18).",
            "Who do I call for an urgent problem at night or at the weekend?",
            "Report it with /report and choose “Urgent”: the management and the on-call team are alerted at once, "
            "day and night. If someone is in danger, call 112 first (or 15, 18).",
            "astreinte nuit week-end fuite on-call leak",
        ),
        FaqSeed(
            "contacts",
            "Qui est le syndic de la résidence ?",
            "La résidence appartient au réseau Les Belles Années, qui en assure aussi la gestion technique (syndic). "
            "Adressez vos questions à la gestion de la résidence, qui transmet au siège si besoin.",
            "Who is the residence's property manager?",
            "The residence belongs to the Les Belles Années network, which also handles its technical management. "
            "Send your questions to the residence's management, who pass them on to head office if needed.",
            "syndic propriétaire siège copropriété landlord owner",
        ),
        FaqSeed(
            "contacts",
            "Quelle est l'adresse de la résidence ?",
            f"{residence}, {address}. Pour vos courriers, ajoutez votre nom et votre numéro d'appartement.",
            "What is the residence's address?",
            f"{residence}, {address}. For your mail, add your name and apartment number.",
            "adresse postale venir plan address",
        ),
        # --- services
        FaqSeed(
            "services",
            "Un médecin passe-t-il à la résidence ?",
            f"Oui, un médecin visiteur consulte à la résidence {local.doctor[0]}, dans la petite salle près de "
            "l'accueil. Prenez rendez-vous auprès de la gestion. En cas d'urgence, appelez le 15.",
            "Does a doctor visit the residence?",
            f"Yes, a visiting doctor sees residents at the residence {local.doctor[1]}, in the small room by the "
            "reception. Book through the management. In an emergency, call 15.",
            "consultation rendez-vous santé appointment health",
        ),
        FaqSeed(
            "services",
            "Y a-t-il un coiffeur à la résidence ?",
            f"Oui, une coiffeuse vient {local.hairdresser[0]}, dans la salle commune. Les rendez-vous se prennent "
            "auprès de la gestion ; le règlement se fait directement auprès d'elle.",
            "Is there a hairdresser at the residence?",
            f"Yes, a hairdresser comes {local.hairdresser[1]}, in the common room. Appointments are made through "
            "the management; you pay her directly.",
            "coupe brushing rendez-vous",
        ),
        FaqSeed(
            "services",
            "Existe-t-il une navette pour aller en ville ?",
            f"Oui, la navette de la résidence part du hall {local.shuttle[0]}, et revient vers 12 h. Elle est "
            "gratuite ; inscrivez-vous la veille auprès de la gestion (8 places).",
            "Is there a shuttle into town?",
            f"Yes, the residence's shuttle leaves from the hall {local.shuttle[1]}, and comes back around 12:00. It "
            "is free; sign up with the management the day before (8 seats).",
            "bus ville courses marché town shopping",
        ),
        FaqSeed(
            "services",
            "Comment me connecter au wifi ?",
            f"Le wifi des parties communes s'appelle « {local.wifi} » ; le mot de passe est affiché à l'accueil. "
            "Dans votre appartement, la box est à votre nom : contactez votre fournisseur d'accès.",
            "How do I connect to the wifi?",
            f"The common areas' wifi is called “{local.wifi}”; the password is posted at the reception. In your "
            "apartment, the box is in your name: contact your internet provider.",
            "wi-fi internet mot de passe réseau password network",
        ),
        FaqSeed(
            "services",
            "Où récupérer mon courrier et mes colis ?",
            "Le courrier est déposé dans votre boîte aux lettres, dans le hall. Les colis trop grands sont gardés à "
            "la loge du gardien ; vous les retirez aux heures d'ouverture de la loge, avec une pièce d'identité.",
            "Where do I get my mail and parcels?",
            "Mail goes into your letterbox in the hall. Parcels too big for it are kept at the caretaker's lodge; "
            "collect them during the lodge's opening hours, with an ID.",
            "boîte aux lettres livraison letterbox delivery",
        ),
        FaqSeed(
            "services",
            "Comment connaître les animations et les sorties ?",
            "Tapez /evenements : vous voyez les prochains événements de la résidence (loto, ateliers, sorties) avec "
            "les places restantes, et vous vous inscrivez d'un geste. Vous pouvez aussi proposer votre propre "
            "événement.",
            "How do I find out about activities and outings?",
            "Type /events: you see the residence's upcoming events (bingo, workshops, outings) with the seats left, "
            "and sign up in one tap. You can also propose your own event.",
            "loto atelier sortie inscription bingo workshop",
        ),
        FaqSeed(
            "services",
            "Comment vendre, donner ou prêter un objet ?",
            "Le marché entre résidents est là pour ça : /marche, puis « Publier ». Votre annonce reste en ligne "
            "30 jours. Les voisins vous écrivent par le bot, qui ne montre que les prénoms.",
            "How do I sell, give away or lend something?",
            "The residents' market is there for that: /market, then “Post”. Your listing stays online for 30 days. "
            "Neighbours write to you through the bot, which only shows first names.",
            "petites annonces don prêt vente objet",
        ),
        FaqSeed(
            "services",
            "Comment réserver un espace commun ?",
            "Tapez /reserver : choisissez l'espace (salle commune, laverie, salle de sport, chambre d'amis), le "
            "jour, puis un créneau libre. /reservations affiche vos réservations et permet d'annuler.",
            "How do I book a shared space?",
            "Type /book: choose the space (common room, laundry, gym, guest room), the day, then a free slot. "
            "/bookings shows your bookings and lets you cancel.",
            "espace salle annuler cancel",
        ),
        # --- déchets
        FaqSeed(
            "dechets",
            "Comment trier mes déchets et quand sortent les poubelles ?",
            "Le local poubelles est au rez-de-chaussée, près du parking. Bac gris : ordures ménagères, ramassées "
            f"{local.household_waste[0]}. Bac jaune : emballages, papiers et cartons, ramassés {local.recycling[0]}. "
            "Le verre va dans le conteneur devant la résidence.",
            "How do I sort my waste and when are the bins collected?",
            "The bin room is on the ground floor, by the car park. Grey bin: household waste, collected "
            f"{local.household_waste[1]}. Yellow bin: packaging, paper and cardboard, collected "
            f"{local.recycling[1]}. Glass goes in the container in front of the residence.",
            "local poubelles bac jaune gris emballages verre ramassage collecte jeter",
        ),
        FaqSeed(
            "dechets",
            "Que faire de mes encombrants ?",
            f"Les encombrants (meubles, gros appareils) sont enlevés {local.bulky[0]}. Prévenez la gestion la "
            "semaine avant et déposez-les la veille au soir dans le local poubelles, jamais dans les couloirs.",
            "What do I do with bulky items?",
            f"Bulky items (furniture, large appliances) are collected {local.bulky[1]}. Tell the management the week "
            "before and leave them in the bin room the evening before, never in the corridors.",
            "meuble matelas électroménager furniture mattress appliance",
        ),
        FaqSeed(
            "dechets",
            "Où jeter les piles, les ampoules et les médicaments ?",
            "Une boîte de collecte pour les piles et les ampoules est à l'accueil. Les médicaments non utilisés se "
            "rapportent en pharmacie. Les produits dangereux (peinture, solvants) vont en déchetterie : demandez "
            "la navette à la gestion.",
            "Where do I throw away batteries, bulbs and medicines?",
            "A collection box for batteries and bulbs is at the reception. Unused medicines go back to a pharmacy. "
            "Hazardous products (paint, solvents) go to the recycling centre: ask the management about the shuttle.",
            "piles ampoules médicaments pharmacie batteries bulbs medicines",
        ),
        # --- visiteurs
        FaqSeed(
            "visiteurs",
            "Mes proches peuvent-ils me rendre visite ?",
            "Bien sûr, à toute heure de la journée. Après 21 h, la porte du hall est fermée : vos visiteurs vous "
            "appellent à l'interphone. Un proche qui dort chez vous plus de 3 nuits : prévenez la gestion.",
            "Can my family and friends visit me?",
            "Of course, at any time of day. After 21:00 the hall door is locked: your visitors call you on the "
            "intercom. A relative staying with you more than 3 nights: tell the management.",
            "interphone nuit dormir proches intercom night stay",
        ),
        FaqSeed(
            "visiteurs",
            "Comment réserver la chambre d'amis ?",
            guest_room_rules(guest, fr),
            "How do I book the guest room?",
            guest_room_rules(guest, en),
            "chambre d'amis nuit dormir héberger guest room night",
        ),
        FaqSeed(
            "visiteurs",
            "Où mes visiteurs peuvent-ils se garer ?",
            f"Le parking de la résidence compte {local.parking_places} places dont {local.visitor_places} réservées "
            "aux visiteurs, à gauche de l'entrée. Les autres places sont attribuées aux résidents : demandez la "
            "vôtre à la gestion.",
            "Where can my visitors park?",
            f"The residence's car park has {local.parking_places} spaces, {local.visitor_places} of them for "
            "visitors, left of the entrance. The other spaces are assigned to residents: ask the management for "
            "yours.",
            "parking place voiture car space",
        ),
        # --- loyer
        FaqSeed(
            "loyer",
            "Comment payer mon loyer ?",
            "Le loyer est prélevé automatiquement le 5 de chaque mois sur le compte dont vous avez donné le RIB. "
            "Pour changer de compte, apportez un nouveau RIB à la gestion avant le 20 du mois précédent.",
            "How do I pay my rent?",
            "The rent is taken by direct debit on the 5th of each month from the account whose details you gave. "
            "To change account, bring your new bank details to the management before the 20th of the month before.",
            "prélèvement RIB virement date 5 direct debit bank",
        ),
        FaqSeed(
            "loyer",
            "Où trouver ma quittance de loyer ?",
            "Votre quittance est déposée chaque mois dans /compte, rubrique « 📂 Mes documents » : touchez-la pour "
            "la recevoir en PDF. Besoin d'une attestation de résidence ? Même endroit, « 📄 Attestation de "
            "résidence ».",
            "Where do I find my rent receipt?",
            "Your receipt is filed every month in /account, under “📂 My documents”: tap it to receive the PDF. "
            "Need a residence certificate? Same place, “📄 Residence certificate”.",
            "quittance document pdf compte receipt",
        ),
        FaqSeed(
            "loyer",
            "Que comprennent les charges ?",
            "Les charges couvrent le chauffage, l'eau, l'entretien des parties communes, le wifi des espaces "
            "communs, les animations et la navette. L'électricité de votre appartement est à votre nom.",
            "What do the service charges cover?",
            "The charges cover heating, water, cleaning of the common areas, the common areas' wifi, activities and "
            "the shuttle. Your apartment's electricity is in your name.",
            "charges eau électricité inclus water electricity included",
        ),
        # --- sécurité
        FaqSeed(
            "securite",
            "Que faire en cas d'incendie ?",
            "Si le feu est chez vous : sortez, fermez la porte derrière vous et appelez le 18 (ou le 112). Si "
            "l'alarme sonne : n'utilisez pas l'ascenseur, suivez les panneaux verts vers l'escalier et le point de "
            "rassemblement devant la résidence. Si la fumée bloque le couloir, restez chez vous, porte fermée, et "
            "signalez-vous à la fenêtre.",
            "What do I do if there is a fire?",
            "If the fire is in your home: get out, close the door behind you and call 18 (or 112). If the alarm "
            "rings: do not use the lift, follow the green signs to the stairs and the assembly point in front of "
            "the residence. If smoke blocks the corridor, stay home with the door shut and show yourself at the "
            "window.",
            "alarme incendie évacuation extincteur alarm extinguisher",
        ),
        FaqSeed(
            "securite",
            "J'ai perdu ma clé ou mon badge, que faire ?",
            "Prévenez la gestion ou le gardien au plus vite : le badge perdu est désactivé et un nouveau vous est "
            "remis (10 €). Pour une clé d'appartement, un double est gardé à l'accueil ; en dehors des heures "
            "d'ouverture, /signaler (catégorie Serrurerie).",
            "I lost my key or my badge, what do I do?",
            "Tell the management or the caretaker as soon as possible: the lost badge is deactivated and you get a "
            "new one (€10). For an apartment key, a spare is kept at the reception; outside opening hours, /report "
            "(Locksmith category).",
            "serrure porte bloqué dehors lock door locked out",
        ),
        FaqSeed(
            "securite",
            "Je pars en vacances, que dois-je faire ?",
            "Prévenez la gestion de vos dates : l'équipe garde un œil sur votre porte et votre courrier peut être "
            "gardé à la loge. Fermez l'eau et baissez le chauffage sans le couper en hiver.",
            "I am going on holiday, what should I do?",
            "Tell the management your dates: the team keeps an eye on your door and your mail can be kept at the "
            "lodge. Turn off the water and turn the heating down, not off, in winter.",
            "vacances absence départ holiday away",
        ),
        # --- général
        FaqSeed(
            "general",
            "Quand le chauffage est-il allumé ?",
            "Le chauffage collectif fonctionne du 15 octobre au 15 avril, et plus tôt ou plus tard si le temps est "
            "froid. Un radiateur froid pendant cette période ? Signalez-le avec /signaler (catégorie Chauffage).",
            "When is the heating on?",
            "The central heating runs from 15 October to 15 April, and earlier or later in cold weather. A cold "
            "radiator during that period? Report it with /report (Heating category).",
            "saison hiver température winter temperature",
        ),
        FaqSeed(
            "general",
            "Comment signaler un problème dans mon appartement ?",
            "Tapez /signaler : choisissez la catégorie (plomberie, électricité, chauffage…), le lieu, décrivez le "
            "problème, indiquez l'urgence et ajoutez des photos si vous le souhaitez. La gestion est prévenue "
            "aussitôt, et /incidents vous montre où en est la réparation.",
            "How do I report a problem in my apartment?",
            "Type /report: choose the category (plumbing, electricity, heating…), the place, describe the problem, "
            "set the urgency and add photos if you like. The management is alerted at once, and /incidents shows "
            "you how the repair is going.",
            "panne fuite réparation incident breakdown leak repair",
        ),
    ]


NETWORK_ENTRIES: tuple[FaqSeed, ...] = (
    FaqSeed(
        "contacts",
        "Quels sont les numéros d'urgence ?",
        "112 : numéro d'urgence européen. 15 : SAMU (urgence médicale). 18 : pompiers. 17 : police. 114 : urgences "
        "par SMS pour les personnes sourdes ou malentendantes. Ensuite, prévenez la gestion avec /signaler.",
        "What are the emergency numbers?",
        "112: European emergency number. 15: SAMU (medical emergency). 18: fire brigade. 17: police. 114: emergency "
        "by text message for deaf or hard-of-hearing people. Then tell the management with /report.",
        "112 15 18 17 samu pompiers police",
    ),
    FaqSeed(
        "general",
        "Que sait faire LBA Bot ?",
        "LBA Bot est l'assistant des résidences Les Belles Années. /signaler un problème, /reserver un espace, "
        "/evenements pour les animations, /marche pour les annonces entre résidents, /compte pour votre profil, "
        "vos points et vos documents, /faq pour ces questions fréquentes. Vous pouvez aussi m'écrire votre "
        "question directement.",
        "What can LBA Bot do?",
        "LBA Bot is the assistant of the Les Belles Années residences. /report a problem, /book a space, /events "
        "for activities, /market for residents' listings, /account for your profile, points and documents, /faq "
        "for these frequent questions. You can also just write your question to me.",
        "aide bot commandes assistant help commands",
    ),
    FaqSeed(
        "general",
        "Comment changer la langue du bot ?",
        "Tapez /langue et choisissez Français ou English. Le bot vous répond ensuite dans cette langue, partout.",
        "How do I change the bot's language?",
        "Type /language and choose Français or English. The bot then answers you in that language everywhere.",
        "langue anglais français language english french",
    ),
    FaqSeed(
        "general",
        "À quoi servent les points de fidélité ?",
        f"Vous gagnez des points en participant à la vie de la résidence : {points_sentence('fr')}. Votre solde et "
        "son historique sont dans /compte, « ⭐ Mes points ».",
        "What are loyalty points for?",
        f"You earn points by taking part in the residence's life: {points_sentence('en')}. Your balance and its "
        "history are in /account, “⭐ My points”.",
        "points fidélité solde gagner loyalty balance earn",
    ),
    FaqSeed(
        "general",
        "Comment obtenir une attestation de résidence ?",
        "Dans /compte, touchez « 📄 Attestation de résidence » : le bot vous envoie aussitôt un PDF à votre nom, "
        "daté du jour.",
        "How do I get a residence certificate?",
        "In /account, tap “📄 Residence certificate”: the bot sends you a PDF in your name, dated today, at once.",
        "attestation certificat justificatif domicile certificate proof address",
    ),
)


def seed_faq(session: Session, residences: Mapping[str, int], now: datetime) -> int:
    """Create the missing demo entries (`residences`: demo residence name -> id); returns how many were created."""
    from services.knowledge import forget_indexes

    wanted: list[tuple[int | None, FaqSeed]] = [(None, seed) for seed in NETWORK_ENTRIES]
    for name, residence_id in residences.items():
        wanted += [(residence_id, seed) for seed in residence_entries(name)]
    existing = set(session.execute(sa.select(FaqEntry.residence_id, FaqEntry.question_fr)))
    created = 0
    for residence_id, seed in wanted:
        if (residence_id, seed.question_fr) in existing:
            continue
        session.add(
            FaqEntry(
                residence_id=residence_id,
                topic=seed.topic,
                question_fr=seed.question_fr,
                answer_fr=seed.answer_fr,
                question_en=seed.question_en,
                answer_en=seed.answer_en,
                keywords=seed.keywords,
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
        existing.add((residence_id, seed.question_fr))
        created += 1
    if created:
        session.flush()
        forget_indexes()
    return created
