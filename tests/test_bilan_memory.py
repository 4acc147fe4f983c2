"""``conformance bilan --memory``: DuckDB's limit is the one given, spilling into a private
scratch folder; a bad size is a located usage error; the answers do not depend on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import conformance.bilan.traces as traces
from conformance.bilan.traces import MEMORY_LIMIT_BYTES, connect, default_memory, parse_memory
from conformance.cli.main import cli


@pytest.mark.parametrize(("text", "expected"), [
    ("2GiB", 2 * 1024**3), ("1.5GB", 1_500_000_000), ("512MiB", 512 * 1024**2),
    ("800 mb", 800_000_000), ("65536KiB", 64 * 1024**2), ("1TiB", 1024**4)])
def test_sizes_are_read_with_their_unit(text: str, expected: int) -> None:
    assert parse_memory(text) == expected


@pytest.mark.parametrize("text", ["12XB", "2", "GiB", "-1GiB", "1,5GB", "", "10MiB"])
def test_a_bad_size_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"memory|too little"):
        parse_memory(text)


def test_the_default_is_a_share_of_the_machine_at_most_2_gib() -> None:
    assert 64 * 1024**2 <= default_memory() <= MEMORY_LIMIT_BYTES == 2 * 1024**3


def test_duckdb_gets_the_limit_given_and_spills_into_a_private_folder_removed_after() -> None:
    with connect(parse_memory("512MiB")) as con:
        limit, spill = con.execute("SELECT current_setting('memory_limit'), "
                                   "current_setting('temp_directory')").fetchone()
        assert limit == "512.0 MiB"
        assert Path(spill).name == "spill" and Path(spill).parent.name.startswith("conformance-bilan-")
        assert Path.cwd() not in Path(spill).parents
    assert not Path(spill).parent.exists()


def _presérie(tmp_path: Path) -> list[str]:
    made = CliRunner().invoke(cli, ["traces", "generate", "--doctors", "4", "--weeks", "1", "--seed", "5",
                                    "--format", "csv", "-o", str(tmp_path / "p")])
    assert made.exit_code == 0, made.output
    p = tmp_path / "p"
    return ["bilan", "--traces", str(p / "traces"), "--participants", str(p / "participants.yaml"),
            "--attestations", str(p / "attestations.yaml"), "--questionnaire", str(p / "questionnaire.csv")]


def test_the_option_reaches_duckdb_and_the_answers_do_not_depend_on_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = traces.connect

    @contextmanager
    def spy(memory: int | None = None) -> Iterator[Any]:
        with real(memory) as con:
            seen.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
            yield con

    monkeypatch.setattr(traces, "connect", spy)
    args = _presérie(tmp_path)
    results = []
    for n, memory in enumerate(["1GiB", "64MiB"]):
        done = CliRunner().invoke(cli, [*args, "--memory", memory, "--report-dir", str(tmp_path / f"r{n}")])
        assert done.exit_code in (0, 1), done.output
        (folder,) = (tmp_path / f"r{n}").iterdir()
        results.append(json.loads((folder / "bilan.json").read_text(encoding="utf-8")))
    assert seen == ["1.0 GiB", "64.0 MiB"]
    assert results[0] == results[1]


def test_a_bad_memory_size_is_a_usage_error_naming_the_option(tmp_path: Path) -> None:
    done = CliRunner().invoke(cli, ["bilan", "--memory", "12XB", "--report-dir", str(tmp_path / "r")])
    assert done.exit_code == 2
    assert "Invalid value for '--memory'" in done.output and "'12XB' is not a memory size" in done.output
    assert not (tmp_path / "r").exists()
