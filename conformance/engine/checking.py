"""The one way to run a registered check, for the runner and for ``inspect`` alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.checks import (
    REGISTRY,
    CheckContext,
    ExchangeFailed,
    Failed,
    NotEvaluated,
    ScenarioState,
    Skipped,
    StepData,
    Warned,
)
from conformance.engine.results import CheckResult
from conformance.paper import PaperReader
from conformance.profiles import Profile
from conformance.targets.teleservice import TeleserviceUnavailable
from conformance.vocabulary import Operation, Severity, SkipKind, Status


@dataclass(frozen=True)
class CheckEnvironment:
    """What every check of a run shares: the profile, the journal, the paper analyser."""

    profile: Profile
    journal: Callable[[int], list[dict[str, Any]]] | None = None
    reader: PaperReader | None = None


def run_check(name: str, arg: Any, location: str, data: StepData, state: ScenarioState,
              env: CheckEnvironment) -> CheckResult:
    """Run check ``name`` on a step's data; a harness exception is ``error``, never ``fail``.

    One root cause, one anomaly: the first check that finds the step's exchange failed (no
    response, wrong status, not JSON, unreadable paper) reports it; the step's later checks
    that hit the same failure are 'not evaluated', naming that check."""
    spec = REGISTRY[name]

    def result(status: Status, message: str, outcome: Failed | None = None,
               skip: SkipKind | None = None) -> CheckResult:
        return CheckResult(
            check=spec.name, requirement=spec.requirement, title=spec.title,
            severity=Severity(spec.severity), operation=Operation.of_step(data.kind), status=status,
            message=message, expected=outcome.expected if outcome else None,
            observed=outcome.observed if outcome else None,
            diff=outcome.diff if outcome else (), hint=spec.hint, location=location, skip=skip,
        )

    if data.kind not in spec.steps:
        return result(Status.ERROR, f"check {spec.name} does not apply to a {data.kind} step")
    ctx = CheckContext(data, state, env.profile, arg, env.journal, env.reader)
    try:
        return result(Status.PASS, spec.fn(ctx))
    except Warned as w:
        return result(Status.WARN, w.message, w)
    except ExchangeFailed as f:
        if data.root_cause is not None:
            return result(Status.SKIP, f"not evaluated: {f.message} ({data.root_cause} reports it)",
                          skip=SkipKind.NOT_EVALUATED)
        data.root_cause = f"{spec.requirement} {spec.name}"
        return result(Status.FAIL, f.message, f)
    except Failed as f:
        return result(Status.FAIL, f.message, f)
    except NotEvaluated as s:
        return result(Status.SKIP, str(s), skip=SkipKind.NOT_EVALUATED)
    except Skipped as s:
        return result(Status.SKIP, str(s), skip=SkipKind.NOT_APPLICABLE)
    except TeleserviceUnavailable as exc:
        return result(Status.ERROR, f"environment: {exc}")
    except Exception as exc:  # a harness bug must not pass for the target's anomaly
        return result(Status.ERROR, f"harness error in {spec.name}: {type(exc).__name__}: {exc}")
