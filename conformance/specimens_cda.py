"""Conforming DMP copies (CDA eP-MED-DM 2024.01) written by other means than the reference's:
string templates (not lxml's tree builder), other valid choices — free-text or structured
posology, one or two prescription sections, medicines without the AT/MP and prevention
indicators — and an fpdf2 ordonnance (``specimens.fpdf_page``) as the PDF copy. The self-test
inspects each with ``inspect cda``'s machinery (CDA-01…08, and the paper it carries): a
failure is a false positive of the harness, not the target's anomaly."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import uuid
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from conformance.specimens import PID, fpdf_page

DAY = dt.date(2026, 3, 2)
CODE_SYSTEMS = {"CIP13": "1.2.250.1.213.2.3.2", "LPP": "1.2.250.1.215.200.2.1"}
# synthetic identities (the suite's fixtures, written out: a specimen owes nothing to the suite)
PATIENT = {"ins": "277077512345659", "nomFamille": "NESSI", "prenom": "Ruth", "sexe": "F",
           "dateNaissance": "1977-07-14"}
PRESCRIBER = {"rpps": "10000000017", "am": "751000019", "nomFamille": "MARTIN", "prenom": "Claire",
              "specialite": "Médecine générale"}
LEVOTHYROXINE = {"type": "medicament", "code": {"systeme": "CIP13", "valeur": "3400930000045"},
                 "libelle": "LÉVOTHYROXINE SODIQUE 75 µg, comprimé sécable",
                 "posologie": "1 comprimé le matin à jeun", "duree": "3 mois", "renouvellements": 3}
PARACETAMOL = {"type": "medicament", "code": {"systeme": "CIP13", "valeur": "3400930000014"},
               "libelle": "PARACÉTAMOL 500 mg, comprimé",
               "posologie": "1 comprimé 3 fois par jour si douleur", "duree": "5 jours",
               "renouvellements": 0, "nonRembourse": True}
METFORMINE = {"type": "medicament", "code": {"systeme": "CIP13", "valeur": "3400930000038"},
              "libelle": "METFORMINE 850 mg, comprimé pelliculé",
              "posologie": "1 comprimé matin et soir au cours des repas", "duree": "3 mois",
              "renouvellements": 2, "ald": True}
BANDELETTES = {"type": "dispositifMedical", "code": {"systeme": "LPP", "valeur": "1106240"},
               "libelle": "Bandelettes d'autosurveillance glycémique", "quantite": "100 bandelettes",
               "renouvellements": 2, "ald": True}


@dataclass(frozen=True)
class CdaSpecimen:
    """A conforming DMP copy: its document, the PDF it carries, what was registered."""

    name: str
    document: bytes
    paper: bytes
    registered: dict[str, Any]
    pid: str = PID


_SERIAL = itertools.count()


def _uid() -> str:
    # deterministic: a specimen is the same document from one self-test to the next
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"epresc-conformance/specimen/{next(_SERIAL)}"))


def _a(value: Any) -> str:
    return quoteattr(str(value))


def _flag(template: str, code: str, label: str, value: bool, day: dt.date) -> str:
    return f"""<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">
<templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.13"/><templateId root="1.2.250.1.213.1.1.3.48"/>
<templateId root="{template}"/><id root="{_uid()}"/>
<code code="{code}" displayName={_a(label)} codeSystem="1.2.250.1.213.1.1.4.322" codeSystemName="TA_ASIP"/>
<statusCode code="completed"/><effectiveTime value="{day:%Y%m%d}"/>
<value xsi:type="BL" value="{'true' if value else 'false'}"/></observation></entryRelationship>"""


def _code(line: dict[str, Any], tag: str, ref: str) -> str:
    code = line["code"]
    return (f'<{tag} code={_a(code["valeur"])} displayName={_a(line["libelle"])} '
            f'codeSystem="{CODE_SYSTEMS[code["systeme"]]}"><originalText><reference '
            f'value="#{ref}"/></originalText></{tag}>')


def _medicine(line: dict[str, Any], ref: str, structured: bool, day: dt.date) -> str:
    posology = ('<effectiveTime xsi:type="PIVL_TS" institutionSpecified="true" operator="A">'
                '<period value="12" unit="h"/></effectiveTime>') if structured else ""
    dose = '<doseQuantity value="1"/>' if structured else ""
    return f"""<entry><substanceAdministration classCode="SBADM" moodCode="INT">
<templateId root="2.16.840.1.113883.10.20.1.24"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7"/>
<templateId root="1.3.6.1.4.1.19376.1.9.1.3.2"/><templateId root="1.2.250.1.213.1.1.3.83"/>
<templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7.1"/><id root="{_uid()}"/>
<text><reference value="#{ref}"/></text><statusCode code="completed"/>
<effectiveTime xsi:type="IVL_TS"><low value="{day:%Y%m%d}"/></effectiveTime>{posology}
<repeatNumber value="{line.get('renouvellements') or 0}"/>{dose}
<consumable><manufacturedProduct classCode="MANU"><templateId root="2.16.840.1.113883.10.20.1.53"/>
<templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7.2"/><templateId root="1.2.250.1.213.1.1.3.43"/>
<manufacturedMaterial classCode="MMAT" determinerCode="KIND">
<templateId root="1.3.6.1.4.1.19376.1.9.1.3.1"/>{_code(line, "code", ref)}
<name>{escape(line["libelle"])}</name></manufacturedMaterial></manufacturedProduct></consumable>
{_flag("1.2.250.1.213.1.1.3.48.13", "MED-574", "En rapport avec une ALD", bool(line.get("ald")), day)}
{_flag("1.2.250.1.213.1.1.3.48.15", "GEN-181", "Non remboursable", bool(line.get("nonRembourse")), day)}
</substanceAdministration></entry>"""


def _device(line: dict[str, Any], ref: str, day: dt.date) -> str:
    quantity = str(line["quantite"]).split()[0]
    return f"""<entry><supply classCode="SPLY" moodCode="INT">
<templateId root="2.16.840.1.113883.10.20.1.34"/><templateId root="1.2.250.1.213.1.1.3.20"/>
<id root="{_uid()}"/><text><reference value="#{ref}"/></text>
<effectiveTime xsi:type="IVL_TS"><low value="{day:%Y%m%d}"/></effectiveTime>
<repeatNumber value="{line.get('renouvellements') or 0}"/><quantity value="{quantity}"/>
<participant typeCode="DEV"><participantRole classCode="MANU"><playingDevice classCode="DEV">
{_code(line, "code", ref)}</playingDevice></participantRole></participant>
{_flag("1.2.250.1.213.1.1.3.48.13", "MED-574", "En rapport avec une ALD", bool(line.get("ald")), day)}
{_flag("1.2.250.1.213.1.1.3.48.14", "GEN-180", "En rapport avec un AT/MP", False, day)}
{_flag("1.2.250.1.213.1.1.3.48.34", "GEN-295", "En rapport avec la prévention", False, day)}
{_flag("1.2.250.1.213.1.1.3.48.15", "GEN-181", "Non remboursable", bool(line.get("nonRembourse")), day)}
</supply></entry>"""


def _section(templates: tuple[str, ...], code: str, title: str, rows: list[tuple[str, str]],
             entries: str) -> str:
    ids = "".join(f'<templateId root="{t}"/>' for t in templates)
    text = "".join(f'<paragraph><content ID="{ref}">{escape(label)}</content></paragraph>'
                   for ref, label in rows)
    return f"""<component><section>{ids}<id root="{_uid()}"/>
<code code="{code}" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC"/>
<title>{escape(title)}</title><text>{text}</text>{entries}</section></component>"""


def document(rx: dict[str, Any], pid: str, pdf: bytes, structured: bool, day: dt.date = DAY) -> bytes:
    """The DMP copy of ``rx`` carrying ``pdf``, written with string templates; ``structured``:
    the posology as PIVL_TS and a dose, else free text only; ``day``: the prescription's."""
    patient, doctor = rx["patient"], rx["prescripteur"]
    meds = [ln for ln in rx["lignes"] if ln["type"] == "medicament"]
    devices = [ln for ln in rx["lignes"] if ln["type"] == "dispositifMedical"]
    sections = ""
    if meds:
        refs = [(f"m{i}", ln["libelle"]) for i, ln in enumerate(meds)]
        sections += _section(("1.3.6.1.4.1.19376.1.9.1.2.1", "1.2.250.1.213.1.1.2.171"), "57828-6",
                             "Médicaments", refs, "".join(_medicine(ln, r, structured, day)
                                                          for (r, _), ln in zip(refs, meds, strict=True)))
    if devices:
        refs = [(f"d{i}", ln["libelle"]) for i, ln in enumerate(devices)]
        sections += _section(("1.2.250.1.213.1.1.2.222",), "46264-8", "Dispositifs", refs,
                             "".join(_device(ln, r, day) for (r, _), ln in zip(refs, devices, strict=True)))
    copy = f"""<component><section><templateId root="1.2.250.1.213.1.1.2.243"/><id root="{_uid()}"/>
<code code="55108-5" codeSystem="2.16.840.1.113883.6.1"/><title>Copie</title>
<text><renderMultiMedia referencedObject="copie"/></text>
<entry><organizer classCode="CLUSTER" moodCode="EVN"><templateId root="1.2.250.1.213.1.1.3.18"/>
<id root="{_uid()}"/><code code="55107-7" codeSystem="2.16.840.1.113883.6.1"/>
<statusCode code="completed"/>
<component><observationMedia classCode="OBS" moodCode="EVN" ID="copie">
<value mediaType="application/pdf" representation="B64">{base64.b64encode(pdf).decode()}</value>
</observationMedia></component></organizer></entry></section></component>"""
    headers = "".join(f'<templateId root="{t}"/>' for t in (
        "2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1", "1.3.6.1.4.1.19376.1.9.1.1.1",
        "1.3.6.1.4.1.19376.1.5.3.1.1.1"))
    moment = f"{day:%Y%m%d}093000+0100"
    end = (day + dt.timedelta(days=89)).strftime("%Y%m%d")
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<realmCode code="FR"/><typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>{headers}
<templateId root="1.2.250.1.213.1.1.1.39" extension="2024.01"/><id root="{_uid()}"/>
<code code="57833-6" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC"/>
<title>Ordonnance</title><effectiveTime value="{moment}"/>
<confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/><languageCode code="fr-FR"/>
<setId root="{_uid()}"/><versionNumber value="1"/>
<recordTarget><patientRole><id root="1.2.250.1.213.1.4.10" extension={_a(patient["ins"])}/>
<addr nullFlavor="NASK"/><telecom nullFlavor="NASK"/><patient><name><given>{escape(patient["prenom"])}</given>
<family qualifier="BR">{escape(patient["nomFamille"])}</family></name>
<administrativeGenderCode code={_a(patient["sexe"])} codeSystem="2.16.840.1.113883.5.1"/>
<birthTime value="{patient["dateNaissance"].replace("-", "")}"/></patient></patientRole></recordTarget>
<author><time value="{moment}"/><assignedAuthor><id root="1.2.250.1.71.4.2.1" extension="8{doctor["rpps"]}"/>
<code code="10" codeSystem="1.2.250.1.71.1.2.7"/>
<assignedPerson><name><family>{escape(doctor["nomFamille"])}</family>
<given>{escape(doctor["prenom"])}</given></name></assignedPerson>
<representedOrganization><id nullFlavor="UNK"/><name>Cabinet</name></representedOrganization>
</assignedAuthor></author>
<custodian><assignedCustodian><representedCustodianOrganization><id nullFlavor="UNK"/>
</representedCustodianOrganization></assignedCustodian></custodian>
<documentationOf><serviceEvent classCode="ACT"><id root="1.2.250.1.215.500.1.1" extension="{pid}"/>
<code code="57833-6" codeSystem="2.16.840.1.113883.6.1"/>
<effectiveTime><low value="{day:%Y%m%d}"/><high value="{end}"/></effectiveTime>
</serviceEvent></documentationOf>
<component><structuredBody>{sections}{copy}</structuredBody></component></ClinicalDocument>"""
    return text.encode("utf-8")


def prescription(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """What the prescriber registered: a create body of ``lines`` on ``DAY``."""
    return {"prescripteur": PRESCRIBER, "patient": PATIENT, "consentement": {"opposition": False},
            "dateOrdonnance": DAY.isoformat(), "lignes": lines}


def paper(rx: dict[str, Any], pid: str = PID) -> bytes:
    """The printed ordonnance of ``rx``, drawn by fpdf2 (each line's label and posology)."""
    text = [str(line[key]) for line in rx["lignes"] for key in ("libelle", "posologie", "quantite")
            if line.get(key)]
    return fpdf_page(lines=text, pid=pid)


def cda_specimens() -> list[CdaSpecimen]:
    """Every conforming DMP copy: one section with free-text posology, two sections (medicines
    and a device) with structured posology."""
    out = []
    for name, lines, structured in (
            ("cda-one-section-free-text", [LEVOTHYROXINE, PARACETAMOL], False),
            ("cda-two-sections-structured", [METFORMINE, BANDELETTES], True)):
        rx = prescription(lines)
        pdf = paper(rx)
        out.append(CdaSpecimen(name, document(rx, PID, pdf, structured), pdf, rx))
    return out
