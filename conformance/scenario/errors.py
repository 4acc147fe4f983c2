"""One error format for scenario files (after Hurl): title, location, excerpt, fix."""

from __future__ import annotations

import difflib
import functools
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pos:
    """A position in a scenario file, 1-based."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{_display(self.file)}:{self.line}:{self.col}"


class ScenarioError(Exception):
    """A located error in a scenario or fixture file; ``render()`` gives the user message."""

    def __init__(self, title: str, pos: Pos | None, hint: str = "", width: int = 1) -> None:
        super().__init__(title)
        self.title = title
        self.pos = pos
        self.hint = hint
        self.width = max(1, width)

    def render(self) -> str:
        """The message: ``error: title``, ``--> file:line:col``, the excerpt, the fix."""
        out = [f"error: {self.title}"]
        if self.pos is not None:
            out.append(f"  --> {self.pos}")
            line = _source_line(self.pos)
            if line is not None:
                gutter = " " * len(str(self.pos.line))
                shown, col = _window(line, self.pos.col)
                out += [
                    f"{gutter} |",
                    f"{self.pos.line} | {shown}",
                    f"{gutter} | {' ' * (col - 1)}{'^' * self.width}",
                ]
        if self.hint:
            out.append(f"  = {self.hint}")
        return "\n".join(out)


class ScenarioErrors(ScenarioError):
    """Every located error of a suite, found in one pass; ``render()`` lists them, then a count."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        first = errors[0]
        super().__init__(first.title, first.pos, first.hint, first.width)
        self.errors = errors

    def render(self) -> str:
        """Each error in the one format, then how many in how many files."""
        files = {e.pos.file for e in self.errors if e.pos is not None}
        body = "\n\n".join(e.render() for e in self.errors)
        if len(self.errors) == 1:
            return body
        return f"{body}\n\n{len(self.errors)} errors in {len(files)} file(s)"


def _display(file: str) -> str:
    """The path relative to the working folder when it lies inside it."""
    try:
        return _relative(file, os.getcwd())
    except OSError:  # the working folder is gone
        return file


@functools.lru_cache(maxsize=4096)
def _relative(file: str, cwd: str) -> str:
    # every check result carries its location: computed once per file, not once per check
    try:
        return str(Path(file).absolute().relative_to(cwd))
    except (ValueError, OSError, RuntimeError):  # outside the working folder, or a link loop
        return file


def _source_line(pos: Pos) -> str | None:
    """The line to show under the error, only from a regular file of a sane size (an error about
    a pipe, a device or a huge file must not read it)."""
    try:
        info = os.stat(pos.file)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 2_000_000:
            return None
        lines = Path(pos.file).read_text(encoding="utf-8", errors="replace").splitlines()
    except (OSError, RuntimeError, ValueError):
        return None
    return lines[pos.line - 1] if 0 < pos.line <= len(lines) else None


EXCERPT = 100  # characters of a line shown around the column (a bomb's line is 40,000 long)


def _window(line: str, col: int) -> tuple[str, int]:
    """The part of ``line`` shown under an error, and the column within it."""
    if len(line) <= EXCERPT:
        return line, col
    start = max(0, min(col - 1 - EXCERPT // 2, len(line) - EXCERPT))
    end = start + EXCERPT
    shown = ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
    return shown, col - start + (1 if start else 0)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'did you mean …?' for the closest choice, or the list of valid ones."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "expected one of: " + ", ".join(options) if options else ""
