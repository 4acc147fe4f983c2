"""The command line end to end, in real subprocesses (exit codes, reports, servers).

User-error messages are tested in-process, against expected files: test_cli_messages.py."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli.main import cli as command
from tests.helpers import ENV, cli, only_run

pytestmark = pytest.mark.slow


def test_run_embedded_default_writes_reports(tmp_path: Path) -> None:
    done = cli("run", "-k", "RT-MED-001 or RT-REMPL", "--report-dir", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verdict: CONFORME" in done.stdout
    assert "Traceback" not in done.stderr
    run = only_run(tmp_path)
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    assert report["schemaVersion"] == "1.1" and report["verdict"] == "conforme"
    assert [s["id"] for s in report["scenarios"]] == ["RT-MED-001", "RT-REMPL-001", "JOURNAL"]
    check = report["scenarios"][0]["steps"][0]["checks"][0]
    assert {"requirement", "status", "severity", "message", "expected", "observed"} <= check.keys()
    assert report["summary"]["checks"]["fail"] == 0
    cases = ET.parse(run / "junit.xml").getroot().iter("testcase")
    keys = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(keys) == len(set(keys)) > 10


def test_run_with_fault_is_non_conforming(tmp_path: Path) -> None:
    done = cli("run", "-k", "RT-MED-001", "--fault", "qr-wrong-id", "--report-dir", str(tmp_path))
    assert done.returncode == 1
    assert "QR-03" in done.stdout and "NON CONFORME" in done.stdout
    report = json.loads((only_run(tmp_path) / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "non-conforme" and report["summary"]["anomalies"] >= 1
    junit = ET.parse(only_run(tmp_path) / "junit.xml").getroot()
    assert any(f.get("type") == "QR-03" for f in junit.iter("failure"))


@pytest.fixture()
def faulty_reference() -> Iterator[tuple[str, str]]:
    """`conformance serve reference --fault search-misses-latest` in its own process."""
    proc = subprocess.Popen([sys.executable, "-m", "conformance", "serve", "reference", "--fault",
                             "search-misses-latest"], stdout=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    teleservice = proc.stdout.readline().split()[-1]
    target = proc.stdout.readline().split()[-1]
    try:
        yield target, teleservice
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert proc.returncode == 0, "serve did not stop cleanly on Ctrl-C"


def test_run_against_a_separate_faulty_reference(faulty_reference: tuple[str, str],
                                                 tmp_path: Path) -> None:
    target, teleservice = faulty_reference
    done = cli("run", "--target", target, "--teleservice", teleservice, "--tag", "rechercher",
               "--report-dir", str(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "RT-03" in done.stdout or "RT-04" in done.stdout


def test_unreachable_target_exits_3_quickly(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    done = cli("run", "--target", f"http://127.0.0.1:{port}", "--report-dir", str(tmp_path))
    assert done.returncode == 3
    assert "target unreachable" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - start < 30


@pytest.mark.parametrize(("args", "expected"), [
    (("validate",), r"^ok: \d+ scenario\(s\) valid$"),
    (("list", "checks"), r"(?m)^same_as_created +RT-02 "),
    (("list", "scenarios"), r"(?m)^RT-MED-001 "),
    (("list", "requirements"), r"(?m)^RT-05 .* [1-9]\d* scenario"),
])
def test_validate_and_list(args: tuple[str, ...], expected: str) -> None:
    result = CliRunner().invoke(command, list(args), env={"NO_COLOR": "1"})
    assert result.exit_code == 0 and re.search(expected, result.stdout.strip()), result.output


def test_list_faults_names_each_fault_once_and_marks_those_only_fuzzing_finds() -> None:
    from conformance.reference.faults import FAULTS, FUZZ_ONLY

    lines = CliRunner().invoke(command, ["serve", "reference", "--list-faults"]).stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == list(FAULTS)  # once each, in order
    assert "qr-wrong-id: the code 2D carries another identifier than the prescription's" in lines
    marked = {line.split(":")[0] for line in lines if "[found only by fuzzing: run --fault" in line}
    assert marked == FUZZ_ONLY == {"search-crashes-without-du"}


def test_self_test_cli_writes_its_matrix_and_fails_when_a_fault_escapes(tmp_path: Path) -> None:
    from conformance.paths import BUNDLED_SCENARIOS

    # two folders of the suite are enough to see both faults (the whole matrix: test_reference)
    ok = cli("self-test", str(BUNDLED_SCENARIOS / "nominal"), str(BUNDLED_SCENARIOS / "rechercher"),
             "--fault", "number-missing", "--fault", "search-misses-latest",
             "--jobs", "2", "--report-dir", str(tmp_path / "ok"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    data = json.loads(next((tmp_path / "ok").glob("selftest-*/self-test.json")).read_text("utf-8"))
    assert data["passed"] and data["falsePositives"] == 0 and data["detectionRate"] == 1.0
    assert {f["name"]: f["caughtBy"] for f in data["faults"]} == {
        "number-missing": ["PAP-01"], "search-misses-latest": ["RT-03", "RT-04"]}
    assert "number-missing" in ok.stdout and "Détection : 2/2 (100%)" in ok.stdout
    # the search scenarios alone cannot see a paper fault: the self-test says so and fails
    escaped = cli("self-test", str(BUNDLED_SCENARIOS / "rechercher"), "--fault", "number-missing",
                  "--jobs", "1", "--report-dir", str(tmp_path / "ko"))
    assert escaped.returncode == 1
    data = json.loads(next((tmp_path / "ko").glob("selftest-*/self-test.json")).read_text("utf-8"))
    assert data["faults"][0] == {**data["faults"][0], "name": "number-missing", "detected": False,
                                 "caughtBy": []}
    assert "NON" in escaped.stdout
