"""Shared fixtures: real servers on 127.0.0.1, bundled suite loading."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.checks import REGISTRY
from conformance.embedded import EmbeddedWorld
from conformance.paths import BUNDLED_FIXTURES, BUNDLED_SCENARIOS
from conformance.scenario import Fixtures, Scenario, load_suite


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The self-test matrix (the longest file by far) first: with ``--dist loadfile`` it then
    runs on one worker from the start while the other takes every other file, instead of
    starting last and running alone."""
    items.sort(key=lambda item: item.nodeid.split("::")[0] != "tests/test_reference.py")


@pytest.fixture(scope="session")
def world() -> Iterator[EmbeddedWorld]:
    """The clean reference and its simulator, shared by read-mostly tests."""
    with EmbeddedWorld() as w:
        yield w


@pytest.fixture(scope="session")
def suite() -> list[Scenario]:
    """The bundled scenarios."""
    return load_suite([BUNDLED_SCENARIOS], Fixtures(BUNDLED_FIXTURES), REGISTRY)


@pytest.fixture(scope="session")
def fixtures() -> Fixtures:
    """The bundled fixtures."""
    return Fixtures(BUNDLED_FIXTURES)
