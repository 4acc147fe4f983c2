"""The campaign journal repairs itself after a writer killed mid-line (a torn LAST line), and only
then: an edited line in the middle is still named by ``verify``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conformance import application as app
from conformance.campaign import journal
from conformance.campaign.folder import open_checked
from conformance.campaign.verify import verify
from conformance.paths import BUNDLED_FIXTURES

PRESCRIBER = BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"


def _started(tmp_path: Path) -> Path:
    folder = tmp_path / "camp"
    app.campaign.start(None, str(folder), str(PRESCRIBER), "Alice", 5)
    return folder


def test_a_torn_last_line_is_ignored_then_set_aside_kept_and_journaled_by_the_next_writer(
        tmp_path: Path) -> None:
    folder = _started(tmp_path)
    path = folder / journal.JOURNAL
    whole, _ = journal.read(folder)
    torn = b'{"seq":%d,"at":"2026-01-01T00:00:00.000Z","tester":"Alice","step":"biolo' % len(whole)
    with path.open("ab") as handle:  # what a watch killed in the middle of its write leaves
        handle.write(torn)
    entries, problems = journal.read(folder)
    assert entries == whole and not problems  # read as if the torn bytes were not there
    assert open_checked(folder).state.closed is None  # status and every command go on
    assert any(f"torn line ({len(torn)} bytes" in n for n in verify(folder).notes), verify(folder).notes
    assert verify(folder).intact

    app.campaign.skip(str(folder), "biologie", "imprimante en panne")  # the next writer
    entries, problems = journal.read(folder)
    assert not problems and [e["event"] for e in entries][len(whole):] == ["repaired", "skipped"]
    repaired = entries[len(whole)]
    kept = folder / repaired["artefact"]["path"]
    assert kept.read_bytes() == torn and repaired["artefact"]["sha256"] == hashlib.sha256(torn).hexdigest()
    assert repaired["prev"] == journal.line_hash(path.read_bytes().splitlines()[len(whole) - 1])
    assert path.read_bytes().endswith(b"\n") and torn not in path.read_bytes()
    check = verify(folder)
    assert check.intact and not check.added and not any("torn" in n for n in check.notes), check
    kept.write_bytes(torn + b"x")  # the kept bytes are the journal's: altered, verify names them
    assert any(repaired["artefact"]["path"] in c for c in verify(folder).changed)


def test_a_torn_or_edited_line_in_the_middle_is_still_named_by_verify(tmp_path: Path) -> None:
    folder = _started(tmp_path)
    app.campaign.skip(str(folder), "biologie", "imprimante en panne")
    path = folder / journal.JOURNAL
    lines = path.read_bytes().splitlines(keepends=True)
    middle = len(lines) // 2
    cut = lines[:]
    cut[middle] = cut[middle][:40] + b"\n"  # a line cut short, then the rest of the journal
    path.write_bytes(b"".join(cut))
    problems = journal.read(folder)[1]
    assert problems[0].line == middle + 1 and "not a journal entry" in problems[0].message, problems
    assert any(f"line {middle + 1}" in c for c in verify(folder).changed)
    edited = lines[:]
    edited[middle] = edited[middle].replace(b"Alice", b"Alicf")
    path.write_bytes(b"".join(edited))
    assert [str(p) for p in journal.read(folder)[1]] == [
        f"journal.jsonl line {middle + 1}: edited: the next line's 'prev' no longer matches it"]
    joined = lines[:]
    joined[middle] = joined[middle].rstrip(b"\n")  # a middle line's newline removed: two lines in one
    path.write_bytes(b"".join(joined))
    assert journal.read(folder)[1] and not verify(folder).intact
