"""A campaign folder: created by ``start``, opened (plan, prescriber, cards and state rebuilt from
the journal) by every other command, and verified (journal chain, artefacts, plan)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.campaign import journal
from conformance.campaign.cards import Card, card_html, draw_cards, instructions
from conformance.campaign.plan import load_plan
from conformance.campaign.prescriber import load_prescriber
from conformance.campaign.state import CampaignState, rebuild

PLAN, PRESCRIBER, DEPOT, CARDS, ARTEFACTS = "plan.yaml", "prescriber.yaml", "depot", "cards", "artefacts"
UNATTRIBUTED = "non-attribue"


class CampaignError(Exception):
    """A campaign command cannot go on (the message says why and what to do)."""


def digest(data: bytes) -> str:
    """SHA-256, hex."""
    return hashlib.sha256(data).hexdigest()


def create(folder: Path, plan_file: Path, prescriber_file: Path, tester: str,
           seed: int | None = None,
           cda_rules: dict[str, Any] | None = None) -> tuple[CampaignState, dict[str, Card]]:
    """A new campaign folder: copies of the plan and prescriber, cards, depot/, the journal."""
    plan = load_plan(plan_file)
    prescriber = load_prescriber(prescriber_file)
    if folder.exists() and any(folder.iterdir()):
        raise CampaignError(f"{folder} already exists and is not empty\n  = give a new folder "
                            "(a campaign resumes with 'status' or 'watch', never with a second 'start')")
    folder.mkdir(parents=True, exist_ok=True)
    plan_bytes, prescriber_bytes = plan_file.read_bytes(), prescriber_file.read_bytes()
    (folder / PLAN).write_bytes(plan_bytes)
    (folder / PRESCRIBER).write_bytes(prescriber_bytes)
    for sub in (DEPOT, CARDS, ARTEFACTS):
        (folder / sub).mkdir(exist_ok=True)
    seed = secrets.randbelow(2**31) if seed is None else seed
    today = dt.date.today()
    cards = draw_cards(plan, prescriber, seed, today)
    shown = {}
    for step in plan.steps:
        page = card_html(step, cards.get(step.id), plan)
        (folder / CARDS / f"{step.id}.html").write_text(page, encoding="utf-8")
        shown[step.id] = digest(instructions(step, cards.get(step.id)).encode())
    journal.append(folder, tester, "started", plan={"id": plan.id, "version": plan.version,
                   "sha256": digest(plan_bytes)}, harness=__version__, seed=seed, today=today.isoformat(),
                   prescriber={"sha256": digest(prescriber_bytes)},
                   cdaRules=cda_rules)
    for step in plan.steps:  # every card is written now: every step's text is shown
        journal.append(folder, tester, "shown", step.id, shownSha256=shown[step.id])
    return open_(folder), cards


@dataclass(frozen=True)
class Opened:
    """An opened campaign: its state and what was recorded at the start."""

    folder: Path
    state: CampaignState
    prescriber: dict[str, Any]
    tester: str
    changed: tuple[str, ...] = ()  # plan, prescriber or harness changed since the start


def open_(folder: Path) -> CampaignState:
    """The campaign's state (refusing a broken journal); see ``open_checked`` for the change test."""
    return open_checked(folder).state


def open_checked(folder: Path) -> Opened:
    """Open a campaign; what changed since the start (and was not accepted) is in ``changed``."""
    if not (folder / journal.JOURNAL).is_file():
        raise CampaignError(f"{folder}: not a campaign folder (no {journal.JOURNAL})\n  = create one "
                            "with 'conformance campaign start -d DIR --prescriber FILE'")
    entries, problems = journal.read(folder)
    if problems:
        raise CampaignError(f"{folder}: the journal is broken ({problems[0]})\n  = run 'conformance "
                            "verify' on the folder; a campaign with an altered journal cannot go on")
    if not entries or entries[0].get("event") != "started":
        raise CampaignError(f"{folder}: the journal does not start with 'started'")
    started = entries[0]
    try:
        plan = load_plan(folder / PLAN)
        prescriber = load_prescriber(folder / PRESCRIBER)
    except Exception as exc:  # a located ScenarioError: the copies were edited
        raise CampaignError(f"{folder}: the campaign's plan or prescriber copy is no longer valid: "
                            f"{getattr(exc, 'title', exc)}") from exc
    cards = draw_cards(plan, prescriber, int(started["seed"]), dt.date.fromisoformat(started["today"]))
    state = rebuild(plan, cards, entries)
    return Opened(folder, state, prescriber, str(started.get("tester", "")), _changes(folder, entries))


def recorded(entries: list[dict[str, Any]]) -> dict[str, str]:
    """The plan, prescriber and harness the campaign runs on: the start's, or the last accepted."""
    first = entries[0]
    out = {"plan": first["plan"]["sha256"], "prescriber": first["prescriber"]["sha256"],
           "harness": first["harness"]}
    for entry in entries:
        if entry.get("event") == "accepted-change" and isinstance(entry.get("now"), dict):
            out.update(entry["now"])
    return out


def current(folder: Path) -> dict[str, str]:
    """The plan, prescriber and harness as they are now."""
    return {"plan": _file_digest(folder / PLAN), "prescriber": _file_digest(folder / PRESCRIBER),
            "harness": __version__}


def _file_digest(path: Path) -> str:
    try:
        return digest(path.read_bytes())
    except OSError:
        return "absent"


def _changes(folder: Path, entries: list[dict[str, Any]]) -> tuple[str, ...]:
    was, now = recorded(entries), current(folder)
    return tuple(f"{key} changed since the start ({was[key][:12]} → {now[key][:12]})"
                 for key in ("plan", "prescriber", "harness") if was[key] != now[key])


def store(folder: Path, step: str | None, data: bytes, ext: str) -> str:
    """Keep an artefact as ``artefacts/<step>/<sha256>.<ext>`` (written whole, then renamed)."""
    sha = digest(data)
    target = folder / ARTEFACTS / (step or UNATTRIBUTED) / f"{sha}.{ext}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    return target.relative_to(folder).as_posix()


def relocate(folder: Path, path: str, step: str) -> str:
    """Move an unattributed artefact under its step (``attach`` of an unattributed file)."""
    source = folder / path
    target = folder / ARTEFACTS / step / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.exists() and not target.exists():
        shutil.copy2(source, target)
    return target.relative_to(folder).as_posix()
