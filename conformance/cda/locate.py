"""Where a node is: a readable XPath 1.0 location and a short fragment of its source."""

from __future__ import annotations

import re

from lxml import etree

from conformance.cda.record import HL7, Where

FRAGMENT_CHARS = 320
_LONG_TEXT = re.compile(r">([A-Za-z0-9+/=\s]{200,})<")


def xpath_of(node: etree._Element) -> str:
    """``/ClinicalDocument/component/structuredBody/component[3]/section``: local names (the
    HL7 namespace implied, others prefixed), a position only where siblings share the name."""
    steps: list[str] = []
    current: etree._Element | None = node
    while current is not None:
        qname = etree.QName(current)
        name = qname.localname if qname.namespace in (HL7, None) else f"{{{qname.namespace}}}" \
            f"{qname.localname}"
        parent = current.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == current.tag]
            if len(same) > 1:
                name += f"[{same.index(current) + 1}]"
        steps.append(name)
        current = parent
    return "/" + "/".join(reversed(steps))


def fragment_of(node: etree._Element) -> str:
    """The element's source, base64 payloads elided, cut at a few hundred characters."""
    text = etree.tostring(node, encoding="unicode", with_tail=False)
    text = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", text)
    text = _LONG_TEXT.sub(lambda m: f">[{len(m.group(1))} characters]<", text)
    return text if len(text) <= FRAGMENT_CHARS else text[:FRAGMENT_CHARS] + "…"


def where(node: etree._Element) -> Where:
    """Both at once."""
    return Where(xpath_of(node), fragment_of(node))
