"""Scenario language: line-aware loader, JSON Schema, model, fixtures."""

from __future__ import annotations

from conformance.scenario.errors import Pos, ScenarioError, ScenarioErrors
from conformance.scenario.fixtures import Fixtures
from conformance.scenario.loader import load_file, load_suite, scenario_files
from conformance.scenario.model import Expectation, Scenario, Step, merge_override

__all__ = [
    "Expectation",
    "Fixtures",
    "Pos",
    "Scenario",
    "ScenarioError",
    "ScenarioErrors",
    "Step",
    "load_file",
    "load_suite",
    "merge_override",
    "scenario_files",
]
