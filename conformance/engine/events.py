"""Events yielded by the engine; reporters are handlers of these (the engine never prints)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.engine.results import RunResult, ScenarioResult, StepResult
from conformance.paper import PaperPage
from conformance.targets import Exchange


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
class StepEvidence:
    """What a step exchanged and saw, for the evidence bundle (not kept in the results)."""

    exchanges: tuple[Exchange, ...] = ()
    pages: tuple[PaperPage, ...] = ()
    journal: tuple[dict[str, Any], ...] = ()
    sent: Any = None
    copy: bytes = b""  # a ``dmp`` step's PDF copy, decoded from its document in the sandbox


@dataclass(frozen=True)
class StepFinished:
    """A step (and its checks) is done; ``evidence`` when the run collects it."""

    scenario_id: str
    result: StepResult
    evidence: StepEvidence | None = None


@dataclass(frozen=True)
class ScenarioFinished:
    """A scenario is done."""

    result: ScenarioResult


@dataclass(frozen=True)
class RunFinished:
    """The run is done (or interrupted): the full result."""

    result: RunResult


@dataclass(frozen=True)
class BundleWritten:
    """The session sealed the run folder: every report written, the manifest over them."""

    folder: Path
    files: int  # how many files the manifest covers
    signed: bool = False


Event = RunStarted | ScenarioStarted | StepFinished | ScenarioFinished | RunFinished | BundleWritten
