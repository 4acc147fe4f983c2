"""One session: settings in, a result and an exit code out. It owns the lifecycles (embedded
world, target, journal, analysis workers), runs the engine, and feeds its events through the
redaction stage to the handlers; then it seals the run folder with the manifest."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import ssl
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import httpx

from conformance.application.settings import ApplicationError, Settings
from conformance.application.suite import load_scenarios, suite_roots
from conformance.engine import (
    BundleWritten,
    Event,
    Phase,
    RunConfig,
    RunFinished,
    Runner,
    RunResult,
    TargetUnreachable,
)
from conformance.engine.redaction import Redactor
from conformance.engine.results import Scope
from conformance.evidence.writer import PNG_DPI
from conformance.paper import PaperReader
from conformance.paper.reader import WithCdaRules
from conformance.paper.sandbox import Sandbox
from conformance.profiles import Profile
from conformance.reporters.handlers import DEFAULT_HANDLERS, Handler, HandlerContext, Pipeline
from conformance.scenario import PackedScenarios, Scenario
from conformance.targets import HttpTarget, Limits, TeleserviceControl
from conformance.targets.teleservice import SimulatorBusy, TeleserviceUnavailable
from conformance.vocabulary import ExitCode

if TYPE_CHECKING:
    from conformance.cda.kit import RuleSet


@dataclass(frozen=True)
class SessionOutcome:
    """What a session produced: the (unredacted) result, where its reports are, the exit code."""

    result: RunResult
    folder: Path
    exit_code: ExitCode


@dataclass(frozen=True)
class Endpoints:
    """The adapter API and the teleservice simulator a session talks to."""

    target: str
    teleservice: str | None


@contextlib.contextmanager
def endpoints(settings: Settings) -> Iterator[Endpoints]:
    """The user's target, or the embedded reference and simulator for the session's length."""
    if settings.target is not None:
        yield Endpoints(settings.target, settings.teleservice)
        return
    from conformance.embedded import EmbeddedWorld
    from conformance.reference.faults import check_names

    try:
        check_names(list(settings.faults))
    except ValueError as exc:
        raise ApplicationError(str(exc)) from exc
    with EmbeddedWorld(settings.faults) as world:
        yield Endpoints(world.target_url, world.teleservice_url)


def cda_rules(folder: str | None) -> RuleSet | None:
    """The ANS kit of ``--cda-rules`` (None without it); ApplicationError (exit 2) when the
    folder is not one."""
    if folder is None:
        return None
    from conformance.cda.kit import KitError, load_kit

    try:
        return load_kit(folder)
    except KitError as exc:
        raise ApplicationError(f"{exc}\n  = give a checkout of ansforge/TestContenuCDA-3-0 "
                               "(git clone https://github.com/ansforge/TestContenuCDA-3-0)") from exc


def load_profile(name: str) -> Profile:
    """The named or file profile; ApplicationError (exit 2) when it cannot be used."""
    from conformance.profiles import ProfileError
    from conformance.profiles import load_profile as load

    try:
        return load(name)
    except ProfileError as exc:
        raise ApplicationError(str(exc)) from exc


def tls_verify(settings: Settings) -> bool | ssl.SSLContext:
    """True (system CAs) or an SSLContext with the user's CA and client certificate."""
    from conformance.targets.http import tls_context

    tls = settings.tls
    if not tls.ca and not tls.cert:
        return True
    try:
        return tls_context(tls.ca, (tls.cert, tls.key) if tls.cert and tls.key else None)
    except (ssl.SSLError, OSError) as exc:
        raise ApplicationError(f"cannot load the TLS files: {exc}\n  = give PEM files: --ca bundle, "
                               "--cert certificate, --key its private key") from exc


def run_session(settings: Settings, scenarios: Sequence[Scenario] | None = None, *,
                stream: TextIO | None = None, handlers: Sequence[Handler] = (),
                transport: httpx.BaseTransport | None = None,
                sandbox: Sandbox | None = None) -> SessionOutcome:
    """Run a session; ApplicationError for what stops it before a result (usage, unreachable).
    ``transport``: the httpx seam to the target (in-process tests), the network otherwise.
    ``sandbox``: paper workers shared with other sessions (the self-test's); by default the
    session starts its own and stops them at its end."""
    profile = load_profile(settings.profile)
    rules = cda_rules(settings.cda_rules)  # a folder that is not a kit stops here
    if scenarios is None:
        scenarios = load_scenarios(settings.selection) if settings.scenarios else []
    if not scenarios and not settings.fuzz_examples:
        raise ApplicationError("no scenario selected (check PATHS, -k and --tag)")
    verify = tls_verify(settings)
    with _terminate_as_interrupt(), endpoints(settings) as ends:
        return _run(settings, scenarios, profile, ends,
                    _Wiring(verify, transport, stream, handlers, sandbox, rules))


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the session like Ctrl-C: a partial report, exit 130."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class _Wiring:
    """How the session reaches the target and the outside world (not settings: not picklable)."""

    verify: bool | ssl.SSLContext
    transport: httpx.BaseTransport | None
    stream: TextIO | None
    handlers: Sequence[Handler]
    sandbox: Sandbox | None = None
    rules: RuleSet | None = None  # the ANS kit of --cda-rules


def _run(settings: Settings, scenarios: Sequence[Scenario], profile: Profile, ends: Endpoints,
         wiring: _Wiring) -> SessionOutcome:
    from conformance.engine.runner import isolated

    verify = wiring.verify
    http = HttpTarget(ends.target, Limits(timeout=settings.timeout), transport=wiring.transport,
                      verify=verify, headers=settings.headers)
    control = TeleserviceControl(ends.teleservice, settings.timeout) if ends.teleservice else None
    evidence = settings.evidence and _wants_evidence(settings)
    # every paper is read in confined workers, started with the first paper, stopped with the run
    owned = wiring.sandbox is None
    sandbox = wiring.sandbox or Sandbox(min(settings.jobs, os.cpu_count() or 1)
                                        if any(not isolated(sc) for sc in scenarios) else 1)
    reader: PaperReader = sandbox.view(PNG_DPI if evidence else None)
    if wiring.rules is not None:  # the DMP copies are also held to the ANS kit's rules
        reader = WithCdaRules(reader, wiring.rules)
    with contextlib.ExitStack() as stack:
        stack.callback(http.close)
        if owned:
            stack.callback(sandbox.close)
        if control is not None:
            stack.callback(control.close)
        config = RunConfig(target=http, control=control, profile=profile, fail_on=settings.fail_on,
                           seed=settings.seed, exit_first=settings.exit_first, shrink=settings.shrink,
                           evidence=evidence, jobs=settings.jobs, reader=reader,
                           phases=_phases(settings, ends),
                           accepted=settings.accept_unverified,
                           cancel=lambda: _cancel(http, control, sandbox if owned else None))
        runner = Runner(config, scenarios)
        marker = _provenance(settings, baseline_marker(settings), scenarios)
        if control is not None:
            _hold(control, runner.run_id, ends)
        folder = settings.report_dir / runner.run_id
        pipeline = _pipeline(settings, scenarios, folder, wiring.stream, wiring.handlers, profile)
        result, shown = _drive(runner, pipeline, ends, marker)
    code = result.verdict.exit_code
    if settings.handlers is None or settings.handlers:
        try:
            files = _seal(settings, shown, folder, profile)  # the manifest says only what is shown
        except ApplicationError as exc:
            if not pipeline.failures:
                raise  # the bundle alone failed: its own message (a signing key, say)
            pipeline.failures.append(f"manifest: {exc.message.splitlines()[0]}")
        else:
            pipeline.handle(BundleWritten(folder, files, signed=settings.sign is not None))
        if pipeline.failures:
            raise ApplicationError(
                f"the run ended ({result.verdict}) but not every report could be written: "
                + "; ".join(pipeline.failures)
                + f"\n  = check that {folder} can be written (space, permissions) and that the "
                  "output is read to its end")
    return SessionOutcome(result, folder, code)


SUITE_DIR = "suite"


def _pack_suite(settings: Settings, folder: Path, roots: list[Path], fixtures: Path,
                profile: Profile) -> dict[str, Any]:
    """The scenario, fixture and profile files the run used, copied into the bundle under
    ``suite/`` with their relative layout (so their hash is the suite hash): a replay on
    another machine needs nothing else. A pseudonymised bundle carries no fixture identity,
    hence no suite: it records where the suite was instead."""
    from conformance.evidence.bundle import common_base, suite_files

    files = suite_files(roots, fixtures)
    if settings.redaction.pseudonymise or not files:
        return {"bundled": False, "paths": [str(p.resolve()) for p in roots],
                "fixtures": str(fixtures.resolve())}
    base = common_base(files)
    target = folder / SUITE_DIR
    try:
        for path in files:
            destination = target / path.relative_to(base)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
        (target / "profile.yaml").write_text(profile.text, encoding="utf-8")
    except OSError as exc:
        raise ApplicationError(f"cannot copy the suite into the bundle: {exc.strerror or exc}") from exc
    return {"bundled": True,
            "paths": [f"{SUITE_DIR}/{p.resolve().relative_to(base).as_posix()}" for p in roots],
            "fixtures": f"{SUITE_DIR}/{fixtures.resolve().relative_to(base).as_posix()}",
            "profile": f"{SUITE_DIR}/profile.yaml"}


def _wants_evidence(settings: Settings) -> bool:
    return settings.handlers is None or "evidence" in settings.handlers


def _phases(settings: Settings, ends: Endpoints) -> tuple[Phase, ...]:
    if not settings.fuzz_examples:
        return ()
    from conformance.fuzz import TITLE, Tls, fuzz

    tls = Tls(settings.tls.ca, (settings.tls.cert, settings.tls.key)
              if settings.tls.cert and settings.tls.key else None)
    return (Phase("FUZZ", TITLE, lambda: fuzz(ends.target, settings.fuzz_examples, settings.seed,
                                               settings.timeout, tls, settings.headers)),)


def _pipeline(settings: Settings, scenarios: Sequence[Scenario], folder: Path, stream: TextIO | None,
              extra: Sequence[Handler], profile: Profile | None = None) -> Pipeline:
    redaction = settings.redaction
    secrets = tuple(value for _, value in settings.headers if value)
    redactor = Redactor(redaction.patterns, redaction.pseudonymise, literals=secrets)
    if redaction.pseudonymise:  # learning is pseudonymising's only (each scenario unpacked)
        for sc in scenarios:
            redactor.learn(sc.fixtures.get("patient"))
    names = DEFAULT_HANDLERS if settings.handlers is None else settings.handlers
    zone = profile.value("qr_zone") if profile is not None and "qr_zone" in profile.rules else None
    ctx = HandlerContext(folder, settings.lang, settings.verbose, stream,
                         (float(zone["max_x_fraction"]), float(zone["min_y_fraction"])) if zone else None,
                         evidence=settings.evidence and _wants_evidence(settings))
    return Pipeline(redactor, names, ctx, extra)


def _hold(control: TeleserviceControl, run_id: str, ends: Endpoints) -> None:
    """This run alone on the simulator: its journal and faults are the whole simulator's."""
    try:
        control.acquire(run_id)
    except SimulatorBusy as exc:
        raise ApplicationError(
            f"the teleservice simulator {ends.teleservice} is busy: {exc}\n  = two runs on one "
            "simulator would read each other's journal and suffer each other's faults: run one "
            "after the other, or give each run its own simulator (conformance serve simulator "
            "--port …, then --teleservice)", ExitCode.UNREACHABLE) from exc
    except TeleserviceUnavailable:
        pass  # the journal checks will say it, located, as environment errors


def _cancel(http: HttpTarget, control: TeleserviceControl | None, sandbox: Sandbox | None) -> None:
    """Interrupted: what is in flight ends now (requests, journal reads, paper reads)."""
    http.cancel()
    if control is not None:
        control.close(release_timeout=0.5)
    if sandbox is not None:
        sandbox.close()


def _provenance(settings: Settings, then: Callable[[Event], Event],
                scenarios: Sequence[Scenario]) -> Callable[[Event], Event]:
    """``then``, and the run's result told what it ran (suite hash, a partial selection of it,
    faults it cannot find) and who will sign it."""
    from conformance.evidence.bundle import signer_fingerprint, suite_hash
    from conformance.reference.faults import FUZZ_ONLY

    roots, fixtures = suite_roots(settings.selection)
    digest = suite_hash(roots, fixtures) if settings.scenarios else ""
    signer = ""
    if settings.sign:
        try:
            signer = signer_fingerprint(Path(settings.sign))
        except (OSError, ValueError) as exc:
            raise ApplicationError(f"cannot sign the bundle: {exc}\n  = give the private key made by "
                                   "'conformance keygen'") from exc

    selected = len(scenarios)
    total, how = _suite_size(settings, scenarios)
    unfuzzed = tuple(sorted(set(settings.faults) & FUZZ_ONLY)) if not settings.fuzz_examples else ()

    def mark(event: Event) -> Event:
        event = then(event)
        if isinstance(event, RunFinished):
            ran = len(event.result.scenarios)  # the journal's reconciliation counted as the console does
            scope = Scope(filter=how, scenarios=ran, total=total + ran - selected) if how else None
            return RunFinished(dataclasses.replace(event.result, suite_hash=digest, signer=signer,
                                                   partial=scope, fuzz_only_faults=unfuzzed))
        return event

    return mark


def _suite_size(settings: Settings, scenarios: Sequence[Scenario]) -> tuple[int, str]:
    """The whole suite's size and how the run's selection was made ("" when it is the whole):
    counted while selecting, or the suite loaded again for scenarios handed in."""
    sel = settings.selection
    selected = len(scenarios)
    if not settings.scenarios or not (sel.keywords or sel.tags or sel.only or sel.shard):
        return selected, ""
    whole = scenarios.whole if isinstance(scenarios, PackedScenarios) else None
    total = whole if whole is not None else len(load_scenarios(sel, select=False))
    if total <= selected:  # a replay of every scenario, a filter that kept them all
        return selected, ""
    how = [*(f"-k {k}" for k in sel.keywords), *(f"--tag {t}" for t in sel.tags)]
    if sel.shard:
        how.append(f"--shard {sel.shard[0]}/{sel.shard[1]}")
    if sel.only:
        how.append(", ".join(sel.only[:3]) + ("…" if len(sel.only) > 3 else ""))
    return total, " ".join(how)


def baseline_marker(settings: Settings) -> Callable[[Event], Event]:
    """Marks the known anomalies of ``--baseline`` in every event (identity without one)."""
    if settings.baseline is None:
        return lambda event: event
    from conformance.application.baseline import load

    return load(settings.baseline).mark


def _drive(runner: Runner, pipeline: Pipeline, ends: Endpoints,
           marker: Callable[[Event], Event]) -> tuple[RunResult, RunResult]:
    """Consume the engine's events: the result, and the result as the handlers saw it
    (redacted, localised). A Ctrl-C between two events still ends with a result."""
    result: RunResult | None = None
    shown: RunResult | None = None
    events: Generator[Event, None, None] = runner.run()
    try:
        for raw in events:
            event = marker(raw)  # known anomalies marked before anything reports or counts them
            seen = pipeline.handle(event)
            if isinstance(event, RunFinished) and isinstance(seen, RunFinished):
                result, shown = event.result, seen.result
    except KeyboardInterrupt:  # between two events: stop what runs, then report what finished
        if runner.config.cancel is not None:
            runner.config.cancel()
        events.close()
        finished = marker(RunFinished(runner.result(interrupted=True)))
        assert isinstance(finished, RunFinished)
        result = finished.result
        seen = pipeline.handle(finished)
        shown = seen.result if isinstance(seen, RunFinished) else result
    except TargetUnreachable as exc:
        raise ApplicationError(f"target unreachable: {exc}\n  = start the target, or check --target",
                               ExitCode.UNREACHABLE) from exc
    assert result is not None and shown is not None  # the engine always ends with RunFinished
    return result, shown


def _seal(settings: Settings, result: RunResult, folder: Path, profile: Profile) -> int:
    """The manifest over every file of the run folder (signed when asked); how many files."""
    from conformance import __version__
    from conformance.evidence.bundle import suite_files, suite_hash
    from conformance.evidence.manifest import RunManifest, SuiteRecord, TargetRecord
    from conformance.requirements import catalogue

    roots, fixtures = suite_roots(settings.selection)
    packed = _pack_suite(settings, folder, roots, fixtures, profile)
    manifest_record = RunManifest(
        harness_version=__version__, requirements_version=catalogue().version,
        run_id=result.run_id, profile=profile.name, seed=result.seed,
        fail_on=str(result.fail_on), lang=str(settings.lang),
        pseudonymised=settings.redaction.pseudonymise,
        started=result.started, finished=result.finished, interrupted=result.interrupted,
        verdict=str(result.verdict), accepted_unverified=tuple(settings.accept_unverified),
        target=TargetRecord(url=result.target, about=result.about, embedded=settings.target is None,
                            faults=tuple(settings.faults),
                            teleservice=Redactor().text(settings.teleservice) if settings.teleservice
                            else None),
        suite=SuiteRecord(hash=result.suite_hash or suite_hash(roots, fixtures),
                          files=len(suite_files(roots, fixtures)),
                          scenarios=tuple(sc.id for sc in result.scenarios if sc.id != "FUZZ"),
                          bundled=bool(packed["bundled"]), paths=tuple(packed["paths"]),
                          fixtures=str(packed["fixtures"]), profile=packed.get("profile")),
        fuzz=settings.fuzz_examples,
        shard=None if settings.selection.shard is None else "{}/{}".format(*settings.selection.shard))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ApplicationError(f"cannot write the manifest: {exc.strerror or exc}") from exc
    try:
        return manifest_record.write(folder, Path(settings.sign) if settings.sign else None)
    except FileNotFoundError as exc:
        raise ApplicationError(f"cannot write the manifest: {exc.strerror}") from exc
    except (ValueError, OSError) as exc:
        raise ApplicationError(f"cannot sign the bundle: {exc}\n  = give the private key made by "
                               "'conformance keygen'") from exc
