"""The DMP copy's checks (CDA-01…CDA-10) as plain functions over a ``CdaRecord``: what the
document says against what was registered. Each returns an ``Outcome`` (its issues, each
located by XPath with the offending fragment, and what passed); the registry's declarations
wrap them thinly, and ``inspect cda`` calls them directly.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.cda.record import NOWHERE, CdaRecord, Finding, Ident, Line, Where
from conformance.paper import PaperPage

PRESCRIPTION_ROOT = "1.2.250.1.215.500.1.1"
RPPS_ROOT = "1.2.250.1.71.4.2.1"
INS_TEST = {"1.2.250.1.213.1.4.10": "INS-NIR de test", "1.2.250.1.213.1.4.11": "INS-NIA de test"}
INS_PRODUCTION = {"1.2.250.1.213.1.4.8": "INS-NIR", "1.2.250.1.213.1.4.9": "INS-NIA"}
NO_KIT = "ANS rules not supplied: --cda-rules"


class NotJudged(Exception):
    """The check cannot judge: ``applicable`` False is *not applicable*, else *not evaluated*."""

    def __init__(self, reason: str, applicable: bool = True) -> None:
        super().__init__(reason)
        self.applicable = applicable


@dataclass(frozen=True)
class Issue:
    """One problem, located in the document."""

    message: str
    at: Where = NOWHERE
    expected: str = ""
    observed: str = ""

    def line(self) -> str:
        """The issue with its location, for a list of them."""
        located = f"{self.at.xpath}: {self.message}"  # a list item, not a message of its own
        return located


@dataclass(frozen=True)
class Outcome:
    """A check's issues (none: it passed, with ``summary``); ``warning``: issues only warn."""

    summary: str
    issues: tuple[Issue, ...] = ()
    warning: bool = False


@dataclass(frozen=True)
class Registered:
    """What the teleservice and the target were told: the created prescription and its id."""

    id: str | None
    prescription: dict[str, Any] = field(default_factory=dict)
    days: frozenset[str] = frozenset()  # the prescription's possible dates (YYYY-MM-DD)
    production: bool = False  # a production environment (INS roots .4.8/.4.9)


def readable(record: CdaRecord) -> None:
    """NotJudged (not evaluated) when the document could not be read: CDA-01 reports it."""
    if not record.readable:
        raise NotJudged(f"the DMP copy could not be read ({record.refused}): CDA-01 reports it")


def _norm(text: Any) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).casefold().split())


def _day(value: str | None) -> str | None:
    if not value or not re.match(r"\d{8}", value):
        return None
    iso = f"{value[:4]}-{value[4:6]}-{value[6:8]}"  # a value, not a message
    return iso


def _findings(found: Iterable[Finding]) -> tuple[Issue, ...]:
    return tuple(Issue(f"[{f.rule}] {f.message}", f.at) for f in found)


def structure(record: CdaRecord) -> Outcome:
    """CDA-01: readable, safe, and our structural rules of the volet hold."""
    if not record.readable:
        return Outcome("", (Issue(f"the DMP copy cannot be read ({record.refused}): "
                                  f"{record.refusal}", observed=record.refused or ""),))
    return Outcome(f"the volet's structure holds ({record.size} bytes)",
                   _findings(record.findings))


def _needs_id(registered: Registered) -> str:
    if not registered.id:
        raise NotJudged("no registered identifier to compare (not registered, or no "
                        "--expect-id)", applicable=False)
    return registered.id


def service_event(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-02: documentationOf/serviceEvent/id is the registered id, with its root."""
    readable(record)
    pid = _needs_id(registered)
    ids = record.service_ids
    if not ids:
        return Outcome("", (Issue("the document has no serviceEvent/id: the DMP cannot link it "
                                  "to the registered prescription", record.service_at,
                                  f"{PRESCRIPTION_ROOT} / {pid}", "absent"),))
    wrong = [Issue(f"serviceEvent/id is {i.root} / {i.extension}, not {PRESCRIPTION_ROOT} / "
                   f"{pid}", i.at, f"{PRESCRIPTION_ROOT} / {pid}", f"{i.root} / {i.extension}")
             for i in ids if (i.root, i.extension) != (PRESCRIPTION_ROOT, pid)]
    if len(ids) > 1:
        wrong.append(Issue(f"{len(ids)} serviceEvent/id instead of one", ids[1].at))
    return Outcome(f"serviceEvent/id = {PRESCRIPTION_ROOT} / {pid}", tuple(wrong))


def _ins(record: CdaRecord, registered: Registered) -> list[Issue]:
    ins = str(registered.prescription.get("patient", {}).get("ins", ""))
    allowed, other = (INS_PRODUCTION, INS_TEST) if registered.production else (INS_TEST,
                                                                              INS_PRODUCTION)
    found = [i for i in record.patient.ids if i.root in allowed or i.root in other]
    if not found:
        return [Issue("the patient has no INS (patientRole/id with an INS root)",
                      record.patient.at, f"{'/'.join(allowed)} / {ins}", "absent")]
    issues = []
    for ident in found:
        if ident.root in other:
            where = "a test environment" if not registered.production else "production"
            issues.append(Issue(f"the INS root {ident.root} ({other[ident.root]}) is not one of "
                                f"{where} ({', '.join(allowed)})", ident.at,
                                " or ".join(allowed), str(ident.root)))
        if ins and ident.extension != ins:
            issues.append(Issue(f"the INS is {ident.extension}, not the registered {ins}",
                                ident.at, ins, str(ident.extension)))
    return issues


def patient(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-03: the patient's INS (root of the environment) and traits are the registered ones."""
    readable(record)
    want = registered.prescription.get("patient")
    if not want:
        raise NotJudged("no registered patient to compare", applicable=False)
    issues = _ins(record, registered)
    got = record.patient
    if not got.family or _norm(got.family[0]) != _norm(want.get("nomFamille")):
        issues.append(Issue(f"the birth name is {got.family[:1]}, not {want.get('nomFamille')!r}",
                            got.at, str(want.get("nomFamille")), ", ".join(got.family)))
    if not any(_norm(want.get("prenom")) in (_norm(g), _norm(g.split(" ")[0]) if g else "")
               for g in got.given):
        issues.append(Issue(f"no given name is {want.get('prenom')!r} ({list(got.given)})",
                            got.at, str(want.get("prenom")), ", ".join(got.given)))
    sex = {"F": "F", "M": "M"}.get(str(want.get("sexe")), "UN")
    if got.sex != sex:
        issues.append(Issue(f"the sex is {got.sex}, not {sex}", got.at, sex, str(got.sex)))
    if _day(got.birth) != want.get("dateNaissance"):
        issues.append(Issue(f"the birth date is {got.birth}, not {want.get('dateNaissance')}",
                            got.at, str(want.get("dateNaissance")), str(got.birth)))
    return Outcome(f"patient {want.get('nomFamille')} with the registered INS", tuple(issues))


def author(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-04: the author is the prescriber (RPPS as 8 + RPPS, names), a replacing doctor
    included."""
    readable(record)
    doctor = registered.prescription.get("prescripteur")
    if not doctor:
        raise NotJudged("no registered prescriber to compare", applicable=False)
    want = "8" + str(doctor.get("rpps"))
    got = record.author
    rpps = [i for i in got.ids if i.root == RPPS_ROOT]
    issues = []
    if not any(i.extension == want for i in rpps):
        seen = ", ".join(f"{i.root} / {i.extension}" for i in got.ids) or "none"
        issues.append(Issue(f"the author is not the prescriber: id {seen}, expected "
                            f"{RPPS_ROOT} / {want}", rpps[0].at if rpps else got.at,
                            f"{RPPS_ROOT} / {want}", seen))
    if not got.family or _norm(got.family[0]) != _norm(doctor.get("nomFamille")):
        issues.append(Issue(f"the author's name is {list(got.family)}, not "
                            f"{doctor.get('nomFamille')!r}", got.at,
                            str(doctor.get("nomFamille")), ", ".join(got.family)))
    return Outcome(f"author = the prescriber (RPPS {doctor.get('rpps')})", tuple(issues))


IN_VOLET = ("medicament", "dispositifMedical")


def _quantity(line: dict[str, Any]) -> str | None:
    found = re.match(r"\s*(\d+)", str(line.get("quantite") or ""))
    return found.group(1) if found else None


def _match(line: dict[str, Any], candidates: list[Line]) -> Line | None:
    code = str((line.get("code") or {}).get("valeur") or "")
    for got in candidates:
        if got.kind == line.get("type") and (
                (code and code in [c for c, _ in got.codes])
                or (not code and _norm(got.label) == _norm(line.get("libelle")))):
            return got
    return None


def _compare(n: int, line: dict[str, Any], got: Line) -> list[Issue]:
    label = f"line {n} ({line.get('libelle')})"
    issues = []
    wanted = _quantity(line)
    if wanted and got.quantity != wanted:
        issues.append(Issue(f"{label}: quantity {got.quantity}, not {wanted}", got.at, wanted,
                            str(got.quantity)))
    renewals = str(line.get("renouvellements") or 0)
    if got.repeat != renewals:
        issues.append(Issue(f"{label}: repeatNumber {got.repeat}, not {renewals} renewal(s)",
                            got.at, renewals, str(got.repeat)))
    for flag, key, name in ((got.ald, "ald", "ALD"), (got.nr, "nonRembourse",
                                                      "non-reimbursable")):
        if flag is not None and flag != bool(line.get(key)):
            issues.append(Issue(f"{label}: {name} indicator {str(flag).lower()}, registered "
                                f"{str(bool(line.get(key))).lower()}", got.at,
                                str(bool(line.get(key))).lower(), str(flag).lower()))
        elif flag is None and line.get(key):
            issues.append(Issue(f"{label}: no {name} indicator on a line registered {name}",
                                got.at, "true", "absent"))
    return issues


def lines(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-05: one entry per registered medicine or device, with its product, quantity,
    renewals and the ALD and non-reimbursable indicators; no entry that was not registered."""
    readable(record)
    wanted = [ln for ln in registered.prescription.get("lignes", [])
              if isinstance(ln, dict) and ln.get("type") in IN_VOLET]
    if not registered.prescription:
        raise NotJudged("no registered lines to compare", applicable=False)
    left = list(record.lines)
    issues: list[Issue] = []
    for n, line in enumerate(wanted, start=1):
        got = _match(line, left)
        if got is None:
            issues.append(Issue(f"line {n} ({line.get('libelle')}) is not in the document",
                                NOWHERE, str(line.get("libelle")), "absent"))
            continue
        left.remove(got)
        issues += _compare(n, line, got)
    issues += [Issue(f"an entry that was not registered ({got.label or got.codes})", got.at,
                     "", got.label) for got in left]
    return Outcome(f"{len(wanted)} line(s) as registered", tuple(issues))


def validity(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-06: the validity starts on the prescription's day and ends after it starts; the
    author signed that day."""
    readable(record)
    low, high = record.validity
    issues = []
    if not low or not high:
        issues.append(Issue("the validity (serviceEvent/effectiveTime) needs low and high",
                            record.validity_at, "low and high", f"low={low} high={high}"))
    elif (_day(low) or "") > (_day(high) or ""):
        issues.append(Issue(f"the validity ends ({_day(high)}) before it starts ({_day(low)})",
                            record.validity_at, "low ≤ high", f"{low} > {high}"))
    days = registered.days
    if days and low and _day(low) not in days:
        issues.append(Issue(f"the validity starts on {_day(low)}, not on the prescription's day "
                            f"({', '.join(sorted(days))})", record.validity_at,
                            " or ".join(sorted(days)), str(_day(low))))
    if days and _day(record.author.time) not in days:
        issues.append(Issue(f"the author signed on {_day(record.author.time)}, not on the "
                            f"prescription's day", record.author.at, " or ".join(sorted(days)),
                            str(_day(record.author.time))))
    return Outcome(f"valid from {_day(low)} to {_day(high)}", tuple(issues))


def _payload(text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _copy_text(pages: list[PaperPage]) -> str:
    return _norm(" ".join(p.text for p in pages))


def pdf_copy(record: CdaRecord, registered: Registered,
             pages: list[PaperPage] | str | None) -> Outcome:
    """CDA-07: the PDF copy is a readable PDF (read in the paper sandbox: ``pages``, or the
    reason it could not be read) whose code 2D carries the registered id and patient, and
    which prints every registered line (not an earlier version)."""
    readable(record)
    at = record.pdf_at
    if record.pdf is None:
        return Outcome("", (Issue(record.pdf_problem or "no PDF copy", at),))
    if not record.pdf.startswith(b"%PDF-"):
        return Outcome("", (Issue(f"the PDF copy is not a PDF (it starts with "
                                  f"{record.pdf[:16]!r})", at, "%PDF-", repr(record.pdf[:16])),))
    if pages is None:
        raise NotJudged("no paper reader to read the PDF copy")
    if isinstance(pages, str):
        return Outcome("", (Issue(f"the PDF copy cannot be read: {pages}", at),))
    issues = _copy_code(record, registered, pages)
    text = _copy_text(pages)
    for n, line in enumerate(registered.prescription.get("lignes", []), start=1):
        for key in ("libelle", "posologie"):
            if isinstance(line, dict) and line.get(key) and _norm(line[key]) not in text:
                issues.append(Issue(f"line {n}'s {key} {line[key]!r} is not in the PDF copy: not "
                                    "the printed ordonnance (an earlier version?)", at,
                                    str(line[key]), "absent"))
    return Outcome(f"the PDF copy is the printed ordonnance ({len(pages)} page(s))",
                   tuple(issues))


def _copy_code(record: CdaRecord, registered: Registered,
               pages: list[PaperPage]) -> list[Issue]:
    codes = [code for page in pages for code in page.codes]
    at = record.pdf_at
    if registered.id is None:
        return [Issue(f"the PDF copy of an unregistered prescription carries {len(codes)} "
                      "code(s) 2D", at, "0", str(len(codes)))] if codes else []
    if len(codes) != 1:
        return [Issue(f"the PDF copy carries {len(codes)} code(s) 2D instead of one", at, "1",
                      str(len(codes)))]
    payload = _payload(codes[0].text)
    data = payload.get("D") if payload else None
    if not isinstance(data, dict):
        return [Issue(f"the PDF copy's code 2D holds {codes[0].text[:60]!r}, not the "
                      "prescription's payload (JSON version 2)", at, "JSON v2",
                      codes[0].text[:60])]
    issues = []
    if data.get("ID") != registered.id:
        issues.append(Issue(f"the PDF copy's code 2D carries the id {data.get('ID')!r}, not "
                            f"{registered.id}", at, registered.id, str(data.get("ID"))))
    want = registered.prescription.get("patient", {})
    person = data.get("P")
    got: dict[str, Any] = person if isinstance(person, dict) else {}
    for key, field_name in (("N", "nomFamille"), ("P", "prenom"), ("D", "dateNaissance")):
        if want.get(field_name) and str(got.get(key, "")).strip() != str(want[field_name]).strip():
            issues.append(Issue(f"the PDF copy's code 2D has P.{key} {got.get(key)!r}, not "
                                f"{want[field_name]!r}", at, str(want[field_name]),
                                str(got.get(key))))
    return issues


def identity(record: CdaRecord) -> Outcome:
    """CDA-08: a document id, a setId of its own, a version ≥ 1 coherent with RPLC; the
    confidentiality code N, R or V (a warning: no public rule says which)."""
    readable(record)
    issues = []
    if record.doc_id is None or not record.doc_id.root:
        issues.append(Issue("the document has no id (with a root)", NOWHERE))
    elif record.set_id and (record.set_id.root, record.set_id.extension) == (
            record.doc_id.root, record.doc_id.extension):
        issues.append(Issue("the document's id equals its setId: each version needs an id of "
                            "its own", record.doc_id.at))
    version = record.version or ""
    replaces = [i for kind, i in record.related if kind == "RPLC"]
    if not version.isdigit() or int(version) < 1:
        issues.append(Issue(f"versionNumber {version!r} is not a whole number ≥ 1", NOWHERE))
    elif int(version) > 1 and not replaces:
        issues.append(Issue(f"version {version} replaces nothing (no relatedDocument RPLC)"))
    elif int(version) == 1 and replaces:
        issues.append(Issue("version 1 declares that it replaces a document (RPLC)",
                            replaces[0].at))
    if issues:
        return Outcome("", tuple(issues))
    if record.confidentiality not in ("N", "R", "V"):
        return Outcome("", (Issue(f"confidentialityCode {record.confidentiality!r} is not N, R "
                                  "or V", record.confidentiality_at),), warning=True)
    return Outcome(f"document {_ident(record.doc_id)} version {version}")


def _ident(ident: Ident | None) -> str:
    shown = "none" if ident is None else f"{ident.root}" + (
        f" / {ident.extension}" if ident.extension else "")  # a value, not a message
    return shown


def ans_schematron(record: CdaRecord) -> Outcome:
    """CDA-09: the volet's ANS schematron, each failed assert with its location."""
    readable(record)
    if record.ans is None:
        raise NotJudged(NO_KIT, applicable=False)
    if record.ans.schematron is None:
        raise NotJudged(record.ans.schematron_reason)
    return Outcome(f"ANS schematron: no failed assert ({record.ans.engine}; {record.ans.rules})",
                   _findings(record.ans.schematron))


def ans_schema(record: CdaRecord) -> Outcome:
    """CDA-10: the CDA schema of the ANS kit (CDA_extended.xsd)."""
    readable(record)
    if record.ans is None:
        raise NotJudged(NO_KIT, applicable=False)
    if record.ans.schema is None:
        raise NotJudged(record.ans.schema_reason)
    return Outcome(f"valid against the CDA schema ({record.ans.rules})",
                   _findings(record.ans.schema))
