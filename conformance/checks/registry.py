"""The check registry: one signature, typed outcomes, metadata per requirement."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.checks.context import CheckContext


class Failed(Exception):
    """The target broke the requirement."""

    def __init__(self, message: str, expected: Any = None, observed: Any = None,
                 diff: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message, self.expected, self.observed, self.diff = message, expected, observed, diff


class Warned(Failed):
    """Something worth reporting that does not break the requirement."""


class ExchangeFailed(Failed):
    """The step's exchange itself failed (no response, wrong status, not JSON): one root cause
    that every check of the step would otherwise report again."""


class Skipped(Exception):
    """The check does not apply here (not applicable); the reason is reported."""


class NotEvaluated(Skipped):
    """The situation arises but the check cannot judge it (no journal, an earlier failure):
    the requirement stays unverified."""


def requirement_severity(requirement: str) -> str | None:
    """The highest severity among the checks of ``requirement`` (None when it has none)."""
    order = ("blocking", "major", "minor", "info")
    found = [spec.severity for spec in REGISTRY.values() if spec.requirement == requirement]
    return min(found, key=order.index) if found else None


CheckFn = Callable[["CheckContext"], str]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check."""

    name: str
    requirement: str
    severity: str
    title: str
    steps: tuple[str, ...]
    hint: str
    fn: CheckFn
    exclusive: bool = False  # reads every teleservice call of its step: no concurrent scenario

REGISTRY: dict[str, CheckSpec] = {}
DEFAULTS: dict[str, tuple[str, ...]] = {}


def check(name: str, requirement: str, severity: str, title: str, steps: tuple[str, ...],
          hint: str = "", exclusive: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as check ``name`` for ``requirement``, usable on ``steps`` kinds.
    ``exclusive``: it reads the whole journal window of its step, so its scenario never runs
    beside another one."""

    def register(fn: CheckFn) -> CheckFn:
        if name in REGISTRY:
            raise ValueError(f"check {name} registered twice")
        REGISTRY[name] = CheckSpec(name, requirement, severity, title, steps, hint, fn, exclusive)
        return fn

    return register


def defaults(step_kind: str, names: tuple[str, ...]) -> None:
    """Declare the checks a step of ``step_kind`` runs when it has no ``expect``."""
    DEFAULTS[step_kind] = names
