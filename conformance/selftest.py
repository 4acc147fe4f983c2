"""The self-test: the suite against the clean reference (must be green), then against the
reference with each fault switched on alone (each must be caught by a blocking or major check).

Each run starts its own reference and simulator on loopback, so runs are independent and go
in parallel in worker processes (``jobs``). Results are frozen dataclasses; nothing prints.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.engine.results import RunResult, severity_rank

DETECTING = ("blocking", "major")  # a fault caught only by minor checks does not count
FUZZ_EXAMPLES = 40  # generated requests per operation for the faults only fuzzing finds


@dataclass(frozen=True)
class FaultOutcome:
    """One run of the suite against the reference with ``fault`` switched on (None: clean)."""

    fault: str | None
    description: str
    failing: tuple[tuple[str, str, str], ...]  # (requirement, check, severity) of failing checks
    errors: tuple[str, ...]  # harness or environment errors (never the target's anomaly)
    duration: float

    @property
    def caught_by(self) -> tuple[str, ...]:
        """Requirement ids of the failing checks."""
        return tuple(sorted({req for req, _, _ in self.failing}))

    @property
    def detected(self) -> bool:
        """Caught by at least one blocking or major check."""
        return any(sev in DETECTING for _, _, sev in self.failing)


@dataclass(frozen=True)
class SelfTestResult:
    """The clean run and every fault's run."""

    clean: FaultOutcome
    faults: tuple[FaultOutcome, ...]
    duration: float
    jobs: int
    fast: bool = False
    clean_result: RunResult | None = field(default=None, compare=False)

    @property
    def false_positives(self) -> int:
        """Failing checks on the clean reference."""
        return len(self.clean.failing)

    @property
    def detection_rate(self) -> float:
        return sum(f.detected for f in self.faults) / len(self.faults) if self.faults else 0.0

    @property
    def passed(self) -> bool:
        """Clean run green and without error, every fault detected, no run in error."""
        return (not self.false_positives and not self.clean.errors
                and all(f.detected for f in self.faults))


def outcome_of(fault: str | None, description: str, result: RunResult, duration: float) -> FaultOutcome:
    """Summarise a run: its failing checks (any severity) and its errors."""
    failing = tuple(sorted({(c.requirement, c.check, c.severity) for _, _, c in result.checks()
                            if c.status == "fail"}, key=lambda t: (severity_rank(t[2]), t[0], t[1])))
    errors = tuple(f"{sc.id}: {c.message}" for sc, _, c in result.checks() if c.status == "error")
    errors += tuple(f"{sc.id} step {st.index + 1}: {st.message}" for sc in result.scenarios
                    for st in sc.steps if st.status == "error" and not st.checks)
    return FaultOutcome(fault, description, failing, errors, duration)


def run_once(fault: str | None, paths: Sequence[str], fixtures: str | None, profile_name: str,
             seed: int, fast: bool = False) -> tuple[FaultOutcome, RunResult]:
    """Start a world with ``fault`` (or none), run the suite, stop the world. ``fast``: a fault
    run stops at its first anomaly, and generated failures are not shrunk."""
    from conformance.checks import REGISTRY
    from conformance.embedded import EmbeddedWorld
    from conformance.engine import RunConfig, RunFinished, Runner
    from conformance.paths import BUNDLED_SCENARIOS, fixtures_for
    from conformance.profiles import load_profile
    from conformance.reference.faults import FAULTS, FUZZ_ONLY
    from conformance.scenario import Fixtures, load_suite
    from conformance.targets import HttpTarget, TeleserviceControl

    roots = [Path(p) for p in paths] or [BUNDLED_SCENARIOS]
    scenarios = load_suite(roots, Fixtures(Path(fixtures) if fixtures else fixtures_for(roots)),
                           REGISTRY.keys())
    t0 = time.perf_counter()
    with EmbeddedWorld((fault,) if fault else ()) as world:
        target, control = HttpTarget(world.target_url), TeleserviceControl(world.teleservice_url)
        try:
            config = RunConfig(target, control, load_profile(profile_name), "major", seed,
                               extra={"profile": {"name": profile_name}, "fault": fault},
                               exit_first=fast and fault is not None, shrink=False)
            result = next(e.result for e in Runner(config, scenarios).run() if isinstance(e, RunFinished))
            if fault in FUZZ_ONLY or fault is None:  # the clean run is fuzzed too: no false alarm
                from conformance.fuzz import fuzz

                fuzzed = fuzz(world.target_url, FUZZ_EXAMPLES, seed)
                result = dataclasses.replace(result, scenarios=(*result.scenarios, fuzzed))
        finally:
            target.close()
            control.close()
    description = FAULTS[fault] if fault else "clean reference"
    return outcome_of(fault, description, result, time.perf_counter() - t0), result


def _worker(fault: str | None, paths: Sequence[str], fixtures: str | None, profile_name: str,
            seed: int, fast: bool) -> FaultOutcome:
    return run_once(fault, paths, fixtures, profile_name, seed, fast)[0]


def self_test(faults: Sequence[str], paths: Sequence[str] = (), fixtures: str | None = None,
              profile_name: str = "public-2025", seed: int = 0, jobs: int = 1,
              on_outcome: Callable[[FaultOutcome], None] | None = None,
              fast: bool = False) -> SelfTestResult:
    """Run the clean reference then each fault; ``on_outcome`` hears of each as it ends."""
    t0 = time.perf_counter()
    clean, clean_result = run_once(None, paths, fixtures, profile_name, seed)
    if on_outcome:
        on_outcome(clean)
    outcomes: dict[str, FaultOutcome] = {}
    for outcome in _faulted(faults, paths, fixtures, profile_name, seed, jobs, fast):
        outcomes[str(outcome.fault)] = outcome
        if on_outcome:
            on_outcome(outcome)
    ordered = tuple(outcomes[f] for f in faults)  # deterministic order whatever the jobs
    return SelfTestResult(clean, ordered, time.perf_counter() - t0, jobs, fast, clean_result)


def _faulted(faults: Sequence[str], paths: Sequence[str], fixtures: str | None, profile_name: str,
             seed: int, jobs: int, fast: bool) -> Iterator[FaultOutcome]:
    if jobs <= 1:
        for fault in faults:
            yield _worker(fault, paths, fixtures, profile_name, seed, fast)
        return
    # spawn, not fork: the parent may hold threads (servers, pytest) that fork would not copy
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_worker, f, tuple(paths), fixtures, profile_name, seed, fast)
                   for f in faults]
        for future in as_completed(futures):
            yield future.result()


def to_dict(result: SelfTestResult) -> dict[str, Any]:
    """self-test.json."""
    from conformance import __version__

    def fault(o: FaultOutcome) -> dict[str, Any]:
        return {"name": o.fault, "description": o.description, "detected": o.detected,
                "caughtBy": list(o.caught_by),
                "failingChecks": [{"requirement": r, "check": c, "severity": s} for r, c, s in o.failing],
                "errors": list(o.errors), "durationSeconds": round(o.duration, 3)}

    return {
        "schemaVersion": "1.0",
        "harness": {"name": "epresc-conformance", "version": __version__},
        "passed": result.passed,
        "faultCount": len(result.faults),
        "detected": sum(f.detected for f in result.faults),
        "detectionRate": round(result.detection_rate, 4),
        "falsePositives": result.false_positives,
        "falsePositiveChecks": [{"requirement": r, "check": c, "severity": s}
                                for r, c, s in result.clean.failing],
        "cleanErrors": list(result.clean.errors),
        "faults": [fault(f) for f in result.faults],
        "mode": "fast (each fault run stops at its first anomaly)" if result.fast else "full",
        "timings": {"totalSeconds": round(result.duration, 3), "jobs": result.jobs,
                    "cleanRunSeconds": round(result.clean.duration, 3),
                    "faultRunsSeconds": round(sum(f.duration for f in result.faults), 3)},
    }
