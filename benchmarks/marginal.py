"""The marginal cost of one more scenario at ``--jobs 1`` (issue 27), against a bare script:

    .venv/bin/python benchmarks/marginal.py [--rounds 5] [--scenarios 21] [--baseline ../main]

Each scenario creates a prescription for a patient of its own, consults it, searches the
patient's prescriptions and reads the paper (every check of the default run); the bare script
sends the same requests with httpx, renders each page with pypdfium2 and decodes its code 2D
with zxing-cpp, QR codes only (benchmarks/bench.py's script, at its tightest). Both run as
whole processes against the reference and the simulator in their own processes; the marginal
cost is (t(N) − t(1)) / (N − 1) on each side, so start-up is left out of both. Rounds are
interleaved, a fresh target each round, medians printed with the spread. Target: ours ≤ 2× the bare script's.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

# this checkout's code, and its sibling benchmarks
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from bench import BARE, ROOT, External, bodies, patients, scenario_suite  # noqa: E402
from memory import Usage, measured  # noqa: E402

BARE_LABEL = "bare script (bench.py's: every format)"
TIGHT_LABEL = "bare script, QR codes only"
# the tightest floor: benchmarks/bench.py's script, its decode asking zxing-cpp for QR codes
# only as the paper reader does (every format costs about 6× the CPU of QR codes alone)
TIGHT = r'''
import sys, json, httpx, pypdfium2, zxingcpp
target, bodies_file = sys.argv[1], sys.argv[2]
qr = getattr(zxingcpp.BarcodeFormat, "QRCodeModel2", None) or zxingcpp.BarcodeFormat.QRCode
with httpx.Client(base_url=target, timeout=10) as client:
    for body in json.load(open(bodies_file)):
        pid = client.post("/prescriptions", json=body).json()["id"]
        client.get(f"/prescriptions/{pid}", params={"rpps": body["prescripteur"]["rpps"]})
        client.get("/prescriptions", params={"patient": body["patient"]["ins"],
                                             "prescripteur": body["prescripteur"]["rpps"]})
        pdf = pypdfium2.PdfDocument(client.get(f"/prescriptions/{pid}/paper").content)
        for page in pdf:
            image = page.render(scale=200 / 72, grayscale=True).to_numpy()
            found = zxingcpp.read_barcodes(image, formats=qr)
            assert found and json.loads(found[0].text)["D"]["ID"] == pid
        pdf.close()
'''


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scenarios", type=int, default=21)
    parser.add_argument("--baseline", type=Path,
                        help="Another checkout whose `conformance run` is also measured (e.g. ../main).")
    args = parser.parse_args(argv)
    n = args.scenarios
    load = os.getloadavg()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.rounds} interleaved rounds, "
          "a fresh external target each, medians (min–max)")
    checkouts = {"conformance run --jobs 1": ROOT}
    if args.baseline:
        checkouts["baseline: conformance run --jobs 1"] = args.baseline.resolve()
    with tempfile.TemporaryDirectory(prefix="bench-marginal-") as scratch:
        tmp = Path(scratch)
        fixtures = tmp / "fixtures"
        patients(fixtures, n)
        suites = {size: scenario_suite(tmp / f"suite-{size}", size, paper=True) for size in (1, n)}
        payloads = {size: bodies(suite, fixtures, tmp / f"bodies-{size}.json")
                    for size, suite in suites.items()}
        walls: dict[tuple[str, int], list[Usage]] = {}
        for _ in range(args.rounds):
            world = External()
            try:
                runs: dict[tuple[str, int], tuple[list[str], Path]] = {}
                for size in (1, n):
                    runs[BARE_LABEL, size] = (
                        [sys.executable, "-c", BARE, world.target, str(payloads[size]), "paper"], ROOT)
                    runs[TIGHT_LABEL, size] = (
                        [sys.executable, "-c", TIGHT, world.target, str(payloads[size])], ROOT)
                    for label, checkout in checkouts.items():
                        runs[label, size] = (world.run(str(suites[size]), "--fixtures", str(fixtures),
                                                       "--jobs", "1", "--report-dir", str(tmp / "reports")),
                                             checkout)
                for key, (command, cwd) in runs.items():
                    walls.setdefault(key, []).append(measured(command, cwd))
            finally:
                world.close()
            time.sleep(0.5)
    print(f"\n  {'':38} {'t(1) s':>7} {f't({n}) s':>8}  marginal wall ms (median, min–max)"
          "  marginal CPU ms (median)")
    marginal: dict[str, tuple[float, float]] = {}
    for label in dict.fromkeys(label for label, _ in walls):
        one, many = walls[label, 1], walls[label, n]
        per = [1000 * (b.wall - a.wall) / (n - 1) for a, b in zip(one, many, strict=True)]
        cpu = [1000 * (b.cpu - a.cpu) / (n - 1) for a, b in zip(one, many, strict=True)]
        marginal[label] = statistics.median(per), statistics.median(cpu)
        print(f"  {label:38} {statistics.median(u.wall for u in one):7.2f} "
              f"{statistics.median(u.wall for u in many):8.2f}  {marginal[label][0]:8.1f} "
              f"({min(per):6.1f}–{max(per):6.1f})  {marginal[label][1]:17.1f}")
    bare, tight = marginal.pop(BARE_LABEL), marginal.pop(TIGHT_LABEL)
    for label, (wall, cpu) in marginal.items():
        print(f"  {label}: {wall / bare[0]:.2f}× the bare script's marginal wall time (target ≤ 2×), "
              f"CPU {cpu / bare[1]:.2f}×; against QR codes only: wall {wall / tight[0]:.2f}×, "
              f"CPU {cpu / tight[1]:.2f}×")

if __name__ == "__main__":
    main()
