"""``conformance self-test``: the suite must pass on the clean reference and catch every fault."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from conformance.cli.common import EXIT_ANOMALIES, EXIT_INTERRUPTED, EXIT_OK, fail


@click.command("self-test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--jobs", type=int, default=None, help="Parallel runs (default: the number of cores).")
@click.option("--report-dir", default="reports", show_default=True, type=click.Path(),
              help="Folder receiving the self-test's sub-folder.")
@click.option("--fault", "only", multiple=True, help="Only these faults (repeatable).")
@click.option("--profile", "profile_name", default="public-2025", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--fixtures", type=click.Path(file_okay=False), help="Fixtures folder.")
@click.option("--fast", is_flag=True,
              help="Stop each fault's run at its first anomaly: detection only, partial matrix.")
def self_test(paths: tuple[str, ...], jobs: int | None, report_dir: str, only: tuple[str, ...],
              profile_name: str, seed: int, fixtures: str | None, fast: bool) -> None:
    """Run the suite on the clean reference, then on each fault alone: detection matrix."""
    from rich.console import Console

    from conformance import selftest
    from conformance.cli.common import load
    from conformance.reference.faults import FAULTS, check_names
    from conformance.reporters import write_json, write_junit

    try:
        faults = sorted(check_names(list(only))) if only else list(FAULTS)
    except ValueError as exc:
        fail(str(exc))
    load(paths, fixtures)  # a scenario error stops here, located, before any server starts
    jobs = max(1, jobs or os.cpu_count() or 1)
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    console.print(f"Auto-test : {len(faults)} défauts de la référence, {jobs} en parallèle")

    def progress(o: selftest.FaultOutcome) -> None:
        name = o.fault or "(référence saine)"
        if o.fault is None:
            mark = "✓" if not o.failing and not o.errors else "✗"
            says = f"{len(o.failing)} faux positif(s), {len(o.errors)} erreur(s)"
        else:
            mark = "✓" if o.detected else "✗"
            says = ", ".join(o.caught_by) or "non détecté"
        console.print(f"  {mark} {name:<34} {o.duration:5.1f} s  {says}", markup=False)

    try:
        result = selftest.self_test(faults, paths, fixtures, profile_name, seed, jobs, progress, fast)
    except KeyboardInterrupt:
        click.echo("interrupted: no self-test.json written", err=True)
        sys.exit(EXIT_INTERRUPTED)
    folder = Path(report_dir) / ("selftest-" + dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    folder.mkdir(parents=True, exist_ok=True)
    data = selftest.to_dict(result)
    (folder / "self-test.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    if result.clean_result is not None:
        from conformance.reporters import to_dict
        from conformance.reporters.html import write_html

        report = {**to_dict(result.clean_result), "selfTest": data}
        write_json(report, folder / "report.json")
        write_junit(result.clean_result, folder / "junit.xml")
        write_html(report, folder)
    _matrix(console, result)
    console.print(f"Détection : {data['detected']}/{data['faultCount']} "
                  f"({result.detection_rate:.0%}) — faux positifs : {result.false_positives} — "
                  f"{result.duration:.1f} s avec {jobs} processus", markup=False)
    console.print(f"Verdict : {'RÉUSSI' if result.passed else 'ÉCHEC'} — {folder}/self-test.json",
                  markup=False)
    sys.exit(EXIT_OK if result.passed else EXIT_ANOMALIES)


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
