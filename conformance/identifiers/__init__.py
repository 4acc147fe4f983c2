"""National identifier validators and generators (NIR/INS, RPPS, AM, FINESS, CIP13…)."""

from __future__ import annotations

from conformance.identifiers.keys import (
    KINDS,
    Validity,
    ean13_key,
    guess_kind,
    luhn_valid,
    nir_key,
    validate,
)

__all__ = [
    "KINDS",
    "Validity",
    "ean13_key",
    "guess_kind",
    "luhn_valid",
    "nir_key",
    "validate",
]
