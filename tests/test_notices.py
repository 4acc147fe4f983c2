"""A run's set-up notices (the ANS rules not supplied: CDA-09/10 not applicable by the set-up)
are said in every report of its folder, not only on the console: report.json's ``notices``,
summary.md's headline, report.html's verdict, junit.xml's run properties — in the report's
language; a run with the ANS kit has none; a merge of shards says each once."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.application import Selection, Settings, run_session
from conformance.application.merge import merge
from conformance.embedded import EmbeddedWorld
from conformance.paths import PROJECT
from conformance.reporters import html, markdown
from conformance.vocabulary import Lang, SkipKind
from tests.helpers import SAMPLES

KIT = SAMPLES / "ans-testcontenucda"
DMP = PROJECT / "scenarios" / "dmp"
FR = "règles ANS non fournies : --cda-rules"
EN = "ANS rules not supplied: --cda-rules"


@dataclass(frozen=True)
class Folder:
    """What a run printed and wrote."""

    console: str
    report: dict[str, Any]
    summary: str
    page: str
    junit: ET.Element

    def ans_checks(self) -> list[dict[str, Any]]:
        """CDA-09 and CDA-10 as report.json holds them."""
        return [c for sc in self.report["scenarios"] for st in sc["steps"] for c in st["checks"]
                if c["requirement"] in ("CDA-09", "CDA-10")]

    def junit_notices(self) -> list[str]:
        """The run-wide ``notice`` properties of junit.xml."""
        return [str(p.get("value")) for p in self.junit.findall("properties/property[@name='notice']")]


def _read(folder: Path, console: str = "") -> Folder:
    return Folder(console, json.loads((folder / "report.json").read_text("utf-8")),
                  (folder / "summary.md").read_text("utf-8"), (folder / "report.html").read_text("utf-8"),
                  ET.parse(folder / "junit.xml").getroot())


def _run(world: EmbeddedWorld, tmp_path: Path, name: str, **settings: Any) -> Folder:
    out = io.StringIO()
    selection = settings.pop("selection", Selection(paths=(str(DMP / "copie-dmp.yaml"),)))
    done = run_session(Settings(target=world.target_url, teleservice=world.teleservice_url,
                                report_dir=tmp_path / name, selection=selection, **settings), stream=out)
    return _read(done.folder, out.getvalue())


def test_a_run_without_the_ans_rules_says_so_in_every_report(world: EmbeddedWorld, tmp_path: Path) -> None:
    run = _run(world, tmp_path, "fr")
    ans = run.ans_checks()
    assert ans and all(c["notice"] and c["skip"] == SkipKind.NOT_APPLICABLE and c["message"] == FR
                       for c in ans)
    assert run.report["verdict"] == "conforme"
    assert run.report["notices"] == [FR]  # once, however many checks it left out
    assert run.console.splitlines()[-2] == f"Verdict: CONFORME — Anomalies: 0 — {FR}"
    assert run.summary.splitlines()[0] == f"### ✅ Conforme — `{FR}` — epresc-conformance"
    assert f'role="status">Verdict : CONFORME — {FR}</span>' in run.page
    assert run.junit_notices() == [FR]


def test_the_notice_is_in_the_reports_language(world: EmbeddedWorld, tmp_path: Path) -> None:
    run = _run(world, tmp_path, "en", lang=Lang.EN)
    assert run.report["notices"] == [EN]
    assert run.summary.splitlines()[0] == f"### ✅ Conforming — `{EN}` — epresc-conformance"
    assert f'role="status">Verdict : CONFORMING — {EN}</span>' in run.page
    assert run.junit_notices() == [EN]
    assert "règles ANS" not in run.summary + run.page


@pytest.mark.skipif(not KIT.is_dir(), reason="../shared/samples/ans-testcontenucda absent (the ANS kit)")
def test_a_run_with_the_ans_kit_has_no_notice(world: EmbeddedWorld, tmp_path: Path) -> None:
    run = _run(world, tmp_path, "kit", cda_rules=str(KIT))
    ans = run.ans_checks()
    assert ans and not [c for c in ans if c["skip"] == SkipKind.NOT_APPLICABLE]
    assert run.report["notices"] == []
    assert run.junit_notices() == []
    for text in (run.summary.splitlines()[0], run.page, run.console.splitlines()[-2]):
        assert "--cda-rules" not in text


def test_merged_shards_say_each_notice_once(world: EmbeddedWorld, tmp_path: Path) -> None:
    shards = [_run(world, tmp_path, f"shard{k}", selection=Selection(paths=(str(DMP),), shard=(k, 2)))
              for k in (1, 2)]
    assert [s.report["notices"] for s in shards] == [[FR], [FR]]  # both shards ran a DMP copy
    folders = [str(tmp_path / f"shard{k}" / s.report["runId"]) for k, s in enumerate(shards, 1)]
    merged = _read(merge(folders, str(tmp_path / "merged")).folder)
    assert merged.report["notices"] == [FR]
    assert len(merged.ans_checks()) == sum(len(s.ans_checks()) for s in shards)
    assert merged.summary.splitlines()[0].count(FR) == 1
    verdict = re.search(r'role="status">(.*?)</span>', merged.page)
    assert verdict is not None and verdict.group(1) == f"Verdict : CONFORME — {FR}"
    assert merged.junit_notices() == [FR]


def test_a_notice_cannot_bring_markup_into_the_headlines() -> None:
    hostile = "<img src=x onerror=alert(1)> | [lien](http://x) `code`"
    report = {"verdict": "conforme", "failOn": "major", "notices": [hostile]}
    title = markdown.render(report).splitlines()[0]
    assert title == ("### ✅ Conforme — `` <img src=x onerror=alert(1)> \\| [lien](http://x) `code` `` "
                     "— epresc-conformance")
    page = html.render(report, None)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_an_older_report_without_notices_still_renders() -> None:
    report = {"verdict": "incomplet", "failOn": "major"}
    assert markdown.render(report).splitlines()[0] == "### ⚠️ Incomplet — epresc-conformance"
    assert 'role="status">Verdict : INCOMPLET</span>' in html.render(report, None)
