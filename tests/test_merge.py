"""``conformance merge`` keeps every check of every shard: each shard's journal reconciliation
(DEG-03) is named by its shard, the counts are the sums, a failure in any shard fails the merge.

The shards here are run folders written the way a run writes them (report.json, manifest.json),
so that the merge's own rules are tested fast; tests/test_shards.py merges real shard runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.application import ApplicationError
from conformance.application.baseline import write as write_baseline
from conformance.application.merge import merge, unsharded
from conformance.engine.results import BaselineOutcome, CheckResult, RunResult, ScenarioResult, StepResult
from conformance.evidence.bundle import write_manifest
from conformance.reporters.jsonreport import write_json
from conformance.vocabulary import Operation, Severity, Status


def _scenario(sc_id: str, status: Status, *checks: tuple[str, str]) -> ScenarioResult:
    journal = sc_id == "JOURNAL"
    results = tuple(CheckResult(check=check, requirement=requirement, title=check, severity=Severity.MAJOR,
                                operation=Operation.TELESERVICE if journal else Operation.CREER,
                                status=status,
                                message="ok" if status is Status.PASS else "registered, never told")
                    for check, requirement in checks)
    step = StepResult(index=0, kind="journal" if journal else "create", title=sc_id, status=status,
                      duration=0.1, checks=results)
    return ScenarioResult(id=sc_id, title=sc_id, file="" if journal else f"{sc_id}.yaml", status=status,
                          duration=0.1, steps=(step,))


def _shard(root: Path, k: int, journal: Status = Status.PASS, shard: str | None = "{k}/3",
           **head: Any) -> str:
    """Shard k: one scenario of its own (two checks), then its own journal reconciliation; its
    manifest says which shard it is (``shard`` None: an older run's manifest, which does not);
    ``head``: more of the run's result (its baseline, the faults only fuzzing finds…)."""
    own = _scenario(f"RT-{k:03d}", Status.PASS, ("status_created", "RT-01"), ("id_echoed", "ID-02"))
    reconciled = _scenario("JOURNAL", journal, ("journal_reconciled", "DEG-03"))
    result = RunResult(run_id=f"run-{k}", started=f"2026-01-0{k}T00:00:00", finished=f"2026-01-0{k}T00:01:00",
                       duration=60.0, target="http://target", teleservice="http://sim", about=None,
                       fail_on=Severity.MAJOR, seed=7, profile="p", lang="fr", suite_hash="abc",
                       scenarios=head.pop("scenarios", (own, reconciled)), **head)
    folder = root / f"shard{k}"
    folder.mkdir(parents=True)
    write_json(result, folder / "report.json")
    info = {"suite": {"hash": "abc"}, "lang": "fr", "runId": result.run_id}
    write_manifest(folder, info if shard is None else {**info, "shard": shard.format(k=k)})
    return str(folder)


def test_every_shard_reconciliation_is_kept_and_the_counts_are_the_sums(tmp_path: Path) -> None:
    shards = [_shard(tmp_path, k) for k in (1, 2, 3)]
    merged = merge(shards, str(tmp_path / "merged"))
    report = json.loads((merged.folder / "report.json").read_text("utf-8"))
    parts = [json.loads((Path(s) / "report.json").read_text("utf-8")) for s in shards]
    for what in ("checks", "scenarios"):
        for status in ("pass", "fail", "warn", "skip", "error", "total"):
            assert report["summary"][what][status] == sum(p["summary"][what][status] for p in parts)
    assert report["summary"]["checks"]["total"] == 9
    ids = [sc["id"] for sc in report["scenarios"]]
    assert ids == ["RT-001", "RT-002", "RT-003", "JOURNAL[1/3]", "JOURNAL[2/3]", "JOURNAL[3/3]"]
    assert report["verdict"] == "conforme" and merged.exit_code == 0
    junit = (merged.folder / "junit.xml").read_text("utf-8")
    html = (merged.folder / "report.html").read_text("utf-8")
    for k in (1, 2, 3):
        assert f'name="JOURNAL[{k}/3]"' in junit and f"JOURNAL[{k}/3]" in html


def test_a_failed_reconciliation_in_a_later_shard_fails_the_merge(tmp_path: Path) -> None:
    shards = [_shard(tmp_path, 1), _shard(tmp_path, 2, journal=Status.FAIL), _shard(tmp_path, 3)]
    merged = merge(shards, str(tmp_path / "merged"))
    report = json.loads((merged.folder / "report.json").read_text("utf-8"))
    assert report["verdict"] == "non-conforme" and merged.exit_code != 0
    assert report["summary"]["anomalies"] == 1 and report["summary"]["checks"]["fail"] == 1
    (group,) = report["anomalyGroups"]
    assert group["requirement"] == "DEG-03" and group["scenarios"] == ["JOURNAL[2/3]"]
    # a baseline made from the merged report matches the journal as each shard's run names it
    write_baseline(str(merged.folder), str(tmp_path / "known.yaml"), reason="known")
    assert "scenario: JOURNAL\n" in (tmp_path / "known.yaml").read_text("utf-8")


def test_without_the_shard_in_the_manifest_a_journal_is_named_by_its_place(tmp_path: Path) -> None:
    shards = [_shard(tmp_path, k, shard=None) for k in (1, 2)]
    merged = merge(shards, str(tmp_path / "merged"))
    assert [sc.id for sc in merged.result.scenarios][-2:] == ["JOURNAL[1/2]", "JOURNAL[2/2]"]
    assert unsharded("JOURNAL[2/2]") == "JOURNAL" and unsharded("RT-001") == "RT-001"
    # the same shard given twice (its scenarios aside): its reconciliation would count twice
    with pytest.raises(ApplicationError, match=r"JOURNAL\[1/3\] ran in .* overlap"):
        merge([_shard(tmp_path / "a", 1), _shard(tmp_path / "b", 2, shard="1/3")], str(tmp_path / "twice"))


def _report(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "report.json").read_text("utf-8")))


def test_the_faults_only_fuzzing_finds_are_every_shards(tmp_path: Path) -> None:
    shards = [_shard(tmp_path, 1, fuzz_only_faults=("search-crashes-without-du",)),
              _shard(tmp_path, 2, fuzz_only_faults=("b-fault", "search-crashes-without-du")),
              _shard(tmp_path, 3)]
    folder = merge(shards, str(tmp_path / "merged")).folder
    assert _report(folder)["fuzzOnlyFaults"] == ["b-fault", "search-crashes-without-du"]
    title = (folder / "summary.md").read_text("utf-8").splitlines()[0]
    assert "sans --fuzz : défaut `b-fault`, `search-crashes-without-du` indétectable ici" in title


def test_a_baseline_entry_is_stale_only_when_no_shard_matched_it(tmp_path: Path) -> None:
    # each shard sees its own scenarios: an entry for shard 2's scenario is "stale" in shard 1
    one = BaselineOutcome(file="known.yaml", stale=("E-2", "E-3", "E-gone"))
    two = BaselineOutcome(file="known.yaml", stale=("E-1", "E-3", "E-gone"), expired=("E-3",))
    three = BaselineOutcome(file="other.yaml", stale=("E-1", "E-2", "E-gone"))
    folder = merge([_shard(tmp_path, 1, baseline=one), _shard(tmp_path, 2, baseline=two),
                    _shard(tmp_path, 3, baseline=three)], str(tmp_path / "merged")).folder
    baseline = _report(folder)["baseline"]
    assert baseline == {"file": "known.yaml ≠ other.yaml", "expired": ["E-3"], "stale": ["E-gone"],
                        "known": []}


def test_a_merge_recomputes_the_verdicts_texts_in_the_reports_language(tmp_path: Path) -> None:
    # RT-03 declared by a scenario that ran, evaluated by no check: "never evaluated"
    step = StepResult(index=0, kind="search", title="s", status=Status.SKIP, duration=0.1)
    idle = ScenarioResult(id="RT-IDLE", title="idle", file="idle.yaml", status=Status.SKIP, duration=0.1,
                          requirements=("RT-03",), steps=(step,))
    judged = _scenario("RT-001", Status.PASS, ("status_created", "RT-01"))
    shards = [_shard(tmp_path, 1, scenarios=(idle, judged)), _shard(tmp_path, 2)]
    reasons = [u["reason"] for u in _report(merge(shards, str(tmp_path / "merged")).folder)["unverified"]]
    assert reasons == [_report(Path(shards[0]))["unverified"][0]["reason"]] == [
        "déclarée par le scénario, jamais évaluée"]


def test_shards_judged_against_another_requirement_catalogue_are_not_merged(tmp_path: Path) -> None:
    shards = [_shard(tmp_path, k) for k in (1, 2)]
    for folder in shards:
        report = _report(Path(folder))
        report["requirements"] = {"version": "0.0-old"}
        (Path(folder) / "report.json").write_text(json.dumps(report), "utf-8")
    with pytest.raises(ApplicationError, match=r"requirement catalogue 0\.0-old"):
        merge(shards, str(tmp_path / "merged"))


@pytest.mark.parametrize("field", [{"baseline": ["known.yaml"]}, {"partial": "-k RT"},
                                   {"partial": {"filter": 1}}, {"fuzzOnlyFaults": 3}])
def test_a_shard_whose_headline_fields_are_malformed_is_refused_saying_so(
        field: dict[str, Any], tmp_path: Path) -> None:
    shards = [_shard(tmp_path, k) for k in (1, 2)]
    report = _report(Path(shards[1]))
    (Path(shards[1]) / "report.json").write_text(json.dumps({**report, **field}), "utf-8")
    with pytest.raises(ApplicationError, match="not a run folder"):
        merge(shards, str(tmp_path / "merged"))
