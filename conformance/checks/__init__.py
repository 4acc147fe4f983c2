"""Checks: one declaration each (``registry.check``), one module per area.

The modules are imported in the order their checks run on a step by default: the round-trip
first (RT-01 establishes that the prescription is registered), the code 2D before the other
paper checks (QR-01 is the one that reports a paper that cannot be read).
"""

from __future__ import annotations

# the order the checks run in (isort would sort it)
# isort: off
from conformance.checks import answers, roundtrip, footer, identifier, consent  # noqa: F401
from conformance.checks import mentions, national, names, margins, degraded  # noqa: F401
from conformance.checks import dmp  # noqa: F401
# isort: on
from conformance.checks.context import CheckContext, ScenarioState, StepData
from conformance.checks.registry import (
    REGISTRY,
    CheckSpec,
    ExchangeFailed,
    Fact,
    Failed,
    NotEvaluated,
    Skipped,
    Warned,
    defaults,
    requirement_severity,
    run_wide,
    standalone,
)

__all__ = [
    "REGISTRY",
    "CheckContext",
    "CheckSpec",
    "ExchangeFailed",
    "Fact",
    "Failed",
    "NotEvaluated",
    "ScenarioState",
    "Skipped",
    "StepData",
    "Warned",
    "defaults",
    "requirement_severity",
    "run_wide",
    "standalone",
]
