"""Local understanding of what a resident writes: intent, language and the slots the flows need.

No model and no network: hand-written cues over folded words (services/text.py), a few readers for
dates and times, and a scoring that prefers acting (report, book, sign up) over answering only when
the resident asks for it ("À quelle heure ouvre la salle de sport ?" is a question, not a booking).
Typos of one letter are forgiven on long words. The labelled set in tests/data/nlu_utterances.json
and `python -m bench.nlu_accuracy` measure it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.assistant_types import Understanding
from services.text import MONTH_NAMES, MONTHS, WEEKDAY_NAMES, WEEKDAYS, squash

MAX_CHARS = 600
"""Only the start of a long message is read: the intent is in the first sentences, and the work stays bounded."""
MAX_TOKENS = 120

SLOTS_OF = {
    "report_incident": ("category", "urgency", "place"),
    "book_space": ("space", "date", "time", "period"),
    "events": ("query", "date"),
    "market": ("kind",),
    "question": ("space",),
}
"""Which slots each intent carries; other intents carry none."""

# --- the cues ---------------------------------------------------------------------------------------
# One line: phrases separated by commas (words folded; a trailing * matches any ending), a colon, tags.
#   sym=W        a problem is described (counts for report_incident)     cat:C=W  incident category C
#   place=P      a COMMON_PLACES key, or "home"       fix  home when said with "my" ("mon radiateur")
#   space=S      a SpaceKind                          urg=urgent|low
#   i:INTENT=W   counts for that intent               kind=K  a ListingKind (with i:market)
#   q=W          asks for information                 book=W / want=W / avail=W  booking words
#   ev=W         names an event (counts for events; the query is read around it)
#   nil          recognised, means nothing here (stops a shorter cue inside it: "au courant")

_FR = """
fuite, fuites, fuit, fuient, fuyait : sym=3 cat:plumbing=3
coule, coulent, coulait, degoulin* : sym=3 cat:plumbing=2
goutte* : sym=2 cat:plumbing=2
ca coule partout, coule partout, fuite importante, grosse fuite, degat des eaux : sym=3 cat:plumbing=3 urg=urgent
degats des eaux : sym=3 cat:plumbing=3 urg=urgent
inond* : sym=3 cat:plumbing=2 urg=urgent
bouche, bouchee, bouches, bouchees, bouchon, boucher : sym=2 cat:plumbing=2
se vide pas, se vide plus, tire pas, tire plus : sym=2 cat:plumbing=1
evacue plus, evacue pas, s evacue plus : sym=2 cat:plumbing=2
debord* : sym=2
plus d eau, pas d eau, plus d eau chaude, pas d eau chaude, plus d eau froide : sym=3 cat:plumbing=3
eau chaude, chauffe eau, ballon d eau chaude : cat:plumbing=2
eau : cat:plumbing=1
evier, lavabo, baignoire, douche, toilettes, toilette, wc, chasse d eau, salle de bain : place=home cat:plumbing=2
salle de bains, salle d eau : place=home cat:plumbing=2
robinet*, canalisation*, tuyau*, siphon : fix cat:plumbing=2
plombier, plomberie : sym=2 cat:plumbing=3
humidite, infiltration*, moisissure* : sym=2 cat:plumbing=2
radiateur*, chauffage*, chaudiere : fix cat:heating=2
chauffe plus, chauffe pas, chauffent plus, chauffent pas : sym=3 cat:heating=3
froid, il fait froid, gele, on gele, je gele, glacial : sym=2 cat:heating=2
bouillant, brulant, trop chaud, surchauffe : sym=2 cat:heating=2
chauffagiste : sym=2 cat:heating=3
lumiere*, lampe*, eclairage : fix cat:electricity=2
ampoule* : cat:electricity=2
grille, grillee, grillees, grilles : sym=2 cat:electricity=1
prise, prises, interrupteur*, sonnette : fix cat:electricity=2
electri*, courant, interphone : cat:electricity=2
plus de courant, pas de courant, plus d electricite, pas d electricite, coupure de courant : sym=3 cat:electricity=3
coupure d electricite, les plombs ont saute, plombs ont saute : sym=3 cat:electricity=3
disjonct*, court circuit : sym=2 cat:electricity=3
etincelle* : sym=3 cat:electricity=3 urg=urgent
dans le noir : sym=1 cat:electricity=1
plus de lumiere, pas de lumiere, plus d eclairage, pas d eclairage, plus de lumieres : sym=3 cat:electricity=3
plus de chauffage, pas de chauffage, chauffage coupe : sym=3 cat:heating=3
electricien : sym=2 cat:electricity=3
au courant, prise en charge, prise de sang, prendre rendez vous : nil
ascenseur* : cat:elevator=3 place=elevator
bloque* dans l ascenseur, coince* dans l ascenseur : sym=3 cat:elevator=4 place=elevator urg=urgent
enferme* dans l ascenseur : sym=3 cat:elevator=4 place=elevator urg=urgent
cle, cles, clef, clefs, badge, digicode, verrou : cat:locksmith=2
serrure*, serrurier : sym=1 cat:locksmith=3
porte, porte d entree : fix cat:locksmith=1.5
bloque* dehors, enferme* dehors, peux plus rentrer, peux pas rentrer, peut plus rentrer : sym=3 cat:locksmith=3
ferme plus, ferme pas, ferme mal, ouvre plus, ouvre pas, ferme plus a cle : sym=2 cat:locksmith=1
bruit*, bruyant*, tapage, vacarme, boucan, musique forte, musique trop forte : sym=2 cat:noise=3
cri, cris, crie, crient, hurle*, aboi* : sym=2 cat:noise=2
sale, sales, salete*, pas propre, crade, degoutant, crotte*, vomi : sym=2 cat:common_areas=3
poubelle*, ordure*, local poubelle*, local a poubelles, encombre : cat:common_areas=2
tag, tags, graffiti*, degradation*, vandalis* : sym=2 cat:common_areas=2
dechet*, detritus : cat:common_areas=1
pas nettoye, pas ete nettoye, jamais nettoye, sent mauvais, mauvaise odeur, ca pue, pue : sym=2 cat:common_areas=1
odeur de gaz, sent le gaz, fuite de gaz, gaz : sym=3 urg=urgent
fumee, feu, incendie, brule : sym=3 urg=urgent
panne, en panne, hors service, hs, ne marche plus, ne fonctionne plus : sym=3
marche plus, marche pas, fonctionne plus, fonctionne pas, marchent plus, marchent pas, fonctionnent plus : sym=3
demarre pas, allume plus, allume pas, s allume plus, s allume pas : sym=3
cass*, abime*, fissure*, detraque*, endommage*, arrache*, tombe, tombee : sym=3
bloque, bloquee, bloques, bloquees, coince, coincee : sym=2
perdu, perdue, perdus, egare* : sym=2
trou, troue : sym=1
probleme, problemes, souci, soucis, pb : sym=1
un souci avec, un probleme avec, souci avec, probleme avec, des soucis avec, des problemes avec : sym=3
oublie, oubliee : sym=2
oublie mes cles, oublie ma cle, oublie mes clefs, oublie ma clef, perdu mes cles, perdu ma cle : sym=3 cat:locksmith=3
coupe, coupee, coupure : sym=2
partout : sym=1
eau partout, de l eau partout, eau qui coule : sym=3 cat:plumbing=3 urg=urgent
rat, rats, souris, cafard*, blatte*, punaise*, nuisible*, insecte*, guepe*, fourmi*, pigeon* : sym=3 cat:other=2
fume, fument, cigarette*, megot* : sym=2 cat:common_areas=1
signaler, signale, declarer un probleme, faire un signalement, nouveau signalement : i:report_incident=3
repar*, depann*, intervention, venir voir, envoyer quelqu un : i:report_incident=2
urgent, urgente, urgence, sos, vite, au plus vite, rapidement, tout de suite, immediatement, au secours : urg=urgent
a l aide, danger, dangereux : urg=urgent
pas urgent, pas presse, pas pressee, rien d urgent, rien de grave, pas grave, quand vous pourrez : urg=low
quand vous aurez le temps, quand vous avez le temps, pas de precipitation, a l occasion, sans urgence : urg=low
chez moi, chez nous, a la maison, mon appartement, mon appart, mon logement, mon studio, notre appartement : place=home
cuisine, chambre, salon, balcon, ma chambre, ma cuisine : place=home
appartement, appart, logement, studio, fenetre*, volet*, mur, murs, plafond, sol, placard*, four, frigo : fix
refrigerateur, plaque*, hotte : fix
hall, hall d entree, entree, entree de l immeuble, accueil : place=hall
couloir*, corridor*, palier : place=corridors
escalier*, cage d escalier, marches : place=stairs
parking, garage, sous sol : place=parking
jardin, cour, parc, terrasse : place=garden
laverie, machine a laver, machines a laver, lave linge, seche linge, linge, lessive : space=laundry place=laundry
buanderie : space=laundry place=laundry
salle de sport, salle de gym, gym, fitness, musculation, muscu, salle de musculation, salle de fitness : space=gym
salle commune, salle polyvalente, salle des fetes, salle de reception : space=common_room place=common_room
salle d animation : space=common_room place=common_room
chambre d amis, chambre d hote, chambre d hotes, chambre des invites, chambre invite, studio invite : space=guest_room
reserv*, louer, location : book=3
creneau*, planning : book=2
libre, libres, disponible*, dispo, dispos : avail=2
voudrais, veux, voulais, voudrait, souhait*, aimerais, aimerait, j aimerais, besoin, il me faut, faire : want=2
puis je avoir, est ce que je peux avoir, pourrais je avoir, peux avoir : want=2
mes reservations, ma reservation, mes creneaux, mon creneau, j ai reserv*, ai je reserv* : i:my_bookings=5
j avais reserv*, nos reservations : i:my_bookings=5
mon signalement, mes signalements, mon incident, mes incidents, ma declaration, j ai signal* : i:my_incidents=5
j avais signal*, nos signalements : i:my_incidents=5
ma demande, mes demandes, suivi, ou en est, ou en sont, toujours pas repare, toujours pas reparee : i:my_incidents=3
toujours rien, personne n est venu, personne n est passe, pas encore venu : i:my_incidents=3
mon compte, mon profil, mes informations, mes coordonnees, mes infos : i:account=4
changer mon, modifier mon, changer ma, modifier ma, changer mes, modifier mes, mettre a jour mon : i:account=2
telephone, numero de telephone, portable : i:account=2
langue, en anglais, en francais : i:account=2
points, mes points, de points, combien de points : i:account=3
mot de passe, adresse mail, adresse email, email, mail, notifications, me deconnecter, deconnexion : i:account=2
deconnecter, connecter, connexion, me connecter, identifiant* : i:account=2
aide, aidez moi, a l aide svp, besoin d aide, j ai besoin d aide : i:help=3
que sais tu faire, que peux tu faire, tu sais faire quoi, tu fais quoi, que savez vous faire : i:help=4
que pouvez vous faire, qu est ce que tu sais faire, qu est ce que tu peux faire, comment ca marche : i:help=4
ca marche comment, comment utiliser, comment on fait, mode d emploi, a quoi tu sers, a quoi sert ce bot : i:help=4
menu, commandes, je suis perdu*, je ne comprends pas, je comprends pas, je n y comprends rien, bot, assistant : i:help=2
bonjour, bonsoir, salut, coucou, bonne journee, bonne soiree, re bonjour, allo : i:greeting=2
comment allez vous, comment vas tu, ca va, vous allez bien : i:greeting=3
merci, mercii, merci bien, remerci* : i:thanks=2
merci beaucoup, merci infiniment, mille mercis, c est gentil, c est tres gentil, tres aimable, super merci : i:thanks=3
merci pour tout, pour votre aide, pour ton aide, de votre aide, pour l aide : i:thanks=3
activite*, animation*, evenement*, evenements, programme, agenda, sortie*, excursion* : i:events=3
inscri*, participer, desinscri* : i:events=2
on fait quoi, qu est ce qu on fait, quoi de prevu, quoi de neuf, qu est ce qui se passe, que se passe t il : i:events=3
loto, bingo, concert*, spectacle*, atelier*, conference*, chorale, chant, belote, tarot, scrabble : ev=4
jeux de societe, tournoi*, cinema, film, projection, gym douce, yoga, danse, tricot, dictee, quiz, karaoke : ev=4
petanque, gymnastique, cours, gouter, repas partage, fete, fete de noel, brocante, vide grenier, marche de noel : ev=4
lecture, club, balade, promenade, visite guidee, musee, theatre, pilates, sophrologie, memoire : ev=4
en cours : nil
vend*, a vendre, vente : i:market=3 kind=sell
achete*, acheter, achat, cherche a acheter : i:market=3 kind=buy
donne, donner, donnes, a donner, don, gratuit, gratuitement : i:market=3 kind=give
preter, prete, pretes, emprunt*, pret : i:market=3 kind=lend
petites annonces, petite annonce, annonces, annonce, troc, echange*, occasion : i:market=3
quelle heure, a quelle heure, quel horaire, quels horaires, horaire*, heures d ouverture, heure d ouverture : q=2
ouvre, ouvrent, ouvert*, ouverture, fermeture, ferme, fermee, ferment : q=2
comment, combien, pourquoi, quand, qui, quel, quelle, quels, quelles, est ce que, est il possible, a t on le droit : q=1
ai je le droit, faut il, puis je, peut on, peux t on, y a t il : q=1
ou est, ou sont, ou se trouve, ou se trouvent, ou jeter, ou mettre, ou deposer, ou puis je, ou faut il, ou peut on : q=2
ou garer, ou se garer, ou ranger, ou trouver : q=2
voudrais savoir, aimerais savoir, pouvez vous me dire, savoir, renseignement*, information*, question : q=2
regle*, reglement*, interdit, autorise*, permis, accepte*, droit : q=2
loyer, charges, payer, paiement, facture*, quittance*, caution : q=2
tri, trier, verre, recyclage, recycl*, encombrants, compost, point de collecte, points de collecte, ramassage : q=2
collecte : q=2
visiteur*, visite, invite*, petits enfants, famille, heberger, dormir : q=2
garer, stationn*, voiture, place de parking : q=2
wifi, wi fi, internet, code, code wifi, code du wifi, mot de passe du wifi : q=2
courrier, colis, boite aux lettres, boite a lettres, facteur, poste : q=2
animaux, animal, chien, chiens : q=1
medecin, pharmacie, infirmier*, infirmiere, docteur, navette, bus, taxi, transport*, restaurant, repas : q=2
menu du jour, coiffeur : q=2
gardien, gardienne, concierge, directeur, directrice, directeur de la residence, responsable, secretariat, bureau : q=1
numero, contacter, appeler, joindre, parler a : q=1
en cas de, que faire si, que faire en cas : q=2
"""

_EN = """
leak, leaks, leaking, leaky, dripping, drips, drip : sym=3 cat:plumbing=3
flood, flooding, flooded, floods : sym=3 cat:plumbing=2 urg=urgent
clogged, blocked drain, overflowing : sym=2
not flush, not flushing, won t flush, doesn t flush, does not flush, will not flush : sym=3 cat:plumbing=3
will not : sym=1
no water, no hot water, no running water : sym=3 cat:plumbing=3
hot water, water heater, boiler : cat:plumbing=2
water : cat:plumbing=1
sink, basin, bathtub, bath, shower, toilet, toilets, loo : place=home cat:plumbing=1
bathroom, kitchen, bedroom, living room : place=home
tap, taps, faucet, pipe, pipes, drain : fix cat:plumbing=2
plumber : sym=2 cat:plumbing=3
damp, mould, mold : sym=2 cat:plumbing=2
heater, heaters, heating, radiator, radiators : fix cat:heating=2
cold, freezing, not warm, no heating : sym=2 cat:heating=2
light, lights, lamp, lighting : fix cat:electricity=2
bulb, bulbs, fuse, fuses, socket, sockets, outlet, switch, electricity, electric, electrical, power : cat:electricity=2
doorbell, intercom : cat:electricity=2
no power, power cut, power outage, blackout, blown fuse, no electricity, out of power : sym=3 cat:electricity=3
sparks, sparking : sym=3 cat:electricity=3 urg=urgent
electrician : sym=2 cat:electricity=3
lift, lifts, elevator, elevators : cat:elevator=3 place=elevator
stuck in the lift, stuck in the elevator, trapped in the lift : sym=3 cat:elevator=4 place=elevator urg=urgent
trapped in the elevator : sym=3 cat:elevator=4 place=elevator urg=urgent
key, keys, lock, locks, badge, fob : cat:locksmith=2
door, front door : fix cat:locksmith=1.5
locked out, locksmith, can t get in, cannot get in : sym=3 cat:locksmith=3
won t close, won t lock, won t open, doesn t close, doesn t lock, does not close, does not lock : sym=2 cat:locksmith=1
noise, noisy, loud, loud music, shouting, barking, racket : sym=2 cat:noise=3
dirty, filthy, mess, messy, litter : sym=2 cat:common_areas=3
bin, bins, trash, rubbish, garbage, waste : cat:common_areas=2
graffiti, vandalism, vandalised, vandalized : sym=2 cat:common_areas=2
smells, smell, stinks, stink : sym=2 cat:common_areas=1
gas, gas smell, smell of gas, smells of gas, smoke, fire, burning : sym=3 urg=urgent
broken, broke, not working, doesn t work, does not work, isn t working, is not working, stopped working : sym=3
out of order, won t work, faulty, damaged, cracked : sym=3
is out, are out, went out, gone out : sym=2 cat:electricity=1
stuck, jammed, lost : sym=2
problem, problems, issue, issues : sym=1
problem with, issue with, trouble with, a problem with, an issue with : sym=3
forgot, forgotten : sym=2
is off, are off, turned off, switched off, cut off, went off : sym=2
everywhere : sym=1
water everywhere : sym=3 cat:plumbing=3 urg=urgent
rat, rats, mouse, mice, cockroach*, bedbug*, bed bugs, insects, pests, wasps, ants, pigeons : sym=3 cat:other=2
smoking, cigarette, cigarettes : sym=2 cat:common_areas=1
too hot, boiling, overheating : sym=2 cat:heating=2
report, report a problem, report an issue, new report : i:report_incident=3
fix, repair, mend, send someone, come and fix : i:report_incident=2
urgent, urgently, emergency, asap, quickly, immediately, right away, right now, help me quick, dangerous : urg=urgent
no rush, not urgent, no hurry, when you can, whenever you can, when you have time, not a priority, whenever : urg=low
at home, my flat, my apartment, my place, our flat, our apartment, my room : place=home
flat, apartment, window, windows, shutter, shutters, wall, walls, ceiling, floor, cupboard, oven, fridge, cooker : fix
hall, lobby, entrance, entrance hall, reception : place=hall
corridor, corridors, hallway, hallways, landing : place=corridors
stairs, staircase, stairwell, steps : place=stairs
car park, parking, garage, parking lot : place=parking
garden, gardens, courtyard, yard, terrace : place=garden
laundry, laundry room, washing machine, washing machines, washer, dryer, tumble dryer : space=laundry place=laundry
washing : space=laundry place=laundry
gym, fitness room, fitness, gym room, exercise room, weights room : space=gym
common room, party room, function room, community room, lounge, multipurpose room : space=common_room place=common_room
guest room, guest bedroom, spare room, guest suite : space=guest_room
book, booking, reserve, reservation : book=3
slot, slots, timeslot : book=2
free, available, availability, vacant : avail=2
i want, i d like, would like, i would like, i need, want, wanna, can i have, can i get, could i have, use : want=2
my bookings, my booking, my reservation, my reservations, what did i book, have i booked, i booked : i:my_bookings=5
my slots : i:my_bookings=5
my report, my reports, my incident, my incidents, my request, my requests, i reported, i had reported : i:my_incidents=4
status of, still not fixed, nobody came, no one came, any news : i:my_incidents=4
my account, my profile, my details, my information, my settings : i:account=4
change my, update my, edit my : i:account=2
phone, phone number, mobile, language, in english, in french, to english, to french : i:account=2
points, my points, how many points : i:account=3
password, email, email address, notifications, log out, logout, sign out, log in, login, sign in : i:account=2
help, help me, i need help, need help : i:help=3
what can you do, what do you do, how does this work, how does it work, how do i use, how to use, what are you : i:help=4
instructions : i:help=4
menu, commands, i m lost, i am lost, confused, i don t understand, bot, assistant : i:help=2
hello, hi, hey, good morning, good afternoon, good evening, hiya, greetings : i:greeting=2
how are you, how are you doing : i:greeting=3
thanks, thank you, thank, thx, ty, cheers : i:thanks=2
thank you so much, thanks a lot, many thanks, thank you very much, much appreciated, that s kind, very kind : i:thanks=3
for your help, for the help : i:thanks=3
event, events, activity, activities, what s on, whats on, programme, program, schedule, outing, outings : i:events=3
trip, trips : i:events=3
sign up, register, join, enrol, enroll, attend, participate : i:events=2
what s happening, what is happening, anything happening, what s going on, anything on : i:events=3
bingo, concert, concerts, workshop, workshops, class, classes, lecture, talk, party, movie, movies, film, cinema : ev=4
quiz, choir, singing, dance, dancing, yoga, knitting, tea party, coffee morning, card games, bridge, chess : ev=4
karaoke, walk, excursion, museum, theatre, theater : ev=4
sell, selling, for sale, sold : i:market=3 kind=sell
buy, buying, purchase, looking to buy, want to buy : i:market=3 kind=buy
give away, giving away, give, giving, for free, free to a good home, donate, donating, a free : i:market=3 kind=give
free stuff : i:market=3 kind=give
borrow, borrowing, lend, lending, loan : i:market=3 kind=lend
marketplace, market, listings, listing, classifieds, second hand, swap : i:market=3
what time, opening hours, opening times, hours, open, opens, opening, close, closes, closed, closing : q=2
how, when, who, what, which, why, is there, are there, can i, may i, do i, should i, is it : q=1
where, where is, where are, where do, where can, where should : q=2
i d like to know, i would like to know, tell me, information, info, question : q=2
rules, rule, allowed, permitted, forbidden, policy : q=2
rent, pay, payment, charges, bill, bills, deposit : q=2
recycling, recycle, glass, compost, collection, bulky : q=2
visitor, visitors, guest, guests, family, grandchildren, stay over, overnight : q=2
park, car, cars : q=1
wifi, wi fi, internet, password for the wifi, wifi password, code : q=2
mail, post, parcel, parcels, package, packages, letter, letters, mailbox, postman : q=2
pets, pet, dog, dogs : q=1
doctor, pharmacy, nurse, bus, shuttle, taxi, transport, restaurant, meals, meal, lunch, dinner, hairdresser : q=2
caretaker, concierge, manager, office, contact, call, number, speak to, talk to : q=1
in case of, what to do if, what should i do if : q=2
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that tell the language without naming anything (cue words count too).
_FR_WORDS = _words(
    "le la les un une des du de je j il elle est et mon ma mes ton ta vous nous pour dans sur avec pas ne plus ce "
    "cette ces qui que quoi quand comment pourquoi bonjour merci au aux c y qu l d n s m t suis ai sont etre "
    "voudrais veux peux puis tres depuis chez moi toi lui rien tout tous quel quelle quels quelles ou oui non "
    "svp stp madame monsieur sont notre votre leur ca cela encore aujourdhui demain soir matin midi "
    + WEEKDAY_NAMES[0]
    + " "
    + MONTH_NAMES[0]
)
_EN_WORDS = _words(
    "the an is are i my you your we to for in at with not this that what when where how do does can please "
    "hello hi thanks thank of it s there d ll m have has be been was were would could should will just our "
    "again any anyone someone yes no me today tomorrow tonight morning evening afternoon noon pm am "
    + WEEKDAY_NAMES[1]
    + " "
    + MONTH_NAMES[1]
)

# Words that do not name an event (an events query is read around an event word, skipping these).
_QUERY_STOP = _words(
    """le la les un une des du de d l au aux a et ou en dans sur pour par avec y il elle on ce c cet cette ces qu que
    qui quoi quand est sont sera seront ete etre a t il y ya mon ma mes ton ta tes son sa ses notre votre nos vos
    leur je j tu nous vous me m se s ne n pas plus prochain prochaine prochains prochaines dernier derniere
    quel quelle quels quelles comment combien pourquoi heure heures commence commencent debut fin lieu
    voudrais veux voulais souhaite souhaiterais aimerais peux puis pourrais peut inscrire inscris inscription
    participer aller venir reste restent place places encore bonjour bonsoir madame monsieur svp stp merci
    semaine mois annee jour ci la the a an of on in at for to is are be there any next this that what when
    which who how do does can could would i me my we our you your it its sign up join register please hi hello
    thanks prevu prevus prevue prevues organise organisee ont avoir fait faire programme activites activite
    animation animations evenement evenements event events activity activities soir matin apres midi
    aujourdhui demain week end weekend"""
)

_TOKEN = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?|\d{1,2}[:h]\d{2}(?:am|pm)?|\d+[a-z]*|[a-z]+"
)
_CONTRACTIONS = (
    ("won't", "will not"),
    ("can't", "can not"),
    ("aujourd'hui", "aujourdhui"),
    ("aujourd hui", "aujourdhui"),
)
_POSSESSIVE = _words("mon ma mes my our notre nos")


@dataclass
class _Cue:
    words: tuple[str, ...]
    tags: dict[str, str]
    lang: str


@dataclass
class _Lexicon:
    by_first: dict[str, list[_Cue]] = field(default_factory=lambda: defaultdict(list))
    exact: set[str] = field(default_factory=set)  # every plain word named in a cue
    stems: set[str] = field(default_factory=set)  # "reserv*" minus its star
    fuzzy: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # one-deletion variant -> words
    heard: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # `_sound` key -> words


_SOUNDS = (("eau", "o"), ("au", "o"), ("ph", "f"), ("qu", "k"), ("ck", "k"), ("sc", "s"), ("ce", "se"), ("ci", "si"))
_SOUNDS += (("ai", "e"), ("ei", "e"), ("y", "i"), ("w", "v"))
_DOUBLE = re.compile(r"(.)\1+")


def _sound(word: str) -> str:
    """A rough spelling-by-ear key: "chofage" and "chauffage" sound alike ("chofag")."""
    for written, heard in _SOUNDS:
        word = word.replace(written, heard)
    word = _DOUBLE.sub(r"\1", word)
    return word[:-1] if len(word) > 4 and word[-1] in "esxtdz" else word


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _build(sources: Iterable[tuple[str, str]]) -> _Lexicon:
    lexicon = _Lexicon()
    said: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for lang, text in sources:
        for line in text.strip().splitlines():
            phrases, _, tag_text = line.partition(" : ")
            tags = dict((tag.split("=", 1) + [""])[:2] for tag in tag_text.split())  # type: ignore[misc]
            for phrase in phrases.split(","):
                words = tuple(phrase.split())
                lexicon.by_first[words[0]].append(_Cue(words, tags, lang))
                said[words].add(lang)
                for word in words:
                    if word.endswith("*"):
                        lexicon.stems.add(word[:-1])
                    else:
                        lexicon.exact.add(word)
    for cues in lexicon.by_first.values():
        for cue in cues:
            if len(said[cue.words]) > 1:
                cue.lang = ""  # "gym", "parking": the same in both languages, tells neither
    forms = {word for word in lexicon.exact if len(word) >= 7}
    forms.update(stem + ending for stem in lexicon.stems for ending in ("", "er", "ation", "ee", "e"))
    for form in forms:
        if len(form) >= 7:
            for variant in _deletions(form):
                lexicon.fuzzy[variant].add(form)
        if len(form) >= 5:
            lexicon.heard[_sound(form)].add(form)
    return lexicon


_LEX = _build((("fr", _FR), ("en", _EN)))
_KNOWN = frozenset(_LEX.exact | _FR_WORDS | _EN_WORDS | _QUERY_STOP | set(WEEKDAYS) | set(MONTHS))


def _keys(token: str) -> set[str]:
    """The lexicon words a typed word stands for: itself, its singular, the stems it starts with, or a near spelling."""
    forms = {token}
    if len(token) > 3 and token[-1] in "sx" and token[:-1] in _LEX.exact:
        forms.add(token[:-1])
    keys = {form for form in forms if form in _LEX.exact}
    for form in forms:
        keys.update(form[:n] + "*" for n in range(3, len(form) + 1) if form[:n] in _LEX.stems)
    if not keys and 4 <= len(token) <= 20 and token not in _KNOWN:
        near = {word for variant in _deletions(token) for word in _LEX.fuzzy.get(variant, ())}
        readings = [_keys(word) for word in near if _one_edit(token, word)]
        if not readings:
            readings = [_keys(word) for word in _LEX.heard.get(_sound(token), ())]
        if readings and set.intersection(*readings):
            return set.union(*readings)
    return keys


def _one_edit(a: str, b: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):
        return a[start:] == b[start + 1 :]
    if a[start + 1 :] == b[start + 1 :]:
        return True
    return a[start : start + 2] == b[start : start + 2][::-1] and a[start + 2 :] == b[start + 2 :]


# --- dates and times ------------------------------------------------------------------------------------


@dataclass
class _When:
    date: date | None = None
    explicit: bool = False  # a day and month were written: they win over a weekday or "demain"
    hour: int | None = None
    minute: int = 0
    period: str | None = None
    used: set[int] = field(default_factory=set)


_PERIODS = {
    "matin": "morning",
    "matinee": "morning",
    "morning": "morning",
    "soir": "evening",
    "soiree": "evening",
    "evening": "evening",
    "tonight": "evening",
    "afternoon": "afternoon",
    "aprem": "afternoon",
}
_RELATIVE_DAYS = {"aujourdhui": 0, "today": 0, "tonight": 0, "demain": 1, "tomorrow": 1}
_NUMBER = re.compile(r"^(\d{1,2})(h|am|pm|er|st|nd|rd|th)?$")
_CLOCK = re.compile(r"^(\d{1,2})[:h](\d{2})(am|pm)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_HOUR_WORDS = frozenset({"h", "heure", "heures", "hr", "hrs", "o", "am", "pm"})
_TIME_LEAD = frozenset({"a", "at", "vers", "around", "about", "des", "from", "avant", "before"})
_AFTER_BARE_HOUR = frozenset(
    {"demain", "tomorrow", "svp", "stp", "please", "merci", "thanks", "pour", "for", "on", "le"}
)


def _month_prefixes() -> dict[str, int]:
    seen: dict[str, set[int]] = defaultdict(set)
    for name, number in MONTHS.items():
        for n in range(3, len(name) + 1):
            seen[name[:n]].add(number)
    return {prefix: numbers.pop() for prefix, numbers in seen.items() if len(numbers) == 1}


_MONTH_PREFIX = _month_prefixes()


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(day: int, month: int, year: int | None, today: date) -> date | None:
    if year is not None:
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    guess = _safe_date(today.year, month, day)
    # Without a year, a date well gone means next year's ("le 3 janvier" typed in December).
    if guess is not None and (today - guess).days > 60:
        return _safe_date(today.year + 1, month, day)
    return guess


def _day_of_month(day: int, today: date) -> date | None:
    """ "le 3": this month's 3rd if it is still to come, else next month's."""
    if day >= today.day and (this_month := _safe_date(today.year, today.month, day)):
        return this_month
    following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return _safe_date(following.year, following.month, day)


class _WhenReader:
    """Reads dates, clock times and parts of the day from the tokens, noting the tokens it used."""

    def __init__(self, tokens: list[str], today: date) -> None:
        self.tokens, self.today, self.when = tokens, today, _When()

    def at(self, i: int) -> str | None:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def day(self, value: date | None, *, explicit: bool) -> None:
        when = self.when
        if value is None or (when.explicit and not explicit) or (when.date is not None and when.explicit == explicit):
            return
        when.explicit = when.explicit or explicit
        when.date = value if value >= self.today else None  # a day gone by: the flow will ask

    def clock(self, hour: int, minute: int, suffix: str | None, after: int) -> list[int]:
        """Sets the time once; reads "et demie", "et quart", "du soir" after it; returns the extra tokens used."""
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59 or self.when.hour is not None:
            return []
        used: list[int] = []
        if (self.at(after), self.at(after + 1)) in (("et", "demie"), ("et", "demi")):
            minute, used = 30, [after, after + 1]
        elif (self.at(after), self.at(after + 1)) == ("et", "quart"):
            minute, used = 15, [after, after + 1]
        rest = tuple(self.tokens[after + len(used) : after + len(used) + 4])
        if rest[:2] == ("du", "soir") or rest[:3] == ("in", "the", "evening"):
            self.when.period = "evening"
        elif rest == ("de", "l", "apres", "midi") or rest[:3] == ("in", "the", "afternoon"):
            self.when.period = "afternoon"
        self.when.hour, self.when.minute = hour, minute
        return used

    def read(self) -> _When:
        when, today = self.when, self.today
        for i, tok in enumerate(self.tokens):
            if i not in when.used:
                when.used.update(self.read_one(i, tok, today))
        if when.hour is not None and when.period in ("afternoon", "evening") and 1 <= when.hour <= 11:
            when.hour += 12  # "samedi après-midi à 3h"
        return when

    def read_one(self, i: int, tok: str, today: date) -> list[int]:
        at, when = self.at, self.when
        if tok in ("hier", "yesterday"):
            self.day(today - timedelta(days=1), explicit=False)
            return [i]
        if tok == "apres" and at(i + 1) == "demain" or (tok, at(i + 1), at(i + 2)) == ("day", "after", "tomorrow"):
            self.day(today + timedelta(days=2), explicit=False)
            return [i, i + 1] if tok == "apres" else [i, i + 1, i + 2]
        if tok == "apres" and at(i + 1) == "midi":
            when.period = "afternoon"
            return [i, i + 1]
        if tok in _RELATIVE_DAYS:
            self.day(today + timedelta(days=_RELATIVE_DAYS[tok]), explicit=False)
            if tok == "tonight":
                when.period = "evening"
            return [i]
        if tok in ("dans", "in") and (at(i + 1) or "").isdigit() and at(i + 2) in ("jours", "jour", "days", "day"):
            self.day(today + timedelta(days=min(int(at(i + 1) or 0), 400)), explicit=False)
            return [i, i + 1, i + 2]
        if tok in ("ce", "cet", "this") and at(i + 1) in (
            "soir",
            "matin",
            "midi",
            "evening",
            "morning",
            "afternoon",
            "apres",
        ):
            self.day(today, explicit=False)
            return [i]  # the part of the day is read on its own
        if tok in WEEKDAYS:
            ahead = (WEEKDAYS[tok] - today.weekday()) % 7
            used = [i]
            if at(i + 1) in ("prochain", "prochaine"):
                ahead, used = ahead or 7, [i, i + 1]
            elif at(i - 1) == "next":
                ahead, used = ahead or 7, [i - 1, i]
            self.day(today + timedelta(days=ahead), explicit=False)
            return used
        if tok in _PERIODS and at(i - 1) not in ("good", "bonne"):
            when.period = _PERIODS[tok]
            return [i]
        if tok in ("midi", "noon") or tok in ("minuit", "midnight"):
            return [i, *self.clock(12 if tok in ("midi", "noon") else 0, 0, None, i + 1)]
        if match := _ISO_DATE.match(tok):
            self.day(_safe_date(int(match[1]), int(match[2]), int(match[3])), explicit=True)
            return [i]
        if match := _NUMERIC_DATE.match(tok):
            year = int(match[3]) if match[3] else None
            self.day(_day_month(int(match[1]), int(match[2]), year, today), explicit=True)
            return [i]
        if match := _CLOCK.match(tok):
            suffix = match[3] or (at(i + 1) if at(i + 1) in ("am", "pm") else None)
            used = [i] if match[3] or suffix is None else [i, i + 1]
            return used + self.clock(int(match[1]), int(match[2]), suffix, used[-1] + 1)
        if (month := _MONTH_PREFIX.get(tok)) and (day := _day_number(at(i + 1))):
            year = _year(at(i + 2))  # "December 3rd", "dec 3 2026"
            self.day(_day_month(day, month, year, today), explicit=True)
            return [i, i + 1, i + 2] if year else [i, i + 1]
        if match := _NUMBER.match(tok):
            return self.read_number(i, int(match[1]), match[2])
        return []

    def read_number(self, i: int, value: int, suffix: str | None) -> list[int]:
        at, following = self.at, self.at(i + 1)
        # A time: "10h", "10h 30", "3pm", "9 heures", "3 pm", "10 o'clock", "à 10" at the end.
        if suffix in ("h", "am", "pm") or (suffix is None and following in _HOUR_WORDS):
            used = [i]
            if suffix is None:
                used.append(i + 1)
                suffix = following if following in ("am", "pm") else "h"
                if following == "o" and at(i + 2) == "clock":
                    used.append(i + 2)
            minutes = at(used[-1] + 1)
            minute = 0
            if suffix == "h" and minutes and minutes.isdigit() and len(minutes) == 2:
                minute = int(minutes)
                used.append(used[-1] + 1)
            return used + self.clock(value, minute, suffix if suffix != "h" else None, used[-1] + 1)
        if suffix is None and at(i - 1) in _TIME_LEAD and (following is None or following in _AFTER_BARE_HOUR):
            return [i, *self.clock(value, 0, None, i + 1)]
        if suffix == "h" or not 1 <= value <= 31:
            return []
        # A day: "le 3 décembre", "3rd of December", "du 5 au 7 décembre", "le 3", "samedi 5".
        k = i + 1 + (at(i + 1) == "of")
        if at(k) in ("au", "to", "a") and _day_number(at(k + 1)):
            k += 2  # a range of days: the first one is the day to book
        month = _MONTH_PREFIX.get(at(k) or "")
        if month is not None:
            year = _year(at(k + 1))
            self.day(_day_month(value, month, year, self.today), explicit=True)
            return list(range(i, k + (2 if year else 1)))
        before = at(i - 1)
        if before in ("le", "the", "du") or (before in WEEKDAYS and i - 1 in self.when.used):
            self.day(_day_of_month(value, self.today), explicit=True)
            return [i]
        return []


def _day_number(tok: str | None) -> int | None:
    match = _NUMBER.match(tok or "")
    if match and match[2] in (None, "er", "st", "nd", "rd", "th") and 1 <= int(match[1]) <= 31:
        return int(match[1])
    return None


def _year(tok: str | None) -> int | None:
    return int(tok) if tok and tok.isdigit() and len(tok) == 4 else None


# --- the decision -----------------------------------------------------------------------------------------


def _match(tokens: list[str], skip: set[int]) -> list[tuple[int, _Cue]]:
    """The longest cue at each place, left to right; the words of a date or time are not read again."""
    keys = [set() if i in skip else _keys(tok) for i, tok in enumerate(tokens)]
    hits: list[tuple[int, _Cue]] = []
    i = 0
    while i < len(tokens):
        best: _Cue | None = None
        for key in keys[i]:
            for cue in _LEX.by_first.get(key, ()):
                size = len(cue.words)
                longer = best is None or size > len(best.words)
                if longer and i + size <= len(tokens) and all(cue.words[k] in keys[i + k] for k in range(1, size)):
                    best = cue
        if best is None:
            i += 1
            continue
        hits.append((i, best))
        i += len(best.words)
    return hits


def _language(tokens: list[str], hits: list[tuple[int, _Cue]], raw: str) -> str:
    fr = sum(tok in _FR_WORDS for tok in tokens) + sum(c in raw for c in "éèêàçùâîôû")
    en = sum(tok in _EN_WORDS for tok in tokens)
    fr += sum(cue.lang == "fr" for _, cue in hits)
    en += sum(cue.lang == "en" for _, cue in hits)
    return "en" if en > fr else "fr"


def _event_query(tokens: list[str], hits: list[tuple[int, _Cue]], used: set[int]) -> str | None:
    anchors = [(i, len(cue.words)) for i, cue in hits if "ev" in cue.tags]
    if not anchors:
        return None
    start, size = anchors[0]
    end = start + size

    def content(k: int) -> bool:
        return k not in used and tokens[k] not in _QUERY_STOP and not tokens[k].isdigit()

    while start > 0 and content(start - 1):
        start -= 1
    while True:
        if end < len(tokens) and content(end):
            end += 1
        elif end + 1 < len(tokens) and tokens[end] in ("de", "du", "d", "of") and content(end + 1):
            end += 2
        else:
            break
    words = [tokens[k] for k in range(start, end) if content(k) or (start <= k < start + size)]
    return " ".join(words[:6]) or None


@dataclass
class _Evidence:
    """What the cues of one message add up to, before an intent is chosen."""

    score: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    flags: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    categories: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    kinds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    urgency: set[str] = field(default_factory=set)
    place: str | None = None
    space: str | None = None


def _gather(tokens: list[str], hits: list[tuple[int, _Cue]]) -> _Evidence:
    found = _Evidence()
    for i, cue in hits:
        if any(tag.startswith("cat:") for tag in cue.tags) and _lacking(tokens, i):
            found.flags["sym"] += 3  # "plus d'ascenseur", "pas de chauffage", "no heating"
        for tag, value in cue.tags.items():
            if tag.startswith("i:"):
                found.score[tag[2:]] += float(value)
                if "kind" in cue.tags:
                    found.kinds[cue.tags["kind"]] += float(value)
            elif tag.startswith("cat:"):
                found.categories[tag[4:]] += float(value)
            elif tag in ("sym", "q", "book", "want", "avail", "ev"):
                found.flags[tag] += float(value)
            elif tag == "urg":
                found.urgency.add(value)
        if found.place is None:
            if "place" in cue.tags:
                found.place = cue.tags["place"]
            elif "fix" in cue.tags and i > 0 and tokens[i - 1] in _POSSESSIVE:
                found.place = "home"
        if found.space is None:
            found.space = cue.tags.get("space")
    return found


_ORDER = (
    "my_bookings",
    "my_incidents",
    "account",
    "report_incident",
    "book_space",
    "events",
    "market",
    "help",
    "question",
)
"""The intents that name something to do or know; on a tie the first wins (the most specific)."""


def _weigh(found: _Evidence, when: _When, asked: bool) -> dict[str, float]:
    score, flags = found.score, found.flags
    if flags["sym"]:
        score["report_incident"] += flags["sym"] + (1.0 if "urgent" in found.urgency else 0.0)
    elif found.categories:
        score["report_incident"] += 0.5 * max(found.categories.values())  # "la lumière du couloir", said alone
    score["events"] += flags["ev"]
    has_when = when.date is not None or when.hour is not None or when.period is not None
    if found.space:
        # A space is booked when the resident asks for it, not when they ask about it.
        score["book_space"] += 0.5 + flags["book"] + flags["want"] + flags["avail"] + (1.0 if has_when else 0.0)
    elif flags["book"]:
        score["book_space"] += flags["book"] - 1 + (0.5 if has_when else 0.0)
    score["question"] += flags["q"] + (1.0 if asked else 0.0)
    return score


def _tokens(text: str) -> list[str]:
    folded = squash(text)
    for before, after in _CONTRACTIONS:
        folded = folded.replace(before, after)
    return _TOKEN.findall(folded.replace("n't", " not").replace("'", " "))[:MAX_TOKENS]


def understand(text: str, *, today: date) -> Understanding:
    """What a resident's message asks for, with the slots the matching flow can be prefilled with."""
    raw = (text or "")[:MAX_CHARS]
    tokens = _tokens(raw)
    if not tokens:
        return Understanding(intent="unknown", confidence=0.0, language="fr")
    when = _WhenReader(tokens, today).read()
    hits = _match(tokens, when.used)
    language = _language(tokens, hits, raw)
    found = _gather(tokens, hits)
    score = _weigh(found, when, "?" in raw)

    ranked = sorted(_ORDER, key=lambda name: (-score[name], _ORDER.index(name)))
    best, top = ranked[0], score[ranked[0]]
    social = "thanks" if score["thanks"] >= score["greeting"] else "greeting"
    if score[social] > top or (score[social] and top < 1):
        return Understanding(intent=social, confidence=0.9 if top == 0 else 0.6, language=language)
    if top == 0 or (best == "question" and not found.flags["q"] and not any(tok in _KNOWN for tok in tokens)):
        return Understanding(intent="unknown", confidence=0.1 if hits else 0.0, language=language)
    confidence = round(min(0.98, top / (top + score[ranked[1]] + 1.0)), 2)
    return Understanding(
        intent=best, confidence=confidence, language=language, slots=_slots(best, found, when, tokens, hits)
    )


def _slots(
    intent: str, found: _Evidence, when: _When, tokens: list[str], hits: list[tuple[int, _Cue]]
) -> dict[str, str]:
    slots: dict[str, str] = {}
    if intent == "report_incident":
        if found.categories:
            slots["category"] = max(found.categories, key=found.categories.__getitem__)
        if found.urgency:
            slots["urgency"] = "low" if "low" in found.urgency else "urgent"
        if found.place:
            slots["place"] = found.place
    elif intent == "book_space":
        if found.space:
            slots["space"] = found.space
        _when_slots(when, slots, with_time=True)
    elif intent == "events":
        if query := _event_query(tokens, hits, when.used):
            slots["query"] = query
        _when_slots(when, slots, with_time=False)
    elif intent == "market" and found.kinds:
        slots["kind"] = max(found.kinds, key=found.kinds.__getitem__)
    elif intent == "question" and found.space:
        slots["space"] = found.space
    return slots


def _lacking(tokens: list[str], i: int) -> bool:
    return tuple(tokens[max(0, i - 2) : i]) in _LACK or (i > 0 and tokens[i - 1] == "no")


_LACK = frozenset({("plus", "de"), ("plus", "d"), ("pas", "de"), ("pas", "d")})


def _when_slots(when: _When, slots: dict[str, str], *, with_time: bool) -> None:
    if when.date is not None:
        slots["date"] = when.date.isoformat()
    if with_time:
        if when.hour is not None:
            slots["time"] = f"{when.hour:02d}:{when.minute:02d}"
        if when.period is not None:
            slots["period"] = when.period
