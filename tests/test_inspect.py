"""``conformance inspect paper|qr`` on real files: verdicts, JSON, and clean errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from conformance.cli.main import cli
from conformance.embedded import EmbeddedWorld
from tests.helpers import SAMPLES, example_body


@pytest.fixture(scope="module")
def reference_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    with EmbeddedWorld() as w:
        pid = httpx.post(f"{w.target_url}/prescriptions", json=example_body()).json()["id"]
        pdf = httpx.get(f"{w.target_url}/prescriptions/{pid}/paper").content
    path = tmp_path_factory.mktemp("paper") / "ordonnance.pdf"
    path.write_bytes(pdf)
    return path, pid


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_inspect_paper_passes_on_the_reference(reference_pdf: tuple[Path, str]) -> None:
    path, pid = reference_pdf
    code, out = invoke("inspect", "paper", str(path), "--expect-id", pid, "--consent", "yes")
    assert code == 0, out
    assert "pass  QR-01" in out and "pass  CON-02" in out and "pass  PAP-01" in out


def test_inspect_paper_finds_a_wrong_consent_and_id(reference_pdf: tuple[Path, str]) -> None:
    path, _ = reference_pdf
    code, out = invoke("inspect", "paper", str(path), "--consent", "no", "--json",
                       "--expect-id", "000000000000000000")
    assert code == 1
    failed = {r["requirement"] for r in json.loads(out)["results"] if r["status"] == "fail"}
    assert failed == {"CON-02", "ID-02", "PAP-01"}


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n1 0 obj <<", b"GIF89a....", b"\x89PNG\r\n\x1a\nxx"])
def test_inspect_rejects_unreadable_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    code, out = invoke("inspect", "paper", str(path))
    assert code == 2
    assert out.startswith("error: ") and "Traceback" not in out


def test_inspect_rejects_an_encrypted_pdf(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "secret.pdf"
    canvas = Canvas(str(path), encrypt="secret")
    canvas.drawString(100, 100, "Ordonnance")
    canvas.showPage()
    canvas.save()
    code, out = invoke("inspect", "paper", str(path))
    assert code == 2 and "encrypted" in out and "Traceback" not in out


def test_inspect_rejects_a_decompression_bomb(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "bomb.png"
    Image.new("1", (9000, 9000), 1).save(path)  # 81 Mpx in a few kB
    assert path.stat().st_size < 100_000
    code, out = invoke("inspect", "qr", str(path))
    assert code == 2 and "decompression bomb" in out and "Traceback" not in out


def test_inspect_missing_file() -> None:
    code, out = invoke("inspect", "qr", "/nonexistent/file.png")
    assert code == 2 and "cannot read" in out


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent")
def test_inspect_qr_on_the_real_sample() -> None:
    code, out = invoke("inspect", "qr", str(SAMPLES / "Code2D_remplacant.png"))
    assert code == 0, out
    assert "ID: 03UE8SP00UGBYH4JF7" in out and "schema version: 2" in out
    assert "info  N right-padded with spaces to 90 characters" in out
    code, out = invoke("inspect", "qr", str(SAMPLES / "Code2D_remplacant.png"), "--json")
    assert json.loads(out)["payload"]["D"]["M"]["RPPS2"] == "99900007487"


@pytest.mark.parametrize(("value", "kind", "code", "says"), [
    ("277077512345659", None, 0, "nir (kind guessed from its shape): valid"),
    ("277077512345658", None, 1, "wrong key 58: expected 59"),
    ("290042B01234500", "nir", 1, "wrong key 00"),
    ("10000000018", None, 1, "last digit should be 7"),
    ("3400930000038", "cip13", 0, "valid"),
    ("340093000003", "cip13", 1, "13 digits"),
    ("01S2TBPZ2JCNZZYGHZ", None, 0, "prescription-id"),
    ("01s2tbpz2jcnzzyghz", "prescription-id", 1, "only 0-9 and A-Z"),
])
def test_inspect_identifier(value: str, kind: str | None, code: int, says: str) -> None:
    args = ["inspect", "identifier", value] + (["--kind", kind] if kind else [])
    exit_code, out = invoke(*args)
    assert exit_code == code and says in out


def test_inspect_identifier_unknown_kind_is_a_usage_error() -> None:
    exit_code, out = invoke("inspect", "identifier", "12345")
    assert exit_code == 2 and "--kind" in out


def test_inspect_rejects_an_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as f:  # sparse: 60 MB on paper, nothing on disk
        f.write(b"%PDF-1.7\n")
        f.truncate(60_000_000)
    code, out = invoke("inspect", "paper", str(path))
    assert code == 2 and "larger than" in out


@pytest.mark.parametrize(("payload", "encoding", "says"), [
    ("not json", "utf-8", "does not hold JSON"),
    ('{"S":{"V":1},"D":{"ID":"X"}}', "utf-8", "S/V"),
    ('{"N":"AÀÀ"}', "iso-8859-1", "not UTF-8"),
])
def test_inspect_qr_reports_a_bad_payload(payload: str, encoding: str, says: str, tmp_path: Path) -> None:
    import segno

    path = tmp_path / "code.png"
    segno.make(payload, error="l", micro=False, encoding=encoding).save(path, scale=5)
    code, out = invoke("inspect", "qr", str(path), "--json")
    report = json.loads(out)
    assert code == 1 and any(says in p for p in report["problems"]), report["problems"]
    if "S/V" in says:  # every schema error, not just the first
        assert len(report["problems"]) >= 2


def test_identifier_alphabet_of_the_profile_is_a_warning() -> None:
    code, out = invoke("inspect", "identifier", "03UE8SP00UGBYH4JF7")  # the public sample: U is in
    assert code == 0 and "warning" not in out
    code, out = invoke("inspect", "identifier", "03UE8SP00UGBYH4JFI", "--kind", "prescription-id")
    assert code == 0 and "warning: ID-04: 'I' outside the profile alphabet" in out



def test_a_scan_is_incomplete_not_conforming(tmp_path: Path) -> None:
    from conformance.specimens import PID, fpdf_page, scan

    path = tmp_path / "scan.png"
    path.write_bytes(scan(fpdf_page()))
    code, out = invoke("inspect", "paper", str(path), "--expect-id", PID, "--consent", "yes")
    assert code == 4 and "incomplete:" in out and "PAP-02" in out
