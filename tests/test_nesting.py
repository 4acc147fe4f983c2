"""Nesting is bounded before parsing, for every format we read: a bomb is a located error (YAML
files) or one anomaly of the target (its JSON); real files, CDA documents included, pass."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest
import yaml

from conformance import nesting
from conformance.application import ApplicationError, Settings, run_session
from conformance.application.baseline import load as load_baseline
from conformance.bilan.errors import BilanInputError
from conformance.bilan.inputs import _yaml as load_bilan_yaml
from conformance.checks import REGISTRY
from conformance.paths import BUNDLED_FIXTURES, BUNDLED_SCENARIOS, PROJECT
from conformance.profiles import ProfileError, load_profile
from conformance.scenario import Fixtures, ScenarioError, load_suite
from conformance.targets import untrusted
from tests.fakes import FakeTarget, scenarios

BOMB = "[" * 20_000 + "]" * 20_000  # kept the loader busy past 12 s
SAMPLES = PROJECT.parent / "shared" / "samples" / "ans-testcontenucda"


def located(message: str, file: Path, line: int) -> None:
    """The project's error format: title, file:line:col, the excerpt under it, the fix."""
    lines = message.splitlines()
    assert lines[0].startswith("error: ") and "nested deeper than 64 levels" in lines[0]
    assert lines[1].startswith(f"  --> {file}:{line}:")
    assert lines[3].startswith(f"{line} | ") and len(lines[3]) < 120  # a window, not 40,000 brackets
    assert lines[4].rstrip().endswith("^") and lines[-1].startswith("  = ")


def test_a_scenario_file_of_20000_nested_brackets_is_a_located_error(tmp_path: Path) -> None:
    file = tmp_path / "deep.yaml"
    file.write_text(f"id: DEEP\ntitle: {BOMB}\nsteps:\n  - search: {{}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_suite([file], Fixtures(BUNDLED_FIXTURES), REGISTRY)
    located(info.value.render(), file, 2)
    assert info.value.pos is not None and info.value.pos.col == 7 + 64  # the 64th bracket


def test_a_fixture_of_20000_nested_brackets_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "fixtures" / "patients").mkdir(parents=True)
    fixture = tmp_path / "fixtures" / "patients" / "deep.yaml"
    fixture.write_text(f"nomFamille: {BOMB}\n", encoding="utf-8")
    file = tmp_path / "uses.yaml"
    file.write_text("id: F\ntitle: f\ngiven: {patient: deep}\nsteps:\n  - search: {}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_suite([file], Fixtures(tmp_path / "fixtures"), REGISTRY)
    located(info.value.render(), fixture, 1)


def test_a_profile_of_20000_nested_mappings_is_a_located_error(tmp_path: Path) -> None:
    file = tmp_path / "deep.yaml"
    file.write_text("name: deep\nrules:\n  id_pattern: {value: " + "{a: " * 20_000 + "}" * 20_000 + "}\n",
                    encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(str(file))
    located(str(info.value), file, 3)


def test_block_indentation_and_compact_entries_are_levels_too(tmp_path: Path) -> None:
    block = "".join(" " * i + "k:\n" for i in range(3000)) + " " * 3000 + "v\n"
    compact = "- " * 20_000 + "x\n"
    for text, line in ((block, 65), (compact, 1)):
        with pytest.raises(nesting.TooDeep) as info:
            nesting.check_yaml(text)
        assert info.value.line == line


def test_a_file_crafted_to_slip_past_the_pre_scan_is_refused_by_the_parsers_events(tmp_path: Path) -> None:
    # a multi-line plain scalar whose next line starts with a quote: read as a quoted string by
    # the pre-scan, as plain text by YAML, which then opens every bracket that follows
    text = "a: x\n  'y\nb: " + "[" * 200 + "]" * 200 + "\n"
    nesting.check_yaml(text)  # slipped past
    with pytest.raises(nesting.TooDeep):
        list(nesting.yaml_levels(yaml.parse(text, Loader=yaml.SafeLoader)))
    with pytest.raises(nesting.NestedTooDeep):
        nesting.safe_load(text)
    file = tmp_path / "crafted.yaml"
    file.write_text(f"id: C\ntitle: c\nsteps:\n  - search: {{}}\n{text}", encoding="utf-8")
    with pytest.raises(ScenarioError, match="nested deeper than 64 levels"):
        load_suite([file], Fixtures(BUNDLED_FIXTURES), REGISTRY)


def test_a_baseline_and_a_bilan_input_too_deep_are_located(tmp_path: Path) -> None:
    file = tmp_path / "deep.yaml"
    file.write_text(f"anomalies: {BOMB}\n", encoding="utf-8")
    with pytest.raises(ApplicationError) as info:
        load_baseline(str(file))
    located(info.value.message, file, 1)
    with pytest.raises(BilanInputError) as bilan:
        load_bilan_yaml(str(file))
    assert bilan.value.line == 1 and "nested deeper than 64 levels" in bilan.value.message


def test_every_bundled_yaml_file_is_well_within_the_limit() -> None:
    texts = [p.read_text("utf-8") for root in (BUNDLED_SCENARIOS, BUNDLED_FIXTURES,
                                               PROJECT / "conformance" / "profiles")
             for p in sorted(root.rglob("*.yaml"))]
    assert len(texts) > 30
    for text in texts:  # a third of the limit: real files have room
        nesting.check_yaml(text, limit=nesting.MAX_DEPTH // 3)
        list(nesting.yaml_levels(yaml.parse(text, Loader=yaml.SafeLoader), nesting.MAX_DEPTH // 3))


def test_xml_depth_is_counted_exactly_on_real_cda_documents() -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples (the ANS CDA examples) is not here")
    from lxml import etree

    documents = sorted(SAMPLES.rglob("*.xml"))
    assert documents
    for path in documents:
        data = path.read_bytes()
        root = etree.fromstring(data)
        depth = max(sum(1 for _ in e.iterancestors()) + 1 for e in root.iter(etree.Element))
        nesting.check_xml(data, limit=depth)  # the deepest element (an empty one) fits exactly
        with pytest.raises(nesting.TooDeep):
            nesting.check_xml(data, limit=depth - 1)


@pytest.mark.parametrize(("data", "line", "column"), [
    (b"<a>" * 100_000, 1, 193),
    (b'<?xml version="1.0"?>\n<!-- <x><x> -->\n<r a="x>y"><![CDATA[<y><y>]]>' + b"<b>" * 64, 3, 219),
    (b"<a><b/>\n" * 70, 64, 4),  # an empty element stands one level down too
    (b"<a" * 100_000, 1, 129),  # unterminated tags and quotes: still linear, still found
])
def test_xml_too_deep_is_located_whatever_wraps_it(data: bytes, line: int, column: int) -> None:
    with pytest.raises(nesting.TooDeep) as info:
        nesting.check_xml(data)
    assert (info.value.line, info.value.column) == (line, column)


def test_xml_within_the_limit_passes_with_its_comments_cdata_and_attributes() -> None:
    nesting.check_xml(b"<r>" + b"<!--<a>-->" * 100 + b'<e x="<a>">' + b"<![CDATA[<a>]]>" * 100 + b"</e></r>")
    nesting.check_xml(b"<r>" + b"<e/>" * 10_000 + b"</r>")


def test_json_too_deep_is_refused_before_parsing_wherever_brackets_hide() -> None:
    nesting.check_json(json.dumps({"a": ["[[[[" * 100, {"b": "{" * 100}]}))  # strings do not nest
    nesting.check_json(b"[" * 64 + b"]" * 64)
    prefix = b'{"x": "\\"[", "y": '  # a bracket inside a string, after an escaped quote
    with pytest.raises(nesting.TooDeep) as info:
        nesting.check_json(prefix + b"[" * 65 + b"]" * 65 + b"}")
    assert info.value.column == len(prefix) + 64  # the 64th bracket, inside the object
    with pytest.raises(ValueError, match="nested deeper than 64 levels"):
        untrusted.loads(b"[" * 20_000_000)


def test_deep_json_from_the_target_is_one_anomaly(tmp_path: Path) -> None:
    body = b"[" * 20_000 + b"]" * 20_000

    def deep(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(201, content=body, headers={"content-type": "application/json"})
        return None

    done = run_session(Settings(target="http://fake", report_dir=tmp_path / "r"),
                       scenarios(tmp_path, "id: P\ntitle: deep\ngiven: {prescriber: generaliste, "
                                           "patient: adulte}\nsteps:\n  - create: {lignes: [paracetamol], "
                                           "consentement: {opposition: false}}\n    expect: [created]\n"),
                       stream=io.StringIO(), transport=FakeTarget(deep).transport)
    (anomaly,) = done.result.anomalies()
    assert anomaly[2].check == "created" and "not JSON" in anomaly[2].message
    assert not [c for _, _, c in done.result.checks() if c.status == "error"]
