"""Shared fixtures: real servers on 127.0.0.1, bundled suite loading."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.checks import REGISTRY
from conformance.embedded import EmbeddedWorld
from conformance.paths import BUNDLED_FIXTURES, BUNDLED_SCENARIOS
from conformance.scenario import Fixtures, Scenario, load_suite


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
