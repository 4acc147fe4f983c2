"""The manifest is written as the files are hashed (issue 27), the same text as before."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conformance.evidence.bundle import (
    MANIFEST,
    SIGNATURE,
    bundle_files,
    keygen,
    sha256,
    verify,
    write_manifest,
)


def _tricky(folder: Path, link: bool = True) -> None:
    """Names whose string order differs from a folder walk's: '-' and '.' sort before '/'."""
    for name in ("a/b.txt", "a-b.txt", "a.b", "a/c/d.json", "a0", "é/ü.txt", "Z", "evidence/x/manifest.json",
                 "evidence/x/manifest.sig", "b/empty/.keep"):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name * 3, encoding="utf-8")
    (folder / "empty-folder").mkdir()
    if link:
        os.symlink(folder / "a0", folder / "link")  # never followed, never listed


def _whole(folder: Path, info: dict[str, object]) -> str:
    """What the manifest was when built in memory: every path, then json.dumps."""
    own = (MANIFEST, SIGNATURE)
    files = {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*"))
             if not p.is_symlink() and p.is_file() and p.relative_to(folder).as_posix() not in own}
    return json.dumps({"schemaVersion": "1.0", **info, "files": files}, ensure_ascii=False, indent=2,
                      sort_keys=True) + "\n"


def test_the_streamed_manifest_is_the_whole_one_byte_for_byte(tmp_path: Path) -> None:
    _tricky(tmp_path)
    (tmp_path / SIGNATURE).write_text("old\n", encoding="ascii")  # the root's own: not covered
    info = {"kind": "run", "verdict": "conforme", "zeta": [1, 2], "runId": "r-1"}
    expected = _whole(tmp_path, info)
    count = write_manifest(tmp_path, info)
    assert (tmp_path / MANIFEST).read_text(encoding="utf-8") == expected
    assert count == len(json.loads(expected)["files"]) == 10
    assert list(json.loads(expected)["files"]) == list(bundle_files(tmp_path))
    (tmp_path / SIGNATURE).unlink()
    checked = verify(tmp_path)
    assert (checked.changed, checked.missing, checked.added, checked.refused) == ((), (), (), ("link",))


def test_an_empty_bundle_and_a_signed_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert write_manifest(empty, {"kind": "x"}) == 0
    assert json.loads((empty / MANIFEST).read_text(encoding="utf-8"))["files"] == {}
    assert (empty / MANIFEST).read_text(encoding="utf-8") == _whole(empty, {"kind": "x"})
    keys = tmp_path / "keys"
    private, public = keygen(keys)
    signed = tmp_path / "signed"
    signed.mkdir()
    _tricky(signed, link=False)
    write_manifest(signed, {"kind": "run"}, private)
    result = verify(signed, public)
    assert result.intact and result.signature == "valid"
    (signed / "a0").write_text("changed", encoding="utf-8")
    assert verify(signed, public).changed == ("a0",)


@pytest.mark.parametrize("name", ["a", "a-", "a.", "a/", "a0"])
def test_a_folder_sorts_where_its_slash_does(tmp_path: Path, name: str) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "z").write_text("1", encoding="utf-8")
    if not name.endswith("/") and name != "a":
        (tmp_path / name).write_text("2", encoding="utf-8")
    assert list(bundle_files(tmp_path)) == sorted(bundle_files(tmp_path))
