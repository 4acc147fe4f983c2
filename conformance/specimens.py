"""Conforming ordonnances drawn by someone else's renderer: fpdf2 (not our reportlab), DejaVu
Sans (shipped with matplotlib), justified paragraphs in the public wording of the SEL-SFG-023
layout (DESIGN §2) and its variants, and a 300 dpi raster scan of each. The self-test inspects
them: a failure on any of them is a false positive of the harness, not the target's anomaly."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PID = "01S2TBPZ2JCNZZYGHZ"
CONSENT = ("Le patient, le ou les titulaire (s) de l'autorité parentale, a (ont) été informé(s) le "
           "24/12/2022 et ne s'oppose(nt) pas à ce que je puisse consulter ce qui a été délivré ou "
           "exécuté sur cette ordonnance.")
OBJECTING = CONSENT.replace("ne s'oppose(nt) pas", "s'oppose(nt)")
ACCEPTED = ("Le patient a (ont) accepté que je puisse consulter ce qui a été délivré ou exécuté sur la "
            "présente prescription : Oui")
DATA = ("Les données de la prescription sont transmises électroniquement à l'assurance maladie "
        "qui traite vos données dans le cadre de ses missions. Pour en savoir plus sur la gestion "
        "de vos données personnelles et pour exercer vos droits, reportez-vous à "
        "https://www.ameli.fr/paris/assure/protection-donnees-personnelles.")
PATIENT = "Mme NESSI Ruth, née le 14/07/1977"


@dataclass(frozen=True)
class Specimen:
    """A conforming printout: its name, bytes, and what the patient chose."""

    name: str
    data: bytes
    objects: bool
    suffix: str = ".pdf"


def _font() -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def fpdf_page(consent: str | None = CONSENT, data: str | None = DATA, width: float = 120,
              patient: tuple[float, str] = (120, PATIENT), pid: str = PID,
              code: tuple[float, float, float] = (15.0, 225.0, 36.0),
              lines: Sequence[str] = ()) -> bytes:
    """A one-page ordonnance drawn by fpdf2: prescriber and patient, ``lines`` of prescription
    text, the code 2D bottom-left with the number under it (``code``: its left, top and side in
    mm), both paragraphs justified to its right."""
    import segno
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    pdf.add_font("DejaVu", fname=_font())
    pdf.set_font("DejaVu", size=10)
    pdf.text(20, 25, "Dr Claire MARTIN — Médecine générale — RPPS 10000000017 — AM 101000016")
    pdf.text(patient[0], 35, patient[1])
    for n, line in enumerate(lines):
        pdf.text(20, 55 + 7 * n, line)
    payload = json.dumps({"S": {"V": 2}, "D": {"ID": pid, "P": {"N": "NESSI", "P": "Ruth",
                          "D": "1977-07-14"}, "M": {"RPPS": "10000000017", "AM": "101000016"}}},
                         separators=(",", ":"))
    qr = segno.make(payload, error="l", micro=False)
    n, (x, y, size) = len(qr.matrix), code
    module = size / n
    for r, row in enumerate(qr.matrix):
        for c, bit in enumerate(row):
            if bit:
                pdf.rect(x + c * module, y + r * module, module, module, style="F")
    pdf.set_font("DejaVu", size=9)
    pdf.text(x, y + size + 6, "e-prescription")  # below the quiet zone (4 modules)
    pdf.text(x, y + size + 10, f"N°{pid}")
    pdf.text(x, y + size + 15, "Page 1/1")
    pdf.set_font("DejaVu", size=7.5)
    pdf.set_xy(60, y)
    for paragraph in (consent, data):
        if paragraph:
            pdf.set_x(60)
            pdf.multi_cell(width, 3.4, paragraph, align="J")
            pdf.ln(2)
    return bytes(pdf.output())


def scan(pdf: bytes, dpi: int = 300) -> bytes:
    """A raster scan (PNG) of the first page."""
    import io

    import pypdfium2 as pdfium

    from conformance.paper.analyse import PDFIUM_LOCK

    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            image = document[0].render(scale=dpi / 72, grayscale=True).to_pil()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def specimens() -> list[Specimen]:
    """Every conforming specimen: wordings, line wraps, apostrophes, and a scan of the first."""
    typographic = fpdf_page(CONSENT.replace("'", "’"), DATA.replace("'", "’").replace("/paris/", "/gironde/"))
    plain = fpdf_page()
    return [
        Specimen("public-wording", plain, objects=False),
        Specimen("public-wording-narrow", fpdf_page(width=80), objects=False),
        Specimen("public-wording-typographic", typographic, objects=False),
        Specimen("objecting", fpdf_page(OBJECTING), objects=True),
        Specimen("accepted-oui", fpdf_page(ACCEPTED), objects=False),
        Specimen("public-wording-scan", scan(plain), objects=False, suffix=".png"),
    ]
