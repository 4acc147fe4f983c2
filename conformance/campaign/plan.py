"""A campaign plan is data: YAML, validated like a scenario (every error located, in one pass)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from conformance.paths import BUNDLED_CAMPAIGNS, BUNDLED_FIXTURES
from conformance.scenario.contract import create_body_errors
from conformance.scenario.errors import Pos, ScenarioError, ScenarioErrors, did_you_mean
from conformance.scenario.files import read_text
from conformance.scenario.fixtures import Fixtures
from conformance.scenario.yamlload import Located, load_text

KINDS = ("produce", "confirm", "dmp")
DEFAULT_PLAN = "cnda-prescripteur"
_SLUG = "^[a-z0-9][a-z0-9-]{0,39}$"
_TEXT = {"type": "string", "minLength": 1, "maxLength": 4000}
_LINE = {"type": "object", "properties": {
    "produit": {"type": "string"}, "type": {"type": "string"}, "code": {"type": "object"},
    "libelle": {"type": "string"}, "posologie": {"type": "string"}, "duree": {"type": "string"},
    "quantite": {"type": "string"}, "renouvellements": {"type": "integer"},
    "nonSubstituable": {"type": "boolean"}, "motifNonSubstitution": {"type": "string"},
    "ald": {"type": "boolean"}, "nonRembourse": {"type": "boolean"},
    "motsCles": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}},
    "additionalProperties": False}
SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["id", "version", "title", "steps"], "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": _SLUG}, "version": {"type": "string", "minLength": 1},
        "title": _TEXT, "description": _TEXT,
        "failOn": {"enum": ["blocking", "major", "minor", "info"]},
        "steps": {"type": "array", "minItems": 1, "maxItems": 200, "items": {
            "type": "object", "required": ["id", "kind", "title", "instructions"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": _SLUG}, "kind": {"enum": list(KINDS)},
                "title": _TEXT, "instructions": _TEXT, "question": _TEXT,
                "source": {"type": "string"},
                "patient": {"type": "object", "additionalProperties": False, "properties": {
                    "age": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 110},
                            "minItems": 2, "maxItems": 2},
                    "sexe": {"enum": ["F", "M"]}, "nomFamille": {"type": "string", "minLength": 1},
                    "prenom": {"type": "string", "minLength": 1},
                    "poids": {"type": "number", "exclusiveMinimum": 0, "maximum": 500}}},
                "prescription": {"type": "object", "required": ["lignes"], "additionalProperties": False,
                                 "properties": {
                                     "lignes": {"type": "array", "minItems": 1, "items": _LINE},
                                     "opposition": {"type": "boolean"}, "degrade": {"type": "boolean"},
                                     "remplacement": {"type": "boolean"}}},
            }}},
    }}


@dataclass(frozen=True)
class PatientSpec:
    """What the plan fixes of a step's patient; the rest is drawn from the campaign's seed."""

    age: tuple[int, int] = (25, 70)
    sexe: str | None = None
    nom: str | None = None
    prenom: str | None = None
    poids: float | None = None


@dataclass(frozen=True)
class Step:
    """One step of the plan."""

    id: str
    kind: str
    title: str
    instructions: str
    location: str
    patient: PatientSpec | None = None
    lignes: tuple[dict[str, Any], ...] = ()
    keywords: tuple[tuple[str, ...], ...] = ()  # per line: the words that identify its product
    opposition: bool = False
    degrade: bool = False
    remplacement: bool = False
    question: str = ""
    source: str | None = None


@dataclass(frozen=True)
class Plan:
    """A validated campaign plan."""

    id: str
    version: str
    title: str
    steps: tuple[Step, ...]
    fail_on: str
    file: str

    def step(self, step_id: str) -> Step | None:
        """The step named ``step_id``, or None."""
        return next((s for s in self.steps if s.id == step_id), None)


def plan_path(name: str | None) -> Path:
    """The plan file: a path, or the name of a bundled plan (the default one when None)."""
    if name is None:
        return BUNDLED_CAMPAIGNS / f"{DEFAULT_PLAN}.yaml"
    path = Path(name)
    if path.exists() or path.suffix in (".yaml", ".yml") or "/" in name:
        return path
    return BUNDLED_CAMPAIGNS / f"{name}.yaml"


def load_plan(path: Path, fixtures: Path = BUNDLED_FIXTURES) -> Plan:
    """The plan at ``path``; ScenarioErrors with every located error of the file."""
    docs = load_text(read_text(path), str(path))
    if len(docs) != 1 or not isinstance(docs[0].value, dict):
        raise ScenarioError("a campaign plan holds one mapping", Pos(str(path), 1, 1),
                            "write id, version, title and steps at the top level")
    doc = docs[0]
    errors = _schema_errors(doc)
    if errors:
        raise ScenarioErrors(errors)
    builder = _Builder(doc, Fixtures(fixtures))
    plan = builder.build()
    if builder.errors:
        raise ScenarioErrors(builder.errors)
    return plan


def _schema_errors(doc: Located) -> list[ScenarioError]:
    deepest: dict[tuple[Any, ...], jsonschema.ValidationError] = {}
    for error in jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc.value):
        key = tuple(error.absolute_path)[:2]
        if key not in deepest or len(error.absolute_path) > len(deepest[key].absolute_path):
            deepest[key] = error
    return [_schema_error(doc, e) for _, e in sorted(deepest.items(), key=lambda kv: str(kv[0]))]


def _schema_error(doc: Located, error: jsonschema.ValidationError) -> ScenarioError:
    path = tuple(error.absolute_path)
    label = ".".join(str(p) for p in path) or "document"
    if error.validator == "additionalProperties":
        allowed = (error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}).keys()
        extra = sorted(set(error.instance if isinstance(error.instance, dict) else {}) - set(allowed))
        key = extra[0] if extra else "?"
        return ScenarioError(f"unknown key '{key}' in '{label}'", doc.pos((*path, f"{key}#key")),
                             did_you_mean(key, allowed), width=len(key))
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return ScenarioError(f"missing key '{missing[0] if missing else '?'}' in '{label}'",
                             doc.pos(path), "add it: see campaigns/cnda-prescripteur.yaml")
    return ScenarioError(f"invalid value at '{label}': {error.message}", doc.pos(path))


class _Builder:
    """Builds the plan, collecting every error (names, products, contract, references)."""

    def __init__(self, doc: Located, fixtures: Fixtures) -> None:
        self.doc, self.fixtures = doc, fixtures
        self.errors: list[ScenarioError] = []

    def error(self, title: str, path: tuple[str | int, ...], hint: str = "") -> None:
        self.errors.append(ScenarioError(title, self.doc.pos(path), hint))

    def build(self) -> Plan:
        v = self.doc.value
        steps, seen = [], set()
        for i, raw in enumerate(v["steps"]):
            if raw["id"] in seen:
                self.error(f"duplicate step id '{raw['id']}'", ("steps", i, "id"),
                           "give each step its own id")
            seen.add(raw["id"])
            steps.append(self._step(i, raw, seen))
        kinds = {s.id: s.kind for s in steps}
        for i, s in enumerate(steps):  # a DMP copy is of a prescription: a produce step's
            if s.kind == "dmp" and s.source in kinds and kinds[s.source] != "produce":
                self.error(f"source '{s.source}' is a {kinds[s.source]} step, not a produce step",
                           ("steps", i, "source"), "name the produce step whose prescription is copied")
        return Plan(v["id"], str(v["version"]), v["title"], tuple(steps), v.get("failOn", "major"),
                    self.doc.file)

    def _step(self, i: int, raw: dict[str, Any], before: set[str]) -> Step:
        kind, where = raw["kind"], ("steps", i)
        pos = self.doc.pos(where)
        step = Step(raw["id"], kind, raw["title"], raw["instructions"].strip(), str(pos))
        if kind == "produce":
            if "prescription" not in raw:
                self.error("a produce step needs its 'prescription'", where,
                           "add prescription: {lignes: […]}")
                return step
            return self._produce(step, i, raw)
        for key in ("patient", "prescription"):
            if key in raw:
                self.error(f"'{key}' belongs to produce steps only", (*where, f"{key}#key"))
        if kind == "confirm" and "question" not in raw:
            self.error("a confirm step needs its 'question'", where,
                       "the exact yes/no question the tester answers")
        source = raw.get("source")
        if kind == "dmp":
            if source is None:
                self.error("a dmp step needs its 'source' (the produce step it copies)", where)
            elif source not in before or source == raw["id"]:
                self.error(f"source '{source}' is not an earlier step", (*where, "source"),
                           did_you_mean(source, before - {raw["id"]}))
        return Step(step.id, kind, step.title, step.instructions, step.location,
                    question=str(raw.get("question", "")).strip(), source=source)

    def _produce(self, step: Step, i: int, raw: dict[str, Any]) -> Step:
        rx = raw["prescription"]
        lines, keywords = [], []
        for n, line in enumerate(rx["lignes"]):
            path = ("steps", i, "prescription", "lignes", n)
            resolved = self._line(dict(line), path)
            keywords.append(tuple(line.get("motsCles") or _first_word(resolved.get("libelle", ""))))
            lines.append(resolved)
        body = {"prescripteur": {"rpps": "10000000017", "am": "751000019", "nomFamille": "X", "prenom": "Y"},
                "patient": {"ins": "277077512345659", "nomFamille": "X", "prenom": "Y", "sexe": "F",
                            "dateNaissance": "1977-07-14"},
                "consentement": {"opposition": bool(rx.get("opposition"))}, "lignes": lines}
        for err in create_body_errors(body):
            if err.path[:1] == ("lignes",):
                self.error(f"line breaks the adapter contract: {err.message}",
                           ("steps", i, "prescription", *err.path))
        p = raw.get("patient", {})
        age = tuple(p.get("age", (25, 70)))
        if age[0] > age[1]:
            self.error("patient age range goes down", ("steps", i, "patient", "age"),
                       "write [youngest, oldest]")
        spec = PatientSpec((int(age[0]), int(age[1])), p.get("sexe"), p.get("nomFamille"),
                           p.get("prenom"), p.get("poids"))
        return Step(step.id, step.kind, step.title, step.instructions, step.location, spec,
                    tuple(lines), tuple(keywords), bool(rx.get("opposition")), bool(rx.get("degrade")),
                    bool(rx.get("remplacement")))

    def _line(self, line: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
        line.pop("motsCles", None)
        name = line.pop("produit", None)
        if name is None:
            return line
        try:
            base = self.fixtures.get("product", name, self.doc.pos((*path, "produit")))
        except ScenarioError as exc:
            self.errors.append(exc)
            return {"type": "medicament", "libelle": name}
        return {**base, **line}


def _first_word(label: str) -> list[str]:
    """The word that names a product: the first one of its label (a substance, an act)."""
    words = re.findall(r"[^\W\d_]{3,}", label)
    return words[:1] or [label]
