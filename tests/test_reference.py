"""The reference implementation: the README's walk-through, degraded mode, bad input, faults."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from conformance.application import Settings
from conformance.application.selftest import SelfTestResult, self_test
from conformance.embedded import EmbeddedWorld
from conformance.paper import analyse_bytes
from conformance.reference import FAULTS
from conformance.scenario import Scenario
from tests.helpers import example_body, failing, run_suite


def test_walkthrough_create_consult_search_paper(world: EmbeddedWorld) -> None:
    client = httpx.Client(base_url=world.target_url)
    created = client.post("/prescriptions", json=example_body())
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    assert len(pid) == 18 and created.json()["statut"] == "enregistree"
    consulted = client.get(f"/prescriptions/{pid}").json()
    assert consulted["id"] == pid and consulted["patient"]["nomFamille"] == "NESSI"
    found = client.get("/prescriptions", params={"prescripteur": "10000000017",
                                                 "patient": "277077512345659"}).json()
    assert pid in [r["id"] for r in found["resultats"]]
    paper = client.get(f"/prescriptions/{pid}/paper")
    assert paper.headers["content-type"] == "application/pdf"
    page = analyse_bytes(paper.content)[0]
    payload = json.loads(page.codes[0].text)
    assert payload["S"] == {"V": 2} and payload["D"]["ID"] == pid
    operations = [e["operation"] for e in httpx.get(f"{world.teleservice_url}/journal",
                                                    params={"id": pid}).json()["entries"]]
    assert operations[:2] == ["EP4", "EP3"]


def test_degraded_mode_has_no_code_and_no_number() -> None:
    with EmbeddedWorld() as w:
        httpx.post(f"{w.teleservice_url}/faults", json={"operation": "EP4", "kind": "unavailable"})
        created = httpx.post(f"{w.target_url}/prescriptions", json=example_body())
        assert created.status_code == 201
        body = created.json()
        assert body["id"] is None and body["statut"] == "non-enregistree"
        page = analyse_bytes(httpx.get(w.target_url + body["papier"]).content)[0]
        assert page.codes == ()
        assert not re.search(r"N°\s*[0-9A-Z]{18}", page.text)
        assert "e-prescription" not in page.text and "transmises" not in page.text
        assert "NESSI" in page.text  # still a classic ordonnance



@pytest.mark.parametrize("faults", [(), ("qr-in-degraded-mode",)])
def test_a_paper_read_again_is_the_same_paper(faults: tuple[str, ...],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference keeps only its last papers in memory: one read after it was dropped is
    drawn again, the same bytes (a phantom code's id too)."""
    from conformance.reference import app

    monkeypatch.setattr(app, "PAPERS_KEPT", 1)
    with EmbeddedWorld(faults=faults) as w:
        if faults:
            httpx.post(f"{w.teleservice_url}/faults", json={"operation": "EP4", "kind": "unavailable"})
        papers = [httpx.post(f"{w.target_url}/prescriptions", json=example_body()).json()["papier"]
                  for _ in range(2)]
        first = httpx.get(w.target_url + papers[0]).content
        httpx.get(w.target_url + papers[1])  # the first paper leaves the memory
        again = httpx.get(w.target_url + papers[0]).content
        assert again == first and first.startswith(b"%PDF-")
        if faults:
            assert analyse_bytes(again)[0].codes  # the phantom code, printed again the same

@pytest.mark.parametrize(("body", "rule"), [
    (b"{not json", "EP_REQUETE"),
    (b"[]", "EP_REQUETE"),
    (b"{}", "EP_REQUETE"),
])
def test_bad_requests_answer_problems(world: EmbeddedWorld, body: bytes, rule: str) -> None:
    response = httpx.post(f"{world.target_url}/prescriptions", content=body)
    assert response.status_code == 400
    assert response.json()["rule"] == rule


def test_unknown_ids_and_routes_are_404(world: EmbeddedWorld) -> None:
    for path in ("/prescriptions/ZZZZZZZZZZZZZZZZZZ", "/prescriptions/ZZ/paper", "/nope"):
        response = httpx.get(world.target_url + path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")


def test_resubmitting_an_id_registers_nothing_new(world: EmbeddedWorld) -> None:
    client = httpx.Client(base_url=world.target_url)
    first = client.post("/prescriptions", json=example_body()).json()["id"]
    again = client.post("/prescriptions", json={**example_body(), "id": first})
    assert again.status_code == 200 and again.json()["id"] == first
    journal = httpx.get(f"{world.teleservice_url}/journal", params={"id": first}).json()
    assert [e["operation"] for e in journal["entries"]] == ["EP4"]


# Each fault and the requirements at least one of which must then fail on the bundled suite.
EXPECTED = {
    "qr-wrong-id": {"QR-03", "ID-02"},
    "consent-inverted": {"RT-06", "RT-02"},
    "search-misses-latest": {"RT-03"},
    "consult-drops-line": {"RT-02"},
    "missing-data-mention": {"PAP-02"},
    "id-too-short": {"RT-01"},
    "duplicate-ids": {"ID-03", "RT-01"},
    "search-leaks-other-patients": {"RT-05"},
    "no-ep4-call": {"RT-01", "DEG-03"},  # RT-06 & co. are RT-01's consequences: not evaluated
    "ep4-birthdate-shift": {"RT-06"},
    "number-mismatch": {"PAP-01"},
    "consult-wrong-id": {"ID-02"},
    "qr-missing-birthdate": {"QR-02", "QR-03"},
    "qr-not-json": {"QR-02"},
    "qr-trailing-space": {"QR-03", "ID-02"},
    "qr-latin1": {"QR-02"},
    "qr-top-right": {"QR-04"},
    "qr-too-small": {"QR-01"},  # so small it no longer decodes at 200 dpi
    "qr-quiet-zone-text": {"QR-05"},
    "number-missing": {"PAP-01"},
    "number-letter-o": {"PAP-01"},
    "missing-consent-mention": {"PAP-03"},
    "consent-printed-opposite": {"CON-02"},
    "nonsubstituable-no-motive": {"PAP-09"},
    "ald-wrong-zone": {"PAP-10"},
    "prescriber-no-am": {"PAP-05"},
    "patient-no-birthdate": {"PAP-06"},
    "no-prescription-date": {"PAP-07"},
    "renewals-not-printed": {"PAP-08"},
    "replaced-not-identified": {"PAP-12"},
    "rpps-wrong-key-printed": {"IDN-01", "PAP-05"},
    "consent-not-sent": {"CON-01"},  # the consult then breaks the contract: CON-03 not evaluated
    "consent-ignored-on-consult": {"CON-04"},
    "executions-hidden": {"CON-03"},
    "qr-in-degraded-mode": {"DEG-01"},
    "phantom-id": {"DEG-02"},
    "line-type-dropped": {"RT-07", "RT-06"},
    "no-local-validation": {"RT-08"},
    "duplicate-accepted": {"RT-09"},
    "accents-nfd": {"ROB-03"},
    "accents-latin1": {"ROB-03", "RT-02"},
    "posology-cut-100": {"RT-06", "RT-02"},
    "consult-lines-reordered-swapped": {"RT-02"},
    "search-misses-last-second": {"RT-03"},
    "search-crashes-without-du": {"ROB-01", "ROB-02"},  # found by the fuzzer
    "name-off-page": {"PAP-13"},
    "nr-not-printed": {"PAP-14"},
    "resend-failed-later": {"DEG-03"},
    # the DMP copy (scenarios/dmp/)
    "dmp-service-event-wrong-id": {"CDA-02"},
    "dmp-service-event-missing": {"CDA-02"},
    "dmp-ins-production-root": {"CDA-03"},
    "dmp-author-replaced": {"CDA-04"},
    "dmp-line-missing": {"CDA-05"},
    "dmp-quantity-changed": {"CDA-05"},
    "dmp-ald-lost": {"CDA-05"},
    "dmp-nr-lost": {"CDA-05"},
    "dmp-validity-inverted": {"CDA-06"},
    "dmp-pdf-stale": {"CDA-07"},
    "dmp-pdf-not-pdf": {"CDA-07"},
    "dmp-template-2023": {"CDA-01"},
}


def test_every_fault_has_an_expectation() -> None:
    assert set(EXPECTED) == set(FAULTS)


def test_clean_reference_passes_the_whole_suite(world: EmbeddedWorld, suite: list[Scenario]) -> None:
    from conformance.messages import Message

    result = run_suite(world, suite)
    assert result.conforme, [(sc.id, c.requirement, c.message) for sc, _, c in result.anomalies()]
    assert not failing(result)
    assert all(sc.status in ("pass", "warn") for sc in result.scenarios)
    # one language per report: every text of ours is a message by id (rendered in the report's
    # language by looking it up), never English written in place
    texts = [t for _, _, c in result.checks() for t in (c.message, c.title, c.hint) if t]
    texts += [sc.reason for sc in result.scenarios if sc.reason]
    assert [t for t in texts if not isinstance(t, Message)] == []


@pytest.fixture(scope="module")
def self_test_result() -> SelfTestResult:
    """The whole self-test, once: the clean reference, then each fault alone (2 processes)."""
    return self_test(Settings(), list(FAULTS), jobs=2)


@pytest.mark.slow
def test_self_test_clean_run_is_green(self_test_result: SelfTestResult) -> None:
    assert self_test_result.false_positives == 0, (self_test_result.clean.failing,
                                                   self_test_result.specimens)
    assert len(self_test_result.specimens) >= 6
    assert not self_test_result.clean.errors


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_each_fault_is_caught_by_its_requirements(fault: str, self_test_result: SelfTestResult) -> None:
    outcome = next(o for o in self_test_result.faults if o.fault == fault)
    assert outcome.detected, outcome.failing
    assert EXPECTED[fault] <= set(outcome.caught_by), outcome.caught_by
    assert not outcome.errors, outcome.errors


@pytest.mark.slow
def test_self_test_covers_every_requirement_family(self_test_result: SelfTestResult) -> None:
    assert len(self_test_result.faults) >= 30 and self_test_result.passed
    families = {r.split("-")[0] for o in self_test_result.faults for r in o.caught_by}
    assert {"ID", "RT", "QR", "PAP", "CON", "DEG", "IDN", "ROB", "CDA"} <= families


def test_docs_example_is_the_contract_example() -> None:
    from conformance.paths import PROJECT

    on_disk = json.loads((PROJECT / "docs/example-create.json").read_text(encoding="utf-8"))
    assert on_disk == example_body()
