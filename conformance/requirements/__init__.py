"""The requirement catalogue (``catalogue.yaml``): every requirement, versioned as a whole."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.messages import Text
from conformance.vocabulary import Severity

CATALOGUE = Path(__file__).with_name("catalogue.yaml")


@dataclass(frozen=True)
class Requirement:
    """One requirement: what it says, how severe, where it comes from, how sure we are."""

    id: str
    title: Text
    severity: Severity
    family: str
    source: str  # the public text (and section), or "assumption: …"
    confidence: str
    scope: tuple[str, ...]  # line types, or ("all",)


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue and its version."""

    version: str
    requirements: dict[str, Requirement]

    def __getitem__(self, requirement: str) -> Requirement:
        return self.requirements[requirement]

    def __contains__(self, requirement: object) -> bool:
        return requirement in self.requirements


def _requirement(rid: str, raw: dict[str, Any], sources: dict[str, str]) -> Requirement:
    if "assumption" in raw:
        source = f"assumption: {raw['assumption']}"
    else:
        source = f"{sources[raw['source']]} — {raw.get('section', '')}".rstrip(" —")
    scope = raw.get("scope", "all")
    return Requirement(rid, Text(raw["title"]["fr"], raw["title"]["en"]), Severity(raw["severity"]),
                       raw["family"], source, raw["confidence"],
                       tuple(scope) if isinstance(scope, list) else (str(scope),))


@functools.cache
def catalogue() -> Catalogue:
    """The bundled requirement catalogue (read once)."""
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    sources = dict(raw["sources"])
    return Catalogue(str(raw["version"]),
                     {rid: _requirement(rid, r, sources) for rid, r in raw["requirements"].items()})


__all__ = ["CATALOGUE", "Catalogue", "Requirement", "catalogue"]
