"""``conformance validate`` and ``conformance list``: no target needed."""

from __future__ import annotations

import csv
import io
import json

import click

from conformance import application as app
from conformance.application import Selection
from conformance.cli.common import application_errors, exit_with
from conformance.vocabulary import ExitCode


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--fixtures", type=click.Path(file_okay=False), help="Fixtures folder.")
@application_errors
def validate(paths: tuple[str, ...], fixtures: str | None) -> None:
    """Lint scenario files: schema, steps, checks, fixtures, variables."""
    scenarios = app.load_scenarios(Selection(paths=paths, fixtures=fixtures))
    click.echo(f"ok: {len(scenarios)} scenario(s) valid")
    exit_with(ExitCode.OK)


@click.command("list")
@click.argument("what", type=click.Choice(["scenarios", "checks", "requirements"]),
                default="scenarios")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text",
              show_default=True, help="For requirements: csv or json for test-plan spreadsheets.")
@application_errors
def list_cmd(what: str, paths: tuple[str, ...], fmt: str) -> None:
    """List scenarios, checks or requirements (where each is evaluated)."""
    if what == "checks":
        for c in app.check_catalogue():
            click.echo(f"{c.name:<22} {c.requirement:<7} {c.severity:<9} {'/'.join(c.steps):<28} "
                       f"{c.title}" + (f"  (default on {', '.join(c.default_on)})" if c.default_on else ""))
    elif what == "scenarios":
        for sc in app.load_scenarios(Selection(paths=paths)):
            click.echo(f"{sc.id:<24} {sc.title}  [{', '.join(sc.tags)}]")
    else:
        requirements = app.requirement_catalogue(Selection(paths=paths))
        if fmt == "json":
            click.echo(json.dumps([{"requirement": r.id, "title": r.title, "severity": r.severity,
                                    "source": r.source, "confidence": r.confidence, "where": r.where,
                                    "evaluatedIn": list(r.scenarios), "declaredBy": list(r.declared)}
                                   for r in requirements], ensure_ascii=False, indent=2))
        elif fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(("requirement", "title", "severity", "confidence", "source", "scenarios",
                             "evaluated_in", "declared_by"))
            for r in requirements:
                writer.writerow((r.id, r.title, r.severity, r.confidence, r.source, len(r.scenarios),
                                 ";".join(r.scenarios), ";".join(r.declared)))
            click.echo(out.getvalue(), nl=False)
        else:
            for req in requirements:
                click.echo(f"{req.id:<7} {req.title:<60} {req.where}")
