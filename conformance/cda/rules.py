"""Our structural rules of the volet (CDA-01): XPath 1.0 on lxml, no XSLT, no ANS files.

Written from the public volet eP-MED-DM 2024.01, the ANS implementation guide's profile
(FRCDAClinicalDocumentEPMEDDM) and the ANS kit's two examples, where the ANS schematron is
silent (the template's version, the PDF copy's media type, each entry's product, the
structure of the prescription sections). Each rule: an id, the test on every node of its
context, a message and its source.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from conformance.cda.extract import (
    ALD,
    DEVICE_ENTRY,
    DEVICES,
    MEDICINE_ENTRY,
    MEDICINES,
    NR,
    NS,
    PDF_COPY,
)
from conformance.cda.locate import where
from conformance.cda.record import Finding
from conformance.messages import Messages, Text

VOLET = "ANS CI-SIS volet eP-MED-DM 2024.01"
IG = "ANS IG ePrescription, FRCDAClinicalDocumentEPMEDDM"
KIT = "ANS TestContenuCDA-3-0, examples eP-MED-DM_2024.01"
SECTIONS = "cda:component/cda:structuredBody/cda:component/cda:section"
INS_ROOTS = ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10",
             "1.2.250.1.213.1.4.11")


@dataclass(frozen=True)
class Rule:
    """One structural rule: every node at ``context`` must satisfy ``test``."""

    id: str
    message: str  # in English; in French: ``FRENCH``
    source: str
    test: str
    context: str = "/cda:ClinicalDocument"


def _tpl(root: str) -> str:
    return f"cda:templateId[@root='{root}']"


RULES: tuple[Rule, ...] = (
    Rule("CDA-01.01", "typeId must be root 2.16.840.1.113883.1.3, extension POCD_HD000040",
         "HL7 CDA R2", "cda:typeId[@root='2.16.840.1.113883.1.3' and @extension='POCD_HD000040']"),
    Rule("CDA-01.02", "the volet's template 1.2.250.1.213.1.1.1.39 must carry extension 2024.01",
         IG, "cda:templateId[@root='1.2.250.1.213.1.1.1.39' and @extension='2024.01']"),
    Rule("CDA-01.03", "the header templates of HL7 France, the CI-SIS, IHE PRE and IHE PCC are "
         "required", VOLET, " and ".join(_tpl(r) for r in (
             "2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1", "1.3.6.1.4.1.19376.1.9.1.1.1",
             "1.3.6.1.4.1.19376.1.5.3.1.1.1"))),
    Rule("CDA-01.04", "the document code must be LOINC 57833-6", VOLET,
         "cda:code[@code='57833-6' and @codeSystem='2.16.840.1.113883.6.1']"),
    Rule("CDA-01.05", "exactly one id (with a root), one effectiveTime, one setId and one "
         "versionNumber", "HL7 CDA R2, FR Document Core",
         "count(cda:id[@root])=1 and count(cda:effectiveTime[@value])=1 and "
         "count(cda:setId[@root])=1 and count(cda:versionNumber[@value])=1"),
    Rule("CDA-01.06", "the language must be fr-FR", VOLET, "cda:languageCode[@code='fr-FR']"),
    Rule("CDA-01.07", "exactly one patient (recordTarget/patientRole) identified by an INS",
         IG, "count(cda:recordTarget/cda:patientRole)=1 and cda:recordTarget/cda:patientRole/"
         "cda:id[" + " or ".join(f"@root='{r}'" for r in INS_ROOTS) + "]"),
    Rule("CDA-01.08", "the patient needs a name (family and given), a sex and a birth date",
         VOLET, "cda:name/cda:family and cda:name/cda:given and cda:administrativeGenderCode"
         "[@code] and cda:birthTime[@value]", "/cda:ClinicalDocument/cda:recordTarget/"
         "cda:patientRole/cda:patient"),
    Rule("CDA-01.09", "exactly one author with a time, an id, a profession and an organisation "
         "(id and name)", VOLET, "count(cda:author)=1 and cda:author/cda:time[@value] and "
         "cda:author/cda:assignedAuthor/cda:id and cda:author/cda:assignedAuthor/cda:code and "
         "cda:author/cda:assignedAuthor/cda:representedOrganization/cda:id and "
         "cda:author/cda:assignedAuthor/cda:representedOrganization/cda:name"),
    Rule("CDA-01.10", "a custodian is required", "HL7 CDA R2", "cda:custodian"),
    Rule("CDA-01.11", "exactly one documented prescription (documentationOf/serviceEvent coded "
         "57833-6) with its validity (effectiveTime low and high)", VOLET,
         "count(cda:documentationOf/cda:serviceEvent[cda:code/@code='57833-6'])=1 and "
         "cda:documentationOf/cda:serviceEvent[cda:code/@code='57833-6']/cda:effectiveTime/"
         "cda:low[@value] and cda:documentationOf/cda:serviceEvent[cda:code/@code='57833-6']/"
         "cda:effectiveTime/cda:high[@value]"),
    Rule("CDA-01.12", "one section of medicines and/or one of medical devices, each at most "
         "once", VOLET, f"count({SECTIONS}[{_tpl(MEDICINES)}])<=1 and count({SECTIONS}"
         f"[{_tpl(DEVICES)}])<=1 and {SECTIONS}[{_tpl(MEDICINES)} or {_tpl(DEVICES)}]"),
    Rule("CDA-01.13", "exactly one PDF-copy section (FR-Document-PDF-copie, code 55108-5) holding "
         "one application/pdf in base64", VOLET,
         f"count({SECTIONS}[{_tpl(PDF_COPY)}])=1 and count({SECTIONS}[{_tpl(PDF_COPY)}]"
         "//cda:observationMedia/cda:value[@mediaType='application/pdf' and "
         "@representation='B64'])=1"),
    Rule("CDA-01.14", "the medicines section is coded 57828-6 and holds only FR-Traitement-"
         "prescrit entries (at least one)", VOLET,
         f"cda:code[@code='57828-6'] and cda:entry and not(cda:entry[not(cda:substanceAdministration"
         f"/{_tpl(MEDICINE_ENTRY)})])", f"//cda:section[{_tpl(MEDICINES)}]"),
    Rule("CDA-01.15", "the devices section is coded 46264-8 and holds only device entries (at "
         "least one)", VOLET, f"cda:code[@code='46264-8'] and cda:entry and not(cda:entry["
         f"not(cda:supply/{_tpl(DEVICE_ENTRY)})])", f"//cda:section[{_tpl(DEVICES)}]"),
    Rule("CDA-01.16", "a prescribed medicine names its product (code, name or a preparation's "
         "text), says its renewals (repeatNumber) and carries exactly one ALD indicator",
         f"{VOLET}; {KIT}", "cda:consumable/cda:manufacturedProduct/cda:manufacturedMaterial["
         "cda:code[@code or cda:originalText] or cda:name[normalize-space()]] and "
         "count(cda:repeatNumber[@value])=1 and count(cda:"
         f"entryRelationship/cda:observation[{_tpl(ALD)}])=1",
         f"//cda:section[{_tpl(MEDICINES)}]/cda:entry/cda:substanceAdministration"),
    Rule("CDA-01.17", "a prescribed device names its product, says its quantity and renewals and "
         "carries exactly one ALD and one non-reimbursable indicator", VOLET,
         "cda:participant/cda:participantRole/cda:playingDevice/cda:code[@code] and "
         "cda:quantity[@value] and count(cda:repeatNumber[@value])=1 and "
         f"count(cda:entryRelationship/cda:observation[{_tpl(ALD)}])=1 and "
         f"count(cda:entryRelationship/cda:observation[{_tpl(NR)}])=1",
         f"//cda:section[{_tpl(DEVICES)}]/cda:entry/cda:supply"),
    Rule("CDA-01.18", "an indicator (ALD, non-reimbursable…) is a boolean: value xsi:type BL, "
         "true or false", VOLET, "cda:value[@value='true' or @value='false']",
         f"//cda:entryRelationship/cda:observation[{_tpl(ALD)} or {_tpl(NR)}]"),
)

# the rules' messages in French (the English is each rule's ``message``)
FRENCH = {
    "CDA-01.01": "typeId doit avoir la racine 2.16.840.1.113883.1.3 et l'extension POCD_HD000040",
    "CDA-01.02": "le modèle du volet 1.2.250.1.213.1.1.1.39 doit porter l'extension 2024.01",
    "CDA-01.03": "les modèles d'en-tête HL7 France, CI-SIS, IHE PRE et IHE PCC sont obligatoires",
    "CDA-01.04": "le code du document doit être LOINC 57833-6",
    "CDA-01.05": "exactement un id (avec une racine), un effectiveTime, un setId et un versionNumber",
    "CDA-01.06": "la langue doit être fr-FR",
    "CDA-01.07": "exactement un patient (recordTarget/patientRole) identifié par un INS",
    "CDA-01.08": "le patient doit avoir un nom (family et given), un sexe et une date de naissance",
    "CDA-01.09": ("exactement un auteur avec une heure, un id, une profession et une organisation (id et "
                  "nom)"),
    "CDA-01.10": "un custodian est obligatoire",
    "CDA-01.11": ("exactement une prescription documentée (documentationOf/serviceEvent codé 57833-6) avec "
                  "sa validité (effectiveTime low et high)"),
    "CDA-01.12": "une section de médicaments et/ou une de dispositifs médicaux, chacune au plus une fois",
    "CDA-01.13": ("exactement une section de copie PDF (FR-Document-PDF-copie, code 55108-5) contenant un "
                  "application/pdf en base64"),
    "CDA-01.14": ("la section des médicaments est codée 57828-6 et ne contient que des entrées FR- "
                  "Traitement-prescrit (au moins une)"),
    "CDA-01.15": ("la section des dispositifs est codée 46264-8 et ne contient que des entrées de "
                  "dispositif (au moins une)"),
    "CDA-01.16": ("un médicament prescrit nomme son produit (code, nom ou texte d'une préparation), dit ses "
                  "renouvellements (repeatNumber) et porte exactement un indicateur ALD"),
    "CDA-01.17": ("un dispositif prescrit nomme son produit, dit sa quantité et ses renouvellements et "
                  "porte exactement un indicateur ALD et un indicateur non remboursable"),
    "CDA-01.18": "un indicateur (ALD, non remboursable…) est un booléen : value xsi:type BL, true ou false",
}
RULE = Messages("cda.rule", {rule.id: Text(FRENCH[rule.id], rule.message) for rule in RULES})

_COMPILED = tuple((rule, etree.XPath(rule.context, namespaces=NS),
                   etree.XPath(f"boolean({rule.test})", namespaces=NS)) for rule in RULES)


def evaluate(tree: etree._ElementTree) -> list[Finding]:
    """Every broken rule, one finding per offending node."""
    found: list[Finding] = []
    for rule, context, test in _COMPILED:
        targets = context(tree)
        if not isinstance(targets, list):
            continue
        for node in targets:
            if isinstance(node, etree._Element) and not test(node):
                found.append(Finding(rule.id, RULE(rule.id), rule.source, where(node)))
    return found
