"""The wording rules on pages someone else produced: the public wording of the layout sample
(DESIGN §2, verbatim) drawn by fpdf2 in DejaVu Sans, justified, and its real-world variants;
each rule passes on them and fails on a missing, truncated or contradicting paragraph."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from conformance.application.inspection import inspect_paper
from conformance.specimens import CONSENT, DATA, PID, scan
from conformance.specimens import OBJECTING as SPECIMEN_OBJECTING
from conformance.specimens import fpdf_page as specimen_page
from conformance.vocabulary import Status

OBJECTING = SPECIMEN_OBJECTING


def fpdf_page(consent: str | None = CONSENT, data: str | None = DATA, width: float = 120,
              patient: tuple[float, str] = (120, "Mme NESSI Ruth, née le 14/07/1977")) -> bytes:
    """A page drawn by fpdf2 (the self-test's specimens come from the same drawing)."""
    return specimen_page(consent, data, width, patient)


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


@pytest.mark.parametrize("with_dpi", [True, False])
def test_a_raster_scan_of_the_page_passes_the_code_checks_and_leaves_text_not_evaluated(
        with_dpi: bool, tmp_path: Path) -> None:
    from PIL import Image

    png = scan(fpdf_page())
    if not with_dpi:  # a scanner that writes no resolution: its sizes are not guessed
        out = io.BytesIO()
        Image.open(io.BytesIO(png)).save(out, format="PNG")
        png = out.getvalue()
    file = tmp_path / "scan.png"
    file.write_bytes(png)
    found = {r.requirement + " " + r.check: r for r in inspect_paper(str(file), PID, True).results}
    sized = ("QR-05 qr_size", "QR-06 qr_degraded")
    for name in ("QR-01 qr_present", "QR-02 qr_payload", "QR-04 qr_position", "QR-05 qr_quiet_zone",
                 *(sized if with_dpi else ())):
        assert found[name].status is Status.PASS, (name, found[name].message)
    for name in () if with_dpi else sized:  # never measured at a guessed resolution
        assert found[name].skip == "not-evaluated" and "--dpi" in found[name].message
    for name in WORDING[:2]:
        assert found[name].status is Status.SKIP and found[name].skip == "not-evaluated"


def test_no_specimen_fails_any_standalone_check() -> None:
    from conformance.application.selftest import inspect_specimens

    outcomes = inspect_specimens()
    assert len(outcomes) >= 6
    assert {o.name: o.failing for o in outcomes} == {o.name: () for o in outcomes}


def test_text_off_the_page_fails_near_the_edge_warns(tmp_path: Path) -> None:
    long_name = "Mme D'ARGENSON-LŒUVRE DE LA CÔTE-SAINT-ANDRÉ Anaïs-Hélène, née le 14/07/1977"
    assert verdicts(fpdf_page(patient=(120, long_name)), tmp_path)["PAP-13 nothing_cut_off"] is Status.FAIL
    near = verdicts(fpdf_page(patient=(2.5, "Mme NESSI Ruth")), tmp_path)
    assert near["PAP-13 nothing_cut_off"] is Status.WARN
    assert verdicts(fpdf_page(), tmp_path)["PAP-13 nothing_cut_off"] is Status.PASS
