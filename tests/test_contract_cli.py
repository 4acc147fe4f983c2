"""``conformance contract`` and ``conformance example``: what an installed user starts from."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from conformance.cli.main import cli
from conformance.paths import PROJECT


def test_contract_prints_the_adapter_contract_by_default() -> None:
    result = CliRunner().invoke(cli, ["contract"])
    assert result.exit_code == 0
    spec = yaml.safe_load(result.stdout)
    assert set(spec["paths"]) == {"/about", "/prescriptions", "/prescriptions/{id}",
                                  "/prescriptions/{id}/paper", "/prescriptions/{id}/dmp"}


def test_contract_writes_the_teleservice_contract_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "ts.yaml"
    result = CliRunner().invoke(cli, ["contract", "teleservice", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "/ep4/prescriptions" in yaml.safe_load(out.read_text("utf-8"))["paths"]
    assert result.stdout == ""  # the contract went to the file only


def test_contract_into_a_folder_keeps_its_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["contract", "adapter", "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert (tmp_path / "adapter.openapi.yaml").read_text("utf-8").startswith("openapi: 3.1.0")


def test_example_copies_minilap_and_never_overwrites(tmp_path: Path) -> None:
    dest = tmp_path / "minilap"
    first = CliRunner().invoke(cli, ["example", "-o", str(dest)])
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in dest.iterdir()) == ["adapter.py", "lap.py"]
    assert (dest / "lap.py").read_bytes() == (PROJECT / "examples/minilap/lap.py").read_bytes()
    (dest / "lap.py").write_text("# my edits", encoding="utf-8")
    again = CliRunner().invoke(cli, ["example", "-o", str(dest)])
    assert again.exit_code == 2
    assert "already exists: nothing copied" in again.stderr
    assert (dest / "lap.py").read_text("utf-8") == "# my edits"


def test_the_docs_cite_only_files_that_exist() -> None:
    for doc in ("tutorial.md", "other-stacks.md"):
        text = (PROJECT / "docs" / doc).read_text("utf-8")
        links = re.findall(r"\]\(([\w./-]+)\)", text)
        cited = re.findall(r"\b((?:docs|tests|examples)/[\w./-]+\.\w+)", text)
        assert links or cited
        for name in links:
            assert (PROJECT / "docs" / name).is_file(), f"{doc} links to {name}"
        for path in cited:
            assert (PROJECT / path).is_file(), f"{doc} cites {path}"


def test_the_readme_cites_only_what_the_repository_or_the_wheel_has() -> None:
    text = (PROJECT / "README.md").read_text("utf-8")
    assert "DESIGN" not in text  # DESIGN.md is not in the repository
    for link in re.findall(r"\]\(([\w./-]+)\)", text):
        assert (PROJECT / link).exists(), f"README links to {link}"
    cited = r"`((?:docs|examples|conformance|scenarios|benchmarks|tests)/[\w./-]+\.\w+)`"
    for path in re.findall(cited, text):
        assert (PROJECT / path).is_file(), f"README cites {path}"
    quick = text[text.index("## Quick start"):text.index("## Tutorial")]
    assert ("make run     # creates .venv, installs, runs the whole bundled suite on the embedded "
            "default") in quick
    assert "make test    # creates .venv, installs, runs ruff, mypy --strict and the test suite" in quick
