"""The teleservice simulator's rules, journal and faults, on a real loopback server."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.serving import BackgroundServer
from conformance.simulator import Store, create_app
from tests.helpers import example_body

CTX = {"logiciel": "tests"}


@pytest.fixture()
def sim() -> Iterator[httpx.Client]:
    with BackgroundServer(create_app()) as server, httpx.Client(base_url=server.url) as client:
        yield client


def rx(pid: str = "0000000000000000A1", **patient: Any) -> dict[str, Any]:
    body = example_body()
    body["id"] = pid
    body["patient"].update(patient)
    return body


def ep4(client: httpx.Client, prescription: dict[str, Any]) -> httpx.Response:
    return client.post("/ep4/prescriptions", json={"contexte": CTX, "prescription": prescription})


def requester(**extra: Any) -> dict[str, Any]:
    return {"rpps": "10000000017", "am": "101000016", **extra}


def test_register_then_duplicate_rejected(sim: httpx.Client) -> None:
    assert ep4(sim, rx()).status_code == 201
    again = ep4(sim, rx())
    assert again.status_code == 409
    assert again.json()["rule"] == "EF_EP04.DUP"
    assert again.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("name", ["", "   ", "A" * 101])
def test_family_name_rule(sim: httpx.Client, name: str) -> None:
    response = ep4(sim, rx(nomFamille=name))
    assert response.status_code == 400
    assert response.json()["rule"] == "EF_EP04.01"


def test_family_name_of_100_accepted(sim: httpx.Client) -> None:
    assert ep4(sim, rx(nomFamille="A" * 100)).status_code == 201


def test_consult_requires_am_or_finess(sim: httpx.Client) -> None:
    ep4(sim, rx())
    body = {"id": "0000000000000000A1", "demandeur": {"rpps": "10000000017"}}
    response = sim.post("/ep3/consultation", json=body)
    assert response.status_code == 400
    assert response.json()["rule"] == "EF_EP3_E303_03"


def test_consult_by_another_doctor_forbidden(sim: httpx.Client) -> None:
    ep4(sim, rx())
    body = {"id": "0000000000000000A1", "demandeur": requester(rpps="10000000025")}
    assert sim.post("/ep3/consultation", json=body).status_code == 403


@pytest.mark.parametrize(("opposition", "visible"), [(False, True), (True, False)])
def test_consent_rule_on_consult(sim: httpx.Client, opposition: bool, visible: bool) -> None:
    prescription = rx()
    prescription["consentement"]["opposition"] = opposition
    ep4(sim, prescription)
    dispensed = sim.post("/ep1/executions", json={"id": prescription["id"],
                                                  "executant": {"rpps": "10000000124"}})
    assert dispensed.status_code == 201
    answer = sim.post("/ep3/consultation",
                      json={"id": prescription["id"], "demandeur": requester()}).json()
    assert ("executions" in answer) is visible
    assert answer["executionsMasquees"] is not visible
    if visible:
        assert answer["executions"][0]["executant"]["rpps"] == "10000000124"


def test_search_confined_to_requester(sim: httpx.Client) -> None:
    mine = rx("0000000000000000A1")
    theirs = copy.deepcopy(rx("0000000000000000A2"))
    theirs["prescripteur"]["rpps"] = "10000000025"
    ep4(sim, mine)
    ep4(sim, theirs)
    found = sim.post("/ep2/recherche", json={"demandeur": requester()}).json()
    assert [r["id"] for r in found["resultats"]] == ["0000000000000000A1"]
    other_patient = sim.post("/ep2/recherche", json={"demandeur": requester(),
                                                      "patient": "184015935011139"}).json()
    assert other_patient["resultats"] == []


def test_journal_records_every_call(sim: httpx.Client) -> None:
    ep4(sim, rx())
    sim.post("/ep2/recherche", json={"contexte": CTX, "demandeur": requester()})
    journal = sim.get("/journal").json()
    assert [e["operation"] for e in journal["entries"]] == ["EP4", "EP2"]
    assert journal["entries"][0]["id"] == "0000000000000000A1"
    assert journal["entries"][0]["contexte"] == CTX
    assert sim.get("/journal", params={"since": journal["cursor"]}).json()["entries"] == []


def test_the_journal_reads_page_by_page(sim: httpx.Client) -> None:
    from conformance.targets.teleservice import TeleserviceControl

    for n in range(7):
        ep4(sim, rx(f"{n:016d}A1"))
        sim.post("/ep2/recherche", json={"contexte": CTX, "demandeur": requester()})
    first = sim.get("/journal", params={"limit": 3}).json()["entries"]
    assert [e["seq"] for e in first] == [1, 2, 3]
    assert sim.get("/journal", params={"limit": -1}).status_code == 400
    control = TeleserviceControl(str(sim.base_url))
    pages = list(control.journal_pages(0, "EP4", page=3))
    # a reconciliation reads the calls without their bodies: the same calls, five fields each
    bare = [e for p in control.journal_pages(0, "EP4", 3, bodies=False) for e in p]
    control.close()
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [e["id"] for p in pages for e in p] == [f"{n:016d}A1" for n in range(7)]
    assert bare == [{k: e[k] for k in ("seq", "at", "operation", "id", "status")} for p in pages for e in p]


def test_fault_for_n_calls_then_recovers(sim: httpx.Client) -> None:
    sim.post("/faults", json={"operation": "EP4", "kind": "unavailable", "count": 2})
    assert ep4(sim, rx("0000000000000000B1")).status_code == 503
    assert ep4(sim, rx("0000000000000000B2")).status_code == 503
    assert ep4(sim, rx("0000000000000000B3")).status_code == 201
    statuses = [e["status"] for e in sim.get("/journal").json()["entries"]]
    assert statuses == [503, 503, 201]


def test_fault_until_cleared_and_error_kinds(sim: httpx.Client) -> None:
    sim.post("/faults", json={"operation": "*", "kind": "error"})
    assert ep4(sim, rx()).status_code == 500
    assert sim.post("/ep2/recherche", json={"demandeur": requester()}).status_code == 500
    sim.delete("/faults")
    assert ep4(sim, rx()).status_code == 201
    sim.post("/faults", json={"operation": "EP4", "kind": "timeout", "delayMs": 50, "count": 1})
    assert ep4(sim, rx("0000000000000000C1")).status_code == 504


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/ep4/prescriptions", b"not json"),
    ("POST", "/ep4/prescriptions", b"[1, 2]"),
    ("POST", "/ep4/prescriptions", b'{"prescription": 3}'),
    ("POST", "/ep3/consultation", b"{}"),
    ("POST", "/faults", b'{"kind": "explode"}'),
    ("GET", "/journal?since=abc", None),
    ("GET", "/nowhere", None),
    ("DELETE", "/ep4/prescriptions", None),
])
def test_bad_requests_get_4xx_problems(sim: httpx.Client, method: str, path: str,
                                       body: bytes | None) -> None:
    response = sim.request(method, path, content=body)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")


def test_file_store_survives_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "base.sqlite")
    with BackgroundServer(create_app(Store(db))) as server:
        assert ep4(httpx.Client(base_url=server.url), rx()).status_code == 201
    with BackgroundServer(create_app(Store(db))) as server:
        again = ep4(httpx.Client(base_url=server.url), rx())
        assert again.status_code == 409


def test_one_run_at_a_time_holds_the_simulator(sim: httpx.Client) -> None:
    assert sim.post("/lease", json={"holder": "run-A"}).status_code == 200
    assert sim.post("/lease", json={"holder": "run-A"}).status_code == 200  # its own: renewed
    busy = sim.post("/lease", json={"holder": "run-B"})
    assert busy.status_code == 409 and "run-A" in busy.json()["detail"]
    assert sim.request("DELETE", "/lease", json={"holder": "run-B"}).json()["holder"] == "run-A"
    assert sim.request("DELETE", "/lease", json={"holder": "run-A"}).json()["holder"] is None
    assert sim.post("/lease", json={"holder": "run-B"}).status_code == 200


def test_a_lease_left_by_a_dead_run_ends_after_its_silence(sim: httpx.Client) -> None:
    import time

    assert sim.post("/lease", json={"holder": "dead", "ttl": 0.3}).status_code == 200
    assert sim.post("/lease", json={"holder": "next"}).status_code == 409
    time.sleep(0.4)
    assert sim.post("/lease", json={"holder": "next"}).status_code == 200
    assert sim.post("/lease", json={"holder": "x" * 101}).status_code == 400
