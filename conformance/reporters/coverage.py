"""coverage.csv: requirement × scenario × verdict, for CNDA test-plan spreadsheets."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from conformance.engine.results import RunResult, ScenarioResult
from conformance.vocabulary import SkipKind, Status

COLUMNS = ("requirement", "scenario", "verdict", "checks", "title")

Row = tuple[str, str, str, int]  # requirement, scenario, verdict, how many checks


def scenario_rows(sc: ScenarioResult, titles: dict[str, str]) -> list[Row]:
    """One scenario's rows, one per requirement it evaluated or declared: the worst status of
    its checks there (``not-evaluated`` when none could judge it, ``baselined`` failures
    named); ``titles`` learns each requirement's first check title."""
    found: dict[str, list[tuple[Status, SkipKind | None, bool]]] = {}
    for st in sc.steps:
        for c in st.checks:
            found.setdefault(c.requirement, []).append((c.status, c.skip, bool(c.baselined)))
            titles.setdefault(c.requirement, c.title)
    for req in sc.requirements:
        found.setdefault(req, [])
    rows = []
    for req, checks in found.items():
        judged = [s for s, skip, _ in checks if skip is not SkipKind.NOT_EVALUATED and s is not Status.SKIP]
        if not judged:
            verdict = "not-evaluated" if any(skip is SkipKind.NOT_EVALUATED for _, skip, _ in checks) \
                or not checks else "not-applicable"
        else:
            verdict = str(Status.worst(judged))
            if verdict == "fail" and all(b for s, _, b in checks if s is Status.FAIL):
                verdict = "fail (baseline)"
        rows.append((req, sc.id, verdict, len(checks)))
    return rows


def coverage_rows(result: RunResult) -> list[tuple[str, str, str, int, str]]:
    """Every row of the run, sorted by requirement then scenario."""
    titles: dict[str, str] = {}
    rows = [row for sc in result.scenarios for row in scenario_rows(sc, titles)]
    return [(*row, titles.get(row[0], "")) for row in sorted(rows)]


def render_csv(result: RunResult) -> str:
    """coverage.csv's text."""
    out = io.StringIO()
    _write(out, coverage_rows(result))
    return out.getvalue()


def write_streamed(rows: Iterable[Row], titles: dict[str, str], path: Path) -> None:
    """Write coverage.csv from the rows spooled as the scenarios finished (a few per scenario),
    sorted as ``sorted(rows)`` would, by SQLite in a private temporary file: a run's tens of
    thousands of rows are never all in memory (UTF-8's byte order is the code points' order,
    so SQLite's BINARY collation sorts the texts as Python does)."""
    db = sqlite3.connect("")
    try:
        db.execute("PRAGMA cache_size = -512")  # 512 KiB, then the file: sorted there, not in memory
        db.execute("CREATE TABLE row (requirement TEXT, scenario TEXT, verdict TEXT, checks INTEGER)")
        db.executemany("INSERT INTO row VALUES (?, ?, ?, ?)", rows)
        ordered = db.execute("SELECT * FROM row ORDER BY requirement, scenario, verdict, checks")
        with path.open("w", encoding="utf-8", newline="") as out:
            _write(out, ((req, sid, verdict, int(n), titles.get(req, ""))
                         for req, sid, verdict, n in ordered))
    finally:
        db.close()


def _write(out: TextIO, rows: Iterable[tuple[str, str, str, int, str]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
