"""The ANS rules of the volet, from a user's kit: the schematron (CDA-09) and the CDA schema
(CDA-10). Runs where the document was parsed (the sandbox worker), on the re-serialised safe
tree, never on the target's raw bytes.

The schematron is XSLT 2 (``queryBinding="xslt2"``): SaxonC-HE (the ``[cda]`` extra) compiles
it with the kit's own skeleton (include → abstract expand → svrl_for_xslt2). Without Saxon,
lxml's XSLT 1 skeleton runs it only for a rule set whose hash the tests proved gives Saxon's
answers (``VERIFIED_ON_LXML``); any other rule set is *not evaluated*, with the reason.
Compilations are cached per process by the rule set's hash.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from lxml import etree

from conformance.cda.kit import PHASE, SKELETON, RuleSet
from conformance.cda.locate import where
from conformance.cda.record import NOWHERE, AnsResult, Finding, Where
from conformance.cda.texts import ANS

# Rule-set hashes for which lxml's XSLT 1 skeleton gives, on the tests' corpus, exactly the
# failed asserts and locations Saxon gives (tests/test_cda_ans.py proves each one).
VERIFIED_ON_LXML = frozenset({
    "6f812672a268f77cb44e643b5ebab0b9db9332b56817018fda4f4060e35310a8",  # 7cd489b3, 2025-02-19
})
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
_LOCK = threading.Lock()
_SAXON: dict[str, Any] = {}
_LXML: dict[str, Any] = {}
_XSD: dict[str, etree.XMLSchema] = {}


def saxon_version() -> str | None:
    """SaxonC-HE's version when the ``[cda]`` extra is installed."""
    try:
        import saxonche
    except ImportError:
        return None
    return f"SaxonC-HE {getattr(saxonche, '__version__', '')}".strip()


def _saxon(rules: RuleSet) -> tuple[Any, Any]:
    from saxonche import PySaxonProcessor

    with _LOCK:
        if rules.digest not in _SAXON:
            processor = PySaxonProcessor(license=False)
            xslt = processor.new_xslt30_processor()
            text = processor.parse_xml(xml_file_name=rules.schematron)
            for step in SKELETON:  # the kit's own pipeline, as ANS runs it
                compiled = xslt.compile_stylesheet(stylesheet_file=f"{rules.moteur}/{step}")
                text = processor.parse_xml(xml_text=compiled.transform_to_string(xdm_node=text))
            _SAXON[rules.digest] = (processor, xslt.compile_stylesheet(
                stylesheet_text=str(text)))
        return _SAXON[rules.digest]  # type: ignore[no-any-return]


def _lxml(rules: RuleSet) -> Any:
    from lxml import isoschematron  # type: ignore[attr-defined]

    with _LOCK:
        if rules.digest not in _LXML:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            schema = etree.parse(rules.schematron, parser)
            schema.getroot().set("queryBinding", "xslt1")  # verified equivalent for this hash
            _LXML[rules.digest] = isoschematron.Schematron(
                schema, phase=PHASE, store_report=True, validate_schema=False)
        return _LXML[rules.digest]


def _saxon_location(tree: etree._ElementTree, location: str) -> Where:
    """Saxon's paths (``/ClinicalDocument/component[2]/section``) as a node of our tree."""
    steps = [s for s in location.split("/") if s]
    xpath = ""
    for step in steps:
        match = re.fullmatch(r"(?:[\w.-]+:)?([\w.-]+)(\[\d+\])?", step)
        if not match:
            return Where(location)
        xpath += f"/*[local-name()='{match.group(1)}']{match.group(2) or ''}"
    return _node_at(tree, xpath or "/*", location)


def _node_at(tree: etree._ElementTree, xpath: str, fallback: str) -> Where:
    try:
        found: Any = tree.xpath(xpath)
    except etree.XPathError:
        return Where(fallback)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return where(found[0])
    return Where(fallback)


def _failed(report: etree._Element, tree: etree._ElementTree, saxon: bool) -> tuple[Finding, ...]:
    found = []
    for failed in report.iter("{http://purl.oclc.org/dsdl/svrl}failed-assert"):
        text = " ".join("".join(str(t) for t in failed.itertext()).split())
        location = failed.get("location", "")
        at = _saxon_location(tree, location) if saxon else _node_at(tree, location, location)
        rule = re.match(r"\[([^\]]+)\]", text)
        found.append(Finding(f"ANS {rule.group(1)}" if rule else "ANS", text,
                             "ANS schematron CI-SIS_EP-MED-DM_2024.01", at))
    return tuple(sorted(found, key=lambda f: (f.at.xpath, f.message)))


def schematron(rules: RuleSet, tree: etree._ElementTree, engine: str = "auto"
               ) -> tuple[tuple[Finding, ...] | None, str, str]:
    """(failed asserts or None, the engine that ran, why it did not run)."""
    saxon = saxon_version()
    if engine in ("auto", "saxon") and saxon:
        processor, validator = _saxon(rules)
        node = processor.parse_xml(xml_text=etree.tostring(tree, encoding="unicode"))
        report = etree.fromstring(validator.transform_to_string(xdm_node=node).encode())
        return _failed(report, tree, True), saxon, ""
    if engine == "saxon":
        return None, "", ANS("no_saxon")
    if rules.digest not in VERIFIED_ON_LXML:
        return None, "", ANS("unverified", digest=rules.digest[:12])
    validator = _lxml(rules)
    validator.validate(tree)
    return (_failed(validator.validation_report.getroot(), tree, False),
            ANS("lxml", version=etree.__version__), "")


def schema(rules: RuleSet, tree: etree._ElementTree) -> tuple[Finding, ...]:
    """The CDA schema's errors, one finding each, located."""
    with _LOCK:
        if rules.schema_digest not in _XSD:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            _XSD[rules.schema_digest] = etree.XMLSchema(etree.parse(rules.schema, parser))
        xsd = _XSD[rules.schema_digest]
    xsd.validate(tree)
    found = []
    for error in list(xsd.error_log):  # type: ignore[call-overload]
        at = _node_at(tree, error.path, error.path) if error.path else NOWHERE
        found.append(Finding("XSD", error.message, "HL7 CDA R2 schema (CDA_extended.xsd)", at))
    return tuple(found)


def run_ans(rules: RuleSet, tree: etree._ElementTree, engine: str = "auto") -> AnsResult:
    """Both ANS rule sets on one document."""
    findings, used, reason = schematron(rules, tree, engine)
    return AnsResult(rules.label, used, findings, reason, schema(rules, tree), "")
