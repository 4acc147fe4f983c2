"""Named fixtures: synthetic prescribers, patients and products under ``fixtures/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.scenario.errors import Pos, ScenarioError, did_you_mean
from conformance.scenario.files import read_text
from conformance.scenario.yamlload import load_text

KINDS = {"prescriber": "prescribers", "patient": "patients", "product": "products"}


class Fixtures:
    """Lazy, cached access to ``<root>/{prescribers,patients,products}/<name>.yaml``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[tuple[str, str], dict[str, Any]] = {}

    def names(self, kind: str) -> list[str]:
        """The fixture names of one kind."""
        folder = self.root / KINDS[kind]
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []

    def get(self, kind: str, name: str, pos: Pos) -> dict[str, Any]:
        """The fixture ``name`` of ``kind``; a located error when it does not exist."""
        key = (kind, name)
        if key not in self._cache:
            path = self.root / KINDS[kind] / f"{name}.yaml"
            if ("/" in name or "\\" in name or name.startswith(".") or len(name.encode()) > 200
                    or not path.is_file()):
                raise ScenarioError(
                    f"unknown {kind} fixture '{name}'", pos,
                    did_you_mean(name, self.names(kind)) or f"add {path}",
                    width=len(name),
                )
            docs = load_text(read_text(path, self.root), str(path))
            if len(docs) != 1 or not isinstance(docs[0].value, dict):
                raise ScenarioError(f"fixture {path} must hold one mapping", Pos(str(path), 1, 1))
            self._cache[key] = docs[0].value
        return dict(self._cache[key])
