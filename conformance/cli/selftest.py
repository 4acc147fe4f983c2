"""``conformance self-test``: the suite must pass on the clean reference and catch every fault."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from conformance import application as app
from conformance.application import Selection, Settings
from conformance.cli.common import application_errors, exit_with, fail
from conformance.vocabulary import ExitCode


@click.command("self-test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--jobs", type=int, default=None, help="Parallel runs (default: the number of cores + 1).")
@click.option("--report-dir", default="reports", show_default=True, type=click.Path(),
              help="Folder receiving the self-test's sub-folder.")
@click.option("--fault", "only", multiple=True, help="Only these faults (repeatable).")
@click.option("--profile", "profile_name", default="public-2025", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--fixtures", type=click.Path(file_okay=False), help="Fixtures folder.")
@click.option("--fast", is_flag=True,
              help="Stop each fault's run at its first anomaly: detection only, partial matrix.")
@application_errors
def self_test(paths: tuple[str, ...], jobs: int | None, report_dir: str, only: tuple[str, ...],
              profile_name: str, seed: int, fixtures: str | None, fast: bool) -> None:
    """Run the suite on the clean reference, then on each fault alone: detection matrix."""
    from rich.console import Console

    catalogue = app.servers.fault_catalogue()
    unknown = [f for f in only if f not in catalogue]
    if unknown:
        fail(f"unknown fault(s): {', '.join(unknown)}\n  = see 'conformance serve reference --list-faults'")
    faults = sorted(only) if only else list(catalogue)
    selection = Selection(paths=paths, fixtures=fixtures)
    app.load_scenarios(selection)  # a scenario error stops here, located, before any server starts
    app.load_profile(profile_name)
    base = Settings(selection=selection, profile=profile_name, seed=seed)
    jobs = max(1, jobs or app.selftest.default_processes())
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    console.print(f"Auto-test : {len(faults)} défauts de la référence, {jobs} en parallèle")

    def progress(o: app.selftest.FaultOutcome) -> None:
        name = o.fault or "(référence saine)"
        if o.fault is None:
            mark = "✓" if not o.failing and not o.errors else "✗"
            says = f"{len(o.failing)} faux positif(s), {len(o.errors)} erreur(s)"
        else:
            mark = "✓" if o.detected else "✗"
            says = ", ".join(o.caught_by) or "non détecté"
        console.print(f"  {mark} {name:<34} {o.duration:5.1f} s  {says}", markup=False)

    folder = Path(report_dir) / ("selftest-" + dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    try:
        result = app.selftest.self_test(base, faults, folder, jobs, progress, fast)
    except KeyboardInterrupt:
        fail("interrupted: no self-test.json written", ExitCode.INTERRUPTED)
    folder.mkdir(parents=True, exist_ok=True)
    data = app.selftest.to_dict(result)
    (folder / "self-test.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    _matrix(console, result)
    console.print(f"Détection : {data['detected']}/{data['faultCount']} "
                  f"({result.detection_rate:.0%}) — faux positifs : {result.false_positives} — "
                  f"{result.duration:.1f} s avec {jobs} processus", markup=False)
    console.print(f"Verdict : {'RÉUSSI' if result.passed else 'ÉCHEC'} — {folder}/self-test.json "
                  "(rapports de chaque exécution : clean/, faults/<défaut>/)", markup=False)
    exit_with(ExitCode.OK if result.passed else ExitCode.ANOMALIES)


def _matrix(console: Any, result: Any) -> None:
    """Fault × requirements that caught it (blocking/major first, minor in brackets)."""
    from rich.table import Table

    table = Table(title="Matrice défaut × exigences qui l'ont détecté")
    table.add_column("Défaut", no_wrap=True)
    table.add_column("Détecté", justify="center")
    table.add_column("Exigences (bloquantes/majeures)")
    table.add_column("mineures")
    for outcome in result.faults:
        strong = sorted({r for r, _, sev in outcome.failing if sev in ("blocking", "major")})
        weak = sorted({r for r, _, sev in outcome.failing if sev not in ("blocking", "major")} - set(strong))
        table.add_row(outcome.fault, "oui" if outcome.detected else "NON", " ".join(strong),
                      " ".join(weak))
    console.print(table)
