"""ROB-01 / ROB-02: schemathesis against the adapter contract, findings as check results.

Each operation of ``contract/adapter.openapi.yaml`` gets ``max_examples`` generated requests
(deterministic under ``seed``). A response is checked for server errors (ROB-01) and for
conformance to the contract: documented status, content type, body schema (ROB-02). One
finding is kept per (operation, failure), with a curl command that reproduces it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from conformance.engine.results import CheckResult, ScenarioResult, StepResult, scenario_status
from conformance.paths import CONTRACT
from conformance.vocabulary import Operation, Severity, Status

REQUIREMENTS = {"not_a_server_error": ("ROB-01", "L'API ne répond jamais 5xx"),
                "status_code_conformance": ("ROB-02", "Statut documenté dans le contrat"),
                "content_type_conformance": ("ROB-02", "Type de contenu conforme au contrat"),
                "response_schema_conformance": ("ROB-02", "Réponse conforme au schéma du contrat")}
TITLE = "Fuzzing de l'API adaptateur (schemathesis) — ROB-01, ROB-02"
HINTS = {"ROB-01": "validate every input and answer 4xx problem+json: never let an exception "
                   "become a 500",
         "ROB-02": "answer only the statuses, media types and shapes the adapter contract declares"}


@dataclass(frozen=True)
class Finding:
    """One distinct failure on one operation, with the request that shows it."""

    operation: str
    check: str
    message: str
    curl: str


def fuzz(target_url: str, max_examples: int = 50, seed: int = 0, timeout: float = 10.0,
         verify: Any = True) -> ScenarioResult:
    """Fuzz every operation; the outcome as a scenario 'FUZZ' with one step per operation."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fix_seed
    from hypothesis import strategies as st
    from schemathesis import GenerationMode
    from schemathesis import checks as sc
    from schemathesis.core.result import Err

    checks = [sc.not_a_server_error, sc.status_code_conformance, sc.content_type_conformance,
              sc.response_schema_conformance]
    schema = schemathesis.openapi.from_path(str(CONTRACT))
    t0 = time.perf_counter()
    steps = []
    for index, outcome in enumerate(schema.get_all_operations()):
        if isinstance(outcome, Err):  # our own contract: a broken operation is a harness bug
            raise RuntimeError(f"adapter contract: {outcome.err()}")
        operation = outcome.ok()
        findings: dict[tuple[str, str], Finding] = {}
        calls = [0, 0.0]

        attempt = _attempt(operation, findings, calls, target_url, timeout, verify, checks)
        # valid inputs (they must be served) and invalid ones (they must be refused with a 4xx)
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))
        test = fix_seed(seed)(settings(max_examples=max_examples, database=None, deadline=None,
                                       suppress_health_check=list(HealthCheck),
                                       phases=(Phase.explicit, Phase.generate))(
            given(strategy)(attempt)))
        test()
        steps.append(_step(index, operation.label, list(findings.values()), int(calls[0]),
                           float(calls[1])))
    return ScenarioResult(
        id="FUZZ", title=TITLE, file=str(CONTRACT), status=scenario_status(tuple(steps)),
        duration=time.perf_counter() - t0, requirements=("ROB-01", "ROB-02"), tags=("fuzz",),
        steps=tuple(steps),
        reason=f"{sum(len(s.checks) for s in steps)} verdicts, {max_examples} cases per operation, "
               f"seed {seed}")


def _attempt(operation: Any, findings: dict[tuple[str, str], Finding], calls: list[Any],
             target_url: str, timeout: float, verify: Any, checks: list[Any]) -> Any:
    """The Hypothesis test body for one operation: call, validate, record findings."""
    from schemathesis.core.failures import Failure, FailureGroup

    def attempt(case: Any) -> None:
        started = time.perf_counter()
        try:
            response = case.call(base_url=target_url, timeout=timeout, verify=verify)
        except Exception as exc:
            findings.setdefault((operation.label, "transport"), Finding(
                operation.label, "not_a_server_error", f"no response: {type(exc).__name__}: {exc}",
                case.as_curl_command(base_url=target_url)))
            return
        finally:
            calls[0] += 1
            calls[1] += time.perf_counter() - started
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                _record(findings, operation.label, failure, case, target_url)
        except Failure as failure:
            _record(findings, operation.label, failure, case, target_url)

    return attempt


def _record(findings: dict[tuple[str, str], Finding], label: str, failure: Any, case: Any,
            target_url: str) -> None:
    name = _check_name(failure)
    key = (label, f"{name}:{getattr(failure, 'title', '')}")
    if key not in findings:
        title, detail = getattr(failure, "title", name), str(getattr(failure, "message", "")).strip()
        status = getattr(getattr(failure, "response", None), "status_code", None)
        message = f"{title}: {detail}" if detail else f"{title} (HTTP {status})" if status else title
        findings[key] = Finding(label, name, message.strip()[:500],
                                case.as_curl_command(base_url=target_url))


def _check_name(failure: Any) -> str:
    text = f"{type(failure).__name__} {getattr(failure, 'title', '')}".lower()
    if "server error" in text or "servererror" in text:
        return "not_a_server_error"
    if "content type" in text or "content-type" in text:
        return "content_type_conformance"
    if "status code" in text or "undocumented" in text:
        return "status_code_conformance"
    return "response_schema_conformance"


def _step(index: int, label: str, findings: list[Finding], calls: int, seconds: float) -> StepResult:
    results = []
    for name, (requirement, title) in REQUIREMENTS.items():
        where = f"{CONTRACT.name} {label}"
        mine = [f for f in findings if f.check == name]
        if mine:
            results += [CheckResult(check=name, requirement=requirement, title=title,
                                    severity=Severity.MAJOR, operation=Operation.ROBUSTESSE,
                                    status=Status.FAIL, message=f.message, expected="no finding",
                                    observed=f.curl, diff=(f.curl,), hint=HINTS[requirement],
                                    location=where)
                        for f in mine]
        else:
            results.append(CheckResult(check=name, requirement=requirement, title=title,
                                       severity=Severity.MAJOR, operation=Operation.ROBUSTESSE,
                                       status=Status.PASS, location=where,
                                       message=f"{calls} generated request(s), no finding"))
    status = Status.FAIL if findings else Status.PASS
    return StepResult(index=index, kind="fuzz", title=label, status=status, duration=seconds,
                      checks=tuple(results))
