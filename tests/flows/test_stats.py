"""/stats as managers use it: the period, the summary, the charts (real PNGs) and the CSV export;
admins choose a residence or the whole network; residents and other residences are refused, even
with forged buttons; the typed period validates each answer."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.emulator.core import EmuMessage
from models import (
    Event,
    Incident,
    IncidentCategory,
    Participation,
    ParticipationStatus,
    Reservation,
    Residence,
    Space,
    User,
)
from models.db import unit_of_work
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

LYON, BORDEAUX = "Les Belles Années Lyon", "Les Belles Années Bordeaux"
PERIODS_FR = ["7 jours", "30 jours", "90 jours", "12 mois", "📆 Autre période", "🏠 Menu"]
PNG = b"\x89PNG\r\n\x1a\n"


def sessions_of(bot: BotHarness) -> sessionmaker[Session]:
    return bot.app.bot_data["lba.runtime"].sessions  # type: ignore[union-attr,no-any-return]


def residence_id(bot: BotHarness, name: str) -> int:
    with unit_of_work(sessions_of(bot)) as s:
        found = s.scalar(sa.select(Residence.id).where(Residence.name == name))
        assert found is not None
        return found


def a_week_of_life(bot: BotHarness) -> None:
    """Besides the demo's recent incidents: a booking yesterday, a rating, and an event held two days ago."""
    now = bot.clock()
    with unit_of_work(sessions_of(bot)) as s:
        jeanne = s.scalar(sa.select(User).where(User.email == "resident1@lba.demo"))
        marcel = s.scalar(sa.select(User).where(User.email == "resident2@lba.demo"))
        room = s.scalar(sa.select(Space).join(Residence).where(Residence.name == LYON, Space.name == "Salle commune"))
        assert jeanne is not None and marcel is not None and room is not None
        yesterday = now - timedelta(days=1) + timedelta(hours=4)  # 14:00 Paris time
        s.add(
            Reservation(
                space_id=room.id,
                user_id=jeanne.id,
                start_at=yesterday,
                end_at=yesterday + timedelta(hours=2),
                created_at=now - timedelta(days=3),
            )
        )
        s.execute(
            sa.update(Incident)
            .where(Incident.category == IncidentCategory.ELECTRICITY, Incident.residence_id == room.residence_id)
            .values(rating=4)
        )
        held = Event(
            residence_id=room.residence_id,
            title="Thé dansant",
            location="Salle commune",
            starts_at=now - timedelta(days=2),
            capacity=10,
            created_at=now - timedelta(days=9),
        )
        s.add(held)
        s.flush()
        s.add_all(
            [
                Participation(
                    event_id=held.id, user_id=jeanne.id, status=ParticipationStatus.ATTENDED, seat=1, created_at=now
                ),
                Participation(
                    event_id=held.id, user_id=marcel.id, status=ParticipationStatus.REGISTERED, seat=2, created_at=now
                ),
            ]
        )


async def signed_in(bot: BotHarness, telegram_id: int, email: str, name: str, **kwargs: str) -> TgUser:
    user = bot.user(telegram_id, name, **kwargs)
    await sign_in(user, email)
    return user


async def sophie_(bot: BotHarness, telegram_id: int = 901, **kwargs: str) -> TgUser:
    return await signed_in(bot, telegram_id, "manager@lba.demo", "Sophie", **kwargs)


def labels(user: TgUser, message: EmuMessage | None = None) -> list[str]:
    return [label for row in user.emu.buttons(message) for label, _ in row]


def photos(bot: BotHarness, replies: list[EmuMessage]) -> list[bytes]:
    return [bot.emu.file(m.photo[-1]).data for m in replies if m.photo]  # type: ignore[union-attr]


def documents(replies: list[EmuMessage]) -> list[EmuMessage]:
    return [m for m in replies if m.document]


def csv_rows(bot: BotHarness, message: EmuMessage) -> list[list[str]]:
    data = bot.emu.file(message.document).data  # type: ignore[union-attr,arg-type]
    assert data.startswith(codecs.BOM_UTF8)  # Excel reads the accents right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def figures(rows: list[list[str]]) -> dict[tuple[str, str], str]:
    return {(section, label): value for section, label, value in rows[1:]}


# --- the happy paths -----------------------------------------------------------------------------------


async def test_stats_from_the_command_summary_charts_and_csv(bot: BotHarness) -> None:
    a_week_of_life(bot)
    sophie = await sophie_(bot)
    replies = await sophie.send("/stats")
    assert len(replies) == 1 and f"Statistiques — {LYON}" in replies[0].text and "Sur quelle période" in replies[0].text
    assert labels(sophie) == PERIODS_FR
    menu = replies[0]

    replies = await sophie.press("7 jours")
    summary = replies[0]
    assert summary.message_id == menu.message_id and summary.buttons == []  # the menu became the summary
    text = summary.text
    for expected in (
        f"📊 Statistiques — {LYON}",
        "Du 18 novembre 2026 au 24 novembre 2026 (7 jours)",
        "Incidents signalés : 4",
        "Par statut : Nouveau 1 · Pris en charge 1 · En cours 1 · Résolu 1",
        "Par catégorie : Plomberie 1 · Électricité 1 · Chauffage 1 · Ascenseur 1",
        "Prise en charge (médiane) : 2 h sur 3 incident(s)",
        "Résolution (médiane) : 24 h sur 1 incident(s)",
        "Urgents ouverts en ce moment : 1",
        "Satisfaction : 4/5 sur 1 avis (1★ 0 · 2★ 0 · 3★ 0 · 4★ 1 · 5★ 0)",
        "Salle commune : 2 % (2 h sur 91 h)",
        "Laverie : 0 % (0 h sur 315 h)",
        "Chambre d'amis : 0 % (0 h sur 168 h)",
        "Événements : 1 tenu(s) · 2 inscrit(s) · 1 présent(s) · remplissage 20 %",
        "Résidents actifs : 2 sur 2",
    ):
        assert expected in text, expected

    images = photos(bot, replies)
    # Incidents by category and by status, occupancy, ratings, events: one album.
    assert len(images) == 5 and all(image.startswith(PNG) for image in images)
    album = [m for m in replies if m.photo]
    assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id is not None
    assert f"📈 {LYON} · Du 18 novembre 2026" in (album[0].caption or "")

    [export] = documents(replies)
    assert export is replies[-1]
    assert export.document_name == "stats-les-belles-annees-lyon-2026-11-18_2026-11-24.csv"
    assert "Export CSV" in (export.caption or "") and labels(sophie, export) == PERIODS_FR
    rows = csv_rows(bot, export)
    assert rows[0] == ["Rubrique", "Libellé", "Valeur"]
    assert all(len(row) == 3 for row in rows)
    found = figures(rows)
    assert found[("Période", "Périmètre")] == LYON
    assert found[("Période", "Premier jour")] == "2026-11-18" and found[("Période", "Jours")] == "7"
    assert found[("Incidents", "Signalés sur la période")] == "4"
    assert found[("Incidents par catégorie", "Plomberie")] == "1"
    assert found[("Incidents par catégorie", "Serrurerie")] == "0"
    assert found[("Incidents par statut", "Résolu")] == "1"
    assert found[("Délais (heures)", "Prise en charge, médiane")] == "2"
    assert found[("Délais (heures)", "Résolution, médiane")] == "24"
    assert found[("Satisfaction", "Note moyenne")] == "4" and found[("Satisfaction", "Note 4")] == "1"
    assert found[("Occupation des espaces (%)", "Salle commune")] == "2.2"  # 2 h of 91 h
    assert found[("Heures réservées", "Salle commune")] == "2"
    assert found[("Heures réservables", "Laverie")] == "315"
    assert found[("Événements", "Taux de remplissage (%)")] == "20"
    assert found[("Résidents", "Actifs sur la période")] == "2"
    assert bot.refused() == []


async def test_stats_from_the_dashboard_button(bot: BotHarness) -> None:
    sophie = await sophie_(bot)
    dashboard = sophie.last
    replies = await sophie.press("📊 Statistiques")
    assert [m.message_id for m in replies] == [dashboard.message_id]  # answered in place
    assert f"Statistiques — {LYON}" in replies[0].text
    assert "Bientôt" not in " ".join(a.get("text") or "" for a in sophie.emu.callback_answers)
    replies = await sophie.press("30 jours")
    assert "Du 26 octobre 2026 au 24 novembre 2026 (30 jours)" in replies[0].text
    assert len(photos(bot, replies)) == 2  # incidents only: nothing booked, rated or held in the demo's past
    [export] = documents(replies)
    assert export.document_name == "stats-les-belles-annees-lyon-2026-10-26_2026-11-24.csv"
    assert bot.refused() == []


async def test_an_old_results_button_still_works(bot: BotHarness) -> None:
    sophie = await sophie_(bot)
    await sophie.send("/stats")
    first = documents(await sophie.press("7 jours"))[0]
    await sophie.send("/menu")
    bot.clock.advance(days=2)
    replies = await sophie.press("90 jours", message_id=first.message_id)
    assert "Du 29 août 2026 au 26 novembre 2026 (90 jours)" in replies[0].text
    assert replies[0].message_id != first.message_id  # a document's caption is not edited into a summary
    assert documents(replies)[0].document_name == "stats-les-belles-annees-lyon-2026-08-29_2026-11-26.csv"
    assert bot.refused() == []


async def test_an_admin_chooses_a_residence_or_the_whole_network(bot: BotHarness) -> None:
    alain = await signed_in(bot, 902, "admin@lba.demo", "Alain")
    replies = await alain.send("/stats")
    assert "Pour quelle résidence" in replies[0].text
    assert labels(alain) == [BORDEAUX, LYON, "🌐 Tout le réseau", "🏠 Menu"]

    replies = await alain.press(BORDEAUX)
    assert f"Statistiques — {BORDEAUX}" in replies[0].text
    assert labels(alain) == [*PERIODS_FR[:-1], "⬅️ Résidences", "🏠 Menu"]
    replies = await alain.press("7 jours")
    assert "Incidents signalés : 1" in replies[0].text and "Serrurerie 1" in replies[0].text
    assert documents(replies)[0].document_name == "stats-les-belles-annees-bordeaux-2026-11-18_2026-11-24.csv"

    await alain.press("⬅️ Résidences")
    replies = await alain.press("🌐 Tout le réseau")
    assert "Statistiques — tout le réseau" in replies[0].text
    replies = await alain.press("7 jours")
    text = replies[0].text
    assert "Incidents signalés : 5" in text and "Résidents actifs : 3 sur 3" in text
    assert f"{LYON} — Salle commune : 0 %" in text and f"{BORDEAUX} — Laverie : 0 %" in text
    [export] = documents(replies)
    assert export.document_name == "stats-reseau-2026-11-18_2026-11-24.csv"
    assert figures(csv_rows(bot, export))[("Période", "Périmètre")] == "tout le réseau"
    assert bot.refused() == []


# --- who may see what ------------------------------------------------------------------------------------


async def test_a_resident_is_told_statistics_are_for_managers(bot: BotHarness) -> None:
    jeanne = await signed_in(bot, 903, "resident1@lba.demo", "Jeanne")
    replies = await jeanne.send("/stats")
    assert len(replies) == 1 and "réservées aux gestionnaires" in replies[0].text
    lyon = residence_id(bot, LYON)
    for forged in (f"st:p:{lyon}:7d", f"st:s:{lyon}", f"st:c:{lyon}", "st:sp:0", "st:p:all:30d", "menu:stats"):
        before = len(jeanne.emu.bot_messages)
        jeanne.emu.press_data(forged, message_id=replies[0].message_id)
        await bot.deliver()
        new = jeanne.emu.bot_messages[before:]
        assert [m.text for m in new] == [replies[0].text], forged
        assert "réservées aux gestionnaires" in (jeanne.emu.callback_answers[-1].get("text") or "")
    # A malformed one is "expired", and the fresh menu is a refusal again.
    jeanne.emu.press_data("st:zz", message_id=replies[0].message_id)
    await bot.deliver()
    assert [m.text for m in jeanne.emu.bot_messages[-2:]] == [
        "⌛ Ce menu a expiré. Voici les statistiques à jour :",
        replies[0].text,
    ]
    assert not any(m.document or m.photo for m in jeanne.emu.bot_messages)
    assert bot.refused() == []


async def test_a_manager_cannot_see_another_residence_even_with_forged_buttons(bot: BotHarness) -> None:
    sophie = await sophie_(bot)
    menu = (await sophie.send("/stats"))[0]
    bordeaux = residence_id(bot, BORDEAUX)
    for forged in (f"st:p:{bordeaux}:7d", f"st:s:{bordeaux}", f"st:c:{bordeaux}", "st:p:all:7d", "st:sp:0"):
        before = len(sophie.emu.bot_messages)
        sophie.emu.press_data(forged, message_id=menu.message_id)
        await bot.deliver()
        new = sophie.emu.bot_messages[before:]
        assert len(new) == 1 and "que les statistiques de votre résidence" in new[0].text, forged
    assert not any(m.document or m.photo for m in sophie.emu.bot_messages)
    assert f"Statistiques — {LYON}" in bot.emu.message(sophie.id, menu.message_id).text  # type: ignore[union-attr]
    assert bot.refused() == []


async def test_a_stale_or_malformed_button_gets_a_fresh_menu(bot: BotHarness) -> None:
    sophie = await sophie_(bot)
    menu = (await sophie.send("/stats"))[0]
    lyon = residence_id(bot, LYON)
    for stale in (f"st:p:{lyon}:99d", "st:zz", "st:p:abc:7d", f"st:p:{lyon}:20261031-20261001", "st"):
        before = len(sophie.emu.bot_messages)
        sophie.emu.press_data(stale, message_id=menu.message_id)
        await bot.deliver()
        new = sophie.emu.bot_messages[before:]
        assert [m.text.split("\n")[0] for m in new] == [
            "⌛ Ce menu a expiré. Voici les statistiques à jour :",
            f"📊 Statistiques — {LYON}",
        ], stale
        assert labels(sophie, new[-1]) == PERIODS_FR
    # The fresh menu works.
    assert documents(await sophie.press("7 jours"))
    assert bot.refused() == []


# --- the typed period ------------------------------------------------------------------------------------


async def test_a_typed_period_validates_each_answer(bot: BotHarness) -> None:
    sophie = await sophie_(bot)
    await sophie.send("/stats")
    replies = await sophie.press("📆 Autre période")
    assert "Écrivez les dates" in replies[0].text and labels(sophie) == ["⬅️ Retour"]
    for typed, expected in (
        ("bonjour", "Je n'ai pas compris cette période"),
        ("31/02/2026", "Je n'ai pas compris cette période"),
        ("31/10/2026 - 01/10/2026", "La date de début est après la date de fin"),
        ("01/11/2026 - 30/11/2026", "ne peut pas dépasser aujourd'hui (24 novembre 2026)"),
        ("01/01/2025 - 30/06/2026", "366 jours au plus"),
    ):
        replies = await sophie.send(typed)
        assert len(replies) == 1 and expected in replies[0].text, typed
    assert "J'attends la période" in (await sophie.send_sticker())[0].text
    assert "Vous êtes au milieu d'une démarche" in (await sophie.send("/menu"))[0].text
    await bot.restart()  # the step and its residence survive a restart

    replies = await sophie.send("du 18/11 au 24/11")
    assert "Du 18 novembre 2026 au 24 novembre 2026 (7 jours)" in replies[0].text
    assert "Incidents signalés : 4" in replies[0].text
    [export] = documents(replies)
    assert export.document_name == "stats-les-belles-annees-lyon-2026-11-18_2026-11-24.csv"
    # The flow is over: text is no longer read as a period.
    assert "Statistiques" not in (await sophie.send("01/10/2026"))[0].text
    assert bot.refused() == []


async def test_an_empty_period_says_so_without_charts(bot: BotHarness) -> None:
    sophie = await sophie_(bot)
    await sophie.send("/stats")
    await sophie.press("📆 Autre période")
    replies = await sophie.send("10/2026")
    assert len(replies) == 1  # no chart, no export
    assert "Du 1 octobre 2026 au 31 octobre 2026 (31 jours)" in replies[0].text
    assert "Rien à signaler sur cette période" in replies[0].text
    assert "Urgents ouverts en ce moment : 1" in replies[0].text
    assert labels(sophie, replies[0]) == PERIODS_FR
    assert bot.refused() == []


async def test_annuler_back_and_menu_leave_the_typed_period(bot: BotHarness) -> None:
    sophie = await sophie_(bot)
    await sophie.send("/stats")
    await sophie.press("📆 Autre période")
    assert "c'est annulé" in (await sophie.send("/annuler"))[0].text
    assert "Statistiques" not in (await sophie.send("18/11/2026"))[0].text

    await sophie.press("📊 Statistiques")
    await sophie.press("📆 Autre période")
    replies = await sophie.press("⬅️ Retour")
    assert f"Statistiques — {LYON}" in replies[0].text and labels(sophie, replies[0]) == PERIODS_FR
    assert "Statistiques" not in (await sophie.send("18/11/2026"))[0].text

    await sophie.press("📊 Statistiques")
    await sophie.press("📆 Autre période")
    sophie.emu.press_data("menu:home")
    await bot.deliver()
    assert "Bonjour Sophie" in sophie.last.text
    assert "Statistiques" not in (await sophie.send("18/11/2026"))[0].text
    assert bot.refused() == []


# --- English ------------------------------------------------------------------------------------------


async def test_an_english_manager_gets_everything_in_english(bot: BotHarness) -> None:
    sophie = await sophie_(bot, 904, language_code="en")
    replies = await sophie.send("/stats")
    assert f"Statistics — {LYON}" in replies[0].text and "Over which period" in replies[0].text
    assert labels(sophie) == ["7 days", "30 days", "90 days", "12 months", "📆 Other period", "🏠 Menu"]
    replies = await sophie.press("7 days")
    text = replies[0].text
    assert "From 18 November 2026 to 24 November 2026 (7 days)" in text
    assert "Incidents reported: 4" in text and "Taking charge (median): 2 h over 3 incident(s)" in text
    assert "Salle commune: 0% (0 h of 91 h)" in text
    [export] = documents(replies)
    rows = csv_rows(bot, export)
    assert rows[0] == ["Section", "Label", "Value"]
    assert figures(rows)[("Incidents by category", "Plumbing")] == "1"
    await sophie.press("📆 Other period")
    assert "could not read this period" in (await sophie.send("hello"))[0].text
    assert "cannot go beyond today (24 November 2026)" in (await sophie.send("1/11/2026 - 30/11/2026"))[0].text
    assert bot.refused() == []
