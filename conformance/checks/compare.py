"""Field-by-field comparison after Unicode NFC and whitespace normalisation.

Each difference is a ``Message``: the field's path and the values quoted are data, the words
around them are ours (French in a French report).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from conformance.messages import Message, Messages, Text

DIFF = Messages("compare", {
    "not_object": Text("{path} : attendu un objet, observé {observed}",
                       "{path}: expected an object, observed {observed}"),
    "missing": Text("{path} : absent (attendu {expected})", "{path}: missing (expected {expected})"),
    "not_list": Text("{path} : attendu une liste, observé {observed}",
                     "{path}: expected a list, observed {observed}"),
    "count": Text("{path} : {expected} éléments attendus, {observed} observés",
                  "{path}: expected {expected} items, observed {observed}"),
    "value": Text("{path} : attendu {expected}, observé {observed}",
                  "{path}: expected {expected}, observed {observed}"),
})

_WS = re.compile(r"\s+")


def norm(value: Any) -> Any:
    """NFC and collapsed whitespace for text; numbers as floats; other values unchanged."""
    if isinstance(value, str):
        return _WS.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def diff(expected: Any, observed: Any, path: str = "") -> list[Message]:
    """Differences, one line each, for every field of ``expected`` (extra fields are ignored)."""
    if isinstance(expected, dict):
        if not isinstance(observed, dict):
            return [DIFF("not_object", path=path or ".", observed=_show(observed))]
        out: list[Message] = []
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else key
            if key not in observed:
                if value not in (None, False, "", [], {}, 0):
                    out.append(DIFF("missing", path=sub, expected=_show(value)))
                continue
            out += diff(value, observed[key], sub)
        return out
    if isinstance(expected, list):
        if not isinstance(observed, list):
            return [DIFF("not_list", path=path, observed=_show(observed))]
        out = []
        if len(expected) != len(observed):
            out.append(DIFF("count", path=path, expected=len(expected), observed=len(observed)))
        for i, (e, o) in enumerate(zip(expected, observed, strict=False)):
            out += diff(e, o, f"{path}[{i}]")
        return out
    if norm(expected) != norm(observed):
        return [DIFF("value", path=path, expected=_show(expected), observed=_show(observed))]
    return []


def _line_key(line: Any) -> tuple[Any, ...]:
    if not isinstance(line, dict):
        return (None,)
    raw = line.get("code")
    code: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return (norm(line.get("type")), norm(code.get("valeur")), norm(line.get("libelle")))


def align_lines(expected: list[Any], observed: list[Any]) -> list[Any]:
    """Observed lines re-ordered to match expected ones by (type, code, label), when possible."""
    pool = list(observed)
    aligned: list[Any] = []
    for line in expected:
        match = next((o for o in pool if _line_key(o) == _line_key(line)), None)
        if match is None:
            continue
        pool.remove(match)
        aligned.append(match)
    if len(aligned) != len(expected):
        return observed  # no clean alignment: compare in the target's order
    return aligned + pool


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
