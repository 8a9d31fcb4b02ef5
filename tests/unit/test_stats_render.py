"""Rendering of a /stats report, without a bot: the summary stays a valid, short message for a large
network, the CSV parses back and never carries a formula, charts are drawn only when they have data."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime

from bot.emulator.html import parse_html
from handlers.stats import csv_filename, number, percent, render_charts, render_csv, render_summary
from models import IncidentCategory, IncidentStatus
from services.stats import Attendance, Count, Period, Ratings, Report, Scope, SpaceUse

PERIOD = Period(
    "7d",
    date(2026, 11, 18),
    date(2026, 11, 24),
    datetime(2026, 11, 17, 23, tzinfo=UTC),
    datetime(2026, 11, 24, 23, tzinfo=UTC),
)


def a_report(space_count: int = 2, **changes: object) -> Report:
    base = Report(
        scope=Scope(7, "Résidence <Les Tilleuls> & Co", "Europe/Paris"),
        period=PERIOD,
        incidents=3,
        by_status=tuple(Count(s.value, 3 if s == IncidentStatus.NEW else 0) for s in IncidentStatus),
        by_category=tuple(Count(c.value, 3 if c == IncidentCategory.NOISE else 0) for c in IncidentCategory),
        take_charge_hours=2.25,
        taken=2,
        resolve_hours=None,
        resolved=0,
        open_urgent=1,
        ratings=Ratings(2, 4.5, (0, 0, 0, 1, 1)),
        spaces=tuple(
            SpaceUse(n, f"=SUM(A1) salle {n}", f"Résidence {n}", 1.5 * n, 84.0) for n in range(1, space_count + 1)
        ),
        events=Attendance(1, 3, 2, 12),
        active_residents=4,
        residents=9,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_numbers_in_each_language() -> None:
    assert (number(2.25, "fr"), number(2.25, "en"), number(48.0, "fr"), number(0.04, "fr")) == ("2,2", "2.2", "48", "0")
    assert (percent(0.125, "fr"), percent(1.0, "en")) == ("12 %", "100%")


def test_the_summary_escapes_names_and_is_valid_html() -> None:
    text = render_summary(a_report(), "fr")
    parse_html(text)
    assert "Résidence &lt;Les Tilleuls&gt; &amp; Co" in text
    assert "Prise en charge (médiane) : <b>2,2 h</b> sur 2 incident(s)" in text
    assert "Résolution : aucun incident résolu" in text
    assert "<b>4,5/5</b> sur 2 avis" in text
    assert "remplissage 25 %" in text


def test_a_large_network_summary_stays_short() -> None:
    network = a_report(space_count=400, scope=Scope(None, None, "Europe/Paris"))
    text = render_summary(network, "fr")
    parse_html(text)
    assert len(text) < 4096
    assert "… et 392 autre(s) espace(s) dans l'export CSV" in text
    assert "Statistiques — tout le réseau" in text
    assert csv_filename(network, "fr") == "stats-reseau-2026-11-18_2026-11-24.csv"
    assert csv_filename(network, "en") == "stats-network-2026-11-18_2026-11-24.csv"
    rows = list(csv.reader(io.StringIO(render_csv(network, "en").decode("utf-8-sig"))))
    assert sum(1 for row in rows if row[0] == "Space occupancy (%)") == 400


def test_the_csv_parses_back_and_carries_no_formula() -> None:
    data = render_csv(a_report(), "fr")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Rubrique", "Libellé", "Valeur"]
    found = {(section, label): value for section, label, value in rows[1:]}
    assert found[("Période", "Périmètre")] == "Résidence <Les Tilleuls> & Co"  # plain text, not HTML
    assert found[("Délais (heures)", "Prise en charge, médiane")] == "2.25"
    assert found[("Délais (heures)", "Résolution, médiane")] == ""
    assert found[("Satisfaction", "Note moyenne")] == "4.5"
    assert found[("Occupation des espaces (%)", "'=SUM(A1) salle 1")] == "1.79"  # 1.5 h of 84 h
    assert found[("Événements", "Taux de remplissage (%)")] == "25"
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert csv_filename(a_report(), "fr") == "stats-residence-les-tilleuls-co-2026-11-18_2026-11-24.csv"


def test_charts_only_for_what_has_data() -> None:
    assert len(render_charts(a_report(), "fr")) == 5
    quiet = a_report(
        incidents=0,
        by_status=tuple(Count(s.value, 0) for s in IncidentStatus),
        by_category=tuple(Count(c.value, 0) for c in IncidentCategory),
        ratings=Ratings(0, None, (0, 0, 0, 0, 0)),
        spaces=(SpaceUse(1, "Salle", "R", 0.0, 84.0),),
        events=Attendance(0, 0, 0, 0),
    )
    assert render_charts(quiet, "fr") == []
    assert "Rien à signaler" not in render_summary(quiet, "fr")  # residents were active: not empty
    empty = replace(quiet, take_charge_hours=None, taken=0, active_residents=0)
    assert empty.empty and "Rien à signaler sur cette période" in render_summary(empty, "fr")
