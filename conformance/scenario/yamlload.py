"""A safe, line-aware YAML loader: values plus the position of every node, no duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from conformance.nesting import TooDeep, check_yaml, yaml_levels
from conformance.scenario.errors import Pos, ScenarioError

MAX_BYTES = 1_000_000
MAX_NODES = 100_000

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """A loaded document and the position of each value, keyed by its path."""

    value: Any
    file: str
    positions: dict[Path_, Pos] = field(default_factory=dict)

    def pos(self, path: Path_) -> Pos:
        """Position of ``path``, or of its closest located ancestor."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, Pos(self.file, 1, 1))


def _pos(file: str, node: yaml.Node) -> Pos:
    return Pos(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[Path_, Pos] = {}
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise ScenarioError("document too large", _pos(self.file, node),
                                f"a scenario file holds at most {MAX_NODES} values")
        self.positions[path] = _pos(self.file, node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError("merge keys (<<) are not supported", _pos(self.file, key_node),
                                    "write the keys out in full")
            key = self.constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ScenarioError(f"key {key!r} is not text", _pos(self.file, key_node),
                                    "quote the key")
            if key in out:
                raise ScenarioError(f"duplicate key '{key}'", _pos(self.file, key_node),
                                    "each key may appear once in a mapping; remove one",
                                    width=len(key))
            self.positions[(*path, f"{key}#key")] = _pos(self.file, key_node)
            out[key] = self.build(value_node, (*path, key))
        return out


# libyaml's parser when PyYAML has it (about 4× faster); a document it refuses is parsed again by
# the pure-Python one, whose messages the error format quotes.
_FAST: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def too_deep(exc: TooDeep, file: str) -> ScenarioError:
    """The located error of a YAML file nested past the limit."""
    return ScenarioError(f"nested deeper than {exc.limit} levels", Pos(file, exc.line, exc.column),
                         "a scenario, a fixture or a profile needs a dozen levels: flatten this value")


def _check_aliases(text: str, file: str, loader: Any) -> None:
    """No anchors or aliases, and no nesting past MAX_DEPTH as the parser itself sees it (the
    events come one by one: a bomb stops at its 65th level)."""
    for event in yaml_levels(yaml.parse(text, Loader=loader)):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise ScenarioError("anchors and aliases are not supported",
                                Pos(file, mark.line + 1, mark.column + 1) if mark else None,
                                "write the value out in full (aliases can build YAML bombs)")


def load_text(text: str, file: str) -> list[Located]:
    """Every document of a YAML text, with positions; ScenarioError on any problem."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise ScenarioError("file too large", Pos(file, 1, 1), f"at most {MAX_BYTES} bytes")
    try:
        check_yaml(text)  # before any parser: PyYAML's spent 12 s on 20,000 nested brackets
    except TooDeep as exc:
        raise too_deep(exc, file) from None
    if _FAST is not None:
        try:
            return _load(text, file, _FAST)
        except ScenarioError as exc:
            if not isinstance(exc.__cause__, yaml.YAMLError):
                raise
            # not YAML: parsed again below, for the pure-Python parser's words
    return _load(text, file, yaml.SafeLoader)


def _load(text: str, file: str, loader: Any) -> list[Located]:
    try:
        _check_aliases(text, file, loader)
        nodes = list(yaml.compose_all(text, Loader=loader))
        docs = []
        for node in nodes:
            if node is None:
                continue
            builder = _Builder(file)
            value = builder.build(node, ())
            docs.append(Located(value, file, builder.positions))
        return docs
    except TooDeep as exc:
        raise too_deep(exc, file) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(file, mark.line + 1, mark.column + 1) if mark else Pos(file, 1, 1)
        raise ScenarioError(f"YAML syntax: {exc.problem or exc.context}", pos,
                            "check indentation, colons and quotes around this place") from exc
    except yaml.YAMLError as exc:
        raise ScenarioError(f"YAML error: {exc}", Pos(file, 1, 1)) from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ScenarioError(f"unreadable value: {exc}", Pos(file, 1, 1),
                            "quote values such as dates and codes") from exc

