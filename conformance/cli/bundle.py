"""``conformance keygen | verify | replay``: evidence bundles for auditors."""

from __future__ import annotations

from pathlib import Path

import click

from conformance import application as app
from conformance.application import Settings
from conformance.cli.common import application_errors, exit_with
from conformance.vocabulary import ExitCode


@click.command("keygen")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing key pair (old bundles then fail "
              "verify against the new public key).")
@application_errors
def keygen(folder: str, force: bool) -> None:
    """Write an Ed25519 key pair for signing bundles (run --sign KEY, verify --public-key PUB)."""
    private, public, warning = app.bundles.keygen(folder, force)
    if warning:
        click.echo(warning, err=True)
    click.echo(f"private key: {private} (keep it secret; give it to 'run --sign')")
    click.echo(f"public key:  {public} (give it to auditors: 'verify --public-key')")


@click.command("verify")
@click.argument("bundle", type=click.Path(file_okay=False))
@click.option("--public-key", type=click.Path(dir_okay=False, exists=True),
              help="The signer's public key: checks manifest.sig.")
@application_errors
def verify(bundle: str, public_key: str | None) -> None:
    """Check every file of a bundle against its manifest, and the signature (exit 0 intact)."""
    found = app.bundles.verify(bundle, public_key)
    for label, names in (("changed", found.changed), ("missing", found.missing), ("added", found.added),
                         ("refused", found.refused)):
        for name in names:
            click.echo(f"{label:<8} {name}")
    click.echo(f"signature: {found.signature}")
    for note in found.notes:
        click.echo(f"note: {note}")
    click.echo("intact" if found.intact else "NOT intact")
    exit_with(ExitCode.OK if found.intact else ExitCode.ANOMALIES)


@click.command("replay")
@click.argument("bundle", type=click.Path(file_okay=False))
@click.option("--target", help="Base URL of the adapter API (default: embedded reference).")
@click.option("--teleservice", help="Base URL of the teleservice simulator the target uses.")
@click.option("--force", is_flag=True, help="Replay even if the scenario files changed (warns).")
@click.option("--report-dir", default="reports", show_default=True, type=click.Path())
@application_errors
def replay(bundle: str, target: str | None, teleservice: str | None, force: bool,
           report_dir: str) -> None:
    """Rerun a bundle's scenarios (same profile, seed, threshold) and compare verdicts check by check."""
    base = Settings(target=target, teleservice=teleservice, report_dir=Path(report_dir))
    done = app.bundles.replay(bundle, base, force, warn=lambda line: click.echo(line, err=True))
    click.echo(f"replay of {done.original} as {done.outcome.result.run_id}: "
               f"{len(done.differences)} verdict difference(s)")
    for line in done.differences:
        click.echo(f"  {line}")
    exit_with(ExitCode.OK if not done.differences else ExitCode.ANOMALIES)


@click.command("baseline")
@click.argument("report_dir", type=click.Path(file_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The baseline file to write (YAML).")
@click.option("--reason", required=True, help="Why these anomalies are accepted for now.")
@click.option("--expires", help="Until when (YYYY-MM-DD; default: in 90 days).")
@application_errors
def baseline(report_dir: str, output: str, reason: str, expires: str | None) -> None:
    """Write a run's anomalies as known ones, for 'run --baseline FILE' (each with its reason and
    expiry date; edit the file to narrow or drop entries)."""
    import datetime as dt

    try:
        until = dt.date.fromisoformat(expires) if expires else None
    except ValueError as exc:
        raise click.BadParameter(f"{expires!r} is not a date (YYYY-MM-DD)", param_hint="--expires") from exc
    count = app.baseline.write(report_dir, output, reason, until)
    click.echo(f"{count} known anomaly(ies) written to {output}")
    exit_with(ExitCode.OK)


@click.command("merge")
@click.argument("folders", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="The folder receiving the merged reports.")
@application_errors
def merge(folders: tuple[str, ...], output: str) -> None:
    """One report (json, junit, html, md, manifest) from the shards of a run (run --shard K/N)."""
    done = app.merge.merge(list(folders), output)
    result = done.result
    click.echo(f"{len(folders)} shard(s), {len(result.scenarios)} scenario(s): {result.verdict} — "
               f"{len(result.anomalies())} anomaly(ies)")
    click.echo(f"Reports: {done.folder / 'report.html'}, report.json, junit.xml, summary.md, manifest.json")
    exit_with(done.exit_code)
