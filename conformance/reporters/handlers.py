"""Reporters as handlers of the event stream: one protocol, one registry, one redaction stage.

The session builds a ``Pipeline`` from handler names; every event is redacted once, then put
in the report's language once, before any handler (the console included) sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from conformance.engine.events import BundleWritten, Event, RunFinished
from conformance.engine.redaction import Redactor, redact_event
from conformance.reporters.localisation import localise_event
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


class _ReportFile:
    """Writes one report file from the final result."""

    def __init__(self, ctx: HandlerContext, write: Callable[[RunFinished, HandlerContext], None]) -> None:
        self.ctx, self.write = ctx, write

    def handle(self, event: Event) -> None:
        if isinstance(event, RunFinished):
            self.ctx.folder.mkdir(parents=True, exist_ok=True)
            self.write(event, self.ctx)


def _json(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.jsonreport import write_json

    write_json(event.result, ctx.folder / "report.json")


def _junit(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.junit import attachment_base, write_junit

    bundle, warning = attachment_base(ctx.folder)
    write_junit(event.result, ctx.folder / "junit.xml", bundle=bundle, warning=warning)


def _html(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.html import write_html
    from conformance.reporters.jsonreport import to_dict

    write_html(to_dict(event.result), ctx.folder, ctx.lang)


def _markdown(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.jsonreport import to_dict
    from conformance.reporters.markdown import render

    (ctx.folder / "summary.md").write_text(render(to_dict(event.result), lang=ctx.lang), encoding="utf-8")


def _coverage(event: RunFinished, ctx: HandlerContext) -> None:
    from conformance.reporters.coverage import render_csv

    (ctx.folder / "coverage.csv").write_text(render_csv(event.result), encoding="utf-8")


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
        self.handlers: list[tuple[str, Handler]] = [(n, HANDLERS[n](ctx)) for n in HANDLERS if n in names]
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
        return shown


__all__ = ["DEFAULT_HANDLERS", "HANDLERS", "BundleWritten", "Handler", "HandlerContext", "Pipeline"]
