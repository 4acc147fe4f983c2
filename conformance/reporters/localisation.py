"""The localisation stage: every text of an event in the report's language, once, before any
handler (after the redaction stage). The engine speaks English; reports speak one language."""

from __future__ import annotations

import dataclasses

from conformance.catalogue import hint, title, translate
from conformance.engine.events import Event, RunFinished, ScenarioFinished, StepFinished
from conformance.engine.results import CheckResult, RunResult, ScenarioResult, StepResult


def _check(c: CheckResult, lang: str) -> CheckResult:
    return dataclasses.replace(c, message=translate(c.message, lang), title=title(c.check, c.title, lang),
                               hint=hint(c.check, c.hint, lang) if c.hint else c.hint)


def _step(st: StepResult, lang: str) -> StepResult:
    return dataclasses.replace(st, message=translate(st.message, lang),
                               checks=tuple(_check(c, lang) for c in st.checks))


def _scenario(sc: ScenarioResult, lang: str) -> ScenarioResult:
    return dataclasses.replace(sc, reason=translate(sc.reason, lang),
                               steps=tuple(_step(st, lang) for st in sc.steps))


def _run(result: RunResult, lang: str) -> RunResult:
    return dataclasses.replace(result, lang=lang, stopped=translate(result.stopped, lang),
                               scenarios=tuple(_scenario(sc, lang) for sc in result.scenarios))


def localise_event(event: Event, lang: str) -> Event:
    """``event`` with its check titles, hints, messages and reasons in ``lang``."""
    if isinstance(event, StepFinished):
        return StepFinished(event.scenario_id, _step(event.result, lang), event.evidence)
    if isinstance(event, ScenarioFinished):
        return ScenarioFinished(_scenario(event.result, lang))
    if isinstance(event, RunFinished):
        return RunFinished(_run(event.result, lang))
    return event
