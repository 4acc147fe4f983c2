"""GitLab parallel: three shards merged give one full run's verdict, every shard's checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.application import ApplicationError, Selection, Settings, run_session
from conformance.application.merge import merge
from conformance.application.suite import load_scenarios, shard
from conformance.checks import run_wide

pytestmark = pytest.mark.slow

PICK = ("RT-MED-001 or RT-CON-001 or RT-ENFANT-001 or RT-ALD-001 or ROB-ACCENTS-001 "
        "or DEG-INDISPONIBLE or CON-EXEC-OUI")


def test_shards_are_disjoint_stable_and_balanced_by_previous_durations() -> None:
    suite = load_scenarios(Selection())
    slices = [shard(suite, k, 3) for k in (1, 2, 3)]
    ids = [sc.id for part in slices for sc in part]
    assert sorted(ids) == sorted(sc.id for sc in suite)  # every scenario, once
    assert [sc.id for sc in shard(suite, 2, 3)] == [sc.id for sc in slices[1]]  # stable
    assert max(map(len, slices)) - min(map(len, slices)) <= 1
    durations = {sc.id: (10.0 if sc.id == suite[0].id else 1.0) for sc in suite}
    weighted = [shard(suite, k, 3, durations) for k in (1, 2, 3)]
    heavy = next(part for part in weighted if suite[0].id in [sc.id for sc in part])
    assert len(heavy) < len(suite) // 3  # the long one's slice takes fewer others


def test_three_shards_merged_keep_every_check_of_one_full_run(tmp_path: Path) -> None:
    base = Settings(selection=Selection(keywords=(PICK,)), faults=("number-missing",), jobs=1)
    full = run_session(Settings(**{**base.__dict__, "report_dir": tmp_path / "full"}))
    parts = []
    for k in (1, 2, 3):
        settings = Settings(**{**base.__dict__, "report_dir": tmp_path / f"shard{k}",
                               "selection": Selection(keywords=(PICK,), shard=(k, 3))})
        parts.append(str(run_session(settings).folder))
    merged = merge(parts, str(tmp_path / "merged"))
    assert merged.exit_code == full.exit_code
    one = json.loads((full.folder / "report.json").read_text("utf-8"))
    both = json.loads((merged.folder / "report.json").read_text("utf-8"))
    assert both["verdict"] == one["verdict"]
    # the -k selection is said as the single run says it, each shard's --shard K/3 aside
    assert one["partial"]["filter"] == f"-k {PICK}" and both["partial"] == one["partial"]
    titles = [(folder / "summary.md").read_text("utf-8").splitlines()[0]
              for folder in (full.folder, merged.folder)]
    assert titles[0] == titles[1] and "sélection partielle" in titles[0]
    shards = [json.loads((Path(p) / "report.json").read_text("utf-8")) for p in parts]
    for what in ("scenarios", "checks"):  # nothing of a shard is dropped: the counts are the sums
        assert both["summary"][what] == {status: sum(r["summary"][what][status] for r in shards)
                                         for status in one["summary"][what]}
    # each shard ran the run-wide checks on its own journal: two more JOURNAL scenarios than one run
    assert both["summary"]["checks"]["total"] == one["summary"]["checks"]["total"] + 2 * len(run_wide())
    assert both["summary"]["anomalies"] == one["summary"]["anomalies"]
    ids = [sc["id"] for sc in both["scenarios"]]
    assert ids[-3:] == ["JOURNAL[1/3]", "JOURNAL[2/3]", "JOURNAL[3/3]"]
    assert sorted([*ids[:-3], "JOURNAL"]) == sorted(sc["id"] for sc in one["scenarios"])
    assert json.loads((Path(parts[1]) / "manifest.json").read_text("utf-8"))["shard"] == "2/3"
    manifest = json.loads((merged.folder / "manifest.json").read_text("utf-8"))
    assert len(manifest["merged"]) == 3 and all(len(m["manifestSha256"]) == 64 for m in manifest["merged"])
    for name in ("junit.xml", "report.html", "summary.md"):
        assert (merged.folder / name).is_file()
    with pytest.raises(ApplicationError, match="overlap"):
        merge([parts[0], parts[0]], str(tmp_path / "twice"))
