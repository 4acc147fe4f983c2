"""ID-01 … ID-04: the prescription identifier, its format, consistency and uniqueness."""

from __future__ import annotations

import re
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import Failed, NotEvaluated, Skipped, Warned, check
from conformance.targets import untrusted


def created_id(ctx: CheckContext) -> str:
    """The id returned by a create step; Skipped in degraded mode, Failed when absent."""
    ex = ctx.exchange
    if ex.error or ex.status not in (200, 201):
        raise NotEvaluated("creation failed (RT-01 reports it)")
    body = ctx.body()
    if not isinstance(body, dict):
        raise Failed("the create response is not an object", "an object", type(body).__name__)
    if body.get("statut") == "non-enregistree":
        raise Skipped("not registered (degraded mode): no identifier expected")
    pid = body.get("id")
    if not isinstance(pid, str):
        raise Failed("no identifier in the create response", "id: 18 characters", pid)
    return pid


@check("id_format", "ID-01", "blocking", "Identifiant de 18 caractères [0-9A-Z]", ("create",),
       "generate four base-32 numbers, 18 characters in upper case")
def id_format(ctx: CheckContext) -> str:
    """The identifier matches the profile's pattern."""
    ctx.expect_status(200, 201)
    pid = created_id(ctx)
    pattern = ctx.profile.value("id_pattern")
    if not re.fullmatch(pattern, pid):
        raise Failed(f"identifier {pid!r} does not match {pattern}", pattern, pid)
    return f"{pid} matches {pattern}"


@check("id_alphabet", "ID-04", "minor", "Alphabet de l'identifiant selon le profil", ("create",),
       "use the alphabet of the profile (source: " "profile rule id_alphabet)")
def id_alphabet(ctx: CheckContext) -> str:
    """Every character belongs to the profile's alphabet (a warning: the rule is assumed)."""
    pid = created_id(ctx)
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


@check("same_id", "ID-02", "blocking", "Même identifiant partout", ("create", "consult", "search",
       "paper"), "carry the identifier unchanged: no trimming, case change or re-generation")
def same_id(ctx: CheckContext) -> str:
    """The same id in the create response, EP4 journal, consult, search, code 2D and number."""
    kind = ctx.step.kind
    if kind == "create":
        pid = created_id(ctx)
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


@check("unique_ids", "ID-03", "blocking", "Identifiants uniques, y compris en concurrence",
       ("create",), "derive ids from a counter or randomness, not from the clock alone")
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
