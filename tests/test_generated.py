"""Generated scenarios: valid bodies, deterministic under --seed, failures shrunk for real."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from conformance.embedded import EmbeddedWorld
from conformance.engine.exploration import explore
from conformance.engine.results import StepResult
from conformance.identifiers import validate
from conformance.reference.validation import validate_create
from conformance.scenario import Scenario
from conformance.vocabulary import Status
from tests.helpers import identifiers_in, run_suite

pytestmark = pytest.mark.slow


def _record(seed: int, examples: int = 60) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def run(body: dict[str, Any]) -> tuple[StepResult, ...]:
        seen.append(body)
        return (StepResult(index=0, kind="create", title="", status=Status.PASS, duration=0.0),)

    explore(run, examples, seed, None)
    return seen


def test_generated_bodies_are_valid_prescriptions() -> None:
    bodies = _record(seed=5, examples=200)
    assert len(bodies) == 200
    for body in bodies:
        validate_create(body)  # raises on any rule the reference enforces
        bad = [(w, v) for w, k, v in identifiers_in(body) if not validate(k, v).valid]
        assert not bad
    kinds = {line["type"] for b in bodies for line in b["lignes"]}
    assert len(kinds) == 8, kinds  # every line type is drawn
    lengths = sorted(len(b["patient"]["nomFamille"]) for b in bodies)
    assert lengths[-1] == 100, lengths[-10:]  # the EF_EP04.01 limit is reached
    letters = {ch for b in bodies for ch in b["patient"]["nomFamille"] + b["patient"]["prenom"]}
    assert {"Œ", "'", "-"} <= letters, sorted(letters)


def test_same_seed_same_prescriptions_other_seed_others() -> None:
    assert _record(seed=3) == _record(seed=3)
    assert _record(seed=3) != _record(seed=4)


def test_a_failure_is_shrunk_to_a_small_prescription(suite: list[Scenario]) -> None:
    generated = next(sc for sc in suite if sc.generate)
    scenario = dataclasses.replace(generated, generate=30)
    with EmbeddedWorld(("line-type-dropped",)) as world:
        result = run_suite(world, [scenario])
    sc = result.scenarios[0]
    assert sc.status == "fail" and sc.generated is not None
    body = sc.generated.falsifying
    assert body is not None and "falsified" in sc.reason
    assert "actePedicurie" in [line["type"] for line in body["lignes"]]
    assert len(body["lignes"]) <= 2  # shrunk from up to 5 lines
    assert len(body["patient"]["nomFamille"]) <= 3  # and from names up to 100 characters
    failed = {c.requirement for st in sc.steps for c in st.checks if c.status == "fail"}
    assert "RT-07" in failed
