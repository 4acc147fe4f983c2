"""Deliberate defects of the reference implementation, one per name (``--fault NAME``)."""

from __future__ import annotations

FAULTS: dict[str, str] = {
    "qr-wrong-id": "the code 2D carries another identifier than the prescription's",
    "consent-inverted": "EP4 sends the opposite of the requested consent flag",
    "search-misses-latest": "search drops the most recent prescription from its results",
    "consult-drops-line": "consult returns the prescription without its last line",
    "missing-data-mention": "the paper omits the data-transmission paragraph",
    "id-too-short": "identifiers have 17 characters instead of 18",
    "duplicate-ids": "identifiers come from a one-second clock only: concurrent creations collide",
    "search-leaks-other-patients": "search ignores the patient criterion",
    "no-ep4-call": "create answers 'registered' without ever calling EP4",
    "ep4-birthdate-shift": "EP4 receives the birth date one day earlier (timezone conversion)",
    "number-mismatch": "the number printed under the code 2D differs from the identifier",
    "consult-wrong-id": "consult answers with the identifier in lower case",
}


def check_names(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Validate fault names; raise ValueError naming the unknown ones."""
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}; see --list-faults")
    return frozenset(names)
