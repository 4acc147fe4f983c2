"""``conformance bilan`` and ``conformance traces generate``: parse, settings, bilan, exit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from conformance.cli.common import application_errors, exit_with
from conformance.vocabulary import ExitCode, Lang


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _memory(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    from conformance.bilan.traces import parse_memory

    try:
        return parse_memory(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command("bilan")
@click.option("--traces", multiple=True, type=click.Path(),
              help="Trace files or folders (.jsonl, .csv, .parquet); repeatable. "
                   "None: the bundled demo présérie.")
@click.option("--participants", type=click.Path(dir_okay=False),
              help="The présérie's doctors (YAML with the editor, or CSV).")
@click.option("--attestations", type=click.Path(dir_okay=False), help="Attestations (YAML).")
@click.option("--questionnaire", type=click.Path(dir_okay=False), help="Satisfaction answers (CSV).")
@click.option("--mapping", type=click.Path(dir_okay=False),
              help="Your columns and codes → the canonical ones (YAML).")
@click.option("--run-report", "run_reports", multiple=True, type=click.Path(dir_okay=False),
              help="A conformance run's report.json, attached as evidence for C3; repeatable.")
@click.option("--since", callback=_day, help="First day of the bilan (YYYY-MM-DD).")
@click.option("--until", callback=_day, help="Last day of the bilan (YYYY-MM-DD).")
@click.option("--profile", "profile_name", default="public-2025", show_default=True)
@click.option("--report-dir", default="reports", show_default=True, type=click.Path(file_okay=False))
@click.option("--lang", type=click.Choice([x.value for x in Lang]), default=Lang.FR.value, show_default=True)
@click.option("--sign", type=click.Path(dir_okay=False), help="Ed25519 private key signing the manifest.")
@click.option("--memory", callback=_memory, metavar="SIZE",
              help="DuckDB's memory limit (e.g. 2GiB, 1500MB); it spills to disk beyond. "
                   "Default: a quarter of the machine's memory, at most 2 GiB.")
@application_errors
def bilan(traces: tuple[str, ...], participants: str | None, attestations: str | None,
          questionnaire: str | None, mapping: str | None, run_reports: tuple[str, ...],
          since: dt.date | None, until: dt.date | None, profile_name: str, report_dir: str, lang: str,
          sign: str | None, memory: int | None) -> None:
    """The présérie bilan (criteria C1–C5, modalities) from workstation traces: exit 0 all met,
    1 some not met, 2 input error (file, line, column and what to fix)."""
    from conformance.application.bilan import BilanSettings, console_summary, run_bilan

    settings = BilanSettings(traces=traces, participants=participants, attestations=attestations,
                             questionnaire=questionnaire, mapping=mapping, run_reports=run_reports,
                             since=since, until=until, profile=profile_name, report_dir=Path(report_dir),
                             lang=Lang(lang), sign=sign, memory=memory)
    done = run_bilan(settings)
    for line in console_summary(done, settings.lang):
        click.echo(line)
    exit_with(done.exit_code)


@click.group("traces")
def traces() -> None:
    """Workstation traces: generate a synthetic présérie."""


@traces.command("generate")
@click.option("--doctors", default=8, show_default=True, type=int)
@click.option("--weeks", default=6, show_default=True, type=int)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--per-day", default=20, show_default=True, type=int, help="Prescriptions per doctor and day.")
@click.option("--numerique", default=0.8, show_default=True, type=float,
              help="Mean share of e-prescriptions.")
@click.option("--low-doctors", default=1, show_default=True, type=int, help="Doctors below the 50 % line.")
@click.option("--registration", default=0.93, show_default=True, type=float,
              help="Share of first EP4 attempts registered.")
@click.option("--intrinsic", default=0.25, show_default=True, type=float,
              help="Share of failed EP4 attempts that are the software's fault.")
@click.option("--centre-doctors", default=0, show_default=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl",
              show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False))
@application_errors
def generate(doctors: int, weeks: int, seed: int, per_day: int, numerique: float, low_doctors: int,
             registration: float, intrinsic: float, centre_doctors: int, fmt: str, output: str) -> None:
    """A synthetic présérie: traces, participants, attestations, questionnaire."""
    from conformance.application.bilan import generate_traces

    files = generate_traces(Path(output), doctors, weeks, seed, per_day=per_day, numerique=numerique,
                            low_doctors=low_doctors, registration=registration, intrinsic=intrinsic,
                            centre_doctors=centre_doctors, format=fmt)
    for name, path in files.items():
        click.echo(f"{name}: {path}")
    exit_with(ExitCode.OK)


@traces.command("from-journal")
@click.option("--teleservice", required=True, help="The teleservice simulator's URL.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The JSON Lines file to write (appel events).")
@application_errors
def from_journal(teleservice: str, output: str) -> None:
    """The simulator's journal as appel trace events, for the bilan (C2, C3)."""
    from conformance.application.bilan import journal_to_traces

    count = journal_to_traces(teleservice, Path(output))
    click.echo(f"{count} appel event(s): {output}")
    exit_with(ExitCode.OK)
