"""RT-01 … RT-06 and RT-08: create, consult and search round-trips, and what EP4 received."""

from __future__ import annotations

import copy
from typing import Any

from conformance.checks.compare import align_lines, diff
from conformance.checks.context import CheckContext
from conformance.checks.registry import Fact, Failed, NotEvaluated, Skipped, check
from conformance.messages import Message, Messages, Text
from conformance.scenario.contract import line_types as contract_line_types
from conformance.vocabulary import Severity, StepKind

COMPARED = ("prescripteur", "patient", "consentement", "lignes", "dateOrdonnance")

# what the helpers shared by several round-trip checks say
RT = Messages("roundtrip", {
    "no_create": Text("aucune création avant cette étape", "no create step before this one"),
    "not_object": Text("{what} n'est pas un objet", "{what} is not an object"),
    "an_object": Text("un objet", "an object"),
    "differ": Text("{count} champ(s) diffèrent entre la création et {what}",
                   "{count} field(s) differ between the creation and {what}"),
    "every_unchanged": Text("chaque champ créé inchangé", "every created field unchanged"),
    "unchanged": Text("{what} : chaque champ créé est inchangé",
                      "{what}: every created field unchanged"),
    "ep4_request": Text("la requête EP4", "EP4 request"),
    "consult": Text("la consultation", "consult"),
    "no_resultats": Text("pas de liste « resultats » dans la réponse à la recherche",
                         "no 'resultats' list in the search response"),
    "not_found": Text("la recherche n'a pas restitué {id}", "search did not return {id}"),
    "found": Text("{id} trouvée parmi {count} résultat(s)", "{id} found among {count} result(s)"),
})


def _expected(ctx: CheckContext) -> dict[str, Any]:
    if ctx.state.created is None:
        raise Skipped(RT("no_create"))
    return {k: copy.deepcopy(v) for k, v in ctx.state.created.items() if k in COMPARED}


def _compare(expected: dict[str, Any], observed: Any, what: Message) -> str:
    if not isinstance(observed, dict):
        raise Failed(RT("not_object", what=what), RT("an_object"), type(observed).__name__)
    observed = dict(observed)
    if isinstance(expected.get("lignes"), list) and isinstance(observed.get("lignes"), list):
        observed["lignes"] = align_lines(expected["lignes"], observed["lignes"])
    found = diff(expected, observed)
    if found:
        raise Failed(RT("differ", count=len(found), what=what), RT("every_unchanged"), found[0],
                     tuple(found))
    return RT("unchanged", what=what)


@check("created", "RT-01", Severity.BLOCKING,
       title=Text("Création nominale réussie et enregistrée",
                  "Nominal creation succeeds and is registered"),
       hint=Text("enregistrer par EP4 et répondre 201 avec l'identifiant et le statut « "
                     "enregistree »",
                 "register with EP4 and answer 201 with the id and statut 'enregistree'"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,),
       needs=(Fact.REGISTERED,), establishes=(Fact.REGISTERED,),
       messages={
           "not_registered": Text("la prescription n'est pas annoncée enregistrée",
                                  "the prescription is not reported as registered"),
           "unverifiable": Text("{id} créée ; son enregistrement n'est pas vérifiable : {why}",
                                "{id} created; its registration is not verifiable: {why}"),
           "never_registered": Text("le téléservice n'a jamais enregistré cette prescription "
                                    "(aucun appel EP4 accepté)",
                                    "the teleservice never registered this prescription (no "
                                    "accepted EP4 call)"),
           "ep4_2xx": Text("EP4 2xx pour {id}", "EP4 2xx for {id}"),
           "no_ep4_call": Text("aucun appel EP4", "no EP4 call"),
           "registered": Text("{id} créée et enregistrée", "{id} created and registered"),
       })
def created(ctx: CheckContext) -> str:
    """201, an id, statut 'enregistree', and EP4 accepted it (journal)."""
    msg = ctx.msg
    ctx.expect_status(201)
    pid = ctx.created_id()
    if ctx.body().get("statut") != "enregistree":
        raise Failed(msg("not_registered"), "enregistree", ctx.body().get("statut"))
    try:
        entries = ctx.journal("EP4", pid)
    except NotEvaluated as exc:
        raise NotEvaluated(msg("unverifiable", id=pid, why=exc.args[0])) from exc
    if not any(200 <= e["status"] < 300 for e in entries):
        raise Failed(msg("never_registered"), msg("ep4_2xx", id=pid),
                     [e["status"] for e in entries] or msg("no_ep4_call"))
    return msg("registered", id=pid)


@check("sent_equals_received", "RT-06", Severity.BLOCKING,
       title=Text("Ce qui est envoyé = ce que reçoit le téléservice",
                  "What is sent = what the teleservice receives"),
       hint=Text("transmettre à EP4 exactement ce que le médecin a saisi : aucune conversion",
                 "send EP4 exactly what the doctor entered: no conversion"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,), needs=(Fact.REGISTERED,),
       messages={
           "no_ep4": Text("aucun appel EP4 reçu pour cette prescription",
                          "no EP4 call received for this prescription"),
           "ep4_for": Text("EP4 pour {id}", "EP4 for {id}"),
           "none": Text("aucun", "none"),
       })
def sent_equals_received(ctx: CheckContext) -> str:
    """The EP4 request received by the teleservice carries every field entered."""
    pid = ctx.created_id()
    entries = [e for e in ctx.journal("EP4") if e["request"].get("prescription", {}).get("id")
               == pid]
    if not entries:
        raise Failed(ctx.msg("no_ep4"), ctx.msg("ep4_for", id=pid), ctx.msg("none"))
    return _compare(_expected(ctx), entries[-1]["request"].get("prescription"), RT("ep4_request"))


@check("same_as_created", "RT-02", Severity.BLOCKING,
       title=Text("Consultation = création, champ par champ",
                  "Consult = creation, field by field"),
       hint=Text("conserver et restituer chaque champ tel que saisi (Unicode NFC, sans troncature)",
                 "store and return every field as entered (Unicode NFC, no truncation)"),
       steps=(StepKind.CONSULT,), defaults=(StepKind.CONSULT,), needs=(Fact.REGISTERED,))
def same_as_created(ctx: CheckContext) -> str:
    """Consult returns what was created, field by field, after normalisation."""
    ctx.expect_status(200)
    return _compare(_expected(ctx), ctx.body(), RT("consult"))


def _result_ids(ctx: CheckContext) -> list[Any]:
    ctx.expect_status(200)
    body = ctx.body()
    results = body.get("resultats") if isinstance(body, dict) else None
    if not isinstance(results, list):
        raise Failed(RT("no_resultats"), "resultats: [...]", body)
    return [r.get("id") if isinstance(r, dict) else None for r in results]


def _contains(ctx: CheckContext) -> str:
    pid = ctx.expected_id()
    ids = _result_ids(ctx)
    if pid not in ids:
        raise Failed(RT("not_found", id=pid), pid, ids[-10:])
    return RT("found", id=pid, count=len(ids))


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
       steps=(StepKind.SEARCH,), defaults=(StepKind.SEARCH,),
       messages={
           "no_criterion": Text("recherche sans critère patient", "search without a patient criterion"),
           "others": Text("{count} résultat(s) d'un autre patient",
                          "{count} result(s) of another patient"),
           "only": Text("uniquement le patient {patient}", "only patient {patient}"),
           "all_of": Text("{count} résultat(s), tous du patient {patient}",
                          "{count} result(s), all of patient {patient}"),
       })
def only_patient(ctx: CheckContext) -> str:
    """Every result belongs to the searched patient."""
    msg = ctx.msg
    patient = ctx.step.params.get("patient")
    if not patient:
        raise Skipped(msg("no_criterion"))
    ctx.expect_status(200)
    results = ctx.body().get("resultats", [])
    others = [r.get("id") for r in results
              if isinstance(r, dict) and (r.get("patient") or {}).get("ins") != patient]
    if others:
        raise Failed(msg("others", count=len(others)), msg("only", patient=patient), others[:10])
    return msg("all_of", count=len(results), patient=patient)


def _out_of_scope_expected(ctx: CheckContext) -> None:
    """A creation refused for its line types is only expected while the profile keeps them out
    of scope (imaging and acts are due to join: then the scenario no longer applies)."""
    if ctx.step.kind != "create" or not isinstance(ctx.step.sent, dict):
        return
    lines = [ln for ln in ctx.step.sent.get("lignes") or [] if isinstance(ln, dict)]
    scope = ctx.profile.value("line_types")
    if lines and all(ln.get("type") in scope for ln in lines) and any(
            ln.get("type") not in contract_line_types() for ln in lines):
        raise Skipped(ctx.msg("in_scope", types=sorted({str(ln.get("type")) for ln in lines}),
                              profile=ctx.profile.name))


@check("rejected", "RT-08", Severity.MAJOR,
       title=Text("Saisie invalide refusée localement, rien transmis",
                  "Invalid input refused locally, nothing sent"),
       hint=Text("valider localement et répondre 4xx problem+json en nommant la règle ; n'appeler "
                     "aucun téléservice",
                 "validate locally and answer 4xx problem+json naming the rule; call no teleservice"),
       steps=(StepKind.CREATE, StepKind.CONSULT), exclusive=True, invalid_input=True,
       messages={
           "in_scope": Text("les types de ligne {types} sont dans le périmètre selon le profil "
                            "{profile} : aucun refus attendu",
                            "line types {types} are in scope per profile {profile}: no rejection "
                            "expected"),
           "not_rejected": Text("la saisie invalide n'a pas été refusée",
                                "invalid input was not rejected"),
           "wrong_rule": Text("le refus ne nomme pas la règle attendue",
                              "the rejection does not name the expected rule"),
           "unverifiable": Text("refusée avec {rule} ; que rien n'ait atteint le téléservice n'est "
                                "pas vérifiable : {why}",
                                "rejected with {rule}; that nothing reached the teleservice is not "
                                "verifiable: {why}"),
           "reached": Text("la saisie invalide a atteint le téléservice",
                           "the invalid input reached the teleservice"),
           "no_call": Text("aucun appel au téléservice", "no teleservice call"),
           "rejected": Text("refusée localement avec {rule}", "rejected locally with {rule}"),
       })
def rejected(ctx: CheckContext) -> str:
    """A 4xx problem naming the expected rule, and no call reached the teleservice."""
    msg = ctx.msg
    ex = ctx.exchange
    rule = ctx.arg.get("rule") if isinstance(ctx.arg, dict) else ctx.arg
    _out_of_scope_expected(ctx)
    if ex.error or ex.status is None or not 400 <= ex.status < 500:
        raise Failed(msg("not_rejected"), "HTTP 4xx", ex.status or ex.error_kind)
    body = ctx.body()
    named = body.get("rule") if isinstance(body, dict) else None
    if rule and named != rule:
        raise Failed(msg("wrong_rule"), rule, named)
    try:
        calls = ctx.journal()
    except NotEvaluated as exc:
        raise NotEvaluated(msg("unverifiable", rule=named, why=exc.args[0])) from exc
    if calls:
        raise Failed(msg("reached"), msg("no_call"),
                     [f"{e['operation']} → {e['status']}" for e in calls])
    return msg("rejected", rule=named)


@check("line_types", "RT-07", Severity.MAJOR,
       title=Text("Chaque type de ligne fait l'aller-retour",
                  "Every line type round-trips"),
       hint=Text("prendre en charge de bout en bout chaque type de ligne déclaré dans /about",
                 "support every line type declared in /about, end to end"),
       steps=(StepKind.CONSULT,), defaults=(StepKind.CONSULT,), needs=(Fact.REGISTERED,),
       messages={
           "no_lignes": Text("pas de liste « lignes » dans la réponse à la consultation",
                             "no 'lignes' list in the consult response"),
           "lost": Text("{kind} : {sent} envoyée(s), {returned} restituée(s)",
                        "{kind}: {sent} sent, {returned} returned"),
           "not_round_trip": Text("le type de ligne {kind} ne fait pas l'aller-retour",
                                  "line type {kind} does not round-trip"),
           "round_trip": Text("{count} type(s) de ligne font l'aller-retour : {kinds}",
                              "{count} line type(s) round-trip: {kinds}"),
       })
def line_types(ctx: CheckContext) -> str:
    """Consult returns as many lines of each type as were created."""
    msg = ctx.msg
    created_lines = [ln for ln in _expected(ctx).get("lignes", []) if isinstance(ln, dict)]
    ctx.expect_status(200)
    body = ctx.body()
    returned = body.get("lignes") if isinstance(body, dict) else None
    if not isinstance(returned, list):
        raise Failed(msg("no_lignes"), "lignes: [...]", returned)

    def count(lines: list[Any]) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in lines:
            kind = str(line.get("type")) if isinstance(line, dict) else "?"
            out[kind] = out.get(kind, 0) + 1
        return out

    sent, got = count(created_lines), count(returned)
    lost = [k for k, v in sent.items() if got.get(k, 0) != v]
    if lost:
        raise Failed(msg("not_round_trip", kind=lost[0]), sent, got,
                     tuple(msg("lost", kind=k, sent=sent[k], returned=got.get(k, 0)) for k in lost))
    return msg("round_trip", count=len(sent), kinds=", ".join(sorted(sent)))


@check("no_duplicate", "RT-09", Severity.MAJOR,
       title=Text("Resoumettre un identifiant ne crée pas de doublon",
                  "Re-submitting an identifier creates no duplicate"),
       hint=Text("reconnaître un identifiant déjà enregistré : le restituer, ne rien enregistrer",
                 "recognise an id already registered: answer with it, register nothing new"),
       steps=(StepKind.CREATE,), exclusive=True,
       messages={
           "not_resubmission": Text("le corps ne porte pas d'identifiant : pas une nouvelle "
                                    "soumission",
                                    "the body carries no id: not a re-submission"),
           "no_response": Text("pas de réponse : {error}", "no response: {error}"),
           "200_409": Text("200 ou 409", "200 or 409"),
           "another_id": Text("la nouvelle soumission a produit un autre identifiant",
                              "the re-submission produced another identifier"),
           "unexpected": Text("réponse inattendue à une nouvelle soumission : HTTP {status}",
                              "unexpected answer to a re-submission: HTTP {status}"),
           "200_201_409": Text("200, 201 ou 409", "200, 201 or 409"),
           "unverifiable": Text("même identifiant {id} ; qu'aucun doublon n'ait été enregistré "
                                "n'est pas vérifiable : {why}",
                                "same id {id}; that no duplicate was registered is not "
                                "verifiable: {why}"),
           "registered": Text("la nouvelle soumission a enregistré une nouvelle prescription",
                              "the re-submission registered a new prescription"),
           "no_accepted": Text("aucun appel EP4 accepté", "no accepted EP4 call"),
           "nothing": Text("nouvelle soumission de {id} : HTTP {status}, rien d'enregistré",
                           "re-submission of {id}: HTTP {status}, nothing registered"),
       })
def no_duplicate(ctx: CheckContext) -> str:
    """Re-posting a body with an existing id: same id back (or a 409), no new registration."""
    msg = ctx.msg
    given = ctx.step.sent.get("id") if isinstance(ctx.step.sent, dict) else None
    if not given:
        raise Skipped(msg("not_resubmission"))
    ex = ctx.exchange
    if ex.error:
        raise Failed(msg("no_response", error=ex.error), msg("200_409"), ex.error_kind)
    if ex.status in (200, 201):
        body = ctx.body()
        got = body.get("id") if isinstance(body, dict) else None
        if got != given:
            raise Failed(msg("another_id"), given, got)
    elif ex.status != 409:
        raise Failed(msg("unexpected", status=ex.status), msg("200_201_409"), ex.status)
    try:
        registered = [e for e in ctx.journal("EP4") if 200 <= e["status"] < 300]
    except NotEvaluated as exc:
        raise NotEvaluated(msg("unverifiable", id=given, why=exc.args[0])) from exc
    if registered:
        raise Failed(msg("registered"), msg("no_accepted"), [e.get("id") for e in registered])
    return msg("nothing", id=given, status=ex.status)
