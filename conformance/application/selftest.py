"""The self-test: the suite against the clean reference (must be green), then against the
reference with each fault switched on alone (each must be caught by a blocking or major check).

Each run is a session of its own (its own reference and simulator on loopback), so runs are
independent and go in parallel in worker processes (``jobs``); each keeps its report.json.
Results are frozen dataclasses; nothing prints.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.application.session import run_session
from conformance.application.settings import Selection, Settings
from conformance.application.suite import load_scenarios
from conformance.engine.results import CheckResult, RunResult
from conformance.paper.sandbox import Sandbox
from conformance.scenario import Scenario
from conformance.vocabulary import Severity, Status

DETECTING = ("blocking", "major")  # a fault caught only by minor checks does not count
FUZZ_EXAMPLES = 10  # per operation, every phase: enough for the fault only fuzzing finds (coverage phase)


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
class SpecimenOutcome:
    """``inspect paper`` on a conforming page drawn by another renderer (or its scan)."""

    name: str
    failing: tuple[str, ...]  # "REQ check: message" of each failing check: a false positive
    not_evaluated: tuple[str, ...]


def inspect_specimens() -> tuple[SpecimenOutcome, ...]:
    """Every conforming specimen through ``inspect paper``, and every conforming DMP copy
    through ``inspect cda`` (CDA-01…08 against what was registered, CDA-07 against the paper it
    carries): nothing may fail."""
    import tempfile

    from conformance.application.inspection import inspect_cda, inspect_paper
    from conformance.specimens import PID, specimens
    from conformance.specimens_cda import cda_specimens

    out = []
    # one paper worker for every specimen (started for each, it cost more than its reading)
    with tempfile.TemporaryDirectory() as folder, contextlib.closing(Sandbox(1)) as workers:
        for specimen in specimens():
            file = Path(folder) / f"{specimen.name}{specimen.suffix}"
            file.write_bytes(specimen.data)
            found = inspect_paper(str(file), PID, consent=not specimen.objects, sandbox=workers)
            out.append(_specimen_outcome(specimen.name, found.results))
        for copy in cda_specimens():
            document, paper = Path(folder) / f"{copy.name}.xml", Path(folder) / f"{copy.name}.pdf"
            document.write_bytes(copy.document)
            paper.write_bytes(copy.paper)
            judged = inspect_cda(str(document), copy.pid, str(paper), registered=copy.registered,
                                 sandbox=workers)
            out.append(_specimen_outcome(copy.name, judged.results))
    return tuple(out)


def _specimen_outcome(name: str, results: tuple[CheckResult, ...]) -> SpecimenOutcome:
    from conformance.vocabulary import SkipKind

    return SpecimenOutcome(
        name,
        tuple(f"{r.requirement} {r.check}: {r.message}" for r in results if r.status is Status.FAIL),
        tuple(f"{r.requirement} {r.check}" for r in results if r.skip is SkipKind.NOT_EVALUATED))


@dataclass(frozen=True)
class SelfTestResult:
    """The clean run and every fault's run."""

    clean: FaultOutcome
    faults: tuple[FaultOutcome, ...]
    duration: float
    jobs: int
    fast: bool = False
    specimens: tuple[SpecimenOutcome, ...] = ()

    @property
    def false_positives(self) -> int:
        """Failing checks on the clean reference and on the conforming specimens."""
        return len(self.clean.failing) + sum(len(s.failing) for s in self.specimens)

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
    failing = tuple(sorted({(c.requirement, c.check, str(c.severity)) for _, _, c in result.checks()
                            if c.status is Status.FAIL},
                           key=lambda t: (Severity(t[2]).rank, t[0], t[1])))
    errors = tuple(f"{sc.id}: {c.message}" for sc, _, c in result.checks() if c.status is Status.ERROR)
    errors += tuple(f"{sc.id} step {st.index + 1}: {st.message}" for sc in result.scenarios
                    for st in sc.steps if st.status is Status.ERROR and not st.checks)
    return FaultOutcome(fault, description, failing, errors, duration)


def run_once(base: Settings, fault: str | None, folder: Path | None,
             fast: bool = False, sandbox: Sandbox | None = None) -> tuple[FaultOutcome, RunResult]:
    """One session against the reference with ``fault`` (or none); its report.json is kept under
    ``folder`` (the clean run also keeps its other reports). ``fast``: a fault run stops at its
    first anomaly. Generated failures are never shrunk here: detection is what counts."""
    from conformance.reference.faults import FAULTS, FUZZ_ONLY

    t0 = time.perf_counter()
    clean = fault is None
    settings = dataclasses.replace(
        base, target=None, teleservice=None, faults=(fault,) if fault else (),
        fail_on=Severity.MAJOR, exit_first=fast and not clean, shrink=False,
        # the clean run is fuzzed too: no false alarm
        fuzz_examples=FUZZ_EXAMPLES if clean or fault in FUZZ_ONLY else 0,
        report_dir=folder or Path("."), jobs=1,
        handlers=(() if folder is None else ("json", "junit", "html", "markdown") if clean
                  else ("json",)))
    result = run_session(settings, list(_suite(settings.selection)),
                         sandbox=sandbox or _shared_sandbox()).result
    description = FAULTS[fault] if fault else "clean reference"
    return outcome_of(fault, description, result, time.perf_counter() - t0), result


@functools.cache
def _suite(selection: Selection) -> tuple[Scenario, ...]:
    """The suite, read once per process: every session of the matrix runs the same one (read
    again for each, it cost 5 % of a session, and a file changed midway would split the matrix)."""
    return tuple(load_scenarios(selection))


_SANDBOX: Sandbox | None = None


def _shared_sandbox() -> Sandbox:
    """One set of paper workers for every session of this process (the matrix runs dozens:
    starting workers for each would cost more than their papers)."""
    global _SANDBOX
    if _SANDBOX is None:
        _SANDBOX = Sandbox(1)
        atexit.register(_SANDBOX.close)
    return _SANDBOX


def default_processes() -> int:
    """Sessions in parallel when not told: one more than the cores, as each session leaves its
    core idle part of the time (waiting on its loopback servers and its paper worker). On 2
    cores: 44 s with 3, 52 s with 2 (the whole matrix)."""
    import os

    return (os.cpu_count() or 1) + 1


def _worker(base: Settings, fault: str | None, folder: Path | None, fast: bool) -> FaultOutcome:
    where = None if folder is None else folder / "clean" if fault is None else folder / "faults" / fault
    return run_once(base, fault, where, fast)[0]


def self_test(base: Settings, faults: Sequence[str], folder: Path | None = None, jobs: int = 1,
              on_outcome: Callable[[FaultOutcome], None] | None = None,
              fast: bool = False) -> SelfTestResult:
    """Run the clean reference and each fault; ``on_outcome`` hears of each as it ends.
    ``folder``: where each run keeps its reports (``clean/``, ``faults/<name>/``)."""
    from conformance.reference.faults import FUZZ_ONLY

    t0 = time.perf_counter()
    outcomes: dict[str | None, FaultOutcome] = {}
    specimens: tuple[SpecimenOutcome, ...] = ()
    # the longest first, so that none is left to run alone at the end: the clean run and the
    # fuzzed faults (each fuzzes the API besides the suite), then the others
    runs = (None, *[f for f in faults if f in FUZZ_ONLY], *[f for f in faults if f not in FUZZ_ONLY])
    for outcome in _runs(base, runs, folder, jobs, fast):
        if isinstance(outcome, tuple):
            specimens = outcome
            continue
        outcomes[outcome.fault] = outcome
        if on_outcome:
            on_outcome(outcome)
    ordered = tuple(outcomes[f] for f in faults)  # deterministic order whatever the jobs
    return SelfTestResult(outcomes[None], ordered, time.perf_counter() - t0, jobs, fast, specimens)


def _runs(base: Settings, runs: Sequence[str | None], folder: Path | None, jobs: int,
          fast: bool) -> Iterator[FaultOutcome | tuple[SpecimenOutcome, ...]]:
    """Each run's outcome as it ends, and the specimens'; the runs start in the order given."""
    if jobs <= 1:
        for fault in runs:
            yield _worker(base, fault, folder, fast)
        yield inspect_specimens()
        return
    # spawn, not fork: the parent may hold threads (servers, pytest) that fork would not copy
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_worker, base, fault, folder, fast) for fault in runs]
        yield inspect_specimens()  # here, while the pool works
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
        "specimens": [{"name": s.name, "falsePositives": list(s.failing),
                       "notEvaluated": list(s.not_evaluated)} for s in result.specimens],
        "cleanErrors": list(result.clean.errors),
        "faults": [fault(f) for f in result.faults],
        "mode": "fast (each fault run stops at its first anomaly)" if result.fast else "full",
        "timings": {"totalSeconds": round(result.duration, 3), "jobs": result.jobs,
                    "cleanRunSeconds": round(result.clean.duration, 3),
                    "faultRunsSeconds": round(sum(f.duration for f in result.faults), 3)},
    }
