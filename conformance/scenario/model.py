"""Scenario model: frozen dataclasses built by the loader, read by the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.scenario.errors import Pos
from conformance.vocabulary import StepKind

STEP_KINDS = tuple(kind.value for kind in StepKind if kind.in_scenarios)  # what a scenario may write


@dataclass(frozen=True)
class Expectation:
    """A check named in a step's ``expect`` list, with its optional argument."""

    name: str
    arg: Any
    pos: Pos


@dataclass(frozen=True)
class Step:
    """One step: an action with its parameters, captures and expectations."""

    index: int
    kind: str
    params: Any
    pos: Pos
    title: str = ""
    save: tuple[tuple[str, str], ...] = ()
    expect: tuple[Expectation, ...] | None = None


@dataclass(frozen=True)
class Scenario:
    """A scenario as loaded from a YAML file."""

    id: str
    title: str
    file: str
    pos: Pos
    steps: tuple[Step, ...]
    requirements: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    isolated: bool = False
    generate: int = 0  # > 0: run on that many generated prescriptions
    given: tuple[tuple[str, str], ...] = ()
    fixtures: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    variables: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def merge_override(fixture: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A step's ``patient:``/``prescripteur:`` mapping over the scenario's fixture: the fields
    it names replace the fixture's, a field set to null is removed, the rest is kept."""
    merged = {**fixture, **override}
    return {k: v for k, v in merged.items() if v is not None}


def create_body(params: dict[str, Any], fixtures: dict[str, Any], generated: Any = None) -> dict[str, Any]:
    """The body a ``create`` step sends, built here only (``validate`` checks this very body
    against the contract; ``run`` sends it): the step's keys over the generated prescription
    (if any), the fixtures for what is missing; a ``patient:``/``prescripteur:`` mapping
    overrides the fixture field by field."""
    body = dict(generated) if isinstance(generated, dict) else {}
    base = {"prescripteur": body.get("prescripteur", fixtures.get("prescriber")),
            "patient": body.get("patient", fixtures.get("patient"))}
    body.update({k: v for k, v in params.items() if k not in ("repeat", "raw")})
    for key, fallback in base.items():
        if isinstance(body.get(key), dict) and isinstance(fallback, dict) and key in params:
            body[key] = merge_override(fallback, body[key])
        elif key not in body and fallback is not None:
            body[key] = fallback
    return body
