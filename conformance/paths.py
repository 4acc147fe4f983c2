"""Where the bundled suite, fixtures, campaign plans, contracts, examples and docs are, and how
a suite finds its fixtures.

An installed wheel carries ``scenarios/``, ``fixtures/``, ``examples/`` and ``docs/`` inside the
package (``_bundled/``, read through ``importlib.resources``); a checkout (or an editable
install) reads them from the top of the repository."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = Path(str(resources.files("conformance")))
PROJECT = PACKAGE.parent
_BUNDLED = PACKAGE / "_bundled"
BUNDLED_SCENARIOS = _BUNDLED / "scenarios" if (_BUNDLED / "scenarios").is_dir() else PROJECT / "scenarios"
BUNDLED_FIXTURES = _BUNDLED / "fixtures" if (_BUNDLED / "fixtures").is_dir() else PROJECT / "fixtures"
BUNDLED_EXAMPLES = _BUNDLED / "examples" if (_BUNDLED / "examples").is_dir() else PROJECT / "examples"
BUNDLED_DOCS = _BUNDLED / "docs" if (_BUNDLED / "docs").is_dir() else PROJECT / "docs"
BUNDLED_CAMPAIGNS = _BUNDLED / "campaigns" if (_BUNDLED / "campaigns").is_dir() else PROJECT / "campaigns"
CONTRACT = PACKAGE / "contract" / "adapter.openapi.yaml"
TELESERVICE_CONTRACT = PACKAGE / "contract" / "teleservice.openapi.yaml"


def fixtures_for(paths: list[Path]) -> Path:
    """The ``fixtures/`` folder beside (or above) the first scenario path, else the bundled one."""
    for path in paths:
        for folder in [path.resolve(), *path.resolve().parents]:
            candidate = folder / "fixtures"
            if candidate.is_dir():
                return candidate
    return BUNDLED_FIXTURES
