"""Load scenario files into the model, failing before any request with located errors."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from conformance.scenario.contract import capabilities, create_body_errors
from conformance.scenario.errors import Pos, ScenarioError, ScenarioErrors, did_you_mean
from conformance.scenario.files import read_text, walk
from conformance.scenario.fixtures import Fixtures
from conformance.scenario.model import STEP_KINDS, Expectation, Scenario, Step, create_body
from conformance.scenario.yamlload import Located, load_text

VAR = re.compile(r"\$\{([^}]*)\}")
BUILTIN_VARS = ("today", "seed")


@functools.cache
def schema() -> dict[str, Any]:
    """The JSON Schema of a scenario, shipped in the package."""
    text = resources.files("conformance.scenario").joinpath("schema.json").read_text("utf-8")
    return dict(json.loads(text))


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under the given files and folders (links followed inside
    them), sorted."""
    found: list[Path] = []
    for path in paths:
        try:
            is_dir, exists = path.is_dir(), path.exists() or path.is_symlink()
        except OSError as exc:
            raise ScenarioError(f"cannot read {path}: {exc.strerror or exc}", None) from exc
        if is_dir:
            found += list(walk(path))
        elif exists:
            found.append(path)  # read_text says what is wrong with it, if anything
        else:
            raise ScenarioError(f"no such file or folder: {path}", None,
                                "give a scenario file or a folder of them")
    return found


def _schema_error(doc: Located, error: jsonschema.ValidationError) -> ScenarioError:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        schema_part = error.schema if isinstance(error.schema, dict) else {}
        allowed = schema_part.get("properties", {}).keys()
        instance = error.instance if isinstance(error.instance, dict) else {}
        extra = sorted(set(instance) - set(allowed))
        key = extra[0] if extra else "?"
        where = "step" if "create" in allowed else "mapping"
        return ScenarioError(f"unknown key '{key}' in {where}", doc.pos((*path, f"{key}#key")),
                             did_you_mean(key, allowed), width=len(key))
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return ScenarioError(f"missing key '{missing[0] if missing else '?'}'", doc.pos(path),
                             "add it: see docs in README, 'Writing scenarios'")
    if error.validator == "type":
        hint = "quote the value" if error.validator_value == "string" or (
            isinstance(error.validator_value, list) and "string" in error.validator_value
        ) else f"expected {error.validator_value}"
        label = ".".join(str(p) for p in path) or "document"
        return ScenarioError(f"wrong type for '{label}': {error.message}", doc.pos(path), hint)
    label = ".".join(str(p) for p in path) or "document"
    return ScenarioError(f"invalid value at '{label}': {error.message}", doc.pos(path))


def _schema_errors(doc: Located) -> list[ScenarioError]:
    """One located error per place the document breaks the scenario schema (the deepest)."""
    validator = jsonschema.Draft202012Validator(schema())
    deepest: dict[tuple[Any, ...], jsonschema.ValidationError] = {}
    for error in validator.iter_errors(doc.value):
        key = tuple(error.absolute_path)[:2]  # one error per step (or per top-level key)
        if key not in deepest or len(error.absolute_path) > len(deepest[key].absolute_path):
            deepest[key] = error
    return [_schema_error(doc, e) for _, e in sorted(deepest.items(), key=lambda kv: str(kv[0]))]


Checks = Collection[str] | Mapping[str, Any]


class _Builder:
    """Builds one Scenario from a validated document, checking names and variables."""

    def __init__(self, doc: Located, fixtures: Fixtures, checks: Checks) -> None:
        self.doc = doc
        self.fixtures = fixtures
        self.checks = checks
        self.known_vars: set[str] = set(BUILTIN_VARS)
        self.errors: list[ScenarioError] = []  # every error of the document, not only the first
        self.loaded: dict[str, Any] = {}

    def build(self) -> Scenario:
        v = self.doc.value
        given = v.get("given", {})
        loaded = self.loaded
        for kind in ("prescriber", "patient"):
            if kind in given:
                try:
                    loaded[kind] = self.fixtures.get(kind, given[kind], self.doc.pos(("given", kind)))
                except ScenarioError as exc:
                    self.errors.append(exc)
                self.known_vars.add(kind)
        self.known_vars.update(v.get("vars", {}))
        if v.get("generate"):
            self.known_vars.update(("generated", "patient", "prescriber"))
        known = capabilities()
        for i, need in enumerate(v.get("needs", ())):
            if need not in known:
                self.errors.append(ScenarioError(
                    f"unknown capability '{need}'", self.doc.pos(("needs", i)),
                    did_you_mean(need, known) + " (capabilities come from the adapter contract's "
                    "/about)", width=len(need)))
        steps = tuple(self._step(i, s) for i, s in enumerate(v["steps"]))
        if self.errors:
            raise ScenarioErrors(self.errors)
        return Scenario(
            id=v["id"], title=v["title"], file=self.doc.file, pos=self.doc.pos(()), steps=steps,
            requirements=tuple(v.get("requirements", ())), tags=tuple(v.get("tags", ())),
            needs=tuple(v.get("needs", ())), isolated=bool(v.get("isolated", False)),
            generate=int(v.get("generate", 0)),
            given=tuple(sorted(given.items())), fixtures=loaded, variables=dict(v.get("vars", {})),
        )

    def _step(self, index: int, raw: dict[str, Any]) -> Step:
        path: tuple[str | int, ...] = ("steps", index)
        actions = [k for k in raw if k in STEP_KINDS]
        if len(actions) != 1:
            found = ", ".join(actions) or "none"
            raise ScenarioErrors([*self.errors, ScenarioError(
                f"a step needs exactly one action (found: {found})",
                self.doc.pos(path), "use one of: " + ", ".join(STEP_KINDS))])
        kind = actions[0]
        params = raw[kind]
        if kind == "create":
            params = self._resolve_create(params, (*path, kind))
        self._check_vars(params, (*path, kind))
        expect: tuple[Expectation, ...] | None = None
        if "expect" in raw:
            listed = [self._expectation(item, kind, (*path, "expect", i))
                      for i, item in enumerate(raw["expect"])]
            expect = tuple(e for e in listed if e is not None)
        if kind == "create" and isinstance(params, dict) and "raw" not in params:
            specs = [self.checks.get(e.name) for e in expect or ()] \
                if isinstance(self.checks, Mapping) else []  # a step sending an invalid body on purpose
            self._check_body(params, (*path, kind),
                             types_only=any(getattr(spec, "invalid_input", False) for spec in specs))
        save = tuple(raw.get("save", {}).items())
        self.known_vars.update(name for name, _ in save)
        return Step(index, kind, params, self.doc.pos(path), raw.get("title", ""), save, expect)

    def _expectation(self, raw: Any, kind: str, path: tuple[str | int, ...]) -> Expectation | None:
        name, arg = (raw, None) if isinstance(raw, str) else next(iter(raw.items()))
        if name not in self.checks:
            self.errors.append(ScenarioError(f"unknown check '{name}'", self.doc.pos(path),
                                             did_you_mean(name, self.checks), width=len(name)))
            return None
        steps = getattr(self.checks[name], "steps", None) if isinstance(self.checks, Mapping) else None
        if steps is not None and kind not in steps:
            self.errors.append(ScenarioError(
                f"check '{name}' does not apply to a {kind} step", self.doc.pos(path),
                f"it applies to: {', '.join(steps)} (conformance list checks)", width=len(name)))
        self._check_vars(arg, path)
        return Expectation(name, arg, self.doc.pos(path))

    def _check_body(self, params: dict[str, Any], path: tuple[str | int, ...], types_only: bool) -> None:
        """The create body ``run`` would send, against the adapter contract; a step that
        expects a rejection (invalid on purpose) is held to types only."""
        if self.doc.value.get("generate"):
            return  # the body is drawn at run time
        body = create_body(params, self.loaded)
        for error in create_body_errors(body):
            if types_only and error.kind != "type":
                continue
            where = self.doc.pos((*path, *error.path))
            label = ".".join(map(str, error.path)) or "body"
            if error.kind == "type" and "'string'" in error.message:
                hint = ("quote it: YAML read this value as a date or a number, the contract "
                        "wants a string")
            else:
                hint = "see conformance/contract/adapter.openapi.yaml (CreateRequest)"
            self.errors.append(ScenarioError(f"create body breaks the adapter contract at "
                                             f"'{label}': {error.message}", where, hint))

    def _resolve_create(self, params: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
        out = dict(params)
        for key, kind in (("prescripteur", "prescriber"), ("patient", "patient")):
            if isinstance(out.get(key), str):
                out[key] = self.fixtures.get(kind, out[key], self.doc.pos((*path, key)))
        lines = []
        for i, line in enumerate(out.get("lignes", [])):
            lpath = (*path, "lignes", i)
            if isinstance(line, str):
                line = {"produit": line}
            if "produit" in line:
                product = self.fixtures.get("product", str(line["produit"]), self.doc.pos(lpath))
                line = {**product, **{k: v for k, v in line.items() if k != "produit"}}
            lines.append(line)
        if "lignes" in out:
            out["lignes"] = lines
        return out

    def _check_vars(self, value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, str):
            for match in VAR.finditer(value):
                root = match.group(1).split(".")[0].strip()
                if root not in self.known_vars:
                    self.errors.append(ScenarioError(
                        f"unknown variable '${{{match.group(1)}}}'", self.doc.pos(path),
                        did_you_mean(root, self.known_vars) + " (save it in an earlier step, "
                        "or declare it under 'vars')",
                    ))
        elif isinstance(value, dict):
            for k, item in value.items():
                self._check_vars(item, (*path, k))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._check_vars(item, (*path, i))


def load_file(path: Path, fixtures: Fixtures, checks: Checks, root: Path | None = None) -> list[Scenario]:
    """The scenarios of one file (one document, a list, or several documents); ScenarioErrors
    with every error found in it."""
    text = read_text(path, root)
    scenarios = []
    errors: list[ScenarioError] = []
    for doc in load_text(text, str(path)):
        items = doc.value if isinstance(doc.value, list) else [doc.value]
        for i, item in enumerate(items):
            prefix: tuple[str | int, ...] = (i,) if isinstance(doc.value, list) else ()
            sub = Located(item, doc.file, {p[len(prefix):]: pos for p, pos in doc.positions.items()
                                           if p[: len(prefix)] == prefix})
            if not isinstance(item, dict):
                errors.append(ScenarioError("a scenario must be a mapping", sub.pos(()),
                                            "start with 'id:', 'title:' and 'steps:'"))
                continue
            found = _schema_errors(sub)
            if found:
                errors += found
                continue
            try:
                scenarios.append(_Builder(sub, fixtures, checks).build())
            except ScenarioErrors as exc:
                errors += exc.errors
            except ScenarioError as exc:
                errors.append(exc)
    if errors:
        raise ScenarioErrors(errors)
    return scenarios


def load_suite(paths: Iterable[Path], fixtures: Fixtures, checks: Checks) -> list[Scenario]:
    """Every scenario under ``paths``, every file read; ScenarioErrors with every error of every
    file (duplicate ids included)."""
    return list(iter_suite(paths, fixtures, checks))


def iter_suite(paths: Iterable[Path], fixtures: Fixtures, checks: Checks) -> Iterator[Scenario]:
    """``load_suite`` one scenario at a time (a caller may pack each as it comes): every file
    is read, and ScenarioErrors with every error comes after the last scenario."""
    errors: list[ScenarioError] = []
    seen: dict[str, Pos] = {}  # where each id was first used
    roots = list(paths)
    for file in scenario_files(roots):
        root = next((r for r in roots if r.is_dir() and (file == r or r in file.parents)), None)
        try:
            loaded = load_file(file, fixtures, checks, root)
        except ScenarioErrors as exc:
            errors += exc.errors
            continue
        except ScenarioError as exc:
            errors.append(exc)
            continue
        for sc in loaded:
            if sc.id in seen:
                errors.append(ScenarioError(f"duplicate scenario id '{sc.id}'", sc.pos,
                                            f"already used at {seen[sc.id]}"))
                continue
            seen[sc.id] = sc.pos
            yield sc
    if errors:
        raise ScenarioErrors(errors)
