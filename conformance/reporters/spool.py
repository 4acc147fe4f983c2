"""The run's reports spooled as its scenarios finish: a run's memory does not grow with its size.

The spool is a handler like the others (after the redaction and localisation stage: it holds
only what the reports show). On each ``ScenarioFinished`` it appends that scenario's part of
report.json, junit.xml and coverage.csv, and its view for report.html and summary.md, to
private temporary files in the run folder (anonymous: never listed, gone with the process);
at ``RunFinished`` the report handlers write each file from them and the run's counts.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from conformance.engine.events import Event, ScenarioFinished
from conformance.engine.results import ScenarioResult

REPORTS = ("json", "junit", "html", "markdown", "coverage")
"""The handlers that write from the spool."""

_END = "\0"  # ends a spooled text: neither JSON nor XML 1.0 text holds a raw NUL


class SpoolBroken(ValueError):
    """The spool could not be written: the reports written from it would lack scenarios."""


class ReportSpool:
    """Each finished scenario's parts of the reports, on disk, for the report handlers."""

    def __init__(self, folder: Path, lang: str, evidence: bool, names: Sequence[str]) -> None:
        self.folder, self.lang, self.evidence = folder, lang, evidence
        self.names = frozenset(names)
        self.titles: dict[str, str] = {}  # each requirement's first check title (coverage.csv)
        self.failure = ""
        self._files: dict[str, IO[str]] = {}
        self._bundle: str | None = None
        self._started = False

    def handle(self, event: Event) -> None:
        """Spool a finished scenario's parts."""
        if not isinstance(event, ScenarioFinished):
            return
        try:
            self._add(event.result)
        except (OSError, ValueError) as exc:
            self.failure = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise

    def _add(self, sc: ScenarioResult) -> None:
        if not self._started:
            self.folder.mkdir(parents=True, exist_ok=True)
            if "junit" in self.names:
                from conformance.reporters.junit import attachment_base

                self._bundle = attachment_base(self.folder)[0]
            self._started = True
        if self.names & {"json", "html", "markdown"}:
            from conformance.reporters.jsonreport import scenario_dict, scenario_text

            data = scenario_dict(sc, self.evidence)
            if "json" in self.names:
                self._write("json", scenario_text(data) + _END)
            if self.names & {"html", "markdown"}:  # they never show a step's exchanges
                view = {**data, "steps": [{k: v for k, v in st.items() if k != "http"}
                                          for st in data["steps"]]}
                self._write("view", json.dumps(view, ensure_ascii=False, default=str) + "\n")
        if "junit" in self.names:
            from conformance.reporters.junit import suite_text

            self._write("junit", suite_text(sc, self.lang, self._bundle) + _END)
        if "coverage" in self.names:
            from conformance.reporters.coverage import scenario_rows

            self._write("coverage", json.dumps(scenario_rows(sc, self.titles), ensure_ascii=False) + "\n")

    def _write(self, part: str, text: str) -> None:
        out = self._files.get(part)
        if out is None:
            # closed by close(), at the end of the run: it lives across events
            out = self._files[part] = tempfile.TemporaryFile(  # noqa: SIM115
                "w+", encoding="utf-8", errors="surrogatepass", dir=self.folder, prefix=".spool-")
        out.seek(0, 2)  # after the end, whatever was read
        out.write(text)

    def _check(self) -> None:
        if self.failure:
            raise SpoolBroken(f"the reports' spool could not be written ({self.failure})")

    def texts(self, part: str) -> Iterator[str]:
        """The spooled texts of ``part`` ("json": report.json's scenarios, "junit": its
        <testsuite>s), in the order the scenarios finished."""
        out = self._reread(part)
        if out is None:
            return
        buffer = ""
        while chunk := out.read(1 << 16):
            *done, buffer = (buffer + chunk).split(_END)
            yield from done

    def scenarios(self) -> Iterable[dict[str, Any]]:
        """The scenarios as report.html and summary.md read them (without the exchanges), read
        again from the spool at each iteration."""
        self._check()
        return _Lines(self, "view")

    def coverage(self) -> Iterator[tuple[str, str, str, int]]:
        """coverage.csv's rows, unsorted."""
        for rows in _Lines(self, "coverage"):
            for req, sid, verdict, n in rows:
                yield str(req), str(sid), str(verdict), int(n)

    def lines(self, part: str) -> Iterator[Any]:
        """The JSON lines of ``part``."""
        out = self._reread(part)
        if out is None:
            return
        while line := out.readline():
            yield json.loads(line)

    def _reread(self, part: str) -> IO[str] | None:
        """``part``'s file from its start (None: nothing spooled); a broken spool raises."""
        self._check()
        out = self._files.get(part)
        if out is not None:
            out.flush()
            out.seek(0)
        return out

    def close(self) -> None:
        """Drop the spooled files (the reports are written)."""
        for out in self._files.values():
            out.close()
        self._files.clear()


class _Lines:
    """A part of the spool, iterable again and again (the page reads its scenarios several times)."""

    def __init__(self, spool: ReportSpool, part: str) -> None:
        self.spool, self.part = spool, part

    def __iter__(self) -> Iterator[Any]:
        return self.spool.lines(self.part)
