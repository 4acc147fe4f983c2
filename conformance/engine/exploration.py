"""Generated scenarios: Hypothesis draws prescriptions, the engine runs the scenario on each,
and a failure is shrunk to the smallest failing prescription (within a call budget)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.engine.results import StepResult, scenario_status

SHRINK_BUDGET = 60  # extra scenario runs allowed for shrinking a failure
BATCH = 100  # examples per Hypothesis run (memory stays flat on long explorations)


class _Falsified(Exception):
    """The scenario failed on this prescription."""


@dataclass(frozen=True)
class Exploration:
    """What the exploration found: runs made, the smallest failure or the last passing run."""

    runs: int
    steps: tuple[StepResult, ...]
    body: dict[str, Any] | None
    failed: bool


def explore(run: Callable[[dict[str, Any]], tuple[StepResult, ...]], examples: int, seed: int,
            declared: Sequence[str] | None, shrink: bool = True,
            scope: Sequence[str] | None = None) -> Exploration:
    """Run ``run`` on ``examples`` generated prescriptions of the ``declared`` line types
    (every type when None) that the profile's ``scope`` allows; shrink the first failure."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fix_seed
    from hypothesis.errors import HypothesisException

    from conformance.generation import LINE_TYPES, prescriptions

    types = [t for t in LINE_TYPES if (declared is None or t in declared)
             and (scope is None or t in scope)] or ["medicament"]
    calls = 0
    smallest: tuple[dict[str, Any], tuple[StepResult, ...]] | None = None
    last: tuple[dict[str, Any], tuple[StepResult, ...]] | None = None
    budget = 0  # set per batch: its examples, plus the shrinking allowance
    strategy = prescriptions(types)  # built once: every batch draws from the same strategy

    def attempt(body: dict[str, Any]) -> None:
        nonlocal calls, smallest, last
        if calls >= budget:
            return  # budget spent: the smallest failure found so far stands
        calls += 1
        steps = run(body)
        if scenario_status(steps) == "fail":
            smallest = (body, steps)  # Hypothesis only retries smaller bodies once one failed
            raise _Falsified
        last = (body, steps)

    # Batches of BATCH examples, each a fresh Hypothesis run seeded from (seed, batch):
    # Hypothesis keeps every example's choices for the length of a run, so one long run's
    # memory grows with N; batches keep it flat. The first failing batch is shrunk.
    for batch in range(-(-examples // BATCH)):
        size = min(BATCH, examples - batch * BATCH)
        test = fix_seed(seed if batch == 0 else hash((seed, batch)) & 0xFFFFFFFF)(settings(
            max_examples=size, database=None, deadline=None, derandomize=False,
            phases=(Phase.generate, Phase.shrink) if shrink else (Phase.generate,),
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )(given(strategy)(attempt)))
        budget = calls + size + (SHRINK_BUDGET if shrink else 0)
        # the smallest failure is recorded above; Hypothesis's own final replay is not needed
        with contextlib.suppress(_Falsified, HypothesisException):
            test()
        if smallest is not None:
            break
    if smallest is not None:
        return Exploration(calls, smallest[1], smallest[0], True)
    if last is not None:
        return Exploration(calls, last[1], last[0], False)
    return Exploration(calls, (), None, False)
