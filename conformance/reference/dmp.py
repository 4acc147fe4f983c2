"""The DMP copy the reference sends for a prescription: a CDA R2 document of the ANS volet
eP-MED-DM 2024.01 (header, patient with INS, author with RPPS, one entry per prescribed
medicine or device, the PDF copy of the printed ordonnance), with the faults that spoil it."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from typing import Any

from lxml import etree

HL7, XSI = "urn:hl7-org:v3", "http://www.w3.org/2001/XMLSchema-instance"
PRESCRIPTION_ROOT = "1.2.250.1.215.500.1.1"
INS_TEST, INS_PRODUCTION = "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.8"
RPPS_ROOT, FINESS_ROOT = "1.2.250.1.71.4.2.1", "1.2.250.1.71.4.2.2"
LOINC, TA_ASIP = "2.16.840.1.113883.6.1", "1.2.250.1.213.1.1.4.322"
CODE_SYSTEMS = {"CIP13": "1.2.250.1.213.2.3.2", "CIS": "1.2.250.1.213.2.3.1",
                "LPP": "1.2.250.1.215.200.2.1"}
INDICATORS = (  # (template, code, label, the line's field)
    ("1.2.250.1.213.1.1.3.48.13", "MED-574", "En rapport avec une ALD", "ald"),
    ("1.2.250.1.213.1.1.3.48.14", "GEN-180", "En rapport avec un accident du travail ou une "
     "maladie professionnelle", "atmp"),
    ("1.2.250.1.213.1.1.3.48.34", "GEN-295", "En rapport avec la prévention", "prevention"),
    ("1.2.250.1.213.1.1.3.48.15", "GEN-181", "Non remboursable", "nonRembourse"),
)


# characters XML 1.0 cannot carry (a name typed with a control character is printed on paper
# as it is; the DMP copy leaves them out rather than fail to be written)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{HL7}}}{tag}",
                            {k.rstrip("_"): _xml(str(v)) for k, v in attrs.items()})
    if text is not None:
        node.text = _xml(text)
    return node


def _typed(parent: etree._Element, tag: str, xsi_type: str, **attrs: str) -> etree._Element:
    node = _el(parent, tag, **attrs)
    node.set(f"{{{XSI}}}type", xsi_type)
    return node


def _uid() -> str:
    return str(uuid.uuid4()).upper()


def _ts(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S%z")


def quantity_of(line: dict[str, Any]) -> str | None:
    """The number a registered line's quantity starts with ("100 bandelettes" → "100")."""
    found = re.match(r"\s*(\d+)", str(line.get("quantite") or ""))
    return found.group(1) if found else None


def _header(doc: etree._Element, rx: dict[str, Any], moment: dt.datetime,
            faults: frozenset[str]) -> None:
    _el(doc, "realmCode", code="FR")
    _el(doc, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    for root in ("2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1",
                 "1.3.6.1.4.1.19376.1.9.1.1.1", "1.3.6.1.4.1.19376.1.5.3.1.1.1"):
        _el(doc, "templateId", root=root)
    version = "2023.01" if "dmp-template-2023" in faults else "2024.01"
    _el(doc, "templateId", root="1.2.250.1.213.1.1.1.39", extension=version)
    _el(doc, "id", root=_uid())
    _el(doc, "code", code="57833-6", displayName="Prescription de produits de santé",
        codeSystem=LOINC, codeSystemName="LOINC")
    _el(doc, "title", "Prescription de médicaments et/ou de dispositifs médicaux")
    _el(doc, "effectiveTime", value=_ts(moment))
    _el(doc, "confidentialityCode", code="N", displayName="Normal",
        codeSystem="2.16.840.1.113883.5.25")
    _el(doc, "languageCode", code="fr-FR")
    _el(doc, "setId", root=_uid())
    _el(doc, "versionNumber", value="1")
    _patient(doc, rx["patient"], faults)


def _patient(doc: etree._Element, patient: dict[str, Any], faults: frozenset[str]) -> None:
    role = _el(_el(doc, "recordTarget"), "patientRole")
    root = INS_PRODUCTION if "dmp-ins-production-root" in faults else INS_TEST
    _el(role, "id", root=root, extension=patient["ins"])
    _el(role, "addr", nullFlavor="UNK")  # the adapter's patient carries none
    _el(role, "telecom", nullFlavor="UNK")
    person = _el(role, "patient", classCode="PSN")
    name = _el(person, "name")
    _el(name, "family", patient["nomFamille"], qualifier="BR")
    _el(name, "given", patient["prenom"])
    sex = {"F": "F", "M": "M"}.get(patient["sexe"], "UN")
    _el(person, "administrativeGenderCode", code=sex, codeSystem="2.16.840.1.113883.5.1")
    _el(person, "birthTime", value=patient["dateNaissance"].replace("-", ""))


def _doctor(parent: etree._Element, doctor: dict[str, Any], person_tag: str,
            organisation_tag: str) -> None:
    _el(parent, "id", root=RPPS_ROOT, extension="8" + doctor["rpps"])
    general = "générale" in str(doctor.get("specialite", "")).lower()
    _el(parent, "code", code="G15_10/SM26" if general else "G15_10",
        displayName="Médecin - Qualifié en Médecine Générale (SM)" if general else "Médecin",
        codeSystem="1.2.250.1.213.1.1.4.5")
    if doctor.get("adresse"):
        _el(_el(parent, "addr"), "streetAddressLine", doctor["adresse"])
    if doctor.get("telephone"):
        _el(parent, "telecom", value="tel:" + re.sub(r"\D", "", doctor["telephone"]), use="WP")
    name = _el(_el(parent, person_tag), "name")
    _el(name, "given", doctor["prenom"])
    _el(name, "family", doctor["nomFamille"])
    organisation = _el(parent, organisation_tag)
    if doctor.get("finess"):
        _el(organisation, "id", root=FINESS_ROOT, extension=doctor["finess"])
    else:
        _el(organisation, "id", nullFlavor="NI")
    _el(organisation, "name", f"Cabinet du Dr {doctor['prenom']} {doctor['nomFamille']}")


def _people(doc: etree._Element, rx: dict[str, Any], moment: dt.datetime,
            faults: frozenset[str]) -> None:
    doctor = rx["prescripteur"]
    if "dmp-author-replaced" in faults and doctor.get("remplace"):
        doctor = {**doctor, **doctor["remplace"]}  # the practice's titular doctor
    author = _el(doc, "author")
    _el(author, "time", value=_ts(moment))
    _doctor(_el(author, "assignedAuthor"), doctor, "assignedPerson", "representedOrganization")
    custodian = _el(_el(_el(doc, "custodian"), "assignedCustodian"),
                    "representedCustodianOrganization")
    if doctor.get("finess"):
        _el(custodian, "id", root=FINESS_ROOT, extension=doctor["finess"])
    else:
        _el(custodian, "id", nullFlavor="NI")


def _service_event(doc: etree._Element, pid: str | None, rx: dict[str, Any],
                   moment: dt.datetime, faults: frozenset[str]) -> None:
    event = _el(_el(doc, "documentationOf"), "serviceEvent", classCode="ACT")
    if pid and "dmp-service-event-missing" not in faults:
        shown = pid[:-1] + ("1" if pid[-1] != "1" else "2") \
            if "dmp-service-event-wrong-id" in faults else pid
        _el(event, "id", root=PRESCRIPTION_ROOT, extension=shown)
    _el(event, "code", code="57833-6", displayName="Prescription de produits de santé",
        codeSystem=LOINC, codeSystemName="LOINC")
    start = dt.date.fromisoformat(rx["dateOrdonnance"])
    low, high = start.strftime("%Y%m%d"), (start.replace(year=start.year + 1)
                                           - dt.timedelta(days=1)).strftime("%Y%m%d")
    if "dmp-validity-inverted" in faults:
        low, high = high, low
    validity = _el(event, "effectiveTime")
    _el(validity, "low", value=low)
    _el(validity, "high", value=high)
    encounter = _el(_el(doc, "componentOf"), "encompassingEncounter")
    _el(encounter, "code", code="AMB", displayName="Ambulatoire (hors établissement)",
        codeSystem="2.16.840.1.113883.5.4")
    _el(_el(encounter, "effectiveTime"), "low", value=_ts(moment))


def _section(body: etree._Element, templates: tuple[str, ...], code: str, label: str,
             title: str) -> etree._Element:
    section = _el(_el(body, "component"), "section")
    for root in templates:
        _el(section, "templateId", root=root)
    _el(section, "id", root=_uid())
    _el(section, "code", code=code, displayName=label, codeSystem=LOINC, codeSystemName="LOINC")
    _el(section, "title", title)
    return section


def _narrative(section: etree._Element, rows: list[tuple[str, str, str]]) -> None:
    """The human-readable table: one row per line (its text's ID, label, details)."""
    table = _el(_el(section, "text"), "table", border="1")
    head = _el(_el(table, "thead"), "tr")
    for label in ("Produit", "Détails"):
        _el(head, "th", label)
    body = _el(table, "tbody")
    for ref, label, details in rows:
        row = _el(body, "tr")
        _el(_el(row, "td"), "content", label, ID=ref)
        _el(row, "td", details)


def _indicators(entry: etree._Element, line: dict[str, Any], day: str,
                faults: frozenset[str]) -> None:
    for template, code, label, key in INDICATORS:
        value = bool(line.get(key))
        if (key == "ald" and "dmp-ald-lost" in faults) or (
                key == "nonRembourse" and "dmp-nr-lost" in faults):
            value = False
        observation = _el(_el(entry, "entryRelationship", typeCode="COMP"), "observation",
                          classCode="OBS", moodCode="EVN")
        for root in ("1.3.6.1.4.1.19376.1.5.3.1.4.13", "1.2.250.1.213.1.1.3.48", template):
            _el(observation, "templateId", root=root)
        _el(observation, "id", root=_uid())
        _el(observation, "code", code=code, displayName=label, codeSystem=TA_ASIP,
            codeSystemName="TA_ASIP")
        _el(observation, "statusCode", code="completed")
        _el(observation, "effectiveTime", value=day)
        _typed(observation, "value", "BL", value="true" if value else "false")


def _product_code(parent: etree._Element, tag: str, line: dict[str, Any], ref: str) -> None:
    code = line.get("code") or {}
    system = CODE_SYSTEMS.get(str(code.get("systeme")))
    if code.get("valeur") and system:
        node = _el(parent, tag, code=str(code["valeur"]), displayName=line["libelle"],
                   codeSystem=system, codeSystemName=str(code["systeme"]).removesuffix("13"))
    else:
        node = _el(parent, tag, nullFlavor="NA")
    _el(_el(node, "originalText"), "reference", value="#" + ref)


def _medicine(section: etree._Element, line: dict[str, Any], ref: str, day: str,
              faults: frozenset[str]) -> None:
    entry = _el(_el(section, "entry"), "substanceAdministration", classCode="SBADM",
                moodCode="INT")
    for root in ("2.16.840.1.113883.10.20.1.24", "1.3.6.1.4.1.19376.1.5.3.1.4.7",
                 "1.3.6.1.4.1.19376.1.9.1.3.2", "1.2.250.1.213.1.1.3.83",
                 "1.3.6.1.4.1.19376.1.5.3.1.4.7.1"):
        _el(entry, "templateId", root=root)
    _el(entry, "id", root=_uid())
    _el(entry, "code", code="DRUG", displayName="Médicament", codeSystem="2.16.840.1.113883.5.4")
    _el(_el(entry, "text"), "reference", value="#" + ref)
    _el(entry, "statusCode", code="completed")
    _el(_typed(entry, "effectiveTime", "IVL_TS"), "low", value=day)
    _el(entry, "repeatNumber", value=str(line.get("renouvellements") or 0))
    product = _el(_el(entry, "consumable"), "manufacturedProduct", classCode="MANU")
    for root in ("2.16.840.1.113883.10.20.1.53", "1.3.6.1.4.1.19376.1.5.3.1.4.7.2",
                 "1.2.250.1.213.1.1.3.43"):
        _el(product, "templateId", root=root)
    material = _el(product, "manufacturedMaterial", classCode="MMAT", determinerCode="KIND")
    _el(material, "templateId", root="1.3.6.1.4.1.19376.1.9.1.3.1")
    _product_code(material, "code", line, ref)
    _el(material, "name", line["libelle"])
    quantity = quantity_of(line)
    if quantity:
        supply = _el(_el(entry, "entryRelationship", typeCode="COMP"), "supply",
                     classCode="SPLY", moodCode="RQO")
        for root in ("1.3.6.1.4.1.19376.1.9.1.3.8", "1.2.250.1.213.1.1.3.86"):
            _el(supply, "templateId", root=root)
        _el(supply, "independentInd", value="false")
        _el(supply, "quantity", value=quantity)
    substitution = _el(_el(entry, "entryRelationship", typeCode="COMP"), "act",
                       classCode="ACT", moodCode="DEF")
    for root in ("1.3.6.1.4.1.19376.1.9.1.3.9.1", "1.2.250.1.213.1.1.3.87"):
        _el(substitution, "templateId", root=root)
    locked = bool(line.get("nonSubstituable"))
    _el(substitution, "code", code="N" if locked else "E",
        displayName="Aucune substitution permise" if locked else "Substitution permise",
        codeSystem="2.16.840.1.113883.5.1070")
    _el(substitution, "statusCode", code="completed")
    _indicators(entry, line, day, faults)


def _device(section: etree._Element, line: dict[str, Any], ref: str, day: str,
            faults: frozenset[str]) -> None:
    entry = _el(_el(section, "entry"), "supply", classCode="SPLY", moodCode="INT")
    for root in ("2.16.840.1.113883.10.20.1.34", "1.2.250.1.213.1.1.3.20"):
        _el(entry, "templateId", root=root)
    _el(entry, "id", root=_uid())
    _el(_el(entry, "text"), "reference", value="#" + ref)
    _el(_typed(entry, "effectiveTime", "IVL_TS"), "low", value=day)
    _el(entry, "repeatNumber", value=str(line.get("renouvellements") or 0))
    quantity = "1" if "dmp-quantity-changed" in faults else quantity_of(line) or "1"
    _el(entry, "quantity", value=quantity)
    device = _el(_el(_el(entry, "participant", typeCode="DEV"), "participantRole",
                     classCode="MANU"), "playingDevice", classCode="DEV",
                 determinerCode="INSTANCE")
    _product_code(device, "code", line, ref)
    _indicators(entry, line, day, faults)


def _pdf_copy(body: etree._Element, pdf: bytes, faults: frozenset[str]) -> None:
    section = _section(body, ("1.2.250.1.213.1.1.2.243",), "55108-5", "Copie du document",
                       "Copie du document")
    _el(_el(_el(_el(_el(section, "text"), "table", border="0"), "tbody"), "tr"), "td").append(
        etree.Element(f"{{{HL7}}}renderMultiMedia", referencedObject="pdf-copie"))
    organizer = _el(_el(section, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
    _el(organizer, "templateId", root="1.2.250.1.213.1.1.3.18")
    _el(organizer, "id", root=_uid())
    _el(organizer, "code", code="55107-7", displayName="Document attaché", codeSystem=LOINC,
        codeSystemName="LOINC")
    _el(organizer, "statusCode", code="completed")
    kind = _el(_el(organizer, "component"), "observation", classCode="OBS", moodCode="EVN")
    for root in ("1.3.6.1.4.1.19376.1.5.3.1.4.13", "1.2.250.1.213.1.1.3.48",
                 "1.2.250.1.213.1.1.3.48.18"):
        _el(kind, "templateId", root=root)
    _el(kind, "id", root=_uid())
    _el(kind, "code", code="69764-9", displayName="Type de document", codeSystem=LOINC,
        codeSystemName="LOINC")
    _el(kind, "statusCode", code="completed")
    _el(kind, "effectiveTime", nullFlavor="NA")
    _typed(kind, "value", "CD", code="55108-5", displayName="Copie du document",
           codeSystem=LOINC, codeSystemName="LOINC")
    media = _el(_el(organizer, "component"), "observationMedia", classCode="OBS",
                moodCode="EVN", ID="pdf-copie")
    _el(media, "value", base64.b64encode(pdf).decode("ascii"), mediaType="application/pdf",
        representation="B64")


def _body(doc: etree._Element, rx: dict[str, Any], pdf: bytes, day: str,
          faults: frozenset[str]) -> None:
    body = _el(_el(doc, "component"), "structuredBody")
    lines = [ln for ln in rx["lignes"] if ln.get("type") in ("medicament", "dispositifMedical")]
    if "dmp-line-missing" in faults and lines:
        lines = lines[:-1]
    for kind, templates, code, label, title, write in (
            ("medicament", ("1.3.6.1.4.1.19376.1.9.1.2.1", "1.2.250.1.213.1.1.2.171"),
             "57828-6", "Prescriptions", "Prescription de médicaments", _medicine),
            ("dispositifMedical", ("1.2.250.1.213.1.1.2.222",), "46264-8",
             "Dispositifs médicaux", "Prescription de dispositifs médicaux", _device)):
        chosen = [ln for ln in lines if ln["type"] == kind]
        if not chosen:
            continue
        section = _section(body, templates, code, label, title)
        refs = [f"{kind[:3]}-{i + 1}" for i in range(len(chosen))]
        _narrative(section, [(ref, ln["libelle"], _details(ln)) for ref, ln in zip(
            refs, chosen, strict=True)])
        for ref, line in zip(refs, chosen, strict=True):
            write(section, line, ref, day, faults)
    _pdf_copy(body, pdf, faults)


def _details(line: dict[str, Any]) -> str:
    parts = [str(line[k]) for k in ("posologie", "duree", "quantite") if line.get(k)]
    parts.append(f"{line.get('renouvellements') or 0} renouvellement(s)")
    if line.get("nonSubstituable"):
        parts.append(f"Non substituable ({line.get('motifNonSubstitution')})")
    parts += [label for flag, label in (("ald", "ALD"), ("nonRembourse", "NR")) if line.get(flag)]
    return " ; ".join(parts)


def in_volet(rx: dict[str, Any]) -> bool:
    """Whether the prescription has a line the volet carries (a medicine or a device)."""
    return any(ln.get("type") in ("medicament", "dispositifMedical") for ln in rx["lignes"])


def build(rx: dict[str, Any], pid: str | None, pdf: bytes, now: dt.datetime,
          faults: frozenset[str] = frozenset()) -> bytes:
    """The CDA document for ``rx`` registered as ``pid`` (None: not registered), carrying
    ``pdf`` (the printed ordonnance), written at ``now`` (an aware time in France)."""
    day = dt.date.fromisoformat(rx["dateOrdonnance"])
    moment = now if now.date() == day else dt.datetime.combine(day, dt.time(12), now.tzinfo)
    namespaces: Any = {None: HL7, "xsi": XSI}
    doc = etree.Element(f"{{{HL7}}}ClinicalDocument", nsmap=namespaces)
    _header(doc, rx, moment, faults)
    _people(doc, rx, moment, faults)
    _service_event(doc, pid, rx, moment, faults)
    _body(doc, rx, pdf, day.strftime("%Y%m%d"), faults)
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
