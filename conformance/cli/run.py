"""``conformance run`` and ``conformance fuzz``: against a target, or the embedded default."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import ssl
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from conformance.cli.common import (
    EXIT_ANOMALIES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    fail,
    load,
    select,
)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@dataclass(frozen=True)
class TlsOptions:
    """How to reach an HTTPS target: a CA bundle, a client certificate and key."""

    ca: str | None = None
    cert: tuple[str, str] | None = None


@dataclass(frozen=True)
class RunOptions:
    """What the user asked for, besides the scenarios and the target."""

    seed: int = 0
    report_dir: Path = Path("reports")
    fail_on: str = "major"
    timeout: float = 10.0
    lang: str = "fr"
    verbose: bool = False
    exitfirst: bool = False
    tls: TlsOptions = TlsOptions()
    fuzz_examples: int = 0  # > 0: fuzz the adapter API after the scenarios
    sign: Path | None = None  # Ed25519 private key signing the manifest
    pseudonymise: bool = False
    redact: tuple[str, ...] = ()  # extra regular expressions masked in everything written
    suite: tuple[str, ...] = ()  # the scenario paths given (recorded in the manifest)
    fixtures: str | None = None
    jobs: int = 1


def _tls(ca: str | None, cert: str | None, key: str | None) -> TlsOptions:
    if bool(cert) != bool(key):
        fail("--cert and --key go together (mutual TLS)")
    return TlsOptions(ca, (cert, key) if cert and key else None)


def target_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by run and fuzz: target, reports, timeouts, TLS, embedded faults."""
    for option in reversed([
        click.option("--target", help="Base URL of the adapter API (default: embedded reference)."),
        click.option("--report-dir", default="reports", show_default=True, type=click.Path(),
                     help="Folder receiving one sub-folder per run."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Seed for generated data."),
        click.option("--timeout", type=float, default=10.0, show_default=True,
                     help="Whole-request deadline in seconds."),
        click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True),
        click.option("--fault", "faults", multiple=True,
                     help="Embedded default only: switch on a fault of the reference (repeatable)."),
        click.option("--ca", type=click.Path(dir_okay=False, exists=True),
                     help="CA bundle (PEM) to verify the target's certificate (always verified)."),
        click.option("--cert", type=click.Path(dir_okay=False, exists=True),
                     help="Client certificate (PEM) for mutual TLS, with --key."),
        click.option("--key", type=click.Path(dir_okay=False, exists=True),
                     help="Private key (PEM) of --cert. Never written to any report."),
    ]):
        fn = option(fn)
    return fn


@click.command("run")
@click.argument("paths", nargs=-1, type=click.Path())
@target_options
@click.option("--teleservice", help="Base URL of the teleservice simulator the target uses.")
@click.option("--profile", "profile_name", default="public-2025", show_default=True,
              help="Profile name or YAML file.")
@click.option("-k", "keywords", multiple=True, help="Only scenarios whose id/title contains this.")
@click.option("--tag", "tags", multiple=True, help="Only scenarios with this tag (repeatable).")
@click.option("--fail-on", type=click.Choice(["blocking", "major", "minor", "info"]),
              default="major", show_default=True, help="Lowest failing severity that fails the run.")
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
@click.option("--only", "only_ids", multiple=True, hidden=True, help="Exact scenario ids (replay).")
@click.option("-j", "--jobs", type=int, default=None,
              help="Scenarios run concurrently (default: the number of cores; isolated ones alone).")
def run(paths: tuple[str, ...], target: str | None, teleservice: str | None, profile_name: str,
        keywords: tuple[str, ...], tags: tuple[str, ...], seed: int, report_dir: str, fail_on: str,
        timeout: float, lang: str, fixtures: str | None, faults: tuple[str, ...],
        verbose: bool, exitfirst: bool, ca: str | None, cert: str | None, key: str | None,
        fuzz_examples: int, sign_key: str | None, pseudonymise: bool, redact: tuple[str, ...],
        only_ids: tuple[str, ...], jobs: int | None) -> None:
    """Run scenarios and write console, report.json, junit.xml, report.html, summary.md and the
    evidence bundle with its manifest."""
    profile = _profile(profile_name)
    scenarios = select(load(paths, fixtures), keywords, tags)
    if only_ids:
        scenarios = [sc for sc in scenarios if sc.id in set(only_ids)]
    if not scenarios:
        fail("no scenario selected (check PATHS, -k and --tag)")
    for pattern in redact:
        try:
            re.compile(pattern)
        except re.error as exc:
            fail(f"--redact {pattern!r}: not a regular expression ({exc})")
    opts = RunOptions(seed, Path(report_dir), fail_on, timeout, lang, verbose, exitfirst,
                      _tls(ca, cert, key), max(0, fuzz_examples), Path(sign_key) if sign_key else None,
                      pseudonymise, redact, paths, fixtures, max(1, jobs or os.cpu_count() or 1))
    _main(target, teleservice, faults, lambda t, ts: _execute(scenarios, t, ts, profile, opts)[0])


@click.command("fuzz")
@target_options
@click.option("--max-examples", type=int, default=50, show_default=True,
              help="Generated requests per operation.")
def fuzz(target: str | None, seed: int, report_dir: str, timeout: float, lang: str,
         faults: tuple[str, ...], ca: str | None, cert: str | None, key: str | None,
         max_examples: int) -> None:
    """Fuzz the adapter API (schemathesis): ROB-01 no 5xx, ROB-02 responses match the contract."""
    opts = RunOptions(seed, Path(report_dir), "major", timeout, lang, tls=_tls(ca, cert, key),
                      fuzz_examples=max(1, max_examples))
    profile = _profile("public-2025")
    _main(target, None, faults, lambda t, ts: _execute([], t, None, profile, opts)[0])


def _profile(name: str) -> Any:
    from conformance.profiles import ProfileError, load_profile

    try:
        return load_profile(name)
    except ProfileError as exc:
        fail(str(exc))


def _main(target: str | None, teleservice: str | None, faults: tuple[str, ...],
          execute: Callable[[str, str | None], int]) -> None:
    """Start the embedded world when there is no target, run, exit with the run's code."""
    if target and faults:
        fail("--fault applies to the embedded reference only; start "
             "'conformance serve reference --fault …' and point --target at it")
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with _world(target, teleservice, faults) as (url, teleservice_url):
            code = execute(url, teleservice_url)
    except KeyboardInterrupt:
        click.echo("interrupted before the run started: no report written", err=True)
        code = EXIT_INTERRUPTED
    sys.exit(code)


@contextlib.contextmanager
def _world(target: str | None, teleservice: str | None,
           faults: tuple[str, ...]) -> Iterator[tuple[str, str | None]]:
    if target is not None:
        yield target, teleservice
        return
    from conformance.embedded import EmbeddedWorld
    from conformance.reference.faults import check_names

    try:
        check_names(list(faults))
    except ValueError as exc:
        fail(str(exc))
    with EmbeddedWorld(faults) as world:
        yield world.target_url, world.teleservice_url


def _verify(tls: TlsOptions) -> Any:
    """True (system CAs) or an SSLContext; None after printing why the files cannot be used."""
    from conformance.targets.http import tls_context

    if not tls.ca and not tls.cert:
        return True
    try:
        return tls_context(tls.ca, tls.cert)
    except (ssl.SSLError, OSError) as exc:
        click.echo(f"error: cannot load the TLS files: {exc}\n  = give PEM files: --ca "
                   "bundle, --cert certificate, --key its private key", err=True)
        return None


def _execute(scenarios: list[Any], target: str, teleservice: str | None, profile: Any,
             opts: RunOptions) -> tuple[int, Any]:
    """Run, report, write the bundle: the exit code and the result (None when none ran)."""
    from conformance.engine import RunConfig, RunFinished, Runner, TargetUnreachable
    from conformance.engine.runner import isolated
    from conformance.evidence import Redactor
    from conformance.evidence.writer import EvidenceWriter
    from conformance.reporters.console import ConsoleReporter
    from conformance.targets import HttpTarget, Limits, TeleserviceControl

    verify = _verify(opts.tls)
    if verify is None:
        return EXIT_USAGE, None
    http = HttpTarget(target, Limits(timeout=opts.timeout), verify=verify)
    control = TeleserviceControl(teleservice, opts.timeout) if teleservice else None
    config = RunConfig(http, control, profile, opts.fail_on, opts.seed,
                       extra={"profile": {"name": profile.name}, "evidence": True},
                       exit_first=opts.exitfirst, evidence=True, jobs=opts.jobs)
    pool = None
    if opts.jobs > 1 and any(not isolated(sc) for sc in scenarios):
        from conformance.paper.pool import AnalysisPool

        pool = AnalysisPool(min(opts.jobs, os.cpu_count() or 1))
        config.analyse = pool
    console = ConsoleReporter(opts.lang, verbose=opts.verbose)
    runner = Runner(config, scenarios)
    folder = opts.report_dir / runner.run_id
    redactor = Redactor(opts.redact, opts.pseudonymise)
    for sc in scenarios:
        redactor.learn(sc.fixtures.get("patient"))
    writer = EvidenceWriter(folder, redactor)
    result = None
    try:
        for event in runner.run():
            if isinstance(event, RunFinished):
                result = event.result
                if opts.fuzz_examples and not result.interrupted:
                    result = _with_fuzz(result, console, target, opts, verify)
                event = RunFinished(result)
            writer.handle(event)
            console.handle(event)
    except KeyboardInterrupt:  # landed here, between two events: the run so far still counts
        result = runner.result(interrupted=True)
        console.handle(RunFinished(result))
    except TargetUnreachable as exc:
        click.echo(f"error: target unreachable: {exc}\n  = start the target, or check --target",
                   err=True)
        return EXIT_UNREACHABLE, None
    finally:
        http.close()
        if control:
            control.close()
        if pool is not None:
            pool.close()
    if result is None:
        return EXIT_USAGE, None
    return _write(result, console, folder, opts, redactor, profile), result


def _with_fuzz(result: Any, console: Any, target: str, opts: RunOptions, verify: Any) -> Any:
    """The run's result with the fuzzing scenario appended (shown as it ends)."""
    from conformance.engine import ScenarioFinished, ScenarioStarted
    from conformance.fuzz import TITLE, fuzz

    console.handle(ScenarioStarted("FUZZ", TITLE))
    fuzzed = fuzz(target, opts.fuzz_examples, opts.seed, opts.timeout, verify)
    console.handle(ScenarioFinished(fuzzed))
    return dataclasses.replace(result, scenarios=(*result.scenarios, fuzzed))


def _write(result: Any, console: Any, folder: Path, opts: RunOptions, redactor: Any,
           profile: Any) -> int:
    """Every report, then the manifest over the whole bundle (signed when asked)."""
    from conformance.reporters import to_dict, write_json, write_junit
    from conformance.reporters.html import write_html
    from conformance.reporters.markdown import render as markdown

    folder.mkdir(parents=True, exist_ok=True)
    for sc in result.scenarios:  # generated patients, known only now
        if sc.generated and sc.generated.falsifying:
            redactor.learn(sc.generated.falsifying.get("patient"))
    report = redactor.data(to_dict(result))
    write_json(report, folder / "report.json")
    write_junit(result, folder / "junit.xml", redactor.text, bundle=str(folder))
    write_html(report, folder, opts.lang)
    (folder / "summary.md").write_text(markdown(report, lang=opts.lang), encoding="utf-8")
    try:
        _manifest(result, folder, opts, profile)
    except (ValueError, OSError) as exc:
        click.echo(f"error: cannot sign the bundle: {exc}\n  = give the private key made by "
                   "'conformance keygen'", err=True)
        return EXIT_USAGE
    console.console.print(f"{console.t['reports']}: {folder}/report.html, report.json, junit.xml, "
                          f"summary.md, manifest.json{' (+ manifest.sig)' if opts.sign else ''}",
                          markup=False)
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if result.conforme else EXIT_ANOMALIES


def _manifest(result: Any, folder: Path, opts: RunOptions, profile: Any) -> None:
    from conformance import __version__
    from conformance.evidence.bundle import suite_files, suite_hash, write_manifest
    from conformance.paths import BUNDLED_SCENARIOS, fixtures_for

    roots = [Path(p) for p in opts.suite] or [BUNDLED_SCENARIOS]
    fixtures = Path(opts.fixtures) if opts.fixtures else fixtures_for(roots)
    info = {
        "harness": {"name": "epresc-conformance", "version": __version__},
        "runId": result.run_id, "profile": {"name": profile.name}, "seed": result.seed,
        "failOn": result.fail_on, "lang": opts.lang, "pseudonymised": opts.pseudonymise,
        "started": result.started, "finished": result.finished, "interrupted": result.interrupted,
        "target": {"url": result.target, "about": result.about},
        "suite": {"paths": [str(p) for p in roots], "resolved": [str(p.resolve()) for p in roots],
                  "fixtures": str(fixtures.resolve()), "hash": suite_hash(roots, fixtures),
                  "files": len(suite_files(roots, fixtures)),
                  "scenarios": [sc.id for sc in result.scenarios if sc.id != "FUZZ"]},
        "fuzz": opts.fuzz_examples,
    }
    write_manifest(folder, info, opts.sign)
