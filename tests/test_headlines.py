"""The headline tells the whole truth: a verdict names what qualifies it — known anomalies a
baseline hides, a partial selection of the suite, a fault only fuzzing finds run without it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from conformance.application import Selection, Settings, load_scenarios, run_session
from conformance.application.baseline import write
from conformance.embedded import EmbeddedWorld
from conformance.reporters import markdown
from conformance.vocabulary import ExitCode, Lang
from tests.fakes import FakeTarget, scenarios
from tests.test_baseline import ONE, short


def _run(tmp_path: Path, name: str, **settings: Any) -> tuple[str, dict[str, Any], str, str]:
    out = io.StringIO()
    done = run_session(Settings(report_dir=tmp_path / name, **settings), stream=out)
    report = json.loads((done.folder / "report.json").read_text("utf-8"))
    return (out.getvalue(), report, (done.folder / "summary.md").read_text("utf-8"),
            (done.folder / "report.html").read_text("utf-8"))


def test_a_partial_selection_is_never_the_suites_verdict(world: EmbeddedWorld, tmp_path: Path) -> None:
    console, report, summary, page = _run(tmp_path, "k", target=world.target_url,
                                    teleservice=world.teleservice_url,
                                    selection=Selection(keywords=("RT-MED or RT-ALD",)))
    total = report["partial"]["total"]
    n = len(load_scenarios(Selection(keywords=("RT-MED or RT-ALD",)))) + 1  # + JOURNAL
    assert 1 < n < total - 1
    assert report["partial"] == {"filter": "-k RT-MED or RT-ALD", "scenarios": n, "total": total}
    assert total == len(load_scenarios(Selection())) + 1  # + JOURNAL
    verdict = [line for line in console.splitlines() if line.startswith("Verdict:")]
    assert verdict == [f"Verdict: CONFORME, sélection partielle (-k RT-MED or RT-ALD): {n} scénarios sur "
                       f"{total} — Anomalies: 0"]
    assert summary.splitlines()[0] == (f"### ✅ Conforme, sélection partielle (`-k RT-MED or RT-ALD`): "
                                       f"{n} scénarios sur {total} — epresc-conformance")
    assert (f'role="status">Verdict : CONFORME, sélection partielle (-k RT-MED or RT-ALD): {n} scénarios '
            f"sur {total}</span>") in page


def test_the_whole_suite_has_no_qualifier(world: EmbeddedWorld, tmp_path: Path) -> None:
    console, report, summary, page = _run(tmp_path, "tag", target=world.target_url,
                                    teleservice=world.teleservice_url,
                                    selection=Selection(paths=("scenarios/nominal/medicament-simple.yaml",),
                                                        keywords=("RT-MED",)))  # keeps the whole suite
    assert report["partial"] is None
    assert "Verdict: CONFORME — Anomalies: 0" in console.splitlines()
    assert summary.startswith("### ✅ Conforme — epresc-conformance\n")
    assert 'role="status">Verdict : CONFORME</span>' in page


def test_known_anomalies_are_named_in_the_headline(tmp_path: Path) -> None:
    def session(name: str, baseline: Path | None) -> tuple[str, Path, ExitCode]:
        out = io.StringIO()
        done = run_session(Settings(target="http://fake", report_dir=tmp_path / name, lang=Lang.EN,
                                    accept_unverified=("DEG-03",),
                                    baseline=str(baseline) if baseline else None),
                           scenarios(tmp_path, ONE), stream=out, transport=FakeTarget(short).transport)
        return out.getvalue(), done.folder, done.exit_code

    _, first, _ = session("first", None)
    known = tmp_path / "known.yaml"
    write(str(first), str(known), "fixed in 2.1")
    console, folder, code = session("again", known)
    assert code is ExitCode.OK
    assert f"Verdict: CONFORMING, 1 known anomaly(ies) (baseline {known}) — Anomalies: 0" in console
    title = (folder / "summary.md").read_text("utf-8").splitlines()[0]
    assert title == f"### ✅ Conforming, 1 known anomaly(ies) (baseline `{known}`) — epresc-conformance"


def test_a_fault_only_fuzzing_finds_says_so_without_fuzz(tmp_path: Path) -> None:
    console, report, summary, _ = _run(tmp_path, "f", faults=("search-crashes-without-du",),
                                    selection=Selection(keywords=("RT-SEARCH-DATES",)))
    assert report["fuzzOnlyFaults"] == ["search-crashes-without-du"]
    assert ("Avertissements: le défaut search-crashes-without-du n'est trouvé que par le fuzzing : "
            "sans --fuzz, cette campagne ne peut pas le détecter (ajouter --fuzz 10)") in console
    assert "sans --fuzz : défaut search-crashes-without-du indétectable ici" in console.splitlines()[-2]
    assert "indétectable ici" in summary.splitlines()[0]
    assert "> **Avertissements**: le défaut `search-crashes-without-du` n'est trouvé" in summary


def test_markdown_headline_from_an_older_report_without_the_new_fields() -> None:
    title = markdown.render({"verdict": "conforme", "failOn": "major"}).splitlines()[0]
    assert title == "### ✅ Conforme — epresc-conformance"

