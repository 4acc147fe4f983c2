"""``conformance keygen | verify | replay``: evidence bundles for auditors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from conformance.cli.common import EXIT_ANOMALIES, EXIT_OK, EXIT_USAGE, fail


@click.command("keygen")
@click.argument("folder", type=click.Path(file_okay=False))
def keygen(folder: str) -> None:
    """Write an Ed25519 key pair for signing bundles (run --sign KEY, verify --public-key PUB)."""
    from conformance.evidence.bundle import keygen as make

    private, public = make(Path(folder))
    click.echo(f"private key: {private} (keep it secret; give it to 'run --sign')")
    click.echo(f"public key:  {public} (give it to auditors: 'verify --public-key')")


@click.command("verify")
@click.argument("bundle", type=click.Path(file_okay=False))
@click.option("--public-key", type=click.Path(dir_okay=False, exists=True),
              help="The signer's public key: checks manifest.sig.")
def verify(bundle: str, public_key: str | None) -> None:
    """Check every file of a bundle against its manifest, and the signature (exit 0 intact)."""
    from conformance.evidence.bundle import NotABundle
    from conformance.evidence.bundle import verify as check

    try:
        found = check(Path(bundle), Path(public_key) if public_key else None)
    except NotABundle as exc:
        fail(f"{exc}\n  = give a run folder (reports/<run-id>) written by 'conformance run'")
    for label, names in (("changed", found.changed), ("missing", found.missing), ("added", found.added)):
        for name in names:
            click.echo(f"{label:<8} {name}")
    click.echo(f"signature: {found.signature}")
    for note in found.notes:
        click.echo(f"note: {note}")
    click.echo("intact" if found.intact else "NOT intact")
    sys.exit(EXIT_OK if found.intact else EXIT_ANOMALIES)


@click.command("replay")
@click.argument("bundle", type=click.Path(file_okay=False))
@click.option("--target", help="Base URL of the adapter API (default: embedded reference).")
@click.option("--teleservice", help="Base URL of the teleservice simulator the target uses.")
@click.option("--force", is_flag=True, help="Replay even if the scenario files changed (warns).")
@click.option("--report-dir", default="reports", show_default=True, type=click.Path())
def replay(bundle: str, target: str | None, teleservice: str | None, force: bool,
           report_dir: str) -> None:
    """Rerun a bundle's scenarios (same profile, seed, threshold) and compare verdicts check by check."""
    from conformance.cli.run import RunOptions, _execute, _main, _profile
    from conformance.evidence.bundle import suite_hash

    folder = Path(bundle)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        before = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        suite = manifest["suite"]
    except (OSError, ValueError, KeyError) as exc:
        fail(f"{bundle}: not a bundle ({exc})\n  = give a run folder written by 'conformance run'")
    paths = [p if Path(p).exists() else r for p, r in zip(suite["paths"], suite["resolved"], strict=True)]
    fixtures = suite["fixtures"]
    if suite_hash([Path(p) for p in paths], Path(fixtures)) != suite["hash"]:
        if not force:
            fail("the scenario or fixture files changed since this bundle was made: the replay "
                 "would not run the same suite\n  = restore them, or pass --force to replay anyway")
        click.echo("warning: the scenario or fixture files changed since the bundle; replaying anyway",
                   err=True)
    from conformance.cli.common import load

    wanted = set(suite["scenarios"])
    scenarios = [sc for sc in load(tuple(paths), fixtures) if sc.id in wanted]
    profile = _profile(manifest["profile"]["name"])
    opts = RunOptions(int(manifest["seed"]), Path(report_dir), manifest.get("failOn", "major"),
                      lang=manifest.get("lang", "fr"), fuzz_examples=int(manifest.get("fuzz", 0)),
                      suite=tuple(paths), fixtures=fixtures)

    def execute(url: str, ts: str | None) -> int:
        code, result = _execute(scenarios, url, ts, profile, opts)
        if result is None:
            return code
        after = json.loads((Path(report_dir) / result.run_id / "report.json").read_text("utf-8"))
        differences = compare(before, after)
        click.echo(f"replay of {manifest['runId']} as {result.run_id}: "
                   f"{len(differences)} verdict difference(s)")
        for line in differences:
            click.echo(f"  {line}")
        return EXIT_OK if not differences else EXIT_ANOMALIES

    if not scenarios and not opts.fuzz_examples:
        fail("none of the bundle's scenarios is in the suite any more", EXIT_USAGE)
    _main(target, teleservice, (), execute)


def _verdicts(report: dict[str, Any]) -> dict[str, str]:
    out = {}
    for sc in report.get("scenarios", []):
        out[f"{sc['id']}"] = sc["status"]
        for st in sc.get("steps", []):
            for i, c in enumerate(st.get("checks", [])):
                out[f"{sc['id']} step {st['index'] + 1} {c['requirement']} {c['check']} #{i}"] = c["status"]
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """'key: before → after' for every verdict that differs, appears or disappears."""
    a, b = _verdicts(before), _verdicts(after)
    return [f"{key}: {a.get(key, 'absent')} → {b.get(key, 'absent')}"
            for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]
