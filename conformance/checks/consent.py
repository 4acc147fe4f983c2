"""CON-01, CON-03, CON-04: the patient's consent flag, sent, restored, and enforced on consult.

CON-02 (the printed paragraph matches the flag) lives with the paper checks.
"""

from __future__ import annotations

from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import Fact, Failed, Skipped, check
from conformance.messages import Text
from conformance.vocabulary import Severity, StepKind


def _wanted(ctx: CheckContext) -> bool:
    created = ctx.state.created
    if created is None or not isinstance(created.get("consentement"), dict):
        raise Skipped("no consent flag in the creation")
    return bool(created["consentement"].get("opposition"))


def _flag(container: Any) -> bool | None:
    consent = container.get("consentement") if isinstance(container, dict) else None
    if not isinstance(consent, dict) or not isinstance(consent.get("opposition"), bool):
        return None
    return bool(consent["opposition"])


WORD = {True: "opposition: true", False: "opposition: false", None: "absent"}


@check("consent_sent", "CON-01", Severity.BLOCKING,
       title=Text("Consentement transmis dans EP4 = celui saisi",
                  "Consent sent in EP4 = the one entered"),
       hint=Text("transmettre dans EP4 le consentement du patient tel que saisi",
                 "send the patient's consent flag in EP4 exactly as entered"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,), needs=(Fact.REGISTERED,))
def consent_sent(ctx: CheckContext) -> str:
    """The EP4 request carries the consent flag the doctor entered."""
    wanted = _wanted(ctx)
    pid = ctx.created_id()
    entries = [e for e in ctx.journal("EP4")
               if (e["request"].get("prescription") or {}).get("id") == pid]
    if not entries:
        raise Failed("no EP4 call for this prescription", f"EP4 for {pid}", "none")
    sent = _flag(entries[-1]["request"].get("prescription"))
    if sent != wanted:
        raise Failed("EP4 received another consent flag than the one entered", WORD[wanted],
                     WORD[sent])
    return f"EP4 received {WORD[sent]}"


@check("consent_flag", "CON-04", Severity.MAJOR,
       title=Text("La consultation restitue le consentement",
                  "Consult returns the consent flag"),
       hint=Text("restituer le consentement enregistré dans la base",
                 "return the consent flag stored in the base"),
       steps=(StepKind.CONSULT,), defaults=(StepKind.CONSULT,), needs=(Fact.REGISTERED,))
def consent_flag(ctx: CheckContext) -> str:
    """Consult returns the consent flag given at creation."""
    wanted = _wanted(ctx)
    ctx.expect_status(200)
    got = _flag(ctx.body())
    if got != wanted:
        raise Failed("consult returns another consent flag", WORD[wanted], WORD[got])
    return f"consult returns {WORD[got]}"


@check("executions_visibility", "CON-03", Severity.BLOCKING,
       title=Text("Exécutions visibles si et seulement si le patient ne s'y oppose pas",
                  "Executions visible if and only if the patient does not object"),
       hint=Text("ne montrer ce qui a été délivré que si le patient ne s'y oppose pas ; sinon ne "
                     "rien montrer",
                 "show what was dispensed only when the patient did not object; otherwise show "
                     "nothing"),
       steps=(StepKind.CONSULT,), defaults=(StepKind.CONSULT,), needs=(Fact.REGISTERED,))
def executions_visibility(ctx: CheckContext) -> str:
    """After a dispensation: executions shown iff no objection (none ever shown on objection)."""
    objects = _wanted(ctx)
    ctx.expect_status(200)
    body = ctx.body()
    executions = body.get("executions") if isinstance(body, dict) else None
    count = len(executions) if isinstance(executions, list) else 0
    if objects and count:
        raise Failed("execution data shown although the patient objected", "no execution data",
                     f"{count} execution(s)")
    if not objects and not ctx.state.dispensed:
        raise Skipped("nothing dispensed in this scenario: the consult has no execution to show or hide")
    if not objects and not count:
        raise Failed("execution data hidden although the patient did not object",
                     "the dispensation recorded through EP1", executions)
    return "executions hidden (objection)" if objects else f"{count} execution(s) shown"
