"""Judging a ``dmp`` step: the DMP copy (CDA eP-MED-DM) the tester's software sent for the
prescription of an earlier produce step. Read in the sandbox, attributed by the patient its
recordTarget names (never by guess), judged by every DMP-copy check that needs no teleservice,
the source step's card standing for the registered creation and its judged paper for the
printed one (CDA-02's id, CDA-07's code 2D)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from conformance.campaign.cards import Card
from conformance.campaign.judge import payloads
from conformance.campaign.plan import Plan, Step
from conformance.cda.record import CdaRecord
from conformance.engine.results import CheckResult
from conformance.messages import Messages, Text
from conformance.paper import PaperError, PaperPage, PaperReader, normalise
from conformance.profiles import Profile
from conformance.vocabulary import SkipKind, StepKind

DMP_STEP = Messages("campaign.dmp", {
    "no_paper": Text("non évalué : l'étape {source} n'a pas encore d'ordonnance jugée, à laquelle "
                     "comparer la copie (l'étape est rejugée quand elle arrive)",
                     "not evaluated: step {source} has no judged paper yet to compare the copy "
                     "with (the step is judged again when it arrives)"),
    "no_code": Text("non évalué : l'ordonnance jugée de l'étape {source} n'a pas de code 2D lisible : "
                    "l'identifiant enregistré n'est pas connu",
                    "not evaluated: the judged paper of step {source} has no readable code 2D: the "
                    "registered id is not known"),
    "paper_unread": Text("non évalué : l'ordonnance de l'étape {source} n'a pas pu être relue "
                         "({why})",
                         "not evaluated: the paper of step {source} could not be read again ({why})"),
})
MAX_READ = 120


@dataclass(frozen=True)
class CdaReading:
    """What a dropped CDA document says: its facts (or why it was refused)."""

    record: CdaRecord
    kind: str = "cda"
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        """What was read, for the journal and the unattributed list."""
        record = self.record
        out: dict[str, Any] = {"kind": "cda"}
        if not record.readable:
            out["error"] = f"{record.refused}: {record.refusal}"[:MAX_READ * 4]
            return out
        person = record.patient
        out["patient"] = {"ids": [f"{i.root} / {i.extension}"[:MAX_READ] for i in person.ids[:4]],
                          "N": (person.family[0] if person.family else None),
                          "P": (person.given[0] if person.given else None), "D": person.birth}
        out["serviceEvent"] = [str(i.extension)[:MAX_READ] for i in record.service_ids[:4]]
        return out


@dataclass(frozen=True)
class Paper:
    """The source step's judged paper, read again: its SHA-256, pages and prescription id; or
    why it cannot stand for the printed ordonnance (``missing``: a message)."""

    sha: str | None
    pages: tuple[PaperPage, ...] = ()
    pid: str | None = None
    missing: str | None = None


def read(reader: PaperReader, data: bytes) -> CdaReading:
    """The document read in the sandbox (a hostile one is a refused record, never raised)."""
    return CdaReading(reader.cda(data))


def _fold(text: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", normalise(str(text or "")).lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _day(value: str | None) -> str | None:
    if not value or len(value) < 8 or not value[:8].isdigit():
        return None
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}"


def named_patient(record: CdaRecord, cards: dict[str, Card]) -> str | None:
    """The produce step whose patient the document names: by INS, or by surname and birth date;
    None when none or several do."""
    if not record.readable:
        return None
    person = record.patient
    ins = {str(i.extension) for i in person.ids if i.extension}
    family = {_fold(name) for name in person.family}
    born = _day(person.birth)
    hits = {c.step for c in cards.values()
            if c.patient["ins"] in ins or c.patient["nir"] in ins
            or (_fold(c.patient["nomFamille"]) in family and c.patient["dateNaissance"] == born)}
    return hits.pop() if len(hits) == 1 else None


def attribute(record: CdaRecord, plan: Plan, cards: dict[str, Card]) -> str | None:
    """The one dmp step whose source step's patient the document names; None otherwise."""
    source = named_patient(record, cards)
    hits = [s.id for s in plan.steps if s.kind == "dmp" and source is not None and s.source == source]
    return hits[0] if len(hits) == 1 else None


def printed(reader: PaperReader, source: str, sha: str | None, data: bytes | None) -> Paper:
    """The source step's judged paper read again in the sandbox (None: none judged yet)."""
    if sha is None or data is None:
        return Paper(None, missing=DMP_STEP("no_paper", source=source))
    try:
        pages = tuple(reader.analyse(data))
    except PaperError as exc:
        return Paper(sha, missing=DMP_STEP("paper_unread", source=source, why=exc.message))
    for payload in payloads(pages):
        d = payload.get("D")
        if isinstance(d, dict) and d.get("ID"):
            return Paper(sha, pages, str(d["ID"]))
    return Paper(sha, pages, missing=DMP_STEP("no_code", source=source))


def judge(step: Step, card: Card, record: CdaRecord, data: bytes, paper: Paper, reader: PaperReader,
          profile: Profile, days: set[str], name: str) -> list[CheckResult]:
    """Every DMP-copy check of a dmp step on its document, the card standing for the creation and
    the source paper for the printed ordonnance; without a usable paper (and the source not in
    degraded mode, where no id is registered), CDA-02 and CDA-07 are not evaluated, saying why."""
    from conformance.checks import REGISTRY, ScenarioState, StepData, defaults
    from conformance.engine.checking import CheckEnvironment, Everywhere, run_checks, unevaluated
    from conformance.targets import Exchange

    # no adapter answers here: the contract gate (ROB-02) has nothing to validate
    names = tuple(n for n in defaults(StepKind.DMP) if REGISTRY[n].campaign and not REGISTRY[n].gate)
    degraded = bool(card.expected.get("degrade"))
    # the checks the source step's paper stands for (its code 2D: the registered id, the printed
    # payloads), declared ``needs_printed``
    blocked = () if paper.missing is None or (degraded and paper.sha is not None) \
        else tuple(n for n in names if REGISTRY[n].needs_printed)
    env = CheckEnvironment(profile, reader=reader)
    state = ScenarioState(created=card.expected, created_id=paper.pid, created_days=days)
    params = {"printed": list(paper.pages)} if paper.sha is not None and not blocked else {}
    exchange = Exchange("GET", name, None, 200, {}, data, 0.0)
    step_data = StepData(StepKind.DMP, params, [exchange], cda_record=record)
    ran = run_checks(tuple(Everywhere(n, step.location) for n in names if n not in blocked),
                     step_data, state, env)
    by_name = {r.check: r for r in ran}
    for n in blocked:
        by_name[n] = unevaluated(n, StepKind.DMP, step.location, paper.missing or "")
    return [by_name[n] for n in names if n in by_name]


def notice(result: CheckResult) -> bool:
    """A check not applicable because of how the campaign was set up (the ANS kit not given)."""
    return result.notice and result.skip is SkipKind.NOT_APPLICABLE
