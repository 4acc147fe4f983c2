"""The wording rules on pages someone else produced: the public wording of the layout sample
(DESIGN §2, verbatim) drawn by fpdf2 in DejaVu Sans, justified, and its real-world variants;
each rule passes on them and fails on a missing, truncated or contradicting paragraph."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import segno
from fpdf import FPDF

from conformance.application.inspection import inspect_paper
from conformance.vocabulary import Status

PID = "01S2TBPZ2JCNZZYGHZ"
CONSENT = ("Le patient, le ou les titulaire (s) de l'autorité parentale, a (ont) été informé(s) le "
           "24/12/2022 et ne s'oppose(nt) pas à ce que je puisse consulter ce qui a été délivré ou "
           "exécuté sur cette ordonnance.")
DATA = ("Les données de la prescription sont transmises électroniquement à l'assurance maladie "
        "qui traite vos données dans le cadre de ses missions. Pour en savoir plus sur la gestion "
        "de vos données personnelles et pour exercer vos droits, reportez-vous à "
        "https://www.ameli.fr/paris/assure/protection-donnees-personnelles.")
OBJECTING = CONSENT.replace("ne s'oppose(nt) pas", "s'oppose(nt)")


def _font() -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def fpdf_page(consent: str | None = CONSENT, data: str | None = DATA, width: float = 120,
              patient: tuple[float, str] = (120, "Mme NESSI Ruth, née le 14/07/1977")) -> bytes:
    """An ordonnance footer drawn by fpdf2 (not our renderer): code bottom-left, number under it,
    both paragraphs justified to its right."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    pdf.add_font("DejaVu", fname=_font())
    pdf.set_font("DejaVu", size=10)
    pdf.text(20, 25, "Dr Claire MARTIN — Médecine générale — RPPS 10000000017 — AM 101000016")
    pdf.text(patient[0], 35, patient[1])
    payload = json.dumps({"S": {"V": 2}, "D": {"ID": PID, "P": {"N": "NESSI", "P": "Ruth",
                          "D": "1977-07-14"}, "M": {"RPPS": "10000000017", "AM": "101000016"}}},
                         separators=(",", ":"))
    qr = segno.make(payload, error="l", micro=False)
    n, size, x, y = len(qr.matrix), 36.0, 15.0, 225.0
    module = size / n
    for r, row in enumerate(qr.matrix):
        for c, bit in enumerate(row):
            if bit:
                pdf.rect(x + c * module, y + r * module, module, module, style="F")
    pdf.set_font("DejaVu", size=9)
    pdf.text(x, y + size + 5, "e-prescription")
    pdf.text(x, y + size + 9, f"N°{PID}")
    pdf.text(x, y + size + 14, "Page 1/1")
    pdf.set_font("DejaVu", size=7.5)
    pdf.set_xy(60, y)
    for paragraph in (consent, data):
        if paragraph:
            pdf.set_x(60)
            pdf.multi_cell(width, 3.4, paragraph, align="J")
            pdf.ln(2)
    return bytes(pdf.output())


def verdicts(pdf: bytes, tmp_path: Path, consent: bool | None = True) -> dict[str, Status]:
    file = tmp_path / "page.pdf"
    file.write_bytes(pdf)
    found = inspect_paper(str(file), PID, consent)
    return {r.requirement + " " + r.check: r.status for r in found.results}


WORDING = ("PAP-02 data_mention", "PAP-03 consent_mention", "CON-02 consent_matches")


@pytest.mark.parametrize(("consent", "data", "width"), [
    (CONSENT, DATA, 120),  # verbatim, justified
    (CONSENT, DATA, 80),  # other line wraps
    (CONSENT.replace("'", "’"), DATA.replace("'", "’"), 120),  # typographic apostrophes
    (CONSENT.replace("informé(s)", "informés").replace("a (ont)", "a").replace("s'oppose(nt)", "s'opposent"),
     DATA.replace("/paris/", "/gironde/"), 120),
    (CONSENT.replace("cette ordonnance", "la présente prescription"),
     DATA.replace("électroniquement", "de manière dématérialisée").replace("la prescription",
                                                                           "cette prescription"), 100),
    ("Le patient a (ont) accepté que je puisse consulter ce qui a été délivré ou exécuté sur la "
     "présente prescription : Oui", DATA, 120),
])
def test_the_public_wording_and_its_variants_pass(consent: str, data: str, width: float,
                                                  tmp_path: Path) -> None:
    found = verdicts(fpdf_page(consent, data, width), tmp_path)
    assert {k: found[k] for k in WORDING} == dict.fromkeys(WORDING, Status.PASS)
    assert found["QR-01 qr_present"] is Status.PASS and found["PAP-01 number_under_qr"] is Status.PASS


def test_the_objecting_form_passes_and_matches_only_an_objection(tmp_path: Path) -> None:
    pdf = fpdf_page(OBJECTING)
    objecting = verdicts(pdf, tmp_path, consent=False)
    assert objecting["PAP-03 consent_mention"] is Status.PASS
    assert objecting["CON-02 consent_matches"] is Status.PASS
    assert verdicts(pdf, tmp_path, consent=True)["CON-02 consent_matches"] is Status.FAIL
    assert verdicts(fpdf_page(), tmp_path, consent=False)["CON-02 consent_matches"] is Status.FAIL


@pytest.mark.parametrize(("consent", "data", "failing"), [
    (None, DATA, "PAP-03 consent_mention"),
    (CONSENT, None, "PAP-02 data_mention"),
    (CONSENT[:CONSENT.index(" sur cette ordonnance")], DATA, "PAP-03 consent_mention"),  # truncated
    (CONSENT, DATA[:DATA.index(" Pour en savoir")], "PAP-02 data_mention"),  # no ameli.fr link
    (CONSENT, DATA.replace("sont transmises électroniquement", "ne sont pas conservées"),
     "PAP-02 data_mention"),
])
def test_a_missing_truncated_or_altered_paragraph_fails(consent: str | None, data: str | None,
                                                        failing: str, tmp_path: Path) -> None:
    assert verdicts(fpdf_page(consent, data), tmp_path)[failing] is Status.FAIL


def test_a_raster_scan_of_the_page_passes_the_code_checks_and_leaves_text_not_evaluated(
        tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(fpdf_page())
    image = document[0].render(scale=300 / 72, grayscale=True).to_pil()
    document.close()
    png = io.BytesIO()
    image.save(png, format="PNG")
    file = tmp_path / "scan.png"
    file.write_bytes(png.getvalue())
    found = {r.requirement + " " + r.check: r for r in inspect_paper(str(file), PID, True).results}
    for name in ("QR-01 qr_present", "QR-02 qr_payload", "QR-04 qr_position", "QR-05 qr_size"):
        assert found[name].status is Status.PASS, (name, found[name].message)
    for name in WORDING[:2]:
        assert found[name].status is Status.SKIP and found[name].skip == "not-evaluated"


def test_text_off_the_page_fails_near_the_edge_warns(tmp_path: Path) -> None:
    long_name = "Mme D'ARGENSON-LŒUVRE DE LA CÔTE-SAINT-ANDRÉ Anaïs-Hélène, née le 14/07/1977"
    assert verdicts(fpdf_page(patient=(120, long_name)), tmp_path)["PAP-13 nothing_cut_off"] is Status.FAIL
    near = verdicts(fpdf_page(patient=(2.5, "Mme NESSI Ruth")), tmp_path)
    assert near["PAP-13 nothing_cut_off"] is Status.WARN
    assert verdicts(fpdf_page(), tmp_path)["PAP-13 nothing_cut_off"] is Status.PASS
