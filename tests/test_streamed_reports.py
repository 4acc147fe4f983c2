"""The reports are spooled as the scenarios finish and written from the spool at the end: the
same bytes as the reports written from the whole result (tests/golden/streamed/, written by
the code before streaming from the same recorded events), and a run that keeps no passing check."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from conformance.engine.events import RunFinished, ScenarioFinished, ScenarioStarted
from conformance.engine.redaction import Redactor
from conformance.engine.results import (
    BaselineOutcome,
    CheckResult,
    GeneratedRun,
    RunResult,
    ScenarioResult,
    StepResult,
)
from conformance.reporters.handlers import HandlerContext, Pipeline
from conformance.vocabulary import Lang, Operation, Severity, SkipKind, Status

GOLDEN = Path(__file__).parent / "golden" / "streamed"
FILES = ("report.json", "junit.xml", "coverage.csv", "report.html", "summary.md")
NAMES = ("json", "junit", "html", "markdown", "coverage")


def _check(n: int, status: Status, **more: Any) -> CheckResult:
    fields: dict[str, Any] = {
        "check": f"check_{n}", "requirement": ("RT-01", "RT-02", "PAP-05", "ROB-02", "CDA-05")[n % 5],
        "title": f"vérification n°{n} — « titre »", "severity": (Severity.MAJOR, Severity.MINOR,
                                                                 Severity.BLOCKING)[n % 3],
        "operation": (Operation.CREER, Operation.CONSULTER, Operation.IMPRESSION)[n % 3], "status": status,
        "message": f"message {n}: ok" if status is Status.PASS else f"attendu 'A{n}', observé 'B{n}'",
        "location": f"suite/s{n}.yaml:{n}:3"}
    return CheckResult(**{**fields, **more})


def recorded() -> tuple[list[ScenarioResult], RunResult]:
    """A run's scenarios as they finished, and its final result (every check kept): passes,
    failures (one known to a baseline), warnings, errors, skips of both kinds and a notice,
    exchanges, a step that erred with no check, a scenario not applicable, a generated one."""
    http = ({"method": "POST", "url": "http://t/prescriptions", "status": 201,
             "body": {"id": "ÉPR-1", "lignes": [1, 2.5, None, True]}},)
    scenarios = [
        ScenarioResult(id="RT-A", title="création puis lecture", file="s/a.yaml", status=Status.FAIL,
                       duration=1.23456, requirements=("RT-01", "RT-02"), tags=("rt",), steps=(
                           StepResult(index=0, kind="create", title="créer", status=Status.PASS,
                                      duration=0.5, http=http, location="s/a.yaml:5:5",
                                      checks=(_check(1, Status.PASS), _check(2, Status.PASS),
                                              _check(3, Status.WARN, hint="corrigez « ceci »"))),
                           StepResult(index=1, kind="paper", title="papier", status=Status.FAIL,
                                      duration=0.25, http=http, checks=(
                                          _check(4, Status.FAIL, expected={"a": [1, 2]},
                                                 observed="x\ny", diff=("- a", "+ b")),
                                          _check(5, Status.SKIP, skip=SkipKind.NOT_EVALUATED,
                                                 cause="check_4@2"),
                                          _check(6, Status.SKIP, skip=SkipKind.NOT_APPLICABLE),
                                          _check(7, Status.SKIP, skip=SkipKind.NOT_APPLICABLE,
                                                 notice=True, message="règles ANS non fournies"))))),
        ScenarioResult(id="RT-B", title="une erreur", file="s/b.yaml", status=Status.ERROR, duration=0.1,
                       requirements=("PAP-05",), steps=(
                           StepResult(index=0, kind="consult", title="", status=Status.ERROR,
                                      duration=0.01, message="le pas n'a pas pu s'exécuter"),
                           StepResult(index=1, kind="consult", title="", status=Status.ERROR,
                                      duration=0.02, checks=(_check(8, Status.ERROR),
                                                             _check(9, Status.PASS))))),
        ScenarioResult(id="RT-C", title="non déclaré", file="s/c.yaml", status=Status.SKIP,
                       duration=0.0, requirements=("CDA-05",), reason="capacité dmp non déclarée"),
        ScenarioResult(id="GEN-D", title="généré", file="s/d.yaml", status=Status.FAIL, duration=2.0,
                       requirements=("RT-01",),
                       generated=GeneratedRun(examples=25, seed=7, falsifying={"lignes": ["x"]}),
                       steps=(StepResult(index=0, kind="create", title="", status=Status.FAIL,
                                         duration=0.3, http=http, checks=(
                                             _check(10, Status.FAIL, baselined="connu, ticket 12"),
                                             _check(11, Status.PASS),
                                             _check(12, Status.FAIL))),)),
        ScenarioResult(id="RT-E", title="tout passe", file="s/e.yaml", status=Status.PASS,
                       duration=0.2, requirements=("ROB-02",), steps=(
                           StepResult(index=0, kind="create", title="", status=Status.PASS, duration=0.1,
                                      http=http, checks=(_check(13, Status.PASS), _check(14, Status.PASS))),
                           StepResult(index=1, kind="paper", title="", status=Status.SKIP, duration=0.0,
                                      message="pas de papier"))),
    ]
    result = RunResult(
        run_id="20250101-000000-abcdef", started="2025-01-01T00:00:00+00:00",
        finished="2025-01-01T00:01:00+00:00", duration=60.123456, target="http://t",
        teleservice="http://ts", about={"logiciel": {"nom": "LAP", "version": "1.0", "editeur": "É"}},
        fail_on=Severity.MAJOR, seed=42, profile="public-2025", scenarios=tuple(scenarios),
        evidence=True, accepted=("RT-02",), suite_hash="ab" * 32,
        baseline=BaselineOutcome(file="known.yaml", known=1, stale=("x",)))
    return scenarios, result


def written(folder: Path, trimmed: bool) -> dict[str, bytes]:
    """The report files a pipeline writes for the recorded run: its final result whole, or
    trimmed as a run keeps it (``trimmed``, the counts in its tally)."""
    scenarios, result = recorded()
    if trimmed:
        from conformance.engine.results import Tallying

        tally = Tallying()
        kept = tuple(tally.add(sc) for sc in scenarios)
        result = dataclasses.replace(result, scenarios=kept, tally=tally.freeze())
    pipeline = Pipeline(Redactor(), NAMES, HandlerContext(folder, Lang.FR, evidence=True))
    for sc in scenarios:
        pipeline.handle(ScenarioStarted(sc.id, sc.title))
        pipeline.handle(ScenarioFinished(sc))
    pipeline.handle(RunFinished(result))
    assert not pipeline.failures
    return {name: (folder / name).read_bytes() for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_streamed_reports_are_the_bytes_the_whole_result_wrote(tmp_path: Path, name: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # junit.xml names the run folder as GitLab's job sees it
    assert written(Path("reports/run"), trimmed=True)[name] == (GOLDEN / name).read_bytes()


def test_the_run_keeps_no_passing_check_and_counts_them_all(tmp_path: Path) -> None:
    from conformance.engine.results import Tallying
    from conformance.reporters.summary import by_operation, status_counts

    scenarios, whole = recorded()
    tally = Tallying()
    trimmed = dataclasses.replace(whole, scenarios=tuple(tally.add(sc) for sc in scenarios),
                                  tally=tally.freeze())
    kept = [c for _, _, c in trimmed.checks()]
    assert kept and not [c for c in kept if c.status is Status.PASS]
    assert not [st for sc in trimmed.scenarios for st in sc.steps if st.http]
    assert status_counts(trimmed) == status_counts(whole)
    assert status_counts(trimmed)["checks"]["pass"] == 6
    assert by_operation(trimmed) == by_operation(whole)
    assert trimmed.unverified() == whole.unverified() and trimmed.verdict == whole.verdict
    assert trimmed.notices() == whole.notices() == ("règles ANS non fournies",)
    assert [sc.id for sc in trimmed.scenarios] == [sc.id for sc in whole.scenarios]


def test_no_spool_is_left_in_the_run_folder(tmp_path: Path) -> None:
    written(tmp_path / "run", trimmed=True)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == sorted(FILES)


def test_a_spool_that_cannot_be_written_fails_the_reports_not_silently(tmp_path: Path) -> None:
    scenarios, result = recorded()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    pipeline = Pipeline(Redactor(), NAMES, HandlerContext(blocker / "run", Lang.FR))
    for sc in scenarios:
        pipeline.handle(ScenarioFinished(sc))
    pipeline.handle(RunFinished(result))
    assert pipeline.failures and pipeline.failures[0].startswith("reports: ")
    assert not (blocker / "run").exists()


def test_a_run_keeps_of_each_creation_what_run_wide_checks_read() -> None:
    from conformance.checks.context import Creation

    answer = {"id": "ABC", "statut": "enregistree", "lignes": [{"libelle": "x" * 1000}], "patient": {}}
    kept = Creation.of(answer)
    assert (kept.id, kept.statut, kept.denied) == ("ABC", "enregistree", ())
    assert not hasattr(kept, "__dict__")  # three slots, nothing else of the answer
    assert Creation.of({}) == Creation(None, None)


def test_the_redaction_stage_remembers_a_bounded_number_of_texts() -> None:
    from conformance.engine import redaction

    redactor = Redactor()
    texts = [f"Bearer abc{n}def.ghi" for n in range(redaction._DONE_LIMIT + 10)]
    assert not [t for t in texts if "abc" in redactor.text(t) or "abc" in redactor.text(t)]  # cached or not
    assert len(redactor._done) <= redaction._DONE_LIMIT
    long = "Bearer abcdef.ghi " + "x" * redaction._DONE_LONGEST
    assert "abcdef" not in redactor.text(long) and long not in redactor._done  # nor 4,096 long ones


def test_coverage_rows_are_sorted_as_python_sorts_them(tmp_path: Path) -> None:
    """coverage.csv is sorted outside memory (SQLite); its order is still ``sorted(rows)``'s,
    code point by code point, whatever the ids' characters."""
    import csv

    from conformance.reporters.coverage import write_streamed

    ids = ["Z-1", "a-1", "é-1", "e-1", "ä", "\uffff", "\U0001f600", "A_1", "a-10", "a-9", "É"]
    rows = [(req, sid, verdict, n) for req in ("RT-01", "PAP-05", "ID-01")
            for sid in ids for verdict, n in (("pass", 2), ("fail", 1), ("pass", 10))]
    rows.reverse()
    path = tmp_path / "coverage.csv"
    write_streamed(iter(rows), {"RT-01": "t"}, path)
    with path.open(encoding="utf-8", newline="") as f:
        written = [tuple(r) for r in csv.reader(f)][1:]
    assert written == [(r, s, v, str(n), "t" if r == "RT-01" else "") for r, s, v, n in sorted(rows)]


def test_a_long_run_keeps_one_small_record_per_passing_scenario() -> None:
    """A passing scenario is kept trimmed, slotted, its repeated texts and tuples shared with
    the scenarios before it (a suite copied per configuration): never a message for its text."""
    from conformance.engine.results import Tallying
    from conformance.messages import Messages, Text

    def fresh(text: str) -> str:  # an equal text, another object (as a scenario read again)
        return "".join(list(text))

    scenarios, _ = recorded()
    passing = scenarios[4]
    copies = [dataclasses.replace(passing, id=f"RT-E-{n}", title=fresh(passing.title),
                                  file=fresh(passing.file),
                                  requirements=tuple(fresh(r) for r in passing.requirements))
              for n in range(3)]
    tally = Tallying()
    kept = [tally.add(sc) for sc in copies]
    assert [k.id for k in kept] == ["RT-E-0", "RT-E-1", "RT-E-2"] and not kept[0].steps
    assert kept[1].title is kept[0].title and kept[2].file is kept[0].file
    assert kept[2].requirements is kept[0].requirements == ("ROB-02",)
    assert not hasattr(kept[0], "__dict__")
    message = Messages("test", {"t": Text("tout passe", "tout passe")})("t")
    titled = tally.add(dataclasses.replace(passing, title=message))
    assert titled.title is message  # rendered by id in the report's language, not shared
