"""The /stats charts: real PNG images of sensible size, whatever the labels, from several threads."""

from __future__ import annotations

import threading

import pytest

from bot import charts

PNG = b"\x89PNG\r\n\x1a\n"


def size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG) and png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def telegram_accepts(png: bytes) -> bool:
    """What Telegram asks of a photo: width + height ≤ 10000, ratio ≤ 20, under 10 MB."""
    width, height = size(png)
    return width + height <= 10000 and max(width, height) / min(width, height) <= 20 and len(png) < 10 * 1024**2


def test_horizontal_bars_are_a_png_telegram_accepts() -> None:
    png = charts.horizontal_bars("Incidents par catégorie", ["Plomberie", "Électricité", "Chauffage"], [3, 1, 0])
    width, height = size(png)
    assert width == 800 and 250 <= height <= 400
    assert telegram_accepts(png)


def test_percent_bars_with_their_own_value_labels() -> None:
    png = charts.horizontal_bars(
        "Occupation des espaces",
        ["Salle commune", "Laverie"],
        [0.125, 1.4],  # over 100 % cannot happen, but must not break the axis
        percent=True,
        value_labels=["12 % (3 h / 24 h)", "140 %"],
    )
    assert telegram_accepts(png)


def test_odd_labels_are_drawn_as_typed() -> None:
    """A "$" would start matplotlib's math mode; a very long name is cut; neither may fail."""
    labels = ["Salle $x$ à 5 $", "Salle $\\frac{$", "x" * 200, "<b>&amp;</b>"]
    assert telegram_accepts(charts.horizontal_bars("Titre $ 100 %", labels, [1, 2, 3, 4]))
    assert telegram_accepts(charts.vertical_bars("Notes $", ["1★", "$", "3★"], [0, 2, 1]))


def test_many_bars_are_capped_and_stay_a_valid_photo() -> None:
    many = [f"Résidence {n} — Salle commune" for n in range(200)]
    png = charts.horizontal_bars("Occupation", many, [n / 200 for n in range(200)], percent=True)
    width, height = size(png)
    assert height < 1400  # MAX_BARS bars, not 200
    assert telegram_accepts(png)


def test_all_zero_values_still_draw() -> None:
    assert telegram_accepts(charts.horizontal_bars("Vide", ["a", "b"], [0, 0]))
    assert telegram_accepts(charts.horizontal_bars("Vide", ["a"], [0.0], percent=True))
    assert telegram_accepts(charts.vertical_bars("Notes", ["1", "2"], [0, 0]))


def test_wrong_input_is_refused() -> None:
    with pytest.raises(ValueError):
        charts.horizontal_bars("Rien", [], [])
    with pytest.raises(ValueError):
        charts.horizontal_bars("Bancal", ["a", "b"], [1])
    with pytest.raises(ValueError):
        charts.vertical_bars("Rien", [], [])


def test_drawing_from_several_threads() -> None:
    results: list[bytes] = []
    errors: list[BaseException] = []

    def draw(n: int) -> None:
        try:
            results.append(charts.horizontal_bars(f"Graphique {n}", [f"barre {i}" for i in range(n + 1)], range(n + 1)))
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=draw, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 6 and all(telegram_accepts(png) for png in results)
