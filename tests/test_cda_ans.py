"""The ANS rules from a user's kit: SaxonC-HE runs the volet's schematron with the kit's own
skeleton; lxml runs it only for rule sets proved identical here; the CDA schema locates its
errors; a folder that is not a kit is the user's error."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conformance.cda.ans import VERIFIED_ON_LXML, run_ans, saxon_version, schematron
from conformance.cda.kit import KitError, load_kit
from conformance.cda.safexml import parse
from conformance.paper.sandbox import Sandbox
from tests.helpers import SAMPLES

KIT = SAMPLES / "ans-testcontenucda"
pytestmark = pytest.mark.skipif(not KIT.is_dir(), reason="../shared/samples/ans-testcontenucda "
                                "absent (a clone outside the workspace)")
needs_saxon = pytest.mark.skipif(saxon_version() is None, reason="SaxonC-HE not installed "
                                 "(pip install 'epresc-conformance[cda]')")


def _example(name: str = "PosoNonStruct") -> bytes:
    return (KIT / "ExemplesCDA" / f"eP-MED-DM_2024.01_{name}.xml").read_bytes()


# ANS's two examples and defects made on them: what each engine must agree on
MUTANTS = {
    "no-low": lambda d: d.replace(b'<low value="20231201091000+0100"/>', b""),
    "no-repeat": lambda d: d.replace(b'<repeatNumber value="0"/>', b""),
    "no-ald": lambda d: d.replace(b"1.2.250.1.213.1.1.3.48.13", b"1.2.250.1.213.1.1.3.48.99"),
    "no-pdf-section": lambda d: d.replace(b"1.2.250.1.213.1.1.2.243", b"1.2.250.1.213.1.1.2.999"),
    "no-sections": lambda d: d.replace(b"1.2.250.1.213.1.1.2.171", b"9").replace(
        b"1.2.250.1.213.1.1.2.222", b"9"),
    "no-author-code": lambda d: re.sub(rb"(<assignedAuthor.*?)<code [^>]*/>", rb"\1", d,
                                       count=1, flags=re.S),
    "no-telecom": lambda d: re.sub(rb"(<patientRole>.*?)<telecom[^>]*/>\s*<telecom[^>]*/>\s*"
                                   rb"<telecom[^>]*/>", rb"\1", d, count=1, flags=re.S),
    "wrong-code": lambda d: d.replace(b'code="57833-6" displayName="Prescription de produits de '
                                      b'sant\xc3\xa9" codeSystem', b'code="11111-1" codeSystem', 1),
}


def _keys(findings: object) -> list[tuple[str, str, str]]:
    assert isinstance(findings, tuple)
    return [(f.rule, f.message, f.at.xpath) for f in findings]


@needs_saxon
@pytest.mark.parametrize("name", ["PosoStruct", "PosoNonStruct"])
def test_ans_examples_pass_the_ans_rules_in_the_worker(name: str) -> None:
    rules = load_kit(KIT)
    box = Sandbox(1)
    try:
        record = box.cda(_example(name), rules)
    finally:
        box.close()
    assert record.ans is not None and record.ans.engine.startswith("SaxonC-HE")
    assert record.ans.schematron == () and record.ans.schema == ()
    assert rules.digest[:12] in record.ans.rules


@needs_saxon
def test_lxml_gives_saxons_answers_for_every_verified_rule_set() -> None:
    rules = load_kit(KIT)
    assert rules.digest in VERIFIED_ON_LXML
    seen = set()
    for name in ("PosoStruct", "PosoNonStruct"):
        for mutant, change in MUTANTS.items():
            data = change(_example(name))
            assert data != _example(name), mutant
            tree = parse(data)
            by_saxon, _, _ = schematron(rules, tree, "saxon")
            by_lxml, engine, _ = schematron(rules, tree, "lxml")
            assert _keys(by_saxon) == _keys(by_lxml), (name, mutant)
            assert engine.startswith("lxml")
            seen.update(f.rule for f in by_saxon or ())
    # the corpus exercises every active pattern of the volet
    assert seen >= {"ANS EP-MED-DM_2024.01", "ANS E_medicamentPrescrit.sch",
                    "ANS E_dispositifMedicalPrescrit.sch"}


def test_an_unverified_rule_set_is_not_evaluated_on_lxml(tmp_path: Path) -> None:
    copy = tmp_path / "kit"
    shutil.copytree(KIT, copy)
    sch = copy / "schematrons" / "CI-SIS_EP-MED-DM_2024.01.sch"
    sch.write_bytes(sch.read_bytes().replace(b"<title>", b"<title>Changed: "))
    rules = load_kit(copy)
    assert rules.digest not in VERIFIED_ON_LXML
    result = run_ans(rules, parse(_example()), "lxml")
    assert result.schematron is None and "never verified" in result.schematron_reason
    assert result.schema == ()  # the schema needs no XSLT 2: it still runs


def test_the_schema_locates_its_errors() -> None:
    bad = _example().replace(b"<title>Prescription de m", b"<titre/><title>Prescription de m", 1)
    result = run_ans(load_kit(KIT), parse(bad), "lxml")
    assert [(f.rule, f.at.xpath) for f in result.schema or ()] == [("XSD", "/ClinicalDocument/titre")]
    assert "titre" in (result.schema or ())[0].at.fragment


def test_a_folder_that_is_not_a_kit_is_the_users_error(tmp_path: Path) -> None:
    with pytest.raises(KitError, match="no such folder"):
        load_kit(tmp_path / "nope")
    with pytest.raises(KitError, match=r"missing schematrons/CI-SIS_EP-MED-DM_2024\.01\.sch"):
        load_kit(tmp_path)


def test_the_checkouts_commit_is_read_without_git(tmp_path: Path) -> None:
    copy = tmp_path / "kit"
    shutil.copytree(KIT, copy)
    (copy / ".git" / "refs" / "heads").mkdir(parents=True)
    (copy / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (copy / ".git" / "refs" / "heads" / "main").write_text("7cd489b3" + "0" * 32 + "\n")
    rules = load_kit(copy)
    assert rules.commit == "7cd489b3" + "0" * 32
    assert "commit 7cd489b30000" in rules.label
    assert rules.digest == load_kit(KIT).digest  # the same rules, wherever they sit
