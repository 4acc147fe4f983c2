"""Results of a run: frozen, keyword-only records built by the engine, read by handlers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

from conformance.messages import Messages, Text
from conformance.vocabulary import Operation, Severity, SkipKind, Status, Verdict

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, slots=True)
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
    skip: SkipKind | None = None  # with status skip: not applicable, or not evaluated
    baselined: str = ""  # a known anomaly: the baseline entry's reason (it does not count)
    cause: str = ""  # not evaluated as a consequence: the failed check that is the root cause
    notice: bool = False  # not applicable by the run's set-up: its reason qualifies the verdict

    @property
    def unverified(self) -> bool:
        """The check could not judge its requirement: an error, or a skip 'not evaluated'."""
        return self.status is Status.ERROR or self.skip is SkipKind.NOT_EVALUATED

    def is_anomaly(self, fail_on: str) -> bool:
        """A failure at or above the ``fail_on`` severity, not a known one (baseline)."""
        return self.status is Status.FAIL and self.severity.at_least(fail_on) and not self.baselined


@dataclass(frozen=True, kw_only=True, slots=True)
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


@dataclass(frozen=True, kw_only=True, slots=True)
class GeneratedRun:
    """A generated scenario's exploration: how many prescriptions, and the smallest failing one."""

    examples: int
    seed: int
    falsifying: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
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
    trimmed: bool = False  # it ran; its steps keep only what the verdict needs (see ``trim``)

    @property
    def ran(self) -> bool:
        """Its steps ran (not 'not applicable' as a whole, a capability the target lacks)."""
        return bool(self.steps) or self.trimmed


@dataclass(frozen=True, kw_only=True)
class Unverified:
    """A requirement the run could not prove (DESIGN §5), with why and where."""

    requirement: str
    severity: Severity
    reason: str
    scenarios: tuple[str, ...]
    accepted: bool = False


@dataclass(frozen=True, kw_only=True)
class BaselineOutcome:
    """What a baseline file did to a run."""

    file: str
    known: int = 0  # anomalies matched by an unexpired entry (they do not count)
    expired: tuple[str, ...] = ()  # entries past their date that matched: those count, saying so
    stale: tuple[str, ...] = ()  # entries that matched nothing: to remove from the file


@dataclass(frozen=True, kw_only=True)
class Scope:
    """A partial selection of the suite (-k, --tag, --shard, ids): its verdict is not the suite's."""

    filter: str  # how it was chosen, as the user wrote it ("-k RT-MED or ALD")
    scenarios: int  # scenarios run (the whole-journal reconciliation included, as counted)
    total: int  # scenarios of the whole suite, counted the same way


_JUDGED = (Status.PASS, Status.FAIL, Status.WARN)


@dataclass(frozen=True, kw_only=True)
class Tally:
    """What a run counted of the checks it did not keep: bounded by the catalogue and the
    vocabulary, not by the number of checks."""

    checks: tuple[tuple[Status, int], ...] = ()  # every check of the run, per status
    passed: tuple[tuple[Operation, int], ...] = ()  # passed checks per operation
    judged: frozenset[str] = frozenset()  # requirements some check passed, failed or warned on


class Tallying:
    """Counts each finished scenario's checks, then trims it (``trim``): a run's memory stays
    the same whatever its size, its reports being written as it goes."""

    SHARED = 4096  # distinct texts and tuples remembered to share (bounded: cleared when full)

    def __init__(self) -> None:
        self.checks: dict[Status, int] = {}
        self.passed: dict[Operation, int] = {}
        self.judged: set[str] = set()
        self._shared: dict[Any, Any] = {}

    def add(self, scenario: ScenarioResult) -> ScenarioResult:
        """Count ``scenario``'s checks; the scenario trimmed."""
        for st in scenario.steps:
            for c in st.checks:
                self.checks[c.status] = self.checks.get(c.status, 0) + 1
                if c.status is Status.PASS:
                    self.passed[c.operation] = self.passed.get(c.operation, 0) + 1
                if c.status in _JUDGED:
                    self.judged.add(c.requirement)
        kept = trim(scenario)
        # what repeats from scenario to scenario (a suite copied per configuration, a file of
        # several scenarios) kept once: a long run keeps one small record per scenario
        return dataclasses.replace(kept, title=self._share(kept.title), file=self._share(kept.file),
                                   requirements=self._share(kept.requirements),
                                   tags=self._share(kept.tags))

    def _share(self, value: T) -> T:
        """An equal value kept before, or ``value`` from now on (plain texts and tuples only: a
        message is not the text it renders to)."""
        if type(value) not in (str, tuple):
            return value
        shared: T | None = self._shared.get(value)
        if shared is not None:
            return shared
        if len(self._shared) >= self.SHARED:
            self._shared.clear()
        self._shared[value] = value
        return value

    def freeze(self) -> Tally:
        """The counts so far."""
        return Tally(checks=tuple(self.checks.items()), passed=tuple(self.passed.items()),
                     judged=frozenset(self.judged))


def kept(check: CheckResult) -> bool:
    """A check the run keeps to its end: an anomaly, a warning, an error, a check not evaluated,
    a set-up notice. Passes and plain 'not applicable' are counted, then dropped."""
    if check.status is Status.PASS:
        return False
    return not (check.status is Status.SKIP and check.skip is SkipKind.NOT_APPLICABLE and not check.notice)


def trim(scenario: ScenarioResult) -> ScenarioResult:
    """``scenario`` with its exchanges and the checks it need not keep dropped (its reports are
    already written): the steps left hold a kept check, or erred with no check to carry it."""
    if not scenario.steps:
        return scenario
    steps = []
    for st in scenario.steps:
        checks = tuple(c for c in st.checks if kept(c))
        if checks or (st.status is Status.ERROR and not st.checks):
            steps.append(dataclasses.replace(st, checks=checks, http=()))
    return dataclasses.replace(scenario, steps=tuple(steps), trimmed=True)


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
    accepted: tuple[str, ...] = ()  # --accept-unverified: requirement ids, or "all"
    lang: str = "en"  # the language of its texts (the engine's is English; reports localise)
    baseline: BaselineOutcome | None = None  # --baseline: what it matched, expired, no longer saw
    suite_hash: str = ""  # SHA-256 of the scenario and fixture files (the manifest's too)
    signer: str = ""  # the fingerprint of the key that signs the bundle's manifest, if any
    partial: Scope | None = None  # a selection of the suite, not the whole: every headline says so
    fuzz_only_faults: tuple[str, ...] = ()  # reference faults on that only --fuzz can find, not fuzzed
    tally: Tally | None = None  # the counts of a run whose scenarios were trimmed as they finished

    def checks(self) -> list[tuple[ScenarioResult, StepResult, CheckResult]]:
        """Every check result with its scenario and step."""
        return [(sc, st, c) for sc in self.scenarios for st in sc.steps for c in st.checks]

    def known(self) -> list[tuple[ScenarioResult, StepResult, CheckResult]]:
        """Failed checks a baseline entry accepts (shown, not counted)."""
        return [t for t in self.checks() if t[2].status is Status.FAIL and t[2].baselined]

    def anomalies(self) -> list[tuple[ScenarioResult, StepResult, CheckResult]]:
        """Failed checks at or above the ``fail_on`` severity."""
        return [t for t in self.checks() if t[2].is_anomaly(self.fail_on)]

    def unverified(self) -> tuple[Unverified, ...]:
        """What the run could not prove: checks in error (any severity), blocking or major
        checks not evaluated, blocking or major requirements declared by a scenario that ran
        and evaluated nowhere, or no check evaluated at all."""
        return _unverified(self)

    def notices(self) -> tuple[str, ...]:
        """The distinct reasons, in the run's set-up, that made checks not applicable (a kit
        not supplied): said beside the verdict."""
        return tuple(dict.fromkeys(c.message for _, _, c in self.checks()
                                   if c.notice and c.skip is SkipKind.NOT_APPLICABLE))

    @property
    def verdict(self) -> Verdict:
        """interrompu > non-conforme > incomplet > conforme."""
        if self.interrupted:
            return Verdict.INTERROMPU
        if self.anomalies():
            return Verdict.NON_CONFORME
        if any(not u.accepted for u in self.unverified()):
            return Verdict.INCOMPLET
        return Verdict.CONFORME

    @property
    def conforme(self) -> bool:
        """The verdict is conforme."""
        return self.verdict is Verdict.CONFORME


def scenario_status(steps: tuple[StepResult, ...]) -> Status:
    """Worst status among steps and checks."""
    return Status.worst([s.status for s in steps] + [c.status for s in steps for c in s.checks])



VERDICT = Messages("results", {
    "never_evaluated": Text("déclarée par le scénario, jamais évaluée",
                            "declared by the scenario, never evaluated"),
    "nothing_evaluated": Text("aucune vérification n'a été évaluée", "no check was evaluated"),
})


def _unverified(result: RunResult) -> tuple[Unverified, ...]:
    from conformance.checks import requirement_severity

    found: dict[str, tuple[Severity, str, list[str]]] = {}
    unknown: set[str] = set()  # requirements unverified for a reason no baseline entry accepts

    def add(requirement: str, severity: Severity, reason: str, scenario: str, known: bool = False) -> None:
        where = found.setdefault(requirement, (severity, reason, []))[2]
        if scenario not in where:
            where.append(scenario)
        if not known:
            unknown.add(requirement)

    judged = set(result.tally.judged) if result.tally is not None else \
        {c.requirement for _, _, c in result.checks() if c.status in _JUDGED}
    # the consequences of a known anomaly are accepted with it (the baseline entry's reason):
    # listed, and accepted, like an --accept-unverified
    known = {(sc.id, f"{c.check}@{st.index + 1}") for sc, st, c in result.known()}
    for sc, _, c in result.checks():
        if c.status is Status.ERROR or (c.skip is SkipKind.NOT_EVALUATED
                                        and c.severity.at_least(Severity.MAJOR)):
            add(c.requirement, c.severity, c.message, sc.id, known=(sc.id, c.cause) in known)
    for sc in result.scenarios:
        for st in sc.steps:  # a step that erred with no check to carry it (the fuzzer's engine)
            if st.status is Status.ERROR and not st.checks:
                for requirement in sc.requirements or ("*",):
                    add(requirement, Severity.BLOCKING if requirement == "*" else
                        requirement_severity(requirement) or Severity.MAJOR, st.message, sc.id)
        if not sc.ran:  # not applicable as a whole (a capability the target does not declare)
            continue
        for requirement in sc.requirements:
            severity = requirement_severity(requirement)
            if requirement not in judged and severity and severity.at_least(Severity.MAJOR):
                add(requirement, severity, VERDICT("never_evaluated").render(result.lang), sc.id)
    if not judged and not result.interrupted:
        add("*", Severity.BLOCKING, VERDICT("nothing_evaluated").render(result.lang), "")
    accept_all = "all" in result.accepted
    return tuple(Unverified(requirement=req, severity=sev, reason=reason, scenarios=tuple(w),
                            accepted=accept_all or req in result.accepted or req not in unknown)
                 for req, (sev, reason, w) in sorted(found.items()))
