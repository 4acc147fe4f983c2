"""The engine's mechanics on a fake target (httpx.MockTransport): events, skips, -x, phases."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from conformance.engine import (
    Phase,
    RunConfig,
    RunFinished,
    Runner,
    ScenarioFinished,
    ScenarioResult,
    ScenarioStarted,
    StepFinished,
)
from conformance.engine.runner import isolated, segments
from conformance.engine.variables import MissingVariable, capture, interpolate
from conformance.profiles import load_profile
from conformance.targets import HttpTarget
from conformance.vocabulary import Severity, Status
from tests.fakes import PID, FakeTarget, scenarios
from tests.helpers import keeping_every_check

CREATE_CONSULT = """
- id: A
  title: create then consult
  given: {prescriber: generaliste, patient: adulte}
  steps:
    - create: {lignes: [paracetamol], consentement: {opposition: false}}
      save: {id: $.id}
      expect: [id_format]
    - consult: {id: "${id}"}
      expect: [same_id]
"""


def run(fake: FakeTarget, scs: list[object], **config: object) -> list[object]:
    """The events of a run on ``fake``; with no simulator DEG-03 cannot be judged: accepted.
    The final result keeps every check."""
    config.setdefault("accepted", ("DEG-03",))
    target = HttpTarget("http://fake", transport=fake.transport)
    try:
        with keeping_every_check():
            return list(Runner(RunConfig(target=target, control=None, profile=load_profile(),
                                         **config), scs).run())  # type: ignore[arg-type]
    finally:
        target.close()


def test_events_come_in_order_and_checks_carry_their_location(tmp_path: Path) -> None:
    events = run(FakeTarget(), scenarios(tmp_path, CREATE_CONSULT))
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["RunStarted", "ScenarioStarted", "StepFinished", "StepFinished",
                     "ScenarioFinished", "ScenarioStarted", "ScenarioFinished", "RunFinished"]
    assert events[-3].id == "JOURNAL"  # type: ignore[attr-defined]  # DEG-03, at the end
    result = events[-1].result  # type: ignore[attr-defined]
    assert result.conforme and result.verdict == "conforme"
    check = result.scenarios[0].steps[0].checks[0]
    assert check.status is Status.PASS and check.location.endswith("s.yaml:8:16")
    assert result.scenarios[0].steps[1].location.endswith("s.yaml:9:7")


def test_a_missing_capture_skips_the_dependent_step(tmp_path: Path) -> None:
    def no_id(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(201, json={"statut": "enregistree"})
        return None

    result = run(FakeTarget(no_id), scenarios(tmp_path, CREATE_CONSULT))[-1].result  # type: ignore[attr-defined]
    create, consult = result.scenarios[0].steps
    failed = [c for c in create.checks if c.status is Status.FAIL]
    assert [c.requirement for c in failed] == ["ROB-02"]  # the answer breaks the contract: no id
    assert all(c.cause for c in create.checks if c.status is Status.SKIP)
    assert consult.status is Status.SKIP and "${id}" in consult.message


def test_exitfirst_stops_after_the_first_scenario_with_an_anomaly(tmp_path: Path) -> None:
    text = CREATE_CONSULT + CREATE_CONSULT.replace("id: A", "id: B")

    def short(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(201, json={"id": "SHORT", "statut": "enregistree"})
        return None

    result = run(FakeTarget(short), scenarios(tmp_path, text), exit_first=True)[-1].result  # type: ignore[attr-defined]
    assert [sc.id for sc in result.scenarios] == ["A"] and "exitfirst" in result.stopped


def test_a_step_that_cannot_run_leaves_the_rest_not_evaluated(tmp_path: Path) -> None:
    text = """
id: T
title: a teleservice fault without a simulator cannot be injected, the rest would be meaningless
given: {prescriber: generaliste, patient: adulte}
steps:
  - teleservice: {fault: unavailable, operation: EP4}
  - create: {lignes: [paracetamol], consentement: {opposition: false}}
    expect: [id_format]
"""
    result = run(FakeTarget(), scenarios(tmp_path, text))[-1].result  # type: ignore[attr-defined]
    tele, create = result.scenarios[0].steps
    assert tele.status is Status.SKIP and "needs the teleservice simulator" in tele.message
    assert create.status is Status.SKIP and create.checks[0].skip == "not-evaluated"
    assert "step 1 (teleservice) could not run" in create.checks[0].message
    assert result.verdict == "incomplet"


def test_phases_run_after_the_scenarios_as_scenarios_of_their_own(tmp_path: Path) -> None:
    phase = Phase("FUZZ", "fuzzing", lambda: ScenarioResult(
        id="FUZZ", title="fuzzing", file="contract", status=Status.PASS, duration=0.0))
    events = run(FakeTarget(), scenarios(tmp_path, CREATE_CONSULT), phases=(phase,))
    assert isinstance(events[-3], ScenarioStarted) and events[-3].id == "FUZZ"
    assert isinstance(events[-2], ScenarioFinished) and events[-2].result.id == "FUZZ"
    assert [sc.id for sc in events[-1].result.scenarios] == ["A", "JOURNAL", "FUZZ"]  # type: ignore[attr-defined]


def test_a_check_on_the_wrong_step_kind_is_an_error_not_a_pass(tmp_path: Path) -> None:
    # validate refuses it (tests/data/bad/check-wrong-step.yaml); the engine still guards
    text = CREATE_CONSULT.replace("expect: [same_id]", "expect: [qr_present]")
    result = run(FakeTarget(), scenarios(tmp_path, text, static=False))[-1].result  # type: ignore[attr-defined]
    check = result.scenarios[0].steps[1].checks[0]
    assert check.status is Status.ERROR and "does not apply" in check.message


def test_isolated_scenarios_run_alone_in_segments(tmp_path: Path) -> None:
    text = CREATE_CONSULT + CREATE_CONSULT.replace("id: A", "id: B") + """
- id: C
  title: fault injection is isolated
  steps:
    - teleservice: {fault: clear}
"""
    scs = scenarios(tmp_path, text)
    assert [isolated(sc) for sc in scs] == [False, False, True]
    assert [[sc.id for sc in seg] for seg in segments(scs)] == [["A", "B"], ["C"]]


def test_concurrent_jobs_give_the_same_events_in_suite_order(tmp_path: Path) -> None:
    text = "".join(CREATE_CONSULT.replace("id: A", f"id: S{n}") for n in range(6))
    one = run(FakeTarget(), scenarios(tmp_path, text), jobs=1)
    four = run(FakeTarget(), scenarios(tmp_path, text), jobs=4)
    ids = [[e.result.id for e in events if isinstance(e, ScenarioFinished)] for events in (one, four)]
    assert ids[0] == ids[1] == [*(f"S{n}" for n in range(6)), "JOURNAL"]
    steps = [[e.result.status for e in events if isinstance(e, StepFinished)] for events in (one, four)]
    assert steps[0] == steps[1]


def test_variables_interpolate_and_capture() -> None:
    assert interpolate({"a": "${x.y}", "b": ["id ${x.y}!"]}, {"x": {"y": 3}}) == {"a": 3, "b": ["id 3!"]}
    with pytest.raises(MissingVariable):
        interpolate("${nope}", {})
    assert capture({"a": [{"b": PID}]}, "$.a[0].b") == PID
    assert capture({"a": []}, "$.a[0].b") is None


def test_status_precedence_and_severity_threshold() -> None:
    assert Status.worst(["pass", "skip", "warn"]) is Status.WARN
    assert Status.worst(["fail", "error"]) is Status.ERROR
    assert Status.worst([], default=Status.PASS) is Status.PASS
    assert Severity.MAJOR.at_least("major") and not Severity.MINOR.at_least("major")
    assert Severity.BLOCKING.rank == 0 and Severity.INFO.rank == 3


def test_run_finished_is_the_last_event_even_when_interrupted(tmp_path: Path) -> None:
    calls = {"n": 0}

    def interrupt(request: httpx.Request) -> httpx.Response | None:
        calls["n"] += 1
        if request.method == "GET" and request.url.path.startswith("/prescriptions/"):
            raise KeyboardInterrupt
        return None

    events = run(FakeTarget(interrupt), scenarios(tmp_path, CREATE_CONSULT))
    assert isinstance(events[-1], RunFinished) and events[-1].result.interrupted
    assert events[-1].result.verdict == "interrompu"


def verdict_of(fake: FakeTarget, tmp_path: Path, text: str, **config: object) -> object:
    return run(fake, scenarios(tmp_path, text), **config)[-1].result  # type: ignore[attr-defined]


def test_a_500_on_create_is_one_anomaly_and_the_rest_is_not_evaluated(tmp_path: Path) -> None:
    text = CREATE_CONSULT.replace("      expect: [id_format]\n", "").replace(
        "      expect: [same_id]\n", "")
    def crash(request: httpx.Request) -> httpx.Response | None:
        return httpx.Response(500, json={"title": "boom"}) if request.method == "POST" else None

    result = verdict_of(FakeTarget(crash), tmp_path, text)
    anomalies = result.anomalies()  # type: ignore[attr-defined]
    assert [(c.requirement, c.check) for _, _, c in anomalies] == [("RT-01", "created")]
    assert result.verdict == "non-conforme"  # type: ignore[attr-defined]
    create, consult = result.scenarios[0].steps  # type: ignore[attr-defined]
    others = [c for c in create.checks if c.check not in ("created", "answer_conforms")]
    assert others and all(c.status is Status.SKIP and c.skip == "not-evaluated" for c in others)
    assert any("RT-01 created reports it" in c.message for c in others)
    assert consult.status is Status.SKIP and consult.checks
    assert all(c.skip == "not-evaluated" and "step 1 (create) failed" in c.message
               for c in consult.checks)


def test_nothing_verified_is_incomplete_never_conforme(tmp_path: Path) -> None:
    text = CREATE_CONSULT.replace("[id_format]", "[]").replace("[same_id]", "[]")
    result = verdict_of(FakeTarget(), tmp_path, text)
    assert result.verdict == "incomplet"  # type: ignore[attr-defined]
    assert [u.reason for u in result.unverified()  # type: ignore[attr-defined]
            if not u.accepted] == ["no check was evaluated"]


def test_without_a_journal_the_run_is_incomplete_until_accepted(tmp_path: Path) -> None:
    text = CREATE_CONSULT.replace("[id_format]", "[id_format, created, sent_equals_received]")
    result = verdict_of(FakeTarget(), tmp_path, text, accepted=())
    assert result.verdict == "incomplet"  # type: ignore[attr-defined]
    unverified = {u.requirement: u for u in result.unverified()}  # type: ignore[attr-defined]
    assert set(unverified) == {"RT-01", "RT-06", "DEG-03"}
    assert "no teleservice journal" in unverified["RT-06"].reason and unverified["RT-06"].scenarios == ("A",)
    accepted = verdict_of(FakeTarget(), tmp_path, text, accepted=("RT-01", "RT-06", "DEG-03"))
    everything = verdict_of(FakeTarget(), tmp_path, text, accepted=("all",))
    assert everything.verdict == "conforme"  # type: ignore[attr-defined]
    assert accepted.verdict == "conforme"  # type: ignore[attr-defined]
    assert all(u.accepted for u in accepted.unverified())  # type: ignore[attr-defined]
    partly = verdict_of(FakeTarget(), tmp_path, text, accepted=("RT-06", "DEG-03"))
    assert partly.verdict == "incomplet"  # type: ignore[attr-defined]


def test_a_check_that_errors_makes_the_run_incomplete(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from conformance.checks import REGISTRY

    def broken(ctx: object) -> str:
        raise KeyError("id_pattern")

    monkeypatch.setitem(REGISTRY, "id_format", dataclasses.replace(REGISTRY["id_format"], fn=broken))
    result = verdict_of(FakeTarget(), tmp_path, CREATE_CONSULT)
    assert result.verdict == "incomplet"  # type: ignore[attr-defined]
    unverified = {u.requirement: u.reason for u in result.unverified()}  # type: ignore[attr-defined]
    assert "harness error in id_format: KeyError" in unverified["ID-01"]


def test_a_declared_requirement_never_evaluated_is_unverified(tmp_path: Path) -> None:
    text = CREATE_CONSULT.replace("title: create then consult", "title: t\n  requirements: [RT-03]")
    result = verdict_of(FakeTarget(), tmp_path, text)
    assert result.verdict == "incomplet"  # type: ignore[attr-defined]
    assert [(u.requirement, u.reason) for u in result.unverified()  # type: ignore[attr-defined]
            if not u.accepted] == [("RT-03", "declared by the scenario, never evaluated")]


def test_line_types_in_scope_are_profile_data(tmp_path: Path) -> None:
    """A profile that brings imaging in scope makes 'imaging is refused' not applicable."""
    import yaml

    from conformance.checks import ScenarioState, StepData
    from conformance.engine.checking import CheckEnvironment, run_check
    from conformance.profiles import load_profile
    from conformance.targets import Exchange

    bundled = load_profile()
    wider_file = tmp_path / "wider.yaml"
    rules = {**bundled.rules, "line_types": {**bundled.rules["line_types"],
                                             "value": [*bundled.value("line_types"), "imagerie"]}}
    wider_file.write_text(yaml.safe_dump({"name": "wider", "rules": rules}), encoding="utf-8")
    answer = Exchange("POST", "/prescriptions", None, 201, {"content-type": "application/json"},
                      b'{"id": "01S2TBPZ2JCNZZYGHZ", "statut": "enregistree"}', 0.0)
    sent = {"lignes": [{"type": "imagerie", "libelle": "Radiographie"}]}
    outcomes = []
    for profile in (bundled, load_profile(str(wider_file))):
        step = StepData("create", {}, [answer], sent=sent)
        outcomes.append(run_check("rejected", None, "here", step, ScenarioState(),
                                  CheckEnvironment(profile)))
    assert outcomes[0].status is Status.FAIL  # accepted although out of scope
    assert outcomes[1].status is Status.SKIP and outcomes[1].skip == "not-applicable"


def test_a_phase_that_errs_without_checks_leaves_its_requirements_unverified(tmp_path: Path) -> None:
    from conformance.engine.results import StepResult

    broken = Phase("FUZZ", "fuzzing", lambda: ScenarioResult(
        id="FUZZ", title="fuzzing", file="contract", status=Status.ERROR, duration=0.0,
        requirements=("ROB-01",), steps=(StepResult(index=0, kind="fuzz", title="schemathesis",
                                                    status=Status.ERROR, duration=0.0,
                                                    message="engine crashed"),)))
    result = run(FakeTarget(), scenarios(tmp_path, CREATE_CONSULT), phases=(broken,))[-1].result  # type: ignore[attr-defined]
    assert result.verdict == "incomplet"
    assert [(u.requirement, u.reason) for u in result.unverified() if not u.accepted] == [
        ("ROB-01", "engine crashed")]


def test_an_exception_inside_a_step_is_that_steps_error_and_the_run_goes_on(tmp_path: Path) -> None:
    text = CREATE_CONSULT + CREATE_CONSULT.replace("id: A", "id: B")

    def bug(request: httpx.Request) -> httpx.Response | None:
        if request.method == "GET" and request.url.path.startswith("/prescriptions/"):
            raise LookupError("a bug of ours")  # not an HTTP error: nothing catches it below
        return None

    result = run(FakeTarget(bug), scenarios(tmp_path, text))[-1].result  # type: ignore[attr-defined]
    assert [sc.id for sc in result.scenarios] == ["A", "B", "JOURNAL"]  # every scenario ran
    for sc in result.scenarios[:2]:
        create, consult = sc.steps
        assert create.status is Status.PASS
        assert consult.status is Status.ERROR
        assert "harness error in step 2 (consult): LookupError: a bug of ours" in consult.message
        assert consult.checks[0].skip == "not-evaluated"
    assert result.verdict == "incomplet"


def test_a_journal_call_kept_for_the_run_wide_checks_reads_as_a_mapping() -> None:
    """The run-wide checks' journal entries are slotted (issue 27), read as the dicts they were."""
    import json

    from conformance.checks.context import JournalCall

    entry = {"seq": 3, "at": "2026-12-07T10:00:00", "operation": "EP4", "id": "X", "status": 201,
             "request": {"big": "body"}}
    call = JournalCall(entry)
    assert call["operation"] == "EP4" and call.get("id") == "X" and call.get("request") is None
    assert dict(call) == {k: entry[k] for k in JournalCall.FIELDS}
    assert json.loads(json.dumps(dict(call)))["status"] == 201
    assert not hasattr(call, "__dict__")


def test_the_run_wide_checks_read_only_the_registrations_the_teleservice_filtered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run-wide reconciliation (DEG-03) reads the journal's EP4 calls only, filtered by the
    teleservice, without their bodies, again for each check: never the whole run's journal at
    once (issue 27); its verdict is the same: every registration matched."""
    from collections.abc import Iterator
    from typing import Any

    from conformance.application import Selection, Settings, run_session
    from conformance.targets.teleservice import TeleserviceControl

    asked: list[str | None] = []
    read: list[str] = []
    original = TeleserviceControl.journal_pages

    def recording(self: TeleserviceControl, since: int = 0, operation: str | None = None,
                  page: int = 100, bodies: bool = True) -> Iterator[list[dict[str, Any]]]:
        asked.append(operation)
        for entries in original(self, since, operation, page, bodies):
            assert not [e for e in entries if "request" in e or "response" in e]  # no bodies
            read.extend(str(e["operation"]) for e in entries)
            yield entries

    monkeypatch.setattr(TeleserviceControl, "journal_pages", recording)
    with keeping_every_check():
        done = run_session(Settings(selection=Selection(only=("RT-MED-001", "RT-MED-002")),
                                    handlers=(), report_dir=tmp_path / "r"))
    journal = next(sc for sc in done.result.scenarios if sc.id == "JOURNAL")
    checks = {c.check: c for st in journal.steps for c in st.checks}
    assert set(checks) == {"journal_reconciled", "announced_registered"}
    assert {c.status for c in checks.values()} == {Status.PASS}, checks
    assert checks["announced_registered"].message.startswith("1 prescription(s) reported registered, each")
    assert asked == ["EP4", "EP4"] and read and set(read) == {"EP4"}
