"""``conformance validate`` and ``conformance list``: no target needed."""

from __future__ import annotations

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
@application_errors
def list_cmd(what: str, paths: tuple[str, ...]) -> None:
    """List scenarios, checks or requirements."""
    if what == "checks":
        for c in app.check_catalogue():
            click.echo(f"{c.name:<22} {c.requirement:<7} {c.severity:<9} {'/'.join(c.steps):<28} "
                       f"{c.title}" + (f"  (default on {', '.join(c.default_on)})" if c.default_on else ""))
    elif what == "scenarios":
        for sc in app.load_scenarios(Selection(paths=paths)):
            click.echo(f"{sc.id:<24} {sc.title}  [{', '.join(sc.tags)}]")
    else:
        for req in app.requirement_catalogue(Selection(paths=paths)):
            click.echo(f"{req.id:<7} {req.title:<60} {req.where}")
