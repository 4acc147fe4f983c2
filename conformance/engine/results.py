"""Results of a run: frozen dataclasses, built from events, read by reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("pass", "fail", "warn", "skip", "error")
SEVERITIES = ("blocking", "major", "minor", "info")
OPERATIONS = {
    "create": "créer",
    "consult": "consulter",
    "search": "rechercher",
    "paper": "impression",
    "teleservice": "téléservice",
    "dispense": "téléservice",
    "fuzz": "robustesse",
}


def severity_rank(severity: str) -> int:
    """0 for blocking … 3 for info."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check on one step."""

    check: str
    requirement: str
    title: str
    severity: str
    operation: str
    status: str
    message: str
    expected: Any = None
    observed: Any = None
    diff: tuple[str, ...] = ()
    hint: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepResult:
    """One executed (or skipped) step and its checks."""

    index: int
    kind: str
    title: str
    status: str
    duration: float
    checks: tuple[CheckResult, ...] = ()
    message: str = ""
    http: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's outcome."""

    id: str
    title: str
    file: str
    status: str
    duration: float
    requirements: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    steps: tuple[StepResult, ...] = ()
    reason: str = ""
    generated: GeneratedRun | None = None


@dataclass(frozen=True)
class GeneratedRun:
    """A generated scenario's exploration: how many prescriptions, and the smallest failing one."""

    examples: int
    seed: int
    falsifying: dict[str, Any] | None = None


@dataclass(frozen=True)
class RunResult:
    """The whole run: the source of report.json."""

    run_id: str
    started: str
    finished: str
    duration: float
    target: str
    teleservice: str | None
    about: dict[str, Any] | None
    fail_on: str
    seed: int
    scenarios: tuple[ScenarioResult, ...] = ()
    interrupted: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def checks(self) -> list[tuple[ScenarioResult, StepResult, CheckResult]]:
        """Every check result with its scenario and step."""
        return [(sc, st, c) for sc in self.scenarios for st in sc.steps for c in st.checks]

    def anomalies(self) -> list[tuple[ScenarioResult, StepResult, CheckResult]]:
        """Failed checks at or above the ``fail_on`` severity."""
        limit = severity_rank(self.fail_on)
        return [t for t in self.checks()
                if t[2].status == "fail" and severity_rank(t[2].severity) <= limit]

    @property
    def conforme(self) -> bool:
        """No anomaly at or above the threshold, and no harness error."""
        return not self.anomalies()

    @property
    def verdict(self) -> str:
        """'conforme' or 'non-conforme'."""
        return "conforme" if self.conforme else "non-conforme"


def scenario_status(steps: tuple[StepResult, ...]) -> str:
    """Worst status among steps and checks: error > fail > warn > pass > skip."""
    order = ("error", "fail", "warn", "pass", "skip")
    seen = {s.status for s in steps} | {c.status for s in steps for c in s.checks}
    for status in order:
        if status in seen:
            return status
    return "skip"
