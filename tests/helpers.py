"""Run scenarios through the engine in-process, against real loopback servers."""

from __future__ import annotations

from conformance.embedded import EmbeddedWorld
from conformance.engine import RunConfig, RunFinished, Runner, RunResult
from conformance.profiles import load_profile
from conformance.scenario import Scenario
from conformance.targets import HttpTarget, TeleserviceControl


def run_suite(world: EmbeddedWorld, scenarios: list[Scenario], fail_on: str = "major",
              jobs: int = 1) -> RunResult:
    """Every event consumed; the final RunResult."""
    target = HttpTarget(world.target_url)
    control = TeleserviceControl(world.teleservice_url)
    try:
        runner = Runner(RunConfig(target, control, load_profile(), fail_on, jobs=jobs), scenarios)
        for event in runner.run():
            if isinstance(event, RunFinished):
                return event.result
    finally:
        target.close()
        control.close()
    raise AssertionError("the engine yielded no RunFinished")


def failing(result: RunResult) -> set[str]:
    """Requirement ids of the failed checks."""
    return {c.requirement for _, _, c in result.checks() if c.status == "fail"}
