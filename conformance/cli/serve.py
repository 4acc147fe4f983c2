"""``conformance serve reference|simulator``: the two servers, on loopback by default."""

from __future__ import annotations

import click

from conformance.cli.common import fail


@click.command()
@click.argument("what", type=click.Choice(["reference", "simulator"]))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=0, help="Port (default: a free one, printed).")
@click.option("--teleservice", help="Reference only: the teleservice URL (default: its own simulator).")
@click.option("--db", help="Simulator only: SQLite file (default: in memory).")
@click.option("--fault", "faults", multiple=True, help="Reference only: switch on a fault.")
@click.option("--list-faults", is_flag=True, help="Print the reference's faults and exit.")
def serve(what: str, host: str, port: int, teleservice: str | None, db: str | None,
          faults: tuple[str, ...], list_faults: bool) -> None:
    """Serve the reference implementation or the teleservice simulator until Ctrl-C."""
    from conformance.serving import BackgroundServer, serve_foreground

    if list_faults:
        from conformance.reference.faults import FAULTS

        for name in FAULTS:
            click.echo(name)
        click.echo("")
        for name, description in FAULTS.items():
            click.echo(f"{name}: {description}")
        return
    if what == "simulator":
        from conformance.simulator import Store, create_app

        serve_foreground(create_app(Store(db or ":memory:")), host, port)
        return
    from conformance.reference import create_app as reference_app
    from conformance.reference.faults import check_names

    try:
        check_names(list(faults))
    except ValueError as exc:
        fail(str(exc))
    own = None
    if teleservice is None:
        from conformance.simulator import create_app as simulator_app

        own = BackgroundServer(simulator_app()).start()
        teleservice = own.url
        click.echo(f"teleservice simulator on {teleservice}")
    try:
        serve_foreground(reference_app(teleservice, faults), host, port)
    finally:
        if own is not None:
            own.stop()
