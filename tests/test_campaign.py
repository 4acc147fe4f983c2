"""The campaign's parts: plan and prescriber validation, cards, journal chain, drop-folder rules, and
the commands' exit codes (no paper is judged here: see test_campaign_play.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.campaign import journal
from conformance.campaign.cards import card_html, draw_cards
from conformance.campaign.drop import complete, ignored
from conformance.campaign.plan import load_plan, plan_path
from conformance.campaign.prescriber import load_prescriber
from conformance.campaign.verify import verify
from conformance.cli.main import cli
from conformance.identifiers import validate
from conformance.paths import BUNDLED_FIXTURES
from conformance.scenario.errors import ScenarioErrors

PRESCRIBER = BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_the_default_plan_is_about_a_dozen_steps_of_every_kind_it_needs() -> None:
    plan = load_plan(plan_path(None))
    kinds = [s.kind for s in plan.steps]
    assert 10 <= len(plan.steps) <= 15 and "confirm" in kinds
    produce = [s for s in plan.steps if s.kind == "produce"]
    assert any(s.degrade for s in produce) and any(s.opposition for s in produce)
    assert any(s.remplacement for s in produce)
    assert any(ln.get("ald") for s in produce for ln in s.lignes)
    assert any(ln.get("nonRembourse") for s in produce for ln in s.lignes)
    assert any(ln.get("nonSubstituable") for s in produce for ln in s.lignes)
    types = {ln["type"] for s in produce for ln in s.lignes}
    assert {"medicament", "acteBiologieMedicale", "acteKinesitherapie", "dispositifMedical"} <= types


def test_every_error_of_a_plan_is_located_in_one_pass(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("""id: essai
version: "1"
title: Essai
steps:
  - id: un
    kind: produce
    title: Un
    instructions: Faites-le.
    prescription:
      lignes:
        - produit: paracetamoll
  - id: un
    kind: confirm
    title: Deux
    instructions: Dites-le.
  - id: trois
    kind: dmp
    title: Trois
    instructions: Déposez.
    source: quatre
  - id: quatre
    kind: produce
    title: Quatre
    instructions: Faites-le.
    prescription:
      lignes:
        - {produit: levothyroxine, motifNonSubstitution: XYZ}
""", encoding="utf-8")
    with pytest.raises(ScenarioErrors) as caught:
        load_plan(plan)
    found = {(e.title.split(":")[0], e.pos.line if e.pos else 0) for e in caught.value.errors}
    titles = " | ".join(e.title for e in caught.value.errors)
    assert ("unknown product fixture 'paracetamoll'", 11) in found, titles
    assert ("duplicate step id 'un'", 12) in found, titles
    assert ("a confirm step needs its 'question'", 12) in found, titles
    assert ("source 'quatre' is not an earlier step", 20) in found, titles
    assert any(e.title.startswith("line breaks the adapter contract") and e.pos and e.pos.line == 27
               for e in caught.value.errors), titles
    assert "did you mean 'paracetamol'?" in caught.value.render()


def test_a_plan_with_an_unknown_key_says_where_and_what_was_meant(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("id: essai\nversion: '1'\ntitle: Essai\nsteps:\n  - id: un\n    kind: confirm\n"
                    "    title: Un\n    instructions: x\n    questoin: y\n", encoding="utf-8")
    with pytest.raises(ScenarioErrors) as caught:
        load_plan(plan)
    error = caught.value.errors[0]
    assert error.title == "unknown key 'questoin' in 'steps.0'" and error.pos and error.pos.line == 9
    assert "did you mean 'question'?" in error.hint


def test_every_error_of_a_prescriber_file_is_located(tmp_path: Path) -> None:
    path = tmp_path / "moi.yaml"
    path.write_text("rpps: '10000000018'\nam: 751000019\nnomFamille: MOI\nprenom: Jo\nadrese: x\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioErrors) as caught:
        load_prescriber(path)
    titles = [(e.title, e.pos.line if e.pos else 0) for e in caught.value.errors]
    assert any(t.startswith("invalid rpps '10000000018'") and line == 1 for t, line in titles), titles
    assert ("'am' must be text", 2) in titles
    assert ("unknown key 'adrese' in the prescriber", 5) in titles
    assert any(t == "missing key 'telephone' in the prescriber" for t, _ in titles)


def test_cards_are_drawn_from_the_seed_with_valid_keys_and_unique_patients() -> None:
    import datetime as dt

    plan = load_plan(plan_path(None))
    prescriber = load_prescriber(PRESCRIBER)
    day = dt.date(2025, 3, 1)
    cards = draw_cards(plan, prescriber, 11, day)
    assert cards == draw_cards(plan, prescriber, 11, day)
    assert cards != draw_cards(plan, prescriber, 12, day)
    pairs = {(c.patient["nomFamille"], c.patient["dateNaissance"]) for c in cards.values()}
    assert len(pairs) == len(cards) == sum(s.kind == "produce" for s in plan.steps)
    for card in cards.values():
        assert validate("nir", card.patient["nir"]).valid, card.patient
        born = dt.date.fromisoformat(card.patient["dateNaissance"])
        assert card.patient["nir"][1:5] == f"{born:%y%m}"
    child = cards["enfant"].patient
    assert (day - dt.date.fromisoformat(child["dateNaissance"])).days < 10 * 366 and child["poids"] == 21
    replaced = cards["remplacant"].expected["prescripteur"]["remplace"]
    assert validate("rpps", replaced["rpps"]).valid
    page = card_html(plan.steps[0], cards[plan.steps[0].id], plan)
    assert "<script" not in page and "src=" not in page and "http" not in page
    assert cards[plan.steps[0].id].patient["nir"] in page


def test_the_journal_is_a_chain_and_verify_names_an_edited_or_deleted_line(tmp_path: Path) -> None:
    for n in range(4):
        journal.append(tmp_path, "Alice", "shown", f"s{n}", shownSha256="0" * 64)
    entries, problems = journal.read(tmp_path)
    assert [e["seq"] for e in entries] == [0, 1, 2, 3] and not problems
    assert entries[1]["prev"] == journal.line_hash((tmp_path / journal.JOURNAL).read_bytes().splitlines()[0])
    lines = (tmp_path / journal.JOURNAL).read_text(encoding="utf-8").splitlines(keepends=True)
    edited = lines[:]
    edited[1] = edited[1].replace("Alice", "Alicf")
    (tmp_path / journal.JOURNAL).write_text("".join(edited), encoding="utf-8")
    assert [str(p) for p in journal.read(tmp_path)[1]] == [
        "journal.jsonl line 2: edited: the next line's 'prev' no longer matches it"]
    (tmp_path / journal.JOURNAL).write_text("".join(lines[:2] + lines[3:]), encoding="utf-8")
    problems = journal.read(tmp_path)[1]
    assert len(problems) == 1 and problems[0].line == 3 and "deleted or inserted" in problems[0].message


def test_temporary_and_hidden_names_are_ignored_and_an_unfinished_pdf_waits() -> None:
    for name in (".~lock.x.pdf", "~$doc.pdf", "scan.pdf.part", "x.TMP", "y.crdownload"):
        assert ignored(name), name
    assert not ignored("ordonnance.pdf")
    assert complete(b"%PDF-1.7\n1 0 obj\n") is not None
    assert complete(b"%PDF-1.7\n...\n%%EOF\n") is None


def _start(tmp_path: Path) -> Path:
    folder = tmp_path / "camp"
    code, out = _run("campaign", "start", "-d", str(folder), "--prescriber", str(PRESCRIBER),
                     "--tester", "Alice", "--seed", "3")
    assert code == 0, out
    return folder


def test_start_status_confirm_skip_close_and_a_closed_campaign_refuses(tmp_path: Path) -> None:
    folder = _start(tmp_path)
    assert {p.name for p in folder.iterdir()} == {"plan.yaml", "prescriber.yaml", "cards", "depot",
                                                  "artefacts", "journal.jsonl"}
    code, out = _run("campaign", "status", str(folder), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["verdict"] == "en-cours" and doc["unattributed"] == []
    assert set(doc) == {"campaign", "plan", "harness", "verdict", "steps", "unattributed"}
    first = doc["steps"][0]
    assert first["state"] == "waiting" and set(first["patient"]) == {"nom", "prenom", "sexe",
                                                                      "dateNaissance", "nir", "ins"}
    assert doc["steps"][1]["state"] == "pending"
    code, out = _run("campaign", "confirm", str(folder), "medicament-simple", "--yes")
    assert code == 2 and "not a confirm step" in out
    code, out = _run("campaign", "confirm", str(folder), "mode-degrade-signal", "--yes")
    assert code == 2 and "did you mean 'mode-degrade-signale'?" in out
    answered = _run("campaign", "confirm", str(folder), "mode-degrade-signale", "--no", "--note", "rien vu")
    assert answered[0] == 0
    assert _run("campaign", "skip", str(folder), "enfant", "--reason", "pas de fiche enfant")[0] == 0
    code, out = _run("campaign", "close", str(folder))
    assert code == 1 and "verdict : non conforme" in out and "le testeur a répondu non" in out
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    declaration = report["declarations"][0]
    assert declaration["value"] == "no" and declaration["tester"] == "Alice"
    assert declaration["question"].startswith("À l'étape « mode dégradé »")
    entries, _ = journal.read(folder)
    confirmed = next(e for e in entries if e["event"] == "confirmed")
    shown = next(e for e in entries if e["event"] == "shown" and e["step"] == "mode-degrade-signale")
    assert confirmed["shownSha256"] == shown["shownSha256"]
    for args in (("skip", str(folder), "biologie", "--reason", "x"), ("watch", str(folder), "--once"),
                 ("confirm", str(folder), "mode-degrade-signale", "--yes"), ("close", str(folder))):
        code, out = _run("campaign", *args)
        assert code == 2 and "the campaign is closed" in out, args
    assert _run("campaign", "status", str(folder))[0] == 0
    code, out = _run("verify", str(folder))
    assert code == 0 and "intact" in out


def test_an_open_campaign_with_nothing_done_closes_incomplete(tmp_path: Path) -> None:
    folder = _start(tmp_path)
    code, out = _run("campaign", "close", str(folder), "--lang", "en")
    assert code == 4 and "verdict: incomplet" in out and "medicament-simple: waiting for the file" in out
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["lang"] == "en" and "Campaign cnda-prescripteur: incomplet" in \
        (folder / "report.html").read_text(encoding="utf-8")


def test_a_changed_plan_is_refused_unless_accepted_and_the_acceptance_is_journaled(tmp_path: Path) -> None:
    folder = _start(tmp_path)
    plan = folder / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("Médicament simple", "Médicament seul"),
                    encoding="utf-8")
    code, out = _run("campaign", "skip", str(folder), "enfant", "--reason", "x")
    assert code == 2 and "plan changed since the start" in out
    code, out = _run("verify", str(folder))
    assert code == 1 and "plan.yaml (not the one the journal records)" in out
    assert _run("campaign", "skip", str(folder), "enfant", "--reason", "x", "--accept-change")[0] == 0
    assert [e["event"] for e in journal.read(folder)[0]][-2:] == ["accepted-change", "skipped"]
    assert verify(folder).intact


def test_start_refuses_a_bad_prescriber_with_located_errors_and_a_used_folder(tmp_path: Path) -> None:
    bad = tmp_path / "moi.yaml"
    bad.write_text("rpps: '123'\n", encoding="utf-8")
    code, out = _run("campaign", "start", "-d", str(tmp_path / "c"), "--prescriber", str(bad))
    assert code == 2 and "moi.yaml:1:7" in out and "missing key 'nomFamille'" in out
    assert not (tmp_path / "c").exists()
    folder = _start(tmp_path)
    code, out = _run("campaign", "start", "-d", str(folder), "--prescriber", str(PRESCRIBER))
    assert code == 2 and "already exists and is not empty" in out
