"""A loaded suite is kept packed (issue 27): the same scenarios, a fraction of the memory."""

from __future__ import annotations

import pickle

import pytest

from conformance.application import Selection, Settings, load_scenarios
from conformance.engine.runner import segments
from conformance.scenario import PackedScenarios, Scenario


def test_a_packed_suite_reads_back_the_same_scenarios_in_order(suite: list[Scenario]) -> None:
    packed = load_scenarios(Selection())
    assert isinstance(packed, PackedScenarios)
    assert len(packed) == len(suite)
    assert list(packed) == suite  # frozen dataclasses: equal field by field
    assert [sc.fixtures for sc in packed] == [sc.fixtures for sc in suite]
    assert packed[3] == suite[3] and packed[-1] == suite[-1]
    assert list(packed[2:5]) == suite[2:5] and isinstance(packed[2:5], PackedScenarios)


def test_a_packed_suite_costs_a_fraction_of_the_loaded_one(suite: list[Scenario]) -> None:
    packed = PackedScenarios(suite)
    held = sum(len(blob) for blob in packed._blobs)
    loaded = sum(len(pickle.dumps(sc)) for sc in suite)  # a lower bound of the objects' size
    assert held < loaded / 1.3, (held, loaded)


def test_segments_of_a_packed_suite_stay_packed(suite: list[Scenario]) -> None:
    packed = PackedScenarios(suite)
    cut = segments(packed)
    assert all(isinstance(segment, PackedScenarios) for segment in cut)
    assert [sc.id for segment in cut for sc in segment] == [sc.id for sc in suite]
    assert [[sc.id for sc in s] for s in cut] == [[sc.id for sc in s] for s in segments(suite)]


def test_a_selection_is_packed_too() -> None:
    chosen = load_scenarios(Selection(keywords=("RT-MED",)))
    assert isinstance(chosen, PackedScenarios) and len(chosen) >= 1
    assert all("rt-med" in f"{sc.id} {sc.title}".lower() for sc in chosen)


def test_a_selection_knows_the_size_of_the_suite_it_was_chosen_from(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The partial headline's "N scénarios sur M": M counted while selecting, not by loading
    the whole suite a second time (≈ 15 s for a suite copied a hundred times)."""
    from conformance.application import session

    whole = len(load_scenarios(Selection()))
    chosen = load_scenarios(Selection(keywords=("RT-MED or RT-ALD",)))
    sharded = load_scenarios(Selection(keywords=("RT-MED or RT-ALD",), shard=(1, 2)))
    assert chosen.whole == sharded.whole == whole > len(chosen) > len(sharded)
    loads: list[Selection] = []
    monkeypatch.setattr(session, "load_scenarios", lambda sel, **kw: loads.append(sel))
    settings = Settings(selection=Selection(keywords=("RT-MED or RT-ALD",)))
    assert session._suite_size(settings, chosen) == (whole, "-k RT-MED or RT-ALD") and not loads
