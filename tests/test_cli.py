"""The command line end to end, in real subprocesses (exit codes, reports, servers)."""

from __future__ import annotations

import json
import os
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

from conformance.paths import PROJECT

ENV = {**os.environ, "NO_COLOR": "1"}


def cli(*args: str, cwd: Path = PROJECT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True,
                          text=True, env=ENV, cwd=cwd, timeout=timeout)


def only_run(folder: Path) -> Path:
    runs = list(folder.iterdir())
    assert len(runs) == 1
    return runs[0]


def test_run_embedded_default_writes_reports(tmp_path: Path) -> None:
    done = cli("run", "-k", "RT-MED-001 or RT-REMPL", "--report-dir", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verdict: CONFORME" in done.stdout
    assert "Traceback" not in done.stderr
    run = only_run(tmp_path)
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    assert report["schemaVersion"] == "1.0" and report["verdict"] == "conforme"
    assert [s["id"] for s in report["scenarios"]] == ["RT-MED-001", "RT-REMPL-001"]
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
                             "search-misses-latest"], stdout=subprocess.PIPE, text=True, env=ENV)
    assert proc.stdout is not None
    teleservice = proc.stdout.readline().split()[-1]
    target = proc.stdout.readline().split()[-1]
    try:
        yield target, teleservice
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) is not None


def test_run_against_a_separate_faulty_reference(faulty_reference: tuple[str, str],
                                                 tmp_path: Path) -> None:
    target, teleservice = faulty_reference
    done = cli("run", "--target", target, "--teleservice", teleservice, "--tag", "rechercher",
               "--report-dir", str(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "RT-03" in done.stdout or "RT-04" in done.stdout


def test_unknown_key_exits_2_with_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "scenarios" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("id: X\ntitle: x\nsteps:\n  - search: {}\n    expct: []\n", encoding="utf-8")
    done = cli("run", str(bad), "--report-dir", str(tmp_path / "r"))
    assert done.returncode == 2
    assert "error: unknown key 'expct' in step" in done.stderr
    assert re.search(r"bad\.yaml:5:5", done.stderr)
    assert "did you mean 'expect'?" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r").exists()  # failed before any request


def test_unreachable_target_exits_3_quickly(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    done = cli("run", "--target", f"http://127.0.0.1:{port}", "--report-dir", str(tmp_path))
    assert done.returncode == 3
    assert "target unreachable" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - start < 30


def test_unknown_fault_and_profile_exit_2() -> None:
    assert cli("run", "--fault", "nope").returncode == 2
    done = cli("run", "--profile", "nope")
    assert done.returncode == 2 and "unknown profile 'nope'" in done.stderr


def test_validate_list_and_faults() -> None:
    assert cli("validate").stdout.startswith("ok: ")
    checks = cli("list", "checks").stdout
    assert "same_as_created" in checks and "RT-02" in checks
    assert "RT-MED-001" in cli("list", "scenarios").stdout
    assert re.search(r"RT-05 .* [1-9]\d* scenario", cli("list", "requirements").stdout)
    faults = cli("serve", "reference", "--list-faults").stdout.split("\n\n")
    assert "qr-wrong-id" in faults[0].split() and "qr-wrong-id:" in faults[1]


def test_self_test_cli_writes_its_matrix_and_fails_when_a_fault_escapes(tmp_path: Path) -> None:
    from conformance.paths import BUNDLED_SCENARIOS

    ok = cli("self-test", "--fault", "number-missing", "--fault", "search-misses-latest",
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
