"""``conformance adapter check``: does an adapter answer as the contract says, operation by
operation, before a full run?"""

from __future__ import annotations

import click

from conformance import application as app
from conformance.application import parse_headers
from conformance.cli.common import application_errors, exit_with
from conformance.vocabulary import ExitCode


@click.group()
def adapter() -> None:
    """Your adapter: a first contact before a run."""


@adapter.command("check")
@click.option("--target", required=True, help="Base URL of your adapter API (http://host:port).")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Per-request deadline (s).")
@click.option("-H", "--header", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="Sent on every request (repeatable; also $CONFORMANCE_HEADERS).")
@application_errors
def check(target: str, timeout: float, headers: tuple[str, ...]) -> None:
    """GET /about, POST the contract's create example, consult, search and print it: for each
    operation, whether the answer is what the contract says, and the fix when it is not."""
    probes = app.adapter.check_adapter(target, timeout, parse_headers(headers))
    marks = {"ok": "✓", "problem": "✗", "not tried": "-"}
    for probe in probes:
        took = f" ({probe.elapsed_ms:.0f} ms)" if probe.elapsed_ms else ""
        click.echo(f"{marks[probe.outcome]} {probe.operation:<45} {probe.detail}{took}")
        if probe.fix:
            click.echo(f"    = {probe.fix}")
    wrong = sum(p.outcome == "problem" for p in probes)
    untried = sum(p.outcome == "not tried" for p in probes)
    if wrong or untried:
        also = f" ({untried} not tried)" if untried else ""
        click.echo(f"{wrong} of {len(probes)} operations do not answer as the contract says{also}: "
                   "fix them, then run 'conformance adapter check' again")
        exit_with(ExitCode.ANOMALIES)
    click.echo(f"the {len(probes)} operations answer as the contract says: next, "
               f"conformance run --target {target} --teleservice <the simulator your software calls>")
    exit_with(ExitCode.OK)
