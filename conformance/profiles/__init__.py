"""Profiles: spec-dependent rules as data (``profiles/*.yaml``), selected with ``--profile``."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT = "public-2025"


class ProfileError(Exception):
    """A profile that cannot be found or read."""


@dataclass(frozen=True)
class Profile:
    """A named set of rules, each with value, source and confidence."""

    name: str
    rules: dict[str, dict[str, Any]] = field(hash=False)
    path: str = ""

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
        text = path.read_text(encoding="utf-8")
    else:
        res = resources.files("conformance.profiles").joinpath(f"{name_or_path}.yaml")
        if not res.is_file():
            raise ProfileError(f"unknown profile '{name_or_path}'; bundled: {', '.join(available())}")
        text = res.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        rules = data["rules"]
        if not isinstance(rules, dict):
            raise TypeError("'rules' must be a mapping")
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise ProfileError(f"profile {name_or_path} is invalid: {exc}") from exc
    return Profile(str(data.get("name", name_or_path)), rules, str(path))
