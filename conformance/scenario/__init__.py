"""Scenario language: line-aware loader, JSON Schema, model, fixtures."""

from __future__ import annotations

from conformance.scenario.errors import Pos, ScenarioError, ScenarioErrors
from conformance.scenario.fixtures import Fixtures
from conformance.scenario.loader import iter_suite, load_file, load_suite, scenario_files
from conformance.scenario.model import Expectation, Scenario, Step, merge_override
from conformance.scenario.packed import PackedScenarios

__all__ = [
    "Expectation",
    "Fixtures",
    "PackedScenarios",
    "Pos",
    "Scenario",
    "ScenarioError",
    "ScenarioErrors",
    "Step",
    "iter_suite",
    "load_file",
    "load_suite",
    "merge_override",
    "scenario_files",
]
