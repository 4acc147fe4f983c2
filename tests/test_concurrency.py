"""--jobs: concurrency never changes a verdict, and reports keep the suite's order."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.embedded import EmbeddedWorld
from conformance.engine.results import RunResult
from conformance.engine.runner import isolated, segments
from conformance.scenario import Scenario
from tests.helpers import run_suite


def _verdicts(result: RunResult) -> list[tuple[str, int, str, str]]:
    return [(sc.id, st.index, c.check, c.status) for sc in result.scenarios for st in sc.steps
            for c in st.checks]


@pytest.mark.slow
def test_jobs_1_and_4_give_the_same_verdicts_in_the_same_order(suite: list[Scenario]) -> None:
    runs = []
    for jobs in (1, 4):
        with EmbeddedWorld() as world:
            runs.append(run_suite(world, suite, jobs=jobs))
    reference = _verdicts(runs[0])
    expected = [sc.id for sc in suite] + ["JOURNAL"]
    assert [sc.id for sc in runs[0].scenarios] == expected
    for result in runs[1:]:
        assert [sc.id for sc in result.scenarios] == expected
        assert _verdicts(result) == reference
        assert result.conforme


@pytest.mark.slow
def test_fault_detection_is_the_same_with_jobs(suite: list[Scenario]) -> None:
    with EmbeddedWorld(("consult-drops-line",)) as world:
        alone = run_suite(world, suite, jobs=1)
    with EmbeddedWorld(("consult-drops-line",)) as world:
        together = run_suite(world, suite, jobs=4)
    assert _verdicts(alone) == _verdicts(together)


def test_isolated_scenarios_run_alone(suite: list[Scenario]) -> None:
    by_id = {sc.id: sc for sc in suite}
    for name in ("DEG-INDISPONIBLE", "RT-INVALID-NOM", "RT-RESOUMISSION", "GEN-ALLER-RETOUR"):
        assert isolated(by_id[name]), name
    assert not isolated(by_id["RT-MED-001"])
    for segment in segments(suite):
        assert len(segment) == 1 or not any(isolated(sc) for sc in segment)
    assert [sc.id for seg in segments(suite) for sc in seg] == [sc.id for sc in suite]


def test_a_second_run_on_a_busy_simulator_is_refused_clearly(tmp_path: Path) -> None:
    import httpx

    from conformance.application import ApplicationError, Selection, Settings, run_session
    from conformance.vocabulary import ExitCode

    with EmbeddedWorld() as world:
        settings = Settings(target=world.target_url, teleservice=world.teleservice_url, handlers=(),
                            selection=Selection(only=("RT-MED-001",)))
        other = httpx.post(f"{world.teleservice_url}/lease", json={"holder": "another-run"})
        assert other.status_code == 200
        with pytest.raises(ApplicationError) as refused:
            run_session(settings)
        assert refused.value.code is ExitCode.UNREACHABLE
        assert "busy" in refused.value.message and "another-run" in refused.value.message
        httpx.request("DELETE", f"{world.teleservice_url}/lease", json={"holder": "another-run"})
        assert run_session(settings).result.verdict == "conforme"
        # the run released the simulator when it ended: the next one takes it at once
        assert httpx.post(f"{world.teleservice_url}/lease", json={"holder": "next"}).status_code == 200


class _Marker:
    """Stands for a scenario's events (its papers and pictures): alive while someone holds them."""


def test_concurrent_scenarios_run_a_bounded_way_ahead_and_are_not_kept() -> None:
    """A long segment at --jobs 4 with slow handlers: the workers never run more than
    AHEAD × jobs scenarios ahead of what was handed on, and a scenario's events are dropped
    once handed on (all were kept to the segment's end: a run's memory grew with its size)."""
    import gc
    import threading
    import weakref

    import httpx

    from conformance.application.session import load_profile
    from conformance.engine.events import ScenarioFinished
    from conformance.engine.results import ScenarioResult
    from conformance.engine.runner import AHEAD, RunConfig, Runner
    from conformance.scenario.errors import Pos
    from conformance.targets import HttpTarget
    from conformance.vocabulary import Status

    jobs, count = 4, 60
    scenarios = [Scenario(id=f"S{n}", title="", file="", pos=Pos("", 1, 1), steps=())
                 for n in range(count)]
    started: list[str] = []
    markers: dict[str, weakref.ref[_Marker]] = {}
    lock = threading.Lock()

    class Recording(Runner):
        def _collect(self, sc: Scenario, about: dict[str, object]) -> list[object]:  # type: ignore[override]
            marker = _Marker()
            with lock:
                started.append(sc.id)
                markers[sc.id] = weakref.ref(marker)
            result = ScenarioResult(id=sc.id, title="", file="", status=Status.PASS, duration=0.0)
            return [marker, ScenarioFinished(result)]

    target = HttpTarget("http://adapter.test", transport=httpx.MockTransport(lambda r: httpx.Response(404)))
    runner = Recording(RunConfig(target=target, control=None, profile=load_profile("public-2025"),
                                 jobs=jobs), scenarios)
    handed: list[str] = []
    try:
        for event in runner._concurrently(scenarios, {}):
            if isinstance(event, ScenarioFinished):
                handed.append(event.result.id)
                threading.Event().wait(0.002)  # a slow handler: the workers would run far ahead
                with lock:
                    ahead = len(started) - len(handed)
                assert ahead <= AHEAD * jobs, (len(started), len(handed))
                gc.collect()
                alive = [i for i in handed[:-1] if markers[i]() is not None]
                assert not alive, f"events of {alive[:3]}… kept after they were handed on"
    finally:
        target.close()
    assert handed == [sc.id for sc in scenarios]
