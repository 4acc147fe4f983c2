"""``adapter check``: a first contact with an adapter, operation by operation, in seconds.

It sends what a run sends first — /about, the contract's own create example, then consult,
search and paper on the id it got — and says, for each operation, whether the answer is what
the contract describes, and what to fix when it is not. It proves nothing about conformity
(the run does): it tells an editor whether a run is worth starting."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema
import yaml

from conformance.application.settings import ApplicationError, check_url
from conformance.paths import CONTRACT
from conformance.targets.http import Exchange, HttpTarget, Limits
from conformance.vocabulary import ExitCode

SERVER_ERROR = ("a 5xx is never the answer to a valid request: read the adapter's log (is the "
                "teleservice its software calls running, and at the URL it is configured with?)")


class Outcome(enum.StrEnum):
    """What one operation's probe found."""

    OK = "ok"
    PROBLEM = "problem"
    NOT_TRIED = "not tried"  # an earlier operation gave nothing to try it with


@dataclass(frozen=True, kw_only=True)
class Probe:
    """One operation: what was sent, what came back, and the fix when it is wrong."""

    operation: str  # "GET /about"
    outcome: Outcome
    detail: str
    fix: str = ""
    elapsed_ms: float = 0.0


@functools.cache
def _spec() -> dict[str, Any]:
    return dict(yaml.safe_load(CONTRACT.read_text(encoding="utf-8")))


def _schema_problem(schema: str, value: Any) -> str | None:
    """Why ``value`` is not a ``schema`` of the contract (the first reason), or None."""
    validator = jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{schema}",
                                                 "components": _spec()["components"]})
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is None:
        return None
    where = "/".join(map(str, error.absolute_path)) or "the body"
    return f"{where}: {error.message[:160]}"


def example_body() -> dict[str, Any]:
    """The create example of the contract: what every adapter must accept."""
    post = _spec()["paths"]["/prescriptions"]["post"]
    return dict(post["requestBody"]["content"]["application/json"]["example"])


def _transport(ex: Exchange, operation: str) -> Probe | None:
    if ex.error is None:
        return None
    fix = {"connect": "start the adapter, or check --target (host and port)",
           "timeout": "the adapter must answer within the timeout; is it waiting on the "
                      "teleservice it is configured with?"}.get(ex.error_kind or "", "")
    return Probe(operation=operation, outcome=Outcome.PROBLEM, detail=ex.error, fix=fix,
                 elapsed_ms=ex.elapsed * 1000)


def _json_probe(ex: Exchange, operation: str, statuses: tuple[int, ...], schema: str,
                fix_status: str, more: Callable[[Any], tuple[str, str] | None] | None = None,
                ) -> tuple[Probe, Any]:
    """A JSON answer with one of ``statuses`` matching ``schema``, then ``more``'s own check."""
    failed = _transport(ex, operation)
    if failed is not None:
        return failed, None
    ms = ex.elapsed * 1000

    def problem(detail: str, fix: str) -> tuple[Probe, Any]:
        return Probe(operation=operation, outcome=Outcome.PROBLEM, detail=detail, fix=fix,
                     elapsed_ms=ms), None

    if ex.status not in statuses:
        said = _said(ex)
        fix = fix_status if (ex.status or 0) < 500 else SERVER_ERROR
        return problem(f"HTTP {ex.status}{said}, expected {' or '.join(map(str, statuses))}", fix)
    if ex.content_type != "application/json":
        return problem(f"content type {ex.content_type or 'none'!r}",
                       "answer with Content-Type: application/json")
    try:
        data = ex.json()
    except ValueError as exc:
        return problem(f"the body is not JSON ({exc})", "answer a JSON object")
    wrong = _schema_problem(schema, data)
    if wrong is not None:
        return problem(f"not a {schema}: {wrong}",
                       f"see components/schemas/{schema} in 'conformance contract adapter'")
    if more is not None and (extra := more(data)) is not None:
        return problem(*extra)
    return Probe(operation=operation, outcome=Outcome.OK, detail=f"HTTP {ex.status}, a valid {schema}",
                 elapsed_ms=ms), data


def _said(ex: Exchange) -> str:
    """What a refusal said (its problem's title, detail and rule), shortened."""
    try:
        data = ex.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    words = [str(data[k]) for k in ("rule", "title", "detail") if data.get(k)]
    return f" ({' — '.join(words)[:200]})" if words else ""


def _created(data: Any) -> tuple[str, str] | None:
    if data.get("statut") != "enregistree":
        return (f"statut {data.get('statut')!r}: the example was not registered ({data.get('motif', '')})",
                "is the adapter's software connected to the teleservice (or the simulator)?")
    pid = data.get("id")
    if not isinstance(pid, str) or not re.fullmatch(r"[0-9A-Z]{18}", pid):
        return (f"id {pid!r} is not 18 characters of [0-9A-Z]",
                "answer the prescription's 18-character identifier in 'id'")
    return None


def check_adapter(target: str, timeout: float = 5.0, headers: tuple[tuple[str, str], ...] = (),
                  transport: Any = None) -> list[Probe]:
    """Probe the five operations of the adapter contract at ``target``."""
    check_url(target, "--target")
    http = HttpTarget(target, Limits(timeout=timeout), transport=transport, headers=headers)
    try:
        return _probes(http)
    finally:
        http.close()


def _probes(http: HttpTarget) -> list[Probe]:
    about_ex = http.send("GET", "/about")
    if about_ex.error_kind == "connect":
        raise ApplicationError(f"target unreachable: {http.base_url}: {about_ex.error}\n  = start the "
                               "adapter, or check --target", ExitCode.UNREACHABLE)
    about, _ = _json_probe(about_ex, "GET /about", (200,), "About",
                           "serve GET /about: the conformance statement (logiciel, versionContrat, "
                           "capacites)")
    body = example_body()
    created, data = _json_probe(http.send("POST", "/prescriptions", body), "POST /prescriptions",
                                (201,), "CreateResponse",
                                "accept the contract's create example (conformance contract adapter, "
                                "POST /prescriptions) and answer 201", _created)
    probes = [about, created]
    pid = data.get("id") if isinstance(data, dict) else None
    consult_op = "GET /prescriptions/{id}"
    search_op = "GET /prescriptions?prescripteur=…&patient=…"
    paper_op = "GET /prescriptions/{id}/paper"
    if not isinstance(pid, str):
        why = "POST /prescriptions gave no id to try it with"
        return [*probes, *(Probe(operation=op, outcome=Outcome.NOT_TRIED, detail=why)
                           for op in (consult_op, search_op, paper_op))]

    def same_id(found: Any) -> tuple[str, str] | None:
        if found.get("id") != pid:
            return (f"id {found.get('id')!r}, not the created {pid}", "answer the consulted prescription")
        return None

    def contains(found: Any) -> tuple[str, str] | None:
        if not any(isinstance(r, dict) and r.get("id") == pid for r in found["resultats"]):
            return (f"the prescription just created ({pid}) is not among the {len(found['resultats'])} "
                    "result(s)", "search the teleservice (EP2) as the doctor named by 'prescripteur'")
        return None

    probes.append(_json_probe(http.send("GET", f"/prescriptions/{pid}"), consult_op, (200,),
                              "Prescription", "consult the teleservice (EP3) as the prescriber and "
                              "answer the prescription", same_id)[0])
    query = {"prescripteur": body["prescripteur"]["rpps"], "patient": body["patient"]["ins"]}
    probes.append(_json_probe(http.send("GET", "/prescriptions", params=query), search_op, (200,),
                              "SearchResponse", "serve GET /prescriptions with the query parameters "
                              "prescripteur, patient, du, au", contains)[0])
    probes.append(_paper(http.send("GET", f"/prescriptions/{pid}/paper"), paper_op))
    return probes


def _paper(ex: Exchange, operation: str) -> Probe:
    failed = _transport(ex, operation)
    if failed is not None:
        return failed
    ms = ex.elapsed * 1000
    magic = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n"}
    if ex.status != 200:
        return Probe(operation=operation, outcome=Outcome.PROBLEM, elapsed_ms=ms,
                     detail=f"HTTP {ex.status}{_said(ex)}, expected 200",
                     fix=SERVER_ERROR if (ex.status or 0) >= 500
                     else "serve the printed ordonnance of the prescription just created")
    if ex.content_type not in magic:
        return Probe(operation=operation, outcome=Outcome.PROBLEM, elapsed_ms=ms,
                     detail=f"content type {ex.content_type or 'none'!r}",
                     fix="answer the paper as application/pdf (or image/png for a scan)")
    if not ex.body.startswith(magic[ex.content_type]):
        return Probe(operation=operation, outcome=Outcome.PROBLEM, elapsed_ms=ms,
                     detail=f"the body is not a {ex.content_type} file ({len(ex.body)} bytes)",
                     fix="send the file's bytes as they are (no JSON, no base64)")
    return Probe(operation=operation, outcome=Outcome.OK, elapsed_ms=ms,
                 detail=f"HTTP 200, {ex.content_type}, {len(ex.body)} bytes (its content is "
                        "checked by a run, or by 'conformance inspect paper')")
