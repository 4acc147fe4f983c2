"""DEG-01, DEG-02: degraded mode, when the teleservice is unavailable, times out or fails;
DEG-03: the whole run's journal reconciled with what the target reported.

The doctor still prints a classic ordonnance: no code 2D, no e-prescription number, and
nothing pretends the prescription was registered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from conformance.checks.context import CheckContext, Creation
from conformance.checks.registry import Fact, Failed, NotEvaluated, Skipped, check
from conformance.messages import Messages, Text
from conformance.vocabulary import Severity, StepKind


@check("degraded_reported", "DEG-02", Severity.MAJOR,
       title=Text("Mode dégradé : échec signalé, aucun identifiant fantôme, rien d'enregistré",
                  "Degraded mode: failure reported, no phantom id, nothing registered"),
       hint=Text("quand EP4 échoue, répondre statut « non-enregistree » (ou un problème 5xx) sans "
                 "identifiant",
                 "when EP4 fails, answer statut 'non-enregistree' (or a 5xx problem) without an id"),
       steps=(StepKind.CREATE,), exclusive=True,
       messages={
           "no_response": Text("pas de réponse : {error}", "no response: {error}"),
           "an_answer": Text("une réponse signalant l'échec", "an answer reporting the failure"),
           "registered": Text("annoncée enregistrée alors que le téléservice a échoué",
                              "reported as registered although the teleservice failed"),
           "not_registered": Text("statut non-enregistree", "statut non-enregistree"),
           "phantom": Text("un identifiant fantôme a été donné alors que rien n'a été enregistré",
                           "a phantom identifier was given although nothing was registered"),
           "no_id": Text("aucun identifiant", "no id"),
           "unexpected": Text("réponse inattendue pendant l'échec du téléservice",
                              "unexpected answer while the teleservice fails"),
           "failure_answer": Text("201 non-enregistree ou 5xx", "201 non-enregistree or 5xx"),
           "unverifiable": Text("échec signalé ; qu'aucun enregistrement n'ait eu lieu n'est pas "
                                "vérifiable : {why}",
                                "failure reported; that nothing was registered is not verifiable: {why}"),
           "registered_something": Text("le téléservice a enregistré quelque chose",
                                        "the teleservice registered something"),
           "no_accepted": Text("aucun appel EP4 accepté", "no accepted EP4 call"),
           "reported": Text("échec signalé (HTTP {status}, statut {statut}), rien d'enregistré",
                            "failure reported (HTTP {status}, statut {statut}), nothing registered"),
       })
def degraded_reported(ctx: CheckContext) -> str:
    """The target says the prescription is not registered, gives no id, and EP4 accepted nothing."""
    msg = ctx.msg
    ex = ctx.exchange
    if ex.error:
        raise Failed(msg("no_response", error=ex.error), msg("an_answer"), ex.error_kind)
    body = ctx.body() if ex.body else {}
    body = body if isinstance(body, dict) else {}
    if ex.status in (200, 201):
        if body.get("statut") == "enregistree":
            raise Failed(msg("registered"), msg("not_registered"), "enregistree")
        if body.get("id"):
            raise Failed(msg("phantom"), msg("no_id"), body.get("id"))
    elif ex.status is None or ex.status < 400:
        raise Failed(msg("unexpected"), msg("failure_answer"), ex.status)
    try:
        accepted = [e for e in ctx.journal("EP4") if 200 <= e["status"] < 300]
    except NotEvaluated as exc:
        raise NotEvaluated(msg("unverifiable", why=exc.args[0])) from exc
    if accepted:
        raise Failed(msg("registered_something"), msg("no_accepted"), [e.get("id") for e in accepted])
    return msg("reported", status=ex.status, statut=body.get("statut", "-"))


@check("degraded_paper", "DEG-01", Severity.BLOCKING,
       title=Text("Mode dégradé : ni code 2D ni numéro imprimés",
                  "Degraded mode: neither code 2D nor number printed"),
       hint=Text("imprimer une ordonnance classique : ni code 2D, ni numéro d'e-prescription",
                 "print a classic ordonnance: no code 2D, no e-prescription number"),
       steps=(StepKind.PAPER,),
       degraded=True,
       messages={
           "code": Text("un code 2D est imprimé alors que rien n'a été enregistré",
                        "a code 2D is printed although nothing was registered"),
           "no_code": Text("pas de code 2D", "no code 2D"),
           "code_on": Text("code 2D en page(s) {pages}", "code 2D on page(s) {pages}"),
           "number": Text("un numéro ou la mention e-prescription est imprimé en mode dégradé",
                          "an e-prescription number or label is printed in degraded mode"),
           "no_number": Text("pas de numéro d'e-prescription", "no e-prescription number"),
           "no_text": Text("pas de code 2D (pas de couche texte : le numéro n'a pas pu être cherché)",
                           "no code 2D (no text layer: the number could not be looked for)"),
           "classic": Text("ordonnance classique : ni code 2D ni numéro",
                           "classic ordonnance: no code 2D, no number"),
       })
def degraded_paper(ctx: CheckContext) -> str:
    """No code 2D and no 'e-prescription N°' on any page of a non-registered prescription."""
    msg = ctx.msg
    pages = ctx.paper()
    codes = [p.number for p in pages if p.codes]
    if codes:
        raise Failed(msg("code"), msg("no_code"), msg("code_on", pages=codes))
    for page in pages:
        found = re.search(r"e-prescription|n ?° ?[0-9a-z]{18}\b", page.text.lower())
        if found:
            raise Failed(msg("number"), msg("no_number"), found.group(0))
    if not any(p.has_text for p in pages):
        return msg("no_text")
    return msg("classic")


RUN = Messages("degraded", {
    "no_creation": Text("aucune création dans la campagne", "no creation in the run"),
})


def _creations(ctx: CheckContext) -> list[Creation]:
    """What the target answered to every creation of the run (run-wide checks)."""
    creations: list[Creation] = list(ctx.step.params.get("creations", ()))
    if not creations:
        raise Skipped(RUN("no_creation"))
    return creations


def _registrations(ctx: CheckContext) -> list[Mapping[str, Any]]:
    return [e for e in ctx.journal("EP4") if 200 <= int(e.get("status") or 0) < 300]


@check("journal_reconciled", "DEG-03", Severity.MAJOR,
       title=Text("Journal rapproché : rien d'enregistré que la cible n'ait annoncé",
                  "Journal reconciled: nothing registered the target did not report"),
       hint=Text("n'enregistrer que ce que l'utilisateur sait enregistré : ne jamais renvoyer en "
                 "silence une prescription en échec, ne jamais enregistrer sans création",
                 "register only what the user is told is registered: never resend a failed "
                 "prescription behind their back, never register without a creation"),
       steps=(StepKind.RUN,),
       messages={
           "unknown": Text("{count} enregistrement(s) EP4 sous un identifiant qu'aucune création "
                           "n'a annoncé enregistré, le premier {first}",
                           "{count} EP4 registration(s) under an id no creation reported as "
                           "registered, first {first}"),
           "every_reported": Text("chaque enregistrement annoncé à l'utilisateur, sous son identifiant",
                                  "every registration reported to the user, under its id"),
           "at": Text("{id} à {at}", "{id} at {at}"),
           "reconciled": Text("{count} enregistrement(s) EP4, chacun annoncé enregistré ; {kept} "
                              "création(s) annoncée(s) non enregistrée(s) le sont restées",
                              "{count} EP4 registration(s), each reported registered; {kept} "
                              "creation(s) reported not registered stayed so"),
       })
def journal_reconciled(ctx: CheckContext) -> str:
    """At the end of the run, every EP4 registration the teleservice recorded belongs to a
    creation the target reported registered, under that id."""
    msg = ctx.msg
    creations = _creations(ctx)
    reported = {c.id for c in creations if c.statut == "enregistree"}
    registered = _registrations(ctx)
    unknown = [e for e in registered if e.get("id") not in reported]
    if unknown:
        shown = [msg("at", id=e.get("id"), at=e.get("at")) for e in unknown]
        raise Failed(msg("unknown", count=len(unknown), first=shown[0]), msg("every_reported"),
                     shown[0], tuple(shown))
    kept = sum(c.statut == "non-enregistree" for c in creations)
    return msg("reconciled", count=len(registered), kept=kept)


@check("announced_registered", "DEG-03", Severity.MAJOR,
       title=Text("Journal rapproché : tout ce qui est annoncé enregistré l'est",
                  "Journal reconciled: everything reported registered is registered"),
       hint=Text("n'annoncer « enregistree » qu'après la réponse positive d'EP4, sous le même "
                 "identifiant",
                 "report 'enregistree' only once EP4 has accepted the prescription, under the same id"),
       steps=(StepKind.RUN,),
       messages={
           "missing": Text("{count} prescription(s) annoncée(s) enregistrée(s) sans enregistrement "
                           "EP4 sous leur identifiant, la première {first}",
                           "{count} prescription(s) reported registered with no EP4 registration "
                           "under their id, first {first}"),
           "an_ep4": Text("un enregistrement EP4 accepté pour chaque prescription annoncée enregistrée",
                          "an accepted EP4 registration for every prescription reported registered"),
           "matched": Text("{count} prescription(s) annoncée(s) enregistrée(s), chacune enregistrée "
                           "par EP4 ({known} déjà signalée(s) par leur scénario)",
                           "{count} prescription(s) reported registered, each registered by EP4 "
                           "({known} already reported by their scenario)"),
       })
def announced_registered(ctx: CheckContext) -> str:
    """Every creation the target reported registered has an accepted EP4 call under its id;
    those whose own scenario already failed RT-01 are that scenario's anomaly, not counted again."""
    msg = ctx.msg
    creations = _creations(ctx)
    announced = [c for c in creations
                 if c.statut == "enregistree" and isinstance(c.id, str)]
    known = [c for c in announced if Fact.REGISTERED in c.denied]
    seen = {e.get("id") for e in _registrations(ctx)}
    missing = [c.id for c in announced if c.id not in seen and c not in known]
    if missing:
        raise Failed(msg("missing", count=len(missing), first=missing[0]), msg("an_ep4"),
                     missing[0], tuple(missing))
    return msg("matched", count=len(announced), known=len(known))
