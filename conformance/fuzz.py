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

from conformance.checks.registry import requirement_severity
from conformance.engine.results import CheckResult, ScenarioResult, StepResult, scenario_status
from conformance.messages import Messages, Text
from conformance.paths import CONTRACT
from conformance.vocabulary import Operation, Severity, Status, StepKind

PHASES = ("examples", "coverage", "fuzzing", "stateful")
FUZZ = Messages("fuzz", {
    "title": Text("Fuzzing de l'API adaptateur (schemathesis, 4 phases) — ROB-01, ROB-02, RT-05",
                  "Fuzzing the adapter API (schemathesis, 4 phases) — ROB-01, ROB-02, RT-05"),
    "no_finding": Text("aucun constat", "no finding"),
    "clean": Text("{calls} requête(s) générée(s), aucun constat", "{calls} generated request(s), no finding"),
    "finding": Text("{title} : {detail}", "{title}: {detail}"),
}, literal={
    "hint.ROB-01": Text("valider chaque saisie et répondre 4xx problem+json : qu'aucune exception ne "
                        "devienne un 500",
                        "validate every input and answer 4xx problem+json: never let an exception "
                        "become a 500"),
    "hint.ROB-02": Text("ne répondre que ce que déclare le contrat de l'adaptateur : accepter ce qu'il "
                        "dit valide, refuser ce qu'il dit invalide, avec les statuts, types de contenu "
                        "et formes documentés",
                        "answer only what the adapter contract declares: accept what it calls valid, "
                        "refuse what it calls invalid, with the documented statuses, media types and "
                        "shapes"),
    "hint.RT-05": Text("ne servir une prescription qu'à qui elle appartient : vérifier le demandeur à "
                       "chaque lecture",
                       "serve a prescription only to whom it belongs: check the requester on every read"),
    # schemathesis's checks, by their names
    "not_a_server_error": Text("L'API ne répond jamais 5xx", "The API never answers 5xx"),
    "object_level_authorization": Text("Aucun accès aux données d'un autre (autorisation par objet)",
                                       "No access to someone else's data (object-level authorization)"),
    "status_code_conformance": Text("Statut documenté dans le contrat", "Status documented in the contract"),
    "content_type_conformance": Text("Type de contenu conforme au contrat",
                                     "Media type as the contract says"),
    "response_schema_conformance": Text("Réponse conforme au schéma du contrat",
                                        "Response conforms to the contract's schema"),
    "response_headers_conformance": Text("En-têtes conformes au contrat", "Headers conform to the contract"),
    "positive_data_acceptance": Text("Une saisie valide selon le contrat est acceptée",
                                     "Input valid per the contract is accepted"),
    "negative_data_rejection": Text("Une saisie invalide selon le contrat est refusée",
                                    "Input invalid per the contract is refused"),
    "unsupported_method": Text("Une méthode non déclarée est refusée (405 + Allow)",
                               "An undeclared method is refused (405 + Allow)"),
    "allow_header_conformance": Text("En-tête Allow conforme", "Allow header conforms"),
    "missing_required_header": Text("Un en-tête obligatoire manquant est refusé",
                                    "A missing required header is refused"),
    "ensure_resource_availability": Text("Une ressource créée est disponible",
                                         "A created resource is available"),
    "use_after_free": Text("Une ressource supprimée n'est plus servie",
                           "A deleted resource is no longer served"),
    "ignored_auth": Text("L'authentification déclarée est appliquée", "Declared authentication is enforced"),
})
TITLE = FUZZ("title")
# schemathesis's checks we report, and the requirement each one evaluates
REQUIREMENTS = {
    "not_a_server_error": "ROB-01", "object_level_authorization": "RT-05",
    "status_code_conformance": "ROB-02", "content_type_conformance": "ROB-02",
    "response_schema_conformance": "ROB-02", "response_headers_conformance": "ROB-02",
    "positive_data_acceptance": "ROB-02", "negative_data_rejection": "ROB-02",
    "unsupported_method": "ROB-02", "allow_header_conformance": "ROB-02",
    "missing_required_header": "ROB-02", "ensure_resource_availability": "ROB-02",
    "use_after_free": "ROB-02", "ignored_auth": "ROB-02",
}


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
        # a resource the contract says a creation may not bring: its 404 is an answer, not a loss
        "operations": [{"include-operation-id": op, "checks": {"ensure_resource_availability": {
            "enabled": False}}} for op in may_be_absent()],
    })


def may_be_absent() -> list[str]:
    """The contract's operations marked ``x-may-be-absent``: a prescription just created may have
    none (a DMP copy of biology acts only), so schemathesis's 'created resource not found' does
    not apply to them; every other check does."""
    import yaml

    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    return sorted(op["operationId"] for item in contract.get("paths", {}).values() for op in item.values()
                  if isinstance(op, dict) and op.get("x-may-be-absent") and "operationId" in op)


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
            # schemathesis's own words, on one line (a report line, not a terminal block)
            detail = " — ".join(p.strip() for p in str(getattr(failure, "message", "")).splitlines()
                                if p.strip())
            curl = getattr(info, "code_sample", None) or (
                case.as_curl_command(base_url=target_url) if case is not None else "")
            findings[label][key] = Finding(label, check.name,
                                           FUZZ("finding", title=str(title)[:200], detail=detail[:300]),
                                           str(curl))


def _result(name: str, status: Status, message: str, where: str, curl: str = "") -> CheckResult:
    requirement = REQUIREMENTS[name]
    severity = requirement_severity(requirement) or Severity.MAJOR
    return CheckResult(check=name, requirement=requirement, title=FUZZ(name),
                       severity=severity, operation=Operation.ROBUSTESSE,
                       status=status, message=message, location=where,
                       expected=FUZZ("no_finding") if curl else None, observed=curl or None,
                       diff=(curl,) if curl else (), hint=FUZZ(f"hint.{requirement}") if curl else "")


def _step(index: int, label: str, findings: list[Finding], ran: set[str], calls: int) -> StepResult:
    where = f"{CONTRACT.name} {label}"
    results = []
    for name in sorted(ran | {f.check for f in findings}):
        mine = [f for f in findings if f.check == name]
        if mine:
            results += [_result(name, Status.FAIL, f.message, where, f.curl) for f in mine]
        else:
            results.append(_result(name, Status.PASS, FUZZ("clean", calls=calls), where))
    status = Status.FAIL if findings else Status.PASS
    return StepResult(index=index, kind=StepKind.FUZZ, title=label, status=status, duration=0.0,
                      checks=tuple(results))
