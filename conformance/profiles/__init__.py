"""Profiles: spec-dependent rules as data (``profiles/*.yaml``), selected with ``--profile``."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from conformance.nesting import NestedTooDeep, safe_load

DEFAULT = "public-2025"


class ProfileError(Exception):
    """A profile that cannot be found or read."""


@dataclass(frozen=True)
class Profile:
    """A named set of rules, each with value, source and confidence."""

    name: str
    rules: dict[str, dict[str, Any]] = field(hash=False)
    path: str = ""
    text: str = field(default="", repr=False, compare=False)  # the YAML it was read from

    def value(self, rule: str) -> Any:
        """The value of one rule."""
        return self.rules[rule]["value"]

    def source(self, rule: str) -> str:
        """Where the rule comes from and how sure we are."""
        r = self.rules[rule]
        return f"{r.get('source', '?')} ({r.get('confidence', 'assumed')})"


def available() -> list[str]:
    """Names of the bundled profiles."""
    folder = resources.files("conformance.profiles")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_profile(name_or_path: str = DEFAULT) -> Profile:
    """A bundled profile by name, or a profile file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        res = resources.files("conformance.profiles").joinpath(f"{name_or_path}.yaml")
        if not res.is_file():
            raise ProfileError(f"unknown profile '{name_or_path}'; bundled: {', '.join(available())}")
        text, where = res.read_text(encoding="utf-8"), str(res)
    try:
        data = safe_load(text)
    except yaml.MarkedYAMLError as exc:  # located, in the scenario files' format
        from conformance.scenario.errors import Pos, ScenarioError

        mark = exc.problem_mark or exc.context_mark
        pos = Pos(where, mark.line + 1, mark.column + 1) if mark else None
        if isinstance(exc, NestedTooDeep):
            title, fix = f"profile {name_or_path}: {exc.problem}", "a profile needs a dozen levels"
        else:
            title, fix = f"profile {name_or_path} is not YAML: {exc.problem or exc.context}", \
                "fix the YAML around this place"
        raise ProfileError(ScenarioError(title, pos, fix).render()) from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"profile {name_or_path} is not YAML: {exc}") from exc
    problems = validate_profile(data)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise ProfileError(f"profile {name_or_path} is invalid:\n{listed}\n  = compare it with the "
                           f"bundled one: conformance/profiles/{DEFAULT}.yaml")
    return Profile(str(data.get("name", name_or_path)), data["rules"], str(path), text)


def validate_profile(data: Any) -> list[str]:
    """Every way ``data`` breaks the profile schema, and every pattern that does not compile."""
    import json
    import re

    import jsonschema

    schema = json.loads(resources.files("conformance.profiles").joinpath("schema.json").read_text("utf-8"))
    problems = [f"{'.'.join(map(str, e.absolute_path)) or 'profile'}: {e.message}"
                for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    if problems:
        return problems
    rules = data["rules"]
    patterns = [("id_pattern", rules["id_pattern"]["value"]),
                ("bizone_bottom_heading", rules["bizone_bottom_heading"]["value"])]
    patterns += [("data_mention", p) for p in rules["data_mention"]["value"]]
    patterns += [("legal_anchors", p) for p in rules["legal_anchors"]["value"]]
    patterns += [("consent_mention", c["pattern"]) for c in rules["consent_mention"]["value"]]
    for rule, pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(f"rules.{rule}: {pattern!r} is not a regular expression ({exc})")
    try:
        jsonschema.Draft202012Validator.check_schema(rules["qr_payload_schema"]["value"])
    except jsonschema.SchemaError as exc:
        problems.append(f"rules.qr_payload_schema: not a JSON Schema ({exc.message})")
    return problems
