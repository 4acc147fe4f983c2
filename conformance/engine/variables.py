"""Variables, ``${…}`` interpolation and JSONPath-subset captures."""

from __future__ import annotations

import re
from typing import Any

VAR = re.compile(r"\$\{([^}]*)\}")
_PATH = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


class MissingVariable(Exception):
    """A ``${name}`` whose value was never captured (an earlier step failed)."""


def lookup(variables: dict[str, Any], dotted: str) -> Any:
    """The value of ``a.b.c`` in ``variables``; MissingVariable when absent."""
    parts = dotted.strip().split(".")
    value: Any = variables
    for part in parts:
        if isinstance(value, dict) and part in value and value[part] is not None:
            value = value[part]
        else:
            raise MissingVariable(dotted)
    return value


def interpolate(value: Any, variables: dict[str, Any]) -> Any:
    """Replace ``${…}`` in strings (recursively); a whole-string reference keeps its type."""
    if isinstance(value, str):
        whole = VAR.fullmatch(value)
        if whole:
            return lookup(variables, whole.group(1))
        return VAR.sub(lambda m: str(lookup(variables, m.group(1))), value)
    if isinstance(value, dict):
        return {k: interpolate(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, variables) for v in value]
    return value


def capture(document: Any, path: str) -> Any:
    """Evaluate a JSONPath subset (``$``, ``.name``, ``[index]``); None when absent."""
    if not path.startswith("$"):
        raise ValueError(f"a capture path starts with '$': {path}")
    value = document
    rest = path[1:]
    pos = 0
    while pos < len(rest):
        match = _PATH.match(rest, pos)
        if not match:
            raise ValueError(f"unsupported capture path {path!r} (use $.field and [index])")
        name, index = match.groups()
        if name is not None:
            value = value.get(name) if isinstance(value, dict) else None
        else:
            i = int(index)
            value = value[i] if isinstance(value, list) and i < len(value) else None
        pos = match.end()
    return value
