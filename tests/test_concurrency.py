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
