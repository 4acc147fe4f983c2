"""IDN-01: every national identifier the target sends (EP4) or prints is well formed with a valid key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.footer import text_pages
from conformance.checks.registry import Fact, Failed, NotEvaluated, Warned, check
from conformance.identifiers import validate
from conformance.messages import Text
from conformance.vocabulary import Severity, StepKind

CODE_KINDS = {"CIP13": "cip13", "UCD13": "ucd13", "UCD": "ucd13", "LPP": "lpp", "NABM": "nabm"}
PRINTED = {  # label on the paper -> kind, with the digits that follow (spaces allowed)
    "rpps": (r"\brpps\s*(?:n°)?\s*:?\s*((?:\d\s?){11})", "rpps"),
    "am": (r"\b(?:n° ?am|am)\s*:?\s*((?:\d\s?){9})\b", "am"),
    "finess": (r"\bfiness\s*:?\s*([0-9][0-9ab](?:\d\s?){7})", "finess"),
}


def _sent(rx: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(where, kind, value) of every identifier in a prescription body."""
    doctor = rx.get("prescripteur") or {}
    for who, person in (("prescripteur", doctor), ("prescripteur.remplace", doctor.get("remplace") or {})):
        for key in ("rpps", "am", "finess"):
            if isinstance(person.get(key), str):
                yield f"{who}.{key}", key, person[key]
    patient = rx.get("patient") or {}
    for key in ("ins", "nir"):
        if isinstance(patient.get(key), str):
            yield f"patient.{key}", "nir", patient[key]
    for n, line in enumerate(rx.get("lignes") or [], start=1):
        code = line.get("code") if isinstance(line, dict) else None
        if isinstance(code, dict) and isinstance(code.get("valeur"), str):
            kind = CODE_KINDS.get(str(code.get("systeme", "")).upper())
            if kind:
                yield f"ligne {n} {code['systeme']}", kind, code["valeur"]


def _verdict(found: list[tuple[str, str, str]], given: set[str], what: str) -> str:
    bad = [(where, value, validate(kind, value).reason) for where, kind, value in found
           if not validate(kind, value).valid]
    if not bad:
        return f"{len(found)} identifier(s) {what}, all valid"
    lines = tuple(f"{w}: {v!r}: {r}" for w, v, r in bad)
    introduced = [b for b in bad if b[1] not in given]
    if introduced:
        where, value, reason = introduced[0]
        raise Failed(f"invalid identifier {what}: {where} {value!r} ({reason})",
                     "a well-formed identifier with a valid key", value, lines)
    # the scenario itself gave these values: test data that breaks a key, not the target's fault
    raise Warned(f"test data with an invalid key passed through: {lines[0]}", "valid keys",
                 bad[0][1], lines)


@check("identifiers_sent", "IDN-01", Severity.MAJOR,
       title=Text("Identifiants nationaux transmis valides",
                  "National identifiers sent valid"),
       hint=Text("transmettre les identifiants tels que saisis, avec leur clé (RPPS, AM, FINESS, "
                     "NIR, CIP13…)",
                 "send identifiers exactly as entered, with their keys (RPPS, AM, FINESS, NIR, "
                     "CIP13…)"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,), needs=(Fact.REGISTERED,))
def identifiers_sent(ctx: CheckContext) -> str:
    """Every identifier of the EP4 request is well formed with a valid key."""
    pid = ctx.created_id()
    entries = [e for e in ctx.journal("EP4")
               if (e["request"].get("prescription") or {}).get("id") == pid]
    if not entries:
        raise NotEvaluated("no EP4 call for this prescription (RT-01 reports it)")
    given = {v for _, _, v in _sent(ctx.state.created or {})}
    return _verdict(list(_sent(entries[-1]["request"]["prescription"])), given, "sent in EP4")


@check("identifiers_printed", "IDN-01", Severity.MAJOR,
       title=Text("Identifiants nationaux imprimés valides",
                  "Printed national identifiers valid"),
       hint=Text("imprimer RPPS, AM et FINESS avec leur clé, tels que saisis",
                 "print RPPS, AM and FINESS with their keys, as entered"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,))
def identifiers_printed(ctx: CheckContext) -> str:
    """Every RPPS, AM and FINESS printed is well formed with a valid key."""
    pages = text_pages(ctx)
    found = []
    for page in pages:
        text = page.text.lower()
        for label, (pattern, kind) in PRINTED.items():
            for m in re.finditer(pattern, text):
                found.append((f"page {page.number} {label}", kind, re.sub(r"\s", "", m.group(1)).upper()))
    if not found:
        raise Failed("no RPPS, AM or FINESS printed", "the prescriber's identifiers", "none")
    given = {v for _, _, v in _sent(ctx.state.created or {})}
    return _verdict(found, given, "printed")
