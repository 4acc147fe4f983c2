"""CDA-01…CDA-10 on a ``dmp`` step: the DMP copy (CDA eP-MED-DM) the software sends for a
prescription, read in the sandbox, judged by the plain functions of ``checks.cda`` against what
was registered. Each problem is reported with its XPath location and the offending fragment
(the result's ``diff``: data, escaped by each reporter for its medium)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.cda.record import CdaRecord
from conformance.checks import cda
from conformance.checks.context import CheckContext
from conformance.checks.registry import Fact, Failed, NotEvaluated, Skipped, Warned, check
from conformance.messages import Messages, Text
from conformance.paper import PaperError, PaperPage
from conformance.vocabulary import Severity, StepKind

DMP = Messages("dmp", {
    "issues": Text("{count} problèmes, le premier : {first}", "{count} problems, the first: {first}"),
})
STEPS = (StepKind.DMP,)


def registered(ctx: CheckContext) -> cda.Registered:
    """What the scenario registered (``inspect``: the id given, nothing else)."""
    return cda.Registered(ctx.state.created_id, ctx.state.created or {},
                          frozenset(ctx.state.created_days))


def judged(ctx: CheckContext, judge: Callable[[CdaRecord], cda.Outcome]) -> str:
    """A plain function's outcome as the registry's: its summary, or its issues raised (the
    first as the message, each located in ``diff``)."""
    record = ctx.cda()
    try:
        outcome = judge(record)
    except cda.NotJudged as exc:
        raise (NotEvaluated if exc.applicable else Skipped)(exc.args[0]) from exc
    if not outcome.issues:
        return outcome.summary
    first = outcome.issues[0]
    message = first.message if len(outcome.issues) == 1 else DMP(
        "issues", count=len(outcome.issues), first=first.message)
    diff: list[str] = []
    for issue in outcome.issues:
        diff.append(issue.line())
        if issue.at.fragment:
            diff.append(f"    {issue.at.fragment}")
    raise (Warned if outcome.warning else Failed)(message, first.expected or None,
                                                  first.observed or None, tuple(diff))


def _copy_pages(ctx: CheckContext, record: CdaRecord) -> list[PaperPage] | str | None:
    """The PDF copy read in the paper sandbox (once per step), or why it cannot be read."""
    if ctx.step.cda_copy is None and record.pdf and record.pdf.startswith(b"%PDF-") \
            and ctx.reader is not None:
        try:
            ctx.step.cda_copy = ctx.reader.analyse(record.pdf)
        except PaperError as exc:
            ctx.step.cda_copy = exc.message
    return ctx.step.cda_copy


def _printed(ctx: CheckContext) -> tuple[str, ...] | None:
    """The codes 2D of the printed paper to compare the copy with: ``inspect cda --paper``, or
    what an earlier ``paper`` step of the same prescription printed in the scenario (None: no
    paper to compare with)."""
    pages: Any = ctx.step.params.get("printed")
    if isinstance(pages, list):
        return tuple(code.text for page in pages for code in page.codes)
    pid = ctx.step.params.get("id") or ctx.state.created_id
    return ctx.state.printed.get(str(pid)) if pid else None


def _title(fr: str, en: str) -> Text:
    return Text(f"Copie DMP : {fr}", f"DMP copy: {en}")


@check("cda_structure", "CDA-01", Severity.MAJOR,
       title=_title("structure du volet eP-MED-DM 2024.01", "structure of the eP-MED-DM 2024.01 volet"),
       hint=Text("produire un document CDA R2 lisible du volet eP-MED-DM 2024.01 (modèles, sections, "
                 "une entrée par ligne, la copie PDF en base64)",
                 "produce a readable CDA R2 document of the eP-MED-DM 2024.01 volet (templates, "
                 "sections, one entry per line, the PDF copy in base64)"),
       steps=STEPS, defaults=STEPS, standalone=True)
def cda_structure(ctx: CheckContext) -> str:
    """The document is read safely and our structural rules of the volet hold."""
    return judged(ctx, cda.structure)


@check("cda_service_event", "CDA-02", Severity.BLOCKING,
       title=_title("serviceEvent/id = l'identifiant enregistré", "serviceEvent/id = the registered id"),
       hint=Text("mettre l'identifiant de la prescription dans documentationOf/serviceEvent/id, "
                 "racine 1.2.250.1.215.500.1.1",
                 "put the prescription's identifier in documentationOf/serviceEvent/id, root "
                 "1.2.250.1.215.500.1.1"),
       steps=STEPS, defaults=STEPS, standalone=True, needs=(Fact.REGISTERED,),
       needs_printed=True)  # the registered id: a campaign reads it off the printed code 2D
def cda_service_event(ctx: CheckContext) -> str:
    """The document names the registered prescription, with its root."""
    return judged(ctx, lambda record: cda.service_event(record, registered(ctx)))


@check("cda_patient", "CDA-03", Severity.BLOCKING,
       title=_title("patient et INS = le patient enregistré", "patient and INS = the registered patient"),
       hint=Text("identifier le patient par son INS (racine de l'environnement : .4.10/.4.11 en test, "
                 ".4.8/.4.9 en production) et ses traits d'identité",
                 "identify the patient by their INS (the environment's root: .4.10/.4.11 in test, "
                 ".4.8/.4.9 in production) and identity traits"),
       steps=STEPS, defaults=STEPS, needs=(Fact.REGISTERED,))
def cda_patient(ctx: CheckContext) -> str:
    """The patient, INS and traits are the registered ones."""
    return judged(ctx, lambda record: cda.patient(record, registered(ctx)))


@check("cda_author", "CDA-04", Severity.MAJOR,
       title=_title("auteur = le prescripteur", "author = the prescriber"),
       hint=Text("l'auteur est le prescripteur (le remplaçant s'il remplace) : assignedAuthor/id "
                 "racine 1.2.250.1.71.4.2.1, extension 8 + RPPS",
                 "the author is the prescriber (the replacing doctor when replacing): "
                 "assignedAuthor/id root 1.2.250.1.71.4.2.1, extension 8 + RPPS"),
       steps=STEPS, defaults=STEPS, needs=(Fact.REGISTERED,))
def cda_author(ctx: CheckContext) -> str:
    """The author is the prescriber who signed."""
    return judged(ctx, lambda record: cda.author(record, registered(ctx)))


@check("cda_lines", "CDA-05", Severity.MAJOR,
       title=_title("lignes = les lignes enregistrées", "lines = the registered lines"),
       hint=Text("une entrée par médicament ou dispositif prescrit, avec son produit, sa quantité, "
                 "ses renouvellements et les indicateurs ALD et non remboursable",
                 "one entry per prescribed medicine or device, with its product, quantity, "
                 "renewals and the ALD and non-reimbursable indicators"),
       steps=STEPS, defaults=STEPS, needs=(Fact.REGISTERED,))
def cda_lines(ctx: CheckContext) -> str:
    """One entry per registered line, as registered; no other."""
    return judged(ctx, lambda record: cda.lines(record, registered(ctx)))


@check("cda_validity", "CDA-06", Severity.MAJOR,
       title=_title("validité et dates", "validity and dates"),
       hint=Text("serviceEvent/effectiveTime : low le jour de la prescription, high après low ; "
                 "author/time le même jour",
                 "serviceEvent/effectiveTime: low on the prescription's day, high after low; "
                 "author/time the same day"),
       steps=STEPS, defaults=STEPS, standalone=True)
def cda_validity(ctx: CheckContext) -> str:
    """The validity has both ends in order, from the prescription's day."""
    return judged(ctx, lambda record: cda.validity(record, registered(ctx)))


@check("cda_pdf_copy", "CDA-07", Severity.BLOCKING,
       title=_title("la copie PDF est l'ordonnance imprimée", "the PDF copy is the printed ordonnance"),
       hint=Text("joindre le PDF même de l'ordonnance imprimée (sa dernière version), avec son code 2D",
                 "attach the very PDF of the printed ordonnance (its last version), with its code 2D"),
       steps=STEPS, defaults=STEPS, standalone=True, needs=(Fact.REGISTERED,),
       needs_printed=True)
def cda_pdf_copy(ctx: CheckContext) -> str:
    """The PDF copy is readable and carries the registered id, patient and lines; and its very
    code 2D is the printed paper's when one was read — an earlier ``paper`` step of the same
    prescription (``ScenarioState.printed``) or ``inspect cda --paper`` —, else the verdict says
    the comparison was not possible (not a ``needs``: the copy is judged all the same)."""
    def judge(record: CdaRecord) -> cda.Outcome:
        known = registered(ctx)
        if ctx.state.created is None and known.id is None:  # inspect without --expect-id
            ids = [i.extension for i in record.service_ids if i.extension]
            known = cda.Registered(ids[0] if ids else None)
        return cda.pdf_copy(record, known, _copy_pages(ctx, record), _printed(ctx))

    return judged(ctx, judge)


@check("cda_identity", "CDA-08", Severity.MAJOR,
       title=_title("identité du document (id, setId, versionNumber)",
                    "document identity (id, setId, versionNumber)"),
       hint=Text("un id neuf par document ; un remplacement garde le setId, incrémente versionNumber "
                 "et porte relatedDocument RPLC",
                 "a fresh id per document; a replacement keeps setId, increments versionNumber and "
                 "carries relatedDocument RPLC"),
       steps=STEPS, defaults=STEPS, standalone=True)
def cda_identity(ctx: CheckContext) -> str:
    """The document's id, setId and version are coherent (confidentiality: a warning)."""
    return judged(ctx, cda.identity)


@check("cda_ans_schematron", "CDA-09", Severity.MAJOR,
       title=_title("schematron ANS du volet", "the volet's ANS schematron"),
       hint=Text("corriger chaque assertion en échec du schematron ANS (TestContenuCDA-3-0)",
                 "fix each failed assert of the ANS schematron (TestContenuCDA-3-0)"),
       steps=STEPS, defaults=STEPS, standalone=True, notice=True)
def cda_ans_schematron(ctx: CheckContext) -> str:
    """The ANS schematron of the volet, with ``--cda-rules`` (else not applicable)."""
    return judged(ctx, cda.ans_schematron)


@check("cda_ans_schema", "CDA-10", Severity.MAJOR,
       title=_title("schéma CDA du kit ANS", "the ANS kit's CDA schema"),
       hint=Text("produire un document valide selon CDA_extended.xsd du kit ANS",
                 "produce a document valid against the ANS kit's CDA_extended.xsd"),
       steps=STEPS, defaults=STEPS, standalone=True, notice=True)
def cda_ans_schema(ctx: CheckContext) -> str:
    """The CDA schema of the ANS kit, with ``--cda-rules`` (else not applicable)."""
    return judged(ctx, cda.ans_schema)
