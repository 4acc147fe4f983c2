"""Console reporter (rich): progress, a line per scenario, a table by operation and severity."""

from __future__ import annotations

import dataclasses
import io
import os
import sys
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from conformance.engine.events import BundleWritten, Event, RunFinished, RunStarted, ScenarioFinished
from conformance.engine.results import RunResult
from conformance.reporters.i18n import labels
from conformance.reporters.summary import (
    OPERATION_ORDER,
    SEVERITIES,
    anomaly_groups,
    by_operation,
    printable,
    qualifiers,
    status_counts,
)

_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "skip": "dim", "error": "magenta"}
_VERDICT_STYLE = {"conforme": "bold green", "non-conforme": "bold red", "incomplet": "bold yellow",
                  "interrompu": "bold magenta"}
_VERDICT_STYLE = {"conforme": "bold green", "non-conforme": "bold red", "incomplet": "bold yellow",
                  "interrompu": "bold magenta"}
_MARK = {"pass": "✓", "fail": "✗", "warn": "!", "skip": "-", "error": "E"}


MAX_LINE = 400  # a console line; the whole value is in the evidence



def terminal_safe(text: str) -> str:
    """Text for a terminal: control characters escaped, long values shortened."""
    text = printable(text)
    return text if len(text) <= MAX_LINE else text[:MAX_LINE - 1] + "…"


class _Console(Console):
    """A console whose closed output (``conformance run | head -1``) is an error the pipeline
    sets aside, not rich's SystemExit: the other reports are still written."""

    def on_broken_pipe(self) -> None:
        try:  # later writes (at exit too) go nowhere instead of raising again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.file.fileno())
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            pass
        raise BrokenPipeError(32, "Broken pipe")


class ConsoleReporter:
    """Handles engine events; rich when interactive, plain text otherwise or with NO_COLOR."""

    def __init__(self, lang: str = "fr", stream: TextIO | None = None, verbose: bool = False) -> None:
        stream = stream or sys.stdout
        plain = bool(os.environ.get("NO_COLOR")) or not stream.isatty()
        self.console = _Console(file=stream, no_color=plain, force_terminal=not plain and None,
                               highlight=False, emoji=False, soft_wrap=True)
        self.plain = plain
        self.t = labels(lang)
        self.lang = lang
        self.verbose = verbose
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def _say(self, text: str, style: str | None = None) -> None:
        """One line of our text with the target's inside it, made terminal-safe."""
        self.console.print(terminal_safe(text), style=style, markup=False, highlight=False)

    def handle(self, event: Event) -> None:
        """React to one engine event."""
        if isinstance(event, RunStarted):
            about = event.about or {}
            soft = about.get("logiciel", {}) if isinstance(about.get("logiciel"), dict) else {}
            self._say(f"{self.t['run']} {event.run_id} — {self.t['target']} {event.target} "
                               f"({soft.get('nom', '?')} {soft.get('version', '')}) — "
                               f"{event.total} {self.t['scenarios']}")
            if not self.plain:
                self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                         MofNCompleteColumn(), console=self.console, transient=True)
                self.progress.start()
                self.task = self.progress.add_task("", total=event.total)
        elif isinstance(event, ScenarioFinished):
            self._scenario_line(event)
        elif isinstance(event, RunFinished):
            if self.progress is not None:
                self.progress.stop()
            self.summary(event.result)
        elif isinstance(event, BundleWritten):
            self._say(f"{self.t['reports']}: {event.folder}/report.html, report.json, junit.xml, "
                      f"summary.md, manifest.json{' (+ manifest.sig)' if event.signed else ''}")

    def _scenario_line(self, event: ScenarioFinished) -> None:
        sc = event.result
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)
        style = _STYLE[sc.status]
        line = f"{_MARK[sc.status]} {sc.id:<24} {sc.title}"
        if sc.reason:
            line += f"  [{sc.reason}]"
        self._say(line, style=None if self.plain else style)
        for st in sc.steps:
            for c in st.checks:
                if c.status in ("fail", "error") or (self.verbose and c.status == "warn"):
                    where = c.location or f"{self.t['step']} {st.index + 1} {st.kind}"
                    self._say(f"    {_MARK[c.status]} {c.requirement} {c.check} "
                              f"[{self.t[c.severity]}] {where}: {c.message}")
            if st.status == "error" and st.message:
                self._say(f"    E {st.location or st.kind}: {st.message}")

    def summary(self, result: RunResult) -> None:
        """The final table and verdict."""
        t = self.t
        table = Table(title=None, show_lines=False)
        table.add_column(t["operation"])
        for sev in SEVERITIES:
            table.add_column(t[sev], justify="right")
        table.add_column(t["passed"], justify="right")
        for op, row in by_operation(result).items():
            if op in OPERATION_ORDER and any(row.values()):
                table.add_row(t.get(f"op.{op}", op), *[str(row[s]) for s in SEVERITIES], str(row["pass"]))
        self.console.print(table)
        counts = status_counts(result)
        sc, ck = counts["scenarios"], counts["checks"]
        self._say(f"{sc['total']} {t['scenarios']}: "
                  + ", ".join(f"{sc[s]} {t[s]}" for s in ("pass", "fail", "warn", "skip", "error"))
                  + f" — {ck['total']} {t['checks']}, {ck['pass']} {t['passed']}")
        for g in anomaly_groups(result):
            if len(g.scenarios) > 1:  # one cause seen in several scenarios: said once more, together
                self._say(f"{t['anomalies']} ×{len(g.scenarios)}: {g.requirement} {g.check} "
                          f"[{t[g.severity]}] — {g.message} [{', '.join(g.scenarios[:5])}"
                          f"{'…' if len(g.scenarios) > 5 else ''}]")
        for u in result.unverified():
            shown = [s for s in u.scenarios if s]
            where = f" [{', '.join(shown[:3])}{'…' if len(shown) > 3 else ''}]" if shown else ""
            self._say(f"{t['unverified']}: {u.requirement} ({t[u.severity]}) — {u.reason}{where}"
                      + (f" — {t['accepted']}" if u.accepted else ""))
        for scenario, _, c in result.known():
            self._say(f"{t['baseline_known']}: {c.requirement} {c.check} [{scenario.id}] — {c.baselined}")
        if result.baseline is not None:
            for label in result.baseline.expired:
                self._say(f"{t['baseline_expired']}: {label}")
            for label in result.baseline.stale:
                self._say(f"{t['baseline_stale']}: {label}")
        for fault in result.fuzz_only_faults:
            self._say(f"{t['warnings']}: {t['fuzz_only'].format(fault)}",
                      style=None if self.plain else "yellow")
        anomalies = len(result.anomalies())
        scope = None if result.partial is None else dataclasses.asdict(result.partial)
        known = len(result.known())
        said = qualifiers(known, result.baseline.file if result.baseline else "", scope,
                          list(result.fuzz_only_faults), t)
        self._say(f"{t['verdict']}: {', '.join([t[result.verdict], *said])} — {t['anomalies']}: {anomalies}"
                  + "".join(f" — {notice}" for notice in result.notices()),
                  style=None if self.plain else _VERDICT_STYLE[result.verdict])
