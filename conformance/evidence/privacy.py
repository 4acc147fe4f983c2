"""The single redaction point: everything written to a report or bundle goes through here.

Secrets (authorization headers, bearer tokens, passwords, private keys, and the user's own
patterns) are always masked. With ``pseudonymise``, patient identities (names, NIR/INS,
birth date) are replaced consistently by synthetic ones in every text written.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from conformance.targets.http import SENSITIVE_HEADERS

SECRET_PATTERNS = (
    r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}",
    r"(?i)(\"?(?:access_token|refresh_token|id_token|token|password|passwd|secret|api_key)\"?"
    r"\s*[:=]\s*\"?)[^\"&\s,}]+",
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
)
MASK = "<redacted>"


def _variants(value: str) -> set[str]:
    """The forms a value takes on its way: as given, NFC, NFD, upper case."""
    out = {value, unicodedata.normalize("NFC", value), unicodedata.normalize("NFD", value)}
    return {v for form in out for v in (form, form.upper())} - {""}


def _date_variants(iso: str) -> dict[str, str]:
    try:
        d = dt.date.fromisoformat(iso)
    except ValueError:
        return {}
    return {d.isoformat(): "", d.strftime("%d/%m/%Y"): "%d/%m/%Y", d.strftime("%d.%m.%Y"): "%d.%m.%Y"}


class Redactor:
    """Masks secrets; learns patient identities and replaces them when ``pseudonymise``."""

    def __init__(self, patterns: Iterable[str] = (), pseudonymise: bool = False) -> None:
        self.secrets = [re.compile(p) for p in (*SECRET_PATTERNS, *patterns)]
        self.pseudonymise = pseudonymise
        self._pseudonyms: dict[str, str] = {}
        self._known: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._rng = random.Random(0)

    def learn(self, patient: Any) -> None:
        """Register a patient (a dict with nomFamille, prenom, ins/nir, dateNaissance)."""
        if not self.pseudonymise or not isinstance(patient, dict):
            return
        key = "|".join(str(patient.get(k)) for k in ("ins", "nomFamille", "prenom", "dateNaissance"))
        if key in self._known:
            return
        self._known.add(key)
        n = len(self._known)
        fake = {"nomFamille": f"PSEUDO{n:03d}", "prenom": f"Prenom{n:03d}"}
        for field, pseudo in fake.items():
            value = patient.get(field)
            if isinstance(value, str) and value.strip():
                for variant in _variants(value.strip()):
                    self._pseudonyms.setdefault(variant, pseudo)
        for field in ("ins", "nir"):
            value = patient.get(field)
            if isinstance(value, str) and value:
                self._pseudonyms.setdefault(value, self._fake_nir())
        born = patient.get("dateNaissance")
        if isinstance(born, str):
            fake_day = dt.date(1900, 1, 1) + dt.timedelta(days=n)
            for form, fmt in _date_variants(born).items():
                self._pseudonyms.setdefault(form, fake_day.strftime(fmt) if fmt else fake_day.isoformat())
        self._pattern = None

    def _fake_nir(self) -> str:
        from conformance.identifiers.generate import nir

        return nir(self._rng, department="99")

    def _compiled(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._pseudonyms:
            # longest first, whole words only: 'ROUX' must not eat 'ROUXEL'
            alternatives = sorted(self._pseudonyms, key=len, reverse=True)
            self._pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, alternatives)) + r")(?!\w)")
        return self._pattern

    def text(self, value: str) -> str:
        """``value`` with secrets masked and (when asked) identities replaced."""
        for pattern in self.secrets:
            value = pattern.sub(lambda m: (m.group(1) if m.re.groups else "") + MASK, value)
        names = self._compiled() if self.pseudonymise else None
        if names is not None:
            value = names.sub(lambda m: self._pseudonyms[m.group(1)], value)
        return value

    def data(self, value: Any) -> Any:
        """A JSON-like structure with every string redacted (secret headers masked by name)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: (MASK if str(k).lower() in SENSITIVE_HEADERS else self.data(v))
                    for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value
