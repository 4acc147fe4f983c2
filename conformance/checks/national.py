"""IDN-01: every national identifier the target sends (EP4) or prints is well formed with a valid key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.footer import text_pages
from conformance.checks.registry import Fact, Failed, NotEvaluated, Warned, check
from conformance.identifiers import validate
from conformance.messages import Message, Messages, Text
from conformance.vocabulary import Severity, StepKind

CODE_KINDS = {"CIP13": "cip13", "UCD13": "ucd13", "UCD": "ucd13", "LPP": "lpp", "NABM": "nabm"}
PRINTED = {  # label on the paper -> kind, with the digits that follow (spaces allowed)
    "rpps": (r"\brpps\s*(?:n°)?\s*:?\s*((?:\d\s?){11})", "rpps"),
    "am": (r"\b(?:n° ?am|am)\s*:?\s*((?:\d\s?){9})\b", "am"),
    "finess": (r"\bfiness\s*:?\s*([0-9][0-9ab](?:\d\s?){7})", "finess"),
}

# the verdict both checks share; where an identifier was found; why it is invalid comes from
# conformance.identifiers (a message too)
IDN = Messages("national", {
    "all_valid": Text("{count} identifiant(s) {what}, tous valides",
                      "{count} identifier(s) {what}, all valid"),
    "line": Text("{where} : {value!r} : {reason}", "{where}: {value!r}: {reason}"),
    "invalid": Text("identifiant invalide {what} : {where} {value!r} ({reason})",
                    "invalid identifier {what}: {where} {value!r} ({reason})"),
    "well_formed": Text("un identifiant bien formé avec une clé valide",
                        "a well-formed identifier with a valid key"),
    "test_data": Text("donnée de test à clé invalide transmise telle quelle : {line}",
                      "test data with an invalid key passed through: {line}"),
    "valid_keys": Text("des clés valides", "valid keys"),
    "sent_ep4": Text("transmis dans EP4", "sent in EP4"),
    "printed": Text("imprimé(s)", "printed"),
    # domain words in both languages: a prescription's 'ligne', a printed page
    "at_line": Text("ligne {n} {system}", "ligne {n} {system}"),
    "at_page": Text("page {n} {label}", "page {n} {label}"),
})


def _sent(rx: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(where, kind, value) of every identifier in a prescription body (where: a field path, or
    a line as a message)."""
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
                yield IDN("at_line", n=n, system=code["systeme"]), kind, code["valeur"]


def _verdict(found: list[tuple[str, str, str]], given: set[str], what: Message) -> str:
    bad = [(where, value, validate(kind, value).reason) for where, kind, value in found
           if not validate(kind, value).valid]
    if not bad:
        return IDN("all_valid", count=len(found), what=what)
    lines = tuple(IDN("line", where=w, value=v, reason=r) for w, v, r in bad)
    introduced = [b for b in bad if b[1] not in given]
    if introduced:
        where, value, reason = introduced[0]
        raise Failed(IDN("invalid", what=what, where=where, value=value, reason=reason),
                     IDN("well_formed"), value, lines)
    # the scenario itself gave these values: test data that breaks a key, not the target's fault
    raise Warned(IDN("test_data", line=lines[0]), IDN("valid_keys"), bad[0][1], lines)


@check("identifiers_sent", "IDN-01", Severity.MAJOR,
       title=Text("Identifiants nationaux transmis valides",
                  "National identifiers sent valid"),
       hint=Text("transmettre les identifiants tels que saisis, avec leur clé (RPPS, AM, FINESS, "
                     "NIR, CIP13…)",
                 "send identifiers exactly as entered, with their keys (RPPS, AM, FINESS, NIR, "
                     "CIP13…)"),
       steps=(StepKind.CREATE,), defaults=(StepKind.CREATE,), needs=(Fact.REGISTERED,),
       messages={
           "no_ep4": Text("aucun appel EP4 pour cette prescription (RT-01 le signale)",
                          "no EP4 call for this prescription (RT-01 reports it)"),
       })
def identifiers_sent(ctx: CheckContext) -> str:
    """Every identifier of the EP4 request is well formed with a valid key."""
    pid = ctx.created_id()
    entries = [e for e in ctx.journal("EP4")
               if (e["request"].get("prescription") or {}).get("id") == pid]
    if not entries:
        raise NotEvaluated(ctx.msg("no_ep4"))
    given = {v for _, _, v in _sent(ctx.state.created or {})}
    return _verdict(list(_sent(entries[-1]["request"]["prescription"])), given, IDN("sent_ep4"))


@check("identifiers_printed", "IDN-01", Severity.MAJOR,
       title=Text("Identifiants nationaux imprimés valides",
                  "Printed national identifiers valid"),
       hint=Text("imprimer RPPS, AM et FINESS avec leur clé, tels que saisis",
                 "print RPPS, AM and FINESS with their keys, as entered"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
       degraded=True,
       reads_identifiers=Text("les numéros RPPS, AM et FINESS", "the RPPS, AM and FINESS numbers"),
       messages={
           "none_printed": Text("aucun RPPS, AM ou FINESS imprimé", "no RPPS, AM or FINESS printed"),
           "prescriber_ids": Text("les identifiants du prescripteur", "the prescriber's identifiers"),
           "none": Text("aucun", "none"),
       })
def identifiers_printed(ctx: CheckContext) -> str:
    """Every RPPS, AM and FINESS printed is well formed with a valid key."""
    pages = text_pages(ctx)
    found: list[tuple[str, str, str]] = []
    for page in pages:
        text = page.text.lower()
        for label, (pattern, kind) in PRINTED.items():
            for m in re.finditer(pattern, text):
                found.append((IDN("at_page", n=page.number, label=label), kind,
                              re.sub(r"\s", "", m.group(1)).upper()))
    if not found:
        raise Failed(ctx.msg("none_printed"), ctx.msg("prescriber_ids"), ctx.msg("none"))
    given = {v for _, _, v in _sent(ctx.state.created or {})}
    return _verdict(found, given, IDN("printed"))
