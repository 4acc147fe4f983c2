"""report.json: the source of truth of a run (schema documented in docs/report-json.md)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.engine.results import (
    BaselineOutcome,
    CheckResult,
    GeneratedRun,
    RunResult,
    ScenarioResult,
    Scope,
    StepResult,
)
from conformance.evidence.layout import step_dir
from conformance.reporters.summary import anomaly_groups, by_operation, status_counts
from conformance.requirements import catalogue
from conformance.vocabulary import Operation, Severity, SkipKind, Status

SCHEMA_VERSION = "1.1"


def _check(c: Any, folder: str | None = None) -> dict[str, Any]:
    d = dataclasses.asdict(c)
    d["diff"] = list(c.diff)
    d["evidence"] = list(c.evidence) or ([folder] if folder else [])  # its step's evidence folder
    return d


def scenario_dict(sc: ScenarioResult, evidence: bool) -> dict[str, Any]:
    """One scenario as report.json shows it; ``evidence``: the run wrote its steps' evidence."""
    return {
        "id": sc.id, "title": sc.title, "file": sc.file, "status": sc.status,
        "reason": sc.reason, "durationSeconds": round(sc.duration, 4),
        "requirements": list(sc.requirements), "tags": list(sc.tags),
        "generated": dataclasses.asdict(sc.generated) if sc.generated else None,
        "steps": [
            {"index": st.index, "kind": st.kind, "title": st.title, "status": st.status,
             "message": st.message, "durationSeconds": round(st.duration, 4),
             "http": list(st.http),
             "checks": [_check(c, step_dir(sc.id, st.index, st.kind)
                               if evidence and st.http else None) for c in st.checks],
             "evidence": step_dir(sc.id, st.index, st.kind) if evidence and st.http else None}
            for st in sc.steps
        ],
    }


def to_dict(result: RunResult) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    return {**head(result),
            "scenarios": [scenario_dict(sc, result.evidence) for sc in result.scenarios]}


def head(result: RunResult) -> dict[str, Any]:
    """Every key of report.json but its scenarios: what the run counted and kept (its
    scenarios may have been trimmed as they finished, their reports spooled)."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "harness": {"name": "epresc-conformance", "version": __version__},
        "requirements": {"version": catalogue().version},
        "runId": result.run_id,
        "verdict": result.verdict,
        # what the run's set-up left out (the ANS rules not supplied): the verdict holds without it
        "notices": list(result.notices()),
        "interrupted": result.interrupted,
        "failOn": result.fail_on,
        "seed": result.seed,
        "started": result.started,
        "finished": result.finished,
        "durationSeconds": round(result.duration, 3),
        "target": {"url": result.target, "about": result.about},
        "teleservice": result.teleservice,
        "profile": {"name": result.profile},
        "suiteHash": result.suite_hash,
        "signer": result.signer or None,
        "summary": {**status_counts(result), "anomalies": len(result.anomalies()),
                    "byOperation": by_operation(result)},
        "unverified": [{"requirement": u.requirement, "severity": u.severity, "reason": u.reason,
                        "scenarios": list(u.scenarios), "accepted": u.accepted}
                       for u in result.unverified()],
        "acceptedUnverified": list(result.accepted),
        "partial": None if result.partial is None else dataclasses.asdict(result.partial),
        "fuzzOnlyFaults": list(result.fuzz_only_faults),
        "baseline": None if result.baseline is None else {
            "file": result.baseline.file, "expired": list(result.baseline.expired),
            "stale": list(result.baseline.stale),
            "known": [{"scenario": sc.id, "requirement": c.requirement, "check": c.check,
                       "severity": c.severity, "message": c.message, "reason": c.baselined}
                      for sc, _, c in result.known()]},
        "anomalyGroups": [{"requirement": g.requirement, "check": g.check, "severity": g.severity,
                           "message": g.message, "scenarios": list(g.scenarios)}
                          for g in anomaly_groups(result)],
    }


def _check_from(d: dict[str, Any]) -> CheckResult:
    return CheckResult(
        check=d["check"], requirement=d["requirement"], title=d["title"], severity=Severity(d["severity"]),
        operation=Operation(d["operation"]), status=Status(d["status"]), message=d["message"],
        expected=d.get("expected"), observed=d.get("observed"), diff=tuple(d.get("diff") or ()),
        hint=d.get("hint", ""), evidence=tuple(d.get("evidence") or ()), location=d.get("location", ""),
        skip=SkipKind(d["skip"]) if d.get("skip") else None, baselined=d.get("baselined", ""),
        cause=d.get("cause", ""), notice=bool(d.get("notice", False)))


def from_dict(report: dict[str, Any]) -> RunResult:
    """A RunResult rebuilt from a report.json (its texts as they were written).

    Of the head (``head``), what a verdict or headline needs is read back: ``failOn``,
    ``acceptedUnverified``, ``interrupted``, ``partial``, ``fuzzOnlyFaults``, ``baseline`` (its
    file, expired and stale entries; its known anomalies are the checks marked ``baselined``);
    the run's identity (``runId``, times, ``seed``, ``target``, ``teleservice``, ``profile``,
    ``suiteHash``, ``signer``). The rest is recomputed from the checks by ``head`` when written
    again (``verdict``, ``notices``, ``summary``, ``unverified``, ``anomalyGroups``) or is the
    writing harness's (``schemaVersion``, ``harness``, ``requirements``). The report's language
    is not in report.json (the manifest's ``lang``): the caller sets ``lang``."""
    scenarios = tuple(
        ScenarioResult(
            id=sc["id"], title=sc["title"], file=sc.get("file", ""), status=Status(sc["status"]),
            duration=float(sc.get("durationSeconds", 0.0)), requirements=tuple(sc.get("requirements") or ()),
            tags=tuple(sc.get("tags") or ()), reason=sc.get("reason", ""),
            generated=GeneratedRun(**sc["generated"]) if sc.get("generated") else None,
            steps=tuple(StepResult(index=st["index"], kind=st["kind"], title=st.get("title", ""),
                                   status=Status(st["status"]), duration=float(st.get("durationSeconds", 0)),
                                   checks=tuple(_check_from(c) for c in st.get("checks", [])),
                                   message=st.get("message", ""), http=tuple(st.get("http") or ()))
                        for st in sc.get("steps", [])))
        for sc in report.get("scenarios", []))
    target = report.get("target") or {}
    return RunResult(
        run_id=report["runId"], started=report["started"], finished=report["finished"],
        duration=float(report.get("durationSeconds", 0.0)), target=target.get("url", ""),
        teleservice=report.get("teleservice"), about=target.get("about"),
        fail_on=Severity(report.get("failOn", "major")), seed=int(report.get("seed", 0)),
        profile=(report.get("profile") or {}).get("name", ""), scenarios=scenarios,
        interrupted=bool(report.get("interrupted")),
        evidence=any(st.get("evidence") for sc in report.get("scenarios", []) for st in sc.get("steps", [])),
        accepted=tuple(report.get("acceptedUnverified") or ()), suite_hash=report.get("suiteHash") or "",
        signer=report.get("signer") or "", partial=_scope_from(report.get("partial")),
        fuzz_only_faults=tuple(str(f) for f in report.get("fuzzOnlyFaults") or ()),
        baseline=_baseline_from(report.get("baseline")))


def _scope_from(d: Any) -> Scope | None:
    if not d:
        return None
    if not isinstance(d, dict):
        raise TypeError(f"'partial' is not an object: {d!r}"[:200])
    return Scope(filter=str(d["filter"]), scenarios=int(d["scenarios"]), total=int(d["total"]))


def _baseline_from(d: Any) -> BaselineOutcome | None:
    if d is None:
        return None
    if not isinstance(d, dict):
        raise TypeError(f"'baseline' is not an object: {d!r}"[:200])
    return BaselineOutcome(file=str(d.get("file") or ""), known=len(d.get("known") or ()),
                           expired=tuple(str(e) for e in d.get("expired") or ()),
                           stale=tuple(str(e) for e in d.get("stale") or ()))


def dumps(value: Any) -> str:
    """``value`` as report.json writes it (indented, UTF-8 text as it is)."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def scenario_text(scenario: dict[str, Any]) -> str:
    """One element of report.json's ``scenarios`` array, indented as it stands there."""
    return "    " + dumps(scenario).replace("\n", "\n    ")


def write_streamed(head: dict[str, Any], scenarios: Iterable[str], path: Path) -> None:
    """Write report.json (atomically) from its head (every key but ``scenarios``, computed at
    the end) and its scenarios' texts (``scenario_text``, spooled as they finished): the same
    bytes as ``write_json`` of the whole, never the whole run in memory."""
    text = dumps({**head, "scenarios": []})
    tail = '\n  "scenarios": []\n}'
    assert text.endswith(tail)  # the scenarios are report.json's last key
    tmp = path.with_suffix(".json.tmp")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write(text[:-len(tail)] + '\n  "scenarios": [')
        first = True
        for element in scenarios:
            out.write(("\n" if first else ",\n") + element)
            first = False
        out.write("]\n}" if first else "\n  ]\n}")
    tmp.replace(path)


def write_json(result: RunResult | dict[str, Any], path: Path) -> None:
    """Write report.json (UTF-8, indented, atomically) from a result or an already built dict."""
    data = to_dict(result) if isinstance(result, RunResult) else result
    tmp = path.with_suffix(".json.tmp")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as out:
        # streamed: an indented dumps() holds every piece of the text at once (a 9 MB report
        # of a 10x suite cost 45 MB at the end of the run)
        json.dump(data, out, ensure_ascii=False, indent=2, default=str)
    tmp.replace(path)
