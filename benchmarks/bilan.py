"""The bilan at scale (DESIGN §10): ``conformance bilan`` over N million trace events against the
tightest bare DuckDB aggregate (one typed read of the columns needed, then C1 per doctor and
situation and C2 per doctor as two GROUP BYs) over the same CSV file; whole processes, interleaved
rounds, median and spread, peak RSS of each process, machine load noted.

    .venv/bin/python benchmarks/bilan.py [--events 10000000] [--rounds 3] [--folder DIR]
        [--baseline ../main] [--memory 2GiB]

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

# the tightest floor: one typed read of the columns needed, then C1 per doctor and situation
# and C2 per doctor (registered / created EP4 prescriptions) as two GROUP BYs
BARE = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute(f'''CREATE TABLE t AS SELECT evenement, ts, rpps, situation, ref, numerique, service, resultat
FROM read_csv(?, header = true, auto_detect = false, columns = {{
  'evenement': 'VARCHAR', 'ts': 'TIMESTAMPTZ', 'rpps': 'VARCHAR', 'situation': 'VARCHAR',
  'ref': 'VARCHAR', 'numerique': 'BOOLEAN', 'motif': 'VARCHAR', 'types': 'VARCHAR',
  'service': 'VARCHAR', 'id': 'VARCHAR', 'resultat': 'VARCHAR', 'code': 'VARCHAR',
  'dureeMs': 'BIGINT'}})''', [sys.argv[1]])
c1 = con.execute("SELECT rpps, situation, count(*) FILTER (WHERE numerique), count(*) FROM t "
                 "WHERE evenement = 'prescription' GROUP BY rpps, situation").fetchall()
c2 = con.execute("SELECT rpps, count(DISTINCT ref) FILTER (WHERE resultat = 'ok'), count(DISTINCT ref) "
                 "FROM t WHERE evenement = 'appel' AND service = 'EP4' GROUP BY rpps").fetchall()
print(len(c1), len(c2))
"""


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, from GNU time's %M: the process's own high-water mark)."""
    gnu_time = ["/usr/bin/time", "-f", "peak-rss-kb %M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    done = subprocess.run([*gnu_time, *command], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, cwd=cwd, check=False)
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
    parser.add_argument("--folder", type=Path,
                        help="Where the input is built, kept and reused (default: a temporary folder).")
    parser.add_argument("--baseline", type=Path,
                        help="Another checkout whose `conformance bilan` also runs (e.g. main's).")
    parser.add_argument("--memory", help="Passed to `conformance bilan --memory`.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bilan-") as scratch:
        folder = args.folder or Path(scratch)
        t0 = time.perf_counter()
        files = {"traces": folder / "traces.csv", "participants": folder / "base" / "participants.yaml",
                 "attestations": folder / "base" / "attestations.yaml",
                 "questionnaire": folder / "base" / "questionnaire.csv"}
        if args.folder is None or not all(p.exists() for p in files.values()):
            files = build(folder, args.events)
        size = files["traces"].stat().st_size / 1e6
        print(f"input: {args.events:,} events, {size:.0f} MB CSV (ready in {time.perf_counter() - t0:.1f} s)")
        ours = ["-m", "conformance", "bilan", "--traces", str(files["traces"]),
                "--participants", str(files["participants"]), "--attestations", str(files["attestations"]),
                "--questionnaire", str(files["questionnaire"]), "--report-dir", str(folder / "reports")]
        ours += ["--memory", args.memory] if args.memory else []
        commands = {"bare DuckDB C1+C2": [sys.executable, "-c", BARE, str(files["traces"])],
                    "conformance bilan": [sys.executable, *ours]}
        where = {name: ROOT for name in commands}  # `python -m` imports the working directory's code
        if args.baseline:
            # the baseline's own code; --memory is new, not passed to it
            where["baseline bilan"] = args.baseline.resolve()
            commands["baseline bilan"] = [sys.executable,
                                          *(ours[:ours.index("--memory")] if args.memory else ours)]
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        for _ in range(args.rounds):  # interleaved: each sees the same machine state
            for name, command in commands.items():
                wall, rss = timed(command, where[name])
                results[name].append((wall, rss, os.getloadavg()[0]))
    load = os.getloadavg()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.rounds} interleaved rounds")
    print(f"{'':22} {'median s':>9} {'min–max s':>14} {'peak RSS MiB':>13} {'load (1 min)':>13}")
    for name, runs in results.items():
        walls = [w for w, _, _ in runs]
        loads = " ".join(f"{x:.1f}" for _, _, x in runs)
        print(f"{name:22} {statistics.median(walls):9.2f} {min(walls):6.2f}–{max(walls):<7.2f} "
              f"{max(r for _, r, _ in runs):13.0f}  {loads}")
    floor = statistics.median(w for w, _, _ in results["bare DuckDB C1+C2"])
    for name in results:
        if name != "bare DuckDB C1+C2":
            ratio = statistics.median(w for w, _, _ in results[name]) / floor
            peak = max(r for _, r, _ in results[name])
            print(f"{name}: {ratio:.2f}× the bare aggregate's time (target ≤ 3×), peak {peak:.0f} MiB "
                  "(target ≤ 2048)")


if __name__ == "__main__":
    main()
