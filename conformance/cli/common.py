"""Helpers shared by commands: exit codes, loading the suite, located errors."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from conformance.paths import BUNDLED_SCENARIOS, fixtures_for

if TYPE_CHECKING:
    from conformance.scenario import Scenario

EXIT_OK, EXIT_ANOMALIES, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print an error (no traceback) and exit."""
    click.echo(message if message.startswith("error:") else f"error: {message}", err=True)
    sys.exit(code)


def load(paths: tuple[str, ...], fixtures: str | None) -> list[Scenario]:
    """The suite under ``paths`` (the bundled one by default); exit 2 on a located error."""
    from conformance.checks import REGISTRY
    from conformance.scenario import Fixtures, ScenarioError, load_suite

    roots = [Path(p) for p in paths] or [BUNDLED_SCENARIOS]
    root = Path(fixtures) if fixtures else fixtures_for(roots)
    try:
        return list(load_suite(roots, Fixtures(root), REGISTRY.keys()))
    except ScenarioError as exc:
        fail(exc.render())


def select(scenarios: list[Scenario], keywords: tuple[str, ...], tags: tuple[str, ...]) -> list[Scenario]:
    """Scenarios whose id or title matches any ``-k`` keyword and that carry any ``--tag``."""
    chosen = []
    for sc in scenarios:
        text = f"{sc.id} {sc.title}".lower()
        if keywords and not any(_match(k, text) for k in keywords):
            continue
        if tags and not set(tags) & set(sc.tags):
            continue
        chosen.append(sc)
    return chosen


def _match(expr: str, text: str) -> bool:
    expr = expr.strip().lower()
    if expr.startswith("not "):
        return not _match(expr[4:], text)
    return any(part.strip() in text for part in re.split(r"\s+or\s+", expr))
