"""The présérie's other inputs: participants, the editor, attestations, the questionnaire.

Small files, read whole and checked field by field; every error is located (file, line) with
what to fix (DESIGN §13)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.bilan.errors import BilanInputError
from conformance.nesting import safe_load

SITUATIONS = ("liberal", "centre")
ATTESTATION_TYPES = ("prerequis", "formation", "kitSupport", "anomalie")
YES, NO = ("oui", "yes", "true", "1"), ("non", "no", "false", "0")


@dataclass(frozen=True)
class Editor:
    logiciel: str = ""
    version: str = ""
    small_share: bool = False  # partMarcheInferieure1


@dataclass(frozen=True)
class Participant:
    rpps: str
    situation: str
    am: str | None = None
    finess: str | None = None
    departement: str | None = None
    installation: str | None = None


@dataclass(frozen=True)
class Attestation:
    type: str
    auteur: str
    date: dt.date
    texte: str
    fichier: str | None = None
    expiration: dt.date | None = None
    code: str | None = None


@dataclass(frozen=True)
class Answer:
    rpps: str
    satisfaction: int | None
    frein_bloquant: bool
    commentaire: str = ""


def _yaml(path: str) -> tuple[Any, dict[int, int]]:
    """The document, and for each list item of a top-level list, its line (for messages)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BilanInputError(path, f"cannot read it: {exc}", "give a UTF-8 file") from exc
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BilanInputError(path, f"not YAML: {getattr(exc, 'problem', exc)}", "fix the YAML syntax",
                              mark.line + 1 if mark else None, mark.column + 1 if mark else None) from exc
    return data, {}


def _csv_rows(path: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise BilanInputError(path, f"missing column(s): {', '.join(missing)}",
                                      f"a header naming {', '.join(required)}", 1)
            rows = []
            for row in reader:
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BilanInputError(path, f"cannot read it: {exc}", "give a UTF-8 CSV file with a header") from exc


def _editor(data: Any, path: str) -> Editor | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise BilanInputError(path, "'editeur' must be {logiciel, version, partMarcheInferieure1}")
    small = data.get("partMarcheInferieure1", False)
    if not isinstance(small, bool):
        raise BilanInputError(path, "editeur.partMarcheInferieure1 must be true or false")
    return Editor(str(data.get("logiciel", "")), str(data.get("version", "")), small)


def _participant(raw: dict[str, Any], path: str, where: int | None) -> Participant:
    rpps = str(raw.get("rpps") or "").strip()
    situation = str(raw.get("situation") or "").strip().lower()
    if not rpps:
        raise BilanInputError(path, "a participant without an RPPS", "rpps: the doctor's RPPS", where)
    if situation not in SITUATIONS:
        raise BilanInputError(path, f"participant {rpps}: situation {situation or 'absent'!r}",
                              "situation: liberal or centre", where)
    values = {k: (str(raw[k]).strip() or None) if raw.get(k) not in (None, "") else None
              for k in ("am", "finess", "departement", "installation")}
    if situation == "liberal" and not values["am"]:
        raise BilanInputError(path, f"participant {rpps} (libéral) without his N° AM", "am: the N° AM",
                              where)
    if situation == "centre" and not values["finess"]:
        raise BilanInputError(path, f"participant {rpps} (centre) without the centre's FINESS",
                              "finess: the centre's FINESS", where)
    if values["departement"] is not None:
        values["departement"] = values["departement"].zfill(2)
    return Participant(rpps, situation, **values)


def load_participants(path: str) -> tuple[Editor | None, tuple[Participant, ...]]:
    """Participants (YAML {editeur, participants: [...]} or CSV rows) and the editor when given."""
    if path.lower().endswith(".csv"):
        rows = _csv_rows(path, ("rpps", "situation"))
        people = tuple(_participant(row, path, line) for line, row in rows)
        editor = None
    else:
        data, _ = _yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("participants"), list):
            raise BilanInputError(path, "participants: a YAML {editeur: {...}, participants: [...]}",
                                  "or a CSV with rpps, situation, am, finess, departement, installation")
        editor = _editor(data.get("editeur"), path)
        people = tuple(_participant(p if isinstance(p, dict) else {}, path, None)
                       for p in data["participants"])
    seen: set[tuple[str, str]] = set()
    for p in people:
        if (p.rpps, p.situation) in seen:
            raise BilanInputError(path, f"participant {p.rpps} ({p.situation}) listed twice")
        seen.add((p.rpps, p.situation))
    if not people:
        raise BilanInputError(path, "no participant", "list the présérie's doctors")
    return editor, people


def _date(value: Any, path: str, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise BilanInputError(path, f"{what}: {value!r} is not a date", "write it YYYY-MM-DD") from exc


def load_attestations(path: str) -> tuple[Editor | None, tuple[Attestation, ...]]:
    data, _ = _yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("attestations", []), list):
        raise BilanInputError(path, "attestations: a YAML {editeur: {...}, attestations: [...]}")
    found = []
    for n, raw in enumerate(data.get("attestations") or [], start=1):
        if not isinstance(raw, dict):
            raise BilanInputError(path, f"attestation {n} is not an object")
        kind = raw.get("type")
        if kind not in ATTESTATION_TYPES:
            raise BilanInputError(path, f"attestation {n}: type {kind!r}",
                                  f"type: {', '.join(ATTESTATION_TYPES)}")
        for required in ("auteur", "date", "texte"):
            if raw.get(required) in (None, ""):
                raise BilanInputError(path, f"attestation {n} ({kind}) without {required}")
        fichier = raw.get("fichier")
        if fichier is not None:
            target = (Path(path).parent / str(fichier)).resolve()
            if not target.is_file():
                raise BilanInputError(path, f"attestation {n}: file {fichier!r} not found",
                                      "fichier: a path relative to this YAML file")
        if kind == "anomalie" and not raw.get("code"):
            raise BilanInputError(path, f"attestation {n} (anomalie) without the error code it explains",
                                  "code: the error code, as in the traces")
        found.append(Attestation(
            kind, str(raw["auteur"]), _date(raw["date"], path, f"attestation {n} date"), str(raw["texte"]),
            str(fichier) if fichier is not None else None,
            _date(raw["expiration"], path, f"attestation {n} expiration") if raw.get("expiration") else None,
            str(raw["code"]) if raw.get("code") is not None else None))
    return _editor(data.get("editeur"), path), tuple(found)


def load_questionnaire(path: str) -> tuple[Answer, ...]:
    answers = []
    for line, row in _csv_rows(path, ("rpps", "satisfaction", "freinBloquant")):
        score = row.get("satisfaction", "")
        if score and (not score.isdigit() or not 1 <= int(score) <= 5):
            raise BilanInputError(path, f"satisfaction {score!r}", "a score from 1 to 5", line, 2)
        frein = row.get("freinBloquant", "").lower()
        if frein not in YES + NO:
            raise BilanInputError(path, f"freinBloquant {frein!r}", "oui or non (also yes/no, true/false)",
                                  line, 3)
        answers.append(Answer(row["rpps"], int(score) if score else None, frein in YES,
                              row.get("commentaire", "")))
    return tuple(answers)
