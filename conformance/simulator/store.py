"""SQLite store of the simulator: prescriptions, executions and the journal of calls."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS prescriptions (
    id TEXT PRIMARY KEY,
    prescriber_rpps TEXT NOT NULL,
    patient_ins TEXT NOT NULL,
    date TEXT NOT NULL,
    registered_at REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    prescription_id TEXT NOT NULL,
    at REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    operation TEXT NOT NULL,
    prescription_id TEXT,
    context TEXT NOT NULL,
    request TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL
);
"""


class Store:
    """Thread-safe SQLite persistence; ``:memory:`` by default, a file survives restarts."""

    def __init__(self, path: str = ":memory:") -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # a file-backed journal keeps a small page cache (512 KiB, not 2 MiB): a long run's
        # journal is read back from the file, not held in memory as it grows
        self._db.execute("PRAGMA cache_size = -512")
        self._lock = threading.Lock()
        with self._lock:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def insert_prescription(self, prescription: dict[str, Any]) -> bool:
        """Store a prescription; False when its id already exists."""
        row = (
            prescription["id"],
            prescription["prescripteur"]["rpps"],
            prescription["patient"]["ins"],
            prescription.get("dateOrdonnance", ""),
            time.time(),
            json.dumps(prescription, ensure_ascii=False),
        )
        with self._lock:
            try:
                self._db.execute("INSERT INTO prescriptions VALUES (?,?,?,?,?,?)", row)
            except sqlite3.IntegrityError:
                return False
        return True

    def get_prescription(self, pid: str) -> dict[str, Any] | None:
        """The stored prescription, or None."""
        with self._lock:
            row = self._db.execute("SELECT body FROM prescriptions WHERE id=?", (pid,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def search(
        self, prescriber: str, patient: str | None, since: str | None, until: str | None
    ) -> list[dict[str, Any]]:
        """Prescriptions of ``prescriber``, optionally for one patient and a date range."""
        sql = "SELECT body FROM prescriptions WHERE prescriber_rpps=?"
        args: list[str] = [prescriber]
        for clause, value in (("patient_ins=?", patient), ("date>=?", since), ("date<=?", until)):
            if value:
                sql += f" AND {clause}"
                args.append(value)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY registered_at", args).fetchall()
        return [dict(json.loads(r[0])) for r in rows]

    def add_execution(self, pid: str, execution: dict[str, Any]) -> None:
        """Record what a pharmacist dispensed (EP1)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO executions (prescription_id, at, body) VALUES (?,?,?)",
                (pid, time.time(), json.dumps(execution, ensure_ascii=False)),
            )

    def executions(self, pid: str) -> list[dict[str, Any]]:
        """Executions recorded for one prescription, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM executions WHERE prescription_id=? ORDER BY seq", (pid,)
            ).fetchall()
        return [dict(json.loads(r[0])) for r in rows]

    def log(
        self,
        operation: str,
        prescription_id: str | None,
        context: Any,
        request: Any,
        status: int,
        response: Any,
    ) -> None:
        """Append one call to the journal."""
        row = (
            time.time(),
            operation,
            prescription_id,
            json.dumps(context, ensure_ascii=False),
            json.dumps(request, ensure_ascii=False),
            status,
            json.dumps(response, ensure_ascii=False),
        )
        with self._lock:
            self._db.execute(
                "INSERT INTO journal (at, operation, prescription_id, context, request, status,"
                " response) VALUES (?,?,?,?,?,?,?)",
                row,
            )

    def journal(
        self, since: int = 0, operation: str | None = None, pid: str | None = None,
        limit: int | None = None, bodies: bool = True,
    ) -> tuple[list[dict[str, Any]], int]:
        """Journal entries after ``since`` (at most ``limit``, oldest first), optionally
        filtered, and the current cursor; without ``bodies``, each call's ``seq``, ``at``,
        ``operation``, ``id`` and ``status`` only (a reconciliation of a long run)."""
        sql = ("SELECT seq, at, operation, prescription_id, context, request, status, response" if bodies
               else "SELECT seq, at, operation, prescription_id, status")
        sql += " FROM journal WHERE seq>?"
        args: list[Any] = [since]
        if operation:
            sql += " AND operation=?"
            args.append(operation)
        if pid:
            sql += " AND prescription_id=?"
            args.append(pid)
        with self._lock:
            order = " ORDER BY seq" + (" LIMIT ?" if limit else "")
            rows = self._db.execute(sql + order, [*args, limit] if limit else args).fetchall()
            cursor = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0]
        if not bodies:
            return [{"seq": r[0], "at": r[1], "operation": r[2], "id": r[3], "status": r[4]}
                    for r in rows], int(cursor)
        entries = [
            {
                "seq": r[0],
                "at": r[1],
                "operation": r[2],
                "id": r[3],
                "contexte": json.loads(r[4]),
                "request": json.loads(r[5]),
                "status": r[6],
                "response": json.loads(r[7]),
            }
            for r in rows
        ]
        return entries, int(cursor)
