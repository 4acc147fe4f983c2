"""How deeply a text we read may nest, checked before it is parsed: JSON from a target, the
YAML of scenarios, fixtures, profiles and inputs, the XML of a CDA document to come.

Parsers spend more than linear time, or recursion, on deep nesting (PyYAML's pure-Python scanner
took 12 s on 20,000 ``[``; a recursive builder overflows), so each format gets a linear
pre-scan that finds the first construct past ``MAX_DEPTH`` and says where it is
(``TooDeep``: line and column, 1-based). The pre-scans are lexical: JSON's and XML's follow
the grammar exactly (strings, comments, CDATA, attribute values skipped); YAML's is a
conservative reading of flow brackets and block indentation, and the YAML loader also counts
the parser's own events, which no quoting trick can steer (``yaml_levels``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Any

import yaml

# 64 levels: a prescription (patient, lines, dosage, its periods…) nests about 8 deep, a
# scenario about 10, a profile's JSON Schema about 12 and a CDA document 15 to 25; 64 leaves
# every real file room, and refuses a bomb after 64 steps of work whatever its size.
MAX_DEPTH = 64


class TooDeep(ValueError):
    """A text nests past the limit; ``line`` and ``column`` (1-based) locate the first
    construct beyond it."""

    def __init__(self, what: str, limit: int, line: int, column: int) -> None:
        super().__init__(f"{what} nested deeper than {limit} levels (line {line}, column {column})")
        self.what, self.limit, self.line, self.column = what, limit, line, column


def _located(text: str | bytes, offset: int, what: str, limit: int) -> TooDeep:
    newline: Any = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(newline, 0, offset) + 1
    return TooDeep(what, limit, line, offset - (text.rfind(newline, 0, offset) + 1) + 1)


# --- JSON: strings are the only place a bracket is not structure ---------------------------------

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)
_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def check_json(data: str | bytes, limit: int = MAX_DEPTH) -> None:
    """TooDeep when ``data`` (JSON) nests past ``limit``; says nothing of anything else (the
    parser that follows judges the syntax)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the usual answer: nothing to count
        return
    # strings out, then only brackets: the running depth in C-speed passes, a chunk at a time
    # (a bomb is seen in its first chunk)
    brackets = _JSON_STRING.sub(b'""', raw).translate(None, _BRACKETS)
    depth, chunk = 0, 1 << 16
    for at in range(0, len(brackets), chunk):
        levels = list(accumulate(map(_STEP.__getitem__, brackets[at:at + chunk]), initial=depth))
        if max(levels) > limit:
            break
        depth = levels[-1]
    else:
        return
    depth = 0
    for m in _JSON_TOKEN.finditer(raw):  # the slow walk, only to say where
        token = m.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise _located(raw, m.start(), "JSON", limit)
        elif token in (b"]", b"}"):
            depth -= 1


# --- XML: elements; comments, CDATA, processing instructions, the DOCTYPE and quoted attribute
# values are skipped. An unterminated construct runs to the end (so the scan stays linear).

_XML_TOKEN = re.compile(
    rb"<!--(?:.*?-->|.*)|<!\[CDATA\[(?:.*?\]\]>|.*)|<\?(?:.*?\?>|.*)"
    rb"|<!(?:[^\[>]|\[[^\]]*\])*>?"
    rb"|</[^<>]*>?"
    rb"|<[^!?/<>](?:[^<>\"']|\"[^\"<]*\"|'[^'<]*')*>?", re.S)


def check_xml(data: str | bytes, limit: int = MAX_DEPTH) -> None:
    """TooDeep when ``data`` (XML) nests elements past ``limit``."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    depth = 0
    for m in _XML_TOKEN.finditer(raw):
        token = m.group()
        if token[1:2] == b"/":
            depth = max(0, depth - 1)
        elif token[1:2] not in (b"!", b"?"):
            if depth + 1 > limit:  # an empty element (<a/>) stands at that depth too
                raise _located(raw, m.start(), "XML", limit)
            depth += not token.endswith(b"/>")


# --- YAML -----------------------------------------------------------------------------------------

_YAML_MARK = re.compile(r"[\[\]{}'\"#]")
_DOUBLE_QUOTED_END = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"')
_BLOCK_SCALAR = re.compile(r"(?:^|[ \t:-])[|>][0-9+-]*[ \t]*(?:[ \t]#.*)?$")  # key: |, - >-
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_TOKEN_START = "[{,:-?"  # after these (or at a value's start) a quote or a bracket opens something


def check_yaml(text: str, limit: int = MAX_DEPTH) -> None:
    """TooDeep when ``text`` (YAML) nests past ``limit`` by flow brackets and block indentation,
    read lexically in one pass. Conservative where YAML is subtle (a continuation line counts
    as a level): a real file stays far below the limit, and one crafted to slip under it is
    still refused by ``yaml_levels`` over the parser's own events."""
    indents: list[int] = []
    flow, quote = 0, ""
    scalar_indent = -1  # inside a block scalar (| or >): the lines indented deeper are its text
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        start, block = 0, len(indents)
        if not quote and flow == 0:
            content = line.lstrip(" ")
            indent = len(line) - len(content)
            if not content.strip() or content.startswith("#") or (0 <= scalar_indent < indent):
                continue
            scalar_indent = -1
            if indent == 0 and content.startswith(("---", "...", "%")):
                indents = []  # a new document (or a directive): its own levels
                start = 3
            else:
                while indents and indents[-1] > indent:
                    indents.pop()
                if not indents or indents[-1] < indent:
                    indents.append(indent)
                start = indent
            while len(indents) <= limit and line.startswith(("- ", "? ", ": "), start):
                start += 2  # "- - x": a level per entry
                while line.startswith(" ", start):
                    start += 1
                indents.append(start)
            block = len(indents)
            if block > limit:
                raise TooDeep("YAML", limit, number, start + 1)
        flow, quote = _scan_line(line, start, flow, quote, block, limit, number)
        if not flow and not quote and _BLOCK_SCALAR.search(line, start):
            scalar_indent = len(line) - len(line.lstrip(" "))


def _scan_line(line: str, pos: int, flow: int, quote: str, block: int, limit: int,
               number: int) -> tuple[int, str]:
    """Flow brackets and quoted scalars on one line from ``pos``; returns the state carried on
    to the next line. Linear: the text between two marks is looked at once."""
    prev = ""  # the last non-blank character before the mark (none: a value starts here)
    while pos < len(line):
        if quote == "'":
            end = line.find("'", pos)
            while end >= 0 and line.startswith("''", end):  # '' is a quote inside the scalar
                end = line.find("'", end + 2)
            if end < 0:
                return flow, quote
            quote, prev, pos = "", "'", end + 1
            continue
        if quote == '"':
            m = _DOUBLE_QUOTED_END.match(line, pos)
            if m is None:
                return flow, quote
            quote, prev, pos = "", '"', m.end()
            continue
        m = _YAML_MARK.search(line, pos)
        if m is None:
            return flow, quote
        ch, at = m.group(), m.start()
        words = line[pos:at].split()
        while words and words[-1][0] in "!&":  # a tag or an anchor: the value starts after it
            words.pop()
        if words:
            prev = words[-1][-1]
        if ch == "#" and (at == 0 or line[at - 1] in " \t"):
            return flow, quote  # a comment: the rest of the line
        opens = not prev or prev in _TOKEN_START
        if ch in "'\"" and opens:
            quote = ch
        elif ch in "[{" and (flow or opens):
            flow += 1
            if block + flow > limit:
                raise TooDeep("YAML", limit, number, at + 1)
        elif ch in "]}" and flow:
            flow -= 1
        prev, pos = ch, at + 1
    return flow, quote


def yaml_levels(events: Iterable[Any], limit: int = MAX_DEPTH) -> Iterator[Any]:
    """The parser's events, passed on, counting collections as they open: TooDeep at the first
    one past ``limit`` (exact, whatever the lexical pre-scan made of the text). Lazy: a parser
    fed event by event stops there."""
    depth = 0
    for event in events:
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > limit:
                mark = event.start_mark
                raise TooDeep("YAML", limit, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1
        yield event


class NestedTooDeep(yaml.MarkedYAMLError):
    """A YAML text nested past the limit, as the YAML errors its readers already locate."""


def _marked(exc: TooDeep) -> NestedTooDeep:
    mark = yaml.Mark("<unicode string>", 0, exc.line - 1, exc.column - 1, None, 0)
    return NestedTooDeep(problem=f"nested deeper than {exc.limit} levels", problem_mark=mark)


class _Guarded(yaml.SafeLoader):
    """PyYAML's safe loader, counting collections as its composer takes them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._levels = yaml_levels(self._events())

    def _events(self) -> Iterator[Any]:
        while True:
            yield super().get_event()  # type: ignore[no-untyped-call]  # PyYAML's, untyped

    def get_event(self) -> Any:
        try:
            return next(self._levels)
        except TooDeep as exc:
            raise _marked(exc) from None


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` under the limit, for the YAML files read whole (profiles, baselines,
    bilan inputs): nesting past it is refused before parsing and while composing, as a
    ``yaml.MarkedYAMLError`` (``NestedTooDeep``) that their readers already locate."""
    try:
        check_yaml(text)
    except TooDeep as exc:
        raise _marked(exc) from None
    return yaml.load(text, Loader=_Guarded)  # a SafeLoader: no Python objects
