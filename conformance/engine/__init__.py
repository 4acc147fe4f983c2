"""The engine: the runner (yields events), check running, results, variables, the redaction stage."""

from __future__ import annotations

from conformance.engine.events import (
    BundleWritten,
    Event,
    RunFinished,
    RunStarted,
    ScenarioFinished,
    ScenarioStarted,
    StepFinished,
)
from conformance.engine.results import CheckResult, RunResult, ScenarioResult, StepResult
from conformance.engine.runner import Phase, RunConfig, Runner, TargetUnreachable, fetch_about

__all__ = [
    "BundleWritten",
    "CheckResult",
    "Event",
    "Phase",
    "RunConfig",
    "RunFinished",
    "RunResult",
    "RunStarted",
    "Runner",
    "ScenarioFinished",
    "ScenarioResult",
    "ScenarioStarted",
    "StepFinished",
    "StepResult",
    "TargetUnreachable",
    "fetch_about",
]
