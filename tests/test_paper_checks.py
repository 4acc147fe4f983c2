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

from conformance.checks import REGISTRY, CheckContext, Failed, ScenarioState, Skipped, StepData, Warned
from conformance.paper import InProcessReader, analyse_bytes
from conformance.profiles import load_profile
from conformance.targets import Exchange
from tests.helpers import SAMPLES, example_body

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


# Header and lines in another layout than the reference's: other labels, other date and
# phone formats, the AM number spaced, the posology wrapped, the motive after a colon.
HEADER = {
    "doctor": (20, 20, "Docteur Claire MARTIN — RPPS 10000000017"),
    "specialty": (20, 25, "Médecine générale · N° AM 101 000 016"),
    "address": (20, 30, "12 rue de la Paix, 75002 Paris — Tél. 01.23.45.67.89"),
    "patient": (115, 20, "Mme NESSI Ruth"),
    "born": (115, 25, "Sexe féminin, née le 14 juillet 1977"),
    "date": (115, 35, "Paris, le 24 novembre 2026"),
    "label": (20, 60, "PARACÉTAMOL 500 mg comprimé — 1 comprimé matin et"),
    "posology": (25, 65, "soir, pendant 7 jours"),
    "motive": (25, 70, "Non substituable : MTE"),
}


def without(key: str) -> dict[str, tuple[float, float, str]]:
    return {k: v for k, v in HEADER.items() if k != key}


def changed(key: str, text: str) -> dict[str, tuple[float, float, str]]:
    return {**HEADER, key: (HEADER[key][0], HEADER[key][1], text)}


Symbol = tuple[Any, tuple[float, float], float]  # a segno symbol, its top-left (mm), its side (mm)


def draw(c: Canvas, symbol: Any, at: tuple[float, float], size: float, backing: bool = False) -> None:
    """A segno symbol drawn module by module; ``backing``: on a white square two modules wider
    all round (its quiet zone, when it is drawn over another code)."""
    n = len(symbol.matrix)
    m = size * mm / n
    x, y = at[0] * mm, H - at[1] * mm
    if backing:
        c.setFillGray(1)
        c.rect(x - 2 * m, y - size * mm - 2 * m, size * mm + 4 * m, size * mm + 4 * m, stroke=0, fill=1)
        c.setFillGray(0)
    for r, row in enumerate(symbol.matrix):
        for col, bit in enumerate(row):
            if bit:
                c.rect(x + col * m, y - (r + 1) * m, m, m, stroke=0, fill=1)


def page(code: str | None = None, at: tuple[float, float] = (15, 236), size: float = 36,
         raster: bool = False, number: str | None = PID, consent: str | None = "Oui",
         data: bool = True, font: str = "Times-Roman", legal: tuple[float, float] = (60, 241),
         label_gap: float = 5, header: dict[str, tuple[float, float, str]] | None = None,
         error: str = "l", others: tuple[Symbol, ...] = ()) -> bytes:
    """A one-page ordonnance drawn independently of the reference's renderer; ``others`` are
    symbols drawn after the code (over it, or beside it)."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setFont(font, 10)
    for hx, hy, line in (HEADER if header is None else header).values():
        c.drawString(hx * mm, H - hy * mm, line)
    x, y = at
    if code is not None:
        qr = segno.make(code, error=error, micro=False)
        if raster:
            png = io.BytesIO()
            qr.save(png, kind="png", scale=4, border=4)
            png.seek(0)
            c.drawImage(ImageReader(png), x * mm, H - (y + size) * mm, size * mm, size * mm)
        else:
            draw(c, qr, at, size)
    for symbol, where, side in others:
        draw(c, symbol, where, side, backing=True)
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


def run_check(name: str, pdf: bytes, opposition: bool = False,
              created: dict[str, Any] | None = None, days: set[str] | None = None) -> str:
    created = created or example_body()
    created["consentement"]["opposition"] = opposition
    exchange = Exchange("GET", "/paper", None, 200, {"content-type": "application/pdf"}, pdf, 0.0)
    data = StepData("paper", {"id": PID}, [exchange])
    state = ScenarioState(created=created, created_id=PID, created_days=days or set())
    ctx = CheckContext(data, state, load_profile(), None, None, InProcessReader())
    return REGISTRY[name].fn(ctx)


GOOD = page(payload())


@pytest.mark.parametrize("name", ["qr_present", "qr_payload", "same_id", "qr_values",
                                  "qr_position", "qr_size", "qr_quiet_zone", "number_under_qr",
                                  "data_mention",
                                  "legal_right_of_qr",
                                  "consent_mention", "consent_matches", "page_numbers",
                                  "qr_degraded", "prescriber_identified", "patient_identified",
                                  "prescription_date", "lines_printed", "substitution_motive"])
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
    ("qr_degraded", page(payload(), size=21), "no longer decodes"),
    ("prescriber_identified", page(payload(), header=without("specialty")), "specialite"),
    ("prescriber_identified", page(payload(), header=changed("specialty", "Médecine générale")),
     "am: '101000016'"),
    ("prescriber_identified", page(payload(), header=without("address")), "adresse"),
    ("patient_identified", page(payload(), header=without("born")), "dateNaissance"),
    ("patient_identified", page(payload(), header=changed("born", "Sexe masculin, né le 14 juillet "
                                                           "1977")), "sexe"),
    ("prescription_date", page(payload(), header=without("date")), "not printed"),
    ("lines_printed", page(payload(), header=without("posology")), "posologie"),
    ("substitution_motive", page(payload(), header=changed("motive", "Non substituable")),
     "without its justification"),
    ("substitution_motive", page(payload(), header=without("motive")), "without the mention"),
])
def test_checks_fail_on_a_bad_page(name: str, pdf: bytes, message: str) -> None:
    with pytest.raises(Failed) as info:
        run_check(name, pdf)
    assert message in info.value.message


def ald_body() -> dict[str, Any]:
    body = example_body()
    other = {**body["lignes"][0], "libelle": "AMOXICILLINE 1 g", "ald": False,
             "nonSubstituable": False}
    body["lignes"] = [{**body["lignes"][0], "ald": True}, other]
    return body


def bizone_header(ald_top: bool) -> dict[str, tuple[float, float, str]]:
    out = without("label")
    out["zone1"] = (20, 50, "Prescriptions relatives au traitement de l’affection de longue durée")
    out["label"] = (20, 60 if ald_top else 90, "PARACÉTAMOL 500 mg comprimé — 1 comprimé matin et")
    out["posology"] = (25, 65 if ald_top else 95, "soir, pendant 7 jours")
    out["zone2"] = (20, 80, "Prescriptions SANS RAPPORT avec l’affection de longue durée")
    out["other"] = (20, 86 if ald_top else 60, "AMOXICILLINE 1 g")
    return out


def test_bizone_passes_with_ald_lines_on_top_and_fails_otherwise() -> None:
    assert run_check("bizone", page(payload(), header=bizone_header(True)), created=ald_body())
    with pytest.raises(Failed, match="wrong zone"):
        run_check("bizone", page(payload(), header=bizone_header(False)), created=ald_body())
    with pytest.raises(Failed, match="without the bizone"):
        run_check("bizone", GOOD, created=ald_body())
    with pytest.raises(Skipped):
        run_check("bizone", GOOD)


def test_replaced_doctor_named_or_anomaly() -> None:
    body = example_body()
    body["prescripteur"]["remplace"] = {"rpps": "10000000033", "nomFamille": "LEFÈVRE",
                                        "prenom": "Joël", "am": "751000035"}
    named = {**HEADER, "replaced": (20, 35, "Remplaçante du Dr Joël LEFÈVRE, RPPS 100 000 000 33")}
    assert run_check("replaced_identified", page(payload(), header=named), created=body)
    with pytest.raises(Failed, match="replaced doctor is not identified"):
        run_check("replaced_identified", GOOD, created=body)
    with pytest.raises(Skipped):
        run_check("replaced_identified", GOOD)


def test_consent_non_matches_an_objecting_patient() -> None:
    assert run_check("consent_matches", page(payload(), consent="Non"), opposition=True)


MICRO = segno.make_micro("8554")  # zxing-cpp 3 returns it when asked for BarcodeFormat.QRCode


@pytest.mark.parametrize(("error", "micro_at"), [
    ("l", (20, 222)),  # beside the code, above it
    ("h", (30, 250)),  # over the middle of the code, which its error correction absorbs
])
def test_a_micro_qr_beside_or_over_the_code_is_not_a_second_code(
        error: str, micro_at: tuple[float, float]) -> None:
    pdf = page(payload(), error=error, others=((MICRO, micro_at, 6.0),))
    assert [c.text for c in analyse_bytes(pdf)[0].codes] == [payload()]
    assert run_check("qr_present", pdf) == "one code 2D on 1 of 1 page(s)"
    assert run_check("qr_values", pdf)
    assert run_check("qr_degraded", pdf)  # QR-06 reads the same code from the degraded frames


def test_a_second_qr_code_on_the_page_still_fails_qr01() -> None:
    other = segno.make("un autre code", micro=False)
    pdf = page(payload(), others=((other, (15, 195), 25.0), (MICRO, (60, 222), 6.0)))
    with pytest.raises(Failed) as info:
        run_check("qr_present", pdf)
    assert info.value.message == "more than one QR code (ISO 18004, model 2) on a page"
    assert info.value.observed == {1: 2}  # the Micro QR is not counted


def test_the_decoder_asks_for_qr_model_2_under_zxing_cpp_2_and_3(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    import zxingcpp

    from conformance.paper import symbols

    formats = zxingcpp.BarcodeFormat
    assert symbols.qr_format(zxingcpp) == getattr(formats, "QRCodeModel2", formats.QRCode)
    two = SimpleNamespace(BarcodeFormat=SimpleNamespace(QRCode="2.x QRCode", MicroQRCode="micro"))
    assert symbols.qr_format(two) == "2.x QRCode"  # 2.x: QRCode is models 1 and 2 only

    def widened(image: Any, formats: Any) -> list[Any]:  # a decoder that returns the whole family
        return [SimpleNamespace(format=SimpleNamespace(name=name), text=name)
                for name in ("QRCode", "MicroQRCode", "RMQRCode", "QRCodeModel2")]

    monkeypatch.setattr(zxingcpp, "read_barcodes", widened)
    assert [b.text for b in symbols.read_qr_codes(None)] == ["QRCode", "QRCodeModel2"]


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


def test_degraded_paper_has_neither_code_nor_number() -> None:
    classic = page(None, number=None, consent=None, data=False)
    assert run_check("degraded_paper", classic)
    with pytest.raises(Failed, match="code 2D is printed"):
        run_check("degraded_paper", GOOD)
    with pytest.raises(Failed, match="e-prescription"):
        run_check("degraded_paper", page(None))  # the label and number without a code


def test_printed_identifiers_need_valid_keys() -> None:
    assert run_check("identifiers_printed", GOOD).endswith("all valid")
    typo = changed("doctor", "Docteur Claire MARTIN — RPPS 10000000018")
    with pytest.raises(Failed, match="wrong Luhn key"):
        run_check("identifiers_printed", page(payload(), header=typo))
    # the scenario itself gave a broken key (test data): reported, but as a warning
    body = example_body()
    body["prescripteur"]["rpps"] = "10000000018"
    with pytest.raises(Warned, match="test data"):
        run_check("identifiers_printed", page(payload(), header=typo), created=body)


def test_names_in_the_code_2d_unchanged_code_point_by_code_point() -> None:
    import unicodedata

    body = example_body()
    body["patient"]["nomFamille"] = "NESSÉ"
    nfc = page(payload(P={"N": "NESSÉ".ljust(90), "P": "Ruth", "D": "1977-07-14"}))
    assert run_check("names_intact", nfc, created=body) == "names unchanged in paper"
    nfd_name = unicodedata.normalize("NFD", "NESSÉ")
    nfd = page(payload(P={"N": nfd_name.ljust(90), "P": "Ruth", "D": "1977-07-14"}))
    with pytest.raises(Failed, match="6 code points"):
        run_check("names_intact", nfd, created=body)


def test_sex_stated_by_civility_alone() -> None:
    civility_only = changed("born", "née le 14 juillet 1977")
    assert run_check("patient_identified", page(payload(), header=civility_only))
    for wrong in ("M. NESSI Ruth", "NESSI Ruth"):
        header = {**civility_only, "patient": (115, 20, wrong)}
        with pytest.raises(Failed, match="sexe"):
            run_check("patient_identified", page(payload(), header=header))


def test_the_date_is_the_day_the_target_registered_in_paris() -> None:
    undated = example_body()
    del undated["dateOrdonnance"]
    printed = page(payload())  # "Paris, le 24 novembre 2026"
    assert run_check("prescription_date", printed, created=undated, days={"2026-11-24"})
    # created at 23:59:59.9 on the 24th, answered on the 25th: either day is the right one
    assert run_check("prescription_date", printed, created=undated, days={"2026-11-24", "2026-11-25"})
    with pytest.raises(Failed, match="not printed"):
        run_check("prescription_date", printed, created=undated, days={"2026-11-25"})


def two_pages(first: list[tuple[float, str]], second: list[tuple[float, str]]) -> bytes:
    """Two pages of lines at the given heights (mm from the top), in Helvetica."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    for lines in (first, second):
        c.setFont("Helvetica", 10)
        for y, text in lines:
            c.drawString(20 * mm, H - y * mm, text)
        c.showPage()
    c.save()
    return buf.getvalue()


def test_bizone_reads_across_pages_the_heading_need_not_be_repeated() -> None:
    heading = "Prescriptions SANS RAPPORT avec l'affection de longue durée"
    body = ald_body()
    continued = two_pages([(60, "PARACÉTAMOL 500 mg comprimé"), (80, heading)],
                          [(30, "AMOXICILLINE 1 g")])
    assert run_check("bizone", continued, created=body)
    repeated = two_pages([(60, "PARACÉTAMOL 500 mg comprimé"), (80, heading)],
                         [(20, heading), (30, "AMOXICILLINE 1 g")])
    assert run_check("bizone", repeated, created=body)
    ald_after = two_pages([(60, "AMOXICILLINE 1 g"), (80, heading)],
                          [(30, "PARACÉTAMOL 500 mg comprimé")])
    with pytest.raises(Failed, match="wrong zone"):
        run_check("bizone", ald_after, created=body)


def test_nr_on_every_non_reimbursable_line_and_no_other() -> None:
    body = example_body()
    body["lignes"][0]["nonRembourse"] = True
    flagged = changed("label", "PARACÉTAMOL 500 mg comprimé   NR")
    assert run_check("nr_printed", page(payload(), header=flagged), created=body)
    with pytest.raises(Failed, match="NR missing on 1 line"):
        run_check("nr_printed", GOOD, created=body)
    body["lignes"][0]["nonRembourse"] = False
    with pytest.raises(Failed, match="NR on 1 reimbursable line"):
        run_check("nr_printed", page(payload(), header=flagged), created=body)
    assert run_check("nr_printed", GOOD, created=body)


def test_nr_with_one_label_twice_in_bizone_order() -> None:
    """Found by generate: 150 — the same act twice, the ALD one (NR) printed first, in the top
    zone, although created second: NR counts per label, whatever the layout's order."""
    heading = "Prescriptions SANS RAPPORT avec l'affection de longue durée"
    body = example_body()
    line = {"type": "acteInfirmier", "libelle": "Soins infirmiers à domicile"}
    body["lignes"] = [dict(line), {**line, "ald": True, "nonRembourse": True}]
    bizone = two_pages([(60, "Soins infirmiers à domicile   NR"), (70, heading),
                        (80, "Soins infirmiers à domicile")], [])
    assert run_check("nr_printed", bizone, created=body)


@pytest.mark.parametrize("size, raster", [(36, False), (21, False), (24, False), (36, True), (22, True)])
def test_the_degraded_scan_stops_early_with_the_verdict_of_every_frame(size: float, raster: bool) -> None:
    """QR-06 stops trying frames once its verdict is settled: the same verdict as all of them."""
    from conformance.paper.degrade import ROTATIONS_DEG, Degradation, degraded_decode

    pdf = page(payload(), size=size, raster=raster)
    code = analyse_bytes(pdf)[0].codes[0]
    needed = (len(ROTATIONS_DEG) + 1) // 2
    every = degraded_decode(pdf, 1, code.box)
    early = degraded_decode(pdf, 1, code.box, Degradation(), code.text)
    assert len(every) == len(ROTATIONS_DEG) and early == every[:len(early)]
    assert (every.count(code.text) >= needed) == (early.count(code.text) >= needed)


def test_the_degraded_scan_renders_only_the_crop_yet_the_same_pixels() -> None:
    import numpy as np
    import pypdfium2 as pdfium

    from conformance.paper.degrade import SCAN_DPI, _crop_box, _pdf_crop

    pdf = page(payload(), at=(15, 236))
    code = analyse_bytes(pdf)[0].codes[0]
    document = pdfium.PdfDocument(pdf)
    whole = document[0].render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
    document.close()
    expected = whole.crop(_crop_box(whole.width, whole.height, code.box, SCAN_DPI))
    assert np.array_equal(np.asarray(_pdf_crop(pdf, 1, code.box, SCAN_DPI)), np.asarray(expected))
