"""The facts of a CDA tree, as a ``CdaRecord`` (XPath 1.0 on lxml, no XSLT)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from lxml import etree

from conformance.cda.locate import where
from conformance.cda.record import NOWHERE, Finding, Ident, Line, Person, Where
from conformance.cda.texts import READ

NS = {"cda": "urn:hl7-org:v3", "xsi": "http://www.w3.org/2001/XMLSchema-instance",
      "pharm": "urn:ihe:pharm:medication"}

MEDICINES, DEVICES, PDF_COPY = "1.2.250.1.213.1.1.2.171", "1.2.250.1.213.1.1.2.222", \
    "1.2.250.1.213.1.1.2.243"
MEDICINE_ENTRY, DEVICE_ENTRY = "1.2.250.1.213.1.1.3.83", "2.16.840.1.113883.10.20.1.34"
ALD, NR, QUANTITY = "1.2.250.1.213.1.1.3.48.13", "1.2.250.1.213.1.1.3.48.15", \
    "1.2.250.1.213.1.1.3.86"


def nodes(context: etree._Element, path: str) -> list[etree._Element]:
    """Elements at ``path`` (XPath 1.0, prefix ``cda``)."""
    found: Any = context.xpath(path, namespaces=NS)
    return [n for n in found if isinstance(n, etree._Element)]


def first(context: etree._Element, path: str) -> etree._Element | None:
    """The first element at ``path``, if any."""
    found = nodes(context, path)
    return found[0] if found else None


def attr(context: etree._Element | None, path: str, name: str) -> str | None:
    """An attribute of the first element at ``path`` (``.`` for the context itself)."""
    if context is None:
        return None
    node = context if path == "." else first(context, path)
    return None if node is None else node.get(name)


def _ident(node: etree._Element) -> Ident:
    return Ident(node.get("root"), node.get("extension"), where(node))


def _texts(context: etree._Element, path: str) -> tuple[str, ...]:
    return tuple(" ".join((n.text or "").split()) for n in nodes(context, path))


def _patient(root: etree._Element) -> Person:
    role = first(root, "cda:recordTarget/cda:patientRole")
    if role is None:
        return Person()
    person = first(role, "cda:patient")
    names: etree._Element | None = None if person is None else first(person, "cda:name")
    family: tuple[str, ...] = ()
    given: tuple[str, ...] = ()
    if names is not None:  # the birth name (qualifier BR) first, then any other
        family = _texts(names, "cda:family[@qualifier='BR']") + _texts(
            names, "cda:family[not(@qualifier='BR')]")
        given = _texts(names, "cda:given")
    return Person(ids=tuple(_ident(n) for n in nodes(role, "cda:id")), family=family,
                  given=given, sex=attr(person, "cda:administrativeGenderCode", "code"),
                  birth=attr(person, "cda:birthTime", "value"), at=where(role))


def _author(root: etree._Element) -> Person:
    author = first(root, "cda:author")
    if author is None:
        return Person()
    assigned = first(author, "cda:assignedAuthor")
    name = None if assigned is None else first(assigned, "cda:assignedPerson/cda:name")
    return Person(
        ids=() if assigned is None else tuple(_ident(n) for n in nodes(assigned, "cda:id")),
        family=() if name is None else _texts(name, "cda:family"),
        given=() if name is None else _texts(name, "cda:given"),
        time=attr(author, "cda:time", "value"), at=where(assigned if assigned is not None
                                                          else author))


def _flag(entry: etree._Element, template: str) -> bool | None:
    value = attr(entry, f"cda:entryRelationship/cda:observation[cda:templateId/@root='{template}']"
                        "/cda:value", "value")
    return None if value is None else value == "true"


def _codes(code: etree._Element | None) -> tuple[tuple[str, str], ...]:
    if code is None:
        return ()
    found = [code, *nodes(code, ".//cda:translation")]
    return tuple((c.get("code", ""), c.get("codeSystem", "")) for c in found if c.get("code"))


def _medicine(entry: etree._Element) -> Line:
    material = first(entry, "cda:consumable/cda:manufacturedProduct/cda:manufacturedMaterial")
    name = None if material is None else first(material, "cda:name")
    return Line(
        kind="medicament",
        codes=_codes(None if material is None else first(material, "cda:code")),
        label=" ".join((name.text or "").split()) if name is not None else "",
        quantity=attr(entry, f"cda:entryRelationship/cda:supply[cda:templateId/@root="
                             f"'{QUANTITY}']/cda:quantity", "value"),
        repeat=attr(entry, "cda:repeatNumber", "value"),
        ald=_flag(entry, ALD), nr=_flag(entry, NR), at=where(entry))


def _device(entry: etree._Element) -> Line:
    code = first(entry, "cda:participant/cda:participantRole/cda:playingDevice/cda:code")
    return Line(
        kind="dispositifMedical", codes=_codes(code),
        label=(code.get("displayName", "") if code is not None else ""),
        quantity=attr(entry, "cda:quantity", "value"),
        repeat=attr(entry, "cda:repeatNumber", "value"),
        ald=_flag(entry, ALD), nr=_flag(entry, NR), at=where(entry))


def lines(root: etree._Element) -> tuple[Line, ...]:
    """Every prescribed line, medicines then devices, in document order."""
    body = "cda:component/cda:structuredBody/cda:component/cda:section"
    meds = nodes(root, f"{body}[cda:templateId/@root='{MEDICINES}']/cda:entry/"
                       f"cda:substanceAdministration")
    devices = nodes(root, f"{body}[cda:templateId/@root='{DEVICES}']/cda:entry/cda:supply")
    return tuple([_medicine(e) for e in meds] + [_device(e) for e in devices])


def pdf_copy(root: etree._Element) -> tuple[bytes | None, str | None, str | None, Where]:
    """The PDF copy's bytes, its declared media type, a problem reading it, where it is."""
    values = nodes(root, "cda:component/cda:structuredBody/cda:component/cda:section"
                         f"[cda:templateId/@root='{PDF_COPY}']//cda:observationMedia/cda:value")
    if not values:
        return None, None, READ("no_copy"), NOWHERE
    value = values[0]
    at = where(value)
    if len(values) > 1:
        return None, value.get("mediaType"), READ("copies", count=len(values)), at
    if value.get("representation") != "B64":
        return None, value.get("mediaType"), READ("not_b64"), at
    try:
        data = base64.b64decode("".join((value.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        return None, value.get("mediaType"), READ("bad_b64"), at
    return data, value.get("mediaType"), None, at


def record_fields(root: etree._Element) -> dict[str, Any]:
    """The ``CdaRecord`` fields read from the tree (findings excepted)."""
    service = first(root, "cda:documentationOf/cda:serviceEvent[not(@classCode='INFO')]")
    validity = None if service is None else first(service, "cda:effectiveTime")
    pdf, media, problem, pdf_at = pdf_copy(root)
    related = tuple((r.get("typeCode", ""), _ident(i)) for r in nodes(root, "cda:relatedDocument")
                    for i in nodes(r, "cda:parentDocument/cda:id"))
    confidentiality = first(root, "cda:confidentialityCode")
    doc_id, set_id = first(root, "cda:id"), first(root, "cda:setId")
    return {
        "templates": tuple(_ident(n) for n in nodes(root, "cda:templateId")),
        "doc_id": None if doc_id is None else _ident(doc_id),
        "set_id": None if set_id is None else _ident(set_id),
        "version": attr(root, "cda:versionNumber", "value"), "related": related,
        "confidentiality": None if confidentiality is None else confidentiality.get("code"),
        "confidentiality_at": NOWHERE if confidentiality is None else where(confidentiality),
        "effective_time": attr(root, "cda:effectiveTime", "value"),
        "service_ids": () if service is None else tuple(_ident(n) for n in
                                                         nodes(service, "cda:id")),
        "service_at": NOWHERE if service is None else where(service),
        "validity": (attr(validity, "cda:low", "value"), attr(validity, "cda:high", "value")),
        "validity_at": NOWHERE if validity is None else where(validity),
        "patient": _patient(root), "author": _author(root), "lines": lines(root),
        "pdf": pdf, "pdf_media_type": media, "pdf_problem": problem, "pdf_at": pdf_at,
    }


def findings_sorted(found: list[Finding]) -> tuple[Finding, ...]:
    """Findings by rule then location (stable reports)."""
    return tuple(sorted(found, key=lambda f: (f.rule, f.at.xpath)))
