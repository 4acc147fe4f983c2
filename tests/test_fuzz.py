"""Fuzzing (schemathesis) against real servers: silent on the clean reference, loud on faults."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import httpx
import pytest

from conformance.application.selftest import FUZZ_EXAMPLES
from conformance.embedded import EmbeddedWorld
from conformance.fuzz import fuzz
from tests.helpers import cli, only_run
from tests.hostile import HostileServer

pytestmark = pytest.mark.slow


def _failed(result: object) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for step in result.steps:  # type: ignore[attr-defined]
        for check in step.checks:
            if check.status == "fail":
                out.setdefault(check.requirement, []).append(str(check.observed))
    return out


def test_no_finding_on_the_clean_reference_at_full_strength(world: EmbeddedWorld) -> None:
    result = fuzz(world.target_url, max_examples=20, seed=1)
    assert result.status == "pass", (_failed(result), [s.message for s in result.steps])
    labels = {s.title for s in result.steps}
    assert {"POST /prescriptions", "GET /prescriptions", "GET /prescriptions/{id}",
            "GET /prescriptions/{id}/paper", "GET /about"} <= labels
    checks = {c.check for s in result.steps for c in s.checks}
    assert {"not_a_server_error", "positive_data_acceptance", "negative_data_rejection",
            "response_schema_conformance", "unsupported_method"} <= checks


@pytest.mark.parametrize(("query", "body_change"), [
    ({"prescripteur": "null"}, None),  # the search accepted a null requester
    (None, {"dateInformation": ""}),  # the creation accepted an empty information date
])
def test_the_two_leniencies_schemathesis_found_are_refused(world: EmbeddedWorld,
                                                            query: dict[str, str] | None,
                                                            body_change: dict[str, str] | None) -> None:
    from tests.helpers import example_body

    if query is not None:
        assert httpx.get(f"{world.target_url}/prescriptions", params=query).status_code == 400
    if body_change is not None:
        body = example_body()
        body["consentement"].update(body_change)
        assert httpx.post(f"{world.target_url}/prescriptions", json=body).status_code == 400


def test_a_500_on_valid_input_is_found_with_a_curl_that_reproduces_it() -> None:
    with EmbeddedWorld(("search-crashes-without-du",)) as world:
        # the self-test's strength (FUZZ_EXAMPLES): the coverage phase finds it
        result = fuzz(world.target_url, max_examples=FUZZ_EXAMPLES, seed=0)
        failed = _failed(result)
        assert "ROB-01" in failed
        curl = failed["ROB-01"][0]
        url = next(part for part in shlex.split(curl) if part.startswith("http"))
        assert httpx.get(url).status_code == 500  # the curl command reproduces it


def test_a_target_off_contract_breaks_rob_02() -> None:
    with HostileServer("wrong-shape") as server:
        failed = _failed(fuzz(server.url, max_examples=5, seed=0, timeout=2))
    assert "ROB-02" in failed and "ROB-01" not in failed
    with HostileServer("5xx") as server:
        assert "ROB-01" in _failed(fuzz(server.url, max_examples=5, seed=0, timeout=2))


def test_run_with_fuzz_adds_the_fuzz_scenario_to_the_reports(tmp_path: Path) -> None:
    done = cli("run", "-k", "RT-MED-001", "--fuzz", "10", "--report-dir", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((only_run(tmp_path) / "report.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in report["scenarios"]] == ["RT-MED-001", "JOURNAL", "FUZZ"]
    junit = (only_run(tmp_path) / "junit.xml").read_text(encoding="utf-8")
    assert re.search(r'classname="FUZZ', junit)


def test_a_created_resource_the_contract_says_may_be_absent_is_not_a_missing_one() -> None:
    # a biology-only prescription has no DMP copy: its 404 is the contract's answer; schemathesis's
    # 'created resource not found' is switched off there only, every other check stays on
    import schemathesis

    from conformance.fuzz import CONTRACT, Tls, _config, may_be_absent

    assert may_be_absent() == ["dmpCopy"]
    schema = schemathesis.openapi.from_path(str(CONTRACT), config=_config(
        "http://127.0.0.1:9", 5, 0, 1.0, Tls(), ()))
    operations = {op.definition.raw["operationId"]: op for op in
                  (result.ok() for result in schema.get_all_operations())}
    config = schema.config
    dmp = config.checks_config_for(operation=operations["dmpCopy"], phase="stateful")
    consult = config.checks_config_for(operation=operations["consultPrescription"], phase="stateful")
    assert not dmp.get_by_name(name="ensure_resource_availability").enabled
    assert consult.get_by_name(name="ensure_resource_availability").enabled
    assert dmp.get_by_name(name="not_a_server_error").enabled
