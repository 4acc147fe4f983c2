"""The one way to run checks, for the runner and for ``inspect`` alike: a step's checks in the
order their facts need, consequences reported once under their cause."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from conformance.checks import (
    REGISTRY,
    CheckContext,
    CheckSpec,
    ExchangeFailed,
    Fact,
    Failed,
    NotEvaluated,
    ScenarioState,
    Skipped,
    StepData,
    Warned,
    defaults,
)
from conformance.engine.results import CheckResult
from conformance.messages import Message, Messages, Text
from conformance.paper import PaperReader
from conformance.profiles import Profile
from conformance.scenario import Expectation, Step
from conformance.targets.teleservice import TeleserviceUnavailable
from conformance.vocabulary import SkipKind, Status

ENGINE = Messages("checking", {
    "same_cause": Text("non évalué : {message} ({cause} le signale)",
                       "not evaluated: {message} ({cause} reports it)"),
    "consequence": Text("non évalué : conséquence de {cause}", "not evaluated: a consequence of {cause}"),
    "wrong_kind": Text("la vérification {check} ne s'applique pas à une étape {kind}",
                       "check {check} does not apply to a {kind} step"),
    "environment": Text("environnement : {error}", "environment: {error}"),
    "harness_error": Text("erreur du banc dans {check} : {error}", "harness error in {check}: {error}"),
    "cause": Text("{requirement} {check} en échec à l'étape {step}",
                  "{requirement} {check} failed at step {step}"),
})


class Asked(Protocol):
    """A check asked for: by a step (an ``Expectation``) or by the run (a run-wide check)."""

    @property
    def name(self) -> str: ...
    @property
    def arg(self) -> Any: ...
    @property
    def pos(self) -> object: ...


@dataclass(frozen=True)
class Everywhere:
    """A check asked for by no scenario line: a run-wide check, or ``inspect``'s."""

    name: str
    pos: str = "JOURNAL"  # a place in no scenario file: the run-wide checks' scenario
    arg: Any = None


@dataclass(frozen=True)
class CheckEnvironment:
    """What every check of a run shares: the profile, the journal, the paper analyser."""

    profile: Profile
    journal: Callable[[int], list[dict[str, Any]]] | None = None
    reader: PaperReader | None = None


def step_checks(step: Step) -> tuple[Expectation, ...]:
    """What a step runs, computed here only: its ``expect`` list or its kind's defaults, then
    its gates (which run first, but are reported after what the step asked for; none when the
    step asks for no check)."""
    gates = tuple(Expectation(name, None, step.pos) for name, spec in REGISTRY.items()
                  if spec.gate and step.kind in spec.steps)
    if step.expect is not None:
        chosen = tuple(e for e in step.expect if not REGISTRY[e.name].gate)
    else:
        chosen = tuple(Expectation(name, None, step.pos) for name in defaults(step.kind)
                       if not REGISTRY[name].gate)
    return chosen + gates if chosen else ()  # nothing reads the answers: nothing to validate


def _result(spec: CheckSpec, data: StepData, location: str, status: Status, message: str,
            outcome: Failed | None = None, skip: SkipKind | None = None, cause: str = "") -> CheckResult:
    return CheckResult(
        check=spec.name, requirement=spec.requirement, title=spec.title_message,
        severity=spec.severity, operation=spec.operation_of(data.kind), status=status,
        message=message, expected=outcome.expected if outcome else None,
        observed=outcome.observed if outcome else None, diff=outcome.diff if outcome else (),
        hint=spec.hint_message, location=location, skip=skip, cause=cause, notice=spec.notice)


def unevaluated(name: str, kind: str, location: str, reason: str, cause: str = "") -> CheckResult:
    """Check ``name`` not evaluated on a ``kind`` step, for ``reason``."""
    return _result(REGISTRY[name], StepData(kind, {}, []), location, Status.SKIP, reason,
                   skip=SkipKind.NOT_EVALUATED, cause=cause)


def cause_of(check: str, step_number: int) -> str:
    """A consequence's cause, language-neutral: the failed check and its step ("created@1")."""
    return f"{check}@{step_number}"


def run_check(name: str, arg: Any, location: str, data: StepData, state: ScenarioState,
              env: CheckEnvironment, step_number: int = 0) -> CheckResult:
    """Run check ``name`` on a step's data; a harness exception is ``error``, never ``fail``.

    One root cause, one anomaly: the first check that finds the step's exchange failed (no
    response, wrong status, not JSON, unreadable paper) reports it; the step's later checks
    that hit the same failure are 'not evaluated', naming that check."""
    spec = REGISTRY[name]
    if data.kind not in spec.steps:
        return _result(spec, data, location, Status.ERROR,
                       ENGINE("wrong_kind", check=spec.name, kind=data.kind))
    ctx = CheckContext(data, state, env.profile, arg, env.journal, env.reader, spec)
    try:
        return _result(spec, data, location, Status.PASS, spec.fn(ctx))
    except Warned as w:
        return _result(spec, data, location, Status.WARN, w.message, w)
    except ExchangeFailed as f:
        if data.root_cause is not None:
            cause, named = data.root_cause
            return _result(spec, data, location, Status.SKIP,
                           ENGINE("same_cause", message=f.message, cause=named),
                           skip=SkipKind.NOT_EVALUATED, cause=cause)
        data.root_cause = (cause_of(spec.name, step_number), f"{spec.requirement} {spec.name}")
        return _result(spec, data, location, Status.FAIL, f.message, f)
    except Failed as f:
        return _result(spec, data, location, Status.FAIL, f.message, f)
    except NotEvaluated as s:
        return _result(spec, data, location, Status.SKIP, _text(s), skip=SkipKind.NOT_EVALUATED)
    except Skipped as s:
        return _result(spec, data, location, Status.SKIP, _text(s), skip=SkipKind.NOT_APPLICABLE)
    except TeleserviceUnavailable as exc:
        return _result(spec, data, location, Status.ERROR, ENGINE("environment", error=str(exc)))
    except Exception as exc:  # a harness bug must not pass for the target's anomaly
        return _result(spec, data, location, Status.ERROR,
                       ENGINE("harness_error", check=spec.name, error=f"{type(exc).__name__}: {exc}"))


def _text(exc: Exception) -> str:
    """An exception's message, a ``Message`` kept as such."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, Message) else str(exc)


def run_checks(expectations: Sequence[Asked], data: StepData, state: ScenarioState,
               env: CheckEnvironment, step_number: int = 0) -> tuple[CheckResult, ...]:
    """A step's checks, in the order of ``expectations`` in the result. They run in the order
    their facts need: the checks that establish a fact first. A check that needs a fact a
    failed check denied — in this step or an earlier one of the scenario — is not evaluated,
    naming that check: one root cause, one anomaly."""
    order = sorted(range(len(expectations)),  # stable: the declared order otherwise
                   key=lambda i: (not REGISTRY[expectations[i].name].gate,
                                  not REGISTRY[expectations[i].name].establishes))
    results: dict[int, CheckResult] = {}
    for i in order:
        exp = expectations[i]
        spec = REGISTRY[exp.name]
        location = str(exp.pos)
        # every check reads the step's answers only once a gate found them as the contract says
        needs = spec.needs if spec.gate else (Fact.CONTRACT, *spec.needs)
        cause = next((state.denied.get(f) or data.denied.get(f) for f in needs
                      if f in state.denied or f in data.denied), None)
        if cause is not None:
            key, named = cause
            results[i] = _result(spec, data, location, Status.SKIP, ENGINE("consequence", cause=named),
                                 skip=SkipKind.NOT_EVALUATED, cause=key)
            continue
        result = run_check(exp.name, exp.arg, location, data, state, env, step_number)
        results[i] = result
        for fact in spec.establishes:
            denied = state.denied if fact.scenario_wide else data.denied
            if result.status is Status.FAIL:
                denied[fact] = (cause_of(spec.name, step_number),
                                ENGINE("cause", requirement=spec.requirement, check=spec.name,
                                       step=step_number or "-"))
            elif result.status in (Status.PASS, Status.WARN):
                denied.pop(fact, None)
    return tuple(results[i] for i in range(len(expectations)))
