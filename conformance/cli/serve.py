"""``conformance serve reference|simulator``: the two servers, on loopback by default."""

from __future__ import annotations

import click

from conformance import application as app
from conformance.cli.common import application_errors


@click.command()
@click.argument("what", type=click.Choice(["reference", "simulator"]))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=0, help="Port (default: a free one, printed).")
@click.option("--teleservice", help="Reference only: the teleservice URL (default: its own simulator).")
@click.option("--db", help="Simulator only: SQLite file (default: in memory).")
@click.option("--fault", "faults", multiple=True, help="Reference only: switch on a fault.")
@click.option("--list-faults", is_flag=True, help="Print the reference's faults and exit.")
@application_errors
def serve(what: str, host: str, port: int, teleservice: str | None, db: str | None,
          faults: tuple[str, ...], list_faults: bool) -> None:
    """Serve the reference implementation or the teleservice simulator until Ctrl-C."""
    if list_faults:
        fuzzed = app.servers.fuzz_only_faults()
        for name, description in app.servers.fault_catalogue().items():
            only = f" [found only by fuzzing: run --fault {name} --fuzz 10]" if name in fuzzed else ""
            click.echo(f"{name}: {description}{only}")
    elif what == "simulator":
        app.servers.serve_simulator(host, port, db)
    else:
        app.servers.serve_reference(host, port, teleservice, faults, click.echo)
