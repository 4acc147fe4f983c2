"""One document's analysis, the sandbox's ``cda`` task: bytes in, a ``CdaRecord`` out."""

from __future__ import annotations

from lxml import etree

from conformance.cda.extract import findings_sorted, record_fields
from conformance.cda.kit import RuleSet
from conformance.cda.locate import where
from conformance.cda.record import HL7, CdaRecord, Finding
from conformance.cda.rules import evaluate
from conformance.cda.safexml import XmlLimits, XmlRefused, parse
from conformance.cda.texts import READ


def analyse_cda(data: bytes, rules: RuleSet | None = None, engine: str = "auto",
                limits: XmlLimits | None = None) -> CdaRecord:
    """The document's facts and our rules' findings; a refused record when it cannot be read
    safely (the refusal's kind and reason, never a traceback)."""
    try:
        tree = parse(data, limits or XmlLimits())
    except XmlRefused as exc:
        return CdaRecord(size=len(data), refused=exc.kind, refusal=exc.args[0])
    root = tree.getroot()
    if root.tag != f"{{{HL7}}}ClinicalDocument":
        return CdaRecord(size=len(data), findings=(Finding(
            "CDA-01.00", READ("root", want=HL7, name=etree.QName(root).localname,
                              namespace=etree.QName(root).namespace or READ("no_namespace")),
            "HL7 CDA R2", where(root)),))
    ans = None
    if rules is not None:
        from conformance.cda.ans import run_ans

        ans = run_ans(rules, tree, engine)
    return CdaRecord(size=len(data), findings=findings_sorted(evaluate(tree)), ans=ans,
                     **record_fields(root))
