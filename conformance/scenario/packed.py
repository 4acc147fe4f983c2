"""A loaded suite, packed: each scenario kept as a compressed pickle and built again when read.

A loaded scenario is a tree of small objects (steps, expectations, their positions, the
fixtures merged into each create body): about 5 KB each, 20 MB for a suite of 3,800 scenarios,
held from loading to the end of the run. Packed, it costs about 1 KB, and reading one back
(≈ 60 µs) is nothing beside running it. The pickles are ours, made in this process from a
suite already validated: nothing from outside is ever unpickled here."""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from conformance.scenario.model import Scenario


def _pack(scenario: Scenario) -> bytes:
    return zlib.compress(pickle.dumps(scenario, pickle.HIGHEST_PROTOCOL), 1)


def _unpack(blob: bytes) -> Scenario:
    scenario = pickle.loads(zlib.decompress(blob))  # our own bytes: see the module's docstring
    if not isinstance(scenario, Scenario):
        raise TypeError(f"a packed scenario is a {type(scenario).__name__}")
    return scenario


class PackedScenarios(Sequence[Scenario]):
    """Scenarios in suite order, each built again (equal, not the same object) when read; a
    slice shares the packed bytes."""

    def __init__(self, scenarios: Iterable[Scenario] = ()) -> None:
        self._blobs: list[bytes] = [_pack(sc) for sc in scenarios]
        self.whole: int | None = None  # a selection: the size of the suite it was chosen from

    @classmethod
    def _of(cls, blobs: list[bytes]) -> PackedScenarios:
        packed = cls()
        packed._blobs = blobs
        return packed

    def append(self, scenario: Scenario) -> None:
        """Pack ``scenario`` after the others."""
        self._blobs.append(_pack(scenario))

    def __len__(self) -> int:
        return len(self._blobs)

    @overload
    def __getitem__(self, index: int) -> Scenario: ...

    @overload
    def __getitem__(self, index: slice) -> PackedScenarios: ...

    def __getitem__(self, index: int | slice) -> Scenario | PackedScenarios:
        if isinstance(index, slice):
            return PackedScenarios._of(self._blobs[index])
        return _unpack(self._blobs[index])

    def __iter__(self) -> Iterator[Scenario]:
        for blob in self._blobs:
            yield _unpack(blob)

    def __repr__(self) -> str:
        return f"<{len(self)} packed scenarios>"
