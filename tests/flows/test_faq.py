"""/faq as residents and managers use it: browsing topics, reading an answer, adding, editing, deleting."""

from __future__ import annotations

import sqlalchemy as sa

from bot.emulator.core import EmuMessage
from models import Residence, User
from models.assistant import FaqEntry
from services import knowledge
from services.demo import BORDEAUX, LYON
from services.people import me_of
from tests.flows.test_residents import add_manager, db, forged, labels, signed_in, text_of
from tests.harness import BotHarness, TgUser

GYM_HOURS = "Quels sont les horaires de la salle de sport ?"
WIFI = "Comment me connecter au wifi ?"


def residence_id(bot: BotHarness, name: str) -> int:
    with db(bot) as session:
        found = session.scalar(sa.select(Residence.id).where(Residence.name == name))
        assert found is not None
        return found


def entry(bot: BotHarness, question_fr: str, residence: str | None = LYON) -> FaqEntry:
    with db(bot) as session:
        rid = residence_id(bot, residence) if residence else None
        row = session.scalar(
            sa.select(FaqEntry).where(
                FaqEntry.question_fr == question_fr, FaqEntry.residence_id.is_not_distinct_from(rid)
            )
        )
        assert row is not None, question_fr
        return row


def label_starting(user: TgUser, start: str) -> str:
    found = [label for label in labels(user) if label.startswith(start)]
    assert len(found) == 1, (start, labels(user))
    return found[0]


async def press_starting(user: TgUser, start: str) -> list[EmuMessage]:
    return await user.press(label_starting(user, start))


async def open_entry(user: TgUser, topic_label: str, question: str) -> list[EmuMessage]:
    await user.send("/faq")
    await press_starting(user, topic_label)
    return await user.press(next(label for label in labels(user) if question[:20] in label))


async def test_a_resident_browses_the_topics_and_reads_an_answer(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 901, "Jeanne", "resident1@lba.demo")
    home = await jeanne.send("/faq")
    assert "Questions fréquentes — Les Belles Années Lyon" in home[-1].text
    assert "écrire votre question" in home[-1].text
    assert "🕒 Horaires (4)" in labels(jeanne) and "📌 Général (6)" in labels(jeanne)
    assert not any("Ajouter" in label or "Autre résidence" in label for label in labels(jeanne))

    page = await jeanne.press("🕒 Horaires (4)")
    assert "🕒 Horaires — Les Belles Années Lyon" in page[-1].text
    assert "Page 1/1" in page[-1].text and GYM_HOURS in page[-1].text
    assert page[-1].message_id == home[-1].message_id  # browsing edits one message

    answer = await press_starting(jeanne, "4. ")  # the list is sorted: the gym comes last
    text = answer[-1].text
    assert GYM_HOURS in text and "tous les jours de 7 h à 21 h" in text and "/reserver" in text
    assert "Les Belles Années Lyon" in text and "Modifier" not in " ".join(labels(jeanne))
    back = await jeanne.press("⬅️ Retour")
    assert "Page 1/1" in back[-1].text
    home_again = await jeanne.press("⬅️ Retour")
    assert "Choisissez un thème" in home_again[-1].text

    # A network-wide entry is listed with the residence's own, after them.
    await jeanne.press("📌 Général (6)")
    general = jeanne.last.text
    assert general.index("Quand le chauffage") < general.index("Que sait faire LBA Bot")
    network = await press_starting(jeanne, "6. ")
    assert "Tout le réseau" in network[-1].text
    assert bot.refused() == []


async def test_residents_and_managers_have_faq_in_their_command_lists(bot: BotHarness) -> None:
    for language in ("", "en"):
        assert "faq" in [c["command"] for c in bot.emu.commands_for(None, language)]
    sophie = await signed_in(bot, 913, "Sophie", "manager@lba.demo")
    staff = [c["command"] for c in bot.emu.commands_for({"type": "chat", "chat_id": sophie.id})]
    assert staff.count("faq") == 1 and "annonce" in staff


async def test_an_english_resident_reads_in_english(bot: BotHarness) -> None:
    marcel = await signed_in(bot, 902, "Marcel", "resident2@lba.demo", language_code="en")
    home = await marcel.send("/faq")
    assert "Frequent questions — Les Belles Années Lyon" in home[-1].text
    assert "🕒 Opening hours (4)" in labels(marcel)
    await marcel.press("🕒 Opening hours (4)")
    assert "What are the gym's opening hours?" in marcel.last.text
    answer = await marcel.press(next(label for label in labels(marcel) if "gym's" in label))
    assert "every day from 7:00 to 21:00" in answer[-1].text and "/book" in answer[-1].text
    assert "⬅️ Back" in labels(marcel) and "Quels sont" not in answer[-1].text
    assert bot.refused() == []


async def test_a_manager_adds_an_answer_with_validation_and_the_residents_see_it(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 903, "Sophie", "manager@lba.demo")
    await sophie.send("/faq")
    assert "➕ Ajouter" in labels(sophie) and "🛎 Services (8)" in labels(sophie)
    await sophie.press("➕ Ajouter")
    assert "Dans quel thème" in sophie.last.text
    await sophie.press("🛎 Services")
    assert "Quelle est la question, en français ? (5 à 300 caractères)" in sophie.last.text
    assert "au moins 5 caractères" in text_of(await sophie.send("Quoi"))
    assert "300 caractères au plus" in text_of(await sophie.send("x" * 301))
    await sophie.send("Y a-t-il une piscine ?")
    assert "la réponse, en français" in sophie.last.text
    assert "au moins 5 caractères" in text_of(await sophie.send("Oui"))
    await sophie.send("Oui, au sous-sol, ouverte de 10 h à 18 h.")
    assert "en anglais" in sophie.last.text and "⏭ Passer" in labels(sophie)
    await sophie.press("⏭ Passer")  # no English question: no English answer asked either
    assert "mots-clés" in sophie.last.text.lower()
    await sophie.send("piscine, baignade")
    summary = sophie.last.text
    assert "Y a-t-il une piscine ?" in summary and "Les Belles Années Lyon" in summary
    assert "piscine baignade" in summary and "🛎 Services" in summary
    saved = await sophie.press("💾 Enregistrer")
    assert "✅ Réponse enregistrée." in saved[-1].text and "✏️ Modifier" in labels(sophie)

    row = entry(bot, "Y a-t-il une piscine ?")
    assert row.residence_id == residence_id(bot, LYON) and row.topic == "services" and row.question_en is None
    assert row.keywords == "piscine baignade" and row.updated_by_id == sophie_id(bot)

    # Nine services now: the list turns pages.
    jeanne = await signed_in(bot, 904, "Jeanne", "resident1@lba.demo")
    await jeanne.send("/faq")
    await jeanne.press("🛎 Services (9)")
    assert "Page 1/2" in jeanne.last.text and "Suivant ▶️" in labels(jeanne)
    await jeanne.press("Suivant ▶️")
    assert "Page 2/2" in jeanne.last.text and "◀️ Précédent" in labels(jeanne)
    assert bot.refused() == []


def sophie_id(bot: BotHarness) -> int:
    with db(bot) as session:
        found = session.scalar(sa.select(User.id).where(User.email == "manager@lba.demo"))
        assert found is not None
        return found


async def test_annuler_leaves_the_add_flow_and_saves_nothing(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 905, "Sophie", "manager@lba.demo")
    await sophie.send("/faq")
    await sophie.press("➕ Ajouter")
    await sophie.press("♻️ Déchets")
    await sophie.send("Où jeter les vieux vêtements ?")
    cancelled = await sophie.send("/annuler")
    assert "c'est annulé" in cancelled[-1].text
    with db(bot) as session:
        assert session.scalar(sa.select(FaqEntry).where(FaqEntry.question_fr.like("%vieux vêtements%"))) is None
    # Out of the flow: /faq answers again at once, and the cancel button works the same.
    await sophie.send("/faq")
    await sophie.press("➕ Ajouter")
    await sophie.press("✖️ Annuler")
    assert "c'est annulé" in sophie.last.text
    # A reading button pressed mid-step leaves the step and does what it says.
    home = await sophie.send("/faq")
    await sophie.press("➕ Ajouter")
    await sophie.press("♻️ Déchets")
    left = await sophie.press("🛎 Services (8)", message_id=home[-1].message_id)
    assert "🛎 Services — Les Belles Années Lyon" in left[-1].text
    assert "Choisissez un thème" in (await sophie.send("/faq"))[-1].text  # no "you are in the middle of..."
    assert bot.refused() == []


async def test_a_manager_edits_fields_and_comes_back_to_the_entry(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 906, "Sophie", "manager@lba.demo")
    await open_entry(sophie, "🛎 Services", WIFI)
    assert WIFI in sophie.last.text and "Version anglaise : oui" in sophie.last.text
    await sophie.press("✏️ Modifier")
    assert "Que voulez-vous changer" in sophie.last.text
    await sophie.press("Réponse (français)")
    assert "LBA-Lyon" in sophie.last.text and "Actuellement" in sophie.last.text
    assert "au moins 5 caractères" in text_of(await sophie.send("Non"))
    saved = await sophie.send("Le réseau s'appelle LBA-Lyon-Invités, mot de passe à l'accueil.")
    assert "✅ Modification enregistrée." in saved[-1].text and "LBA-Lyon-Invités" in saved[-1].text

    await sophie.press("✏️ Modifier")
    await sophie.press("Question (anglais)")
    cleared = await sophie.press("🧹 Effacer")
    assert "Version anglaise : non" in cleared[-1].text

    await sophie.press("✏️ Modifier")
    await sophie.press("Thème")
    await sophie.press("📌 Général")
    assert "📌 Général" in sophie.last.text

    row = entry(bot, WIFI)
    assert row.answer_fr.startswith("Le réseau s'appelle LBA-Lyon-Invités") and row.question_en is None
    assert row.topic == "general" and row.updated_by_id == sophie_id(bot) and row.updated_at == bot.clock()
    # Back goes to the entry's topic as it is now.
    await sophie.press("⬅️ Retour")
    assert "📌 Général — Les Belles Années Lyon" in sophie.last.text and WIFI in sophie.last.text
    assert bot.refused() == []


async def test_a_manager_deletes_an_answer_after_confirming(bot: BotHarness) -> None:
    sophie = await signed_in(bot, 907, "Sophie", "manager@lba.demo")
    await open_entry(sophie, "🛎 Services", WIFI)
    await sophie.press("🗑 Supprimer")
    assert "Supprimer cette réponse" in sophie.last.text
    await sophie.press("Non, garder")
    assert entry(bot, WIFI).active and WIFI in sophie.last.text
    await sophie.press("🗑 Supprimer")
    done = await sophie.press("🗑 Oui, supprimer")
    assert "🗑 Réponse supprimée : " + WIFI in done[-1].text and "Services — Les Belles Années Lyon" in done[-1].text
    assert not any(WIFI[:20] in label for label in labels(sophie))
    assert entry(bot, WIFI).active is False
    # Residents no longer see it, nor does the assistant's search.
    jeanne = await signed_in(bot, 908, "Jeanne", "resident1@lba.demo")
    await jeanne.send("/faq")
    assert "🛎 Services (7)" in labels(jeanne)
    with db(bot) as session:
        me = me_of(session, session.scalars(sa.select(User).where(User.email == "resident1@lba.demo")).one())
        assert all(hit.question != WIFI for hit in knowledge.search(session, me, "wifi", lang="fr"))
    assert bot.refused() == []


async def test_forged_buttons_from_a_resident_or_another_residence_change_nothing(bot: BotHarness) -> None:
    lyon, bordeaux = residence_id(bot, LYON), residence_id(bot, BORDEAUX)
    wifi = entry(bot, WIFI)
    before = (wifi.answer_fr, wifi.topic, wifi.active, wifi.updated_at)
    jeanne = await signed_in(bot, 909, "Jeanne", "resident1@lba.demo")
    await jeanne.send("/faq")
    for data in (f"faq:dy:{wifi.id}:{lyon}:0", f"faq:d:{wifi.id}:{lyon}:0", f"faq:e:{wifi.id}:{lyon}:0"):
        assert "Seuls les gestionnaires" in text_of(await forged(bot, jeanne, data))
    assert "Seuls les gestionnaires" in text_of(await forged(bot, jeanne, f"faq:f:{wifi.id}:{lyon}:0:afr"))
    await jeanne.send("Texte qui ne doit rien modifier du tout.")  # no edit step was opened
    assert "Seuls les gestionnaires" in text_of(await forged(bot, jeanne, f"faq:add:{lyon}"))
    # Another residence's base, or the network's, is not hers to browse either.
    assert "pas celle de votre résidence" in text_of(await forged(bot, jeanne, f"faq:h:{bordeaux}"))
    assert "pas celle de votre résidence" in text_of(await forged(bot, jeanne, "faq:h:0"))
    assert "pas celle de votre résidence" in text_of(await forged(bot, jeanne, f"faq:t:{bordeaux}:horaires:0"))
    assert "expiré" in text_of(await forged(bot, jeanne, f"faq:t:{lyon}:cuisine:0"))
    assert "expiré" in text_of(await forged(bot, jeanne, "faq:o:abc"))
    assert "expiré" in text_of(await forged(bot, jeanne, f"faq:o:99999999999:{lyon}:0"))  # beyond any id
    assert "expiré" in text_of(await forged(bot, jeanne, "faq:t:99999999999:horaires:0"))

    add_manager(bot, "paul@lba.demo", BORDEAUX, "Paul")
    paul = await signed_in(bot, 910, "Paul", "paul@lba.demo")
    await paul.send("/faq")
    assert "Les Belles Années Bordeaux" in paul.last.text and "➕ Ajouter" in labels(paul)
    for data in (f"faq:dy:{wifi.id}:{bordeaux}:0", f"faq:o:{wifi.id}:{bordeaux}:0", f"faq:f:{wifi.id}:{lyon}:0:qfr"):
        assert "pas celle de votre résidence" in text_of(await forged(bot, paul, data))
    # Adding always goes to his own residence, whatever the button says.
    assert "Nouvelle réponse — Les Belles Années Bordeaux" in text_of(await forged(bot, paul, f"faq:add:{lyon}"))
    await paul.press("✖️ Annuler")
    # A network-wide entry: he reads it, may not change it.
    network = entry(bot, "Quels sont les numéros d'urgence ?", None)
    shown = await forged(bot, paul, f"faq:o:{network.id}:{bordeaux}:0")
    assert "112" in text_of(shown) and "✏️ Modifier" not in labels(paul)
    assert "Seuls les gestionnaires" in text_of(await forged(bot, paul, f"faq:dy:{network.id}:{bordeaux}:0"))

    after = entry(bot, WIFI)
    assert (after.answer_fr, after.topic, after.active, after.updated_at) == before
    assert entry(bot, "Quels sont les numéros d'urgence ?", None).active
    assert bot.refused() == []


async def test_an_admin_picks_a_base_and_adds_a_network_wide_answer(bot: BotHarness) -> None:
    alain = await signed_in(bot, 911, "Alain", "admin@lba.demo")
    await alain.send("/faq")
    assert "Quelle base de connaissances" in alain.last.text
    assert labels(alain)[:3] == ["🌐 Tout le réseau", BORDEAUX, LYON]
    await alain.press("🌐 Tout le réseau")
    assert "Questions fréquentes — Tout le réseau" in alain.last.text and "5 réponse(s)" in alain.last.text
    await alain.press("➕ Ajouter")
    assert "Pour quelle résidence" in alain.last.text
    await alain.press("🌐 Tout le réseau")
    await alain.press("🚨 Sécurité")
    await alain.send("Que faire en cas de canicule ?")
    await alain.send("Buvez souvent, fermez les volets le jour, et signalez-vous à la gestion.")
    await alain.send("What to do in a heatwave?")
    assert "La réponse en anglais" in alain.last.text
    await alain.send("Drink often, close the shutters by day, and let the management know.")
    await alain.press("⏭ Passer")
    saved = await alain.press("💾 Enregistrer")
    assert "✅ Réponse enregistrée." in saved[-1].text and "Tout le réseau" in saved[-1].text
    row = entry(bot, "Que faire en cas de canicule ?", None)
    assert row.question_en == "What to do in a heatwave?" and row.topic == "securite"

    # Every residence sees it, in its residents' language.
    lucienne = await signed_in(bot, 912, "Lucienne", "resident3@lba.demo", language_code="en")
    await lucienne.send("/faq")
    await press_starting(lucienne, "🚨 Safety")
    assert "What to do in a heatwave?" in lucienne.last.text
    # And the admin switches to a residence to look after it.
    await alain.send("/faq")
    await alain.press(LYON)
    assert "Les Belles Années Lyon" in alain.last.text and "🏘 Autre résidence" in labels(alain)
    await alain.press("🏘 Autre résidence")
    assert "Quelle base de connaissances" in alain.last.text
    assert bot.refused() == []
