"""Results of a run: frozen, keyword-only records built by the engine, read by handlers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.vocabulary import Operation, Severity, Status, Verdict


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """The verdict of one check on one step."""

    check: str
    requirement: str
    title: str
    severity: Severity
    operation: Operation
    status: Status
    message: str
    expected: Any = None
    observed: Any = None
    diff: tuple[str, ...] = ()
    hint: str = ""
    evidence: tuple[str, ...] = ()
    location: str = ""  # file:line:col of the step or expectation that asked for it

    def is_anomaly(self, fail_on: str) -> bool:
        """A failure at or above the ``fail_on`` severity."""
        return self.status is Status.FAIL and self.severity.at_least(fail_on)


@dataclass(frozen=True, kw_only=True)
class StepResult:
    """One executed (or skipped) step and its checks."""

    index: int
    kind: str
    title: str
    status: Status
    duration: float
    checks: tuple[CheckResult, ...] = ()
    message: str = ""
    http: tuple[dict[str, Any], ...] = ()
    location: str = ""


@dataclass(frozen=True, kw_only=True)
class GeneratedRun:
    """A generated scenario's exploration: how many prescriptions, and the smallest failing one."""

    examples: int
    seed: int
    falsifying: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class ScenarioResult:
    """One scenario's outcome."""

    id: str
    title: str
    file: str
    status: Status
    duration: float
    requirements: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    steps: tuple[StepResult, ...] = ()
    reason: str = ""
    generated: GeneratedRun | None = None


@dataclass(frozen=True, kw_only=True)
class RunResult:
    """The whole run: the source of report.json."""

    run_id: str
    started: str
    finished: str
    duration: float
    target: str
    teleservice: str | None
    about: dict[str, Any] | None
    fail_on: Severity
    seed: int
    profile: str = ""
    scenarios: tuple[ScenarioResult, ...] = ()
    interrupted: bool = False
    stopped: str = ""  # why the run stopped early (-x), if it did
    evidence: bool = False  # per-step evidence was written beside the report

    def checks(self) -> list[tuple[ScenarioResult, StepResult, CheckResult]]:
        """Every check result with its scenario and step."""
        return [(sc, st, c) for sc in self.scenarios for st in sc.steps for c in st.checks]

    def anomalies(self) -> list[tuple[ScenarioResult, StepResult, CheckResult]]:
        """Failed checks at or above the ``fail_on`` severity."""
        return [t for t in self.checks() if t[2].is_anomaly(self.fail_on)]

    @property
    def verdict(self) -> Verdict:
        """interrompu > non-conforme > conforme."""
        if self.interrupted:
            return Verdict.INTERROMPU
        return Verdict.NON_CONFORME if self.anomalies() else Verdict.CONFORME

    @property
    def conforme(self) -> bool:
        """The verdict is conforme."""
        return self.verdict is Verdict.CONFORME


def scenario_status(steps: tuple[StepResult, ...]) -> Status:
    """Worst status among steps and checks."""
    return Status.worst([s.status for s in steps] + [c.status for s in steps for c in s.checks])
