"""Untrusted XML under limits: size and depth are checked before any tree is built, and the
parser never reads a DTD, expands an entity or opens a network or local resource.

A CDA document has no business declaring a DTD: any ``<!DOCTYPE`` is refused outright, which
settles billion-laughs and external entities (a local file's content can never reach a tree,
a message or a report). The depth pre-pass is expat's streaming scan, which builds nothing.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass
from typing import Any

from lxml import etree

from conformance.cda.texts import READ

MIB = 1024 * 1024
MAX_BYTES = 16 * MIB  # a CDA with its PDF copy weighs a few hundred KB; ANS's examples 220 KB
MAX_DEPTH = 128  # ANS's examples nest 22 deep; libxml2 alone would stop at 256


@dataclass(frozen=True)
class XmlLimits:
    """What a document may cost: its size in bytes and its element depth."""

    max_bytes: int = MAX_BYTES
    max_depth: int = MAX_DEPTH


LIMITS = XmlLimits()


class XmlRefused(Exception):
    """The bytes are not a readable, safe XML document; ``kind`` classifies why:
    ``too-large``, ``too-deep``, ``forbidden`` (a DTD or entity declaration) or ``unreadable``."""

    def __init__(self, message: str, kind: str = "unreadable") -> None:
        super().__init__(message)
        self.message, self.kind = message, kind

    def __str__(self) -> str:
        return self.message  # as given: a ``Message`` stays one


class _Stop(Exception):
    def __init__(self, refused: XmlRefused) -> None:
        super().__init__(str(refused))
        self.refused = refused


def check_size(data: bytes, limits: XmlLimits = LIMITS) -> None:
    """XmlRefused(too-large) over the size limit: checked before the bytes go anywhere."""
    if len(data) > limits.max_bytes:
        raise XmlRefused(READ("too_large", size=f"{len(data) / MIB:.1f}",
                              limit=f"{limits.max_bytes / MIB:g}"), "too-large")


def precheck(data: bytes, limits: XmlLimits = LIMITS) -> None:
    """Size, no DTD and depth, in one streaming pass that builds no tree."""
    check_size(data, limits)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    depth = [0]

    def forbid(*_: Any) -> Any:
        raise _Stop(XmlRefused(READ("forbidden"), "forbidden"))

    def start(*_: Any) -> None:
        depth[0] += 1
        if depth[0] > limits.max_depth:
            raise _Stop(XmlRefused(READ("too_deep", depth=limits.max_depth), "too-deep"))

    def end(*_: Any) -> None:
        depth[0] -= 1

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Stop as stop:
        raise stop.refused from None
    except xml.parsers.expat.ExpatError as exc:
        raise XmlRefused(READ("not_xml_at", error=xml.parsers.expat.ErrorString(exc.code),
                              line=exc.lineno, column=exc.offset)) from None


def _parser() -> etree.XMLParser:
    # every door shut even though precheck already refused what would need them
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True, collect_ids=False)


def parse(data: bytes, limits: XmlLimits = LIMITS) -> etree._ElementTree:
    """The document's tree, after ``precheck``; XmlRefused with its kind otherwise."""
    precheck(data, limits)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlRefused(READ("not_xml", error=str(exc)[:160])) from None
    return etree.ElementTree(root)
