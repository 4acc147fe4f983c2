"""The ``conformance`` command group; heavy libraries are imported inside commands."""

from __future__ import annotations

import click

from conformance import __version__
from conformance.cli.adapter import adapter
from conformance.cli.bilan import bilan, traces
from conformance.cli.bundle import baseline, keygen, merge, replay, verify
from conformance.cli.campaign import campaign
from conformance.cli.common import interrupted_early
from conformance.cli.contract import contract, example
from conformance.cli.inspect import inspect
from conformance.cli.run import fuzz, run
from conformance.cli.selftest import self_test
from conformance.cli.serve import serve
from conformance.cli.suite import list_cmd, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="conformance")
def cli() -> None:
    """Conformance harness for the French ordonnance numérique (e-prescription)."""


cli.add_command(run)
cli.add_command(fuzz)
cli.add_command(validate)
cli.add_command(list_cmd)
cli.add_command(serve)
cli.add_command(inspect)
cli.add_command(self_test)
cli.add_command(keygen)
cli.add_command(verify)
cli.add_command(replay)
cli.add_command(baseline)
cli.add_command(merge)
cli.add_command(bilan)
cli.add_command(traces)
cli.add_command(contract)
cli.add_command(adapter)
cli.add_command(example)
cli.add_command(campaign)


def main() -> None:
    """Entry point of the ``conformance`` script. A Ctrl-C before a command has its own
    handling (while Python imports what it needs) ends quietly too: one line, exit 130."""
    try:
        cli()
    except KeyboardInterrupt:
        interrupted_early()
