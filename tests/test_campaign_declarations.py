"""How the guided campaign judges a paper it did not get from an adapter is said by each check's
declaration (``campaign``, ``degraded``, ``reads_identifiers``, ``measures_page``,
``needs_printed``), never by lists of check names in ``campaign/``: the sets read from the
registry are the lists the campaign kept before, and a check declared with an attribute joins
the campaign by itself (DESIGN §5, §15)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance import application as app
from conformance.application.session import load_profile
from conformance.campaign import judge
from conformance.campaign.drop import Processor
from conformance.campaign.folder import open_checked
from conformance.campaign.texts import shown
from conformance.checks import REGISTRY
from conformance.checks.registry import check
from conformance.engine.results import CheckResult
from conformance.messages import LITERAL, TEMPLATES, Text, render
from conformance.paper import InProcessReader, TextLine
from conformance.paper.ocr import OcrText
from conformance.paths import BUNDLED_FIXTURES
from conformance.vocabulary import Operation, Severity, SkipKind, Status, StepKind
from tests.helpers import campaign_cda, campaign_page, phone_photo

if TYPE_CHECKING:
    from conformance.checks.context import CheckContext

PRESCRIBER = BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"
# the campaign's lists before they became declarations (judge.py and dmpstep.py)
OWN_WAY = {"lines_printed", "names_intact"}
REGISTERED = ("qr_present", "qr_payload", "qr_values", "qr_position", "qr_size", "qr_quiet_zone",
              "legal_right_of_qr", "number_under_qr", "data_mention", "consent_mention",
              "consent_matches", "page_numbers", "qr_degraded", "same_id", "prescriber_identified",
              "patient_identified", "prescription_date", "substitution_motive", "bizone",
              "replaced_identified", "nr_printed", "identifiers_printed", "nothing_cut_off")
DEGRADED = {"degraded_paper", "nothing_cut_off", "page_numbers", "prescriber_identified",
            "patient_identified", "prescription_date", "substitution_motive", "bizone",
            "replaced_identified", "nr_printed", "identifiers_printed"}
FROM_IDENTIFIERS = {
    "number_under_qr": Text("le numéro de l'ordonnance sous le code 2D",
                            "the prescription number under the code 2D"),
    "prescriber_identified": Text("le RPPS et le numéro AM du prescripteur",
                                  "the prescriber's RPPS and AM number"),
    "replaced_identified": Text("le RPPS du médecin remplacé", "the replaced doctor's RPPS"),
    "identifiers_printed": Text("les numéros RPPS, AM et FINESS", "the RPPS, AM and FINESS numbers"),
}
MEASURED = {
    "nothing_cut_off": Text("ce que l'imprimante a coupé ne se voit pas sur un scan ou une photo",
                            "what the printer cut off cannot be seen on a scan or photo"),
    "qr_quiet_zone": Text("une zone de silence se mesure au module sur un PDF ; sur une image, la "
                          "perspective et les boîtes du texte (par OCR, s'il y en a) ne sont pas "
                          "aussi précises",
                          "a quiet zone is measured to the module on a PDF; on a picture the "
                          "perspective and the text's boxes (by OCR, if any) are not that precise"),
}
NEEDS_PAPER = {"cda_service_event", "cda_pdf_copy"}
# what a probe reads and why it cannot measure a picture: said by its declaration only
PROBE_READS = Text("le numéro de la sonde", "the probe's number")
PROBE_WHY = Text("la sonde mesure au dixième de millimètre", "the probe measures to a tenth of a mm")
PROBES = ("probe_paper", "probe_not_in_campaign", "probe_dmp")


def _result(name: str, status: Status = Status.PASS) -> CheckResult:
    return CheckResult(check=name, requirement=REGISTRY[name].requirement, title="",
                       severity=REGISTRY[name].severity, operation=Operation.IMPRESSION,
                       status=status, message="judged")


def _ocr() -> OcrText:
    box = (0.0, 0.0, 1.0, 1.0)
    return OcrText((TextLine("texte", box),), (), 1, 0.1)


def test_the_campaign_s_sets_read_from_the_declarations_are_the_lists_it_kept() -> None:
    assert {name for name, spec in REGISTRY.items() if not spec.campaign} == OWN_WAY
    assert judge.paper_checks() == REGISTERED  # the same checks, in the same order
    assert set(judge.paper_checks(degrade=True)) == DEGRADED
    assert {n: s.reads_identifiers for n, s in REGISTRY.items() if s.reads_identifiers} == FROM_IDENTIFIERS
    assert {n: s.measures_page for n, s in REGISTRY.items() if s.measures_page} == MEASURED
    assert {name for name, spec in REGISTRY.items() if spec.needs_printed} == NEEDS_PAPER


def test_what_the_campaign_says_of_an_identifier_or_a_measure_is_worded_as_before() -> None:
    said = judge._read_by_ocr(_result("number_under_qr"), _ocr())
    assert said.skip is SkipKind.NOT_EVALUATED and render(said.message, "fr") == (
        "non évalué sur une image : il faut lire le numéro de l'ordonnance sous le code 2D dans le "
        "texte, et les identifiants ne sont jamais pris de l'OCR (seulement du code 2D ou de la "
        "couche texte d'un PDF)")
    measured = judge._measured(_result("nothing_cut_off"))
    assert measured.skip is SkipKind.NOT_EVALUATED and render(measured.message, "fr") == (
        "non évalué sur une image : ce que l'imprimante a coupé ne se voit pas sur un scan ou une "
        "photo")
    assert str(measured.message) == ("not evaluated on an image: what the printer cut off cannot be "
                                     "seen on a scan or photo")
    # a check declaring neither is left as it was judged
    assert judge._measured(_result("qr_present")).status is Status.PASS
    assert judge._read_by_ocr(_result("qr_present"), _ocr()).status is Status.PASS


def test_an_attribute_on_a_check_of_no_such_step_fails_at_declaration() -> None:
    with pytest.raises(ValueError, match="a paper attribute on a check of no paper step"):
        check("probe_misdeclared", "RT-01", Severity.BLOCKING, title=Text("a", "a"), hint=Text("b", "b"),
              steps=(StepKind.CREATE,), measures_page=PROBE_WHY)(lambda ctx: "")
    with pytest.raises(ValueError, match="needs_printed on a check of no dmp step"):
        check("probe_misdeclared", "PAP-05", Severity.MAJOR, title=Text("a", "a"), hint=Text("b", "b"),
              steps=(StepKind.PAPER,), needs_printed=True)(lambda ctx: "")
    assert "probe_misdeclared" not in REGISTRY


def _probe(ctx: CheckContext) -> str:
    return ctx.msg("seen")


@pytest.fixture
def probes() -> Iterator[None]:
    """Three checks declared here, as a check module would, then taken out of the registry."""
    try:
        seen = {"seen": Text("sonde vue", "probe seen")}
        check("probe_paper", "PAP-05", Severity.MAJOR, title=Text("Sonde", "Probe"),
              hint=Text("rien", "nothing"), steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
              messages=seen, degraded=True, reads_identifiers=PROBE_READS,
              measures_page=PROBE_WHY)(_probe)
        check("probe_not_in_campaign", "PAP-05", Severity.MAJOR, title=Text("Sonde", "Probe"),
              hint=Text("rien", "nothing"), steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
              messages=seen, degraded=True, campaign=False)(_probe)
        check("probe_dmp", "CDA-08", Severity.MAJOR, title=Text("Sonde", "Probe"),
              hint=Text("rien", "nothing"), steps=(StepKind.DMP,), defaults=(StepKind.DMP,),
              messages=seen, needs_printed=True)(_probe)
        yield
    finally:
        for name in PROBES:
            REGISTRY.pop(name, None)
        for key in [k for k in TEMPLATES if k.startswith(PROBES)]:
            del TEMPLATES[key]
            LITERAL.discard(key)


def _judged(folder: Path, step: str) -> dict[str, dict[str, Any]]:
    return {c["check"]: c for c in open_checked(folder).state.steps[step].checks}


@pytest.mark.usefixtures("probes")
def test_a_check_declared_with_the_attributes_is_judged_by_the_campaign_by_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert judge.paper_checks()[-1] == "probe_paper"
    assert judge.paper_checks(degrade=True)[-1] == "probe_paper"
    assert "probe_not_in_campaign" not in judge.paper_checks() + judge.paper_checks(degrade=True)
    folder = tmp_path / "camp"
    app.campaign.start(None, str(folder), str(PRESCRIBER), "Alice", 5)
    state = open_checked(folder).state
    today = str(state.started["today"])
    monkeypatch.setattr(judge, "unavailable", lambda: "OCR not installed")  # a photo stays unread
    files = {"biologie.pdf": campaign_page(state.cards["biologie"], today),
             "degrade.pdf": campaign_page(state.cards["mode-degrade"], today),
             "IMG_0001.jpg": phone_photo(campaign_page(state.cards["enfant"], today))}
    for name, data in files.items():
        (folder / "depot" / name).write_bytes(data)
    Processor(folder, "Alice", InProcessReader(), load_profile("public-2025"), lambda _: None, 0.0).scan()
    for step in ("biologie", "mode-degrade"):  # a PDF, an ordonnance in degraded mode
        judged = _judged(folder, step)
        assert "probe_not_in_campaign" not in judged, step
        assert judged["probe_paper"]["status"] == "pass", (step, judged["probe_paper"])
        assert shown(judged["probe_paper"]["message"], "fr") == "sonde vue"
    photo = _judged(folder, "enfant")["probe_paper"]  # measured: not evaluated on a picture, why
    assert photo["skip"] == "not-evaluated", photo
    assert shown(photo["message"], "fr") == ("non évalué sur une image : la sonde mesure au dixième "
                                             "de millimètre")
    assert shown(photo["message"], "en") == "not evaluated on an image: the probe measures to a tenth of a mm"
    # and on text read by OCR, what it reads is an identifier: never taken from OCR
    read = judge._read_by_ocr(_result("probe_paper"), _ocr())
    assert read.skip is SkipKind.NOT_EVALUATED
    assert "il faut lire le numéro de la sonde dans le texte" in render(read.message, "fr")


@pytest.mark.usefixtures("probes")
def test_a_dmp_check_needing_the_printed_paper_waits_for_it_by_its_declaration(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("id: sonde\nversion: \"1\"\ntitle: Sonde\nsteps:\n"
                    "  - {id: simple, kind: produce, title: Simple, instructions: Déposez.,\n"
                    "     prescription: {lignes: [{produit: paracetamol}]}}\n"
                    "  - {id: dmp-simple, kind: dmp, source: simple, title: Copie,\n"
                    "     instructions: Déposez.}\n", encoding="utf-8")
    folder = tmp_path / "camp"
    app.campaign.start(str(plan), str(folder), str(PRESCRIBER), "Alice", 3)
    state = open_checked(folder).state
    today = str(state.started["today"])
    paper = campaign_page(state.cards["simple"], today)
    (folder / "depot" / "simple.xml").write_bytes(campaign_cda(state.cards["simple"], today, paper))
    assert app.campaign.watch(str(folder), lambda _: None, once=True, settle=0.0) == 0
    judged = _judged(folder, "dmp-simple")  # the copy before its paper
    assert judged["probe_dmp"]["skip"] == "not-evaluated", judged["probe_dmp"]
    assert "l'étape simple n'a pas encore d'ordonnance jugée" in shown(judged["probe_dmp"]["message"], "fr")
    assert judged["cda_structure"]["status"] == "pass"  # a check needing no paper is judged
    (folder / "depot" / "simple.pdf").write_bytes(paper)
    assert app.campaign.watch(str(folder), lambda _: None, once=True, settle=0.0) == 0
    assert _judged(folder, "dmp-simple")["probe_dmp"]["status"] == "pass"


def test_no_text_to_read_is_what_a_check_declares_not_a_message_id_the_campaign_names() -> None:
    import ast
    import dataclasses

    from conformance.campaign.texts import JUDGE
    from conformance.checks.footer import FOOTER
    from conformance.checks.registry import _NO_TEXT, Messages, found_no_text, no_text

    assert found_no_text(FOOTER("scan")) and found_no_text(FOOTER("no_text_layer"))
    assert not found_no_text(FOOTER("no_code")) and not found_no_text("footer.scan")
    probe = Messages("probe_text", {"blank": Text("page blanche", "blank page"),
                                    "other": Text("autre chose", "something else")})
    try:
        with pytest.raises(ValueError, match="probe_text declares no message missing"):
            no_text(probe, "blank", "missing")
        no_text(probe, "blank")
        blank = dataclasses.replace(_result("qr_present"), status=Status.SKIP, skip=SkipKind.NOT_EVALUATED,
                                    message=probe("blank"))
        judged = judge._without_ocr(blank, "Tesseract absent")
        assert judged.skip is SkipKind.NOT_EVALUATED
        assert judged.message == JUDGE("no_text", why="Tesseract absent")  # says why: no OCR
        other = dataclasses.replace(blank, message=probe("other"))
        assert judge._without_ocr(other, "Tesseract absent") is other  # a reason of its own: kept
    finally:
        _NO_TEXT.discard("probe_text.blank")
        for key in [k for k in TEMPLATES if k.startswith("probe_text.")]:
            del TEMPLATES[key]
    # the campaign names no message of a check (ids are "namespace.key" strings)
    source = Path(judge.__file__).read_text("utf-8")
    literals = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)
                and isinstance(n.value, str)}
    assert not literals & set(TEMPLATES), sorted(literals & set(TEMPLATES))
