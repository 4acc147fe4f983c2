"""``conformance run``: the suite against a target (the embedded default without --target)."""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

import click

from conformance.cli.common import (
    EXIT_ANOMALIES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    fail,
    load,
    select,
)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@click.command("run")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--target", help="Base URL of the adapter API (default: embedded reference).")
@click.option("--teleservice", help="Base URL of the teleservice simulator the target uses.")
@click.option("--profile", "profile_name", default="public-2025", show_default=True,
              help="Profile name or YAML file.")
@click.option("-k", "keywords", multiple=True, help="Only scenarios whose id/title contains this.")
@click.option("--tag", "tags", multiple=True, help="Only scenarios with this tag (repeatable).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for generated data.")
@click.option("--report-dir", default="reports", show_default=True, type=click.Path(),
              help="Folder receiving one sub-folder per run.")
@click.option("--fail-on", type=click.Choice(["blocking", "major", "minor", "info"]),
              default="major", show_default=True, help="Lowest failing severity that fails the run.")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Per-request timeout in seconds.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--fixtures", type=click.Path(file_okay=False), help="Fixtures folder.")
@click.option("--fault", "faults", multiple=True,
              help="Embedded default only: switch on a fault of the reference (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Also show warnings.")
@click.option("-x", "--exitfirst", is_flag=True, help="Stop after the first scenario with an anomaly.")
def run(paths: tuple[str, ...], target: str | None, teleservice: str | None, profile_name: str,
        keywords: tuple[str, ...], tags: tuple[str, ...], seed: int, report_dir: str, fail_on: str,
        timeout: float, lang: str, fixtures: str | None, faults: tuple[str, ...],
        verbose: bool, exitfirst: bool) -> None:
    """Run scenarios and write console, report.json and junit.xml reports."""
    from conformance.profiles import ProfileError, load_profile

    try:
        profile = load_profile(profile_name)
    except ProfileError as exc:
        fail(str(exc))
    scenarios = select(load(paths, fixtures), keywords, tags)
    if not scenarios:
        fail("no scenario selected (check PATHS, -k and --tag)")
    if target and faults:
        fail("--fault applies to the embedded reference only; start "
             "'conformance serve reference --fault …' and point --target at it")
    signal.signal(signal.SIGTERM, _raise_interrupt)
    with contextlib.ExitStack() as stack:
        if target is None:
            from conformance.embedded import EmbeddedWorld
            from conformance.reference.faults import check_names

            try:
                check_names(list(faults))
            except ValueError as exc:
                fail(str(exc))
            world = stack.enter_context(EmbeddedWorld(faults))
            target, teleservice = world.target_url, world.teleservice_url
        code = _execute(scenarios, target, teleservice, profile, seed, Path(report_dir), fail_on,
                        timeout, lang, verbose, exitfirst)
    sys.exit(code)


def _execute(scenarios: list[Any], target: str, teleservice: str | None, profile: Any, seed: int,
             report_dir: Path, fail_on: str, timeout: float, lang: str, verbose: bool,
             exitfirst: bool = False) -> int:
    from conformance.engine import RunConfig, RunFinished, Runner, TargetUnreachable
    from conformance.reporters import write_json, write_junit
    from conformance.reporters.console import ConsoleReporter
    from conformance.targets import HttpTarget, Limits, TeleserviceControl

    http = HttpTarget(target, Limits(timeout=timeout))
    control = TeleserviceControl(teleservice, timeout) if teleservice else None
    config = RunConfig(http, control, profile, fail_on, seed,
                       extra={"profile": {"name": profile.name}}, exit_first=exitfirst)
    console = ConsoleReporter(lang, verbose=verbose)
    runner = Runner(config, scenarios)
    result = None
    try:
        for event in runner.run():
            console.handle(event)
            if isinstance(event, RunFinished):
                result = event.result
    except TargetUnreachable as exc:
        click.echo(f"error: target unreachable: {exc}\n  = start the target, or check --target",
                   err=True)
        return EXIT_UNREACHABLE
    finally:
        http.close()
        if control:
            control.close()
    if result is None:
        return EXIT_USAGE
    folder = report_dir / result.run_id
    folder.mkdir(parents=True, exist_ok=True)
    write_json(result, folder / "report.json")
    write_junit(result, folder / "junit.xml")
    console.console.print(f"{console.t['reports']}: {folder}/report.json, {folder}/junit.xml",
                          markup=False)
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if result.conforme else EXIT_ANOMALIES
