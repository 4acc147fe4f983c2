"""A target's CDA document is read in a sandbox worker under limits: every XML bomb, external
entity, oversized or over-deep document costs one classified refusal, and nothing of a local
file ever reaches a record; ANS's examples read into their facts."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.cda.analyse import analyse_cda
from conformance.cda.record import CdaRecord
from conformance.cda.safexml import MIB
from conformance.paper.sandbox import Limits, Sandbox
from tests.helpers import SAMPLES

KIT = SAMPLES / "ans-testcontenucda"
EXAMPLES = KIT / "ExemplesCDA"
needs_kit = pytest.mark.skipif(not KIT.is_dir(), reason="../shared/samples/ans-testcontenucda "
                               "absent (a clone outside the workspace)")
SECRET = "TOP-SECRET-LOCAL-CONTENT-4242"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(1, Limits(memory_bytes=1024 * MIB, cpu_seconds=5, deadline_seconds=10.0))
    yield box
    box.close()


def _laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (f'<?xml version="1.0"?><!DOCTYPE ClinicalDocument [{"".join(entities)}]>'
            '<ClinicalDocument xmlns="urn:hl7-org:v3">&lol9;</ClinicalDocument>').encode()


def _external(tmp_path: Path) -> bytes:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    return (f'<?xml version="1.0"?><!DOCTYPE ClinicalDocument [<!ENTITY x SYSTEM '
            f'"file://{secret}">]><ClinicalDocument xmlns="urn:hl7-org:v3"><title>&x;</title>'
            '</ClinicalDocument>').encode()


def _deep(levels: int = 100_000) -> bytes:
    return b'<ClinicalDocument xmlns="urn:hl7-org:v3">' + b"<a>" * levels + b"</a>" * levels + \
        b"</ClinicalDocument>"


def test_hostile_documents_each_cost_one_classified_refusal(sandbox: Sandbox,
                                                            tmp_path: Path) -> None:
    cases = {
        "billion-laughs": (_laughs(), "forbidden"),
        "external-entity": (_external(tmp_path), "forbidden"),
        "200-mb": (b"<ClinicalDocument>" + b" " * (200 * MIB) + b"</ClinicalDocument>",
                   "too-large"),
        "100000-nested": (_deep(), "too-deep"),
        "not-xml": (b"%PDF-1.4 not xml at all", "unreadable"),
        "undeclared-entity": (b'<ClinicalDocument xmlns="urn:hl7-org:v3">&x;</ClinicalDocument>',
                              "unreadable"),
    }
    for name, (data, kind) in cases.items():
        record = sandbox.cda(data)
        assert not record.readable, name
        assert record.refused == kind, (name, record.refusal)
        assert record.refusal and record.findings == () and record.pdf is None, name
        assert SECRET not in repr(record), name


def test_a_wrong_root_is_one_structural_finding() -> None:
    record = analyse_cda(b"<html><body/></html>")
    assert record.readable
    assert [f.rule for f in record.findings] == ["CDA-01.00"]
    assert "html" in record.findings[0].message


@needs_kit
@pytest.mark.parametrize("name", ["PosoStruct", "PosoNonStruct"])
def test_ans_examples_read_into_their_facts(sandbox: Sandbox, name: str) -> None:
    data = (EXAMPLES / f"eP-MED-DM_2024.01_{name}.xml").read_bytes()
    record = sandbox.cda(data)
    assert record == analyse_cda(data)  # the worker's record is the in-process one
    assert isinstance(pickle.loads(pickle.dumps(record)), CdaRecord)
    assert record.findings == ()  # our rules hold on ANS's own examples
    assert [(i.root, i.extension) for i in record.service_ids] == [
        ("1.2.250.1.215.500.1.1", "01S2TBPZ2JCNZZYGHZ")]
    assert record.validity == ("20231201091000+0100", "20240730091000+0100")
    assert record.patient.ids[0].root == "1.2.250.1.213.1.4.10"
    assert record.patient.birth == "19790328" and record.patient.family[0] == "PAT-TROIS"
    assert record.author.ids[0].extension == "801234567897"
    assert [line.kind for line in record.lines] == ["medicament", "medicament",
                                                    "dispositifMedical"]
    assert record.lines[0].quantity == "2" and record.lines[0].repeat == "3"
    assert record.lines[0].ald is False and record.lines[2].nr is False
    assert record.pdf is not None and record.pdf.startswith(b"%PDF-")
    assert record.lines[0].at.xpath.endswith("section/entry[1]/substanceAdministration")
