"""A hostile or broken target, interrupts and TLS: real sockets, real signals, real certificates.

Each case: classified anomalies within the timeouts, the other scenarios still run, the
report is written, and never a traceback.
"""

from __future__ import annotations

import json
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import ENV, cli, only_run
from tests.hostile import ABOUT, MODES, HostileServer

pytestmark = pytest.mark.slow

SCENARIOS = "RT-MED-001 or RT-CON-001 or RT-ENFANT-001"
EXPECTED_KIND = {  # what the report says of each behaviour
    "silent": "timeout", "drip": "timeout", "5xx": "HTTP status 500", "invalid-json": "not JSON",
    "wrong-shape": "breaks the contract at", "huge": "over the limit", "redirect-loop": "HTTP status 302",
    "paper-not-pdf": "unreadable paper", "paper-corrupt": "unreadable paper",
    "paper-bomb": "decompression bomb", "paper-wide": "paper too large to read",
    # PDFium dies on these (memory, CPU or deadline): whichever limit breaks first, classified
    "paper-hex-flate": "paper too (large|slow) to read|unreadable paper: the reader crashed",
    "paper-fan-out": "paper too (large|slow) to read|unreadable paper: the reader crashed",
}


def ctrl_c_delivered() -> None:
    """In the child, before exec: SIGINT back to its default. A shell without job control
    starts background commands with SIGINT ignored, and an ignored signal stays ignored across
    exec: the tests must not depend on how pytest itself was started."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def command_started(pid: int, timeout: float = 20.0) -> None:
    """Wait until the command's own code runs (it names its process ``conformance``). Before
    that the interpreter is still starting: a Ctrl-C there is Python's to handle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/comm").read_text(encoding="ascii").strip() == "conformance":
                return
        except OSError:
            return  # no /proc, or the process already ended: nothing to wait for
        time.sleep(0.001)
    raise AssertionError("the command never started")


def _messages(report: dict[str, object]) -> str:
    return json.dumps(report, ensure_ascii=False)


@pytest.mark.parametrize("mode", MODES)
def test_hostile_target_gives_classified_anomalies_and_a_report(mode: str, tmp_path: Path) -> None:
    with HostileServer(mode) as server:
        t0 = time.perf_counter()
        done = cli("run", "--target", server.url, "-k", SCENARIOS, "--timeout", "1", "--lang", "en",
                   "--report-dir", str(tmp_path), timeout=90)
        elapsed = time.perf_counter() - t0
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out
    report = json.loads((only_run(tmp_path) / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "non-conforme"
    ran = [s["id"] for s in report["scenarios"] if s["id"] != "JOURNAL"]
    assert sorted(ran) == ["RT-CON-001", "RT-ENFANT-001", "RT-MED-001"]  # every scenario ran
    assert re.search(EXPECTED_KIND[mode], _messages(report)), mode
    assert elapsed < 60  # bounded by the 1 s per-request deadline, not by the target


def test_target_silent_at_start_exits_3_within_the_timeout(tmp_path: Path) -> None:
    with HostileServer("silent-all") as server:
        t0 = time.perf_counter()
        done = cli("run", "--target", server.url, "--timeout", "1", "--report-dir", str(tmp_path))
        elapsed = time.perf_counter() - t0
    assert done.returncode == 3 and "target unreachable" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert elapsed < 10


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_writes_a_partial_report_and_exits_130(sig: signal.Signals, tmp_path: Path) -> None:
    with HostileServer("silent") as server:  # every request waits for its 2 s deadline
        proc = subprocess.Popen([sys.executable, "-m", "conformance", "run", "--target", server.url,
                                 "--timeout", "2", "--report-dir", str(tmp_path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                                preexec_fn=ctrl_c_delivered)
        time.sleep(7)  # a scenario or two finished (even on a loaded machine), the next in flight
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stdout + stderr
    report = json.loads((only_run(tmp_path) / "report.json").read_text(encoding="utf-8"))
    assert report["interrupted"] is True
    assert 1 <= len(report["scenarios"]) < 35  # what finished, not the whole suite


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_with_jobs_stops_within_2_s_whatever_the_target(sig: signal.Signals,
                                                                  tmp_path: Path) -> None:
    with HostileServer("silent") as server:  # requests in flight on two threads for 30 s
        proc = subprocess.Popen([sys.executable, "-m", "conformance", "run", "--target", server.url,
                                 "--jobs", "2", "--timeout", "30", "--report-dir", str(tmp_path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                                preexec_fn=ctrl_c_delivered)
        assert proc.stdout is not None
        proc.stdout.readline()  # the campaign header: the run has started
        time.sleep(1)
        t0 = time.perf_counter()
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
        stopped = time.perf_counter() - t0
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert stopped < 2.0, stopped  # a functional bound (the 30 s requests were cancelled)
    report = json.loads((only_run(tmp_path) / "report.json").read_text(encoding="utf-8"))
    assert report["interrupted"] is True and report["verdict"] != "conforme"


@pytest.mark.parametrize("after", [0.0, 0.05, 0.3, 0.6])
def test_interrupt_before_the_run_started_is_one_line_and_130(after: float, tmp_path: Path) -> None:
    """From the command's first line on (still importing, or waiting for the target)."""
    with HostileServer("silent") as server:
        proc = subprocess.Popen([sys.executable, "-m", "conformance", "run", "--target", server.url,
                                 "--report-dir", str(tmp_path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                                preexec_fn=ctrl_c_delivered)
        command_started(proc.pid)
        time.sleep(after)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stdout + stderr


def test_interrupt_stops_the_embedded_servers(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "conformance", "run", "--report-dir",
                             str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV, preexec_fn=ctrl_c_delivered)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the campaign header: the servers are up
    assert "http://127.0.0.1:" in first
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=20)
    assert proc.returncode in (0, 130)
    report = json.loads((only_run(tmp_path) / "report.json").read_text(encoding="utf-8"))
    import httpx

    with pytest.raises(httpx.ConnectError):  # the reference the harness started is gone
        httpx.get(report["target"]["url"] + "/about", timeout=2)


# --- TLS ---------------------------------------------------------------------------------

class _About(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = ABOUT if self.path == "/about" else b"{}"
        self.send_response(200 if self.path == "/about" else 500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def tls_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """An HTTPS adapter on loopback with a certificate from a CA the test makes; mutual TLS
    (client certificate required) when the test is marked ``mtls``."""
    import trustme

    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    client_cert = ca.issue_cert("editeur@example.test")
    files = {"ca": str(tmp_path / "ca.pem"), "cert": str(tmp_path / "client.pem"),
             "key": str(tmp_path / "client.key")}
    ca.cert_pem.write_to_path(files["ca"])
    client_cert.cert_chain_pems[0].write_to_path(files["cert"])
    client_cert.private_key_pem.write_to_path(files["key"])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_cert.configure_cert(context)
    if request.node.get_closest_marker("mtls"):
        ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _About)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    files["url"] = f"https://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield files
    finally:
        httpd.shutdown()
        httpd.server_close()


def _run(url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli("run", "--target", url, "-k", "RT-MED-001", "--timeout", "2",
               "--report-dir", str(tmp_path / "r"), *extra)


def test_tls_verification_is_on_by_default(tls_server: dict[str, str], tmp_path: Path) -> None:
    done = _run(tls_server["url"], tmp_path)
    assert done.returncode == 3 and "CERTIFICATE_VERIFY_FAILED" in done.stderr


def test_tls_with_the_ca_reaches_the_target(tls_server: dict[str, str], tmp_path: Path) -> None:
    done = _run(tls_server["url"], tmp_path, "--ca", tls_server["ca"])
    assert done.returncode == 1, done.stderr  # reached: the target's 500s are anomalies
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.mtls
def test_mutual_tls_needs_the_client_certificate(tls_server: dict[str, str], tmp_path: Path) -> None:
    refused = _run(tls_server["url"], tmp_path, "--ca", tls_server["ca"])
    assert refused.returncode == 3
    done = _run(tls_server["url"], tmp_path, "--ca", tls_server["ca"], "--cert", tls_server["cert"],
                "--key", tls_server["key"])
    assert done.returncode == 1, done.stderr
    report = json.loads(next((tmp_path / "r").glob("*/report.json")).read_text(encoding="utf-8"))
    assert tls_server["key"] not in json.dumps(report)  # the key's path and content stay out
    key_text = Path(tls_server["key"]).read_text(encoding="ascii")
    assert key_text.splitlines()[1] not in json.dumps(report)


def test_cert_without_key_is_a_usage_error(tls_server: dict[str, str], tmp_path: Path) -> None:
    done = _run(tls_server["url"], tmp_path, "--cert", tls_server["cert"])
    assert done.returncode == 2 and "--cert and --key go together" in done.stderr
