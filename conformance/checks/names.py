"""ROB-03: names with accents, apostrophes, hyphens, œ and maximum lengths survive unchanged.

RT-02 compares after Unicode NFC normalisation; this check does not: an NFD or Latin-1
mangled name breaks matching in the pharmacy's software even when it looks the same.
"""

from __future__ import annotations

from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import Fact, Failed, NotEvaluated, Skipped, check
from conformance.messages import Message, Messages, Text
from conformance.targets import untrusted
from conformance.vocabulary import Severity, StepKind

NAME_FIELDS = (("patient", "nomFamille"), ("patient", "prenom"), ("prescripteur", "nomFamille"),
               ("prescripteur", "prenom"))


# what the helpers say: a changed name (its field and values are data), no creation to compare with
NAMES = Messages("names", {
    "changed": Text("{field} dans {where} : attendu {want!r} ({want_len} points de code), observé "
                    "{got!r}",
                    "{field} in {where}: expected {want!r} ({want_len} code points), observed "
                    "{got!r}"),
    "changed_len": Text("{field} dans {where} : attendu {want!r} ({want_len} points de code), "
                        "observé {got!r} ({got_len} points de code)",
                        "{field} in {where}: expected {want!r} ({want_len} code points), observed "
                        "{got!r} ({got_len} code points)"),
    "no_create": Text("aucune création avant cette étape", "no create step before this one"),
    "ep4": Text("EP4", "EP4"),
    "consult": Text("la consultation", "consult"),
    "code": Text("le code 2D", "code 2D"),
})


def _names(rx: Any) -> dict[str, Any]:
    out = {}
    for who, key in NAME_FIELDS:
        person = rx.get(who) if isinstance(rx, dict) else None
        out[f"{who}.{key}"] = person.get(key) if isinstance(person, dict) else None
    return out


def _compare(expected: dict[str, Any], observed: dict[str, Any], where: Message) -> list[Message]:
    diffs = []
    for field, want in expected.items():
        got = observed.get(field)
        if isinstance(want, str) and got != want:
            if isinstance(got, str):
                diffs.append(NAMES("changed_len", field=field, where=where, want=want,
                                   want_len=len(want), got=got, got_len=len(got)))
            else:
                diffs.append(NAMES("changed", field=field, where=where, want=want,
                                   want_len=len(want), got=got))
    return diffs


def _created_names(ctx: CheckContext) -> dict[str, Any]:
    if ctx.state.created is None:
        raise Skipped(NAMES("no_create"))
    return _names(ctx.state.created)


@check("names_intact", "ROB-03", Severity.MAJOR,
       title=Text("Noms accentués intacts, code point par code point",
                  "Accented names intact, code point by code point"),
       hint=Text("conserver et transmettre les noms en UTF-8 NFC tels que saisis : ni NFD, ni "
                     "Latin-1, ni troncature",
                 "store and send names in UTF-8 NFC exactly as entered: no NFD, no Latin-1, no "
                     "truncation"),
       steps=(StepKind.CREATE, StepKind.CONSULT, StepKind.PAPER),
       defaults=(StepKind.CREATE, StepKind.CONSULT, StepKind.PAPER), needs=(Fact.REGISTERED,),
       # not in the campaign: the tester typed the card, and the software's own spelling of what
       # was typed is not ours to fault
       campaign=False,
       messages={
           "no_ep4": Text("aucun appel EP4 pour cette prescription (RT-01 le signale)",
                          "no EP4 call for this prescription (RT-01 reports it)"),
           "no_code": Text("aucun code 2D décodé (QR-01 le signale)",
                           "no code 2D decoded (QR-01 reports it)"),
           "not_utf8": Text("contenu non UTF-8 (QR-02 le signale)",
                            "payload is not UTF-8 (QR-02 reports it)"),
           "no_names": Text("contenu sans noms du patient (QR-02 le signale)",
                            "payload without patient names (QR-02 reports it)"),
           "changed": Text("{count} nom(s) modifié(s) : {first}", "{count} name(s) changed: {first}"),
           "as_entered": Text("noms tels que saisis, NFC", "names as entered, NFC"),
           "unchanged": Text("noms inchangés dans {step}", "names unchanged in {step}"),
       })
def names_intact(ctx: CheckContext) -> str:
    """Names equal the entered ones exactly: in EP4 (create), in consult, in the code 2D (paper)."""
    msg = ctx.msg
    expected = _created_names(ctx)
    kind = ctx.step.kind
    if kind == "create":
        ctx.expect_status(200, 201)
        body = ctx.body()
        pid = body.get("id") if isinstance(body, dict) else None
        entries = [e for e in ctx.journal("EP4")
                   if (e["request"].get("prescription") or {}).get("id") == pid]
        if not entries:
            raise NotEvaluated(msg("no_ep4"))
        diffs = _compare(expected, _names(entries[-1]["request"]["prescription"]), NAMES("ep4"))
    elif kind == "consult":
        ctx.expect_status(200)
        diffs = _compare(expected, _names(ctx.body()), NAMES("consult"))
    else:
        codes = [c for p in ctx.paper() for c in p.codes]
        if not codes:
            raise NotEvaluated(msg("no_code"))
        if not codes[0].utf8:
            raise NotEvaluated(msg("not_utf8"))
        try:
            person = untrusted.loads(codes[0].text)["D"]["P"]
            printed = {"patient.nomFamille": str(person["N"]).rstrip(),
                       "patient.prenom": str(person["P"]).rstrip()}
        except (ValueError, KeyError, TypeError) as exc:
            raise NotEvaluated(msg("no_names")) from exc
        diffs = _compare({k: v for k, v in expected.items() if k in printed}, printed,
                         NAMES("code"))
    if diffs:
        raise Failed(msg("changed", count=len(diffs), first=diffs[0]), msg("as_entered"),
                     diffs[0], tuple(diffs))
    return msg("unchanged", step=ctx.step.kind)
