"""Key algorithms and validators; each validator says why a value is invalid (a ``Message``:
English as a string, French in a French report)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from conformance.messages import Message, Messages, Text

WHY = Messages("identifiers", {
    "nir_length": Text("un NIR a 15 caractères (13 + clé de 2 chiffres), reçu {length}",
                       "a NIR has 15 characters (13 + 2-digit key), got {length}"),
    "nir_shape": Text("un NIR se compose du sexe (1/2/3/7/8), de l'année, du mois, du département "
                      "(chiffres, 2A ou 2B), de 6 chiffres et de la clé",
                      "a NIR is sex (1/2/3/7/8), year, month, department (digits, 2A or 2B), 6 "
                      "digits, key"),
    "nir_key": Text("clé erronée {found} : attendu {expected} (97 - nombre mod 97)",
                    "wrong key {found}: expected {expected} (97 - number mod 97)"),
    "digits": Text("{label} compte {length} chiffres, reçu {value!r}",
                   "{label} is {length} digits, got {value!r}"),
    "luhn": Text("clé de Luhn erronée : le dernier chiffre devrait être {digit}",
                 "wrong Luhn key: last digit should be {digit}"),
    "finess_shape": Text("un FINESS compte 9 caractères : département (2 chiffres, 2A ou 2B), 6 "
                         "chiffres, clé",
                         "a FINESS is 9 characters: department (2 digits, 2A or 2B), 6 digits, key"),
    "finess_key": Text("clé de Luhn erronée sur le 9e caractère : attendu {digit}",
                       "wrong Luhn key on the 9th character: expected {digit}"),
    "prefix": Text("{label} commence par {prefix}", "{label} starts with {prefix}"),
    "ean13_key": Text("clé EAN-13 erronée {found} : attendu {expected}",
                      "wrong EAN-13 key {found}: expected {expected}"),
    "id_length": Text("un identifiant de prescription a 18 caractères, reçu {length}",
                      "a prescription id has 18 characters, got {length}"),
    "id_alphabet": Text("un identifiant de prescription n'utilise que 0-9 et A-Z, trouvé {bad!r}",
                        "a prescription id uses only 0-9 and A-Z, found {bad!r}"),
    # what each kind is called in a reason
    "rpps": Text("un RPPS", "an RPPS"),
    "am": Text("un numéro AM", "an AM number"),
    "cip13": Text("un CIP13", "a CIP13"),
    "ucd13": Text("un UCD13", "a UCD13"),
    "lpp": Text("un code LPP", "an LPP code"),
    "nabm": Text("un code NABM", "a NABM code"),
})


@dataclass(frozen=True)
class Validity:
    """Outcome of validating one identifier."""

    kind: str
    value: str
    valid: bool
    reason: str = ""  # a Message when invalid


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


def _nir(value: str) -> Message | None:
    if len(value) != 15:
        return WHY("nir_length", length=len(value))
    if not _NIR.match(value.upper()):
        return WHY("nir_shape")
    expected = nir_key(value[:13])
    if int(value[13:]) != expected:
        return WHY("nir_key", found=value[13:], expected=f"{expected:02d}")
    return None


def _luhn_digits(length: int, label: str) -> Callable[[str], Message | None]:
    def check(value: str) -> Message | None:
        if not value.isdigit() or len(value) != length:
            return WHY("digits", label=WHY(label), length=length, value=value)
        if not luhn_valid(value):
            return WHY("luhn", digit=luhn_complete(value[:-1])[-1])
        return None

    return check


def _finess(value: str) -> Message | None:
    if len(value) != 9 or not re.match(r"^(?:[0-9]{2}|2A|2B)[0-9]{7}$", value.upper()):
        return WHY("finess_shape")
    digits = value.upper().replace("2A", "20", 1).replace("2B", "20", 1)
    if not luhn_valid(digits):
        return WHY("finess_key", digit=luhn_complete(digits[:-1])[-1])
    return None


def _ean13(prefix: str, label: str) -> Callable[[str], Message | None]:
    def check(value: str) -> Message | None:
        if not value.isdigit() or len(value) != 13:
            return WHY("digits", label=WHY(label), length=13, value=value)
        if not value.startswith(prefix):
            return WHY("prefix", label=WHY(label), prefix=prefix)
        if int(value[12]) != ean13_key(value[:12]):
            return WHY("ean13_key", found=value[12], expected=ean13_key(value[:12]))
        return None

    return check


def _fixed_digits(length: int, label: str) -> Callable[[str], Message | None]:
    def check(value: str) -> Message | None:
        if not value.isdigit() or len(value) != length:
            return WHY("digits", label=WHY(label), length=length, value=value)
        return None

    return check


def _prescription_id(value: str) -> Message | None:
    if len(value) != 18:
        return WHY("id_length", length=len(value))
    if not re.fullmatch(r"[0-9A-Z]{18}", value):
        bad = sorted({c for c in value if not re.match(r"[0-9A-Z]", c)})
        return WHY("id_alphabet", bad="".join(bad))
    return None


# each validator: None when the value is valid, else why not
KINDS: dict[str, Callable[[str], Message | None]] = {
    "nir": _nir,
    "rpps": _luhn_digits(11, "rpps"),
    "am": _luhn_digits(9, "am"),
    "finess": _finess,
    "cip13": _ean13("3400", "cip13"),
    "ucd13": _ean13("34008", "ucd13"),
    "lpp": _fixed_digits(7, "lpp"),
    "nabm": _fixed_digits(4, "nabm"),
    "prescription-id": _prescription_id,
}


def validate(kind: str, value: str) -> Validity:
    """Validate ``value`` as an identifier of ``kind`` (a key of ``KINDS``)."""
    reason = KINDS[kind](value)
    return Validity(kind=kind, value=value, valid=reason is None, reason=reason or "")


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
