"""JSON from a target, parsed under limits: whatever it sends costs a ValueError ("not JSON"),
never the harness (no RecursionError, no value that cannot be written back)."""

from __future__ import annotations

import json
import math
from typing import Any

from conformance import nesting

MAX_DEPTH = nesting.MAX_DEPTH  # nesting deeper than any real prescription: refused
MAX_CHARS = 20_000_000


def _number(text: str) -> Any:
    value = float(text)
    if not math.isfinite(value):  # 1e999999: kept as written, never Infinity in a report
        return text
    return value


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _clean(text: str) -> str:
    """A string with lone surrogates (an escape like \\ud800) shown as escapes: writable."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _check(value: Any) -> Any:
    """Depth limit and writable strings, walked without recursion."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any, Any, int]] = [(root, 0, value, 1)]
    while stack:
        parent, key, node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, str):
            parent[key] = _clean(node)
        elif isinstance(node, list):
            stack.extend((node, i, item, depth + 1) for i, item in enumerate(node))
        elif isinstance(node, dict):
            for k in list(node):
                safe = _clean(k)
                if safe != k:
                    node[safe] = node.pop(k)
                stack.append((node, safe, node[safe], depth + 1))
    return root[0]


def loads(data: bytes | str) -> Any:
    """Parse untrusted JSON; ValueError for anything that is not JSON within the limits."""
    if len(data) > MAX_CHARS:
        raise ValueError(f"JSON larger than {MAX_CHARS} characters")
    nesting.check_json(data)  # before parsing: a bomb costs 64 steps, not the parser's recursion
    try:
        value = json.loads(data, parse_float=_number, parse_constant=_constant)
    except RecursionError as exc:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 ({exc.reason})") from exc
    return _check(value)
