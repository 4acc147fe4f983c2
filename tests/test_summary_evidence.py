"""summary.md keeps the evidence (values whole up to a generous limit, cut around their
difference past it, commands copyable) and junit.xml's skipped reasons speak to its reader."""

from __future__ import annotations

from pathlib import Path

from conformance.application import Selection, Settings, run_session
from conformance.embedded import EmbeddedWorld
from conformance.reporters import markdown
from conformance.reporters.markdown import LIMIT, clip

POSOLOGY = ("1 comprimé le soir, à augmenter progressivement selon la glycémie capillaire, "
            "sans dépasser 3 comprimés par jour, ") * 5  # 560 characters


def _report(expected: object, observed: object, message: str = "1 champ(s) diffèrent") -> dict[str, object]:
    check = {"check": "same_as_created", "status": "fail", "message": message, "expected": expected,
             "observed": observed, "requirement": "RT-02"}
    return {"verdict": "non-conforme", "failOn": "major",
            "anomalyGroups": [{"requirement": "RT-02", "check": "same_as_created", "severity": "blocking",
                               "message": message, "scenarios": ["PAP-PAGES-001"]}],
            "scenarios": [{"id": "PAP-PAGES-001", "steps": [{"checks": [check]}]}]}


def _row(summary: str) -> list[str]:
    row = next(line for line in summary.splitlines() if line.startswith("| RT-02 |"))
    return [cell.strip() for cell in row.strip("|").split(" | ")]


def test_a_long_value_is_cut_around_where_it_differs_not_at_its_start() -> None:
    observed = f"lignes[11].posologie: expected '{POSOLOGY}', observed '{POSOLOGY[:100]}'"
    cell = _row(markdown.render(_report("every created field unchanged", observed)))[-1]
    assert len(cell) < LIMIT + 10 and cell.startswith("`…")
    assert f"observed '{POSOLOGY[:100]}'" in cell  # where the cut is, whole
    assert cell.endswith("'`")  # its end is shown: the observed value stops there


def test_values_are_shown_whole_up_to_a_generous_limit() -> None:
    value = POSOLOGY[:400]
    expected, observed = _row(markdown.render(_report(value, value[:-1] + "X")))[-2:]
    assert expected == f"`{value.strip()}`" and observed == f"`{value[:-1]}X`"
    # past the limit, two values are cut around their first difference
    long_a, long_b = POSOLOGY * 2, POSOLOGY * 2
    long_b = long_b[:700] + "Z" + long_b[701:]
    cut = clip(long_b, long_a)
    assert "Z" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) == LIMIT + 2


def test_commands_stay_copyable_in_code_spans() -> None:
    curl = "curl -X GET 'http://127.0.0.1:8080/prescriptions?prescripteur=1&au=2026-01-01' -H 'a: <b>'"
    cell = _row(markdown.render(_report("a 2xx or 4xx", curl)))[-1]
    assert cell == f"`{curl}`"  # no &amp;, no &lt;
    piped = _row(markdown.render(_report("", "grep a|b `x`")))[-1]
    assert piped == "`` grep a\\|b `x` ``"  # the pipe escaped for the table, a longer fence for `x`


def test_junit_skipped_reasons_speak_to_the_reader(world: EmbeddedWorld, tmp_path: Path) -> None:
    done = run_session(Settings(target=world.target_url, teleservice=world.teleservice_url,
                                selection=Selection(keywords=("RT-MED-001",)), report_dir=tmp_path))
    junit = (done.folder / "junit.xml").read_text("utf-8")
    assert "ajouter une étape" not in junit and "add a 'dispense' step" not in junit
    assert ('<skipped message="non applicable : rien n\'a été délivré dans ce scénario : la '
            "consultation n'a aucune exécution à montrer ou masquer\"") in junit
    assert '<skipped message="non applicable : aucune ligne ALD : ordonnance à une zone"' in junit
