"""docs/tutorial.md, run as a new user runs it: MiniLAP (examples/minilap) served on loopback
with the simulator, the suite run against it, the defect found, fixed as the tutorial says, and
the verdicts the tutorial prints checked against the real ones (so the tutorial never rots)."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.paths import PROJECT
from conformance.serving import BackgroundServer
from conformance.simulator import create_app as simulator_app
from tests.helpers import ENV, cli

pytestmark = pytest.mark.slow
TUTORIAL = PROJECT / "docs" / "tutorial.md"
BUG = "POSOLOGIE_MAX = 100 "
FIX = "POSOLOGIE_MAX = 500 "


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def minilap(folder: Path, teleservice: str) -> Iterator[str]:
    """``python adapter.py --teleservice URL --port P`` from ``folder``, until it answers."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "adapter.py", "--teleservice", teleservice,
                                "--port", str(port)], cwd=folder, env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/about", timeout=1).status_code == 200:
                    break
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "MiniLAP did not start"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def promised() -> list[tuple[str, str]]:
    """The (counts, verdict) lines the tutorial prints, in its order: before and after the fix."""
    text = TUTORIAL.read_text(encoding="utf-8")
    counts = re.findall(r"^\d+ scénarios: .*$", text, flags=re.MULTILINE)
    verdicts = re.findall(r"^Verdict: .*$", text, flags=re.MULTILINE)
    assert len(counts) == len(verdicts) == 2
    return list(zip(counts, verdicts, strict=True))


def promised_check() -> list[str]:
    """The ``adapter check`` lines the tutorial shows (five operations, all ✓)."""
    text = TUTORIAL.read_text(encoding="utf-8")
    shown = re.findall(r"^✓ .*$", text, flags=re.MULTILINE)
    assert len(shown) == 5
    return shown


def _run(target: str, teleservice: str, reports: Path) -> tuple[int, list[str], dict[str, Any]]:
    done = cli("run", "--target", target, "--teleservice", teleservice, "--report-dir", str(reports),
               timeout=300)
    report = json.loads(next(reports.glob("*/report.json")).read_text("utf-8"))
    return done.returncode, done.stdout.splitlines(), report


def test_the_tutorial_finds_the_posology_cut_then_conforme_once_fixed(tmp_path: Path) -> None:
    copy = tmp_path / "minilap"
    shutil.copytree(PROJECT / "examples" / "minilap", copy, ignore=shutil.ignore_patterns("__pycache__"))
    lap = copy / "lap.py"
    assert BUG in lap.read_text("utf-8"), "the tutorial's bug line changed: update docs/tutorial.md"
    assert BUG.strip() in TUTORIAL.read_text("utf-8") and FIX.strip() in TUTORIAL.read_text("utf-8")
    (before_counts, before_verdict), (after_counts, after_verdict) = promised()
    with BackgroundServer(simulator_app()) as simulator:
        with minilap(copy, simulator.url) as target:
            checked = cli("adapter", "check", "--target", target)
            assert checked.returncode == 0, checked.stdout
            for shown, real in zip(promised_check(), checked.stdout.splitlines(), strict=False):
                assert real.startswith(shown.rstrip("…").rstrip(", …")), (shown, real)
            code, lines, report = _run(target, simulator.url, tmp_path / "before")
        assert code == 1, "\n".join(lines[-30:])
        assert before_verdict in lines and any(line.startswith(before_counts) for line in lines)
        failed = {(sc["id"], c["requirement"]) for sc in report["scenarios"]
                  for st in sc["steps"] for c in st["checks"] if c["status"] == "fail"}
        assert failed == {("PAP-PAGES-001", "RT-06"), ("PAP-PAGES-001", "RT-02"),
                          ("PAP-PAGES-001", "PAP-08")}
        # the fix, as the tutorial describes it: one line of lap.py
        lap.write_text(lap.read_text("utf-8").replace(BUG, FIX), encoding="utf-8")
        with minilap(copy, simulator.url) as target:
            code, lines, report = _run(target, simulator.url, tmp_path / "after")
        assert code == 0, "\n".join(lines[-30:])
        assert after_verdict in lines and any(line.startswith(after_counts) for line in lines)
        assert report["verdict"] == "conforme"
