"""Local validation of a create request, before anything reaches the teleservice."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

LINE_TYPES = (
    "medicament",
    "dispositifMedical",
    "acteBiologieMedicale",
    "acteInfirmier",
    "acteKinesitherapie",
    "acteOrthophonie",
    "acteOrthoptie",
    "actePedicurie",
)
OUT_OF_SCOPE = ("imagerie", "transport")
MOTIFS = ("MTE", "EFG", "CIF")
_ID = re.compile(r"^[0-9A-Z]{18}$")
# What the contract calls blank (its names' pattern spells the class out, so that every regex
# engine agrees): Unicode's White_Space and the separators U+001C…U+001F (str.isspace's set)
_WHITE_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                         + "".join(chr(c) for c in (*range(0x2000, 0x200B), *range(0x1C, 0x20))))


def _blank(value: str) -> bool:
    return all(c in _WHITE_SPACE for c in value)


class Invalid(Exception):
    """A rejected input: HTTP status, rule name and a detail for the user."""

    def __init__(self, rule: str, detail: str, status: int = 422) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail
        self.status = status


def _text(obj: dict[str, Any], key: str, where: str, max_len: int = 200) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or _blank(value):
        raise Invalid("EP_REQUETE", f"{where}.{key} is required (non-empty text)", 400)
    if len(value) > max_len:
        raise Invalid("EP_REQUETE", f"{where}.{key} exceeds {max_len} characters", 400)
    return value


def _date(obj: dict[str, Any], key: str, where: str) -> None:
    try:
        dt.date.fromisoformat(str(obj.get(key)))
    except ValueError as exc:
        raise Invalid("EP_REQUETE", f"{where}.{key} must be a date YYYY-MM-DD", 400) from exc


def _object(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise Invalid("EP_REQUETE", f"'{key}' is required (object)", 400)
    return value


def validate_patient(patient: dict[str, Any]) -> None:
    """EF_EP04.01 and the patient's identification."""
    nom = patient.get("nomFamille")
    if not isinstance(nom, str) or _blank(nom) or len(nom) > 100:
        raise Invalid("EF_EP04.01", "patient.nomFamille is required, at most 100 characters")
    _text(patient, "prenom", "patient", 100)
    _text(patient, "ins", "patient", 15)
    if patient.get("sexe") not in ("F", "M", "I"):
        raise Invalid("EP_REQUETE", "patient.sexe must be F, M or I", 400)
    _date(patient, "dateNaissance", "patient")


def validate_prescriber(prescriber: dict[str, Any]) -> None:
    """The prescriber's identification: RPPS and AM or FINESS."""
    for key in ("rpps", "nomFamille", "prenom"):
        _text(prescriber, key, "prescripteur", 100)
    if not prescriber.get("am") and not prescriber.get("finess"):
        raise Invalid("EF_EP3_E303_03", "prescripteur.am or prescripteur.finess is required")


def validate_line(line: Any, index: int) -> None:
    """One prescription line: type in scope, label, non-substitution motive."""
    where = f"lignes[{index}]"
    if not isinstance(line, dict):
        raise Invalid("EP_REQUETE", f"{where} must be an object", 400)
    kind = line.get("type")
    if kind in OUT_OF_SCOPE:
        raise Invalid("EP_HORS_PERIMETRE", f"{where}: {kind} cannot be an e-prescription")
    if kind not in LINE_TYPES:
        raise Invalid("EP_REQUETE", f"{where}.type must be one of {', '.join(LINE_TYPES)}", 400)
    _text(line, "libelle", where, 300)
    if line.get("nonSubstituable") and line.get("motifNonSubstitution") not in MOTIFS:
        raise Invalid("EP_NON_SUBSTITUABLE", f"{where}: non-substituable needs MTE, EFG or CIF")


def validate_create(body: dict[str, Any]) -> None:
    """Every local rule of POST /prescriptions; raises Invalid on the first broken one."""
    validate_prescriber(_object(body, "prescripteur"))
    validate_patient(_object(body, "patient"))
    consent = _object(body, "consentement")
    if not isinstance(consent.get("opposition"), bool):
        raise Invalid("EP_REQUETE", "consentement.opposition must be true or false", 400)
    lines = body.get("lignes")
    if not isinstance(lines, list) or not lines:
        raise Invalid("EP_REQUETE", "'lignes' must hold at least one line", 400)
    for i, line in enumerate(lines):
        validate_line(line, i)
    if "dateOrdonnance" in body:
        _date(body, "dateOrdonnance", "prescription")
    if "id" in body and not (isinstance(body["id"], str) and _ID.match(body["id"])):
        raise Invalid("EP_REQUETE", "id, when given, is 18 characters of [0-9A-Z]", 400)
