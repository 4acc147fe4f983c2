"""Counts shared by every reporter: by status, and failures by operation and severity."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.engine.results import RunResult
from conformance.vocabulary import Operation, Severity, Status

OPERATION_ORDER = tuple(str(op) for op in Operation)
SEVERITIES = tuple(str(s) for s in Severity)
STATUSES = tuple(str(s) for s in Status)


def status_counts(result: RunResult) -> dict[str, dict[str, int]]:
    """Scenario and check counts per status."""
    scenarios = Counter(str(sc.status) for sc in result.scenarios)
    checks = Counter({str(s): n for s, n in result.tally.checks}) if result.tally is not None \
        else Counter(str(c.status) for _, _, c in result.checks())
    return {
        "scenarios": {s: scenarios.get(s, 0) for s in STATUSES} | {"total": len(result.scenarios)},
        "checks": {s: checks.get(s, 0) for s in STATUSES} | {"total": sum(checks.values())},
    }


def by_operation(result: RunResult) -> dict[str, dict[str, int]]:
    """Failed checks per operation (créer, consulter…) and severity, plus passed checks."""
    table: dict[str, dict[str, int]] = {
        op: {**{sev: 0 for sev in SEVERITIES}, "pass": 0} for op in OPERATION_ORDER
    }
    for _, _, check in result.checks():
        row = table[check.operation]
        if check.status == "fail":
            row[check.severity] += 1
        elif check.status == "pass" and result.tally is None:
            row["pass"] += 1
    for operation, n in result.tally.passed if result.tally is not None else ():
        table[operation]["pass"] += n
    return table


_VARYING = re.compile(r"\b[0-9A-Z]{18}\b|\b\d[\d.:-]{3,}\b")


@dataclass(frozen=True)
class AnomalyGroup:
    """Identical anomalies across scenarios (same requirement, check and message, ids aside)."""

    requirement: str
    check: str
    severity: str
    message: str
    scenarios: tuple[str, ...]


def anomaly_groups(result: RunResult) -> list[AnomalyGroup]:
    """The run's anomalies grouped, most widespread first."""
    groups: dict[tuple[str, str, str], tuple[str, str, list[str]]] = {}
    for sc, _, c in result.anomalies():
        key = (c.requirement, c.check, _VARYING.sub("…", c.message))
        _, _, where = groups.setdefault(key, (str(c.severity), c.message, []))
        if sc.id not in where:
            where.append(sc.id)
    out = [AnomalyGroup(req, check, sev, message, tuple(where))
           for (req, check, _), (sev, message, where) in groups.items()]
    return sorted(out, key=lambda g: (-len(g.scenarios), g.requirement, g.check))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Control, escape and bidi characters shown as escapes: a target's text cannot clear a
    screen, forge a verdict, hide a link or reorder what is read."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                        else f"\\u{ord(m.group()):04x}", text)


def qualifiers(known: int, baseline_file: str, partial: dict[str, Any] | None, unfuzzed: list[str],
               w: dict[str, str], code: Callable[[str], str] = str) -> list[str]:
    """What qualifies a verdict, for its headline: known anomalies a baseline hides, a partial
    selection of the suite (``partial``: filter, scenarios, total), reference faults only
    fuzzing finds switched on without it. ``code`` quotes what the user wrote (a file name, a
    filter) for the report's format."""
    out = [w["unfuzzed"].format(", ".join(code(f) for f in unfuzzed))] if unfuzzed else []
    if known:
        out.append(w["known_n"].format(known, code(baseline_file)))
    if partial:
        out.append(w["partial_n"].format(code(str(partial["filter"])), partial["scenarios"],
                                         partial["total"]))
    return out


def noticed(notices: list[str], code: Callable[[str], str] = str) -> str:
    """What the run's set-up left out (``notices``: the ANS rules not supplied), said after a
    verdict's headline as the console says it: `` — reason`` each; ``code`` quotes it for the
    report's format."""
    return "".join(f" — {code(n)}" for n in notices)
