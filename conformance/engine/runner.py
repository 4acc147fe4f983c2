"""The engine: runs scenarios, runs checks, yields events. It never prints."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import queue
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from conformance.checks import REGISTRY, ScenarioState, StepData, run_wide
from conformance.checks.context import Creation, JournalCall
from conformance.engine.checking import CheckEnvironment, Everywhere, run_checks, step_checks, unevaluated
from conformance.engine.events import (
    Event,
    RunFinished,
    RunStarted,
    ScenarioFinished,
    ScenarioStarted,
    StepEvidence,
    StepFinished,
)
from conformance.engine.exploration import explore
from conformance.engine.results import (
    CheckResult,
    GeneratedRun,
    RunResult,
    ScenarioResult,
    StepResult,
    Tallying,
    scenario_status,
)
from conformance.engine.steps import NotApplicable, run_step
from conformance.engine.variables import MissingVariable, capture
from conformance.messages import Message, Messages, Text
from conformance.paper import InProcessReader, PaperReader
from conformance.profiles import Profile
from conformance.scenario import Scenario, Step
from conformance.targets import HttpTarget, TeleserviceControl
from conformance.targets.http import REPORT_BODY_LIMIT
from conformance.targets.teleservice import TeleserviceUnavailable
from conformance.vocabulary import Severity, Status, StepKind

JOURNAL_ID = "JOURNAL"  # the scenario that carries the run-wide checks
AHEAD = 2  # scenarios a worker may finish ahead of the handlers (with --jobs N: 2 × N)

RUNNER = Messages("runner", {
    "run_wide": Text("Vérifications sur toute la campagne (rapprochement du journal du téléservice)",
                     "Run-wide checks (the teleservice journal reconciled with the target)"),
    "missing_var": Text("non évalué : ${{{name}}} n'a été capturé par aucune étape précédente",
                        "not evaluated: ${{{name}}} was not captured by an earlier step"),
    "missing_var_because": Text("non évalué : ${{{name}}} n'a été capturé par aucune étape "
                                "précédente ({cause})",
                                "not evaluated: ${{{name}}} was not captured by an earlier step ({cause})"),
    "step_failed": Text("l'étape {step} ({kind}) a échoué", "step {step} ({kind}) failed"),
    "needs": Text("non évalué : il faut {what}", "not evaluated: needs {what}"),
    "blocked": Text("non évalué : l'étape {step} ({kind}) n'a pas pu s'exécuter",
                    "not evaluated: step {step} ({kind}) could not run"),
    "blocked_because": Text("non évalué : l'étape {step} ({kind}) n'a pas pu s'exécuter (il faut {what})",
                            "not evaluated: step {step} ({kind}) could not run (needs {what})"),
    "environment": Text("environnement : {error}", "environment: {error}"),
    "harness_error": Text("erreur du banc à l'étape {step} ({kind}) : {error}",
                          "harness error in step {step} ({kind}): {error}"),
    "not_declared": Text("non applicable : la cible ne déclare pas « {need} » dans /about",
                         "not applicable: the target does not declare '{need}' in /about"),
    "falsified": Text("mis en défaut : {runs} exécution(s) réduction comprise ; la plus petite "
                      "prescription en échec est dans « generated.falsifying »",
                      "falsified: {runs} run(s) including shrinking; the smallest failing "
                      "prescription is in 'generated.falsifying'"),
    "all_passed": Text("{runs} prescription(s) générée(s), toutes réussies (graine {seed})",
                       "{runs} generated prescription(s), all passed (seed {seed})"),
    "stopped": Text("arrêt après {scenario} (--exitfirst)", "stopped after {scenario} (--exitfirst)"),
})


class DaemonPool:
    """A thread pool whose threads never hold the process back: an interrupted run waits at
    most ``grace`` for them (closing a socket does not wake a read blocked on it, so a target
    that never answers would otherwise keep the run alive until its timeout)."""

    def __init__(self, workers: int) -> None:
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None]
        self._queue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"scenario-{n}", daemon=True)
                         for n in range(max(1, workers))]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._queue.put((future, fn, args))
        return future

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to whoever waits on the future
                future.set_exception(exc)
            del item, future  # an idle worker holds no finished scenario's events

    def shutdown(self, grace: float | None = None) -> None:
        """Cancel the work not started (after -x, or an interrupt), then stop the threads: once
        the work in progress is done (``grace`` None), or after at most ``grace`` seconds."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + (grace or 0.0)
        for thread in self._threads:
            thread.join(None if grace is None else max(0.0, deadline - time.monotonic()))


class TargetUnreachable(Exception):
    """The target does not answer ``GET /about``."""


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """What the engine needs for one run (the application layer builds it from Settings)."""

    target: HttpTarget
    control: TeleserviceControl | None
    profile: Profile
    fail_on: Severity = Severity.MAJOR
    seed: int = 0
    # how papers are read: a session always passes its Sandbox (confined workers); the
    # in-process default is the unit tests' seam, for pages they drew themselves
    reader: PaperReader = field(default_factory=InProcessReader)
    exit_first: bool = False  # stop after the first scenario with an anomaly (-x)
    shrink: bool = True  # shrink failures of generated scenarios
    evidence: bool = False  # attach StepEvidence to StepFinished (the bundle's writer needs it)
    jobs: int = 1  # scenarios run concurrently (isolated ones always alone)
    phases: tuple[Phase, ...] = ()  # run after the scenarios, as scenarios of their own (fuzzing)
    accepted: tuple[str, ...] = ()  # unverified requirements the user accepts ("all": every one)
    # called when the run is interrupted: ends requests and paper reads in flight (the session
    # cancels its target, journal and sandbox) so that concurrent scenarios stop at once
    cancel: Callable[[], None] | None = None


@dataclass(frozen=True)
class Phase:
    """A stage after the scenarios whose outcome is reported as one more scenario."""

    id: str
    title: str
    run: Callable[[], ScenarioResult]


def fetch_about(target: HttpTarget) -> dict[str, Any]:
    """The target's conformance statement; TargetUnreachable when it cannot be had."""
    exchange = target.send("GET", "/about")
    if exchange.error:
        raise TargetUnreachable(f"{target.base_url}: {exchange.error}")
    try:
        about = exchange.json()
    except ValueError as exc:
        raise TargetUnreachable(f"{target.base_url}/about did not answer JSON") from exc
    if exchange.status != 200 or not isinstance(about, dict):
        raise TargetUnreachable(f"{target.base_url}/about answered HTTP {exchange.status}")
    return about


def missing_capability(sc: Scenario, about: dict[str, Any]) -> str | None:
    """The first capability the scenario needs and the target does not declare, if any."""
    caps = about.get("capacites", {}) if isinstance(about.get("capacites"), dict) else {}
    types = caps.get("typesLignes", [])
    for need in sc.needs:
        if need in types or caps.get(need) is True:
            continue
        return need
    return None


def isolated(sc: Scenario) -> bool:
    """Must run alone: it injects teleservice faults, reads a whole journal window, or drives
    Hypothesis (not thread-safe)."""
    if sc.isolated or sc.generate:
        return True
    for step in sc.steps:
        if step.kind == "teleservice":
            return True
        if any(REGISTRY[e.name].exclusive for e in step_checks(step)):
            return True
    return False


def segments(scenarios: Sequence[Scenario]) -> list[Sequence[Scenario]]:
    """The suite cut into runs of scenarios that may share the target, and isolated ones alone:
    slices of ``scenarios`` (a packed suite's slices stay packed)."""
    bounds: list[tuple[int, int, bool]] = []  # start, stop, isolated
    for i, sc in enumerate(scenarios):
        alone = isolated(sc)
        if bounds and not alone and not bounds[-1][2]:
            bounds[-1] = (bounds[-1][0], i + 1, False)
        else:
            bounds.append((i, i + 1, alone))
    return [scenarios[start:stop] for start, stop, _ in bounds]


def _has_anomaly(result: ScenarioResult, fail_on: str) -> bool:
    return any(c.is_anomaly(fail_on) for st in result.steps for c in st.checks)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Runner:
    """Runs a suite; iterate ``run()`` to get events, the last being RunFinished."""

    def __init__(self, config: RunConfig, scenarios: Sequence[Scenario]) -> None:
        self.config = config
        self.scenarios = scenarios
        self.run_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        self.env = CheckEnvironment(config.profile,
                                    config.control.journal if config.control else None,
                                    config.reader)
        self.about: dict[str, Any] | None = None
        self.done: list[ScenarioResult] = []  # trimmed as they finish: the reports stream
        self.tally = Tallying()
        self._started, self._t0 = _now(), time.perf_counter()
        self._stopped = ""
        self._told: list[Creation] = []  # the target's answer to every creation of the run
        self._lock = threading.Lock()

    def result(self, interrupted: bool = False) -> RunResult:
        """The run so far: complete, or partial when interrupted (what finished, in order)."""
        cfg = self.config
        return RunResult(
            run_id=self.run_id, started=self._started, finished=_now(),
            duration=time.perf_counter() - self._t0, target=cfg.target.base_url,
            teleservice=cfg.control.base_url if cfg.control else None, about=self.about,
            fail_on=cfg.fail_on, seed=cfg.seed, profile=cfg.profile.name,
            scenarios=tuple(self.done), interrupted=interrupted, stopped=self._stopped,
            evidence=cfg.evidence, accepted=cfg.accepted, tally=self.tally.freeze(),
        )

    def run(self) -> Generator[Event, None, None]:
        """Run every scenario, yielding events; Ctrl-C ends the run with a partial result.

        A Ctrl-C that lands in the consumer's code (between two events) is the consumer's to
        catch: ``result(interrupted=True)`` then gives the partial result."""
        cfg = self.config
        self.about = about = fetch_about(cfg.target)
        self._started, self._t0 = _now(), time.perf_counter()
        journal_start = self._cursor()
        interrupted = False
        try:
            total = len(self.scenarios) + bool(self.scenarios) + len(cfg.phases)  # JOURNAL, FUZZ too
            yield RunStarted(self.run_id, total, cfg.target.base_url, about)
            for segment in segments(self.scenarios):
                if cfg.jobs > 1 and len(segment) > 1:
                    yield from self._concurrently(segment, about)
                else:
                    for sc in segment:
                        yield ScenarioStarted(sc.id, sc.title)
                        yield from self._finish(self._scenario(sc, about))
                        if self._stopped:
                            break
                if self._stopped:
                    break
            if self.scenarios and not self._stopped:
                yield ScenarioStarted(JOURNAL_ID, RUNNER("run_wide"))
                yield from self._finish([ScenarioFinished(self._run_wide(journal_start))])
            for phase in cfg.phases if not self._stopped else ():
                yield ScenarioStarted(phase.id, phase.title)
                yield from self._finish([ScenarioFinished(phase.run())])
        except KeyboardInterrupt:
            interrupted = True
        yield RunFinished(self.result(interrupted))

    def _remember(self, data: StepData, state: ScenarioState) -> None:
        """What the target told the user of each creation (every one, generated runs included),
        and the facts its scenario denied so far."""
        told = []
        denied = tuple(state.denied)
        for exchange in data.exchanges:
            try:
                answer = exchange.json() if exchange.status in (200, 201) else None
            except ValueError:
                answer = None
            told.append(Creation.of(answer if isinstance(answer, dict) else {}, denied))
        with self._lock:
            self._told += told

    def _cursor(self) -> int | None:
        """Where the teleservice journal stands (None without a simulator, or when it fails)."""
        if self.config.control is None:
            return None
        try:
            return self.config.control.cursor()
        except TeleserviceUnavailable:
            return None

    def _run_wide(self, since: int | None) -> ScenarioResult:
        """The run-wide checks, once, over the whole run: what the target told of every
        creation, and the teleservice journal since the run began."""
        t0 = time.perf_counter()
        with self._lock:
            told = list(self._told)
        data = StepData(StepKind.RUN, {"creations": told}, [], journal_since=since)
        if self.config.control is not None and since is not None:
            data.journal_read = functools.partial(self._journal_calls, self.config.control, since)
        names = run_wide()
        title = RUNNER("run_wide")
        expectations = tuple(Everywhere(name) for name in names)
        checks = run_checks(expectations, data, ScenarioState(), self.env)
        status = Status.worst((c.status for c in checks if c.status is not Status.SKIP),
                              default=Status.SKIP if checks else Status.PASS)
        step = StepResult(index=0, kind=StepKind.RUN, title=title, status=status,
                          duration=time.perf_counter() - t0, checks=checks)
        return ScenarioResult(id=JOURNAL_ID, title=title, file="", status=status,
                              duration=step.duration,
                              requirements=tuple(dict.fromkeys(REGISTRY[n].requirement for n in names)),
                              tags=("run",), steps=(step,))

    @staticmethod
    def _journal_calls(control: TeleserviceControl, since: int,
                       operation: str | None) -> list[JournalCall]:
        """The run's teleservice calls of ``operation`` (all of them when None), read page by
        page, filtered by the teleservice, without their bodies, and kept to what run-wide checks
        compare (the whole run's journal at once, bodies and all, was the peak of a long run's memory).
        A teleservice that cannot answer makes the asking check err (the environment's fault)."""
        return [JournalCall(e) for page in control.journal_pages(since, operation, 1000, bodies=False)
                for e in page]

    def _finish(self, events: Iterable[Event]) -> Iterator[Event]:
        """Pass a scenario's events on; record its result (and --exitfirst)."""
        for event in events:
            if isinstance(event, ScenarioFinished):
                self.done.append(self.tally.add(event.result))
                if self.config.exit_first and _has_anomaly(event.result, self.config.fail_on):
                    self._stopped = RUNNER("stopped", scenario=event.result.id)
            yield event

    def _collect(self, sc: Scenario, about: dict[str, Any]) -> list[Event]:
        return list(self._scenario(sc, about))

    def _concurrently(self, segment: Sequence[Scenario], about: dict[str, Any]) -> Iterator[Event]:
        """Run a segment's scenarios on ``jobs`` threads; events come out in suite order."""
        pool = DaemonPool(self.config.jobs)
        interrupted = False
        # a bounded run-ahead: the workers stay busy while the handlers write a finished scenario,
        # but a long segment never holds more than AHEAD × jobs scenarios' events (their papers
        # and pictures) waiting for the handlers, nor any scenario's once handed on
        waiting: collections.deque[tuple[Scenario, Future[list[Event]]]] = collections.deque()
        queued = iter(segment)

        def submit() -> None:
            while len(waiting) < AHEAD * self.config.jobs and (sc := next(queued, None)) is not None:
                waiting.append((sc, pool.submit(self._collect, sc, about)))

        try:
            submit()
            while waiting and not self._stopped:
                sc, future = waiting.popleft()
                yield ScenarioStarted(sc.id, sc.title)
                events = future.result()
                del future
                submit()
                yield from self._finish(events)
                del events
        except BaseException:  # Ctrl-C, SIGTERM, the consumer closing us: the others stop now
            interrupted = True
            if self.config.cancel is not None:
                self.config.cancel()
            raise
        finally:
            pool.shutdown(grace=0.5 if interrupted else None)

    def _scenario(self, sc: Scenario, about: dict[str, Any]) -> Iterator[Event]:
        t0 = time.perf_counter()
        need = missing_capability(sc, about)
        if need:
            yield ScenarioFinished(ScenarioResult(
                id=sc.id, title=sc.title, file=sc.file, status=Status.SKIP, duration=0.0,
                requirements=sc.requirements, tags=sc.tags,
                reason=RUNNER("not_declared", need=need)))
            return
        if sc.generate:
            yield self._generated(sc, about, t0)
            return
        steps: list[StepResult] = []
        for result, evidence in self._steps(sc, None):
            steps.append(result)
            yield StepFinished(sc.id, result, evidence)
        status = scenario_status(tuple(steps))
        yield ScenarioFinished(ScenarioResult(
            id=sc.id, title=sc.title, file=sc.file, status=status,
            duration=time.perf_counter() - t0, requirements=sc.requirements, tags=sc.tags,
            steps=tuple(steps)))

    def _steps(self, sc: Scenario, generated: dict[str, Any] | None,
               ) -> Iterator[tuple[StepResult, StepEvidence | None]]:
        """Run the scenario's steps in order. After a step that could not run (an environment
        error, a fault that cannot be injected), the rest are 'not evaluated'."""
        state = ScenarioState(variables={**sc.fixtures, **sc.variables,
                                         "today": dt.date.today().isoformat(),
                                         "seed": self.config.seed})
        if generated is not None:
            state.variables["generated"] = generated
        blocked: Message | None = None
        failed: Message | None = None  # the last step with a failed check: what a missing capture comes from
        try:
            for step in sc.steps:
                if blocked is not None:
                    yield self._not_evaluated(step, blocked), None
                    continue
                result, evidence, blocks = self._step(sc, step, state, failed)
                blocked = blocks
                if any(c.status is Status.FAIL for c in result.checks):
                    failed = RUNNER("step_failed", step=step.index + 1, kind=step.kind)
                yield result, evidence
        finally:
            if self.config.control is not None and any(s.kind == "teleservice" for s in sc.steps):
                # a failure here shows up in the next scenario's journal access
                with contextlib.suppress(TeleserviceUnavailable):
                    self.config.control.fault({"fault": "clear"})

    def _generated(self, sc: Scenario, about: dict[str, Any], t0: float) -> ScenarioFinished:
        """Run the scenario on generated prescriptions; report the smallest failing one."""
        caps = about.get("capacites") if isinstance(about.get("capacites"), dict) else {}
        declared = caps.get("typesLignes") if isinstance(caps, dict) else None
        found = explore(lambda body: tuple(r for r, _ in self._steps(sc, body)), sc.generate,
                        self.config.seed,
                        declared if isinstance(declared, list) else None, self.config.shrink,
                        self.config.profile.value("line_types"))
        if found.failed:
            reason = RUNNER("falsified", runs=found.runs)
        else:
            reason = RUNNER("all_passed", runs=found.runs, seed=self.config.seed)
        status = scenario_status(found.steps)
        return ScenarioFinished(ScenarioResult(
            id=sc.id, title=sc.title, file=sc.file, status=status,
            duration=time.perf_counter() - t0, requirements=sc.requirements, tags=sc.tags,
            steps=found.steps, reason=reason,
            generated=GeneratedRun(examples=found.runs, seed=self.config.seed,
                                   falsifying=found.body if found.failed else None)))

    def _not_evaluated(self, step: Step, reason: str, status: Status = Status.SKIP) -> StepResult:
        """A step that did not run: each check it would have run is 'not evaluated'."""
        checks = tuple(unevaluated(exp.name, step.kind, str(exp.pos), reason)
                       for exp in step_checks(step))
        return _step_result(step, status, 0.0, checks=checks, message=reason)

    def _step(self, sc: Scenario, step: Step, state: ScenarioState, failed: Message | None,
              ) -> tuple[StepResult, StepEvidence | None, Message | None]:
        """The step, its evidence, and why the scenario's later steps cannot run (if so)."""
        t0 = time.perf_counter()
        number, kind = step.index + 1, step.kind
        try:
            data = run_step(step, sc, state, self.config.target, self.config.control)
        except MissingVariable as exc:
            reason = (RUNNER("missing_var_because", name=str(exc), cause=failed) if failed
                      else RUNNER("missing_var", name=str(exc)))
            return self._not_evaluated(step, reason), None, None
        except NotApplicable as exc:
            what = exc.args[0] if exc.args else str(exc)
            return (self._not_evaluated(step, RUNNER("needs", what=what)), None,
                    RUNNER("blocked_because", step=number, kind=kind, what=what))
        except TeleserviceUnavailable as exc:
            return (self._not_evaluated(step, RUNNER("environment", error=str(exc)), Status.ERROR),
                    None, RUNNER("blocked", step=number, kind=kind))
        except Exception as exc:  # a bug of ours is this step's error; the run goes on
            reason = RUNNER("harness_error", step=number, kind=kind, error=f"{type(exc).__name__}: {exc}")
            return (self._not_evaluated(step, reason, Status.ERROR), None,
                    RUNNER("blocked", step=number, kind=kind))
        self._save(step, data, state)
        checks = run_checks(step_checks(step), data, state, self.env, number)
        if step.kind == StepKind.CREATE:
            self._remember(data, state)
        status = Status.worst((c.status for c in checks if c.status is not Status.SKIP),
                              default=Status.PASS)
        result = _step_result(step, status, time.perf_counter() - t0, checks=checks,
                              http=tuple(e.summary(REPORT_BODY_LIMIT) for e in data.exchanges))
        blocks = RUNNER("blocked", step=number, kind=kind) if status is Status.ERROR else None
        return result, self._evidence(data) if self.config.evidence else None, blocks

    def _evidence(self, data: StepData) -> StepEvidence:
        """The step's exchanges, analysed paper and teleservice journal entries."""
        journal = data.journal_entries  # already read by a check, most of the time
        control = self.config.control
        if journal is None and control is not None and data.journal_since is not None:
            with contextlib.suppress(TeleserviceUnavailable):
                journal = control.journal(data.journal_since)
        copy = data.cda_record.pdf if data.cda_record is not None else None
        return StepEvidence(tuple(data.exchanges), tuple(data.paper_pages or ()), tuple(journal or ()),
                            data.sent, copy or b"")

    @staticmethod
    def _save(step: Step, data: StepData, state: ScenarioState) -> None:
        if not step.save or not data.exchanges:
            return
        try:
            document = data.exchanges[0].json()
        except ValueError:
            return
        for name, path in step.save:
            value = capture(document, path)
            if value is not None:
                state.variables[name] = value
            else:
                state.variables.pop(name, None)


def _step_result(step: Step, status: Status, duration: float, *, checks: tuple[CheckResult, ...] = (),
                 message: str = "", http: tuple[dict[str, Any], ...] = ()) -> StepResult:
    return StepResult(index=step.index, kind=step.kind, title=step.title, status=status,
                      duration=duration, checks=checks, message=message, http=http,
                      location=str(step.pos))
