"""Reading suite files safely: the size is checked before reading, only regular files are read,
links stay inside the suite's root, and every failure is a located error (never a hang, an
out-of-memory or a traceback: a FIFO, /dev/zero, a 2 GiB sparse file, a link loop, a name too
long for the file system)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from conformance.scenario.errors import Pos, ScenarioError
from conformance.scenario.yamlload import MAX_BYTES

SUFFIXES = (".yaml", ".yml")


def _error(title: str, path: Path, hint: str = "") -> ScenarioError:
    return ScenarioError(title, Pos(str(path), 1, 1), hint)


def read_text(path: Path, root: Path | None = None) -> str:
    """The UTF-8 text of a suite file, checked before it is read."""
    try:
        real = path.resolve(strict=True)
        info = os.stat(real)
    except RuntimeError as exc:  # a link loop (Python 3.11)
        raise _error(f"cannot read {path}: a link loop", path) from exc
    except OSError as exc:
        raise _error(f"cannot read {path}: {exc.strerror or exc}", path) from exc
    if root is not None:
        base = root.resolve()
        if real != base and base not in real.parents:
            raise _error(f"{path} links outside the suite ({real})", path,
                         "keep scenario and fixture files (and their links) inside the suite's folder")
    if not stat.S_ISREG(info.st_mode):
        raise _error(f"{path} is not a regular file", path, "give YAML files, not devices or pipes")
    if info.st_size > MAX_BYTES:
        raise _error("file too large", path, f"at most {MAX_BYTES} bytes")
    with real.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _error("file too large", path, f"at most {MAX_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioError(f"not UTF-8: byte 0x{data[exc.start]:02x}", Pos(str(path), line, col),
                            "save the file in UTF-8") from exc


def walk(root: Path) -> Iterator[Path]:
    """Every YAML file under ``root``, in a stable order, following links to folders that stay
    inside it (each real folder once: no loop)."""
    base = root.resolve()
    seen: set[Path] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = Path(folder).resolve()
        if real in seen or (real != base and base not in real.parents):
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        for name in sorted(files):
            if name.endswith(SUFFIXES):
                yield Path(folder) / name
