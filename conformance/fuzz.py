"""ROB-01, ROB-02, RT-05: schemathesis at full strength against the adapter contract.

schemathesis's own engine runs its four phases (examples, coverage, fuzzing, stateful through
the contract's links create → consult / paper) with every check it has; each check maps to a
requirement: a server error is ROB-01, object-level authorization RT-05, any other departure
from the contract (status, media type, body or header schema, a valid input refused, an invalid
input accepted, an undeclared method) ROB-02. One finding is kept per (operation, check,
failure), with the curl command of its (shrunk) request.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from conformance.engine.results import CheckResult, ScenarioResult, StepResult, scenario_status
from conformance.paths import CONTRACT
from conformance.vocabulary import Operation, Severity, Status

TITLE = "Fuzzing de l'API adaptateur (schemathesis, 4 phases) — ROB-01, ROB-02, RT-05"
PHASES = ("examples", "coverage", "fuzzing", "stateful")
REQUIREMENTS = {
    "not_a_server_error": ("ROB-01", "L'API ne répond jamais 5xx"),
    "object_level_authorization": ("RT-05", "Aucun accès aux données d'un autre (autorisation par objet)"),
    "status_code_conformance": ("ROB-02", "Statut documenté dans le contrat"),
    "content_type_conformance": ("ROB-02", "Type de contenu conforme au contrat"),
    "response_schema_conformance": ("ROB-02", "Réponse conforme au schéma du contrat"),
    "response_headers_conformance": ("ROB-02", "En-têtes conformes au contrat"),
    "positive_data_acceptance": ("ROB-02", "Une saisie valide selon le contrat est acceptée"),
    "negative_data_rejection": ("ROB-02", "Une saisie invalide selon le contrat est refusée"),
    "unsupported_method": ("ROB-02", "Une méthode non déclarée est refusée (405 + Allow)"),
    "allow_header_conformance": ("ROB-02", "En-tête Allow conforme"),
    "missing_required_header": ("ROB-02", "Un en-tête obligatoire manquant est refusé"),
    "ensure_resource_availability": ("ROB-02", "Une ressource créée est disponible"),
    "use_after_free": ("ROB-02", "Une ressource supprimée n'est plus servie"),
    "ignored_auth": ("ROB-02", "L'authentification déclarée est appliquée"),
}
SEVERITY = {"ROB-01": Severity.MAJOR, "ROB-02": Severity.MAJOR, "RT-05": Severity.BLOCKING}
HINTS = {"ROB-01": "validate every input and answer 4xx problem+json: never let an exception "
                   "become a 500",
         "ROB-02": "answer only what the adapter contract declares: accept what it calls valid, "
                   "refuse what it calls invalid, with the documented statuses, media types and "
                   "shapes",
         "RT-05": "serve a prescription only to whom it belongs: check the requester on every read"}


@dataclass(frozen=True)
class Tls:
    """What schemathesis needs to reach the target as the scenarios do."""

    ca: str | None = None  # a CA bundle (PEM); None: the system CAs
    cert: tuple[str, str] | None = None  # (certificate, private key) for mutual TLS


@dataclass(frozen=True)
class Finding:
    """One distinct failure on one operation, with the request that shows it."""

    operation: str
    check: str
    message: str
    curl: str


def _config(target_url: str, max_examples: int, seed: int, timeout: float, tls: Tls,
            headers: tuple[tuple[str, str], ...]) -> Any:
    from schemathesis.config import SchemathesisConfig

    certificate = {"request-cert": tls.cert[0], "request-cert-key": tls.cert[1]} if tls.cert else {}
    return SchemathesisConfig.from_dict({
        "base-url": target_url, "seed": seed, "request-timeout": timeout,
        "tls-verify": tls.ca or True, **certificate,  # verification always on, as for the scenarios
        "headers": dict(headers), "continue-on-failure": True, "warnings": False,
        "generation": {"max-examples": max_examples},
        "checks": {"enabled": True},
        "phases": {name: {"enabled": True} for name in PHASES},
    })


def fuzz(target_url: str, max_examples: int = 50, seed: int = 0, timeout: float = 10.0,
         tls: Tls | None = None, headers: tuple[tuple[str, str], ...] = ()) -> ScenarioResult:
    """Every phase, every check; the outcome as a scenario 'FUZZ' with one step per operation.
    ``tls``: the user's CA bundle and client certificate (the system CAs by default)."""
    import schemathesis
    from schemathesis.engine import events, from_schema

    schema = schemathesis.openapi.from_path(str(CONTRACT), config=_config(
        target_url, max_examples, seed, timeout, tls or Tls(), headers))
    t0 = time.perf_counter()
    findings: dict[str, dict[tuple[str, str], Finding]] = defaultdict(dict)
    ran: dict[str, set[str]] = defaultdict(set)
    calls: dict[str, int] = defaultdict(int)
    errors: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _collect(event.recorder, target_url, findings, ran, calls)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(f"{getattr(event, 'label', 'schemathesis')}: "
                          f"{type(event.value).__name__}: {str(event.value)[:300]}"
                          if isinstance(event, events.NonFatalError) else str(event))
    steps = [_step(i, label, list(findings[label].values()), ran[label], calls[label])
             for i, label in enumerate(sorted(set(ran) | set(findings)))]
    if errors:
        steps.append(StepResult(index=len(steps), kind="fuzz", title="schemathesis", status=Status.ERROR,
                                duration=0.0, message="; ".join(errors)[:1000]))
    return ScenarioResult(
        id="FUZZ", title=TITLE, file=str(CONTRACT), status=scenario_status(tuple(steps)),
        duration=time.perf_counter() - t0, requirements=("ROB-01", "ROB-02", "RT-05"), tags=("fuzz",),
        steps=tuple(steps),
        reason=f"{sum(calls.values())} requests over {', '.join(PHASES)}; {max_examples} examples "
               f"per operation, seed {seed}")


def _collect(recorder: Any, target_url: str, findings: dict[str, dict[tuple[str, str], Finding]],
             ran: dict[str, set[str]], calls: dict[str, int]) -> None:
    """The checks of one schemathesis scenario: which ran where, and each distinct failure."""
    for case_id, checks in recorder.checks.items():
        node = recorder.cases.get(case_id)
        case = node.value if node is not None else None
        label = getattr(getattr(case, "operation", None), "label", None) or recorder.label
        calls[label] += 1
        for check in checks:
            if check.name not in REQUIREMENTS:
                continue
            ran[label].add(check.name)
            info = check.failure_info
            if info is None:
                continue
            failure = info.failure
            key = (check.name, str(getattr(failure, "title", "")))
            if key in findings[label]:
                continue
            title = getattr(failure, "title", check.name)
            detail = str(getattr(failure, "message", "")).strip()
            curl = getattr(info, "code_sample", None) or (
                case.as_curl_command(base_url=target_url) if case is not None else "")
            findings[label][key] = Finding(label, check.name, f"{title}: {detail}"[:500].strip(), str(curl))


def _result(name: str, status: Status, message: str, where: str, curl: str = "") -> CheckResult:
    requirement, title = REQUIREMENTS[name]
    return CheckResult(check=name, requirement=requirement, title=title,
                       severity=SEVERITY[requirement], operation=Operation.ROBUSTESSE,
                       status=status, message=message, location=where,
                       expected="no finding" if curl else None, observed=curl or None,
                       diff=(curl,) if curl else (), hint=HINTS[requirement] if curl else "")


def _step(index: int, label: str, findings: list[Finding], ran: set[str], calls: int) -> StepResult:
    where = f"{CONTRACT.name} {label}"
    results = []
    for name in sorted(ran | {f.check for f in findings}):
        mine = [f for f in findings if f.check == name]
        if mine:
            results += [_result(name, Status.FAIL, f.message, where, f.curl) for f in mine]
        else:
            results.append(_result(name, Status.PASS, f"{calls} generated request(s), no finding", where))
    status = Status.FAIL if findings else Status.PASS
    return StepResult(index=index, kind="fuzz", title=label, status=status, duration=0.0,
                      checks=tuple(results))
