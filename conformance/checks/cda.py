"""The DMP copy's checks (CDA-01…CDA-10) as plain functions over a ``CdaRecord``: what the
document says against what was registered. Each returns an ``Outcome`` (its issues, each
located by XPath with the offending fragment, and what passed); the registry's declarations
wrap them thinly, and ``inspect cda`` calls them directly.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.cda import rules, texts  # noqa: F401  (their messages cross the sandbox)
from conformance.cda.record import NOWHERE, CdaRecord, Finding, Ident, Line, Where
from conformance.checks.cda_messages import CDA
from conformance.paper import PaperPage

PRESCRIPTION_ROOT = "1.2.250.1.215.500.1.1"
RPPS_ROOT = "1.2.250.1.71.4.2.1"
INS_TEST = {"1.2.250.1.213.1.4.10": "INS-NIR de test", "1.2.250.1.213.1.4.11": "INS-NIA de test"}
INS_PRODUCTION = {"1.2.250.1.213.1.4.8": "INS-NIR", "1.2.250.1.213.1.4.9": "INS-NIA"}

NO_KIT = CDA("no_kit")


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
        return CDA("at", xpath=self.at.xpath, message=self.message)


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
        raise NotJudged(CDA("not_read", kind=record.refused))


def _norm(text: Any) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).casefold().split())


def _day(value: str | None) -> str | None:
    if not value or not re.match(r"\d{8}", value):
        return None
    iso = f"{value[:4]}-{value[4:6]}-{value[6:8]}"  # a value, not a message
    return iso


def _findings(found: Iterable[Finding]) -> tuple[Issue, ...]:
    return tuple(Issue(CDA("rule", rule=f.rule, message=f.message), f.at) for f in found)


def structure(record: CdaRecord) -> Outcome:
    """CDA-01: readable, safe, and our structural rules of the volet hold."""
    if not record.readable:
        return Outcome("", (Issue(CDA("cannot_read", kind=record.refused, why=record.refusal),
                                  observed=record.refused or ""),))
    return Outcome(CDA("structure_ok", size=record.size),
                   _findings(record.findings))


def _needs_id(registered: Registered) -> str:
    if not registered.id:
        raise NotJudged(CDA("no_id"), applicable=False)
    return registered.id


def service_event(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-02: documentationOf/serviceEvent/id is the registered id, with its root."""
    readable(record)
    pid = _needs_id(registered)
    ids = record.service_ids
    if not ids:
        return Outcome("", (Issue(CDA("no_service_id"), record.service_at,
                                  f"{PRESCRIPTION_ROOT} / {pid}", CDA("absent")),))
    want = f"{PRESCRIPTION_ROOT} / {pid}"
    wrong = [Issue(CDA("service_wrong", got=f"{i.root} / {i.extension}", want=want), i.at, want,
                   f"{i.root} / {i.extension}")
             for i in ids if (i.root, i.extension) != (PRESCRIPTION_ROOT, pid)]
    if len(ids) > 1:
        wrong.append(Issue(CDA("service_many", count=len(ids)), ids[1].at))
    return Outcome(CDA("service_ok", want=want), tuple(wrong))


def _ins(record: CdaRecord, registered: Registered) -> list[Issue]:
    ins = str(registered.prescription.get("patient", {}).get("ins", ""))
    allowed, other = (INS_PRODUCTION, INS_TEST) if registered.production else (INS_TEST,
                                                                              INS_PRODUCTION)
    found = [i for i in record.patient.ids if i.root in allowed or i.root in other]
    if not found:
        return [Issue(CDA("no_ins"), record.patient.at, f"{'/'.join(allowed)} / {ins}",
                      CDA("absent"))]
    issues = []
    for ident in found:
        if ident.root in other:
            where = CDA("env_production" if registered.production else "env_test")
            issues.append(Issue(CDA("ins_root", root=ident.root, name=other[ident.root],
                                    where=where, allowed=", ".join(allowed)), ident.at,
                                CDA("one_of", values=", ".join(allowed)), str(ident.root)))
        if ins and ident.extension != ins:
            issues.append(Issue(CDA("ins_other", got=ident.extension, want=ins),
                                ident.at, ins, str(ident.extension)))
    return issues


def patient(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-03: the patient's INS (root of the environment) and traits are the registered ones."""
    readable(record)
    want = registered.prescription.get("patient")
    if not want:
        raise NotJudged(CDA("no_patient"), applicable=False)
    issues = _ins(record, registered)
    got = record.patient
    if not got.family or _norm(got.family[0]) != _norm(want.get("nomFamille")):
        issues.append(Issue(CDA("birth_name", got=got.family[:1], want=repr(want.get("nomFamille"))),
                            got.at, str(want.get("nomFamille")), ", ".join(got.family)))
    if not any(_norm(want.get("prenom")) in (_norm(g), _norm(g.split(" ")[0]) if g else "")
               for g in got.given):
        issues.append(Issue(CDA("given", want=repr(want.get("prenom")), got=list(got.given)),
                            got.at, str(want.get("prenom")), ", ".join(got.given)))
    sex = {"F": "F", "M": "M"}.get(str(want.get("sexe")), "UN")
    if got.sex != sex:
        issues.append(Issue(CDA("sex", got=got.sex, want=sex), got.at, sex, str(got.sex)))
    if _day(got.birth) != want.get("dateNaissance"):
        issues.append(Issue(CDA("birth", got=got.birth, want=want.get("dateNaissance")),
                            got.at, str(want.get("dateNaissance")), str(got.birth)))
    return Outcome(CDA("patient_ok", name=want.get("nomFamille")), tuple(issues))


def author(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-04: the author is the prescriber (RPPS as 8 + RPPS, names), a replacing doctor
    included."""
    readable(record)
    doctor = registered.prescription.get("prescripteur")
    if not doctor:
        raise NotJudged(CDA("no_prescriber"), applicable=False)
    want = "8" + str(doctor.get("rpps"))
    got = record.author
    rpps = [i for i in got.ids if i.root == RPPS_ROOT]
    issues = []
    if not any(i.extension == want for i in rpps):
        seen = ", ".join(f"{i.root} / {i.extension}" for i in got.ids) or CDA("none")
        issues.append(Issue(CDA("author_id", seen=seen, want=f"{RPPS_ROOT} / {want}"),
                            rpps[0].at if rpps else got.at,
                            f"{RPPS_ROOT} / {want}", seen))
    if not got.family or _norm(got.family[0]) != _norm(doctor.get("nomFamille")):
        issues.append(Issue(CDA("author_name", got=list(got.family),
                                want=repr(doctor.get("nomFamille"))), got.at,
                            str(doctor.get("nomFamille")), ", ".join(got.family)))
    return Outcome(CDA("author_ok", rpps=doctor.get("rpps")), tuple(issues))


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
    label = CDA("line", n=n, label=line.get("libelle"))
    issues = []
    wanted = _quantity(line)
    if wanted and got.quantity != wanted:
        issues.append(Issue(CDA("quantity", line=label, got=got.quantity, want=wanted), got.at, wanted,
                            str(got.quantity)))
    renewals = str(line.get("renouvellements") or 0)
    if got.repeat != renewals:
        issues.append(Issue(CDA("repeat", line=label, got=got.repeat, want=renewals),
                            got.at, renewals, str(got.repeat)))
    for flag, key, name in ((got.ald, "ald", CDA("ald")), (got.nr, "nonRembourse", CDA("nr"))):
        if flag is not None and flag != bool(line.get(key)):
            issues.append(Issue(CDA("flag", line=label, name=name, got=str(flag).lower(),
                                    want=str(bool(line.get(key))).lower()), got.at,
                                str(bool(line.get(key))).lower(), str(flag).lower()))
        elif flag is None and line.get(key):
            issues.append(Issue(CDA("no_flag", line=label, name=name), got.at, "true",
                                CDA("absent")))
    return issues


def lines(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-05: one entry per registered medicine or device, with its product, quantity,
    renewals and the ALD and non-reimbursable indicators; no entry that was not registered."""
    readable(record)
    wanted = [ln for ln in registered.prescription.get("lignes", [])
              if isinstance(ln, dict) and ln.get("type") in IN_VOLET]
    if not registered.prescription:
        raise NotJudged(CDA("no_lines"), applicable=False)
    left = list(record.lines)
    issues: list[Issue] = []
    for n, line in enumerate(wanted, start=1):
        got = _match(line, left)
        if got is None:
            issues.append(Issue(CDA("line_missing", n=n, label=line.get("libelle")),
                                NOWHERE, str(line.get("libelle")), CDA("absent")))
            continue
        left.remove(got)
        issues += _compare(n, line, got)
    issues += [Issue(CDA("extra_entry", what=got.label or got.codes), got.at, "", got.label)
               for got in left]
    return Outcome(CDA("lines_ok", count=len(wanted)), tuple(issues))


def validity(record: CdaRecord, registered: Registered) -> Outcome:
    """CDA-06: the validity starts on the prescription's day and ends after it starts; the
    author signed that day."""
    readable(record)
    low, high = record.validity
    issues = []
    if not low or not high:
        issues.append(Issue(CDA("validity_bounds"), record.validity_at, CDA("low_high"),
                            f"low={low} high={high}"))
    elif (_day(low) or "") > (_day(high) or ""):
        issues.append(Issue(CDA("validity_inverted", high=_day(high), low=_day(low)),
                            record.validity_at, "low ≤ high", f"{low} > {high}"))
    days = registered.days
    if days and low and _day(low) not in days:
        issues.append(Issue(CDA("validity_day", low=_day(low), days=", ".join(sorted(days))),
                            record.validity_at, ", ".join(sorted(days)), str(_day(low))))
    if days and _day(record.author.time) not in days:
        issues.append(Issue(CDA("signed_day", day=_day(record.author.time)),
                            record.author.at, ", ".join(sorted(days)),
                            str(_day(record.author.time))))
    return Outcome(CDA("validity_ok", low=_day(low), high=_day(high)), tuple(issues))


def _payload(text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _copy_text(pages: list[PaperPage]) -> str:
    return _norm(" ".join(p.text for p in pages))


def pdf_copy(record: CdaRecord, registered: Registered,
             pages: list[PaperPage] | str | None,
             printed: Sequence[str] | None = None) -> Outcome:
    """CDA-07: the PDF copy is a readable PDF (read in the paper sandbox: ``pages``, or the
    reason it could not be read) whose code 2D carries the registered id and patient (and,
    given the codes 2D of the ``printed`` paper, the very payloads it prints; without them the
    summary says the comparison was not possible), and which prints every registered line (not
    an earlier version)."""
    readable(record)
    at = record.pdf_at
    if record.pdf is None:
        return Outcome("", (Issue(record.pdf_problem or CDA("no_pdf"), at),))
    if not record.pdf.startswith(b"%PDF-"):
        return Outcome("", (Issue(CDA("not_pdf", start=repr(record.pdf[:16])), at, "%PDF-",
                                  repr(record.pdf[:16])),))
    if pages is None:
        raise NotJudged(CDA("no_reader"))
    if isinstance(pages, str):
        return Outcome("", (Issue(CDA("pdf_unreadable", why=pages), at),))
    issues = _copy_code(record, registered, pages)
    if printed is not None:
        copy = [c.text for p in pages for c in p.codes]
        paper = list(printed)
        if copy != paper:
            issues.append(Issue(CDA("copy_not_paper", got=repr([c[:60] for c in copy]),
                                    want=repr([c[:60] for c in paper])), at,
                                repr([c[:60] for c in paper]), repr([c[:60] for c in copy])))
    text = _copy_text(pages)
    for n, line in enumerate(registered.prescription.get("lignes", []), start=1):
        for key in ("libelle", "posologie"):
            if isinstance(line, dict) and line.get(key) and _norm(line[key]) not in text:
                issues.append(Issue(CDA("not_in_copy", n=n, what=CDA(key), value=repr(line[key])),
                                    at, str(line[key]), CDA("absent")))
    summary = CDA("copy_ok" if printed is not None else "copy_ok_alone", pages=len(pages))
    return Outcome(summary, tuple(issues))


def _copy_code(record: CdaRecord, registered: Registered,
               pages: list[PaperPage]) -> list[Issue]:
    codes = [code for page in pages for code in page.codes]
    at = record.pdf_at
    if registered.id is None:
        return [Issue(CDA("unregistered_codes", count=len(codes)), at, "0",
                      str(len(codes)))] if codes else []
    if len(codes) != 1:
        return [Issue(CDA("codes_count", count=len(codes)), at, "1", str(len(codes)))]
    payload = _payload(codes[0].text)
    data = payload.get("D") if payload else None
    if not isinstance(data, dict):
        return [Issue(CDA("not_payload", text=repr(codes[0].text[:60])), at, "JSON v2",
                      codes[0].text[:60])]
    issues = []
    if data.get("ID") != registered.id:
        issues.append(Issue(CDA("copy_id", got=repr(data.get("ID")), want=registered.id), at,
                            registered.id, str(data.get("ID"))))
    want = registered.prescription.get("patient", {})
    person = data.get("P")
    got: dict[str, Any] = person if isinstance(person, dict) else {}
    for key, field_name in (("N", "nomFamille"), ("P", "prenom"), ("D", "dateNaissance")):
        if want.get(field_name) and str(got.get(key, "")).strip() != str(want[field_name]).strip():
            issues.append(Issue(CDA("copy_field", field=key, got=repr(got.get(key)),
                                    want=repr(want[field_name])), at, str(want[field_name]),
                                str(got.get(key))))
    return issues


def identity(record: CdaRecord) -> Outcome:
    """CDA-08: a document id, a setId of its own, a version ≥ 1 coherent with RPLC; the
    confidentiality code N, R or V (a warning: no public rule says which)."""
    readable(record)
    issues = []
    if record.doc_id is None or not record.doc_id.root:
        issues.append(Issue(CDA("no_doc_id"), NOWHERE))
    elif record.set_id and (record.set_id.root, record.set_id.extension) == (
            record.doc_id.root, record.doc_id.extension):
        issues.append(Issue(CDA("id_is_set"), record.doc_id.at))
    version = record.version or ""
    replaces = [i for kind, i in record.related if kind == "RPLC"]
    if not version.isdigit() or int(version) < 1:
        issues.append(Issue(CDA("version_bad", version=repr(version)), NOWHERE))
    elif int(version) > 1 and not replaces:
        issues.append(Issue(CDA("version_alone", version=version)))
    elif int(version) == 1 and replaces:
        issues.append(Issue(CDA("version_one"), replaces[0].at))
    if issues:
        return Outcome("", tuple(issues))
    if record.confidentiality not in ("N", "R", "V"):
        return Outcome("", (Issue(CDA("confidentiality", code=repr(record.confidentiality)),
                                  record.confidentiality_at),), warning=True)
    return Outcome(CDA("identity_ok", id=_ident(record.doc_id), version=version))


def _ident(ident: Ident | None) -> str:
    shown = CDA("none") if ident is None else f"{ident.root}" + (
        f" / {ident.extension}" if ident.extension else "")  # a value, not a message
    return shown


def ans_schematron(record: CdaRecord) -> Outcome:
    """CDA-09: the volet's ANS schematron, each failed assert with its location."""
    readable(record)
    if record.ans is None:
        raise NotJudged(NO_KIT, applicable=False)
    if record.ans.schematron is None:
        raise NotJudged(record.ans.schematron_reason)
    return Outcome(CDA("schematron_ok", engine=record.ans.engine, rules=record.ans.rules),
                   _findings(record.ans.schematron))


def ans_schema(record: CdaRecord) -> Outcome:
    """CDA-10: the CDA schema of the ANS kit (CDA_extended.xsd)."""
    readable(record)
    if record.ans is None:
        raise NotJudged(NO_KIT, applicable=False)
    if record.ans.schema is None:
        raise NotJudged(record.ans.schema_reason)
    return Outcome(CDA("schema_ok", rules=record.ans.rules),
                   _findings(record.ans.schema))
