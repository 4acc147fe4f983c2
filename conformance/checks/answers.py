"""ROB-02 on every step: each answer of the target is validated against the adapter contract
before any other check reads it. A shape the contract forbids is the target's anomaly, named by
operation and JSON path, and the step's other checks are not evaluated — so that no answer,
valid or not, can make a check trip on a shape it did not expect (a harness error)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import jsonschema
import jsonschema_rs

from conformance.checks.context import CheckContext
from conformance.checks.registry import Fact, Failed, Skipped, check
from conformance.messages import Text
from conformance.scenario.contract import spec
from conformance.targets import Exchange
from conformance.vocabulary import Severity, StepKind

# the contract operation of each step kind that talks to the target
OPERATIONS = {StepKind.CREATE: ("post", "/prescriptions"),
              StepKind.CONSULT: ("get", "/prescriptions/{id}"),
              StepKind.SEARCH: ("get", "/prescriptions"),
              StepKind.PAPER: ("get", "/prescriptions/{id}/paper"),
              StepKind.DMP: ("get", "/prescriptions/{id}/dmp")}
SHOWN = 120  # characters of an offending value quoted in the message


@functools.cache
def _schema(method: str, path: str, status: str) -> dict[str, Any] | None:
    """The JSON schema the contract gives this operation's answer with ``status`` (None when
    the status is not declared, or its answer is not JSON: the step's checks judge those)."""
    contract = spec()
    response = contract["paths"][path][method]["responses"].get(status)
    if response is None:
        return None
    if "$ref" in response:
        response = contract["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    for media, content in response.get("content", {}).items():
        if "json" in media and "schema" in content:
            return {**content["schema"], "components": contract["components"]}
    return None


@functools.cache
def _validator(method: str, path: str, status: str) -> jsonschema.Draft202012Validator | None:
    """The validator that says where an answer breaks the schema (slow: only when it does)."""
    schema = _schema(method, path, status)
    return None if schema is None else jsonschema.Draft202012Validator(schema)


@functools.cache
def _fast(method: str, path: str, status: str) -> Callable[[Any], bool]:
    """Whether an answer is valid, in microseconds (jsonschema_rs, the same schema)."""
    schema = _schema(method, path, status)
    assert schema is not None, "asked only for a declared JSON answer"
    is_valid = jsonschema_rs.validator_for(schema).is_valid
    return lambda document: bool(is_valid(document))


def _json_media(exchange: Exchange) -> bool:
    """The answer says it is JSON (under another media type, the checks that read it report
    the lie: one root cause)."""
    ctype = exchange.content_type
    return ctype == "application/json" or ctype.endswith("+json")


def _path(error: jsonschema.ValidationError) -> str:
    out = "$"
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _violation(exchange: Exchange, method: str, path: str,
               ) -> tuple[bool, jsonschema.ValidationError | None]:
    """Whether the answer could be validated (a JSON answer with a status the contract
    declares), and where it breaks the schema if it does."""
    if exchange.error or exchange.status is None:
        return False, None
    validator = _validator(method, path, str(exchange.status))
    if validator is None or not _json_media(exchange):
        return False, None
    try:
        document = exchange.json()
    except ValueError:
        return False, None  # not JSON: the checks that read it say so (one root cause)
    if _fast(method, path, str(exchange.status))(document):
        return True, None  # the usual case, in microseconds (jsonschema_rs); details only when not
    return True, jsonschema.exceptions.best_match(validator.iter_errors(document))


def _what(ctx: CheckContext, error: jsonschema.ValidationError) -> str:
    """What the contract asked at that path, in the report's words."""
    kind = str(error.validator)
    expected = error.validator_value
    if kind == "type":
        types = [expected] if isinstance(expected, str) else expected if isinstance(expected, list) else []
        return ctx.msg("want_type", type="/".join(map(str, types)))
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return ctx.msg("want_field", field=missing[0] if missing else _shown(expected))
    if kind == "enum":
        values = expected if isinstance(expected, list) else [expected]
        return ctx.msg("want_one_of", values=", ".join(str(v) for v in values))
    if kind == "additionalProperties":
        return ctx.msg("want_no_other")
    return ctx.msg("want_rule", rule=kind, value=_shown(expected))


@check("answer_conforms", "ROB-02", Severity.MAJOR,
       title=Text("Réponse conforme au contrat de l'adaptateur",
                  "Answer conforms to the adapter contract"),
       hint=Text("répondre la forme que déclare le contrat pour cette opération et ce statut "
                 "(conformance contract adapter)",
                 "answer the shape the contract declares for this operation and status "
                 "(conformance contract adapter)"),
       steps=(StepKind.CREATE, StepKind.CONSULT, StepKind.SEARCH, StepKind.PAPER, StepKind.DMP),
       defaults=(StepKind.CREATE, StepKind.CONSULT, StepKind.SEARCH, StepKind.PAPER,
                 StepKind.DMP),
       gate=True, establishes=(Fact.CONTRACT,),
       messages={
           "breaks": Text("la réponse de {operation} (HTTP {status}) enfreint le contrat en {path} : "
                          "{what}",
                          "the {operation} answer (HTTP {status}) breaks the contract at {path}: {what}"),
           "schema": Text("le schéma du contrat pour {operation} HTTP {status}",
                          "the contract's schema for {operation} HTTP {status}"),
           "want_type": Text("un {type} attendu", "a {type} expected"),
           "want_field": Text("le champ obligatoire « {field} » manque",
                              "the required field '{field}' is missing"),
           "want_one_of": Text("une de ces valeurs attendue : {values}",
                               "one of these values expected: {values}"),
           "want_no_other": Text("aucun autre champ n'est permis", "no other field is allowed"),
           "want_rule": Text("règle « {rule} » du schéma non respectée ({value})",
                             "schema rule '{rule}' not met ({value})"),
           "nothing": Text("aucune réponse JSON de {operation} à valider (un PDF, pas de réponse, "
                           "ou un statut que le contrat ne déclare pas : les autres vérifications "
                           "en jugent)",
                           "no JSON answer of {operation} to validate (a PDF, no answer, or a "
                           "status the contract does not declare: the other checks judge it)"),
           "conforms": Text("{count} réponse(s) conforme(s) au contrat",
                            "{count} answer(s) conform to the contract"),
       })
def answer_conforms(ctx: CheckContext) -> str:
    """Every answer of the step has the shape the contract declares for its operation and status."""
    method, path = OPERATIONS[StepKind(ctx.step.kind)]
    operation = f"{method.upper()} {path}"
    validated = 0
    for exchange in ctx.step.exchanges:
        judged, error = _violation(exchange, method, path)
        validated += judged
        if error is not None:
            where = _path(error)
            raise Failed(ctx.msg("breaks", operation=operation, status=exchange.status, path=where,
                                 what=_what(ctx, error)),
                         ctx.msg("schema", operation=operation, status=exchange.status),
                         f"{where}: {_shown(error.instance)}")
    if not validated:  # a PDF, no answer, a status the contract does not declare: the other
        raise Skipped(ctx.msg("nothing", operation=operation))  # checks judge those
    return ctx.msg("conforms", count=validated)
