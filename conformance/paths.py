"""Where the bundled suite and fixtures are, and how a suite finds its fixtures."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BUNDLED_SCENARIOS = PROJECT / "scenarios"
BUNDLED_FIXTURES = PROJECT / "fixtures"


def fixtures_for(paths: list[Path]) -> Path:
    """The ``fixtures/`` folder beside (or above) the first scenario path, else the bundled one."""
    for path in paths:
        for folder in [path.resolve(), *path.resolve().parents]:
            candidate = folder / "fixtures"
            if candidate.is_dir():
                return candidate
    return BUNDLED_FIXTURES
CONTRACT = Path(__file__).resolve().parent / "contract" / "adapter.openapi.yaml"
