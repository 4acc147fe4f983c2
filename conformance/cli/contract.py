"""``conformance contract`` and ``conformance example``: what an editor needs to start, from the
installed package."""

from __future__ import annotations

from pathlib import Path

import click

from conformance import application as app
from conformance.cli.common import application_errors


@click.command()
@click.argument("name", type=click.Choice(["adapter", "teleservice"]), default="adapter")
@click.option("-o", "--output", type=click.Path(), help="Write it to this file (or folder) instead.")
@application_errors
def contract(name: str, output: str | None) -> None:
    """Print the OpenAPI contract your adapter serves (adapter) or the simulator's (teleservice)."""
    if output is None:
        click.echo(app.contracts.contract_text(name), nl=False)
    else:
        written = app.contracts.write_contract(name, Path(output))
        click.echo(f"{name} contract written to {written}", err=True)


@click.command()
@click.argument("name", type=click.Choice(["minilap"]), default="minilap")
@click.option("-o", "--output", type=click.Path(file_okay=False), default="minilap", show_default=True,
              help="Folder receiving the example's files (created; nothing is overwritten).")
@application_errors
def example(name: str, output: str) -> None:
    """Copy the tutorial's prescribing software and its adapter (docs/tutorial.md) to a folder."""
    for path in app.contracts.copy_example(name, Path(output)):
        click.echo(str(path))
    click.echo(f"next: conformance serve simulator --port 8090, then python {Path(output) / 'adapter.py'}"
               " --teleservice http://127.0.0.1:8090", err=True)
