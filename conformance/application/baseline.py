"""Known anomalies for CI gates: ``conformance baseline`` writes them from a run's report, and
``run --baseline FILE`` accepts them — each with its reason and expiry date — so that a merge
request is judged on what it changes while the editor fixes the rest one by one.

An entry matches a failed check by requirement, scenario, check and message (a regular
expression matched whole, against the engine's English message or its French). A known,
unexpired anomaly is shown and not counted; an expired one counts, saying so; an entry that
matched nothing is reported for removal."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.application.settings import ApplicationError
from conformance.engine.events import Event, RunFinished, ScenarioFinished, StepFinished
from conformance.engine.results import BaselineOutcome, CheckResult, StepResult
from conformance.nesting import safe_load
from conformance.scenario.errors import Pos, ScenarioError
from conformance.vocabulary import ExitCode, Status

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Entry:
    requirement: str
    scenario: str
    check: str
    message: re.Pattern[str]
    reason: str
    expires: dt.date

    @property
    def label(self) -> str:
        return f"{self.requirement} {self.check} in {self.scenario} (until {self.expires}: {self.reason})"


class Baseline:
    """The entries of a baseline file, marking the events of one run."""

    def __init__(self, file: str, entries: list[Entry], today: dt.date | None = None) -> None:
        self.file, self.entries = file, entries
        self.today = today or dt.date.today()
        self.used: set[int] = set()
        self.expired: set[int] = set()
        self.known = 0

    def _match(self, scenario: str, check: CheckResult) -> int | None:
        from conformance.messages import render

        texts = (check.message, render(check.message, "fr"))
        for n, entry in enumerate(self.entries):
            if (entry.scenario == scenario and entry.check == check.check
                    and entry.requirement == check.requirement
                    and any(entry.message.fullmatch(t) for t in texts)):
                return n
        return None

    def _step(self, scenario: str, step: StepResult, count: bool = False) -> StepResult:
        checks = []
        for check in step.checks:
            n = self._match(scenario, check) if check.status is Status.FAIL else None
            if n is not None:
                entry = self.entries[n]
                if entry.expires < self.today:
                    if count:
                        self.expired.add(n)
                else:
                    if count:
                        self.used.add(n)
                        self.known += 1
                    check = dataclasses.replace(check, baselined=entry.reason)
            checks.append(check)
        return dataclasses.replace(step, checks=tuple(checks))

    def mark(self, event: Event) -> Event:
        """The event with its known anomalies marked; the run's result also says what the
        baseline matched, what expired and what no longer occurs (counted on it alone: it
        holds every step once)."""
        if isinstance(event, StepFinished):
            return dataclasses.replace(event, result=self._step(event.scenario_id, event.result))
        if isinstance(event, ScenarioFinished):
            sc = event.result
            return ScenarioFinished(dataclasses.replace(sc, steps=tuple(self._step(sc.id, st)
                                                                         for st in sc.steps)))
        if isinstance(event, RunFinished):
            self.used, self.expired, self.known = set(), set(), 0
            result = event.result
            scenarios = tuple(dataclasses.replace(sc, steps=tuple(self._step(sc.id, st, count=True)
                                                                  for st in sc.steps))
                              for sc in result.scenarios)
            outcome = BaselineOutcome(
                file=self.file, known=self.known,
                expired=tuple(self.entries[n].label for n in sorted(self.expired)),
                stale=tuple(e.label for n, e in enumerate(self.entries)
                            if n not in self.used and n not in self.expired))
            return RunFinished(dataclasses.replace(result, scenarios=scenarios, baseline=outcome))
        return event


def load(path: str, today: dt.date | None = None) -> Baseline:
    """A baseline file; ApplicationError (exit 2), located, when it cannot be used."""
    try:
        data = safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ApplicationError(f"{path}: cannot read the baseline ({exc})") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ApplicationError(ScenarioError(f"not YAML: {exc.problem or exc.context}",
                                             Pos(path, mark.line + 1, mark.column + 1) if mark else None,
                                             "fix the YAML around this place").render()) from exc
    except yaml.YAMLError as exc:
        raise ApplicationError(f"{path}: not YAML ({exc})") from exc
    raw = data.get("anomalies") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise ApplicationError(f"{path}: a baseline is {{anomalies: [...]}}\n  = make one with "
                               "'conformance baseline REPORT_DIR -o FILE --reason …'")
    entries = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise ApplicationError(f"{path}: entry {n} is not an object")
        missing = [k for k in ("requirement", "scenario", "check", "reason", "expires") if not item.get(k)]
        if missing:
            raise ApplicationError(f"{path}: entry {n} lacks {', '.join(missing)}\n  = every known "
                                   "anomaly says why it is accepted and until when")
        try:
            pattern = re.compile(str(item.get("message", ".*")), re.DOTALL)
            expires = item["expires"] if isinstance(item["expires"], dt.date) else \
                dt.date.fromisoformat(str(item["expires"]))
        except (re.error, ValueError) as exc:
            raise ApplicationError(f"{path}: entry {n}: {exc}") from exc
        entries.append(Entry(str(item["requirement"]), str(item["scenario"]), str(item["check"]),
                             pattern, str(item["reason"]), expires))
    return Baseline(path, entries, today)


def write(report_dir: str, output: str, reason: str, expires: dt.date | None = None) -> int:
    """``conformance baseline``: every anomaly of a run's report as a known one; how many."""
    folder = Path(report_dir)
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ApplicationError(f"{report_dir}: no readable report.json ({exc})\n  = give a run folder "
                               "(reports/<run-id>)", ExitCode.USAGE) from exc
    until = (expires or dt.date.today() + dt.timedelta(days=DEFAULT_DAYS)).isoformat()
    fail_on = report.get("failOn", "major")
    from conformance.application.merge import unsharded
    from conformance.vocabulary import Severity

    entries: list[dict[str, Any]] = []
    for sc in report.get("scenarios", []):
        for st in sc.get("steps", []):
            for c in st.get("checks", []):
                if c.get("status") == "fail" and Severity(c["severity"]).at_least(fail_on):
                    entry = {"requirement": c["requirement"], "scenario": unsharded(sc["id"]),
                             "check": c["check"], "message": re.escape(c["message"]),
                             "reason": reason, "expires": until}
                    if entry not in entries:
                        entries.append(entry)
    text = ("# Known anomalies (conformance run --baseline): each with why it is accepted and until\n"
            f"# when. Made from {report.get('runId', report_dir)}.\n"
            + yaml.safe_dump({"anomalies": entries}, allow_unicode=True, sort_keys=False, width=100))
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ApplicationError(f"cannot write {output}: {exc.strerror or exc}") from exc
    return len(entries)
