"""DMP steps of a campaign: the CDA document the software sent to the DMP for an earlier
produce step, dropped in depot/, attributed by the patient it names, judged by the DMP-copy
checks against the step's card and its judged paper. The documents are written by
``specimens_cda`` (string templates, not the reference's lxml tree) around fpdf2 printouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from conformance import application as app
from conformance.campaign.folder import open_checked
from conformance.paths import BUNDLED_FIXTURES, PROJECT
from conformance.specimens_cda import document
from tests.helpers import campaign_page, campaign_pid

PRESCRIBER = BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"
KIT = PROJECT.parent / "shared" / "samples" / "ans-testcontenucda"
PLAN = """id: dmp-essai
version: "1"
title: Copies DMP
steps:
  - id: bizone
    kind: produce
    title: ALD bizone
    instructions: Rédigez, imprimez, déposez.
    prescription:
      lignes:
        - {produit: metformine, ald: true}
        - {produit: amoxicilline}
  - id: dispositif
    kind: produce
    title: Dispositif
    instructions: Rédigez, imprimez, déposez.
    prescription:
      lignes:
        - {produit: bandelettes, motsCles: [Bandelettes]}
  - id: simple
    kind: produce
    title: Simple
    instructions: Rédigez, imprimez, déposez.
    prescription:
      lignes:
        - produit: paracetamol
  - id: dmp-bizone
    kind: dmp
    source: bizone
    title: Copie DMP bizone
    instructions: Déposez le document CDA.
  - id: dmp-dispositif
    kind: dmp
    source: dispositif
    title: Copie DMP dispositif
    instructions: Déposez le document CDA.
  - id: dmp-simple
    kind: dmp
    source: simple
    title: Copie DMP simple
    instructions: Déposez le document CDA.
"""
BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                   for i in range(1, 10))
        + b']><ClinicalDocument xmlns="urn:hl7-org:v3">&lol9;</ClinicalDocument>')


def _start(tmp_path: Path, cda_rules: str | None = None) -> Path:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    folder = tmp_path / "camp"
    app.campaign.start(str(plan), str(folder), str(PRESCRIBER), "Alice", 3, cda_rules)
    return folder


def _papers(folder: Path) -> dict[str, bytes]:
    state = open_checked(folder).state
    today = str(state.started["today"])
    return {sid: campaign_page(card, today) for sid, card in state.cards.items()}


def _cda(folder: Path, step: str, paper: bytes, rx: dict[str, Any] | None = None,
         copy: bytes | None = None) -> bytes:
    """The DMP copy of ``step``'s card (or of ``rx``), carrying ``copy`` (default: its paper)."""
    state = open_checked(folder).state
    card = state.cards[step]
    day = dt.date.fromisoformat(str(state.started["today"]))
    return document(rx or card.expected, campaign_pid(step), copy or paper, structured=False, day=day)


def _drop(folder: Path, name: str, data: bytes) -> None:
    partial = folder / "depot" / f"{name}.part"
    partial.write_bytes(data)
    partial.rename(folder / "depot" / name)


def _watch(folder: Path) -> list[str]:
    said: list[str] = []
    assert app.campaign.watch(str(folder), said.append, once=True, settle=0.0) == 0, said
    return said


def _checks(folder: Path, step: str) -> dict[str, tuple[str, str]]:
    doc = app.campaign.status(str(folder))
    found = next(s for s in doc["steps"] if s["id"] == step)
    return {c["requirement"]: (c["status"], c.get("skip", "")) for c in found["checks"]}
