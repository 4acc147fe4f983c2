"""The engine: runner (yields events), context (variables, captures), results."""

from __future__ import annotations

from conformance.engine.events import (
    Event,
    RunFinished,
    RunStarted,
    ScenarioFinished,
    ScenarioStarted,
    StepFinished,
)
from conformance.engine.results import CheckResult, RunResult, ScenarioResult, StepResult
from conformance.engine.runner import RunConfig, Runner, TargetUnreachable, fetch_about

__all__ = [
    "CheckResult",
    "Event",
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
