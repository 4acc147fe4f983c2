"""Per scenario, as the user runs it (DESIGN §10): `conformance run` against a bare script doing
the same requests and QR decodes, both whole processes, against the same target.

    .venv/bin/python benchmarks/scenario.py [--scenarios 30] [--rounds 3]

The target is external to both: the reference and the simulator are started once, each in its
own process (`conformance serve`), as an editor's software would be. The suite is N copies of
RT-MED-001 (create, consult, search, paper) with the default checks, evidence and every report;
the bare script sends the same four requests per copy, renders each paper at 200 dpi and
decodes its code 2D. Rounds are interleaved (bare, ours --jobs 1, ours default --jobs), medians
and spread printed, machine load noted; peak RSS from GNU time when present.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "scenarios" / "nominal" / "medicament-simple.yaml"

BARE = r'''
import sys, json, httpx, pypdfium2, zxingcpp
target, n, body_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
body = json.load(open(body_file))
with httpx.Client(base_url=target, timeout=10) as client:
    for _ in range(n):
        created = client.post("/prescriptions", json=body).json()
        pid = created["id"]
        client.get(f"/prescriptions/{pid}", params={"rpps": body["prescripteur"]["rpps"]})
        client.get("/prescriptions", params={"patient": body["patient"]["ins"],
                                             "prescripteur": body["prescripteur"]["rpps"]})
        pdf = pypdfium2.PdfDocument(client.get(f"/prescriptions/{pid}/paper").content)
        for page in pdf:
            found = zxingcpp.read_barcodes(page.render(scale=200 / 72, grayscale=True).to_numpy())
            assert found and json.loads(found[0].text)["D"]["ID"] == pid
        pdf.close()
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def timed(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user+system, children included) and peak RSS MiB."""
    gnu = ["/usr/bin/time", "-f", "bench-usage %U %S %M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    done = subprocess.run([*gnu, *command], cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1, 4):
        raise SystemExit(f"{command[:3]} failed ({done.returncode}): {done.stderr[-800:]}")
    usage = next((line.split()[1:] for line in reversed(done.stderr.splitlines())
                  if line.startswith("bench-usage ")), ["0", "0", "0"])
    return wall, float(usage[0]) + float(usage[1]), int(usage[2]) / 1024


def suite(folder: Path, copies: int) -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    out = folder / "suite"
    out.mkdir()
    for n in range(copies):
        (out / f"copy-{n:03d}.yaml").write_text(re.sub(r"^id: RT-MED-001", f"id: BENCH-{n:03d}", text,
                                                       flags=re.M), encoding="utf-8")
    return out


def body(folder: Path) -> Path:
    """The create body the scenario sends (its fixtures resolved), for the bare script."""
    sys.path.insert(0, str(ROOT))
    import json

    from conformance.application import Selection, load_scenarios
    from conformance.engine.steps import _create_body

    scenario = load_scenarios(Selection(paths=(str(SOURCE),)))[0]
    params = dict(scenario.steps[0].params)
    path = folder / "body.json"
    path.write_text(json.dumps(_create_body(scenario, params, None)), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    exe = [sys.executable, "-m", "conformance"]
    sim_port, ref_port = free_port(), free_port()
    sim_url, ref_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{ref_port}"
    servers = [subprocess.Popen([*exe, "serve", "simulator", "--port", str(sim_port)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    wait(f"{sim_url}/health")
    servers.append(subprocess.Popen([*exe, "serve", "reference", "--port", str(ref_port),
                                     "--teleservice", sim_url], cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait(f"{ref_url}/about")
    results: dict[str, list[tuple[float, float, float]]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scenario-") as scratch:
            folder = Path(scratch)
            paths, data = suite(folder, args.scenarios), body(folder)
            runs = {
                "bare httpx + pdfium + zxing": [sys.executable, "-c", BARE, ref_url, str(args.scenarios),
                                                str(data)],
                "conformance run --jobs 1": [*exe, "run", str(paths), "--target", ref_url, "--teleservice",
                                             sim_url, "--jobs", "1", "--report-dir", str(folder / "r")],
                "conformance run (default jobs)": [*exe, "run", str(paths), "--target", ref_url,
                                                   "--teleservice", sim_url, "--report-dir",
                                                   str(folder / "r")],
            }
            for _ in range(args.rounds):  # interleaved: each sees the same machine state
                for name, command in runs.items():
                    results.setdefault(name, []).append(timed(command, ROOT))
                shutil.rmtree(folder / "r", ignore_errors=True)
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
    load = os.getloadavg()
    print(f"{args.scenarios} scenarios (create, consult, search, paper) against an external target; "
          f"{args.rounds} interleaved rounds; {platform.machine()}, {os.cpu_count()} cores, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'':34} {'median s':>9} {'min–max s':>13} {'per scenario ms':>16} {'CPU s':>7} {'RSS MiB':>8}")
    for name, runs_ in results.items():
        walls = [w for w, _, _ in runs_]
        median = statistics.median(walls)
        print(f"{name:34} {median:9.2f} {min(walls):6.2f}–{max(walls):<6.2f} "
              f"{1000 * median / args.scenarios:16.1f} {statistics.median(c for _, c, _ in runs_):7.2f} "
              f"{max(r for _, _, r in runs_):8.0f}")
    bare = statistics.median(w for w, _, _ in results["bare httpx + pdfium + zxing"])
    for name in list(results)[1:]:
        print(f"{name}: {statistics.median(w for w, _, _ in results[name]) / bare:.2f}× the bare script "
              "(target ≤ 1.5×)")


if __name__ == "__main__":
    main()
