"""Scenario loading: every user-error kind gives its located message (expected files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.checks import REGISTRY
from conformance.paths import PROJECT
from conformance.scenario import Fixtures, Scenario, ScenarioError, load_file, merge_override
from conformance.scenario.yamlload import load_text

BAD = Path(__file__).parent / "data" / "bad"


@pytest.mark.parametrize("case", sorted(p.stem for p in BAD.glob("*.yaml")))
def test_bad_scenario_message(case: str, fixtures: Fixtures, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    with pytest.raises(ScenarioError) as info:
        load_file(BAD.relative_to(PROJECT) / f"{case}.yaml", fixtures, REGISTRY)
    expected = (BAD / f"{case}.expected").read_text(encoding="utf-8").rstrip("\n")
    assert info.value.render() == expected


def test_bundled_suite_loads(suite: list[Scenario]) -> None:
    assert len(suite) >= 15
    kinds = {step.kind for sc in suite for step in sc.steps}
    assert {"create", "consult", "search", "paper"} <= kinds
    types = {line["type"] for sc in suite for st in sc.steps if st.kind == "create"
             for line in st.params.get("lignes", [])}
    assert {"medicament", "dispositifMedical", "acteBiologieMedicale", "acteInfirmier",
            "acteKinesitherapie", "acteOrthophonie", "acteOrthoptie", "actePedicurie"} <= types


def test_product_fixture_merged_with_overrides(suite: list[Scenario]) -> None:
    multi = next(sc for sc in suite if sc.id == "RT-MULTI-001")
    last = multi.steps[0].params["lignes"][-1]
    assert last["nonRembourse"] is True and last["libelle"].startswith("PARACÉTAMOL")


def test_billion_laughs_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    with pytest.raises(ScenarioError) as info:
        load_text(bomb, "bomb.yaml")
    assert "aliases" in info.value.title


def test_list_of_scenarios_and_positions(tmp_path: Path, fixtures: Fixtures) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("- id: A\n  title: a\n  steps: [{search: {}}]\n"
                    "- id: B\n  title: b\n  steps: [{search: {}}]\n  extra: 1\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_file(path, fixtures, REGISTRY)
    assert info.value.title == "unknown key 'extra' in mapping"
    assert info.value.pos is not None and info.value.pos.line == 7


def test_a_partial_patient_override_merges_with_the_fixture(tmp_path: Path) -> None:
    from conformance.scenario.model import create_body

    file = tmp_path / "s.yaml"
    file.write_text("id: M\ntitle: m\ngiven: {prescriber: generaliste, patient: adulte}\nsteps:\n"
                    "  - create:\n      consentement: {opposition: false}\n"
                    "      patient: {dateNaissance: '1980-02-29', prenom: Anne}\n"
                    "      lignes: [paracetamol]\n", encoding="utf-8")
    (sc,) = load_file(file, Fixtures(PROJECT / "fixtures"), REGISTRY)
    body = create_body(sc.steps[0].params, sc.fixtures)
    assert body["patient"]["nomFamille"] == "NESSI" and body["patient"]["dateNaissance"] == "1980-02-29"
    assert body["patient"]["prenom"] == "Anne" and body["prescripteur"] == sc.fixtures["prescriber"]
    assert merge_override({"a": 1, "b": 2}, {"b": None, "c": 3}) == {"a": 1, "c": 3}


INVALID_ON_PURPOSE = """
id: P
title: an empty family name
given: {prescriber: generaliste, patient: adulte}
steps:
  - create:
      patient: {ins: "277077512345659", nomFamille: "", prenom: Ruth, sexe: F, dateNaissance: "1977-07-14"}
      consentement: {opposition: false}
      lignes: [paracetamol]
    expect: [EXPECTED]
"""


def test_a_check_declared_invalid_input_holds_its_steps_body_to_types_only(tmp_path: Path,
                                                                            fixtures: Fixtures) -> None:
    from conformance.checks.registry import check
    from conformance.messages import LITERAL, TEMPLATES, Text
    from conformance.vocabulary import Severity, StepKind

    def load(expected: str) -> list[Scenario]:
        path = tmp_path / f"{expected}.yaml"
        path.write_text(INVALID_ON_PURPOSE.replace("EXPECTED", expected), encoding="utf-8")
        return load_file(path, fixtures, REGISTRY)

    probes = ("probe_refused", "probe_strict")
    try:
        for name, loose in zip(probes, (True, False), strict=True):
            check(name, "RT-08", Severity.MAJOR, title=Text("Sonde", "Probe"), hint=Text("rien", "nothing"),
                  steps=(StepKind.CREATE,), invalid_input=loose)(lambda ctx: "")
        (sc,) = load("probe_refused")  # declared: the empty name is what the step is about
        assert sc.steps[0].params["patient"]["nomFamille"] == ""
        with pytest.raises(ScenarioError, match=r"breaks the adapter contract at 'patient\.nomFamille'"):
            load("probe_strict")  # the same body, expecting a check that does not declare it
        with pytest.raises(ValueError, match="invalid_input on a check of no create step"):
            check("probe_misdeclared", "RT-08", Severity.MAJOR, title=Text("a", "a"), hint=Text("b", "b"),
                  steps=(StepKind.CONSULT,), invalid_input=True)(lambda ctx: "")
    finally:
        for name in (*probes, "probe_misdeclared"):
            REGISTRY.pop(name, None)
        for key in [k for k in TEMPLATES if k.startswith(probes)]:
            del TEMPLATES[key]
            LITERAL.discard(key)
    assert REGISTRY["rejected"].invalid_input  # RT-08's own declaration
