"""DEG-01, DEG-02: degraded mode, when the teleservice is unavailable, times out or fails;
DEG-03: the whole run's journal reconciled with what the target reported.

The doctor still prints a classic ordonnance: no code 2D, no e-prescription number, and
nothing pretends the prescription was registered.
"""

from __future__ import annotations

import re

from conformance.checks.context import CheckContext
from conformance.checks.registry import Failed, NotEvaluated, Skipped, check


@check("degraded_reported", "DEG-02", "major", "Mode dégradé : échec signalé, aucun identifiant "
       "fantôme, rien d'enregistré", ("create",),
       "when EP4 fails, answer statut 'non-enregistree' (or a 5xx problem) without an id", exclusive=True)
def degraded_reported(ctx: CheckContext) -> str:
    """The target says the prescription is not registered, gives no id, and EP4 accepted nothing."""
    ex = ctx.exchange
    if ex.error:
        raise Failed(f"no response: {ex.error}", "an answer reporting the failure", ex.error_kind)
    body = ctx.body() if ex.body else {}
    body = body if isinstance(body, dict) else {}
    if ex.status in (200, 201):
        if body.get("statut") == "enregistree":
            raise Failed("reported as registered although the teleservice failed",
                         "statut non-enregistree", "enregistree")
        if body.get("id"):
            raise Failed("a phantom identifier was given although nothing was registered",
                         "no id", body.get("id"))
    elif ex.status is None or ex.status < 400:
        raise Failed("unexpected answer while the teleservice fails", "201 non-enregistree or 5xx",
                     ex.status)
    try:
        accepted = [e for e in ctx.journal("EP4") if 200 <= e["status"] < 300]
    except NotEvaluated as exc:
        raise NotEvaluated(f"failure reported; that nothing was registered is not verifiable: {exc}") from exc
    if accepted:
        raise Failed("the teleservice registered something", "no accepted EP4 call",
                     [e.get("id") for e in accepted])
    return f"failure reported (HTTP {ex.status}, statut {body.get('statut', '-')}), nothing registered"


@check("degraded_paper", "DEG-01", "blocking", "Mode dégradé : ni code 2D ni numéro imprimés",
       ("paper",), "print a classic ordonnance: no code 2D, no e-prescription number")
def degraded_paper(ctx: CheckContext) -> str:
    """No code 2D and no 'e-prescription N°' on any page of a non-registered prescription."""
    pages = ctx.paper()
    codes = [p.number for p in pages if p.codes]
    if codes:
        raise Failed("a code 2D is printed although nothing was registered", "no code 2D",
                     f"code 2D on page(s) {codes}")
    for page in pages:
        found = re.search(r"e-prescription|n ?° ?[0-9a-z]{18}\b", page.text.lower())
        if found:
            raise Failed("an e-prescription number or label is printed in degraded mode",
                         "no e-prescription number", found.group(0))
    if not any(p.has_text for p in pages):
        return "no code 2D (no text layer: the number could not be looked for)"
    return "classic ordonnance: no code 2D, no number"


@check("journal_reconciled", "DEG-03", "major", "Journal rapproché : rien d'enregistré que la cible "
       "n'ait annoncé", ("journal",), "register only what the user is told is registered: never "
       "resend a failed prescription behind their back, never register without a creation")
def journal_reconciled(ctx: CheckContext) -> str:
    """At the end of the run, every EP4 registration the teleservice recorded belongs to a
    creation the target reported registered, under that id."""
    reported: set[str] = set(ctx.step.params.get("registered", ()))
    if not ctx.step.params.get("creations"):
        raise Skipped("no creation in the run")
    registered = [e for e in ctx.journal("EP4") if 200 <= int(e.get("status") or 0) < 300]
    unknown = [e for e in registered if e.get("id") not in reported]
    if unknown:
        shown = [f"{e.get('id')} at {e.get('at')}" for e in unknown]
        raise Failed(f"{len(unknown)} EP4 registration(s) under an id no creation reported as "
                     f"registered, first {shown[0]}",
                     "every registration reported to the user, under its id", shown[0], tuple(shown))
    return (f"{len(registered)} EP4 registration(s), each reported registered; "
            f"{ctx.step.params.get('not_registered', 0)} creation(s) reported not registered stayed so")
