"""A conforming DMP copy written by other means than the reference's (string templates, not
lxml's tree builder) and with other valid choices — free-text or structured posology, one or two
prescription sections, medicines without the AT/MP and prevention indicators — passes
CDA-01…CDA-08: our rules judge the volet, not the reference's way of writing it. With SaxonC-HE
and the ANS kit at hand, the ANS schematron and the CDA schema accept it too."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
import yaml

from conformance.cda.analyse import analyse_cda
from conformance.cda.ans import saxon_version
from conformance.cda.kit import load_kit
from conformance.checks import cda
from conformance.paper import InProcessReader
from conformance.paths import PROJECT
from conformance.reference import printing
from tests.helpers import SAMPLES

PID = "0AB4D7E9F1G2H3J4K5"
DAY = dt.date(2026, 3, 2)
CODE_SYSTEMS = {"CIP13": "1.2.250.1.213.2.3.2", "LPP": "1.2.250.1.215.200.2.1"}
KIT = SAMPLES / "ans-testcontenucda"


def _fixture(kind: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PROJECT / "fixtures" / kind / f"{name}.yaml").read_text())
    return data


def _a(value: Any) -> str:
    return quoteattr(str(value))


def _uid() -> str:
    return str(uuid.uuid4())


def _flag(template: str, code: str, label: str, value: bool) -> str:
    return f"""<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">
<templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.13"/><templateId root="1.2.250.1.213.1.1.3.48"/>
<templateId root="{template}"/><id root="{_uid()}"/>
<code code="{code}" displayName={_a(label)} codeSystem="1.2.250.1.213.1.1.4.322" codeSystemName="TA_ASIP"/>
<statusCode code="completed"/><effectiveTime value="{DAY:%Y%m%d}"/>
<value xsi:type="BL" value="{'true' if value else 'false'}"/></observation></entryRelationship>"""


def _code(line: dict[str, Any], tag: str, ref: str) -> str:
    code = line["code"]
    return (f'<{tag} code={_a(code["valeur"])} displayName={_a(line["libelle"])} '
            f'codeSystem="{CODE_SYSTEMS[code["systeme"]]}"><originalText><reference '
            f'value="#{ref}"/></originalText></{tag}>')


def _medicine(line: dict[str, Any], ref: str, structured: bool) -> str:
    posology = ('<effectiveTime xsi:type="PIVL_TS" institutionSpecified="true" operator="A">'
                '<period value="12" unit="h"/></effectiveTime>') if structured else ""
    dose = '<doseQuantity value="1"/>' if structured else ""
    return f"""<entry><substanceAdministration classCode="SBADM" moodCode="INT">
<templateId root="2.16.840.1.113883.10.20.1.24"/><templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7"/>
<templateId root="1.3.6.1.4.1.19376.1.9.1.3.2"/><templateId root="1.2.250.1.213.1.1.3.83"/>
<templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7.1"/><id root="{_uid()}"/>
<text><reference value="#{ref}"/></text><statusCode code="completed"/>
<effectiveTime xsi:type="IVL_TS"><low value="{DAY:%Y%m%d}"/></effectiveTime>{posology}
<repeatNumber value="{line.get('renouvellements') or 0}"/>{dose}
<consumable><manufacturedProduct classCode="MANU"><templateId root="2.16.840.1.113883.10.20.1.53"/>
<templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.7.2"/><templateId root="1.2.250.1.213.1.1.3.43"/>
<manufacturedMaterial classCode="MMAT" determinerCode="KIND">
<templateId root="1.3.6.1.4.1.19376.1.9.1.3.1"/>{_code(line, "code", ref)}
<name>{escape(line["libelle"])}</name></manufacturedMaterial></manufacturedProduct></consumable>
{_flag("1.2.250.1.213.1.1.3.48.13", "MED-574", "En rapport avec une ALD", bool(line.get("ald")))}
{_flag("1.2.250.1.213.1.1.3.48.15", "GEN-181", "Non remboursable", bool(line.get("nonRembourse")))}
</substanceAdministration></entry>"""


def _device(line: dict[str, Any], ref: str) -> str:
    quantity = str(line["quantite"]).split()[0]
    return f"""<entry><supply classCode="SPLY" moodCode="INT">
<templateId root="2.16.840.1.113883.10.20.1.34"/><templateId root="1.2.250.1.213.1.1.3.20"/>
<id root="{_uid()}"/><text><reference value="#{ref}"/></text>
<effectiveTime xsi:type="IVL_TS"><low value="{DAY:%Y%m%d}"/></effectiveTime>
<repeatNumber value="{line.get('renouvellements') or 0}"/><quantity value="{quantity}"/>
<participant typeCode="DEV"><participantRole classCode="MANU"><playingDevice classCode="DEV">
{_code(line, "code", ref)}</playingDevice></participantRole></participant>
{_flag("1.2.250.1.213.1.1.3.48.13", "MED-574", "En rapport avec une ALD", bool(line.get("ald")))}
{_flag("1.2.250.1.213.1.1.3.48.14", "GEN-180", "En rapport avec un AT/MP", False)}
{_flag("1.2.250.1.213.1.1.3.48.34", "GEN-295", "En rapport avec la prévention", False)}
{_flag("1.2.250.1.213.1.1.3.48.15", "GEN-181", "Non remboursable", bool(line.get("nonRembourse")))}
</supply></entry>"""


def _section(templates: tuple[str, ...], code: str, title: str, rows: list[tuple[str, str]],
             entries: str) -> str:
    ids = "".join(f'<templateId root="{t}"/>' for t in templates)
    text = "".join(f'<paragraph><content ID="{ref}">{escape(label)}</content></paragraph>'
                   for ref, label in rows)
    return f"""<component><section>{ids}<id root="{_uid()}"/>
<code code="{code}" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC"/>
<title>{escape(title)}</title><text>{text}</text>{entries}</section></component>"""


def specimen(rx: dict[str, Any], pid: str, pdf: bytes, structured: bool) -> bytes:
    """The DMP copy of ``rx``, written with string templates."""
    patient, doctor = rx["patient"], rx["prescripteur"]
    meds = [ln for ln in rx["lignes"] if ln["type"] == "medicament"]
    devices = [ln for ln in rx["lignes"] if ln["type"] == "dispositifMedical"]
    sections = ""
    if meds:
        refs = [(f"m{i}", ln["libelle"]) for i, ln in enumerate(meds)]
        sections += _section(("1.3.6.1.4.1.19376.1.9.1.2.1", "1.2.250.1.213.1.1.2.171"), "57828-6",
                             "Médicaments", refs, "".join(_medicine(ln, r, structured)
                                                          for (r, _), ln in zip(refs, meds, strict=True)))
    if devices:
        refs = [(f"d{i}", ln["libelle"]) for i, ln in enumerate(devices)]
        sections += _section(("1.2.250.1.213.1.1.2.222",), "46264-8", "Dispositifs", refs,
                             "".join(_device(ln, r) for (r, _), ln in zip(refs, devices, strict=True)))
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
    moment = f"{DAY:%Y%m%d}093000+0100"
    end = (DAY + dt.timedelta(days=89)).strftime("%Y%m%d")
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
<effectiveTime><low value="{DAY:%Y%m%d}"/><high value="{end}"/></effectiveTime>
</serviceEvent></documentationOf>
<component><structuredBody>{sections}{copy}</structuredBody></component></ClinicalDocument>"""
    return text.encode("utf-8")


def _rx(lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {"prescripteur": _fixture("prescribers", "generaliste"),
            "patient": _fixture("patients", "adulte"), "consentement": {"opposition": False},
            "dateOrdonnance": DAY.isoformat(), "lignes": lines}


ONE_SECTION = [_fixture("products", "levothyroxine"),
               {**_fixture("products", "paracetamol"), "nonRembourse": True}]
TWO_SECTIONS = [{**_fixture("products", "metformine"), "ald": True},
                {**_fixture("products", "bandelettes"), "ald": True}]


@pytest.mark.parametrize(("lines", "structured"), [(ONE_SECTION, False), (TWO_SECTIONS, True)],
                         ids=["one-section-free-text", "two-sections-structured"])
def test_a_specimen_written_otherwise_passes_cda_01_to_08(lines: list[dict[str, Any]],
                                                          structured: bool) -> None:
    rx = _rx(lines)
    pdf = printing.render(rx, printing.PaperOptions(printing.qr_payload(rx, PID), PID,
                                                    DAY.isoformat()))
    record = analyse_cda(specimen(rx, PID, pdf, structured))
    assert record.readable and len(record.lines) == len(lines)
    known = cda.Registered(PID, rx, frozenset({DAY.isoformat()}))
    assert record.pdf is not None
    pages = InProcessReader().analyse(record.pdf)
    outcomes = {"CDA-01": cda.structure(record), "CDA-02": cda.service_event(record, known),
                "CDA-03": cda.patient(record, known), "CDA-04": cda.author(record, known),
                "CDA-05": cda.lines(record, known), "CDA-06": cda.validity(record, known),
                "CDA-07": cda.pdf_copy(record, known, pages, pages),
                "CDA-08": cda.identity(record)}
    assert {k: o.issues for k, o in outcomes.items() if o.issues} == {}
    # and not a check that cannot fail: other renewals registered are caught
    wrong = {**rx, "lignes": [{**ln, "renouvellements": 5} for ln in lines]}
    assert cda.lines(record, cda.Registered(PID, wrong)).issues


@pytest.mark.skipif(saxon_version() is None or not KIT.is_dir(), reason="needs SaxonC-HE "
                    "(pip install 'epresc-conformance[cda]') and ../shared/samples/"
                    "ans-testcontenucda")
@pytest.mark.parametrize(("lines", "structured"), [(ONE_SECTION, False), (TWO_SECTIONS, True)],
                         ids=["one-section-free-text", "two-sections-structured"])
def test_the_specimen_is_valid_for_the_ans_kit(lines: list[dict[str, Any]],
                                               structured: bool) -> None:
    rx = _rx(lines)
    record = analyse_cda(specimen(rx, PID, b"%PDF-1.4 placeholder", structured), load_kit(KIT),
                         "saxon")
    assert record.ans is not None
    assert (record.ans.schematron, record.ans.schema) == ((), ()), record.ans
