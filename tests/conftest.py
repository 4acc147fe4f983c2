"""Shared fixtures: real servers on 127.0.0.1, bundled suite loading."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.checks import REGISTRY
from conformance.embedded import EmbeddedWorld
from conformance.paths import BUNDLED_FIXTURES, BUNDLED_SCENARIOS
from conformance.scenario import Fixtures, Scenario, load_suite


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, so that none is left to run alone at the end (``make test``
    runs files on two workers, ``--dist loadfile``, in this order: ``--no-loadscope-reorder``,
    as xdist would otherwise order files by their number of tests, the few slow ones last):
    the self-test matrix (the longest by far), then the files of slow tests (the most first),
    then the others as collected."""
    slow: dict[str, int] = {}
    for item in items:
        slow.setdefault(_file(item), 0)
        slow[_file(item)] += item.get_closest_marker("slow") is not None
    order = {name: rank for rank, name in enumerate(dict.fromkeys(_file(item) for item in items))}
    items.sort(key=lambda item: (_file(item) != "tests/test_reference.py", -slow[_file(item)],
                                 order[_file(item)]))


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


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
