"""A merge of shards keeps its headline: the same qualifiers as the run it stands for — a partial
selection only when the shards together are not the whole suite, the known anomalies of a
baseline (summed).

Real shard runs (``run --shard K/2``) against a fake target, so that the session marks them as
it marks a user's; tests/test_merge.py tests the merge's rules on hand-made folders (the faults
only fuzzing finds among them: those need the embedded reference)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.application import ApplicationError, Selection, Settings, run_session
from conformance.application.baseline import write
from conformance.application.merge import merge
from conformance.vocabulary import Lang
from tests.fakes import FakeTarget

SCENARIO = """
id: {id}
title: an identifier cut ({id})
given: {{prescriber: generaliste, patient: adulte}}
steps:
  - create: {{lignes: [paracetamol], consentement: {{opposition: false}}}}
    expect: [id_format]
"""
IDS = ("SHORT-A", "SHORT-B", "SHORT-C", "SHORT-D", "OTHER-E")
PICK = "SHORT"  # -k: four scenarios of five


def _short(request: httpx.Request) -> httpx.Response | None:
    if request.method == "POST":  # an identifier too short: ID-01 fails on every scenario
        return httpx.Response(201, json={"id": "SHORT", "statut": "enregistree",
                                         "papier": "/prescriptions/SHORT/paper"})
    return None


@dataclass(frozen=True)
class Headline:
    """What a run folder says of its verdict, in each report."""

    report: dict[str, Any]
    summary: str
    page: str

    @property
    def title(self) -> str:
        """summary.md's first line."""
        return self.summary.splitlines()[0]

    @property
    def verdict(self) -> str:
        """report.html's verdict line."""
        found = re.search(r'role="status">(.*?)</span>', self.page)
        assert found, "report.html has no verdict"
        return found.group(1)


def _read(folder: Path) -> Headline:
    return Headline(json.loads((folder / "report.json").read_text("utf-8")),
                    (folder / "summary.md").read_text("utf-8"), (folder / "report.html").read_text("utf-8"))


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    folder = tmp_path / "suite"
    folder.mkdir()
    for sc_id in IDS:
        (folder / f"{sc_id.lower()}.yaml").write_text(SCENARIO.format(id=sc_id), encoding="utf-8")
    return folder


def _run(suite: Path, out: Path, *, keywords: tuple[str, ...] = (), shard: tuple[int, int] | None = None,
         baseline: Path | None = None, lang: Lang = Lang.FR) -> Path:
    settings = Settings(target="http://fake", report_dir=out, lang=lang, accept_unverified=("DEG-03",),
                        baseline=str(baseline) if baseline else None,
                        selection=Selection(paths=(str(suite),), keywords=keywords, shard=shard))
    return run_session(settings, stream=io.StringIO(), transport=FakeTarget(_short).transport).folder


def _merged(suite: Path, tmp_path: Path, name: str, shards: tuple[int, ...] = (1, 2), **options: Any) -> Path:
    folders = [str(_run(suite, tmp_path / f"{name}{k}", shard=(k, 2), **options)) for k in shards]
    return merge(folders, str(tmp_path / f"{name}-merged")).folder


def test_merged_shards_of_a_k_selection_with_a_baseline_say_what_the_single_run_says(
        suite: Path, tmp_path: Path) -> None:
    first = _run(suite, tmp_path / "first", keywords=(PICK,))
    known = tmp_path / "known.yaml"
    assert write(str(first), str(known), "corrigé en 2.1") == 4
    one = _read(_run(suite, tmp_path / "one", keywords=(PICK,), baseline=known))
    both = _read(_merged(suite, tmp_path, "k", keywords=(PICK,), baseline=known))
    # the single run's headline, qualified twice
    assert one.report["verdict"] == "conforme"
    assert one.report["partial"] == {"filter": f"-k {PICK}", "scenarios": 5, "total": 6}  # + JOURNAL
    assert len(one.report["baseline"]["known"]) == 4
    assert "4 anomalie(s) connue(s)" in one.title and "sélection partielle" in one.title
    # the merge says the same in every report
    for key in ("verdict", "partial", "notices"):
        assert both.report[key] == one.report[key], key
    assert both.report["baseline"]["file"] == str(known)
    known_ones = [sorted(r.report["baseline"]["known"], key=str) for r in (one, both)]
    assert known_ones[0] == known_ones[1]
    assert both.report["baseline"]["stale"] == one.report["baseline"]["stale"] == []
    assert both.title == one.title
    assert both.verdict == one.verdict


def test_merged_shards_of_the_whole_suite_are_not_a_partial_selection(suite: Path, tmp_path: Path) -> None:
    one = _read(_run(suite, tmp_path / "one", lang=Lang.EN))
    shard = _read(_run(suite, tmp_path / "alone", shard=(1, 2), lang=Lang.EN))
    assert shard.report["partial"]["filter"] == "--shard 1/2"  # one shard alone is a part
    both = _read(_merged(suite, tmp_path, "all", lang=Lang.EN))
    assert one.report["partial"] is None and both.report["partial"] is None
    assert both.report["verdict"] == one.report["verdict"] == "non-conforme"
    assert both.title == one.title and "partial" not in both.title
    assert both.verdict == one.verdict


def test_a_missing_shard_leaves_the_merge_partial_and_says_which_were_merged(
        suite: Path, tmp_path: Path) -> None:
    folders = [str(_run(suite, tmp_path / f"of3-{k}", keywords=(PICK,), shard=(k, 3))) for k in (1, 3)]
    report = _read(merge(folders, str(tmp_path / "two-of-three")).folder).report
    parts = [json.loads((Path(f) / "report.json").read_text("utf-8")) for f in folders]
    ran = sum(p["partial"]["scenarios"] - 1 for p in parts)  # each shard's own, its JOURNAL aside
    assert report["partial"] == {"filter": f"-k {PICK} --shard 1/3 + 3/3", "scenarios": ran + 1, "total": 6}


def test_shards_of_different_selections_or_baselines_are_not_one_run(suite: Path, tmp_path: Path) -> None:
    known = tmp_path / "known.yaml"
    write(str(_run(suite, tmp_path / "first")), str(known), "corrigé en 2.1")
    plain = str(_run(suite, tmp_path / "plain", shard=(1, 2)))
    picked = str(_run(suite, tmp_path / "picked", keywords=(PICK,), shard=(2, 2)))
    with pytest.raises(ApplicationError, match=r"another selection .*-k SHORT"):
        merge([plain, picked], str(tmp_path / "no"))
    baselined = str(_run(suite, tmp_path / "baselined", shard=(2, 2), baseline=known))
    with pytest.raises(ApplicationError, match="another --baseline"):
        merge([plain, baselined], str(tmp_path / "no2"))
