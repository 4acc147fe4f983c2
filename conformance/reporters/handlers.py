"""Reporters as handlers of the event stream: one protocol, one registry, one redaction stage.

The session builds a ``Pipeline`` from handler names; every event is redacted once, then put
in the report's language once, before any handler (the console included) sees it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from conformance.engine.events import BundleWritten, Event, RunFinished, ScenarioFinished
from conformance.engine.redaction import Redactor, redact_event
from conformance.engine.results import RunResult, Tallying
from conformance.reporters.localisation import localise_event
from conformance.reporters.spool import REPORTS, ReportSpool
from conformance.vocabulary import Lang


class Handler(Protocol):
    """Reacts to engine events; never sees an unredacted one."""

    def handle(self, event: Event) -> None:
        """React to one event."""


@dataclass(frozen=True)
class HandlerContext:
    """What a handler factory may use: the run folder, the language, the console's stream."""

    folder: Path
    lang: Lang = Lang.FR
    verbose: bool = False
    stream: TextIO | None = None
    qr_zone: tuple[float, float] | None = None  # the profile's expected code zone (x ≤, y ≥ fractions)
    evidence: bool = False  # the run writes each step's evidence (report.json links it)
    spool: ReportSpool | None = None  # the reports' spool, shared by the report handlers


class _ReportFile:
    """Writes one report file at the end of the run, from the spool and the run's counts."""

    def __init__(self, ctx: HandlerContext, write: Callable[[RunFinished, HandlerContext], None]) -> None:
        self.ctx, self.write = ctx, write

    def handle(self, event: Event) -> None:
        if isinstance(event, RunFinished):
            self.ctx.folder.mkdir(parents=True, exist_ok=True)
            self.write(event, self.ctx)


def _spool(ctx: HandlerContext, event: RunFinished) -> ReportSpool:
    """The run's spool; a spool of the final result's scenarios when the handler was built
    outside a pipeline (its result then holds them whole)."""
    if ctx.spool is not None:
        return ctx.spool
    spool = ReportSpool(ctx.folder, str(ctx.lang), event.result.evidence, REPORTS)
    for sc in event.result.scenarios:
        spool.handle(ScenarioFinished(sc))
    return spool


def _json(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.jsonreport import head, write_streamed

    write_streamed(head(event.result), _spool(ctx, event).texts("json"), ctx.folder / "report.json")


def _junit(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.junit import attachment_base, write_streamed

    _, warning = attachment_base(ctx.folder)
    write_streamed(event.result, _spool(ctx, event).texts("junit"), ctx.folder / "junit.xml", warning)


def _html(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.html import write_html
    from conformance.reporters.jsonreport import head

    write_html({**head(event.result), "scenarios": _spool(ctx, event).scenarios()}, ctx.folder, ctx.lang)


def _markdown(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.jsonreport import head
    from conformance.reporters.markdown import render

    report = {**head(event.result), "scenarios": _spool(ctx, event).scenarios()}
    (ctx.folder / "summary.md").write_text(render(report, lang=ctx.lang), encoding="utf-8")


def _coverage(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.coverage import write_streamed

    spool = _spool(ctx, event)
    write_streamed(spool.coverage(), spool.titles, ctx.folder / "coverage.csv")


def write_reports(result: RunResult, folder: Path, lang: Lang) -> None:
    """report.json, junit.xml, report.html and summary.md of a whole result (a merge of
    shards), through the same spool and writers as a run."""
    spool = ReportSpool(folder, str(lang), result.evidence, ("json", "junit", "html", "markdown"))
    try:
        tally = Tallying()
        kept = []
        for sc in result.scenarios:
            spool.handle(ScenarioFinished(sc))
            kept.append(tally.add(sc))  # spooled: the result keeps what a run keeps
        ctx = HandlerContext(folder, lang, evidence=result.evidence, spool=spool)
        final = RunFinished(dataclasses.replace(result, scenarios=tuple(kept), tally=tally.freeze()))
        for write in (_json, _junit, _html, _markdown):
            write(final, ctx)
    finally:
        spool.close()


def _console(ctx: HandlerContext) -> Handler:
    from conformance.reporters.console import ConsoleReporter

    return ConsoleReporter(ctx.lang, stream=ctx.stream, verbose=ctx.verbose)


def _evidence(ctx: HandlerContext) -> Handler:
    from conformance.evidence.writer import EvidenceWriter

    return EvidenceWriter(ctx.folder, ctx.qr_zone)


HANDLERS: dict[str, Callable[[HandlerContext], Handler]] = {
    "evidence": _evidence,
    "json": lambda ctx: _ReportFile(ctx, _json),
    "junit": lambda ctx: _ReportFile(ctx, _junit),
    "html": lambda ctx: _ReportFile(ctx, _html),
    "markdown": lambda ctx: _ReportFile(ctx, _markdown),
    "coverage": lambda ctx: _ReportFile(ctx, _coverage),
    "console": _console,
}
"""Every handler by name, in the order they hear an event (files before the console's verdict)."""

DEFAULT_HANDLERS = tuple(HANDLERS)


class Pipeline:
    """The redaction stage followed by the handlers, in registry order."""

    def __init__(self, redactor: Redactor, names: Sequence[str], ctx: HandlerContext,
                 extra: Sequence[Handler] = ()) -> None:
        unknown = [n for n in names if n not in HANDLERS]
        if unknown:
            raise ValueError(f"unknown handler(s): {', '.join(unknown)}")
        self.redactor = redactor
        self.lang = str(ctx.lang)
        self.spool: ReportSpool | None = None
        if any(n in names for n in REPORTS):  # the reports are spooled as the scenarios finish
            self.spool = ReportSpool(ctx.folder, self.lang, ctx.evidence, names)
            ctx = dataclasses.replace(ctx, spool=self.spool)
        self.handlers: list[tuple[str, Handler]] = [(n, HANDLERS[n](ctx)) for n in HANDLERS if n in names]
        if self.spool is not None:
            self.handlers.insert(0, ("reports", self.spool))
        self.handlers += [(type(h).__name__, h) for h in extra]
        self.failures: list[str] = []  # handlers that could not do their part, and why

    def handle(self, event: Event) -> Event:
        """Redact ``event`` once, put it in the report's language, hand it to every handler;
        return what they saw. A handler that fails (a full or read-only disk, a closed pipe) is
        set aside with its reason: the others still write what they can."""
        shown = localise_event(redact_event(self.redactor, event), self.lang)
        for name, handler in list(self.handlers):
            try:
                handler.handle(shown)
            except (OSError, ValueError) as exc:
                self.handlers.remove((name, handler))
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                self.failures.append(f"{name}: {reason}")
        if isinstance(event, RunFinished) and self.spool is not None:
            self.spool.close()  # every report is written
        return shown


__all__ = ["DEFAULT_HANDLERS", "HANDLERS", "BundleWritten", "Handler", "HandlerContext", "Pipeline"]
