"""Figures for DESIGN §10, side by side, in one run: .venv/bin/python benchmarks/bench.py [--quick]

1. the whole bundled suite's wall time, --jobs 1 and --jobs N (N = cores);
2. paper analysis per page against the raw libraries' floor (render + decode + text);
3. the harness's overhead per HTTP step against a bare httpx loop on the same endpoint;
4. the same create/consult/search scenario in Tavern (its own venv) against ours;
5. peak resident memory of a run of 1,000 generated prescriptions (and of 100, to show it flat);
6. `conformance --help` start-up.

--quick skips 4 and 5 (they take a minute: a venv to build, 1,000 prescriptions to run).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {**os.environ, "NO_COLOR": "1"}
TAVERN_VENV = ROOT / "benchmarks" / ".tavern-venv"
TAVERN_PIN = ("tavern==3.7.1", "pytest==8.3.5")  # Tavern 3.7 imports _pytest.python_api (gone in 8.4)
REPEAT = 50  # scenarios (of 3 steps) in the per-step comparisons


def run_cli(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "conformance", *args], check=False, capture_output=True,
                   env=ENV, cwd=ROOT)
    return time.perf_counter() - start


def suite_wall(jobs: int) -> float:
    return min(run_cli("run", "--jobs", str(jobs), "--report-dir", "/tmp/bench-reports") for _ in range(2))


def paper_page() -> tuple[float, float]:
    import pypdfium2 as pdfium
    import zxingcpp

    from conformance.embedded import EmbeddedWorld
    from conformance.paper import analyse_bytes
    from tests.helpers import example_body

    with EmbeddedWorld() as w:
        pid = httpx.post(f"{w.target_url}/prescriptions", json=example_body()).json()["id"]
        pdf = httpx.get(f"{w.target_url}/prescriptions/{pid}/paper").content

    def floor() -> None:
        doc = pdfium.PdfDocument(pdf)
        page = doc[0]
        zxingcpp.read_barcodes(page.render(scale=200 / 72, grayscale=True).to_numpy(),
                               formats=zxingcpp.BarcodeFormat.QRCode)
        page.get_textpage().get_text_range()
        doc.close()

    def ours() -> None:
        analyse_bytes(pdf)

    return _median(ours), _median(floor)


def _median(fn: Any, n: int = 30) -> float:
    fn()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


SCENARIO = """id: BENCH-{n:03d}
title: create, consult, search
given: {{prescriber: generaliste, patient: adulte}}
steps:
  - create: {{consentement: {{opposition: false}}, lignes: [paracetamol]}}
    save: {{id: $.id}}
    expect: []
  - consult: {{id: "${{id}}"}}
    expect: []
  - search: {{patient: "${{patient.ins}}"}}
    expect: []
"""


def _scenarios(count: int, folder: Path) -> list[Any]:
    from conformance.checks import REGISTRY
    from conformance.paths import BUNDLED_FIXTURES
    from conformance.scenario import Fixtures, load_suite

    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"b{n:03d}.yaml").write_text(SCENARIO.format(n=n), encoding="utf-8")
    return load_suite([folder], Fixtures(BUNDLED_FIXTURES), REGISTRY)


def step_overhead() -> tuple[float, float, float]:
    """Per step: bare httpx GET (consult), ours through the engine; and ours per step of the
    3-step scenario (create, consult, search) with no checks, all on one warm target."""
    from conformance.application import Settings, run_session
    from conformance.embedded import EmbeddedWorld
    from tests.helpers import example_body

    with EmbeddedWorld() as w, tempfile.TemporaryDirectory() as tmp:
        client = httpx.Client(base_url=w.target_url)
        pid = client.post("/prescriptions", json=example_body()).json()["id"]
        params = {"rpps": "10000000017", "am": "101000016"}

        def bare() -> None:
            for _ in range(200):
                client.get(f"/prescriptions/{pid}", params=params)

        bare_per = _median(bare, 5) / 200
        consult = ("id: C\ntitle: consult\nsteps:\n" + "".join(
            f'  - consult: {{id: "{pid}", rpps: "10000000017", am: "101000016"}}\n    expect: []\n'
            for _ in range(200)))
        (Path(tmp) / "c").mkdir()
        (Path(tmp) / "c" / "c.yaml").write_text(consult, encoding="utf-8")
        from conformance.checks import REGISTRY
        from conformance.paths import BUNDLED_FIXTURES
        from conformance.scenario import Fixtures, load_suite

        suite = load_suite([Path(tmp) / "c"], Fixtures(BUNDLED_FIXTURES), REGISTRY)
        settings = Settings(target=w.target_url, handlers=(), jobs=1)

        def engine(scenarios: list[Any] = suite) -> None:
            assert run_session(settings, scenarios).result.conforme

        ours_per = _median(engine, 5) / 200
        three = _scenarios(REPEAT, Path(tmp) / "three")
        three_per = _median(lambda: engine(three), 3) / (REPEAT * 3)
        client.close()
    return bare_per, ours_per, three_per


TAVERN_TEST = """---
test_name: create consult search {n}
stages:
  - name: create
    request:
      url: {base}/prescriptions
      method: POST
      json: {body}
    response:
      status_code: 201
      save:
        json:
          pid: id
  - name: consult
    request:
      url: "{base}/prescriptions/{{pid}}"
      method: GET
    response:
      status_code: 200
  - name: search
    request:
      url: {base}/prescriptions
      method: GET
      params: {{prescripteur: "10000000017", patient: "277077512345659"}}
    response:
      status_code: 200
"""


def tavern() -> tuple[float, float] | str:
    """Per step: Tavern, then ours, on the same 3-step scenario repeated; startup excluded."""
    import json

    from conformance.embedded import EmbeddedWorld
    from tests.helpers import example_body

    pinned = subprocess.run([str(TAVERN_VENV / "bin" / "pip"), "freeze"], capture_output=True,
                            text=True).stdout if (TAVERN_VENV / "bin" / "pip").exists() else ""
    if not all(pin in pinned for pin in TAVERN_PIN):
        made = subprocess.run([sys.executable, "-m", "venv", str(TAVERN_VENV)], capture_output=True)
        pip = subprocess.run([str(TAVERN_VENV / "bin" / "pip"), "install", "-q", *TAVERN_PIN],
                             capture_output=True, text=True)
        if made.returncode or pip.returncode:
            return f"Tavern could not be installed: {pip.stderr.strip()[-200:]}"
    body = json.dumps(example_body(), ensure_ascii=False)
    with EmbeddedWorld() as w, tempfile.TemporaryDirectory() as tmp:
        def run(count: int) -> float:
            path = Path(tmp) / f"test_bench_{count}.tavern.yaml"
            path.write_text("".join(TAVERN_TEST.format(n=n, base=w.target_url, body=body)
                                    for n in range(count)), encoding="utf-8")
            start = time.perf_counter()
            done = subprocess.run([str(TAVERN_VENV / "bin" / "pytest"), "-q", "-p", "no:cacheprovider",
                                   str(path)], capture_output=True, text=True, cwd=tmp)
            if done.returncode:
                raise RuntimeError((done.stdout + done.stderr)[-800:])
            return time.perf_counter() - start

        tavern_per = (min(run(REPEAT + 1) for _ in range(2)) - min(run(1) for _ in range(2))) / (REPEAT * 3)
    _, _, ours_per = step_overhead()
    return tavern_per, ours_per


def generated_memory(count: int) -> tuple[float, int]:
    """Wall time and peak RSS (MB) of the harness running one scenario of ``count`` generated
    prescriptions against a reference in its own process (so the target's growing store is
    not counted)."""
    server = subprocess.Popen([sys.executable, "-m", "conformance", "serve", "reference", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV,
                              cwd=ROOT)
    try:
        assert server.stdout is not None
        teleservice = server.stdout.readline().split()[-1]
        target = server.stdout.readline().split()[-1]
        # keep reading its log: a full pipe would block the server, and the run with it
        threading.Thread(target=server.stdout.read, daemon=True).start()
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "g.yaml").write_text(
                f"id: GEN-MEM\ntitle: memory\ngenerate: {count}\nsteps:\n  - create: {{}}\n"
                "    save: {id: $.id}\n  - consult: {id: \"${id}\"}\n", encoding="utf-8")
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "conformance", "run", tmp, "--target", target,
                                     "--teleservice", teleservice, "--report-dir", f"{tmp}/r"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=ROOT)
            peak = 0  # VmHWM of the process itself (ru_maxrss would count the forked parent)
            while proc.poll() is None:
                try:
                    status = Path(f"/proc/{proc.pid}/status").read_text()
                    peak = max(peak, int(status.split("VmHWM:")[1].split()[0]))
                except (OSError, IndexError, ValueError):
                    pass
                time.sleep(0.05)
            return time.perf_counter() - start, peak // 1024
    finally:
        server.terminate()
        server.wait(timeout=10)


def help_startup() -> float:
    return min(run_cli("--help") for _ in range(5))


def main(quick: bool) -> None:
    cores = os.cpu_count() or 1
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    one, many = suite_wall(1), suite_wall(cores)
    print(f"whole bundled suite, --jobs 1:          {one:6.2f} s   (target ≤ 20 s)")
    print(f"whole bundled suite, --jobs {cores}:          {many:6.2f} s   speed-up {one / many:.2f}")
    ours, floor = paper_page()
    print(f"paper analysis per page:                {ours * 1000:6.1f} ms  (target ≤ 25 ms)")
    print(f"libraries' floor (render+decode+text):  {floor * 1000:6.1f} ms  ratio {ours / floor:.2f} "
          "(target ≤ 2.5)")
    bare, step, _ = step_overhead()
    print(f"HTTP step, bare httpx loop:             {bare * 1000:6.3f} ms")
    print(f"HTTP step, through the engine:          {step * 1000:6.3f} ms  overhead "
          f"{(step - bare) * 1000:.3f} ms (target ≤ 0.5 ms)")
    if not quick:
        found = tavern()
        if isinstance(found, str):
            print(f"Tavern:                                 {found}")
        else:
            t, o = found
            print(f"create/consult/search per step, Tavern: {t * 1000:6.3f} ms")
            print(f"create/consult/search per step, ours:   {o * 1000:6.3f} ms  Tavern/ours {t / o:.1f}×")
        for count in (100, 1000):
            wall, rss = generated_memory(count)
            print(f"{count:>5} generated prescriptions:        {wall:6.1f} s   peak RSS {rss} MB")
    print(f"conformance --help:                     {help_startup():6.3f} s   (target ≤ 0.35 s)")


if __name__ == "__main__":
    main("--quick" in sys.argv)
