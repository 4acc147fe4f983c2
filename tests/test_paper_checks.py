"""Paper checks on crafted pages: each fails on a bad page and passes on good ones, including
pages laid out differently from the reference (another font, a raster code, the 'accepté' wording)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from conformance.checks import REGISTRY, CheckContext, Failed, ScenarioState, Skipped, StepData
from conformance.paper import analyse_bytes
from conformance.profiles import load_profile
from conformance.targets import Exchange
from tests.conftest import SAMPLES, example_body

PID = "01S2TBPZ2JCNZZYGHZ"
H = A4[1]
CONSENT_OUI = ("Le patient (ou le(s) titulaire(s) de l’autorité parentale) a (ont) accepté que je "
               "puisse consulter ce qui a été délivré ou exécuté sur la présente prescription : {}")
DATA = ("Les données de cette prescription sont transmises de manière dématérialisée à "
        "l’Assurance Maladie. Pour en savoir plus : www.ameli.fr/assure/donnees")


def payload(**changes: Any) -> str:
    body = example_body()
    data = {"S": {"V": 2}, "D": {"ID": PID, "P": {"N": body["patient"]["nomFamille"].ljust(90),
            "P": body["patient"]["prenom"].ljust(90), "D": body["patient"]["dateNaissance"]},
            "M": {"RPPS": body["prescripteur"]["rpps"], "AM": body["prescripteur"]["am"]}}}
    data["D"].update(changes)
    return json.dumps(data, separators=(",", ":"))


def page(code: str | None = None, at: tuple[float, float] = (15, 240), size: float = 30,
         raster: bool = False, number: str | None = PID, consent: str | None = "Oui",
         data: bool = True, font: str = "Times-Roman", legal: tuple[float, float] = (60, 245),
         label_gap: float = 5) -> bytes:
    """A one-page ordonnance drawn independently of the reference's renderer."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setFont(font, 10)
    c.drawString(20 * mm, H - 20 * mm, "Docteur Claire MARTIN — RPPS 10000000017")
    x, y = at
    if code is not None:
        qr = segno.make(code, error="l", micro=False)
        if raster:
            png = io.BytesIO()
            qr.save(png, kind="png", scale=4, border=4)
            png.seek(0)
            c.drawImage(ImageReader(png), x * mm, H - (y + size) * mm, size * mm, size * mm)
        else:
            n = len(qr.matrix)
            m = size * mm / n
            for r, row in enumerate(qr.matrix):
                for col, bit in enumerate(row):
                    if bit:
                        c.rect(x * mm + col * m, H - y * mm - (r + 1) * m, m, m, stroke=0, fill=1)
    if number is not None:
        c.drawString(x * mm, H - (y + size + label_gap) * mm, "e-prescription")
        c.drawString(x * mm, H - (y + size + 9) * mm, f"N° {number}")
    c.drawString(x * mm, H - (y + size + 14) * mm, "Page 1/1")
    text = c.beginText(legal[0] * mm, H - legal[1] * mm)
    text.setFont(font, 8)
    lines = []
    if consent:  # wrapped at other places than the reference's renderer
        lines += wrap(CONSENT_OUI.format(consent), 70)
    if data:
        lines += wrap(DATA, 80)
    for line in lines:
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    return buf.getvalue()


def wrap(text: str, width: int) -> list[str]:
    cut = text.rfind(" ", 0, width)
    return [text[:cut], text[cut + 1:]]


def run_check(name: str, pdf: bytes, opposition: bool = False) -> str:
    created = example_body()
    created["consentement"]["opposition"] = opposition
    exchange = Exchange("GET", "/paper", None, 200, {"content-type": "application/pdf"}, pdf, 0.0)
    data = StepData("paper", {"id": PID}, [exchange])
    state = ScenarioState(created=created, created_id=PID)
    ctx = CheckContext(data, state, load_profile(), None, None, analyse_bytes)
    return REGISTRY[name].fn(ctx)


GOOD = page(payload())


@pytest.mark.parametrize("name", ["qr_present", "qr_payload", "same_id", "qr_values",
                                  "qr_position", "qr_size", "qr_quiet_zone", "number_under_qr",
                                  "data_mention",
                                  "legal_right_of_qr",
                                  "consent_mention", "consent_matches", "page_numbers"])
def test_checks_pass_on_another_layout(name: str) -> None:
    assert run_check(name, GOOD)


def test_checks_pass_on_a_raster_code_in_helvetica() -> None:
    pdf = page(payload(), raster=True, font="Helvetica")
    for name in ("qr_present", "qr_values", "qr_position", "number_under_qr"):
        assert run_check(name, pdf)


@pytest.mark.parametrize(("name", "pdf", "message"), [
    ("qr_present", page(None), "no decodable code 2D"),
    ("qr_payload", page("not json at all"), "does not hold JSON"),
    ("qr_payload", page(json.dumps({"S": {"V": 1}, "D": {}})), "breaks the v2 schema"),
    ("qr_values", page(payload(ID="01S2TBPZ2JCNZZYGH0")), "payload value"),
    ("same_id", page(payload(ID="01S2TBPZ2JCNZZYGH0")), "another identifier"),
    ("qr_position", page(payload(), at=(165, 20)), "not in the bottom-left"),
    ("qr_size", page(payload(), size=14), "mm wide"),
    ("number_under_qr", page(payload(), number=None), "'e-prescription' not printed"),
    ("number_under_qr", page(payload(), number="01S2TBPZ2JCNZZYGHO"), "differs"),
    ("data_mention", page(payload(), data=False), "mention missing"),
    ("qr_quiet_zone", page(payload(), label_gap=1.5), "inside the quiet zone"),
    ("legal_right_of_qr", page(payload(), legal=(15, 283)), "not to the right"),
    ("consent_mention", page(payload(), consent=None), "no consent paragraph"),
    ("consent_matches", page(payload(), consent="Non"), "contradicts the flag"),
])
def test_checks_fail_on_a_bad_page(name: str, pdf: bytes, message: str) -> None:
    with pytest.raises(Failed) as info:
        run_check(name, pdf)
    assert message in info.value.message


def test_consent_non_matches_an_objecting_patient() -> None:
    assert run_check("consent_matches", page(payload(), consent="Non"), opposition=True)


def test_unreadable_paper_fails_cleanly() -> None:
    for bad in (b"", b"%PDF-1.4 truncated", b"<html>oops</html>"):
        with pytest.raises(Failed) as info:
            run_check("qr_present", bad)
        assert "unreadable paper" in info.value.message


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent (clone outside the "
                    "workspace): the real DevBox-Santé sample cannot be read")
def test_real_sample_code_2d_decodes_to_v2() -> None:
    pages = analyse_bytes((Path(SAMPLES) / "Code2D_remplacant.png").read_bytes())
    code = pages[0].codes[0]
    assert code.modules == 61 and code.ec_level == "L"  # version 11
    data = json.loads(code.text)
    assert data["S"]["V"] == 2 and data["D"]["ID"] == "03UE8SP00UGBYH4JF7"
    assert data["D"]["P"]["N"].strip() == "NESSI" and len(data["D"]["P"]["N"]) == 90
    assert data["D"]["M"] == {"RPPS": "99900023138", "RPPS2": "99900007487", "AM": "991000696"}


def test_skip_text_checks_on_a_scan() -> None:
    png = io.BytesIO()
    segno.make(payload(), error="l").save(png, kind="png", scale=5)
    with pytest.raises(Skipped):
        run_check("data_mention", png.getvalue())
    assert run_check("qr_present", png.getvalue())
