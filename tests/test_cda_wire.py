"""The DMP copy wired into the harness: the ``dmp`` step in a session (each problem located,
French and English alike, CDA-09/10 not applicable without ``--cda-rules``), and
``inspect cda`` on files (exit 0/1/4/2)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from conformance.application import Redaction, Selection, Settings, run_session
from conformance.application.suite import load_scenarios
from conformance.cli.main import cli
from conformance.embedded import EmbeddedWorld
from conformance.engine.results import CheckResult
from conformance.messages import Message
from conformance.paths import PROJECT
from conformance.vocabulary import SkipKind, Status
from tests.helpers import SAMPLES, example_body, run_suite

KIT = SAMPLES / "ans-testcontenucda"
DMP_SUITE = PROJECT / "scenarios" / "dmp"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, str]:
    """A reference's DMP copy, its printed paper, another prescription's paper, and the id."""
    folder = tmp_path_factory.mktemp("dmp")
    other = {**example_body(), "lignes": [example_body()["lignes"][0]]}
    with EmbeddedWorld() as world:
        client = httpx.Client(base_url=world.target_url)
        pid = client.post("/prescriptions", json=example_body()).json()["id"]
        oid = client.post("/prescriptions", json=other).json()["id"]
        (folder / "dmp.xml").write_bytes(client.get(f"/prescriptions/{pid}/dmp").content)
        (folder / "paper.pdf").write_bytes(client.get(f"/prescriptions/{pid}/paper").content)
        (folder / "other.pdf").write_bytes(client.get(f"/prescriptions/{oid}/paper").content)
    return folder / "dmp.xml", folder / "paper.pdf", folder / "other.pdf", pid


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["inspect", "cda", *args])
    return result.exit_code, result.output


def test_inspect_cda_passes_the_reference_copy_with_its_paper(
        served: tuple[Path, Path, Path, str]) -> None:
    document, paper, _, pid = served
    code, out = invoke(str(document), "--expect-id", pid, "--paper", str(paper))
    assert code == 0, out
    for line in ("pass  CDA-01", "pass  CDA-02", "pass  CDA-07", "pass  CDA-08",
                 "skip  CDA-09"):
        assert line in out, out
    assert out.rstrip().endswith("ANS rules not supplied: --cda-rules")


def test_inspect_cda_finds_another_paper_and_another_id(
        served: tuple[Path, Path, Path, str]) -> None:
    document, _, other, _ = served
    code, out = invoke(str(document), "--expect-id", "ZZZZZZZZZZZZZZZZZZ", "--paper", str(other),
                       "--json")
    assert code == 1, out
    results = {r["requirement"]: r for r in json.loads(out)["results"]}
    assert results["CDA-02"]["status"] == "fail"
    assert results["CDA-07"]["status"] == "fail"
    assert any("not the printed paper's" in line for line in results["CDA-07"]["details"])
    assert results["CDA-02"]["details"][0].startswith(
        "/ClinicalDocument/documentationOf/serviceEvent/id: serviceEvent/id is ")
    assert results["CDA-02"]["details"][1].strip().startswith("<id root=")


def test_inspect_cda_refuses_an_unreadable_document(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>')
    code, out = invoke(str(bomb))
    assert code == 2, out
    assert "forbidden" in out and "root:" not in out


@pytest.mark.skipif(not KIT.is_dir(), reason="../shared/samples/ans-testcontenucda absent")
def test_inspect_cda_with_the_kit_names_the_engine_and_fails_the_placeholder_code() -> None:
    example = KIT / "ExemplesCDA" / "eP-MED-DM_2024.01_PosoNonStruct.xml"
    code, out = invoke(str(example), "--cda-rules", str(KIT), "--json")
    report = json.loads(out)
    results = {r["requirement"]: r for r in report["results"]}
    assert code == 1
    assert report["ansEngine"] and "rules sha256" in report["ansRules"]
    if results["CDA-09"]["status"] == "pass":  # Saxon, or lxml on a verified rule set
        assert report["ansEngine"] in results["CDA-09"]["message"]
    assert results["CDA-10"]["status"] == "pass"
    assert results["CDA-07"]["status"] == "fail"
    assert "'Hello :)'" in results["CDA-07"]["message"]
    code, out = invoke(str(example), "--cda-rules", str(PROJECT))
    assert code == 2 and "not a checkout of ansforge/TestContenuCDA-3-0" in out


def test_a_run_locates_each_dmp_problem_in_either_language() -> None:
    scenarios = load_scenarios(Selection(paths=(str(DMP_SUITE),)))
    with EmbeddedWorld(faults=("dmp-ald-lost",)) as world:
        result = run_suite(world, scenarios)
    checks = [c for _, st, c in result.checks() if st.kind == "dmp"]
    failed = [c for c in checks if c.status is Status.FAIL]
    assert {c.requirement for c in failed} == {"CDA-05"}
    caught = failed[0]
    assert isinstance(caught.message, Message)
    assert "indicateur ALD false, enregistré true" in caught.message.render("fr")
    assert "ALD indicator false, registered true" in caught.message
    assert "substanceAdministration" in caught.diff[0] and caught.diff[1].strip().startswith("<")
    ans = [c for c in checks if c.requirement in ("CDA-09", "CDA-10")]
    assert ans and all(c.skip is SkipKind.NOT_APPLICABLE for c in ans)
    assert ans[0].message.render("fr") == "règles ANS non fournies : --cda-rules"
    # CDA-07 compares the copy's code 2D with the paper its scenario printed, when it did
    copies = {sc.id: c.message for sc, _, c in result.checks() if c.requirement == "CDA-07"}
    assert isinstance(copies["CDA-MED-001"], Message)
    assert copies["CDA-MED-001"].id == "cda.copy_ok"  # paper step, then dmp step
    assert copies["CDA-REMPL-001"].id == "cda.copy_ok_alone", copies  # no paper step
    assert "could not be compared with the printed paper's" in copies["CDA-REMPL-001"]


def _paper_then_dmp(document: Path, printed: Path, pid: str) -> CheckResult:
    """A ``paper`` step of ``pid`` printing ``printed``, then its ``dmp`` step serving
    ``document``, through the check runner: the DMP step's CDA-07."""
    from conformance.application.session import load_profile
    from conformance.checks import ScenarioState, StepData, defaults
    from conformance.engine.checking import CheckEnvironment, Everywhere, run_checks
    from conformance.paper import InProcessReader
    from conformance.targets import Exchange

    env = CheckEnvironment(load_profile("public-2025"), reader=InProcessReader())
    state = ScenarioState(created=example_body(), created_id=pid)
    for kind, body, ctype in (("paper", printed, "application/pdf"),
                              ("dmp", document, "application/xml")):
        step = StepData(kind, {"id": pid}, [Exchange("GET", f"/prescriptions/{pid}/{kind}", None,
                                                     200, {"content-type": ctype},
                                                     body.read_bytes(), 0.0)])
        results = run_checks(tuple(Everywhere(n) for n in defaults(kind)), step, state, env)
    return next(r for r in results if r.requirement == "CDA-07")


def test_cda_07_compares_the_copy_with_the_paper_printed_earlier_in_the_scenario(
        served: tuple[Path, Path, Path, str]) -> None:
    document, paper, other, pid = served
    same = _paper_then_dmp(document, paper, pid)
    assert same.status is Status.PASS and same.message == "the PDF copy is the printed ordonnance (1 page(s))"
    another = _paper_then_dmp(document, other, pid)
    assert another.status is Status.FAIL
    assert any("not the printed paper's" in line for line in another.diff), another


def test_a_declared_copy_that_is_not_served_is_one_anomaly(tmp_path: Path) -> None:
    (tmp_path / "absente.yaml").write_text(
        "id: CDA-404\ntitle: Copie DMP absente\nneeds: [dmp]\nsteps:\n"
        "  - dmp: {id: ZZZZZZZZZZZZZZZZZZ}\n", encoding="utf-8")
    scenarios = load_scenarios(Selection(paths=(str(tmp_path),)))
    with EmbeddedWorld() as world:
        result = run_suite(world, scenarios)
    statuses = [(c.requirement, c.status) for _, _, c in result.checks() if c.requirement != "DEG-03"]
    assert [s for s in statuses if s[1] is Status.FAIL] == [("CDA-01", Status.FAIL)], statuses
    first = next(c for _, _, c in result.checks() if c.requirement == "CDA-01")
    assert first.message == "no DMP copy: HTTP 404"


@pytest.mark.parametrize("pseudonymise", [False, True], ids=["plain", "pseudonymised"])
def test_the_dmp_step_keeps_the_copys_pdf_in_its_evidence_unless_pseudonymised(
        pseudonymise: bool, tmp_path: Path) -> None:
    scenarios = load_scenarios(Selection(paths=(str(DMP_SUITE / "copie-dmp.yaml"),)))
    with EmbeddedWorld() as world:
        done = run_session(Settings(target=world.target_url, teleservice=world.teleservice_url,
                                    report_dir=tmp_path, handlers=("json", "evidence"),
                                    redaction=Redaction(pseudonymise=pseudonymise)),
                           scenarios, stream=io.StringIO())
    evidence = done.folder / "evidence" / "CDA-MED-001"
    copy = evidence / "03-dmp" / "dmp-copy.pdf"
    if pseudonymise:  # the copy prints the patient: no pseudonym reaches a PDF
        assert not copy.exists() and not list(done.folder.rglob("*.pdf"))
        assert not list(done.folder.rglob("dmp-copy.*"))
    else:  # decoded from the document: the very PDF the paper step printed
        assert copy.read_bytes().startswith(b"%PDF-")
        assert copy.read_bytes() == (evidence / "02-paper" / "paper.pdf").read_bytes()
        assert (evidence / "03-dmp" / "response-1.xml").is_file()


def test_inspections_can_share_the_callers_workers(served: tuple[Path, Path, Path, str]) -> None:
    """benchmarks/cda.py's loop: one set of workers for many documents, left open for the next."""
    from conformance.application.inspection import inspect_cda
    from conformance.paper.sandbox import Sandbox

    document, paper, _, pid = served
    sandbox = Sandbox()
    try:
        first, again = (inspect_cda(str(document), pid, str(paper), sandbox=sandbox)
                        for _ in range(2))
        assert [(r.requirement, r.status) for r in first.results] == \
            [(r.requirement, r.status) for r in again.results]
        assert not first.failed and not first.unverified
        assert sandbox.cda(document.read_bytes()).readable  # still open
    finally:
        sandbox.close()
