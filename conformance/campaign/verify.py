"""``conformance verify DIR`` on a campaign folder: the journal's chain, every artefact it names,
the plan and prescriber against the journal, and after ``close`` the manifest and its signature."""

from __future__ import annotations

from pathlib import Path

from conformance.campaign import journal
from conformance.campaign.folder import ARTEFACTS, PLAN, PRESCRIBER, current, digest, recorded
from conformance.evidence.bundle import MANIFEST, Verification
from conformance.evidence.bundle import verify as verify_bundle


def is_campaign(folder: Path) -> bool:
    """A campaign folder holds a journal."""
    return (folder / journal.JOURNAL).is_file()


def verify(folder: Path, public_key: Path | None = None) -> Verification:
    """Every alteration of the journal, an artefact, the plan or the prescriber, named."""
    entries, problems = journal.read(folder)
    changed = [str(p) for p in problems]
    missing: list[str] = []
    named: set[str] = set()
    for entry in entries:
        artefact = entry.get("artefact")
        if not isinstance(artefact, dict) or not isinstance(artefact.get("path"), str):
            continue
        path, sha = artefact["path"], artefact.get("sha256")
        named.add(path)
        file = folder / path
        if not file.is_file():
            missing.append(f"{path} (journal line {entry.get('seq', 0) + 1})")
        elif digest(file.read_bytes()) != sha:
            changed.append(f"{path} (its SHA-256 is no longer the journal's)")
    base = folder / ARTEFACTS
    added = sorted(p.relative_to(folder).as_posix() for p in base.rglob("*")
                   if p.is_file() and p.relative_to(folder).as_posix() not in named) if base.is_dir() else []
    if entries and entries[0].get("event") == "started":
        was, now = recorded(entries), current(folder)
        for key, name in (("plan", PLAN), ("prescriber", PRESCRIBER)):
            if was[key] != now[key]:
                where = missing if now[key] == "absent" else changed
                where.append(f"{name} (not the one the journal records)")
    elif not problems:
        changed.append(f"{journal.JOURNAL}: does not start with 'started'")
    notes: list[str] = []
    if journal.torn(folder):
        notes.append(f"{journal.JOURNAL} ends with a torn line ({journal.torn(folder)} bytes: a writer "
                     "was killed), ignored; the next command sets it aside and journals it")
    signature = "absent"
    key_given = public_key is not None
    if (folder / MANIFEST).exists():
        sealed = verify_bundle(folder, public_key)
        changed += [f for f in sealed.changed if f not in changed]
        missing += [f for f in sealed.missing if f not in missing]
        added += [f for f in sealed.added if f not in added]
        signature, notes = sealed.signature, list(sealed.notes)
        if sealed.refused:
            return Verification(tuple(changed), tuple(missing), tuple(added), signature,
                                tuple(notes), sealed.refused, key_given)
    else:
        notes.append("campaign not closed: no manifest yet (the journal's last line is not sealed)")
    return Verification(tuple(changed), tuple(missing), tuple(added), signature, tuple(notes), (), key_given)
