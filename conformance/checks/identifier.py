"""ID-01 … ID-04: the prescription identifier, its format, consistency and uniqueness."""

from __future__ import annotations

import re
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import Fact, Failed, NotEvaluated, Warned, check
from conformance.messages import Text
from conformance.targets import untrusted
from conformance.vocabulary import Severity, StepKind


@check("id_format", "ID-01", Severity.BLOCKING,
       title=Text("Identifiant de 18 caractères [0-9A-Z]",
                  "Identifier of 18 characters [0-9A-Z]"),
       hint=Text("générer quatre nombres en base 32, 18 caractères en majuscules",
                 "generate four base-32 numbers, 18 characters in upper case"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,),
       messages={
           "mismatch": Text("l'identifiant {id!r} ne correspond pas à {pattern}",
                            "identifier {id!r} does not match {pattern}"),
           "matches": Text("{id} correspond à {pattern}", "{id} matches {pattern}"),
       })
def id_format(ctx: CheckContext) -> str:
    """The identifier matches the profile's pattern."""
    ctx.expect_status(200, 201)
    pid = ctx.created_id()
    pattern = ctx.profile.value("id_pattern")
    if not re.fullmatch(pattern, pid):
        raise Failed(ctx.msg("mismatch", id=pid, pattern=pattern), pattern, pid)
    return ctx.msg("matches", id=pid, pattern=pattern)


@check("id_alphabet", "ID-04", Severity.MINOR,
       title=Text("Alphabet de l'identifiant selon le profil",
                  "Identifier alphabet per the profile"),
       hint=Text("utiliser l'alphabet du profil (source : règle id_alphabet du profil)",
                 "use the alphabet of the profile (source: profile rule id_alphabet)"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,),
       messages={
           "outside": Text("caractères hors de l'alphabet du profil : {chars} ({source})",
                           "characters outside the profile alphabet: {chars} ({source})"),
           "as_profile": Text("alphabet conforme au profil", "alphabet as the profile says"),
       })
def id_alphabet(ctx: CheckContext) -> str:
    """Every character belongs to the profile's alphabet (a warning: the rule is assumed)."""
    pid = ctx.created_id()
    alphabet = ctx.profile.value("id_alphabet")
    bad = sorted({c for c in pid if c not in alphabet})
    if bad:
        raise Warned(ctx.msg("outside", chars="".join(bad), source=ctx.profile.source("id_alphabet")),
                     alphabet, pid)
    return ctx.msg("as_profile")


def _ids_in_payload(text: str) -> Any:

    try:
        return untrusted.loads(text)["D"]["ID"]
    except (ValueError, KeyError, TypeError):
        return None


@check("same_id", "ID-02", Severity.BLOCKING,
       title=Text("Même identifiant partout",
                  "Same identifier everywhere"),
       hint=Text("transmettre l'identifiant inchangé : ni espaces retirés, ni casse changée, ni "
                     "identifiant régénéré",
                 "carry the identifier unchanged: no trimming, case change or re-generation"),
       steps=(StepKind.CREATE, StepKind.CONSULT, StepKind.SEARCH, StepKind.PAPER),
       defaults=(StepKind.CREATE, StepKind.CONSULT, StepKind.PAPER), standalone=True,
       needs=(Fact.REGISTERED,),
       messages={
           "ep4_differs": Text("l'identifiant transmis dans EP4 diffère de celui restitué",
                               "the identifier sent in EP4 differs from the one returned"),
           "ep4_received": Text("EP4 a reçu {id}", "EP4 received {id}"),
           "consult_differs": Text("la consultation a restitué un autre identifiant",
                                   "consult returned another identifier"),
           "consult_returned": Text("la consultation a restitué {id}", "consult returned {id}"),
           "search_altered": Text("la recherche a restitué l'identifiant altéré",
                                  "search returned the identifier altered"),
           "none_altered": Text("aucun identifiant altéré dans les résultats",
                                "no altered identifier in the results"),
           "no_code": Text("aucun code 2D décodé (QR-01 le signale)",
                           "no code 2D decoded (QR-01 reports it)"),
           "code_differs": Text("le code 2D porte un autre identifiant",
                                "the code 2D carries another identifier"),
           "code_carries": Text("le code 2D porte {id}", "code 2D carries {id}"),
       })
def same_id(ctx: CheckContext) -> str:
    """The same id in the create response, EP4 journal, consult, search, code 2D and number."""
    msg = ctx.msg
    kind = ctx.step.kind
    if kind == "create":
        pid = ctx.created_id()
        sent = [e["request"].get("prescription", {}).get("id") for e in ctx.journal("EP4")]
        if pid not in sent:
            raise Failed(msg("ep4_differs"), pid, sent)
        return msg("ep4_received", id=pid)
    pid = ctx.expected_id()
    if kind == "consult":
        ctx.expect_status(200)
        observed = ctx.body().get("id")
        if observed != pid:
            raise Failed(msg("consult_differs"), pid, observed)
        return msg("consult_returned", id=pid)
    if kind == "search":
        ctx.expect_status(200)
        ids = [r.get("id") for r in ctx.body().get("resultats", []) if isinstance(r, dict)]
        near = [i for i in ids if isinstance(i, str) and i != pid and i.upper().strip() == pid]
        if near:
            raise Failed(msg("search_altered"), pid, near[0])
        return msg("none_altered")
    pages = ctx.paper()
    seen = {_ids_in_payload(c.text) for p in pages for c in p.codes}
    if not seen:
        raise NotEvaluated(msg("no_code"))
    if seen != {pid}:
        raise Failed(msg("code_differs"), pid, sorted(map(str, seen)))
    return msg("code_carries", id=pid)


@check("unique_ids", "ID-03", Severity.BLOCKING,
       title=Text("Identifiants uniques, y compris en concurrence",
                  "Unique identifiers, concurrency included"),
       hint=Text("dériver les identifiants d'un compteur ou d'un aléa, pas de l'horloge seule",
                 "derive ids from a counter or randomness, not from the clock alone"),
       steps=(StepKind.CREATE,),
       messages={
           "failed": Text("{failed} des {total} créations simultanées ont échoué",
                          "{failed} of {total} concurrent creations failed"),
           "created": Text("{total} créées", "{total} created"),
           "twice": Text("{count} identifiants donnés deux fois parmi {total}",
                         "{count} identifiers given twice among {total}"),
           "all_distinct": Text("tous distincts", "all distinct"),
           "distinct": Text("{total} identifiants distincts", "{total} distinct identifiers"),
       })
def unique_ids(ctx: CheckContext) -> str:
    """Every creation of a repeated (concurrent) create step got its own identifier."""
    ids, failures = [], []
    for ex in ctx.step.exchanges:
        try:
            body = ex.json() if not ex.error else None
        except ValueError:
            body = None
        if ex.status in (200, 201) and isinstance(body, dict) and body.get("id"):
            ids.append(body["id"])
        else:
            failures.append(f"HTTP {ex.status or ex.error_kind}")
    total = len(ctx.step.exchanges)
    if failures:
        raise Failed(ctx.msg("failed", failed=len(failures), total=total),
                     ctx.msg("created", total=total), sorted(set(failures)))
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise Failed(ctx.msg("twice", count=len(dupes), total=total), ctx.msg("all_distinct"), dupes)
    return ctx.msg("distinct", total=total)
