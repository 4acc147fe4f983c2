"""ROB-03: names with accents, apostrophes, hyphens, œ and maximum lengths survive unchanged.

RT-02 compares after Unicode NFC normalisation; this check does not: an NFD or Latin-1
mangled name breaks matching in the pharmacy's software even when it looks the same.
"""

from __future__ import annotations

from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import Fact, Failed, NotEvaluated, Skipped, check
from conformance.messages import Text
from conformance.targets import untrusted
from conformance.vocabulary import Severity, StepKind

NAME_FIELDS = (("patient", "nomFamille"), ("patient", "prenom"), ("prescripteur", "nomFamille"),
               ("prescripteur", "prenom"))


def _names(rx: Any) -> dict[str, Any]:
    out = {}
    for who, key in NAME_FIELDS:
        person = rx.get(who) if isinstance(rx, dict) else None
        out[f"{who}.{key}"] = person.get(key) if isinstance(person, dict) else None
    return out


def _compare(expected: dict[str, Any], observed: dict[str, Any], where: str) -> list[str]:
    diffs = []
    for field, want in expected.items():
        got = observed.get(field)
        if isinstance(want, str) and got != want:
            detail = (f"{field} in {where}: expected {want!r} ({len(want)} code points), "
                      f"observed {got!r}" + (f" ({len(got)} code points)" if isinstance(got, str) else ""))
            diffs.append(detail)
    return diffs


def _created_names(ctx: CheckContext) -> dict[str, Any]:
    if ctx.state.created is None:
        raise Skipped("no create step before this one")
    return _names(ctx.state.created)


@check("names_intact", "ROB-03", Severity.MAJOR,
       title=Text("Noms accentués intacts, code point par code point",
                  "Accented names intact, code point by code point"),
       hint=Text("conserver et transmettre les noms en UTF-8 NFC tels que saisis : ni NFD, ni "
                     "Latin-1, ni troncature",
                 "store and send names in UTF-8 NFC exactly as entered: no NFD, no Latin-1, no "
                     "truncation"),
       steps=(StepKind.CREATE, StepKind.CONSULT, StepKind.PAPER),
       defaults=(StepKind.CREATE, StepKind.CONSULT, StepKind.PAPER), needs=(Fact.REGISTERED,))
def names_intact(ctx: CheckContext) -> str:
    """Names equal the entered ones exactly: in EP4 (create), in consult, in the code 2D (paper)."""
    expected = _created_names(ctx)
    kind = ctx.step.kind
    if kind == "create":
        ctx.expect_status(200, 201)
        body = ctx.body()
        pid = body.get("id") if isinstance(body, dict) else None
        entries = [e for e in ctx.journal("EP4")
                   if (e["request"].get("prescription") or {}).get("id") == pid]
        if not entries:
            raise NotEvaluated("no EP4 call for this prescription (RT-01 reports it)")
        diffs = _compare(expected, _names(entries[-1]["request"]["prescription"]), "EP4")
    elif kind == "consult":
        ctx.expect_status(200)
        diffs = _compare(expected, _names(ctx.body()), "consult")
    else:
        codes = [c for p in ctx.paper() for c in p.codes]
        if not codes:
            raise NotEvaluated("no code 2D decoded (QR-01 reports it)")
        if not codes[0].utf8:
            raise NotEvaluated("payload is not UTF-8 (QR-02 reports it)")
        try:
            person = untrusted.loads(codes[0].text)["D"]["P"]
            printed = {"patient.nomFamille": str(person["N"]).rstrip(),
                       "patient.prenom": str(person["P"]).rstrip()}
        except (ValueError, KeyError, TypeError) as exc:
            raise NotEvaluated("payload without patient names (QR-02 reports it)") from exc
        diffs = _compare({k: v for k, v in expected.items() if k in printed}, printed, "code 2D")
    if diffs:
        raise Failed(f"{len(diffs)} name(s) changed: {diffs[0]}", "names as entered, NFC",
                     diffs[0], tuple(diffs))
    return f"names unchanged in {ctx.step.kind}"
