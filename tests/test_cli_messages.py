"""Every user-error message of the command line, against its expected output (NO_COLOR, in-process
through click's CliRunner: no subprocess, no server started)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli.main import cli
from conformance.paths import PROJECT

GOLDEN = Path(__file__).parent / "golden"
CASES: dict[str, tuple[tuple[str, ...], int]] = {
    "unknown-key": (("run", "tests/data/bad/unknown-key.yaml"), 2),
    "validate-unknown-check": (("validate", "tests/data/bad/unknown-check.yaml"), 2),
    "unknown-fault": (("run", "--fault", "nope"), 2),
    "fault-with-target": (("run", "--target", "http://127.0.0.1:9", "--fault", "qr-wrong-id"), 2),
    "unknown-profile": (("run", "--profile", "nope"), 2),
    "broken-profile": (("run", "--profile", "tests/data/broken-profile.yaml"), 2),
    "validate-every-error": (("validate", "tests/data/bad/several-errors.yaml",
                              "tests/data/bad/unknown-capability.yaml"), 2),
    "cert-without-key": (("run", "--cert", "README.md"), 2),
    "bad-redact": (("run", "--redact", "("), 2),
    "bad-header": (("run", "-H", "no colon here"), 2),
    "no-scenario": (("run", "-k", "no such scenario anywhere"), 2),
    "bad-jobs": (("run", "--jobs", "0"), 2),
    "paper-missing-file": (("inspect", "paper", "tests/data/none.pdf"), 2),
    "paper-not-a-pdf": (("inspect", "paper", "README.md"), 2),
    "identifier-unknown-kind": (("inspect", "identifier", "12"), 2),
    "self-test-unknown-fault": (("self-test", "--fault", "nope"), 2),
    "verify-not-a-bundle": (("verify", "tests/data"), 2),
    "replay-not-a-bundle": (("replay", "tests/data"), 2),
    "target-without-scheme": (("run", "--target", "localhost:8080"), 2),
    "adapter-check-without-scheme": (("adapter", "check", "--target", "lap.example:8443"), 2),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_user_error_message(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    args, code = CASES[case]
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})
    expected = (GOLDEN / f"{case}.txt").read_text(encoding="utf-8")
    assert result.exit_code == code, result.output
    assert result.stderr == expected
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_every_golden_file_has_a_case() -> None:
    assert {p.stem for p in GOLDEN.glob("*.txt")} == set(CASES)


def test_serve_on_a_port_in_use_is_one_clear_line() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        for what in ("simulator", "reference"):
            result = CliRunner().invoke(cli, ["serve", what, "--port", str(port)], env={"NO_COLOR": "1"})
            assert result.exit_code == 2, result.output
            expected = f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
            assert result.stderr.startswith(expected)
            assert "Traceback" not in result.output
