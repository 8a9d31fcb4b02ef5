"""Documents the bot writes (the residence certificate as PDF), in the reader's language.

Rendering lives here, beside the catalogs; the service gathers the facts and files the result.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.i18n import CALENDARS, CATALOGS, DEFAULT_LANGUAGE
from services.account import CertificateFacts, RenderedDocument

_LATIN1_FIXES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u202f": " "}
)


def _latin1(text: str) -> str:
    """The PDF's core font knows latin-1 only: keep accents, spell out the rest, never crash on a name."""
    return text.translate(_LATIN1_FIXES).encode("latin-1", "replace").decode("latin-1")


def _text(lang: str, key: str, **values: object) -> str:
    """A catalog text as plain text (no HTML escaping: it goes into a PDF, not a message)."""
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT_LANGUAGE])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE][key]
    return template.format(**values)


def long_date(day: date, lang: str) -> str:
    cal = CALENDARS.get(lang, CALENDARS[DEFAULT_LANGUAGE])
    return _text(lang, "acc.date", day=day.day, month=cal.MONTHS[day.month - 1], year=day.year)


def render_certificate(facts: CertificateFacts, lang: str, now: datetime) -> RenderedDocument:
    """The certificate's PDF and its title in the documents list."""
    title = _text(lang, "acc.pdf.title")
    apartment = _text(lang, "acc.pdf.apartment", apartment=facts.apartment) if facts.apartment else ""
    body = _text(
        lang,
        "acc.pdf.body",
        residence=facts.residence,
        name=facts.name,
        address=facts.address,
        apartment=apartment,
        since=long_date(facts.since, lang),
    )
    # Imported here: fpdf (with numpy and Pillow) is 45 MiB and 0.5 s of every start otherwise.
    from fpdf import FPDF, XPos, YPos  # noqa: PLC0415

    pdf = FPDF(format="A4")
    pdf.set_creation_date(now)
    pdf.set_title(title)
    pdf.set_author(facts.residence)
    pdf.set_creator("LBA Bot")
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, _latin1(facts.residence), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, _latin1(facts.address), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(20)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, _latin1(title.upper()), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(14)
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 7, _latin1(body), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)
    pdf.multi_cell(0, 7, _latin1(_text(lang, "acc.pdf.purpose")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)
    issued = _text(lang, "acc.pdf.issued", city=facts.city, date=long_date(facts.issued, lang))
    pdf.cell(0, 7, _latin1(issued), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(10)
    pdf.cell(0, 7, _latin1(_text(lang, "acc.pdf.signature")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if facts.manager:
        pdf.cell(0, 7, _latin1(facts.manager), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    list_title = _text(lang, "acc.doc.certificate_title", date=long_date(facts.issued, lang))
    filename = f"attestation-residence-{facts.issued.isoformat()}.pdf"
    return RenderedDocument(title=list_title, filename=filename, content=bytes(pdf.output()))
