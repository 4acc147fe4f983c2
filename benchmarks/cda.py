"""``conformance inspect cda`` measured as the user runs it, on the reference's DMP copy (with
``--expect-id`` and ``--paper``) and ANS's two examples (ExemplesCDA, when ../shared is there).

Per document and round, interleaved (every document's processes in turn, ROUNDS times), three
whole processes, each timed around ``subprocess`` (``time.perf_counter``), CPU and peak RSS from
GNU time (``/usr/bin/time``, children included) when present:

- ``conformance inspect cda FILE``: what the user waits for;
- this file's ``--loop 1`` and ``--loop 1+K``: the same inspection through the application layer
  (``inspect_cda``), once, then K more times in the same process with the same sandbox workers.
  The difference over K is the per-document cost once the process, the workers and the rules'
  compiled XPath are there; the rest of a single inspection is the one-time start-up. Inside the
  loop each warm call is split: the document read in the sandbox (safe parsing, our rules, the
  facts, the trip to the worker), the PDFs read in the paper sandbox (the copy, and ``--paper``),
  and the checks (CDA-01, 02, 06, 07, 08: the cross-checks) in the process.

Medians over the rounds (and over the warm calls). The target (issue 24): ≤ 50 ms per document
for our rules and the cross-checks, the one-time compilation excluded.

    python benchmarks/cda.py [ROUNDS] [--extra K]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
PROJECT = HERE.parent.parent
KIT = PROJECT.parent / "shared" / "samples" / "ans-testcontenucda" / "ExemplesCDA"
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    p for p in (str(PROJECT), os.environ.get("PYTHONPATH", "")) if p)}


def _loop(calls: int, file: str, expect_id: str | None, paper: str | None) -> None:
    """The child: ``inspect_cda`` ``calls`` times with one set of workers; each call's total,
    sandbox and paper times (ms) as JSON on stdout."""
    from conformance.application import inspection
    from conformance.paper.sandbox import Sandbox

    load_profile = inspection.load_profile

    def timed_profile(name: str) -> Any:
        """The profile's reading (YAML, its schema): once per ``inspect cda`` process, so
        start-up; a loop of inspections reads it again each time, and is timed apart."""
        start = time.perf_counter()
        try:
            return load_profile(name)
        finally:
            spent["profile"] += time.perf_counter() - start

    inspection.load_profile = timed_profile  # type: ignore[assignment]

    class Timed(Sandbox):
        """The sandbox, its two reads timed (into ``spent``)."""

        def cda(self, data: bytes, rules: Any = None) -> Any:
            start = time.perf_counter()
            try:
                return super().cda(data, rules)
            finally:
                spent["cda"] += time.perf_counter() - start

        def analyse(self, data: bytes, picture_dpi: int | None = None,
                    scan_dpi: float | None = None) -> Any:
            start = time.perf_counter()
            try:
                return super().analyse(data, picture_dpi, scan_dpi)
            finally:
                spent["pdf"] += time.perf_counter() - start

    spent = {"cda": 0.0, "pdf": 0.0, "profile": 0.0}
    sandbox = Timed()
    out = []
    try:
        for _ in range(calls):
            spent.update(cda=0.0, pdf=0.0, profile=0.0)
            start = time.perf_counter()
            found = inspection.inspect_cda(file, expect_id, paper, sandbox=sandbox)
            total = time.perf_counter() - start
            out.append({"total": total * 1000, "failed": found.failed,
                        **{k: v * 1000 for k, v in spent.items()}})
    finally:
        sandbox.close()
    print(json.dumps(out))


def _documents(folder: Path) -> dict[str, list[str]]:
    """Each document's ``inspect cda`` arguments: the reference's copy (its id, its paper) and
    ANS's examples (as they come: their placeholder code 2D fails CDA-07)."""
    import yaml

    from conformance.reference import dmp, printing

    def load(kind: str, name: str) -> dict[str, Any]:
        data: dict[str, Any] = yaml.safe_load((PROJECT / "fixtures" / kind / f"{name}.yaml")
                                              .read_text("utf-8"))
        return data

    rx = {"prescripteur": load("prescribers", "generaliste"), "patient": load("patients", "adulte"),
          "consentement": {"opposition": False}, "dateOrdonnance": "2026-03-02",
          "lignes": [load("products", n) for n in ("metformine", "bandelettes", "paracetamol")]}
    pid = "0123456789ABCDEFGH"
    pdf = printing.render(rx, printing.PaperOptions(printing.qr_payload(rx, pid), pid, "2026-03-02"))
    now = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    (folder / "reference.xml").write_bytes(dmp.build(rx, pid, pdf, now))
    (folder / "reference.pdf").write_bytes(pdf)
    documents = {"reference": [str(folder / "reference.xml"), "--expect-id", pid,
                               "--paper", str(folder / "reference.pdf")]}
    for name in ("PosoStruct", "PosoNonStruct"):
        path = KIT / f"eP-MED-DM_2024.01_{name}.xml"
        if path.is_file():
            documents[name] = [str(path)]
    return documents


def _timed(command: list[str]) -> tuple[float, float | None, float | None, str]:
    """Wall seconds, CPU seconds and peak RSS (MiB; GNU time, children included), stdout."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        prefix = [GNU_TIME, "-o", stats.name, "-f", "%U %S %M"] if GNU_TIME else []
        start = time.perf_counter()
        done = subprocess.run(prefix + command, capture_output=True, text=True, env=ENV,
                              cwd=PROJECT, check=False)
        wall = time.perf_counter() - start
        if done.returncode not in (0, 1, 4):
            raise SystemExit(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr}")
        fields = stats.read().split()[-3:] if GNU_TIME else []
    if len(fields) == 3:
        return wall, float(fields[0]) + float(fields[1]), int(fields[2]) / 1024, done.stdout
    return wall, None, None, done.stdout


def _loop_args(args: list[str], calls: int) -> list[str]:
    expect = args[args.index("--expect-id") + 1] if "--expect-id" in args else ""
    paper = args[args.index("--paper") + 1] if "--paper" in args else ""
    return [sys.executable, str(HERE), "--loop", str(calls), args[0], expect, paper]


def main(rounds: int, extra: int) -> None:
    """Measure, then print one line per document and measure."""
    with tempfile.TemporaryDirectory() as tmp:
        documents = _documents(Path(tmp))
        sizes = {name: Path(args[0]).stat().st_size / 1024 for name, args in documents.items()}
        cli: dict[str, list[tuple[float, float | None, float | None]]] = {d: [] for d in documents}
        single: dict[str, list[float]] = {d: [] for d in documents}
        many: dict[str, list[float]] = {d: [] for d in documents}
        warm: dict[str, list[dict[str, float]]] = {d: [] for d in documents}
        for _ in range(rounds):  # interleaved: a slow moment of the machine spreads over all
            for name, args in documents.items():
                wall, cpu, rss, _ = _timed([sys.executable, "-m", "conformance", "inspect", "cda",
                                            *args])
                cli[name].append((wall, cpu, rss))
                single[name].append(_timed(_loop_args(args, 1))[0])
                wall, _, _, out = _timed(_loop_args(args, 1 + extra))
                many[name].append(wall)
                warm[name] += json.loads(out)[1:]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.2f}, {rounds} rounds, {extra} extra documents per loop, "
          f"{'GNU time' if GNU_TIME else 'perf_counter only'}")
    for name in documents:
        walls = [w for w, _, _ in cli[name]]
        cpus = [c for _, c, _ in cli[name] if c is not None]
        rsses = [r for _, _, r in cli[name] if r is not None]
        per_doc = statistics.median((m - s) / extra for m, s in zip(many[name], single[name],
                                                                    strict=True))
        calls = warm[name]
        total = statistics.median(c["total"] for c in calls)
        cda = statistics.median(c["cda"] for c in calls)
        pdf = statistics.median(c["pdf"] for c in calls)
        profile = statistics.median(c["profile"] for c in calls)
        checks = statistics.median(c["total"] - c["cda"] - c["pdf"] - c["profile"] for c in calls)
        net = per_doc * 1000 - profile  # a process reads the profile once: start-up
        print(f"{name} ({sizes[name]:.0f} KB):")
        print(f"  inspect cda process    {statistics.median(walls) * 1000:7.0f} ms wall"
              + (f", {statistics.median(cpus) * 1000:.0f} ms CPU" if cpus else "")
              + (f", peak RSS {statistics.median(rsses):.0f} MiB" if rsses else ""))
        print(f"  per document           {net:7.1f} ms  ((1+{extra} docs − 1 doc) / {extra} = "
              f"{per_doc * 1000:.1f}, less the profile a loop reads again: {profile:.1f})")
        print(f"  one-time start-up      {statistics.median(walls) * 1000 - net:7.0f} ms  "
              "(process, imports, profile, workers, compiled rules)")
        print(f"  warm call, in-process  {total - profile:7.1f} ms = document in the sandbox "
              f"{cda:.1f} + PDFs read {pdf:.1f} + checks {checks:.1f}")
        print(f"  rules + cross-checks   {cda + checks:7.1f} ms  (target ≤ 50; the PDF reading "
              "apart)")

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--loop":
        _loop(int(sys.argv[2]), sys.argv[3], sys.argv[4] or None, sys.argv[5] or None)
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=5)
    parser.add_argument("--extra", type=int, default=10, help="documents after the first, per loop")
    options = parser.parse_args()
    main(options.rounds, options.extra)
