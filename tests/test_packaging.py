"""The wheel carries the bundled suite: installed, the tool runs it from any folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conformance.paths import PROJECT

pytestmark = pytest.mark.slow


def test_installed_wheel_runs_the_bundled_suite_from_another_folder(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d",
                            str(tmp_path / "dist")], cwd=PROJECT, capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "conformance/_bundled/scenarios/nominal/medicament-simple.yaml" in names
    assert "conformance/_bundled/fixtures/patients/adulte.yaml" in names
    assert "conformance/profiles/public-2025.yaml" in names
    # the tutorial's software and the docs the CLI and the README refer to
    assert {"conformance/_bundled/examples/minilap/adapter.py",
            "conformance/_bundled/examples/minilap/lap.py", "conformance/_bundled/docs/tutorial.md",
            "conformance/_bundled/docs/other-stacks.md",
            "conformance/contract/teleservice.openapi.yaml"} <= set(names)
    # Installed on its own (the dependencies come from this environment), run far from the checkout.
    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                                "--target", str(site), str(wheel)], capture_output=True, text=True,
                               timeout=300)
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}
    where = subprocess.run([sys.executable, "-c", "import conformance.paths as p; "
                            "print(p.BUNDLED_SCENARIOS)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=60)
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    done = subprocess.run([sys.executable, "-m", "conformance", "run", "-k", "RT-MED-001 or RT-ALD-001",
                           "--report-dir", "out"], cwd=elsewhere, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(next((elsewhere / "out").glob("*/report.json")).read_text("utf-8"))
    assert {sc["id"] for sc in report["scenarios"]} == {"RT-MED-001", "RT-ALD-001", "JOURNAL"}
    assert all(sc["file"].startswith(str(site)) for sc in report["scenarios"] if sc["id"] != "JOURNAL")
    # the tutorial's first steps, from the installed package only
    copied = subprocess.run([sys.executable, "-m", "conformance", "example", "-o", "minilap"],
                            cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert copied.returncode == 0, copied.stderr
    helped = subprocess.run([sys.executable, "minilap/adapter.py", "--help"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "--teleservice" in helped.stdout, helped.stderr
