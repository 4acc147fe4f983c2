"""Events yielded by the engine; reporters are handlers of these (the engine never prints)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.engine.results import RunResult, ScenarioResult, StepResult


@dataclass(frozen=True)
class RunStarted:
    """The run begins: how many scenarios, against what."""

    run_id: str
    total: int
    target: str
    about: dict[str, Any] | None


@dataclass(frozen=True)
class ScenarioStarted:
    """A scenario begins."""

    id: str
    title: str


@dataclass(frozen=True)
class StepFinished:
    """A step (and its checks) is done."""

    scenario_id: str
    result: StepResult


@dataclass(frozen=True)
class ScenarioFinished:
    """A scenario is done."""

    result: ScenarioResult


@dataclass(frozen=True)
class RunFinished:
    """The run is done (or interrupted): the full result."""

    result: RunResult


Event = RunStarted | ScenarioStarted | StepFinished | ScenarioFinished | RunFinished
