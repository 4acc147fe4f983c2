"""The localisation stage: every text of an event in the report's language, once, before any
handler (after the redaction stage). The engine carries ``Message``s (ids with parameters);
this stage renders each one by looking its id up — it never parses English. Any other text
(the target's own, a scenario's title) is kept as it is."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from conformance.engine.events import (
    Event,
    RunFinished,
    ScenarioFinished,
    ScenarioStarted,
    StepFinished,
)
from conformance.engine.results import CheckResult, RunResult, ScenarioResult, StepResult
from conformance.messages import Message, Text

T = TypeVar("T")


# the fields that may hold our messages, by record: nothing else is walked (a step's exchanges,
# the target's /about, a generated prescription are the target's or the scenario's own data)
_FIELDS: dict[type, tuple[str, ...]] = {
    CheckResult: ("title", "message", "expected", "observed", "diff", "hint"),
    StepResult: ("title", "message", "checks"),
    ScenarioResult: ("title", "reason", "steps"),
    RunResult: ("stopped", "scenarios"),
    ScenarioStarted: ("title",),
}


def _any(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, Text):
        return value(lang)
    fields = _FIELDS.get(type(value))
    if fields is not None:
        changes = {}
        for name in fields:
            before = getattr(value, name)
            after = _any(before, lang)
            if after is not before:
                changes[name] = after
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, list | tuple):
        items = [_any(v, lang) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        pairs = {k: _any(v, lang) for k, v in value.items()}
        return value if all(pairs[k] is v for k, v in value.items()) else pairs
    return value


def localise(record: T, lang: str) -> T:
    """``record`` (a result, an event) with every message in ``lang``; what holds no message
    is shared, not copied."""
    out: T = _any(record, lang)
    return out


def localise_event(event: Event, lang: str) -> Event:
    """``event`` with its check titles, hints, messages and reasons in ``lang``."""
    if isinstance(event, StepFinished):
        return StepFinished(event.scenario_id, localise(event.result, lang), event.evidence)
    if isinstance(event, RunFinished):
        result: RunResult = localise(event.result, lang)
        return RunFinished(dataclasses.replace(result, lang=lang))
    if isinstance(event, ScenarioFinished):
        return ScenarioFinished(localise(event.result, lang))
    if isinstance(event, ScenarioStarted):
        return localise(event, lang)
    return event
