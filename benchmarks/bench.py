"""Every figure of DESIGN §10, measured as the user runs it, side by side in one run:

    .venv/bin/python benchmarks/bench.py [--rounds 3] [--scenarios 30] [--quick] [--self-test]

Whole processes only (`conformance run` with its default checks, evidence and every report),
under GNU time for CPU (children included: the paper worker) and peak RSS; the alternatives in
the same run, rounds interleaved, medians and spread printed, the machine's load noted.
The target is the reference and the simulator each in its own process (`conformance serve`),
as an editor's software would be; "embedded" rows run `conformance run` alone, servers inside.

1. per scenario (create, consult, search, paper; N copies, each with its own patient):
   a bare httpx + pypdfium2 + zxing-cpp script doing the same requests and decodes, against
   `conformance run` with the default --jobs and with --jobs 1 (target ≤ 1.5× the bare script);
2. per scenario without paper (create, consult, search): Tavern (its own venv, pinned) against
   ours, the same requests and patients (--quick skips it: the venv takes a minute to build);
3. the whole bundled suite: embedded, default --jobs against --jobs 1 (the default never
   slower); against the external target, the harness's own CPU (target ≤ 2.5 s);
4. peak RSS of the bundled suite copied 10 times against the suite once (target ≤ 1.3×);
5. `conformance --help` (target ≤ 0.35 s);
6. with --self-test: `conformance self-test`, the whole matrix (target ≤ 45 s on 2 cores).

The bilan at scale has its own, longer benchmark: benchmarks/bilan.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
FIXTURES = ROOT / "fixtures"
EXE = [sys.executable, "-m", "conformance"]
TAVERN_VENV = ROOT / "benchmarks" / ".tavern-venv"
TAVERN_PIN = ("tavern==3.7.1", "pytest==8.3.5")  # Tavern 3.7 imports _pytest.python_api (gone in 8.4)
OK_CODES = (0, 1, 4)  # conforme, anomalies, incomplete: a benchmark measures, the tests judge

Usage = tuple[float, float, float]  # wall s, CPU s (user + system, children included), peak RSS MiB

BARE = r'''
import sys, json, httpx, pypdfium2, zxingcpp
target, bodies_file, paper = sys.argv[1], sys.argv[2], sys.argv[3] == "paper"
bodies = json.load(open(bodies_file))
with httpx.Client(base_url=target, timeout=10) as client:
    for body in bodies:
        pid = client.post("/prescriptions", json=body).json()["id"]
        client.get(f"/prescriptions/{pid}", params={"rpps": body["prescripteur"]["rpps"]})
        client.get("/prescriptions", params={"patient": body["patient"]["ins"],
                                             "prescripteur": body["prescripteur"]["rpps"]})
        if paper:
            pdf = pypdfium2.PdfDocument(client.get(f"/prescriptions/{pid}/paper").content)
            for page in pdf:
                found = zxingcpp.read_barcodes(page.render(scale=200 / 72, grayscale=True).to_numpy())
                assert found and json.loads(found[0].text)["D"]["ID"] == pid
            pdf.close()
'''

SCENARIO = """id: BENCH-{n:03d}
title: create, consult, search{paper_title}
given: {{prescriber: generaliste, patient: bench-{n:03d}}}
steps:
  - create:
      consentement: {{opposition: false}}
      lignes: [paracetamol]
    save: {{id: $.id}}
  - consult: {{id: "${{id}}"}}
  - search: {{patient: "${{patient.ins}}"}}
    expect: [contains_id, only_patient, same_id]
{paper}"""

TAVERN_TEST = """---
test_name: create consult search {n}
stages:
  - name: create
    request: {{url: "{base}/prescriptions", method: POST, json: {body}}}
    response: {{status_code: 201, save: {{json: {{pid: id}}}}}}
  - name: consult
    request: {{url: "{base}/prescriptions/{{pid}}", method: GET, params: {{rpps: "{rpps}"}}}}
    response: {{status_code: 200}}
  - name: search
    request:
      url: "{base}/prescriptions"
      method: GET
      params: {{patient: "{ins}", prescripteur: "{rpps}"}}
    response: {{status_code: 200}}
"""


# --- measuring ------------------------------------------------------------------------------

def timed(command: list[str], cwd: Path = ROOT) -> Usage:
    """One whole process: wall, CPU (children included) and peak RSS from GNU time."""
    gnu = ["/usr/bin/time", "-f", "bench-usage %U %S %M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    done = subprocess.run([*gnu, *command], cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1"})
    wall = time.perf_counter() - start
    if done.returncode not in OK_CODES:
        raise SystemExit(f"{' '.join(command[:4])}… failed ({done.returncode}): {done.stderr[-800:]}")
    usage = next((line.split()[1:] for line in reversed(done.stderr.splitlines())
                  if line.startswith("bench-usage ")), ["0", "0", "0"])
    return wall, float(usage[0]) + float(usage[1]), int(usage[2]) / 1024


def interleaved(runs: dict[str, Callable[[], Usage]], rounds: int) -> dict[str, list[Usage]]:
    """Each command once per round, in turn: every one sees the same machine state."""
    results: dict[str, list[Usage]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            results[name].append(run())
    return results


def median(values: list[Usage], index: int) -> float:
    return statistics.median(v[index] for v in values)


def spread(values: list[Usage], index: int) -> str:
    return f"{min(v[index] for v in values):.2f}–{max(v[index] for v in values):.2f}"


def row(label: str, values: list[Usage], per: int = 0) -> str:
    wall = median(values, 0)
    each = f"{1000 * wall / per:8.1f} ms" if per else " " * 11
    return (f"  {label:44} {wall:7.2f} s ({spread(values, 0):>11}) {each}  CPU {median(values, 1):6.2f} s"
            f"  RSS {max(v[2] for v in values):5.0f} MiB")


# --- the world ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


class External:
    """The reference and the simulator, each in its own process."""

    def __init__(self) -> None:
        sim_port, ref_port = free_port(), free_port()
        self.teleservice = f"http://127.0.0.1:{sim_port}"
        self.target = f"http://127.0.0.1:{ref_port}"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT}
        self.servers = [subprocess.Popen([*EXE, "serve", "simulator", "--port", str(sim_port)], **quiet)]
        wait(f"{self.teleservice}/health")
        self.servers.append(subprocess.Popen([*EXE, "serve", "reference", "--port", str(ref_port),
                                              "--teleservice", self.teleservice], **quiet))
        wait(f"{self.target}/about")

    def run(self, *args: str) -> list[str]:
        return [*EXE, "run", *args, "--target", self.target, "--teleservice", self.teleservice]

    def close(self) -> None:
        for server in self.servers:
            server.terminate()
            server.wait(10)


def patients(folder: Path, count: int) -> list[dict[str, str]]:
    """A fixtures folder (the bundled one plus ``count`` distinct synthetic patients): the
    scenarios do not share a patient, so no search answer grows with the run."""
    from conformance.identifiers.synthetic import nir

    shutil.copytree(FIXTURES, folder)
    rng = random.Random(20261125)
    out = []
    for n in range(count):
        born = f"19{rng.randint(40, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        person = {"ins": nir(rng, 2, born), "nomFamille": f"BENCH{n:03d}", "prenom": "Claire",
                  "sexe": "F", "dateNaissance": born}
        (folder / "patients" / f"bench-{n:03d}.yaml").write_text(
            "# synthetic test identity: never a real person\n" + "".join(
                f"{k}: '{v}'\n" for k, v in person.items()), encoding="utf-8")
        out.append(person)
    return out


def scenario_suite(folder: Path, count: int, paper: bool) -> Path:
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"bench-{n:03d}.yaml").write_text(SCENARIO.format(
            n=n, paper_title=", paper" if paper else "",
            paper='  - paper: {id: "${id}"}\n' if paper else ""), encoding="utf-8")
    return folder


def bodies(suite: Path, fixtures: Path, file: Path) -> Path:
    """The create bodies the scenarios send (fixtures resolved), for the bare script and Tavern."""
    sys.path.insert(0, str(ROOT))
    from conformance.application import Selection, load_scenarios
    from conformance.scenario.model import create_body

    scenarios = load_scenarios(Selection(paths=(str(suite),), fixtures=str(fixtures)))
    file.write_text(json.dumps([create_body(dict(sc.steps[0].params), sc.fixtures) for sc in scenarios]),
                    encoding="utf-8")
    return file


def copied_suite(folder: Path, copies: int) -> tuple[Path, Path]:
    """The bundled suite ``copies`` times over, every scenario id suffixed per copy, and every
    copy with patients of its own (another INS): ten copies of the suite are ten times the
    work, not searches ten times longer. Returns the suite and its fixtures folder."""
    from conformance.identifiers.keys import nir_key

    fixtures = folder / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    names = {p.stem: p.read_text(encoding="utf-8") for p in (FIXTURES / "patients").glob("*.yaml")}
    for n in range(copies):
        for name, text in names.items():
            def other(match: re.Match[str], n: int = n) -> str:
                body = match.group(2)[:13]
                body = body[:10] + f"{(int(body[10:13]) + 7 * n) % 999 + 1:03d}"
                return f"{match.group(1)}'{body}{nir_key(body):02d}'"
            (fixtures / "patients" / f"{name}-c{n:02d}.yaml").write_text(
                re.sub(r"^(ins: )'?([0-9AB]{15})'?", other, text, flags=re.M), encoding="utf-8")
        for source in SCENARIOS.rglob("*.yaml"):
            target = folder / "suite" / f"copy-{n:02d}" / source.relative_to(SCENARIOS)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = re.sub(r"^(\s*-?\s*id: )([A-Z][A-Z0-9-]*)\s*$", rf"\g<1>\g<2>-C{n:02d}",
                          source.read_text(encoding="utf-8"), flags=re.M)
            text = re.sub(r"(\bpatient: )([a-z-]+)(\s*[,}]|\s*$)",
                          lambda m, n=n: f"{m.group(1)}{m.group(2)}-c{n:02d}{m.group(3)}"
                          if m.group(2) in names else m.group(0), text, flags=re.M)
            target.write_text(text, encoding="utf-8")
    return folder / "suite", fixtures


def tavern_ready() -> str | None:
    """Tavern in its own venv, pinned; None when ready, else why not."""
    pip = TAVERN_VENV / "bin" / "pip"
    frozen = subprocess.run([str(pip), "freeze"], capture_output=True, text=True).stdout \
        if pip.exists() else ""
    if all(pin in frozen for pin in TAVERN_PIN):
        return None
    made = subprocess.run([sys.executable, "-m", "venv", str(TAVERN_VENV)], capture_output=True)
    done = subprocess.run([str(pip), "install", "-q", *TAVERN_PIN], capture_output=True, text=True)
    return None if not made.returncode and not done.returncode else \
        f"Tavern could not be installed: {done.stderr.strip()[-200:]}"


def tavern_file(folder: Path, target: str, body_file: Path) -> Path:
    path = folder / "test_bench.tavern.yaml"
    texts = []
    for n, body in enumerate(json.loads(body_file.read_text(encoding="utf-8"))):
        texts.append(TAVERN_TEST.format(n=n, base=target, body=json.dumps(body, ensure_ascii=False),
                                        rpps=body["prescripteur"]["rpps"], ins=body["patient"]["ins"]))
    path.write_text("".join(texts), encoding="utf-8")
    return path


def versus(world: External, label: str, unit: str, command: list[str], cwd: Path, suite: Path,
           suite_args: tuple[str, ...], n: int, rounds: int) -> None:
    """``command`` against `conformance run` on ``suite`` (default --jobs, then --jobs 1)."""
    results = interleaved({
        label: lambda: timed(command, cwd),
        "conformance run (default --jobs)": lambda: timed(world.run(str(suite), *suite_args)),
        "conformance run --jobs 1": lambda: timed(world.run(str(suite), *suite_args, "--jobs", "1")),
    }, rounds)
    for name, values in results.items():
        print(row(name, values, n))
    base = median(results[label], 0)
    for name in list(results)[1:]:
        print(f"  {name}: {median(results[name], 0) / base:.2f}× {unit}")


# --- the run --------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scenarios", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="no Tavern")
    parser.add_argument("--self-test", action="store_true", help="also time the self-test matrix")
    args = parser.parse_args()
    n, rounds = args.scenarios, args.rounds
    load = os.getloadavg()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {rounds} interleaved rounds, medians "
          "(min–max)")
    world = External()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
            tmp = Path(scratch)
            reports = str(tmp / "reports")
            fixtures = tmp / "fixtures"
            patients(fixtures, n)
            with_paper = scenario_suite(tmp / "paper", n, paper=True)
            without = scenario_suite(tmp / "nopaper", n, paper=False)
            paper_bodies = bodies(with_paper, fixtures, tmp / "paper.json")
            suite_args = ("--fixtures", str(fixtures), "--report-dir", reports)

            print(f"\n1. {n} scenarios (create, consult, search, paper), a patient each, external target")
            versus(world, "bare httpx + pdfium + zxing script", "the bare script (target ≤ 1.5×)",
                   [sys.executable, "-c", BARE, world.target, str(paper_bodies), "paper"], ROOT,
                   with_paper, suite_args, n, rounds)

            print(f"\n2. {n} scenarios (create, consult, search), a patient each, external target")
            why = "skipped (--quick)" if args.quick else tavern_ready()
            if why:
                print(f"  Tavern: {why}")
            else:
                tavern = tavern_file(tmp, world.target, bodies(without, fixtures, tmp / "nopaper.json"))
                versus(world, "Tavern 3.7.1 (pytest, whole process)", "Tavern's time",
                       [str(TAVERN_VENV / "bin" / "pytest"), "-q", "-p", "no:cacheprovider", str(tavern)],
                       tmp, without, suite_args, n, rounds)

            print("\n3. the whole bundled suite")
            whole = interleaved({
                "embedded, default --jobs": lambda: timed([*EXE, "run", "--report-dir", reports]),
                "embedded, --jobs 1": lambda: timed([*EXE, "run", "--jobs", "1", "--report-dir", reports]),
                "external target (the harness alone)": lambda: timed(world.run("--report-dir", reports)),
            }, rounds)
            for label, values in whole.items():
                print(row(label, values))
            default, alone = whole["embedded, default --jobs"], whole["embedded, --jobs 1"]
            print(f"  default --jobs / --jobs 1: {median(default, 0) / median(alone, 0):.2f} (target ≤ 1)")
            print(f"  the harness's CPU against an external target: "
                  f"{median(whole['external target (the harness alone)'], 1):.2f} s (target ≤ 2.5 s); "
                  f"embedded, the reference and simulator included: {median(default, 1):.2f} s")

            print("\n4. peak RSS, the bundled suite once and ten times over (a fresh external target each)")
            once, once_fixtures = copied_suite(tmp / "once", 1)
            tenfold, tenfold_fixtures = copied_suite(tmp / "tenfold", 10)

            def fresh(suite: Path, fixtures: Path) -> Usage:
                target = External()  # its store and journal start empty, as for the user's first run
                try:
                    return timed(target.run(str(suite), "--fixtures", str(fixtures), "--report-dir", reports))
                finally:
                    target.close()

            memory = interleaved({
                "bundled suite (1×)": lambda: fresh(once, once_fixtures),
                "bundled suite copied 10×": lambda: fresh(tenfold, tenfold_fixtures),
            }, max(1, rounds - 1))
            for label, values in memory.items():
                print(row(label, values))
            ratio = max(v[2] for v in memory["bundled suite copied 10×"]) / \
                max(v[2] for v in memory["bundled suite (1×)"])
            print(f"  10× / 1×: {ratio:.2f} (target ≤ 1.3)")

            print("\n5. start-up")
            helps = [timed([*EXE, "--help"]) for _ in range(10)]
            print(f"  conformance --help: {median(helps, 0):.3f} s ({spread(helps, 0)}) (target ≤ 0.35 s)")

            if args.self_test:
                print("\n6. the self-test matrix")
                matrix = [timed([*EXE, "self-test", "--report-dir", reports])]
                print(row("conformance self-test (default processes)", matrix) + " (target ≤ 45 s)")
    finally:
        world.close()


if __name__ == "__main__":
    main()
