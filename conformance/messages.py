"""Texts in both report languages: ``Text`` (a fixed text), ``Message`` (a message by id with
parameters) and ``Messages`` (a table of templates under a namespace).

A message is declared once, with one template per language, beside the code that says it (a
check's declaration, a module's table). The engine carries a ``Message``: a ``str`` whose value
is the English rendering (what logs and tests read) and which remembers its id and parameters,
so that the localisation stage renders it again in the report's language by *looking its id
up* — it never parses English. Parameters are data (an id, a status, the target's own text,
quoted as such) or messages themselves (rendered in the same language).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

LANGS = ("fr", "en")


@dataclass(frozen=True)
class Text:
    """A fixed text in French and English (a title, a hint, a label)."""

    fr: str
    en: str

    def __call__(self, lang: str) -> str:
        """The text in ``lang`` (French unless English is asked for)."""
        return self.en if lang == "en" else self.fr


# every template of the harness, by message id ("namespace.key")
TEMPLATES: dict[str, Text] = {}
LITERAL: set[str] = set()  # ids whose text has no parameter (braces in it are text)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _render(template: str, params: Mapping[str, Any], lang: str) -> str:
    return template.format_map({k: render(v, lang) for k, v in params.items()})


def render(value: Any, lang: str) -> str:
    """``value`` as text in ``lang``: a message by its template, anything else as it is."""
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, Text):
        return value(lang)
    return str(value)


class Message(str):
    """A message by id with parameters; its ``str`` value is the English rendering."""

    id: str
    params: tuple[tuple[str, Any], ...]

    def __new__(cls, id: str, params: Mapping[str, Any] | None = None) -> Message:
        template = TEMPLATES.get(id)
        if template is None:
            raise KeyError(f"unknown message id {id!r}")
        values = dict(params or {})
        if id in LITERAL:
            english = template.en
        else:
            missing = _fields(template.en) - values.keys()
            if missing:
                raise KeyError(f"message {id!r} needs {sorted(missing)}")
            english = _render(template.en, values, "en")
        self = super().__new__(cls, english)
        self.id = id
        self.params = tuple(values.items())
        return self

    def __reduce__(self) -> tuple[Callable[..., Message], tuple[str, dict[str, Any]]]:
        return (Message, (self.id, dict(self.params)))

    def render(self, lang: str) -> str:
        """This message in ``lang`` (its parameters rendered in turn)."""
        if lang == "en":
            return str.__str__(self)
        if self.id in LITERAL:
            return TEMPLATES[self.id](lang)
        return _render(TEMPLATES[self.id](lang), dict(self.params), lang)

    def map(self, fn: Callable[[Any], Any]) -> Message:
        """The same message with ``fn`` applied to each parameter (redaction); self when
        nothing changed."""
        changed = {k: fn(v) for k, v in self.params}
        if all(changed[k] is v for k, v in self.params):
            return self
        return Message(self.id, changed)


class Messages:
    """The templates of one namespace (a check, a module); calling it makes a ``Message``."""

    def __init__(self, namespace: str, templates: Mapping[str, Text],
                 literal: Mapping[str, Text] | None = None) -> None:
        self.namespace = namespace
        for key, text in templates.items():
            declare(f"{namespace}.{key}", text)
        for key, text in (literal or {}).items():
            declare(f"{namespace}.{key}", text, literal=True)
        self.keys = frozenset(templates) | frozenset(literal or {})

    def __call__(self, key: str, **params: Any) -> Message:
        """The message ``key`` of this namespace with ``params``."""
        return Message(f"{self.namespace}.{key}", params)


def declare(message_id: str, text: Text, literal: bool = False) -> None:
    """Register one template (``literal``: a text with no parameter, braces included); both
    languages must name the same parameters."""
    if message_id in TEMPLATES and TEMPLATES[message_id] != text:
        raise ValueError(f"message {message_id} declared twice")
    if literal:
        LITERAL.add(message_id)
    elif _fields(text.fr) != _fields(text.en):
        raise ValueError(f"message {message_id}: French and English name different parameters "
                         f"({sorted(_fields(text.fr))} / {sorted(_fields(text.en))})")
    TEMPLATES[message_id] = text


__all__ = ["LANGS", "TEMPLATES", "Message", "Messages", "Text", "declare", "render"]
