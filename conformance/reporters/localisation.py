"""The localisation stage: every text of an event in the report's language, once, before any
handler (after the redaction stage). The engine carries ``Message``s (ids with parameters);
this stage renders each one by looking its id up — it never parses English. Any other text
(the target's own, a scenario's title) is kept as it is."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, TypeVar

from conformance.engine.events import (
    Event,
    RunFinished,
    RunStarted,
    ScenarioFinished,
    ScenarioStarted,
    StepFinished,
)
from conformance.engine.results import RunResult
from conformance.messages import Message, Text

T = TypeVar("T")


def _any(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, Text):
        return value(lang)
    if isinstance(value, Enum) or value is None or isinstance(value, str | bool | int | float | bytes):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init or f.name.startswith("_"):
                continue
            before = getattr(value, f.name)
            after = _any(before, lang)
            if after is not before:
                changes[f.name] = after
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
    if isinstance(event, ScenarioFinished | ScenarioStarted | RunStarted):
        return localise(event, lang)
    return event
