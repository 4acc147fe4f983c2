"""What crosses the sandbox's process boundary: the plain, picklable facts of one CDA document.

The worker parses the target's bytes and hands back only these records (strings, numbers,
the PDF copy's bytes): no tree, no lxml object. Every fact carries where it was read (an
XPath 1.0 location and a short fragment of the source, never escaped here: each reporter
escapes for its own medium).
"""

from __future__ import annotations

from dataclasses import dataclass, field

HL7 = "urn:hl7-org:v3"


@dataclass(frozen=True)
class Where:
    """A location in the document: an XPath from the root and the element's source, cut."""

    xpath: str
    fragment: str = ""


NOWHERE = Where("/")


@dataclass(frozen=True)
class Ident:
    """An instance identifier (II): ``root`` and ``extension``."""

    root: str | None
    extension: str | None
    at: Where = NOWHERE


@dataclass(frozen=True)
class Person:
    """A patient or an author as the document names them."""

    ids: tuple[Ident, ...] = ()
    family: tuple[str, ...] = ()
    given: tuple[str, ...] = ()
    sex: str | None = None
    birth: str | None = None
    time: str | None = None  # author/time
    at: Where = NOWHERE


@dataclass(frozen=True)
class Line:
    """One prescribed line: a medicine (substanceAdministration) or a device (supply)."""

    kind: str  # medicament | dispositifMedical
    codes: tuple[tuple[str, str], ...]  # (code, codeSystem) of the product and its translations
    label: str
    quantity: str | None
    repeat: str | None
    ald: bool | None
    nr: bool | None
    at: Where = NOWHERE


@dataclass(frozen=True)
class Finding:
    """A broken structural rule (ours, the ANS schematron's or the schema's)."""

    rule: str
    message: str
    source: str
    at: Where = NOWHERE


@dataclass(frozen=True)
class AnsResult:
    """What the ANS rules said: findings, or None with the reason they were not evaluated."""

    rules: str  # the rule set's label (commit or hash)
    engine: str
    schematron: tuple[Finding, ...] | None
    schematron_reason: str
    schema: tuple[Finding, ...] | None
    schema_reason: str


@dataclass(frozen=True)
class CdaRecord:
    """The document's facts, or why it could not be read (``refused`` and ``refusal``)."""

    size: int
    refused: str | None = None  # too-large | too-deep | forbidden | unreadable | timeout
    refusal: str = ""
    templates: tuple[Ident, ...] = ()
    doc_id: Ident | None = None
    set_id: Ident | None = None
    version: str | None = None
    related: tuple[tuple[str, Ident], ...] = ()  # (typeCode, parentDocument/id)
    confidentiality: str | None = None
    confidentiality_at: Where = NOWHERE
    effective_time: str | None = None
    service_ids: tuple[Ident, ...] = ()
    service_at: Where = NOWHERE
    validity: tuple[str | None, str | None] = (None, None)
    validity_at: Where = NOWHERE
    patient: Person = field(default_factory=Person)
    author: Person = field(default_factory=Person)
    lines: tuple[Line, ...] = ()
    pdf: bytes | None = None
    pdf_media_type: str | None = None
    pdf_problem: str | None = None  # bad base64, several copies...
    pdf_at: Where = NOWHERE
    findings: tuple[Finding, ...] = ()
    ans: AnsResult | None = None  # with a kit (--cda-rules) only

    @property
    def readable(self) -> bool:
        """Whether the bytes were read as a CDA document."""
        return self.refused is None
