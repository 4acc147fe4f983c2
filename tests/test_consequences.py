"""One root cause, one anomaly (DESIGN §5): facts and consequences, the contract first."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks import ScenarioState, StepData
from conformance.embedded import EmbeddedWorld
from conformance.engine.checking import CheckEnvironment, run_checks, step_checks
from conformance.profiles import load_profile
from conformance.scenario import Scenario
from conformance.targets import Exchange
from conformance.vocabulary import Status, StepKind
from tests.fakes import PID, FakeTarget
from tests.helpers import run_suite
from tests.test_engine import CREATE_CONSULT, verdict_of

FULL = CREATE_CONSULT.replace("      expect: [id_format]\n", "").replace("      expect: [same_id]\n", "")
SEARCH = FULL + """    - search: {patient: "${patient.ins}"}
"""


def test_a_create_refused_by_the_teleservice_is_one_anomaly_naming_its_reason(tmp_path: Path) -> None:
    def refused(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(422, headers={"content-type": "application/problem+json"}, json={
                "type": "about:blank", "title": "EP4 a refusé la prescription", "status": 422,
                "rule": "EP4_E012", "detail": "prescripteur inconnu du référentiel"})
        return None

    result = verdict_of(FakeTarget(refused), tmp_path, FULL)
    anomalies = result.anomalies()  # type: ignore[attr-defined]
    assert [(c.requirement, c.check) for _, _, c in anomalies] == [("RT-01", "created")]
    assert "EP4_E012" in anomalies[0][2].message and "référentiel" in anomalies[0][2].message
    later = [c for st_ in result.scenarios[0].steps[1:] for c in st_.checks]  # type: ignore[attr-defined]
    assert later and all(c.skip == "not-evaluated" for c in later)


def test_a_search_answering_a_list_is_the_targets_contract_anomaly_not_a_harness_error(
        tmp_path: Path) -> None:
    def listing(request: httpx.Request) -> httpx.Response | None:
        if request.method == "GET" and request.url.path == "/prescriptions":
            return httpx.Response(200, json=[{"id": PID}])
        return None

    result = verdict_of(FakeTarget(listing), tmp_path, SEARCH)
    checks = [c for _, _, c in result.checks()]  # type: ignore[attr-defined]
    assert not [c for c in checks if c.status is Status.ERROR]
    anomalies = [c for _, _, c in result.anomalies()]  # type: ignore[attr-defined]
    assert [(c.requirement, c.check) for c in anomalies] == [("ROB-02", "answer_conforms")]
    assert "GET /prescriptions" in anomalies[0].message and "$" in anomalies[0].message
    search = result.scenarios[0].steps[2]  # type: ignore[attr-defined]
    consequences = [c for c in search.checks if c.check != "answer_conforms"]
    assert consequences and all(c.skip == "not-evaluated" and "answer_conforms" in c.cause
                                for c in consequences)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["id", "statut", "resultats", "patient", "lignes",
                                                       "consentement", "executions", "x"]),
                                      inner, max_size=5), max_leaves=12)
VALID = {StepKind.CREATE: {"id": PID, "statut": "enregistree", "papier": f"/prescriptions/{PID}/paper"},
         StepKind.SEARCH: {"resultats": [{"id": PID}]}}


def _mutate(base: dict[str, object], key: str, value: object) -> dict[str, object]:
    return {**base, key: value}


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from([StepKind.CREATE, StepKind.CONSULT, StepKind.SEARCH]), document=JSON,
       key=st.sampled_from(["id", "statut", "resultats", "patient", "lignes", "consentement"]),
       mutate=st.booleans(), status=st.sampled_from([200, 201, 400, 404, 422]))
def test_no_answer_valid_or_not_makes_a_check_a_harness_error(
        kind: StepKind, document: object, key: str, mutate: bool, status: int) -> None:
    """Whatever JSON the target answers — contract-valid, one field off, or anything — every
    default check of the step ends in pass, fail, warn or skip: never the harness's error."""
    body = _mutate(VALID.get(kind, {"id": PID}), key, document) if mutate else document
    created = {"patient": {"ins": "277077512345659", "nomFamille": "NESSI", "prenom": "Ana"},
               "lignes": [], "consentement": {"opposition": False}}
    state = ScenarioState(created=created, created_id=PID)
    exchange = Exchange("GET", "http://fake/x", None, status, {"content-type": "application/json"},
                        json.dumps(body).encode(), 0.0)
    data = StepData(kind, {"id": PID, "patient": "277077512345659"}, [exchange])
    step = scenarios_step(kind)
    results = run_checks(step_checks(step), data, state, CheckEnvironment(load_profile()))
    errors = [(c.check, c.message) for c in results if c.status is Status.ERROR]
    assert errors == []


def scenarios_step(kind: StepKind) -> object:
    from conformance.scenario import Step
    from conformance.scenario.errors import Pos

    return Step(index=0, kind=kind, params={}, pos=Pos("x.yaml", 1, 1))


@pytest.mark.slow
def test_an_answer_registered_but_never_sent_to_ep4_is_one_anomaly_per_scenario(
        suite: list[Scenario]) -> None:
    with EmbeddedWorld(faults=("no-ep4-call",)) as world:
        result = run_suite(world, suite)
    per_scenario = Counter(sc.id for sc, _, _ in result.anomalies())
    assert per_scenario and max(per_scenario.values()) == 1, per_scenario
    causes = [c for _, _, c in result.checks() if c.cause]
    assert causes  # the consequences name their cause


def _run_wide(name: str, creations: list[object], journal: list[dict[str, object]]) -> object:
    from conformance.checks.context import Creation  # noqa: F401 (the records handed in)
    from conformance.engine.checking import Everywhere

    data = StepData(StepKind.RUN, {"creations": creations}, [], journal_since=0)
    data.journal_entries = journal
    env = CheckEnvironment(load_profile(), journal=lambda since: journal)
    (result,) = run_checks((Everywhere(name),), data, ScenarioState(), env)
    return result


def test_a_prescription_announced_registered_but_never_seen_by_ep4_is_one_run_wide_anomaly() -> None:
    from conformance.checks import Fact
    from conformance.checks.context import Creation

    told = [Creation("AAAAAAAAAAAAAAAAAA", "enregistree"),
            Creation("BBBBBBBBBBBBBBBBBB", "enregistree"),
            Creation("CCCCCCCCCCCCCCCCCC", "enregistree", (Fact.REGISTERED,))]
    journal = [{"seq": 1, "operation": "EP4", "id": "AAAAAAAAAAAAAAAAAA", "status": 201, "at": "t"}]
    result = _run_wide("announced_registered", told, journal)
    assert result.status is Status.FAIL  # type: ignore[attr-defined]
    assert result.observed == "BBBBBBBBBBBBBBBBBB"  # type: ignore[attr-defined]  # C: its scenario's RT-01
    assert result.message.render("fr").startswith("1 prescription(s) annoncée(s) enregistrée(s)")  # type: ignore[attr-defined]
    journal.append({"seq": 2, "operation": "EP4", "id": "BBBBBBBBBBBBBBBBBB", "status": 201, "at": "t"})
    assert _run_wide("announced_registered", told, journal).status is Status.PASS  # type: ignore[attr-defined]


def test_the_consequences_of_a_known_anomaly_are_listed_and_accepted_with_it() -> None:
    from conformance.engine.results import CheckResult, RunResult, ScenarioResult, StepResult
    from conformance.vocabulary import Operation, Severity, SkipKind, Verdict

    def check(name: str, requirement: str, status: Status, **more: object) -> CheckResult:
        return CheckResult(check=name, requirement=requirement, title=name, severity=Severity.BLOCKING,
                           operation=Operation.CREER, status=status, message=name, **more)  # type: ignore[arg-type]

    cause = check("created", "RT-01", Status.FAIL, baselined="fixed in 2.1")
    consequence = check("sent_equals_received", "RT-06", Status.SKIP, skip=SkipKind.NOT_EVALUATED,
                        cause="created@1")
    other = check("consent_sent", "CON-01", Status.SKIP, skip=SkipKind.NOT_EVALUATED)  # no cause
    step = StepResult(index=0, kind="create", title="", status=Status.FAIL, duration=0.0,
                      checks=(cause, consequence))
    scenario = ScenarioResult(id="P", title="", file="", status=Status.FAIL, duration=0.0, steps=(step,))
    run = RunResult(run_id="r", started="", finished="", duration=0.0, target="t", teleservice=None,
                    about=None, fail_on=Severity.MAJOR, seed=0, scenarios=(scenario,))
    (listed,) = run.unverified()
    assert listed.requirement == "RT-06" and listed.accepted  # shown, accepted with its cause
    assert run.verdict is Verdict.CONFORME
    unexplained = StepResult(index=0, kind="create", title="", status=Status.FAIL, duration=0.0,
                             checks=(cause, consequence, other))
    run = RunResult(run_id="r", started="", finished="", duration=0.0, target="t", teleservice=None,
                    about=None, fail_on=Severity.MAJOR, seed=0,
                    scenarios=(ScenarioResult(id="P", title="", file="", status=Status.FAIL,
                                              duration=0.0, steps=(unexplained,)),))
    assert {u.requirement: u.accepted for u in run.unverified()} == {"RT-06": True, "CON-01": False}
    assert run.verdict is Verdict.INCOMPLET
