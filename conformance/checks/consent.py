"""CON-01, CON-03, CON-04: the patient's consent flag, sent, restored, and enforced on consult.

CON-02 (the printed paragraph matches the flag) lives with the paper checks.
"""

from __future__ import annotations

from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import Fact, Failed, Skipped, check
from conformance.messages import Message, Messages, Text
from conformance.vocabulary import Severity, StepKind

# what the consent checks share: the flag in words, and its absence from the creation
CONSENT = Messages("consent", {
    "no_flag": Text("pas de consentement dans la création", "no consent flag in the creation"),
    "true": Text("opposition : true", "opposition: true"),
    "false": Text("opposition : false", "opposition: false"),
    "absent": Text("absent", "absent"),
})


def _wanted(ctx: CheckContext) -> bool:
    created = ctx.state.created
    if created is None or not isinstance(created.get("consentement"), dict):
        raise Skipped(CONSENT("no_flag"))
    return bool(created["consentement"].get("opposition"))


def _flag(container: Any) -> bool | None:
    consent = container.get("consentement") if isinstance(container, dict) else None
    if not isinstance(consent, dict) or not isinstance(consent.get("opposition"), bool):
        return None
    return bool(consent["opposition"])


def _word(flag: bool | None) -> Message:
    """The consent flag as reported: 'opposition: true', 'opposition: false' or 'absent'."""
    return CONSENT("absent" if flag is None else "true" if flag else "false")


@check("consent_sent", "CON-01", Severity.BLOCKING,
       title=Text("Consentement transmis dans EP4 = celui saisi",
                  "Consent sent in EP4 = the one entered"),
       hint=Text("transmettre dans EP4 le consentement du patient tel que saisi",
                 "send the patient's consent flag in EP4 exactly as entered"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,), needs=(Fact.REGISTERED,),
       messages={
           "no_ep4": Text("aucun appel EP4 pour cette prescription",
                          "no EP4 call for this prescription"),
           "ep4_for": Text("EP4 pour {id}", "EP4 for {id}"),
           "none": Text("aucun", "none"),
           "differs": Text("EP4 a reçu un autre consentement que celui saisi",
                           "EP4 received another consent flag than the one entered"),
           "received": Text("EP4 a reçu {flag}", "EP4 received {flag}"),
       })
def consent_sent(ctx: CheckContext) -> str:
    """The EP4 request carries the consent flag the doctor entered."""
    msg = ctx.msg
    wanted = _wanted(ctx)
    pid = ctx.created_id()
    entries = [e for e in ctx.journal("EP4")
               if (e["request"].get("prescription") or {}).get("id") == pid]
    if not entries:
        raise Failed(msg("no_ep4"), msg("ep4_for", id=pid), msg("none"))
    sent = _flag(entries[-1]["request"].get("prescription"))
    if sent != wanted:
        raise Failed(msg("differs"), _word(wanted), _word(sent))
    return msg("received", flag=_word(sent))


@check("consent_flag", "CON-04", Severity.MAJOR,
       title=Text("La consultation restitue le consentement",
                  "Consult returns the consent flag"),
       hint=Text("restituer le consentement enregistré dans la base",
                 "return the consent flag stored in the base"),
       steps=(StepKind.CONSULT,), defaults=(StepKind.CONSULT,), needs=(Fact.REGISTERED,),
       messages={
           "differs": Text("la consultation restitue un autre consentement",
                           "consult returns another consent flag"),
           "returns": Text("la consultation restitue {flag}", "consult returns {flag}"),
       })
def consent_flag(ctx: CheckContext) -> str:
    """Consult returns the consent flag given at creation."""
    wanted = _wanted(ctx)
    ctx.expect_status(200)
    got = _flag(ctx.body())
    if got != wanted:
        raise Failed(ctx.msg("differs"), _word(wanted), _word(got))
    return ctx.msg("returns", flag=_word(got))


@check("executions_visibility", "CON-03", Severity.BLOCKING,
       title=Text("Exécutions visibles si et seulement si le patient ne s'y oppose pas",
                  "Executions visible if and only if the patient does not object"),
       hint=Text("ne montrer ce qui a été délivré que si le patient ne s'y oppose pas ; sinon ne "
                     "rien montrer",
                 "show what was dispensed only when the patient did not object; otherwise show "
                     "nothing"),
       steps=(StepKind.CONSULT,), defaults=(StepKind.CONSULT,), needs=(Fact.REGISTERED,),
       messages={
           "shown": Text("exécutions affichées alors que le patient s'y est opposé",
                         "execution data shown although the patient objected"),
           "no_data": Text("aucune donnée d'exécution", "no execution data"),
           "count": Text("{count} exécution(s)", "{count} execution(s)"),
           "not_dispensed": Text("rien n'a été délivré dans ce scénario : la consultation n'a aucune "
                                 "exécution à montrer ou masquer",
                                 "nothing dispensed in this scenario: the consult has no execution "
                                 "to show or hide"),
           "hidden": Text("exécutions masquées alors que le patient ne s'y est pas opposé",
                          "execution data hidden although the patient did not object"),
           "recorded": Text("la délivrance enregistrée par EP1",
                            "the dispensation recorded through EP1"),
           "hidden_objection": Text("exécutions masquées (opposition)",
                                    "executions hidden (objection)"),
           "shown_count": Text("{count} exécution(s) affichée(s)", "{count} execution(s) shown"),
       })
def executions_visibility(ctx: CheckContext) -> str:
    """After a dispensation: executions shown iff no objection (none ever shown on objection)."""
    msg = ctx.msg
    objects = _wanted(ctx)
    ctx.expect_status(200)
    body = ctx.body()
    executions = body.get("executions") if isinstance(body, dict) else None
    count = len(executions) if isinstance(executions, list) else 0
    if objects and count:
        raise Failed(msg("shown"), msg("no_data"), msg("count", count=count))
    if not objects and not ctx.state.dispensed:
        raise Skipped(msg("not_dispensed"))
    if not objects and not count:
        raise Failed(msg("hidden"), msg("recorded"), executions)
    return msg("hidden_objection") if objects else msg("shown_count", count=count)
