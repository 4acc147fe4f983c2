"""The tester's prescriber file (shape of ``fixtures/prescribers/*.yaml``), validated with located
errors: their own test identity from their CNDA kit, never one of ours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.identifiers import validate
from conformance.scenario.errors import Pos, ScenarioError, ScenarioErrors, did_you_mean
from conformance.scenario.files import read_text
from conformance.scenario.yamlload import load_text

FIELDS = ("rpps", "am", "finess", "nomFamille", "prenom", "specialite", "adresse", "telephone", "remplace")
REQUIRED = ("rpps", "nomFamille", "prenom", "specialite", "adresse", "telephone")
REPLACED = ("rpps", "am", "nomFamille", "prenom")
KEYED = {"rpps": "rpps", "am": "am", "finess": "finess"}


def load_prescriber(path: Path) -> dict[str, Any]:
    """The prescriber of ``path``; ScenarioErrors naming every problem, each located."""
    docs = load_text(read_text(path), str(path))
    if len(docs) != 1 or not isinstance(docs[0].value, dict):
        raise ScenarioError("a prescriber file holds one mapping", Pos(str(path), 1, 1),
                            "rpps, am or finess, nomFamille, prenom, specialite, adresse, telephone")
    doc, value = docs[0], docs[0].value
    errors: list[ScenarioError] = []

    def check(mapping: dict[str, Any], prefix: tuple[str, ...], allowed: tuple[str, ...],
              required: tuple[str, ...]) -> None:
        for key, item in mapping.items():
            if key not in allowed:
                errors.append(ScenarioError(f"unknown key '{key}' in the prescriber",
                                            doc.pos((*prefix, f"{key}#key")), did_you_mean(key, allowed),
                                            width=len(key)))
            elif key != "remplace" and (not isinstance(item, str) or not item.strip()):
                errors.append(ScenarioError(f"'{key}' must be text", doc.pos((*prefix, key)),
                                            "quote numbers: rpps: '10000000017'"))
            elif key in KEYED and not validate(KEYED[key], item).valid:
                errors.append(ScenarioError(f"invalid {key} {item!r}: {validate(KEYED[key], item).reason}",
                                            doc.pos((*prefix, key)), "give your test identity's number"))
        for key in required:
            if key not in mapping:
                errors.append(ScenarioError(f"missing key '{key}' in the prescriber",
                                            doc.pos(prefix), "see fixtures/prescribers/generaliste.yaml"))

    check(value, (), FIELDS, REQUIRED)
    if "am" not in value and "finess" not in value:
        errors.append(ScenarioError("the prescriber needs 'am' or 'finess'", doc.pos(()),
                                    "add your N° AM (or your centre's FINESS)"))
    replaced = value.get("remplace")
    if replaced is not None:
        if isinstance(replaced, dict):
            check(replaced, ("remplace",), REPLACED, ("rpps", "nomFamille", "prenom"))
        else:
            errors.append(ScenarioError("'remplace' must be a mapping", doc.pos(("remplace",))))
    if errors:
        raise ScenarioErrors(errors)
    return dict(value)
