"""An in-process fake of the adapter API behind httpx.MockTransport (fast unit tests, no server)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from conformance.checks import REGISTRY
from conformance.paths import BUNDLED_FIXTURES
from conformance.scenario import Fixtures, Scenario, load_file

ABOUT = {"logiciel": {"nom": "Fake LAP", "version": "9.9", "editeur": "Tests"},
         "contrat": "1", "capacites": {"typesLignes": ["medicament"]}}
PID = "01S2TBPZ2JCNZZYGHZ"


class FakeTarget:
    """Answers the adapter API from memory; ``override(method, path)`` may replace an answer."""

    def __init__(self, override: Callable[[httpx.Request], httpx.Response | None] | None = None) -> None:
        self.override = override
        self.requests: list[httpx.Request] = []
        self.created: dict[str, Any] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.override is not None:
            answer = self.override(request)
            if answer is not None:
                return answer
        path = request.url.path
        if path == "/about":
            return httpx.Response(200, json=ABOUT)
        if request.method == "POST" and path == "/prescriptions":
            self.created = json.loads(request.content)
            return httpx.Response(201, json={"id": PID, "statut": "enregistree",
                                             "papier": f"/prescriptions/{PID}/paper"})
        if path == f"/prescriptions/{PID}":
            return httpx.Response(200, json={**self.created, "id": PID})
        if path == "/prescriptions":
            return httpx.Response(200, json={"resultats": [{"id": PID, "patient": self.created.get(
                "patient")}]})
        return httpx.Response(404, json={"title": "not found"})

    @property
    def transport(self) -> httpx.MockTransport:
        """The httpx seam."""
        return httpx.MockTransport(self)


def scenarios(tmp_path: Path, text: str, static: bool = True) -> list[Scenario]:
    """Scenarios from YAML text, with the bundled fixtures; ``static=False`` skips the checks
    that need the registry's step kinds (to reach the engine's own guards)."""
    file = tmp_path / "s.yaml"
    file.write_text(text, encoding="utf-8")
    return load_file(file, Fixtures(BUNDLED_FIXTURES), REGISTRY if static else REGISTRY.keys())
