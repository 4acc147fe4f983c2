"""Workstation traces read with DuckDB: files streamed by the database, never loaded into
Python; one pass over the files into a typed table, every later question asked of it.

Canonical events (DESIGN §13): ``prescription`` and ``appel``, JSON Lines, CSV or Parquet;
a mapping file turns an editor's own columns and codes into them. Malformed input is a
``BilanInputError`` naming the file, the line, the column and what to fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conformance.bilan.errors import BilanInputError
from conformance.nesting import safe_load

FIELDS = ("evenement", "ts", "rpps", "situation", "ref", "numerique", "motif", "types", "service",
          "id", "resultat", "code", "dureeMs")
REQUIRED = ("evenement", "ts", "rpps")
REQUIRED_BY_KIND = {"prescription": ("ref", "numerique"), "appel": ("service", "resultat")}
EXTENSIONS = {".jsonl": "json", ".ndjson": "json", ".csv": "csv", ".parquet": "parquet"}
SERVICES = ("EP4", "EP3", "EP2", "EP1")
MOTIFS = ("hors-perimetre", "mode-degrade", "choix", "autre")
TRUE, FALSE = ("true", "oui", "1", "yes"), ("false", "non", "0", "no")
# DuckDB spills to disk beyond its limit: memory stays bounded at any scale (by default a
# quarter of the machine, at most this)
MEMORY_LIMIT_BYTES = 2 * 1024**3
MEMORY_FLOOR_BYTES = 64 * 1024**2


@dataclass(frozen=True)
class Mapping:
    """An editor's columns and codes → the canonical ones."""

    columns: dict[str, str] = field(default_factory=dict)  # theirs → canonical
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # canonical field → {theirs: ours}


def load_mapping(path: str | None) -> Mapping:
    if path is None:
        return Mapping()
    try:
        data = safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BilanInputError(path, f"cannot read the mapping: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BilanInputError(path, f"not YAML: {getattr(exc, 'problem', exc)}",
                              "fix the YAML syntax", mark.line + 1 if mark else None,
                              mark.column + 1 if mark else None) from exc
    if not isinstance(data, dict):
        raise BilanInputError(path, "a mapping is a YAML object {colonnes: {...}, codes: {...}}")
    columns = data.get("colonnes", data.get("columns")) or {}
    codes = data.get("codes") or {}
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise BilanInputError(path, "'colonnes' must map your column names to canonical ones",
                              f"canonical names: {', '.join(FIELDS)}")
    for theirs, ours in columns.items():
        if ours not in FIELDS:
            raise BilanInputError(path, f"column {theirs!r} maps to {ours!r}, not a canonical field",
                                  f"canonical names: {', '.join(FIELDS)}")
    if not isinstance(codes, dict) or not all(isinstance(v, dict) for v in codes.values()):
        raise BilanInputError(path, "'codes' must map a canonical field to {your code: canonical code}")
    return Mapping({str(k): str(v) for k, v in columns.items()},
                   {str(f): {str(k): str(v) for k, v in m.items()} for f, m in codes.items()})


def trace_files(paths: Iterable[str]) -> list[Path]:
    """The files behind ``--traces`` (files, or folders: every .jsonl, .csv, .parquet inside)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in EXTENSIONS and p.is_file())
        elif path.is_file():
            if path.suffix.lower() not in EXTENSIONS:
                raise BilanInputError(name, "not a trace file (.jsonl, .csv or .parquet)")
            found.append(path)
        else:
            raise BilanInputError(name, "no such file or folder")
    if not found:
        raise BilanInputError(", ".join(paths), "no trace file (.jsonl, .csv, .parquet) found")
    return found


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def parse_memory(text: str) -> int:
    """``--memory``'s value in bytes: a number and a unit (``2GiB``, ``1.5GB``, ``512MiB``)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*", text, re.IGNORECASE)
    if match is None or match.group(2) is None:
        raise ValueError(f"{text!r} is not a memory size: a number and a unit, e.g. 2GiB, 1500MB, 512MiB")
    unit = match.group(2).lower()
    scale = 1 if unit == "b" else (1024 if "i" in unit else 1000) ** ("kmgt".index(unit[0]) + 1)
    value = int(float(match.group(1)) * scale)
    if value < MEMORY_FLOOR_BYTES:
        raise ValueError(f"{text!r} is too little for DuckDB: give at least 64MiB")
    return value


def default_memory() -> int:
    """A quarter of the machine's memory, at most 2 GiB: the bilan spills to disk beyond."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return MEMORY_LIMIT_BYTES
    return max(MEMORY_FLOOR_BYTES, min(MEMORY_LIMIT_BYTES, physical // 4))


@contextmanager
def connect(memory: int | None = None) -> Iterator[Any]:
    """A DuckDB database held to ``memory`` bytes (default: ``default_memory()``), in a private
    scratch folder removed at the end."""
    import duckdb

    limit = memory if memory is not None else default_memory()
    # a database file, not ":memory:": its tables are compressed (the events take ~10× less)
    # and evictable; beyond the limit DuckDB spills there too, never into the user's working
    # directory (its default, ".tmp")
    with tempfile.TemporaryDirectory(prefix="conformance-bilan-") as scratch:
        con = duckdb.connect(str(Path(scratch) / "bilan.duckdb"), config={
            "memory_limit": f"{limit // 1024}KiB", "temp_directory": str(Path(scratch) / "spill")})
        try:
            con.execute("SET TimeZone = 'Europe/Paris'")
            con.execute("SET enable_progress_bar = false")  # the console is ours
            yield con
        finally:
            con.close()


class Traces:
    """Every event of the trace files, typed and checked, in the DuckDB table ``ev``; the
    events of the bilan's period in the view ``evp``."""

    def __init__(self, con: Any, files: list[Path], mapping: Mapping = Mapping(),
                 since: dt.date | None = None, until: dt.date | None = None) -> None:
        self.con, self.files, self.mapping = con, files, mapping
        self.warnings: list[str] = []
        self._columns: dict[str, dict[str, int]] = {}  # file → canonical field → CSV column
        selects = [self._select(path) for path in files]
        try:  # one pass over the files: read, rename, type
            con.execute(f"CREATE TABLE ev AS SELECT {', '.join(_STORED)} FROM ("
                        + _TYPED_SELECT.format(raw=" UNION ALL ".join(selects)) + ")")
        except Exception as exc:
            raise self._locate(exc) from None
        self._check()
        where = []
        if since is not None:
            where.append(f"ts >= {_quote(since.isoformat())}::DATE")
        if until is not None:
            where.append(f"ts < ({_quote(until.isoformat())}::DATE + 1)")
        con.execute("CREATE VIEW evp AS SELECT * FROM ev"
                    + (" WHERE " + " AND ".join(where) if where else ""))

    # --- reading -------------------------------------------------------------------------
    def _reader(self, path: Path) -> str:
        kind = EXTENSIONS[path.suffix.lower()]
        name = _quote(str(path))
        if kind == "csv":
            return f"read_csv({name}, header = true, all_varchar = true, auto_detect = false, " \
                   f"delim = ',', quote = '\"', escape = '\"', columns = {{{self._csv_columns(path)}}})"
        if kind == "json":
            columns = self._json_columns(path)
            return f"read_json({name}, format = 'newline_delimited', columns = {{{columns}}})"
        return f"read_parquet({name})"

    def _header(self, path: Path) -> list[str]:
        kind = EXTENSIONS[path.suffix.lower()]
        if kind == "csv":
            with path.open(encoding="utf-8", newline="") as handle:
                try:
                    return next(csv.reader([handle.readline()]), [])
                except (UnicodeDecodeError, csv.Error) as exc:
                    raise BilanInputError(str(path), f"unreadable header: {exc}", "", 1) from exc
        if kind == "json":
            keys: dict[str, None] = {}
            with path.open(encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, start=1):
                    if number > 1000:
                        break
                    try:
                        record = json.loads(line) if line.strip() else {}
                    except json.JSONDecodeError:
                        bad = _first_bad_json(path)
                        if bad is not None:
                            raise bad from None
                        break
                    if isinstance(record, dict):
                        keys.update(dict.fromkeys(record))
            return list(keys)
        described = self.con.execute(f"DESCRIBE SELECT * FROM read_parquet({_quote(str(path))})").fetchall()
        return [row[0] for row in described]

    def _csv_columns(self, path: Path) -> str:
        return ", ".join(f"{_quote(c)}: 'VARCHAR'" for c in self._header(path))

    def _json_columns(self, path: Path) -> str:
        return ", ".join(f"{_quote(c)}: 'VARCHAR'" for c in self._header(path)) or "'evenement': 'VARCHAR'"

    def _select(self, path: Path, numbered: bool = False) -> str:
        """The file's rows with canonical names; ``numbered``: with their line numbers (only to
        locate an error: numbering costs a window over the whole file)."""
        header = self._header(path)
        canonical: dict[str, str] = {}
        for column in header:
            name = self.mapping.columns.get(column, column)
            if name in FIELDS:
                canonical.setdefault(name, column)
            else:
                self.warnings.append(f"{path}: column {column!r} ignored (not a trace field)")
        missing = [f for f in REQUIRED if f not in canonical]
        if missing:
            raise BilanInputError(str(path), f"missing required column(s): {', '.join(missing)}",
                                  "name them as DESIGN §13 does, or map yours with --mapping", 1)
        first_line = 2 if EXTENSIONS[path.suffix.lower()] == "csv" else 1
        line = f"row_number() OVER () + {first_line - 1}" if numbered else "NULL::BIGINT"
        # the file by its position in the list: four bytes a row, not its path's text
        parts = [f"{self.files.index(path)}::UINTEGER AS source", f"{line} AS line"]
        self.warnings[:] = list(dict.fromkeys(self.warnings))  # a file read twice warns once
        for name in FIELDS:
            value = f"CAST({_ident(canonical[name])} AS VARCHAR)" if name in canonical else "NULL"
            codes = self.mapping.codes.get(name)
            if codes:
                cases = " ".join(f"WHEN {_quote(k)} THEN {_quote(v)}" for k, v in codes.items())
                value = f"CASE {value} {cases} ELSE {value} END"
            parts.append(f"{value} AS {_ident(name)}")
        self._columns[str(path)] = {name: header.index(col) + 1 for name, col in canonical.items()}
        return f"SELECT {', '.join(parts)} FROM {self._reader(path)}"

    def _locate(self, exc: Exception) -> BilanInputError:
        """A file DuckDB could not read: the first bad line, found by reading it here."""
        for path in self.files:
            kind = EXTENSIONS[path.suffix.lower()]
            found = {"json": _first_bad_json, "csv": _first_bad_csv}.get(kind, lambda _: None)(path)
            if found is not None:
                return found
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return BilanInputError(", ".join(map(str, self.files)), f"unreadable traces: {first}",
                               "check the files are UTF-8 JSON Lines, CSV with a header, or Parquet")

    # --- checking --------------------------------------------------------------------------
    def first(self, condition: str, column: str) -> tuple[str, int, Any] | None:
        """The first event (file, line, the column's text) meeting ``condition``, or None.
        The table has no line numbers (numbering costs a window over every file): the file
        that has one is read again, numbered, to find where."""
        row = self.con.execute(f"SELECT source FROM ev WHERE {condition} LIMIT 1").fetchone()
        if row is None:
            return None
        path = self.files[int(row[0])]
        numbered = _TYPED_SELECT.format(raw=self._select(path, numbered=True))
        found = self.con.execute(f"SELECT line, {column} FROM ({numbered}) WHERE {condition} "
                                 "ORDER BY line LIMIT 1").fetchone()
        return (str(path), int(found[0]), found[1]) if found else None

    def _check(self) -> None:
        for condition, column, what, fix in _RULES:
            found = self.first(condition, f"{column}_text")
            if found is not None:
                source, line, value = found
                index = self._columns.get(source, {}).get(column)
                where = f"{index} ({column})" if index and source.endswith(".csv") else column
                shown = "absent" if value is None else repr(value)[:60]
                raise BilanInputError(source, f"{what}: {shown}", fix, int(line), where)


def _first_bad_json(path: Path) -> BilanInputError | None:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                return BilanInputError(str(path), "not UTF-8", "save the file as UTF-8", number,
                                       exc.start + 1)
            except json.JSONDecodeError as exc:
                return BilanInputError(str(path), f"malformed JSON: {exc.msg}",
                                       "one JSON object per line", number, exc.colno)
            if not isinstance(record, dict):
                return BilanInputError(str(path), "a line is not a JSON object", "one JSON object per line",
                                       number, 1)
    return None


def _first_bad_csv(path: Path) -> BilanInputError | None:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, [])
            for row in reader:
                if row and len(row) != len(header):
                    return BilanInputError(str(path), f"{len(row)} fields where the header has "
                                           f"{len(header)}", "quote values that hold a comma",
                                           reader.line_num, len(row))
    except UnicodeDecodeError:
        return BilanInputError(str(path), "not UTF-8", "save the file as UTF-8", None, None)
    except csv.Error as exc:
        return BilanInputError(str(path), f"malformed CSV: {exc}", "close every quoted value",
                               reader.line_num)
    return None


# the typed table; a value that cannot be typed keeps its text (for the message) and only then
_TYPED_SELECT = f"""
SELECT
  source, line,
  lower(trim(evenement)) AS evenement, evenement AS evenement_text,
  ts_value AS ts,
  CASE WHEN ts_value IS NULL
         OR NOT (ts LIKE '%+__:__' OR ts LIKE '%-__:__' OR ts LIKE '%Z' OR ts LIKE '%+____'
                 OR ts LIKE '%-____') THEN coalesce(ts, '') END AS ts_text,
  nullif(trim(rpps), '') AS rpps, rpps AS rpps_text,
  nullif(lower(trim(situation)), '') AS situation, situation AS situation_text,
  nullif(trim(ref), '') AS ref, ref AS ref_text,
  CASE WHEN lower(trim(numerique)) IN ({", ".join(map(_quote, TRUE))}) THEN true
       WHEN lower(trim(numerique)) IN ({", ".join(map(_quote, FALSE))}) THEN false END AS numerique,
  CASE WHEN lower(trim(numerique)) NOT IN ({", ".join(map(_quote, TRUE + FALSE))}) THEN numerique END
    AS numerique_text,
  nullif(lower(trim(motif)), '') AS motif, motif AS motif_text,
  upper(nullif(trim(service), '')) AS service, service AS service_text,
  nullif(trim(id), '') AS id,
  lower(nullif(trim(resultat), '')) AS resultat, resultat AS resultat_text,
  nullif(trim(code), '') AS code
FROM (SELECT *, TRY_CAST(ts AS TIMESTAMPTZ) AS ts_value FROM ({{raw}}))
"""
# what the table keeps: typed values, and the text of the two that may not type (for messages)
_STORED = ("source", "evenement", "ts", "ts_text", "rpps", "situation", "ref", "numerique",
           "numerique_text", "motif", "service", "id", "resultat", "code")

_RULES = (
    ("evenement IS NULL OR evenement NOT IN ('prescription', 'appel')", "evenement",
     "the event is neither 'prescription' nor 'appel'", "evenement: prescription or appel"),
    ("ts_text IS NOT NULL", "ts", "not an ISO 8601 time with its offset",
     "write it as 2025-11-03T08:15:00+01:00"),
    ("rpps IS NULL", "rpps", "no RPPS", "every event names its doctor's RPPS"),
    ("situation IS NOT NULL AND situation NOT IN ('liberal', 'centre')", "situation",
     "unknown practice situation", "situation: liberal or centre"),
    ("evenement = 'prescription' AND ref IS NULL", "ref", "a prescription without its reference",
     "ref: the software's local reference of the prescription"),
    ("evenement = 'prescription' AND numerique IS NULL", "numerique", "not a boolean",
     "numerique: true or false (also oui/non, 1/0)"),
    (f"motif IS NOT NULL AND motif NOT IN ({', '.join(map(_quote, MOTIFS))})", "motif",
     "unknown reason", f"motif: {', '.join(MOTIFS)}"),
    (f"evenement = 'appel' AND (service IS NULL OR service NOT IN ({', '.join(map(_quote, SERVICES))}))",
     "service", "unknown teleservice", "service: EP4, EP3, EP2 or EP1"),
    ("evenement = 'appel' AND (resultat IS NULL OR resultat NOT IN ('ok', 'erreur'))", "resultat",
     "unknown call result", "resultat: ok or erreur"),
)
