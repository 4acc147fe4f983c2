"""Hostile suite files end in a located error, quickly, without reading them whole."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conformance.checks import REGISTRY
from conformance.paths import BUNDLED_FIXTURES
from conformance.scenario import Fixtures, ScenarioError, load_suite

GOOD = "id: OK\ntitle: ok\nsteps:\n  - search: {}\n"


def load(path: Path) -> object:
    return load_suite([path], Fixtures(BUNDLED_FIXTURES), REGISTRY)


def errors(path: Path) -> str:
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert time.perf_counter() - t0 < 5
    return info.value.render()


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    assert "is not a regular file" in errors(tmp_path)


def test_a_link_to_a_device_or_outside_the_suite_is_refused(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    assert "links outside the suite" in errors(tmp_path)


def test_a_huge_sparse_file_is_refused_before_reading(tmp_path: Path) -> None:
    with (tmp_path / "big.yaml").open("wb") as f:
        f.truncate(2 * 1024**3)
    assert "file too large" in errors(tmp_path)


def test_a_link_loop_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert "cannot read" in errors(tmp_path)


def test_a_linked_folder_inside_the_suite_is_followed_once(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "ok.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "real" / "again").symlink_to(tmp_path / "real")  # a loop of folders
    assert [sc.id for sc in load(tmp_path)] == ["OK"]  # type: ignore[attr-defined]


def test_bad_utf8_is_located_where_it_is(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"id: X\ntitle: caf\xe9\nsteps: []\n")
    message = errors(tmp_path)
    assert "not UTF-8: byte 0xe9" in message and "bad.yaml:2:" in message


def test_a_fixture_name_too_long_for_the_file_system_is_an_unknown_fixture(tmp_path: Path) -> None:
    name = "x" * 300
    (tmp_path / "s.yaml").write_text(f"id: L\ntitle: l\ngiven: {{patient: {name}}}\nsteps:\n"
                                     "  - search: {}\n", encoding="utf-8")
    assert "unknown patient fixture" in errors(tmp_path)
