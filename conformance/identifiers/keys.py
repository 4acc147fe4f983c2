"""Key algorithms and validators; each validator says why a value is invalid."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Validity:
    """Outcome of validating one identifier."""

    kind: str
    value: str
    valid: bool
    reason: str = ""


def luhn_valid(digits: str) -> bool:
    """True when a string of digits satisfies the Luhn key."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(digits: str) -> str:
    """Append the Luhn check digit to ``digits``."""
    for key in "0123456789":
        if luhn_valid(digits + key):
            return digits + key
    raise AssertionError("unreachable: one digit always completes a Luhn number")


def ean13_key(first12: str) -> int:
    """EAN-13 check digit of the first 12 digits."""
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(first12))
    return (10 - total % 10) % 10


def nir_key(body13: str) -> int:
    """NIR/INS key: 97 - (number mod 97), with Corsica 2A -> 19 and 2B -> 18."""
    numeric = body13.upper().replace("2A", "19", 1).replace("2B", "18", 1)
    return 97 - int(numeric) % 97


_NIR = re.compile(r"^[12378][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{6}[0-9]{2}$")


def _nir(value: str) -> str:
    if len(value) != 15:
        return f"a NIR has 15 characters (13 + 2-digit key), got {len(value)}"
    if not _NIR.match(value.upper()):
        return "a NIR is sex (1/2/3/7/8), year, month, department (digits, 2A or 2B), 6 digits, key"
    expected = nir_key(value[:13])
    if int(value[13:]) != expected:
        return f"wrong key {value[13:]}: expected {expected:02d} (97 - number mod 97)"
    return ""


def _luhn_digits(length: int, label: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.isdigit() or len(value) != length:
            return f"{label} is {length} digits, got {value!r}"
        if not luhn_valid(value):
            return f"wrong Luhn key: last digit should be {luhn_complete(value[:-1])[-1]}"
        return ""

    return check


def _finess(value: str) -> str:
    if len(value) != 9 or not re.match(r"^(?:[0-9]{2}|2A|2B)[0-9]{7}$", value.upper()):
        return "a FINESS is 9 characters: department (2 digits, 2A or 2B), 6 digits, key"
    digits = value.upper().replace("2A", "20", 1).replace("2B", "20", 1)
    if not luhn_valid(digits):
        return f"wrong Luhn key on the 9th character: expected {luhn_complete(digits[:-1])[-1]}"
    return ""


def _ean13(prefix: str, label: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.isdigit() or len(value) != 13:
            return f"{label} is 13 digits, got {value!r}"
        if not value.startswith(prefix):
            return f"{label} starts with {prefix}"
        if int(value[12]) != ean13_key(value[:12]):
            return f"wrong EAN-13 key {value[12]}: expected {ean13_key(value[:12])}"
        return ""

    return check


def _fixed_digits(length: int, label: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.isdigit() or len(value) != length:
            return f"{label} is {length} digits, got {value!r}"
        return ""

    return check


def _prescription_id(value: str) -> str:
    if len(value) != 18:
        return f"a prescription id has 18 characters, got {len(value)}"
    if not re.fullmatch(r"[0-9A-Z]{18}", value):
        bad = sorted({c for c in value if not re.match(r"[0-9A-Z]", c)})
        return f"a prescription id uses only 0-9 and A-Z, found {''.join(bad)!r}"
    return ""


KINDS: dict[str, Callable[[str], str]] = {
    "nir": _nir,
    "rpps": _luhn_digits(11, "an RPPS"),
    "am": _luhn_digits(9, "an AM number"),
    "finess": _finess,
    "cip13": _ean13("3400", "a CIP13"),
    "ucd13": _ean13("34008", "a UCD13"),
    "lpp": _fixed_digits(7, "an LPP code"),
    "nabm": _fixed_digits(4, "a NABM code"),
    "prescription-id": _prescription_id,
}


def validate(kind: str, value: str) -> Validity:
    """Validate ``value`` as an identifier of ``kind`` (a key of ``KINDS``)."""
    reason = KINDS[kind](value)
    return Validity(kind=kind, value=value, valid=not reason, reason=reason)


def guess_kind(value: str) -> str | None:
    """Best guess of an identifier's kind from its shape, or None."""
    v = value.strip().upper()
    if len(v) == 18 and v.isalnum():
        return "prescription-id"
    if len(v) == 15:
        return "nir"
    if v.isdigit():
        by_len = {11: "rpps", 7: "lpp", 4: "nabm"}
        if len(v) == 13:
            return "ucd13" if v.startswith("34008") else "cip13"
        if len(v) == 9:
            return "am"
        return by_len.get(len(v))
    if len(v) == 9 and v[:2] in ("2A", "2B"):
        return "finess"
    return None
