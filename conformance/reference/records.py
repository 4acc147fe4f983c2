"""The reference's own records: its prescriptions (by id, or by local reference in degraded
mode), when each was registered, the prescribers it saw and the DMP copies it sent.

They live in a private on-disk SQLite database (``""``: deleted when closed), as a real
prescribing software keeps them in its database: SQLite's page cache is bounded, so a run of
thousands of prescriptions does not hold them in the process's memory (a dict of records was
the largest thing growing in an embedded run)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from typing import Any

from conformance.reference.printing import PaperOptions

_SCHEMA = """
CREATE TABLE records (key TEXT PRIMARY KEY, record TEXT NOT NULL, registered_at REAL);
CREATE TABLE prescribers (rpps TEXT PRIMARY KEY, am TEXT, finess TEXT);
CREATE TABLE dmp (key TEXT PRIMARY KEY, document BLOB NOT NULL);
"""


def _encode(record: dict[str, Any]) -> str:
    paper = record.get("paper")
    out = {**record}
    if isinstance(paper, PaperOptions):
        out["paper"] = {"payload": paper.payload, "number": paper.number,
                        "informed_on": paper.informed_on, "faults": sorted(paper.faults)}
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def _decode(text: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(text)
    paper = record.get("paper")
    if isinstance(paper, dict):
        record["paper"] = PaperOptions(paper["payload"], paper["number"], paper["informed_on"],
                                       frozenset(paper["faults"]))
    return record


class Records:
    """Records by key, read back as fresh dicts (a change is kept by ``put`` only)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        # a small page cache (512 KiB, not 2 MiB): a long run's records are read back from the
        # file, not held in memory as they grow
        self._db.execute("PRAGMA cache_size = -512")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close (and so delete) the database."""
        with self._lock:
            self._db.close()

    def get(self, key: str) -> dict[str, Any] | None:
        """The record kept under ``key`` (an id or a local reference), or None."""
        with self._lock:
            row = self._db.execute("SELECT record FROM records WHERE key=?", (key,)).fetchone()
        return None if row is None else _decode(row[0])

    def put(self, key: str, record: dict[str, Any], *, registered: bool = False) -> None:
        """Keep ``record`` under ``key``; ``registered``: EP4 registered it now."""
        with self._lock:
            self._db.execute(
                "INSERT INTO records VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "record=excluded.record, registered_at=COALESCE(excluded.registered_at, registered_at)",
                (key, _encode(record), time.monotonic() if registered else None))

    def registered_at(self, key: str) -> float:
        """The monotonic time EP4 registered ``key`` (0.0 when it did not)."""
        with self._lock:
            row = self._db.execute("SELECT registered_at FROM records WHERE key=?", (key,)).fetchone()
        return float(row[0]) if row is not None and row[0] is not None else 0.0

    def prescriber(self, rpps: str) -> dict[str, Any]:
        """What the reference saw of the prescriber ``rpps`` (AM and FINESS), or {}."""
        with self._lock:
            row = self._db.execute("SELECT am, finess FROM prescribers WHERE rpps=?", (rpps,)).fetchone()
        return {} if row is None else {"am": row[0], "finess": row[1]}

    def saw_prescriber(self, rpps: str, am: str | None, finess: str | None) -> None:
        """The prescriber ``rpps`` prescribed with this AM and FINESS."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO prescribers VALUES (?, ?, ?)", (rpps, am, finess))

    def dmp(self, key: str) -> bytes | None:
        """The DMP copy sent for ``key``, or None."""
        with self._lock:
            row = self._db.execute("SELECT document FROM dmp WHERE key=?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def sent_dmp(self, key: str, document: bytes) -> None:
        """Keep the DMP copy sent for ``key`` (the same bytes on every read)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO dmp VALUES (?, ?)", (key, document))
