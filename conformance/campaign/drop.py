"""The drop folder: a file is taken only when complete (size and times stable, a PDF that ends and
opens, an image that decodes), then hashed, kept, attributed by content and judged. Every stage
is journaled before the next, and each one is skipped when the journal already holds it: killing
``watch`` at any moment loses nothing, and the next ``watch`` goes on from the journal."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.campaign import dmpstep, journal
from conformance.campaign.folder import DEPOT, Opened, open_checked, relocate, store
from conformance.campaign.judge import (
    Reading,
    attribute,
    created_days,
    extension,
    judge,
    kind_of,
    read,
    serialise,
)
from conformance.campaign.state import CampaignState
from conformance.campaign.texts import shown
from conformance.cda.kit import RuleSet
from conformance.engine.results import CheckResult
from conformance.paper import PaperReader
from conformance.paper.reader import WithCdaRules
from conformance.profiles import Profile

IGNORED_PREFIXES = (".", "~$")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")
MAX_FILE = 50_000_000
SETTLE = 2.0

Echo = Callable[[str], None]


def ignored(name: str) -> bool:
    """Hidden and temporary names (a download or a copy still under way)."""
    lower = name.lower()
    return lower.startswith(IGNORED_PREFIXES) or lower.endswith(IGNORED_SUFFIXES)


def candidates(folder: Path) -> list[Path]:
    """The regular files of ``depot/`` that are not hidden or temporary, oldest first."""
    depot = folder / DEPOT
    try:
        files = [p for p in depot.iterdir() if not ignored(p.name) and p.is_file() and not p.is_symlink()]
    except OSError:
        return []
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


@dataclass(frozen=True)
class Waiting:
    """A file not yet complete, and why."""

    path: Path
    reason: str


def settled(path: Path, settle: float, clock: float | None = None) -> Waiting | None:
    """None when nothing touched the file for ``settle`` seconds (content, times, name: the
    change time covers a write, a ``touch`` and a rename alike); otherwise why it waits."""
    info = path.stat()
    age = (clock if clock is not None else time.time()) - max(info.st_mtime, info.st_ctime)
    if age < settle:
        return Waiting(path, f"written {age:.1f} s ago")
    if info.st_size == 0:
        return Waiting(path, "empty")
    if info.st_size > MAX_FILE:
        return None  # judged (refused) as it is: it will not get smaller
    return None


def complete(data: bytes) -> str | None:
    """None when the bytes are a whole file of a kind we read; otherwise why not (yet)."""
    kind = kind_of(data)
    if kind == "pdf" and b"%%EOF" not in data[-2048:]:
        return "PDF without its end (%%EOF): still being written"
    if kind == "cda" and not data.rstrip().endswith(b">"):
        return "XML without its last tag: still being written"
    return None


class Processor:
    """Takes complete files from ``depot/`` into the campaign, one stage journaled at a time."""

    def __init__(self, folder: Path, tester: str, reader: PaperReader, profile: Profile,
                 echo: Echo, settle: float = SETTLE, rules: RuleSet | None = None) -> None:
        self.folder, self.tester, self.reader, self.profile = folder, tester, reader, profile
        self.echo, self.settle = echo, settle
        # a CDA document is read with the ANS kit given at start (CDA-09/10), else without
        self.cda_reader: PaperReader = WithCdaRules(reader, rules) if rules is not None else reader

    def scan(self) -> list[Waiting]:
        """Take every complete file; the ones still waiting, with their reasons."""
        opened = open_checked(self.folder)
        if opened.state.closed is None:
            self.rejudge(opened)  # a paper judged since a DMP copy was (a killed watch included)
        waiting = []
        for path in candidates(self.folder):
            try:
                pending = settled(path, self.settle)
                if pending is None:
                    pending = self.take(path)
            except FileNotFoundError:
                continue  # moved away while we looked
            if pending is not None:
                waiting.append(pending)
        return waiting

    def take(self, path: Path) -> Waiting | None:
        """Read, keep, attribute and judge one settled file, then remove it from ``depot/``."""
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE + 1)
        reason = complete(data)
        if reason is not None:
            return Waiting(path, reason)
        opened = open_checked(self.folder)
        if opened.state.closed is not None:
            return Waiting(path, "the campaign is closed")
        self.ingest(opened, data, path.name)
        path.unlink(missing_ok=True)
        return None

    def ingest(self, opened: Opened, data: bytes, name: str, step_id: str | None = None) -> str | None:
        """Keep ``data``, attribute it (to ``step_id`` when the tester says so), judge it; the step."""
        from conformance.campaign.folder import digest

        state = opened.state
        sha = digest(data)
        reading: Reading | dmpstep.CdaReading
        if len(data) > MAX_FILE:
            reading = Reading(None, error="too large")
            target = step_id
        elif kind_of(data) == "cda":  # a DMP copy: it names the patient of a dmp step's source
            reading = dmpstep.read(self.cda_reader, data)
            target = step_id or dmpstep.attribute(reading.record, state.plan, state.cards)
        else:
            reading = read(self.reader, data)
            target = step_id or attribute(reading, state.cards)
        ext = extension(data)
        path = store(self.folder, target, data, ext)
        artefact = {"sha256": sha, "name": name, "bytes": len(data), "kind": reading.kind or "other",
                    "path": path}
        received = state.received.get(sha)
        if received is None:
            received = journal.append(self.folder, self.tester, "received", artefact=artefact)
        elif step_id is None and self._settled(opened, sha):
            self.echo(f"{name}: already received ({sha[:12]}), nothing new")
            return None
        if target is None:
            journal.append(self.folder, self.tester, "unattributed", artefact=artefact,
                           read=reading.summary())
            self.echo(f"{name}: not attributed (no step's patient found in it): {reading.summary()}")
            return None
        step = state.steps[target]
        if step_id is not None:
            journal.append(self.folder, self.tester, "replaced", target, artefact=artefact,
                           note="attached by the tester")
        elif not any(a["sha256"] == sha for a in step.artefacts):
            note = None if step.current is None else ("a second file for this step: kept, the step "
                                                       "stays judged on the first ('attach' replaces it)")
            journal.append(self.folder, self.tester, "attributed", target, artefact=artefact,
                           read=reading.summary(), note=note)
            if note:
                self.echo(f"{name}: {target}: {note}")
                return target
        self.echo(f"{name}: attributed to step {target}")
        self._judge(opened, target, data, reading, name, str(received.get("at", journal.now())))
        return target

    def _settled(self, opened: Opened, sha: str) -> bool:
        """The journal already holds this content's attribution (and judgement when it counts)."""
        state = opened.state
        if sha in state.unattributed:
            return True
        for step in state.steps.values():
            if any(a["sha256"] == sha for a in step.artefacts):
                return step.current != sha or sha in step.judgements
        return False

    def _judge(self, opened: Opened, target: str, data: bytes, reading: Reading | dmpstep.CdaReading,
               name: str, received_at: str) -> None:
        state = opened.state
        step, card = state.plan.step(target), state.cards.get(target)
        sha = journal_sha(data)
        if step is None:
            return
        extra: dict[str, Any] = {}
        days = created_days(received_at, str(state.started.get("at", received_at)))
        if step.kind == "dmp":
            source = state.cards.get(str(step.source))
            if source is None:  # the plan names a produce step as source: never here
                return
            record = reading.record if isinstance(reading, dmpstep.CdaReading) else \
                self.cda_reader.cda(data)
            paper = self._paper(state, str(step.source))
            results = [_serialised(r) for r in dmpstep.judge(step, source, record, data, paper,
                                                              self.reader, self.profile, days, name)]
            extra["source"] = {"step": step.source, "sha256": paper.sha}
        elif card is not None and isinstance(reading, Reading):
            results = [serialise(r) for r in judge(step, card, data, reading, self.reader, self.profile,
                                                   days, name)]
        else:
            return
        journal.append(self.folder, self.tester, "judged", target, artefact={"sha256": sha}, checks=results,
                       **extra)
        failed = [r for r in results if r["status"] == "fail"]
        self.echo(f"{target}: judged, {len(failed)} failed check(s)"
                  + "".join(f"\n  fail {r['requirement']} {r['check']}: {shown(r['message'], 'en')}"
                          for r in failed))
        if step.kind == "produce":
            self.rejudge(open_checked(self.folder))

    def _paper(self, state: CampaignState, source: str) -> dmpstep.Paper:
        """The source step's judged paper (the artefact it is judged on), read again."""
        found = state.steps.get(source)
        sha = found.current if found is not None and found.current in found.judgements else None
        data = None
        if found is not None and sha is not None:
            artefact = next((a for a in found.artefacts if a["sha256"] == sha), {})
            try:
                data = (self.folder / str(artefact.get("path"))).read_bytes()
            except OSError:
                data = None  # verify names a missing artefact; here: no paper to compare with
        return dmpstep.printed(self.reader, source, sha, data)

    def rejudge(self, opened: Opened) -> None:
        """Judge again every dmp step whose copy was judged against another paper of its source
        step than the one that step is judged on now (or against none)."""
        state = opened.state
        for s in state.steps.values():
            source = state.steps.get(str(s.step.source))
            if s.step.kind != "dmp" or source is None or s.current not in s.judgements:
                continue
            now = source.current if source.current in source.judgements else None
            if now is None or s.against.get(str(s.current)) == now:
                continue
            artefact = next((a for a in s.artefacts if a["sha256"] == s.current), {})
            try:
                data = (self.folder / str(artefact.get("path"))).read_bytes()
            except OSError:
                continue
            received = state.received.get(str(s.current), {})
            self.echo(f"{s.step.id}: judged again against the paper of step {source.step.id}")
            self._judge(opened, s.step.id, data, dmpstep.read(self.cda_reader, data),
                        str(artefact.get("name", "")), str(received.get("at", journal.now())))
            opened = open_checked(self.folder)
            state = opened.state


def _serialised(result: CheckResult) -> dict[str, Any]:
    """A DMP-copy check as the journal keeps it, with its notice (the ANS kit not given)."""
    out = serialise(result)
    if dmpstep.notice(result):
        out["notice"] = True
    return out


def journal_sha(data: bytes) -> str:
    """The artefact's SHA-256 as the journal names it."""
    from conformance.campaign.folder import digest

    return digest(data)


def attach_unattributed(folder: Path, opened: Opened, sha: str, step: str) -> tuple[bytes, dict[str, Any]]:
    """The bytes of an unattributed artefact, moved under ``step`` (``attach DIR STEP SHA``)."""
    artefact = opened.state.unattributed[sha]
    path = relocate(folder, str(artefact.get("path")), step)
    return (folder / path).read_bytes(), artefact
