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
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,))
def id_format(ctx: CheckContext) -> str:
    """The identifier matches the profile's pattern."""
    ctx.expect_status(200, 201)
    pid = ctx.created_id()
    pattern = ctx.profile.value("id_pattern")
    if not re.fullmatch(pattern, pid):
        raise Failed(f"identifier {pid!r} does not match {pattern}", pattern, pid)
    return f"{pid} matches {pattern}"


@check("id_alphabet", "ID-04", Severity.MINOR,
       title=Text("Alphabet de l'identifiant selon le profil",
                  "Identifier alphabet per the profile"),
       hint=Text("utiliser l'alphabet du profil (source : règle id_alphabet du profil)",
                 "use the alphabet of the profile (source: profile rule id_alphabet)"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,))
def id_alphabet(ctx: CheckContext) -> str:
    """Every character belongs to the profile's alphabet (a warning: the rule is assumed)."""
    pid = ctx.created_id()
    alphabet = ctx.profile.value("id_alphabet")
    bad = sorted({c for c in pid if c not in alphabet})
    if bad:
        raise Warned(f"characters outside the profile alphabet: {''.join(bad)} "
                     f"({ctx.profile.source('id_alphabet')})", alphabet, pid)
    return "alphabet as the profile says"


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
       needs=(Fact.REGISTERED,))
def same_id(ctx: CheckContext) -> str:
    """The same id in the create response, EP4 journal, consult, search, code 2D and number."""
    kind = ctx.step.kind
    if kind == "create":
        pid = ctx.created_id()
        sent = [e["request"].get("prescription", {}).get("id") for e in ctx.journal("EP4")]
        if pid not in sent:
            raise Failed("the identifier sent in EP4 differs from the one returned", pid, sent)
        return f"EP4 received {pid}"
    pid = ctx.expected_id()
    if kind == "consult":
        ctx.expect_status(200)
        observed = ctx.body().get("id")
        if observed != pid:
            raise Failed("consult returned another identifier", pid, observed)
        return f"consult returned {pid}"
    if kind == "search":
        ctx.expect_status(200)
        ids = [r.get("id") for r in ctx.body().get("resultats", []) if isinstance(r, dict)]
        near = [i for i in ids if isinstance(i, str) and i != pid and i.upper().strip() == pid]
        if near:
            raise Failed("search returned the identifier altered", pid, near[0])
        return "no altered identifier in the results"
    pages = ctx.paper()
    seen = {_ids_in_payload(c.text) for p in pages for c in p.codes}
    if not seen:
        raise NotEvaluated("no code 2D decoded (QR-01 reports it)")
    if seen != {pid}:
        raise Failed("the code 2D carries another identifier", pid, sorted(map(str, seen)))
    return f"code 2D carries {pid}"


@check("unique_ids", "ID-03", Severity.BLOCKING,
       title=Text("Identifiants uniques, y compris en concurrence",
                  "Unique identifiers, concurrency included"),
       hint=Text("dériver les identifiants d'un compteur ou d'un aléa, pas de l'horloge seule",
                 "derive ids from a counter or randomness, not from the clock alone"),
       steps=(StepKind.CREATE,))
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
        raise Failed(f"{len(failures)} of {total} concurrent creations failed", f"{total} created",
                     sorted(set(failures)))
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise Failed(f"{len(dupes)} identifiers given twice among {total}", "all distinct", dupes)
    return f"{total} distinct identifiers"
