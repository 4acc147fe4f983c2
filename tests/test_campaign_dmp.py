"""DMP steps of a campaign: the CDA document the software sent to the DMP for an earlier
produce step, dropped in depot/, attributed by the patient it names, judged by the DMP-copy
checks against the step's card and its judged paper. The documents are written by
``specimens_cda`` (string templates, not the reference's lxml tree) around fpdf2 printouts."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from conformance import application as app
from conformance.campaign.drop import complete
from conformance.campaign.folder import open_checked
from conformance.paths import BUNDLED_FIXTURES, PROJECT
from tests.helpers import campaign_cda, campaign_page

PRESCRIBER = BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"
KIT = PROJECT.parent / "shared" / "samples" / "ans-testcontenucda"
PLAN = """id: dmp-essai
version: "1"
title: Copies DMP
steps:
  - id: bizone
    kind: produce
    title: ALD bizone
    instructions: Rédigez, imprimez, déposez.
    prescription:
      lignes:
        - {produit: metformine, ald: true}
        - {produit: amoxicilline}
  - id: dispositif
    kind: produce
    title: Dispositif
    instructions: Rédigez, imprimez, déposez.
    prescription:
      lignes:
        - {produit: bandelettes, motsCles: [Bandelettes]}
  - id: simple
    kind: produce
    title: Simple
    instructions: Rédigez, imprimez, déposez.
    prescription:
      lignes:
        - produit: paracetamol
  - id: dmp-bizone
    kind: dmp
    source: bizone
    title: Copie DMP bizone
    instructions: Déposez le document CDA.
  - id: dmp-dispositif
    kind: dmp
    source: dispositif
    title: Copie DMP dispositif
    instructions: Déposez le document CDA.
  - id: dmp-simple
    kind: dmp
    source: simple
    title: Copie DMP simple
    instructions: Déposez le document CDA.
"""
BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                   for i in range(1, 10))
        + b']><ClinicalDocument xmlns="urn:hl7-org:v3">&lol9;</ClinicalDocument>')


def _start(tmp_path: Path, cda_rules: str | None = None) -> Path:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    folder = tmp_path / "camp"
    app.campaign.start(str(plan), str(folder), str(PRESCRIBER), "Alice", 3, cda_rules)
    return folder


def _papers(folder: Path) -> dict[str, bytes]:
    state = open_checked(folder).state
    today = str(state.started["today"])
    return {sid: campaign_page(card, today) for sid, card in state.cards.items()}


def _cda(folder: Path, step: str, paper: bytes, rx: dict[str, Any] | None = None,
         copy: bytes | None = None) -> bytes:
    """The DMP copy of ``step``'s card (or of ``rx``), carrying ``copy`` (default: its paper)."""
    state = open_checked(folder).state
    return campaign_cda(state.cards[step], str(state.started["today"]), paper, rx, copy)


def _drop(folder: Path, name: str, data: bytes) -> None:
    partial = folder / "depot" / f"{name}.part"
    partial.write_bytes(data)
    partial.rename(folder / "depot" / name)


def _watch(folder: Path) -> list[str]:
    said: list[str] = []
    assert app.campaign.watch(str(folder), said.append, once=True, settle=0.0) == 0, said
    return said


def _checks(folder: Path, step: str) -> dict[str, tuple[str, str]]:
    doc = app.campaign.status(str(folder))
    found = next(s for s in doc["steps"] if s["id"] == step)
    return {c["requirement"]: (c["status"], c.get("skip", "")) for c in found["checks"]}


def _reasons(closed: Any) -> set[tuple[str, str]]:
    return {(r.split(":")[0], r.split(":")[1].split()[0]) for r in closed.reasons}


def test_conforming_dmp_copies_are_conforme_and_the_missing_ans_rules_are_said(tmp_path: Path) -> None:
    folder = _start(tmp_path)
    papers = _papers(folder)
    for sid, paper in papers.items():
        _drop(folder, f"{sid}.pdf", paper)
        _drop(folder, f"{sid}.xml", _cda(folder, sid, paper))
    said = _watch(folder)
    assert "bizone.xml: attributed to step dmp-bizone" in said
    for step in ("dmp-bizone", "dmp-dispositif", "dmp-simple"):
        checks = _checks(folder, step)
        assert {r: s for r, s in checks.items() if s[0] == "pass"} == {
            f"CDA-0{n}": ("pass", "") for n in range(1, 9)}, (step, checks)
        assert checks["CDA-09"] == checks["CDA-10"] == ("skip", "not-applicable")
    closed = app.campaign.close(str(folder), lang="en")
    assert closed.verdict == "conforme", closed.reasons
    assert closed.notices == ("ANS rules not supplied: --cda-rules",)
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["notices"] == list(closed.notices) and report["cdaRules"] is None
    assert "ANS rules not supplied" in (folder / "summary.md").read_text(encoding="utf-8")
    kinds = [a["kind"] for s in report["steps"] if s["kind"] == "dmp" for a in s["artefacts"]]
    assert kinds == ["cda"] * 3


def test_a_defective_copy_is_non_conforme_naming_its_step_and_cda_requirement(tmp_path: Path) -> None:
    from conformance.campaign.webpage import View, render

    folder = _start(tmp_path)
    papers = _papers(folder)
    cards = open_checked(folder).state.cards
    bizone = cards["bizone"].expected
    one_line = {**bizone, "lignes": bizone["lignes"][:1]}  # a product left out
    simple = cards["simple"].expected
    other_ins = {**simple, "patient": {**simple["patient"], "ins": "180017512345632"}}
    for sid, paper in papers.items():
        _drop(folder, f"{sid}.pdf", paper)
    _drop(folder, "bizone.xml", _cda(folder, "bizone", papers["bizone"], one_line))
    # the copy of another patient's ordonnance: its code 2D is not the printed one
    _drop(folder, "dispositif.xml", _cda(folder, "dispositif", papers["dispositif"], copy=papers["simple"]))
    _drop(folder, "simple.xml", _cda(folder, "simple", papers["simple"], other_ins))  # attributed by name
    _watch(folder)
    state = open_checked(folder).state
    page = render(View(state, "v", "t", "n"))
    section = page.split('id="step-dmp-bizone"', 1)[1].split("</section>", 1)[0]
    assert 'class="fail" data-requirement="CDA-05"' in section and "amoxicilline" in section.lower()
    closed = app.campaign.close(str(folder), lang="en")
    assert closed.verdict == "non-conforme"
    assert _reasons(closed) == {("dmp-bizone", "CDA-05"), ("dmp-dispositif", "CDA-07"),
                                ("dmp-simple", "CDA-03")}, closed.reasons


@pytest.mark.parametrize("killed", [False, True], ids=["at-once", "watch-killed-in-between"])
def test_a_copy_before_its_paper_is_not_conforme_and_is_judged_again_when_the_paper_comes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, killed: bool) -> None:
    from conformance.campaign import journal
    from conformance.campaign.drop import Processor
    from conformance.campaign.state import verdict

    folder = _start(tmp_path)
    paper = _papers(folder)["simple"]
    _drop(folder, "simple.xml", _cda(folder, "simple", paper))
    _watch(folder)
    checks = _checks(folder, "dmp-simple")
    assert checks["CDA-02"] == checks["CDA-07"] == ("skip", "not-evaluated")
    doc = app.campaign.status(str(folder))
    message = next(c["message"] for s in doc["steps"] if s["id"] == "dmp-simple" for c in s["checks"]
                   if c["requirement"] == "CDA-07")
    assert "l'étape simple n'a pas encore d'ordonnance jugée" in message  # French, the default
    found, reasons = verdict(open_checked(folder).state)
    assert found == "incomplet" and "dmp-simple : CDA-07 non évalué : " + message in reasons
    assert any(r.startswith("dmp-simple: CDA-07 not evaluated: not evaluated: step simple has no judged "
                            "paper yet") for r in verdict(open_checked(folder).state, "en")[1])
    _drop(folder, "simple.pdf", paper)
    if killed:  # watch dies once the paper is judged, before the copy is judged again
        with monkeypatch.context() as patched:
            patched.setattr(Processor, "rejudge", lambda self, opened: None)
            _watch(folder)
        assert _checks(folder, "dmp-simple")["CDA-07"] == ("skip", "not-evaluated")
    said = _watch(folder)
    assert "dmp-simple: judged again against the paper of step simple" in said
    checks = _checks(folder, "dmp-simple")
    assert checks["CDA-02"] == checks["CDA-07"] == ("pass", "")
    judged = [e for e in journal.read(folder)[0] if e["event"] == "judged" and e["step"] == "dmp-simple"]
    assert [e["source"]["sha256"] is None for e in judged] == [True, False]
    _watch(folder)  # nothing new: not judged a third time
    assert sum(e["event"] == "judged" and e["step"] == "dmp-simple" for e in journal.read(folder)[0]) == 2


def test_a_hostile_xml_is_one_refusal_and_the_campaign_goes_on(tmp_path: Path) -> None:
    folder = _start(tmp_path)
    paper = _papers(folder)["simple"]
    _drop(folder, "bomb.xml", BOMB)
    _drop(folder, "deep.xml", b"<ClinicalDocument>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</ClinicalDocument>")
    _drop(folder, "simple.pdf", paper)
    _drop(folder, "simple.xml", _cda(folder, "simple", paper))
    _watch(folder)
    doc = app.campaign.status(str(folder))
    refused = {u["name"]: u["read"] for u in doc["unattributed"]}
    assert set(refused) == {"bomb.xml", "deep.xml"}
    assert refused["bomb.xml"]["error"].startswith("forbidden: ")
    assert refused["deep.xml"]["error"].startswith("too-deep: ")
    assert _checks(folder, "dmp-simple")["CDA-07"] == ("pass", "")


def test_an_xml_still_being_written_waits_and_a_dmp_source_must_be_a_produce_step(tmp_path: Path) -> None:
    from conformance.campaign.plan import load_plan
    from conformance.scenario.errors import ScenarioErrors

    assert complete(b'<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><id') is not None
    assert complete(b'<ClinicalDocument xmlns="urn:hl7-org:v3"/>\n') is None
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("source: dispositif", "source: oui").replace(
        "steps:\n", "steps:\n  - {id: oui, kind: confirm, title: Q, instructions: I, question: Q ?}\n"),
        encoding="utf-8")
    with pytest.raises(ScenarioErrors) as raised:
        load_plan(plan)
    assert [e.title for e in raised.value.errors] == [
        "source 'oui' is a confirm step, not a produce step"]


@pytest.mark.slow
@pytest.mark.skipif(not KIT.is_dir(), reason="the ANS kit subset is not in ../shared/samples")
@pytest.mark.skipif(importlib.util.find_spec("saxonche") is None, reason="SaxonC-HE not installed")
def test_with_the_ans_kit_given_at_start_its_verdict_appears(tmp_path: Path) -> None:
    folder = _start(tmp_path, str(KIT))
    paper = _papers(folder)["simple"]
    _drop(folder, "simple.pdf", paper)
    _drop(folder, "simple.xml", _cda(folder, "simple", paper))
    _watch(folder)
    checks = _checks(folder, "dmp-simple")
    assert checks["CDA-09"] == checks["CDA-10"] == ("pass", ""), checks  # the kit judged it
    assert open_checked(folder).state.started["cdaRules"]["sha256"]
    closed = app.campaign.close(str(folder), lang="en")
    assert closed.notices == ()


@pytest.mark.slow
@pytest.mark.skipif(not KIT.is_dir(), reason="the ANS kit subset is not in ../shared/samples")
def test_an_ans_kit_changed_since_the_start_is_refused(tmp_path: Path) -> None:
    import shutil

    from conformance.application.settings import ApplicationError
    from conformance.cda.kit import SCHEMATRON

    kit = tmp_path / "kit"
    shutil.copytree(KIT, kit)  # a scratch copy, edited below (never the shared one)
    folder = _start(tmp_path, str(kit))
    with (kit / SCHEMATRON).open("a", encoding="utf-8") as handle:
        handle.write("<!-- edited -->\n")
    with pytest.raises(ApplicationError, match=r"the ANS kit in .* changed since the start"):
        app.campaign.watch(str(folder), lambda _: None, once=True, settle=0.0)
