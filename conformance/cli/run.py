"""``conformance run`` and ``conformance fuzz``: parse, build settings, run a session, exit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from conformance import application as app
from conformance.application import (
    Redaction,
    Selection,
    Settings,
    TlsSettings,
    default_jobs,
    parse_accepted,
    parse_headers,
    parse_shard,
)
from conformance.cli.common import application_errors, exit_with
from conformance.vocabulary import Lang, Severity


def target_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by run and fuzz: target, reports, timeouts, TLS, headers, embedded faults."""
    for option in reversed([
        click.option("--target", help="Base URL of the adapter API (default: embedded reference)."),
        click.option("--report-dir", default="reports", show_default=True, type=click.Path(),
                     help="Folder receiving one sub-folder per run."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Seed for generated data."),
        click.option("--timeout", type=float, default=10.0, show_default=True,
                     help="Whole-request deadline in seconds."),
        click.option("--lang", type=click.Choice([str(x) for x in Lang]), default="fr",
                     show_default=True),
        click.option("--fault", "faults", multiple=True,
                     help="Embedded default only: switch on a fault of the reference (repeatable)."),
        click.option("--ca", type=click.Path(dir_okay=False, exists=True),
                     help="CA bundle (PEM) to verify the target's certificate (always verified)."),
        click.option("--cert", type=click.Path(dir_okay=False, exists=True),
                     help="Client certificate (PEM) for mutual TLS, with --key."),
        click.option("--key", type=click.Path(dir_okay=False, exists=True),
                     help="Private key (PEM) of --cert. Never written to any report."),
        click.option("-H", "--header", "headers", multiple=True, metavar="'NAME: VALUE'",
                     help="Sent to the target on every request (repeatable; also one per line in "
                          "$CONFORMANCE_HEADERS). Values are masked in every output."),
    ]):
        fn = option(fn)
    return fn


def _common(options: dict[str, Any]) -> dict[str, Any]:
    """The Settings fields that run and fuzz share."""
    return {
        "target": options["target"], "faults": options["faults"],
        "report_dir": Path(options["report_dir"]), "seed": options["seed"],
        "timeout": options["timeout"], "lang": Lang(options["lang"]),
        "tls": TlsSettings(ca=options["ca"], cert=options["cert"], key=options["key"]),
        "headers": parse_headers(options["headers"]),
    }


@click.command("run")
@click.argument("paths", nargs=-1, type=click.Path())
@target_options
@click.option("--teleservice", help="Base URL of the teleservice simulator the target uses.")
@click.option("--profile", "profile_name", default="public-2025", show_default=True,
              help="Profile name or YAML file.")
@click.option("-k", "keywords", multiple=True, help="Only scenarios whose id/title contains this.")
@click.option("--tag", "tags", multiple=True, help="Only scenarios with this tag (repeatable).")
@click.option("--fail-on", type=click.Choice([str(s) for s in Severity]),
              default="major", show_default=True, help="Lowest failing severity that fails the run.")
@click.option("--accept-unverified", "accept", metavar="REQ[,REQ…]|all", default="",
              help="Accept these unverified requirements (e.g. no journal against the real "
                   "teleservice): the run may then be conforme; the acceptance is in every report.")
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="Known anomalies (conformance baseline), each with its reason and expiry: "
                   "shown, not counted.")
@click.option("--shard", metavar="K/N", help="Run only the K-th of N disjoint, stable slices of the "
              "selected scenarios (GitLab parallel: $CI_NODE_INDEX/$CI_NODE_TOTAL); 'merge' joins them.")
@click.option("--shard-durations", type=click.Path(dir_okay=False, exists=True),
              help="A previous report.json: slices balanced by its scenario durations.")
@click.option("--fixtures", type=click.Path(file_okay=False), help="Fixtures folder.")
@click.option("-v", "--verbose", is_flag=True, help="Also show warnings.")
@click.option("-x", "--exitfirst", is_flag=True, help="Stop after the first scenario with an anomaly.")
@click.option("--fuzz", "fuzz_examples", type=int, default=0, metavar="N",
              help="Then fuzz the adapter API with N generated requests per operation (ROB-01/02).")
@click.option("--sign", "sign_key", type=click.Path(dir_okay=False, exists=True),
              help="Ed25519 private key (conformance keygen) signing the bundle's manifest.")
@click.option("--pseudonymise", is_flag=True,
              help="Replace patient identities in everything written (papers are left out).")
@click.option("--redact", multiple=True, metavar="REGEX",
              help="Also mask text matching this regular expression in everything written.")
@click.option("-j", "--jobs", type=int, default=None,
              help="Scenarios run concurrently (default: the number of cores; isolated ones alone).")
@click.option("--cda-rules", type=click.Path(file_okay=False), metavar="DIR",
              help="A checkout of ansforge/TestContenuCDA-3-0: also run the volet's ANS schematron "
                   "and the CDA schema on each DMP copy (CDA-09, CDA-10).")
@application_errors
def run(paths: tuple[str, ...], profile_name: str, keywords: tuple[str, ...], tags: tuple[str, ...],
        fail_on: str, accept: str, baseline: str | None, shard: str | None,
        shard_durations: str | None, fixtures: str | None, verbose: bool,
        exitfirst: bool, fuzz_examples: int,
        sign_key: str | None, pseudonymise: bool, redact: tuple[str, ...], jobs: int | None,
        teleservice: str | None, cda_rules: str | None, **options: Any) -> None:
    """Run scenarios and write console, report.json, junit.xml, report.html, summary.md and the
    evidence bundle with its manifest."""
    settings = Settings(
        **_common(options), teleservice=teleservice, profile=profile_name,
        selection=Selection(paths=paths, fixtures=fixtures, keywords=keywords, tags=tags,
                            shard=parse_shard(shard), durations=shard_durations),
        fail_on=Severity(fail_on), accept_unverified=parse_accepted(accept), baseline=baseline,
        verbose=verbose,
        exit_first=exitfirst, fuzz_examples=max(0, fuzz_examples), sign=sign_key,
        redaction=Redaction(patterns=redact, pseudonymise=pseudonymise),
        jobs=jobs if jobs is not None else default_jobs(), cda_rules=cda_rules)
    exit_with(app.run_session(settings).exit_code)


@click.command("fuzz")
@target_options
@click.option("--max-examples", type=int, default=50, show_default=True,
              help="Generated requests per operation.")
@application_errors
def fuzz(max_examples: int, **options: Any) -> None:
    """Fuzz the adapter API (schemathesis): ROB-01 no 5xx, ROB-02 responses match the contract."""
    settings = Settings(**_common(options), scenarios=False, fuzz_examples=max(1, max_examples))
    exit_with(app.run_session(settings).exit_code)
