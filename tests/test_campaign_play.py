"""Whole default campaigns played by a script: every printout drawn by fpdf2 (not the reference's
ReportLab) from its card, dropped in depot/, judged, confirmed, closed and verified."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conformance import application as app
from conformance.campaign import journal, report
from conformance.campaign.folder import open_checked
from conformance.campaign.state import verdict
from conformance.paths import BUNDLED_FIXTURES, PROJECT
from tests.helpers import campaign_cda, campaign_page, phone_photo

PRESCRIBER = BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"
SEED = 5


def _start(folder: Path) -> None:
    app.campaign.start(None, str(folder), str(PRESCRIBER), "Alice", SEED)


def _pages(folder: Path, defect: dict[str, str] | None = None) -> dict[str, bytes]:
    state = open_checked(folder).state
    today = str(state.started["today"])
    return {sid: campaign_page(card, today, (defect or {}).get(sid)) for sid, card in state.cards.items()}


def _copies(folder: Path, pages: dict[str, bytes]) -> dict[str, bytes]:
    """The DMP copy of each dmp step's source prescription, carrying its printed page."""
    state = open_checked(folder).state
    today = str(state.started["today"])
    return {s.id: campaign_cda(state.cards[str(s.source)], today, pages[str(s.source)])
            for s in state.plan.steps if s.kind == "dmp"}


def _drop(folder: Path, name: str, data: bytes) -> None:
    partial = folder / "depot" / f"{name}.part"  # as a printer driver writes: a temporary name, renamed
    partial.write_bytes(data)
    partial.rename(folder / "depot" / name)


def _watch(folder: Path) -> list[str]:
    said: list[str] = []
    left = app.campaign.watch(str(folder), said.append, once=True, settle=0.0)
    assert left == 0, said
    return said


def _play(folder: Path, defect: dict[str, str] | None = None, skip: str | None = None,
          photo: str | None = None) -> app.campaign.Closed:
    _start(folder)
    pages = _pages(folder, defect)
    for sid, data in pages.items():
        if sid != skip:
            _drop(folder, f"{sid}.pdf", data)
    for sid, data in _copies(folder, pages).items():
        _drop(folder, f"{sid}.xml", data)
    if photo is not None:
        _drop(folder, "IMG_0001.jpg", phone_photo(_pages(folder)[photo]))
    _watch(folder)
    if skip is not None:
        app.campaign.skip(str(folder), skip, "imprimante en panne")
    app.campaign.confirm(str(folder), "mode-degrade-signale", True, "bandeau « non enregistrée »")
    return app.campaign.close(str(folder), lang="en")


def _outcome(folder: Path) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return [(s["id"], s["state"], tuple((c["requirement"], c["status"]) for c in s["checks"]))
            for s in report["steps"]]


def test_a_conforming_campaign_is_conforme_and_a_phone_photo_goes_to_its_step(tmp_path: Path) -> None:
    folder = tmp_path / "camp"
    closed = _play(folder, photo="biologie")
    assert closed.verdict == "conforme", closed.reasons
    assert int(closed.exit_code) == 0
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    biology = next(s for s in report["steps"] if s["id"] == "biologie")
    kinds = [a["kind"] for a in biology["artefacts"]]
    assert kinds == ["pdf", "image"]  # the photo's code 2D named the biology step's patient
    copy = next(s for s in report["steps"] if s["id"] == "copie-dmp")
    assert [a["kind"] for a in copy["artefacts"]] == ["cda"] and copy["state"] == "judged"
    assert {c["requirement"] for c in copy["checks"] if c["status"] == "pass"} == {
        f"CDA-0{n}" for n in range(1, 9)}
    checked = {c["requirement"] for s in report["steps"] for c in s["checks"] if c["status"] == "pass"}
    assert {"QR-01", "QR-03", "PAP-01", "PAP-05", "PAP-06", "PAP-08", "PAP-10", "PAP-12", "PAP-14",
            "CON-02", "DEG-01"} <= checked
    assert not any((folder / "depot").iterdir())
    assert len(list((folder / "artefacts").rglob("*.*"))) == 14
    assert app.bundles.verify(str(folder)).intact
    junit = (folder / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("<testcase") == 14 and "<failure" not in junit


def test_a_defect_in_one_step_is_non_conforme_naming_the_step_and_requirement(tmp_path: Path) -> None:
    folder = tmp_path / "camp"
    closed = _play(folder, defect={"non-rembourse": "no-nr"})
    assert closed.verdict == "non-conforme" and int(closed.exit_code) == 1
    assert [r.split(":")[0] + " " + r.split(":")[1].split()[0] for r in closed.reasons] == [
        "non-rembourse PAP-14"], closed.reasons
    junit = (folder / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("<failure") == 1 and 'name="non-rembourse' in junit.split("<failure")[0].rsplit(
        "<testcase", 1)[1]

    # the same campaign's reports in either language hold no text of ours in the other one
    state = open_checked(folder).state
    ours = [c[key] for st in state.steps.values() for c in st.checks for key in ("message", "details")
            if key in c]
    pairs = [v for item in ours for v in (item if isinstance(item, list) else [item]) if isinstance(v, dict)]
    assert pairs and all(set(p) == {"fr", "en"} for p in pairs)
    for lang, other in (("fr", "en"), ("en", "fr")):
        doc = report.report_document(state, lang)
        texts = [json.dumps(doc, ensure_ascii=False), report.summary(doc, lang),
                 report.report_html(doc, lang), report.junit(state, lang)]
        leaked = {p[other] for p in pairs if p["fr"] != p["en"] for t in texts if p[other] in t}
        assert not leaked, (lang, leaked)
        failing = next(c for c in doc["steps"] if c["id"] == "non-rembourse")["checks"]
        assert any(c["status"] == "fail" and c["requirement"] == "PAP-14" for c in failing)
    assert "le testeur" not in "".join(verdict(state, "en")[1]) and "libellé" in verdict(state, "fr")[1][0]


@pytest.mark.slow
def test_a_skipped_step_leaves_the_campaign_incomplete(tmp_path: Path) -> None:
    closed = _play(tmp_path / "camp", skip="kinesitherapie")
    assert closed.verdict == "incomplet" and int(closed.exit_code) == 4
    assert closed.reasons == ("kinesitherapie: skipped (imprimante en panne)",)


def test_an_unattributed_file_is_listed_with_what_was_read_and_attach_gives_it_a_step(tmp_path: Path) -> None:
    folder = tmp_path / "camp"
    _start(folder)
    # the same page for a patient of no step: the card's patient renamed
    card = open_checked(folder).state.cards["biologie"]
    other = type(card)(card.step, {**card.patient, "nomFamille": "INCONNU"},
                       {**card.expected, "patient": {**card.expected["patient"], "nomFamille": "INCONNU"}})
    stranger = campaign_page(other, "2025-01-02")
    _drop(folder, "autre.pdf", stranger)
    _watch(folder)
    doc = app.campaign.status(str(folder))
    assert [u["name"] for u in doc["unattributed"]] == ["autre.pdf"]
    assert doc["unattributed"][0]["read"]["code2D"]["N"] == "INCONNU"
    sha = doc["unattributed"][0]["sha256"]
    app.campaign.attach(str(folder), "biologie", sha[:12], lambda _: None)
    doc = app.campaign.status(str(folder))
    biology = next(s for s in doc["steps"] if s["id"] == "biologie")
    assert doc["unattributed"] == [] and biology["state"] == "judged"
    assert any(c["requirement"] == "QR-03" and c["status"] == "fail" for c in biology["checks"])
    assert app.bundles.verify(str(folder)).intact


@pytest.mark.slow
def test_a_journal_line_edited_after_close_is_named_by_verify(tmp_path: Path) -> None:
    folder = tmp_path / "camp"
    _play(folder)
    lines = (folder / journal.JOURNAL).read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if '"event":"judged"' in line)
    lines[number] = lines[number].replace('"status":"pass"', '"status":"fail"', 1)
    (folder / journal.JOURNAL).write_text("".join(lines), encoding="utf-8")
    found = app.bundles.verify(str(folder))
    assert not found.intact
    named = f"journal.jsonl line {number + 1}: edited: the next line's 'prev' no longer matches it"
    assert named in found.changed
    assert "journal.jsonl" in found.changed  # the manifest sealed it at close, too


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "conformance", *args]


@pytest.mark.slow
def test_kill_9_of_watch_between_two_drops_loses_nothing(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline"
    _play(baseline)
    folder = tmp_path / "camp"
    _start(folder)
    pages = list(_pages(folder).items())
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    watcher = subprocess.Popen(_cli("campaign", "watch", str(folder), "--settle", "0.2"), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        first = pages[:6]
        for sid, data in first:
            _drop(folder, f"{sid}.pdf", data)
        deadline = time.monotonic() + 60
        while sum(e["event"] == "judged" for e in journal.read(folder)[0]) < len(first):
            assert time.monotonic() < deadline and watcher.poll() is None
            time.sleep(0.1)
    finally:
        watcher.send_signal(signal.SIGKILL)
        watcher.wait()
    for sid, data in pages[6:]:
        _drop(folder, f"{sid}.pdf", data)
    for sid, data in _copies(folder, dict(pages)).items():
        _drop(folder, f"{sid}.xml", data)
    done = subprocess.run(_cli("campaign", "watch", str(folder), "--once", "--settle", "0.2"), env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    app.campaign.confirm(str(folder), "mode-degrade-signale", True, "bandeau « non enregistrée »")
    closed = app.campaign.close(str(folder))
    assert closed.verdict == "conforme", closed.reasons
    assert _outcome(folder) == _outcome(baseline)


def test_a_campaign_closed_with_nothing_done_reports_its_first_step_waiting(tmp_path: Path) -> None:
    folder = tmp_path / "camp"
    _start(folder)
    app.campaign.close(str(folder))
    outcome: Any = _outcome(folder)
    assert outcome[0] == ("medicament-simple", "waiting", ())
