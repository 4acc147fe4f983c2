"""Generators of valid synthetic identifiers, reproducible from a ``random.Random``.

Every generated value passes its validator (tests check thousands of them). Values use
ranges no real person or professional holds where one exists: NIR of test persons born in
"department 99" are avoided; RPPS start with 1000 like the official test numbers.
"""

from __future__ import annotations

import random

from conformance.identifiers.keys import ean13_key, luhn_complete, nir_key

DEPARTMENTS = ("75", "69", "13", "33", "59", "2A", "2B", "971", "972", "974", "976")


def nir(rng: random.Random, sex: int | None = None, born: str | None = None,
        department: str | None = None) -> str:
    """A NIR (matricule INS): sex, YYMM of birth, department (2A/2B, 97x), commune, order, key."""
    sex = sex if sex in (1, 2) else rng.choice((1, 2))
    if born:
        year, month = born[2:4], born[5:7]
    else:
        year, month = f"{rng.randint(0, 99):02d}", f"{rng.randint(1, 12):02d}"
    dept = department or rng.choice(DEPARTMENTS)
    # overseas: 3-digit department and 2-digit commune; elsewhere 2 + 3
    commune = f"{rng.randint(1, 99):02d}" if len(dept) == 3 else f"{rng.randint(1, 999):03d}"
    place = dept + commune
    body = f"{sex}{year}{month}{place}{rng.randint(1, 999):03d}"
    return f"{body}{nir_key(body):02d}"


def rpps(rng: random.Random) -> str:
    """An 11-digit RPPS with its Luhn key, in the 1000… range of test numbers."""
    return luhn_complete(f"1000{rng.randint(0, 999_999):06d}")


def am(rng: random.Random, department: str = "75") -> str:
    """A 9-digit N° AM (department, category 1, order, Luhn key)."""
    dept = department if department.isdigit() and len(department) == 2 else "20"
    return luhn_complete(f"{dept}1{rng.randint(0, 99_999):05d}")


def finess(rng: random.Random, department: str = "75") -> str:
    """A FINESS: department (2A/2B kept as letters), 0, six digits, Luhn key on 9th char."""
    dept = department[:2] if len(department) >= 2 else "75"
    digits = dept.replace("2A", "20").replace("2B", "20")
    body = f"0{rng.randint(0, 999_999):06d}"[:6]
    key = luhn_complete(digits + body)[-1]
    return f"{dept}{body}{key}"


def cip13(rng: random.Random) -> str:
    """A CIP13 (3400 prefix) with its EAN-13 key."""
    first = f"3400{rng.randint(0, 99_999_999):08d}"
    return first + str(ean13_key(first))


def ucd13(rng: random.Random) -> str:
    """A UCD13 (34008 prefix) with its EAN-13 key."""
    first = f"34008{rng.randint(0, 9_999_999):07d}"
    return first + str(ean13_key(first))


def lpp(rng: random.Random) -> str:
    """A 7-digit LPP code."""
    return f"{rng.randint(1_000_000, 9_999_999)}"


def nabm(rng: random.Random) -> str:
    """A 4-digit NABM act code."""
    return f"{rng.randint(1, 9999):04d}"
