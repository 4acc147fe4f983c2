"""Peak memory as the user runs it (issue 27): whole `conformance run` processes on the embedded
default (the reference and the simulator inside), a fresh world each, the bundled suite once,
ten and a hundred times over, and one generated scenario (`generate: N`), side by side with
the ratio of each peak to the suite once, and wall time:

    .venv/bin/python benchmarks/memory.py [--sizes 1,10,100] [--generate 2000] [--rounds 1]
        [--baseline ../main] [--served] [--bilan [--events 10000000]]

Peak RSS is the process tree's high-water mark (``os.wait4``'s ru_maxrss: the largest of the
run and the paper workers it waited for), robust on a loaded machine; wall times are not, so
the rounds are interleaved and the median printed. ``--baseline`` also runs another
checkout's code on the same inputs (e.g. main's, before a change). ``--served`` also runs each
input against the reference and the simulator served apart (``conformance serve``, a fresh
pair each run, as bench.py does): the run's process alone, the target's memory not counted.
``--bilan`` then runs
benchmarks/bilan.py (the bilan's peak and time at 10 M events against the bare aggregate).
Targets: ×10 and ×100 within 1.3× of ×1's peak, ``generate: 2000`` within 1.5×.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]  # this checkout's code and bench.py
OK_CODES = (0, 1, 4)  # conforme, anomalies, incomplete: a benchmark measures, the tests judge
GENERATED = ROOT / "scenarios" / "generes" / "prescriptions-generees.yaml"


class Failed(Exception):
    """A measured process ended with another exit code than a run's (its stderr's end)."""


@dataclass(frozen=True)
class Usage:
    """One whole process: wall seconds, peak RSS (MiB) of its tree, CPU seconds (user + system,
    the children it waited for included)."""

    wall: float
    rss: float
    cpu: float = 0.0


def measured(command: list[str], cwd: Path) -> Usage:
    """Run ``command`` from ``cwd`` (whose code `python -m conformance` imports), its own
    PYTHONPATH, and return its wall time and the peak RSS of it and its waited-for children."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(cwd)}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        if process.returncode not in OK_CODES:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-800:]
            raise Failed(f"{' '.join(command[:4])}… failed ({process.returncode}): {tail}")
    # ru_maxrss is in KiB on Linux, bytes on macOS
    return Usage(wall, usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024),
                 usage.ru_utime + usage.ru_stime)


def generated_suite(folder: Path, examples: int) -> Path:
    """The bundled generated scenario alone, with ``generate: examples``."""
    folder.mkdir(parents=True)
    text = re.sub(r"^generate: \d+\s*$", f"generate: {examples}",
                  GENERATED.read_text(encoding="utf-8"), flags=re.M)
    if f"generate: {examples}" not in text:
        raise SystemExit(f"{GENERATED} has no `generate:` line to change")
    (folder / GENERATED.name).write_text(text, encoding="utf-8")
    return folder


def inputs(tmp: Path, sizes: list[int], generate: list[int]) -> dict[str, list[str]]:
    """Every run's arguments after `conformance run`, by label (the suite once first)."""
    from bench import copied_suite

    runs: dict[str, list[str]] = {}
    for copies in sizes:
        suite, fixtures = copied_suite(tmp / f"x{copies}", copies)
        runs[f"bundled suite ×{copies}"] = [str(suite), "--fixtures", str(fixtures)]
    for examples in generate:
        runs[f"generate: {examples}"] = [str(generated_suite(tmp / f"gen{examples}", examples))]
    return runs


def table(results: dict[str, list[Usage]], reference: str | None) -> None:
    base = max(u.rss for u in results[reference]) if reference else 0.0
    print(f"  {'':38} {'peak RSS MiB':>12} {'/ ×1':>6} {'wall s (median)':>16} {'min–max':>13}")
    for label, runs in results.items():
        peak = max(u.rss for u in runs)
        walls = [u.wall for u in runs]
        ratio = f"{peak / base:5.2f}×" if base else "     –"
        print(f"  {label:38} {peak:12.0f} {ratio:>6} {statistics.median(walls):16.1f} "
              f"{min(walls):6.1f}–{max(walls):<6.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100",
                        help="Copies of the bundled suite, comma-separated (×100 takes long).")
    parser.add_argument("--generate", default="2000",
                        help="`generate: N` runs of the generated scenario, comma-separated ('' for none).")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline", type=Path,
                        help="Another checkout whose code also runs on the same inputs (e.g. ../main).")
    parser.add_argument("--served", action="store_true",
                        help="Also run against the reference and simulator served apart.")
    parser.add_argument("--bilan", action="store_true",
                        help="Then run benchmarks/bilan.py (the bilan's peak at --events).")
    parser.add_argument("--events", type=int, default=10_000_000, help="Trace events for --bilan.")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    generate = [int(s) for s in args.generate.split(",") if s.strip()]
    load = os.getloadavg()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.rounds} interleaved round(s), "
          "embedded default" + (" and served apart" if args.served else "") + ", a fresh world each run")
    checkouts = {"": ROOT}
    if args.baseline:
        checkouts["baseline: "] = args.baseline.resolve()
    if args.served:
        checkouts["served apart: "] = ROOT
    from bench import External

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        tmp = Path(scratch)
        runs = inputs(tmp, sizes, generate)
        results: dict[str, list[Usage]] = {}
        for _ in range(args.rounds):
            for label, run_args in runs.items():
                for prefix, checkout in checkouts.items():
                    reports = tmp / "reports"
                    world = External() if prefix == "served apart: " else None
                    apart = ["--target", world.target, "--teleservice", world.teleservice] if world else []
                    try:
                        usage = measured([sys.executable, "-m", "conformance", "run", *run_args,
                                          *apart, "--report-dir", str(reports)], checkout)
                    except Failed as exc:  # e.g. a baseline that refuses `generate: 2000`
                        print(f"    {prefix + label}: {exc}", flush=True)
                        continue
                    finally:
                        if world is not None:
                            world.close()
                        shutil.rmtree(reports, ignore_errors=True)  # disk, not memory: keep it small
                    results.setdefault(prefix + label, []).append(usage)
                    print(f"    {prefix + label}: {usage.rss:.0f} MiB, {usage.wall:.1f} s", flush=True)
    for prefix in checkouts:
        print(f"\n{prefix or 'this checkout: '}{checkouts[prefix]}")
        others = [p for p in checkouts if p and p != prefix]
        mine = {label[len(prefix):]: runs for label, runs in results.items()
                if label.startswith(prefix) and not any(label.startswith(p) for p in others)}
        table(mine, "bundled suite ×1" if "bundled suite ×1" in mine else None)
    print("  targets: ×10 and ×100 ≤ 1.3× the suite once; generate: 2000 ≤ 1.5×")
    if args.bilan:
        print(f"\nthe bilan at {args.events:,} events (benchmarks/bilan.py)", flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bilan.py"), "--events",
                        str(args.events), "--rounds", str(args.rounds)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
