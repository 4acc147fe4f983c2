"""The bilan at scale (DESIGN §10): ``conformance bilan`` over N million trace events against a
bare DuckDB aggregate computing C1 and C2 per doctor over the same CSV file; whole processes,
interleaved rounds, median and spread, peak RSS of each process, machine load noted.

    .venv/bin/python benchmarks/bilan.py [--events 10000000] [--rounds 3]

The input: a synthetic présérie (``traces generate``, 50 doctors) replicated by DuckDB with
distinct references up to the size asked (same columns, same mix of events).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE = """
import duckdb, sys
con = duckdb.connect()
rows = con.execute('''
WITH rx AS (
  SELECT rpps, ref, arg_max(numerique, ts) AS numerique FROM read_csv(?, header = true, all_varchar = true)
  WHERE evenement = 'prescription' GROUP BY rpps, ref),
ep4 AS (
  SELECT rpps, ref, bool_or(resultat = 'ok') AS ok FROM read_csv(?, header = true, all_varchar = true)
  WHERE evenement = 'appel' AND service = 'EP4' GROUP BY rpps, ref)
SELECT c1.rpps, c1.num, c1.total, c2.ok, c2.created FROM
  (SELECT rpps, count(*) FILTER (WHERE numerique = 'true') AS num, count(*) AS total FROM rx GROUP BY rpps) c1
  LEFT JOIN (SELECT rpps, count(*) FILTER (WHERE ok) AS ok, count(*) AS created FROM ep4 GROUP BY rpps) c2
  USING (rpps)''', [sys.argv[1], sys.argv[1]]).fetchall()
print(len(rows))
"""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, from GNU time's %M: the process's own high-water mark)."""
    gnu_time = ["/usr/bin/time", "-f", "peak-rss-kb %M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    done = subprocess.run([*gnu_time, *command], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[:4]} failed ({done.returncode}): {done.stderr[-500:]}")
    kb = next((int(line.split()[1]) for line in reversed(done.stderr.splitlines())
               if line.startswith("peak-rss-kb ")), 0)
    return elapsed, kb / 1024


def build(folder: Path, events: int) -> dict[str, Path]:
    import duckdb

    from conformance.bilan.generate import Plan, generate

    files = generate(Plan(doctors=50, weeks=4, per_day=25, seed=1, format="csv"), folder / "base")
    base = files["traces"]
    count = duckdb.connect().execute(f"SELECT count(*) FROM read_csv('{base}', header = true)").fetchone()
    copies = max(1, -(-events // int(count[0] if count else 1)))
    big = folder / "traces.csv"
    duckdb.connect().execute(
        f"COPY (SELECT b.* REPLACE (CASE WHEN ref IS NULL THEN NULL ELSE ref || '-' || k END AS ref) "
        f"FROM read_csv('{base}', header = true, all_varchar = true) b, range({copies}) t(k) "
        f"LIMIT {events}) TO '{big}' (FORMAT csv, HEADER)")
    return {**files, "traces": big}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bilan-") as scratch:
        folder = Path(scratch)
        t0 = time.perf_counter()
        files = build(folder, args.events)
        size = files["traces"].stat().st_size / 1e6
        print(f"input: {args.events:,} events, {size:.0f} MB CSV (built in {time.perf_counter() - t0:.1f} s)")
        ours = [sys.executable, "-m", "conformance", "bilan", "--traces", str(files["traces"]),
                "--participants", str(files["participants"]), "--attestations", str(files["attestations"]),
                "--questionnaire", str(files["questionnaire"]), "--report-dir", str(folder / "reports")]
        bare = [sys.executable, "-c", BARE, str(files["traces"])]
        results: dict[str, list[tuple[float, float]]] = {"conformance bilan": [], "bare DuckDB C1+C2": []}
        for _ in range(args.rounds):  # interleaved: both see the same machine state
            results["bare DuckDB C1+C2"].append(timed(bare))
            results["conformance bilan"].append(timed(ours))
    load = os.getloadavg()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.rounds} interleaved rounds")
    print(f"{'':22} {'median s':>9} {'min–max s':>14} {'peak RSS MiB':>13}")
    for name, runs in results.items():
        walls = [w for w, _ in runs]
        print(f"{name:22} {statistics.median(walls):9.2f} {min(walls):6.2f}–{max(walls):<7.2f} "
              f"{max(r for _, r in runs):13.0f}")
    ratio = statistics.median(w for w, _ in results["conformance bilan"]) / statistics.median(
        w for w, _ in results["bare DuckDB C1+C2"])
    print(f"ratio: {ratio:.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    main()
