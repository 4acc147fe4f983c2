"""The journal is the campaign: append-only JSON lines, each chained to the previous line's SHA-256.

Every state is rebuilt from it; a line is written whole (one ``write`` under an exclusive lock,
then ``fsync``), so killing a writer at any moment leaves at most a torn last line (no newline).
Readers ignore it; the next writer, under the lock, sets its bytes aside in a file named by
its SHA-256 (for the auditor), cuts the journal back to its last whole line and journals the
repair (``repaired``) before its own entry. A torn line anywhere but at the end is an edit."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JOURNAL = "journal.jsonl"
GENESIS = "0" * 64
EVENTS = ("started", "shown", "received", "attributed", "unattributed", "judged", "confirmed",
          "skipped", "replaced", "accepted-change", "closed", "repaired")
MAX_LINE = 4_000_000
TORN = "artefacts/journal"  # where a torn last line's bytes are kept


class JournalError(Exception):
    """The journal cannot be read as a chain (named line and reason)."""


def line_hash(line: bytes) -> str:
    """SHA-256 of one journal line, without its newline."""
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def now() -> str:
    """UTC time, ISO 8601 to the millisecond."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def append(folder: Path, tester: str, event: str, step: str | None = None, **fields: Any) -> dict[str, Any]:
    """Append one entry chained to the last line; returns it."""
    if event not in EVENTS:
        raise ValueError(f"unknown journal event {event!r}")
    path = folder / JOURNAL
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # watch and confirm may write at the same time
        torn = _set_aside(folder, fd)
        if torn is not None:
            _write(fd, path, tester, None, "repaired", {
                "artefact": torn, "note": f"a writer was killed mid-line: its {torn['bytes']} byte(s) "
                                          "were set aside, unread, and the journal goes on from its "
                                          "last whole line"})
        return _write(fd, path, tester, step, event, fields)
    finally:
        os.close(fd)


def _write(fd: int, path: Path, tester: str, step: str | None, event: str,
           fields: dict[str, Any]) -> dict[str, Any]:
    seq, prev = _tail(path)
    entry: dict[str, Any] = {"seq": seq, "at": now(), "tester": tester, "step": step, "event": event}
    entry.update({k: v for k, v in fields.items() if v is not None})
    entry["prev"] = prev
    data = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    os.write(fd, data)
    os.fsync(fd)
    return entry


def _set_aside(folder: Path, fd: int) -> dict[str, Any] | None:
    """A torn last line (bytes after the last newline): kept in ``artefacts/journal/`` and cut
    from the journal (the lock is held); its artefact record, or None when the journal is whole."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    with open(os.dup(fd), "rb") as handle:
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return None
        handle.seek(0)
        whole = handle.read()
    keep = whole.rfind(b"\n") + 1
    torn = whole[keep:]
    sha = hashlib.sha256(torn).hexdigest()
    where = f"{TORN}/torn-{sha}.bin"
    target = folder / where
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(torn)  # kept before the journal is cut: a kill between loses nothing
    os.replace(partial, target)
    os.ftruncate(fd, keep)
    os.fsync(fd)
    return {"sha256": sha, "name": f"{JOURNAL} (torn last line)", "bytes": len(torn), "path": where}


def _tail(path: Path) -> tuple[int, str]:
    """The next sequence number and the hash of the last whole line."""
    lines = [ln for ln in _raw_lines(path) if ln.endswith(b"\n")]
    if not lines:
        return 0, GENESIS
    last = json.loads(lines[-1])
    return int(last["seq"]) + 1, line_hash(lines[-1])


def _raw_lines(path: Path) -> list[bytes]:
    try:
        with path.open("rb") as handle:
            return handle.readlines()
    except FileNotFoundError:
        return []


@dataclass(frozen=True)
class Problem:
    """One break of the chain: the line (1-based) and what is wrong."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"{JOURNAL} line {self.line}: {self.message}"


def read(folder: Path) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Every entry, and every place the chain breaks (an edited, deleted or inserted line)."""
    entries: list[dict[str, Any]] = []
    problems: list[Problem] = []
    prev, expected_seq = GENESIS, 0
    for number, raw in enumerate(_raw_lines(folder / JOURNAL), start=1):
        if not raw.endswith(b"\n"):
            break  # a torn last line (a writer was killed): the next writer sets it aside
        try:
            entry = json.loads(raw) if len(raw) <= MAX_LINE else None
        except ValueError:
            entry = None
        if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
            problems.append(Problem(number, "not a journal entry (edited)"))
            prev = line_hash(raw)
            continue
        if entry.get("prev") != prev:
            if entry["seq"] != expected_seq:
                problems.append(Problem(number, f"sequence {entry['seq']} where {expected_seq} was "
                                                "expected: a line was deleted or inserted before it"))
            elif number > 1:
                problems.append(Problem(number - 1, "edited: the next line's 'prev' no longer matches it"))
            else:
                problems.append(Problem(number, "the first line does not start the chain (edited)"))
        entries.append(entry)
        prev, expected_seq = line_hash(raw), entry["seq"] + 1
    return entries, problems


def torn(folder: Path) -> int:
    """The bytes of a torn last line still in the journal (0 when it ends whole)."""
    lines = _raw_lines(folder / JOURNAL)
    return len(lines[-1]) if lines and not lines[-1].endswith(b"\n") else 0


def last_hash(folder: Path) -> str:
    """SHA-256 of the last whole line (recorded by ``close`` in the manifest: the head of the chain)."""
    return _tail(folder / JOURNAL)[1]
