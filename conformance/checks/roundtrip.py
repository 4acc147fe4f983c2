"""RT-01 … RT-06 and RT-08: create, consult and search round-trips, and what EP4 received."""

from __future__ import annotations

import copy
from typing import Any

from conformance.checks.compare import align_lines, diff
from conformance.checks.context import CheckContext
from conformance.checks.registry import Fact, Failed, NotEvaluated, Skipped, check
from conformance.messages import Text
from conformance.scenario.contract import line_types as contract_line_types
from conformance.vocabulary import Severity, StepKind

COMPARED = ("prescripteur", "patient", "consentement", "lignes", "dateOrdonnance")


def _expected(ctx: CheckContext) -> dict[str, Any]:
    if ctx.state.created is None:
        raise Skipped("no create step before this one")
    return {k: copy.deepcopy(v) for k, v in ctx.state.created.items() if k in COMPARED}


def _compare(expected: dict[str, Any], observed: Any, what: str) -> str:
    if not isinstance(observed, dict):
        raise Failed(f"{what} is not an object", "an object", type(observed).__name__)
    observed = dict(observed)
    if isinstance(expected.get("lignes"), list) and isinstance(observed.get("lignes"), list):
        observed["lignes"] = align_lines(expected["lignes"], observed["lignes"])
    found = diff(expected, observed)
    if found:
        raise Failed(f"{len(found)} field(s) differ between the creation and {what}",
                     "every created field unchanged", found[0], tuple(found))
    return f"{what}: every created field unchanged"


@check("created", "RT-01", Severity.BLOCKING,
       title=Text("Création nominale réussie et enregistrée",
                  "Nominal creation succeeds and is registered"),
       hint=Text("enregistrer par EP4 et répondre 201 avec l'identifiant et le statut « "
                     "enregistree »",
                 "register with EP4 and answer 201 with the id and statut 'enregistree'"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,),
       needs=(Fact.REGISTERED,), establishes=(Fact.REGISTERED,))
def created(ctx: CheckContext) -> str:
    """201, an id, statut 'enregistree', and EP4 accepted it (journal)."""
    ctx.expect_status(201)
    pid = ctx.created_id()
    if ctx.body().get("statut") != "enregistree":
        raise Failed("the prescription is not reported as registered", "enregistree",
                     ctx.body().get("statut"))
    try:
        entries = ctx.journal("EP4", pid)
    except NotEvaluated as exc:
        raise NotEvaluated(f"{pid} created; its registration is not verifiable: {exc}") from exc
    if not any(200 <= e["status"] < 300 for e in entries):
        raise Failed("the teleservice never registered this prescription (no accepted EP4 call)",
                     f"EP4 2xx for {pid}", [e["status"] for e in entries] or "no EP4 call")
    return f"{pid} created and registered"


@check("sent_equals_received", "RT-06", Severity.BLOCKING,
       title=Text("Ce qui est envoyé = ce que reçoit le téléservice",
                  "What is sent = what the teleservice receives"),
       hint=Text("transmettre à EP4 exactement ce que le médecin a saisi : aucune conversion",
                 "send EP4 exactly what the doctor entered: no conversion"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,), needs=(Fact.REGISTERED,))
def sent_equals_received(ctx: CheckContext) -> str:
    """The EP4 request received by the teleservice carries every field entered."""
    pid = ctx.created_id()
    entries = [e for e in ctx.journal("EP4") if e["request"].get("prescription", {}).get("id")
               == pid]
    if not entries:
        raise Failed("no EP4 call received for this prescription", f"EP4 for {pid}", "none")
    return _compare(_expected(ctx), entries[-1]["request"].get("prescription"), "EP4 request")


@check("same_as_created", "RT-02", Severity.BLOCKING,
       title=Text("Consultation = création, champ par champ",
                  "Consult = creation, field by field"),
       hint=Text("conserver et restituer chaque champ tel que saisi (Unicode NFC, sans troncature)",
                 "store and return every field as entered (Unicode NFC, no truncation)"),
       steps=(StepKind.CONSULT,), defaults=(StepKind.CONSULT,), needs=(Fact.REGISTERED,))
def same_as_created(ctx: CheckContext) -> str:
    """Consult returns what was created, field by field, after normalisation."""
    ctx.expect_status(200)
    return _compare(_expected(ctx), ctx.body(), "consult")


def _result_ids(ctx: CheckContext) -> list[Any]:
    ctx.expect_status(200)
    body = ctx.body()
    results = body.get("resultats") if isinstance(body, dict) else None
    if not isinstance(results, list):
        raise Failed("no 'resultats' list in the search response", "resultats: [...]", body)
    return [r.get("id") if isinstance(r, dict) else None for r in results]


def _contains(ctx: CheckContext) -> str:
    pid = ctx.expected_id()
    ids = _result_ids(ctx)
    if pid not in ids:
        raise Failed(f"search did not return {pid}", pid, ids[-10:])
    return f"{pid} found among {len(ids)} result(s)"


@check("contains_id", "RT-03", Severity.BLOCKING,
       title=Text("Recherche par patient : trouve la prescription",
                  "Search by patient finds the prescription"),
       hint=Text("interroger EP2 avec le patient et les dates et restituer tous les résultats",
                 "query EP2 with the patient and dates and return every result"),
       steps=(StepKind.SEARCH,), defaults=(StepKind.SEARCH,), needs=(Fact.REGISTERED,))
def contains_id(ctx: CheckContext) -> str:
    """Search (by patient, and date range) finds the created id."""
    return _contains(ctx)


@check("found_by_prescriber", "RT-04", Severity.MAJOR,
       title=Text("Recherche par prescripteur : trouve la prescription",
                  "Search by prescriber finds the prescription"),
       hint=Text("interroger EP2 par prescripteur et restituer tous les résultats",
                 "query EP2 by prescriber and return every result"),
       steps=(StepKind.SEARCH,), needs=(Fact.REGISTERED,))
def found_by_prescriber(ctx: CheckContext) -> str:
    """Search by prescriber finds the created id."""
    return _contains(ctx)


@check("only_patient", "RT-05", Severity.BLOCKING,
       title=Text("La recherche ne renvoie jamais un autre patient",
                  "Search never returns another patient"),
       hint=Text("transmettre le critère patient à EP2 et n'en rien filtrer",
                 "pass the patient criterion to EP2 and filter nothing out of it"),
       steps=(StepKind.SEARCH,), defaults=(StepKind.SEARCH,))
def only_patient(ctx: CheckContext) -> str:
    """Every result belongs to the searched patient."""
    patient = ctx.step.params.get("patient")
    if not patient:
        raise Skipped("search without a patient criterion")
    ctx.expect_status(200)
    results = ctx.body().get("resultats", [])
    others = [r.get("id") for r in results
              if isinstance(r, dict) and (r.get("patient") or {}).get("ins") != patient]
    if others:
        raise Failed(f"{len(others)} result(s) of another patient", f"only patient {patient}",
                     others[:10])
    return f"{len(results)} result(s), all of patient {patient}"


def _out_of_scope_expected(ctx: CheckContext) -> None:
    """A creation refused for its line types is only expected while the profile keeps them out
    of scope (imaging and acts are due to join: then the scenario no longer applies)."""
    if ctx.step.kind != "create" or not isinstance(ctx.step.sent, dict):
        return
    lines = [ln for ln in ctx.step.sent.get("lignes") or [] if isinstance(ln, dict)]
    scope = ctx.profile.value("line_types")
    if lines and all(ln.get("type") in scope for ln in lines) and any(
            ln.get("type") not in contract_line_types() for ln in lines):
        raise Skipped(f"line types {sorted({str(ln.get('type')) for ln in lines})} are in scope "
                      f"per profile {ctx.profile.name}: no rejection expected")


@check("rejected", "RT-08", Severity.MAJOR,
       title=Text("Saisie invalide refusée localement, rien transmis",
                  "Invalid input refused locally, nothing sent"),
       hint=Text("valider localement et répondre 4xx problem+json en nommant la règle ; n'appeler "
                     "aucun téléservice",
                 "validate locally and answer 4xx problem+json naming the rule; call no teleservice"),
       steps=(StepKind.CREATE, StepKind.CONSULT), exclusive=True)
def rejected(ctx: CheckContext) -> str:
    """A 4xx problem naming the expected rule, and no call reached the teleservice."""
    ex = ctx.exchange
    rule = ctx.arg.get("rule") if isinstance(ctx.arg, dict) else ctx.arg
    _out_of_scope_expected(ctx)
    if ex.error or ex.status is None or not 400 <= ex.status < 500:
        raise Failed("invalid input was not rejected", "HTTP 4xx", ex.status or ex.error_kind)
    body = ctx.body()
    named = body.get("rule") if isinstance(body, dict) else None
    if rule and named != rule:
        raise Failed("the rejection does not name the expected rule", rule, named)
    try:
        calls = ctx.journal()
    except NotEvaluated as exc:
        raise NotEvaluated(f"rejected with {named}; that nothing reached the teleservice is not "
                           f"verifiable: {exc}") from exc
    if calls:
        raise Failed("the invalid input reached the teleservice", "no teleservice call",
                     [f"{e['operation']} → {e['status']}" for e in calls])
    return f"rejected locally with {named}"


@check("line_types", "RT-07", Severity.MAJOR,
       title=Text("Chaque type de ligne fait l'aller-retour",
                  "Every line type round-trips"),
       hint=Text("prendre en charge de bout en bout chaque type de ligne déclaré dans /about",
                 "support every line type declared in /about, end to end"),
       steps=(StepKind.CONSULT,), defaults=(StepKind.CONSULT,), needs=(Fact.REGISTERED,))
def line_types(ctx: CheckContext) -> str:
    """Consult returns as many lines of each type as were created."""
    created_lines = [ln for ln in _expected(ctx).get("lignes", []) if isinstance(ln, dict)]
    ctx.expect_status(200)
    body = ctx.body()
    returned = body.get("lignes") if isinstance(body, dict) else None
    if not isinstance(returned, list):
        raise Failed("no 'lignes' list in the consult response", "lignes: [...]", returned)

    def count(lines: list[Any]) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in lines:
            kind = str(line.get("type")) if isinstance(line, dict) else "?"
            out[kind] = out.get(kind, 0) + 1
        return out

    sent, got = count(created_lines), count(returned)
    lost = {k: f"{v} sent, {got.get(k, 0)} returned" for k, v in sent.items() if got.get(k, 0) != v}
    if lost:
        first = next(iter(lost))
        raise Failed(f"line type {first} does not round-trip", sent, got,
                     tuple(f"{k}: {v}" for k, v in lost.items()))
    return f"{len(sent)} line type(s) round-trip: {', '.join(sorted(sent))}"


@check("no_duplicate", "RT-09", Severity.MAJOR,
       title=Text("Resoumettre un identifiant ne crée pas de doublon",
                  "Re-submitting an identifier creates no duplicate"),
       hint=Text("reconnaître un identifiant déjà enregistré : le restituer, ne rien enregistrer",
                 "recognise an id already registered: answer with it, register nothing new"),
       steps=(StepKind.CREATE,), exclusive=True)
def no_duplicate(ctx: CheckContext) -> str:
    """Re-posting a body with an existing id: same id back (or a 409), no new registration."""
    given = ctx.step.sent.get("id") if isinstance(ctx.step.sent, dict) else None
    if not given:
        raise Skipped("the body carries no id: not a re-submission")
    ex = ctx.exchange
    if ex.error:
        raise Failed(f"no response: {ex.error}", "200 or 409", ex.error_kind)
    if ex.status in (200, 201):
        body = ctx.body()
        got = body.get("id") if isinstance(body, dict) else None
        if got != given:
            raise Failed("the re-submission produced another identifier", given, got)
    elif ex.status != 409:
        raise Failed(f"unexpected answer to a re-submission: HTTP {ex.status}", "200, 201 or 409",
                     ex.status)
    try:
        registered = [e for e in ctx.journal("EP4") if 200 <= e["status"] < 300]
    except NotEvaluated as exc:
        raise NotEvaluated(f"same id {given}; that no duplicate was registered is not verifiable: "
                           f"{exc}") from exc
    if registered:
        raise Failed("the re-submission registered a new prescription", "no accepted EP4 call",
                     [e.get("id") for e in registered])
    return f"re-submission of {given}: HTTP {ex.status}, nothing registered"
