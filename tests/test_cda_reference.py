"""The reference's DMP copy: a real eP-MED-DM 2024.01 document (valid for the ANS kit when
SaxonC-HE is installed), served at /prescriptions/{id}/dmp; every DMP fault of the reference
is caught by its CDA check, and the clean document raises none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from conformance.cda.analyse import analyse_cda
from conformance.cda.ans import saxon_version
from conformance.cda.kit import load_kit
from conformance.cda.record import CdaRecord
from conformance.checks import cda
from conformance.embedded import EmbeddedWorld
from conformance.paper import InProcessReader
from conformance.paths import PROJECT
from conformance.reference import dmp, printing
from tests.helpers import SAMPLES

KIT = SAMPLES / "ans-testcontenucda"
PID = "0123456789ABCDEFGH"
TODAY = "2026-03-02"
NOW = dt.datetime(2026, 3, 2, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))


def _fixture(kind: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PROJECT / "fixtures" / kind / f"{name}.yaml").read_text())
    return data


def _rx(prescriber: str = "remplacant") -> dict[str, Any]:
    return {
        "prescripteur": _fixture("prescribers", prescriber), "patient": _fixture("patients", "adulte"),
        "consentement": {"opposition": False}, "dateOrdonnance": TODAY,
        "lignes": [{**_fixture("products", "metformine"), "ald": True},
                   {**_fixture("products", "bandelettes"), "ald": True},
                   {**_fixture("products", "paracetamol"), "nonRembourse": True},
                   _fixture("products", "nfs")],
    }


def _pdf(rx: dict[str, Any]) -> bytes:
    return printing.render(rx, printing.PaperOptions(printing.qr_payload(rx, PID), PID, TODAY))


def _judge(record: CdaRecord, rx: dict[str, Any]) -> dict[str, cda.Outcome]:
    registered = cda.Registered(PID, rx, frozenset({TODAY}))
    pages: Any = InProcessReader().analyse(record.pdf) if record.pdf and \
        record.pdf.startswith(b"%PDF-") else None
    checks: dict[str, Callable[[], cda.Outcome]] = {
        "CDA-01": lambda: cda.structure(record),
        "CDA-02": lambda: cda.service_event(record, registered),
        "CDA-03": lambda: cda.patient(record, registered),
        "CDA-04": lambda: cda.author(record, registered),
        "CDA-05": lambda: cda.lines(record, registered),
        "CDA-06": lambda: cda.validity(record, registered),
        "CDA-07": lambda: cda.pdf_copy(record, registered, pages),
        "CDA-08": lambda: cda.identity(record),
    }
    return {name: fn() for name, fn in checks.items()}


def _failing(outcomes: dict[str, cda.Outcome]) -> set[str]:
    return {name for name, o in outcomes.items() if o.issues and not o.warning}


def test_the_clean_document_passes_every_check() -> None:
    rx = _rx()
    record = analyse_cda(dmp.build(rx, PID, _pdf(rx), NOW))
    outcomes = _judge(record, rx)
    assert _failing(outcomes) == set(), {k: o.issues for k, o in outcomes.items()}
    assert [line.kind for line in record.lines] == ["medicament", "medicament",
                                                    "dispositifMedical"]  # no biology act


DOCUMENT_FAULTS = {
    "dmp-service-event-wrong-id": "CDA-02", "dmp-service-event-missing": "CDA-02",
    "dmp-ins-production-root": "CDA-03", "dmp-author-replaced": "CDA-04",
    "dmp-line-missing": "CDA-05", "dmp-quantity-changed": "CDA-05", "dmp-ald-lost": "CDA-05",
    "dmp-nr-lost": "CDA-05", "dmp-validity-inverted": "CDA-06", "dmp-template-2023": "CDA-01",
}


def test_every_dmp_fault_is_tested_here() -> None:
    from conformance.reference.faults import DMP_FAULTS

    # the two PDF faults live in the route: tested below against a served document
    assert set(DOCUMENT_FAULTS) | {"dmp-pdf-stale", "dmp-pdf-not-pdf"} == set(DMP_FAULTS)


@pytest.mark.parametrize(("fault", "requirement"), sorted(DOCUMENT_FAULTS.items()))
def test_each_document_fault_is_caught_by_its_check_alone(fault: str, requirement: str) -> None:
    rx = _rx()
    outcomes = _judge(analyse_cda(dmp.build(rx, PID, _pdf(rx), NOW, frozenset({fault}))), rx)
    assert _failing(outcomes) == {requirement}, {k: o.issues for k, o in outcomes.items()}
    issue = outcomes[requirement].issues[0]
    assert issue.message


def test_issues_are_located_with_their_fragment() -> None:
    rx = _rx()
    record = analyse_cda(dmp.build(rx, PID, _pdf(rx), NOW, frozenset({"dmp-ald-lost"})))
    issue = cda.lines(record, cda.Registered(PID, rx, frozenset({TODAY}))).issues[0]
    assert issue.at.xpath.endswith("section/entry[1]/substanceAdministration")
    assert issue.at.fragment.startswith("<substanceAdministration")


@pytest.mark.skipif(saxon_version() is None or not KIT.is_dir(), reason="needs SaxonC-HE "
                    "(pip install 'epresc-conformance[cda]') and ../shared/samples/"
                    "ans-testcontenucda")
@pytest.mark.parametrize("prescriber", ["generaliste", "centre-sante"])
def test_the_document_is_valid_for_the_ans_kit(prescriber: str) -> None:
    rx = _rx(prescriber)
    for lines in (rx["lignes"], rx["lignes"][:1], rx["lignes"][1:2]):  # one or two sections
        one = {**rx, "lignes": lines}
        record = analyse_cda(dmp.build(one, PID, _pdf(one), NOW), load_kit(KIT), "saxon")
        assert record.ans is not None
        assert record.ans.schematron == () and record.ans.schema == (), (
            record.ans.schematron, record.ans.schema)
        assert record.findings == ()


def test_served_with_the_capability_and_404_when_unknown(tmp_path: Path) -> None:
    from tests.helpers import example_body

    with EmbeddedWorld(faults=("dmp-pdf-not-pdf",)) as world:
        client = httpx.Client(base_url=world.target_url)
        assert client.get("/about").json()["capacites"]["dmp"] is True
        pid = client.post("/prescriptions", json=example_body()).json()["id"]
        answer = client.get(f"/prescriptions/{pid}/dmp")
        assert answer.headers["content-type"].startswith("application/xml")
        record = analyse_cda(answer.content)
        assert [i.extension for i in record.service_ids] == [pid]
        outcome = cda.pdf_copy(record, cda.Registered(pid, example_body()), None)
        assert outcome.issues and "not a PDF" in outcome.issues[0].message
        assert client.get("/prescriptions/ZZZZZZZZZZZZZZZZZZ/dmp").status_code == 404


def test_a_stale_pdf_copy_is_not_the_printed_ordonnance() -> None:
    from tests.helpers import example_body

    body = {**example_body(), "lignes": [_fixture("products", "metformine"),
                                         _fixture("products", "paracetamol")]}
    with EmbeddedWorld(faults=("dmp-pdf-stale",)) as world:
        client = httpx.Client(base_url=world.target_url)
        pid = client.post("/prescriptions", json=body).json()["id"]
        record = analyse_cda(client.get(f"/prescriptions/{pid}/dmp").content)
    assert record.pdf is not None
    outcome = cda.pdf_copy(record, cda.Registered(pid, body), InProcessReader().analyse(record.pdf))
    assert [i.message for i in outcome.issues] == [
        "line 2's libelle 'PARACÉTAMOL 500 mg, comprimé' is not in the PDF copy: not the printed "
        "ordonnance (an earlier version?)",
        "line 2's posologie '1 comprimé 3 fois par jour si douleur' is not in the PDF copy: not "
        "the printed ordonnance (an earlier version?)"]


@pytest.mark.skipif(not KIT.is_dir(), reason="../shared/samples/ans-testcontenucda absent")
@pytest.mark.parametrize("name", ["PosoStruct", "PosoNonStruct"])
def test_ans_examples_fail_the_pdf_copy_cross_check_saying_why(name: str) -> None:
    record = analyse_cda((KIT / "ExemplesCDA" / f"eP-MED-DM_2024.01_{name}.xml").read_bytes())
    registered = cda.Registered("01S2TBPZ2JCNZZYGHZ")
    assert not cda.structure(record).issues and not cda.identity(record).issues
    assert not cda.service_event(record, registered).issues
    assert record.pdf is not None
    outcome = cda.pdf_copy(record, registered, InProcessReader().analyse(record.pdf))
    assert [i.message for i in outcome.issues] == [
        "the PDF copy's code 2D holds 'Hello :)', not the prescription's payload (JSON version 2)"]
    with pytest.raises(cda.NotJudged, match="--cda-rules") as no_kit:
        cda.ans_schematron(record)
    assert not no_kit.value.applicable
