"""coverage.csv: requirement × scenario × verdict, for CNDA test-plan spreadsheets."""

from __future__ import annotations

import csv
import io

from conformance.engine.results import RunResult
from conformance.vocabulary import SkipKind, Status

COLUMNS = ("requirement", "scenario", "verdict", "checks", "title")


def coverage_rows(result: RunResult) -> list[tuple[str, str, str, int, str]]:
    """One row per (requirement, scenario) that evaluated it or declared it: the worst status of
    its checks there (``not-evaluated`` when none could judge it, ``baselined`` failures named)."""
    found: dict[tuple[str, str], list[tuple[Status, SkipKind | None, bool]]] = {}
    titles: dict[str, str] = {}
    for sc in result.scenarios:
        for st in sc.steps:
            for c in st.checks:
                found.setdefault((c.requirement, sc.id), []).append((c.status, c.skip, bool(c.baselined)))
                titles.setdefault(c.requirement, c.title)
        for req in sc.requirements:
            found.setdefault((req, sc.id), [])
    rows = []
    for (req, sid), checks in sorted(found.items()):
        judged = [s for s, skip, _ in checks if skip is not SkipKind.NOT_EVALUATED and s is not Status.SKIP]
        if not judged:
            verdict = "not-evaluated" if any(skip is SkipKind.NOT_EVALUATED for _, skip, _ in checks) \
                or not checks else "not-applicable"
        else:
            verdict = str(Status.worst(judged))
            if verdict == "fail" and all(b for s, _, b in checks if s is Status.FAIL):
                verdict = "fail (baseline)"
        rows.append((req, sid, verdict, len(checks), titles.get(req, "")))
    return rows


def render_csv(result: RunResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(coverage_rows(result))
    return out.getvalue()
