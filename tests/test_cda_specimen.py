"""The self-test's conforming DMP copies (``conformance.specimens_cda``): written by other means
than the reference's (string templates, not lxml's tree builder), with other valid choices —
free-text or structured posology, one or two prescription sections, medicines without the AT/MP
and prevention indicators — and an fpdf2 ordonnance as their PDF copy. ``inspect cda``'s
machinery passes each on CDA-01…CDA-08 (CDA-07 against the paper it carries): our rules judge
the volet, not the reference's way of writing it. With SaxonC-HE and the ANS kit at hand, the
ANS schematron and the CDA schema accept them too."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conformance.application.inspection import inspect_cda
from conformance.cda.analyse import analyse_cda
from conformance.cda.ans import saxon_version
from conformance.cda.kit import load_kit
from conformance.specimens_cda import CdaSpecimen, cda_specimens, document, paper
from conformance.vocabulary import Status
from tests.helpers import SAMPLES

KIT = SAMPLES / "ans-testcontenucda"
SPECIMENS = {s.name: s for s in cda_specimens()}


def _inspect(specimen: CdaSpecimen, folder: Path, printed: bytes | None = None) -> dict[str, Status]:
    xml, pdf = folder / "copy.xml", folder / "paper.pdf"
    xml.write_bytes(specimen.document)
    pdf.write_bytes(specimen.paper if printed is None else printed)
    found = inspect_cda(str(xml), specimen.pid, str(pdf), registered=specimen.registered)
    return {r.requirement: r.status for r in found.results}


def test_the_specimens_cover_both_posologies_and_one_and_two_sections() -> None:
    sections = {name: analyse_cda(s.document) for name, s in SPECIMENS.items()}
    assert {len({ln.kind for ln in r.lines}) for r in sections.values()} == {1, 2}
    assert b"PIVL_TS" in SPECIMENS["cda-two-sections-structured"].document
    assert b"PIVL_TS" not in SPECIMENS["cda-one-section-free-text"].document


@pytest.mark.parametrize("name", sorted(SPECIMENS))
def test_a_specimen_written_otherwise_passes_cda_01_to_08(name: str, tmp_path: Path) -> None:
    found = _inspect(SPECIMENS[name], tmp_path)
    wanted = [f"CDA-0{n}" for n in range(1, 9)]
    assert {req: found[req] for req in wanted} == dict.fromkeys(wanted, Status.PASS)
    assert found["CDA-09"] is Status.SKIP and found["CDA-10"] is Status.SKIP  # no --cda-rules


def test_the_specimen_checks_can_fail(tmp_path: Path) -> None:
    """Not checks that cannot fail: other renewals registered (CDA-05), another paper (CDA-07)."""
    specimen = SPECIMENS["cda-one-section-free-text"]
    rx = specimen.registered
    other = {**rx, "lignes": [{**ln, "renouvellements": 5} for ln in rx["lignes"]]}
    assert _inspect(dataclasses.replace(specimen, registered=other), tmp_path)["CDA-05"] is Status.FAIL
    another = paper(rx, pid="0AB4D7E9F1G2H3J4K5")
    assert _inspect(specimen, tmp_path, printed=another)["CDA-07"] is Status.FAIL


def test_the_self_test_inspects_the_cda_specimens() -> None:
    from conformance.application.selftest import inspect_specimens

    outcomes = {o.name: o for o in inspect_specimens()}
    assert set(SPECIMENS) <= set(outcomes)
    assert {n: (outcomes[n].failing, outcomes[n].not_evaluated) for n in SPECIMENS} == \
        dict.fromkeys(SPECIMENS, ((), ()))


@pytest.mark.skipif(saxon_version() is None or not KIT.is_dir(), reason="needs SaxonC-HE "
                    "(pip install 'epresc-conformance[cda]') and ../shared/samples/"
                    "ans-testcontenucda")
@pytest.mark.parametrize("name", sorted(SPECIMENS))
def test_the_specimen_is_valid_for_the_ans_kit(name: str) -> None:
    specimen = SPECIMENS[name]
    data = document(specimen.registered, specimen.pid, b"%PDF-1.4 placeholder",
                    b"PIVL_TS" in specimen.document)
    record = analyse_cda(data, load_kit(KIT), "saxon")
    assert record.ans is not None
    assert (record.ans.schematron, record.ans.schema) == ((), ()), record.ans
