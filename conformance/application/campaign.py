"""``conformance campaign``: the real prescribing software, operated by a person, judged on what it
prints. Every command opens the campaign from its journal and appends to it; nothing else is kept."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.application.settings import ApplicationError
from conformance.vocabulary import ExitCode, Verdict

Echo = Callable[[str], None]
PROFILE = "public-2025"
RESCAN_SECONDS = 2.0  # a full rescan at least this often: events are only hints (network shares)
RESCAN_TICK_MS = 250  # how often a file still settling is looked at again
PICTURE_DPI = 72  # the page's pictures of judged files


def _errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A campaign's or a plan's error as the application's (message, exit 2)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from conformance.campaign.folder import CampaignError
        from conformance.scenario.errors import ScenarioError

        try:
            return fn(*args, **kwargs)
        except CampaignError as exc:
            raise ApplicationError(str(exc)) from exc
        except ScenarioError as exc:
            raise ApplicationError(exc.render()) from exc
        except OSError as exc:
            raise ApplicationError(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}") from exc

    return wrapper


@dataclass(frozen=True)
class Started:
    """A new campaign: its folder, and the first step's text."""

    folder: Path
    steps: int
    first: str


@_errors
def start(plan: str | None, folder: str, prescriber: str, tester: str | None = None,
          seed: int | None = None, cda_rules: str | None = None) -> Started:
    """Create the campaign folder and journal its start (``cda_rules``: the ANS kit the DMP
    copies are held to, its folder and its rules' hash journaled)."""
    from conformance.application.session import cda_rules as load_rules
    from conformance.campaign.folder import create
    from conformance.campaign.plan import plan_path

    path = plan_path(plan)
    if not path.is_file():
        raise ApplicationError(f"no campaign plan {plan!r}\n  = give a plan file, or omit it for the "
                               "bundled one (cnda-prescripteur)")
    kit = load_rules(cda_rules)  # a folder that is not a kit stops here, before DIR is made
    recorded = None if kit is None else {"folder": str(Path(kit.folder).resolve()), "sha256": kit.digest,
                                         "schemaSha256": kit.schema_digest, "label": kit.label}
    state, _ = create(Path(folder), path, Path(prescriber), tester or _user(), seed, recorded)
    current = state.current
    return Started(Path(folder), len(state.steps), current.text if current else "")


def _user() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or "testeur"


def _open(folder: str, accept_change: bool = False, tester: str | None = None,
          writing: bool = True) -> Any:
    """Open a campaign; a closed one refuses writing commands, a changed plan or harness refuses
    unless accepted (and the acceptance is journaled)."""
    from conformance.campaign import journal
    from conformance.campaign.folder import current, open_checked

    opened = open_checked(Path(folder))
    if writing and opened.state.closed is not None:
        raise ApplicationError(f"{folder}: the campaign is closed: only 'status' and 'verify' "
                               "work on it now", ExitCode.USAGE)
    if writing and opened.changed:
        if not accept_change:
            raise ApplicationError(f"{folder}: " + "; ".join(opened.changed) + "\n  = restore it, or "
                                   "pass --accept-change (the change is written in the journal)")
        journal.append(Path(folder), tester or opened.tester, "accepted-change",
                       note="; ".join(opened.changed), now=current(Path(folder)))
        opened = open_checked(Path(folder))
    return opened


@_errors
def status(folder: str) -> dict[str, Any]:
    """The campaign as DESIGN §15's ``status --json`` schema says, rebuilt from the journal."""
    from conformance.campaign.report import status_document

    opened = _open(folder, writing=False)
    return status_document(opened.state)


@contextlib.contextmanager
def _reader() -> Iterator[Any]:
    from conformance.paper.sandbox import Sandbox

    sandbox = Sandbox()
    try:
        yield sandbox
    finally:
        sandbox.close()


def _processor(folder: str, tester: str, reader: Any, echo: Echo, settle: float) -> Any:
    from conformance.application.session import load_profile
    from conformance.campaign.drop import Processor

    return Processor(Path(folder), tester, reader, load_profile(PROFILE), echo, settle,
                     _kit(folder, tester))


def _kit(folder: str, tester: str) -> Any:
    """The ANS kit given at start (None without one): the same rules, or refused (exit 2)."""
    from conformance.application.session import cda_rules as load_rules
    from conformance.campaign.folder import open_checked

    recorded = open_checked(Path(folder)).state.started.get("cdaRules")
    if not isinstance(recorded, dict):
        return None
    kit = load_rules(str(recorded.get("folder")))
    if kit is None or (kit.digest, kit.schema_digest) != (recorded.get("sha256"),
                                                          recorded.get("schemaSha256")):
        raise ApplicationError(f"{folder}: the ANS kit in {recorded.get('folder')} changed since the "
                               f"start (rules sha256 {str(recorded.get('sha256'))[:12]} then)\n  = restore "
                               "that checkout: a campaign's DMP copies are all held to the same rules")
    return kit


@_errors
def watch(folder: str, echo: Echo, once: bool = False, settle: float = 2.0,
          accept_change: bool = False, tester: str | None = None,
          stop: threading.Event | None = None, patience: float = 60.0,
          serve: int | None = None, lang: str = "fr", on_serving: Callable[[str], None] | None = None) -> int:
    """Judge what lands in ``depot/``: watchfiles events are hints, a rescan every 2 s finds what
    they miss, and a file still settling is looked at again as soon as it may be complete. ``once``:
    take what is there (waiting up to ``patience`` s for it to complete), then return. ``serve``: also
    serve the tester's page on 127.0.0.1 at that port (0: a free one; its URL goes to ``on_serving``,
    and the page stays up, read only, once the campaign is closed, until ``stop``). The number of
    files still waiting."""
    opened = _open(folder, accept_change, tester)
    stop = stop or threading.Event()
    who = tester or opened.tester
    with _reader() as reader, _serving(folder, reader, who, serve, lang, echo, on_serving):
        left = _watch_loop(folder, _processor(folder, who, reader, echo, settle), echo, once, stop,
                           patience, serving=serve is not None)
        if serve is not None and not once and _closed(folder):
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the read-only page
                while not stop.wait(0.5):  # the closed campaign's page stays up until interrupted
                    pass
        return left


@contextlib.contextmanager
def _serving(folder: str, reader: Any, tester: str, port: int | None, lang: str, echo: Echo,
             on_serving: Callable[[str], None] | None) -> Iterator[None]:
    """The tester's page on loopback while watch runs (nothing when ``port`` is None)."""
    if port is None:
        yield
        return
    from conformance.campaign.web import create_app
    from conformance.serving import BackgroundServer

    app = create_app(Path(folder), reader.view(PICTURE_DPI), web_actions(folder, tester), lang)
    try:
        server = BackgroundServer(app, "127.0.0.1", port).start()
    except OSError as exc:
        raise ApplicationError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    echo(f"tester's page: {server.url}/ (this computer only; Ctrl-C stops)")
    if on_serving is not None:
        on_serving(server.url)
    try:
        yield
    finally:
        server.stop()


def web_actions(folder: str, tester: str) -> Any:
    """The page's confirm and skip: the CLI's own, a refusal shown on the page."""
    from conformance.campaign.web import Actions, Refused

    def refusing(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            try:
                return fn(folder, *args, tester=tester)
            except ApplicationError as exc:
                raise Refused(exc.message) from exc
        return call

    return Actions(confirm=refusing(confirm), skip=refusing(skip))


def _watch_loop(folder: str, processor: Any, echo: Echo, once: bool, stop: threading.Event,
                patience: float, serving: bool) -> int:
    import time

    import watchfiles

    from conformance.campaign.folder import DEPOT

    waiting = processor.scan()
    last = time.monotonic()
    deadline = last + patience
    if once and not waiting:
        return 0
    for changes in watchfiles.watch(Path(folder) / DEPOT, rust_timeout=RESCAN_TICK_MS,
                                    yield_on_timeout=True, stop_event=stop, raise_interrupt=False):
        now = time.monotonic()
        if not changes and not waiting and now - last < RESCAN_SECONDS:
            continue
        waiting = processor.scan()
        last = now
        if _closed(folder):
            echo("the campaign was closed: watch stops"
                 + (" (the page stays up, read only)" if serving else ""))
            return len(waiting)
        if once and (not waiting or now > deadline):
            break
    for item in waiting:
        echo(f"{item.path.name}: not taken yet ({item.reason})")
    return len(waiting)


def _closed(folder: str) -> bool:
    from conformance.campaign.folder import open_checked

    return open_checked(Path(folder)).state.closed is not None


@_errors
def attach(folder: str, step: str, file: str, echo: Echo, tester: str | None = None,
           accept_change: bool = False) -> str:
    """Give ``file`` (a path, or the SHA-256 of an unattributed artefact) to ``step``: it replaces
    the step's file, both stay in the journal; judged now."""
    from conformance.campaign.drop import MAX_FILE

    opened = _open(folder, accept_change, tester)
    if opened.state.plan.step(step) is None:
        raise ApplicationError(_unknown_step(opened, step))
    if opened.state.plan.step(step).kind == "confirm":
        raise ApplicationError(f"step {step} is a confirm step: answer it with 'campaign confirm'")
    unattributed = opened.state.unattributed
    matches = [sha for sha in unattributed if len(file) >= 8 and sha.startswith(file.lower())]
    if not Path(file).is_file() and len(matches) == 1:
        data = (Path(folder) / str(opened.state.unattributed[matches[0]]["path"])).read_bytes()
        name = str(opened.state.unattributed[matches[0]].get("name"))
    else:
        path = Path(file)
        if not path.is_file() or path.stat().st_size > MAX_FILE:
            raise ApplicationError(f"{file}: not a readable file (nor an unattributed file's SHA-256)")
        data, name = path.read_bytes(), path.name
    with _reader() as reader:
        processor = _processor(folder, tester or opened.tester, reader, echo, 0.0)
        processor.ingest(opened, data, name, step_id=step)
    return step


def _unknown_step(opened: Any, step: str) -> str:
    from conformance.scenario.errors import did_you_mean

    return f"no step {step!r} in the plan\n  = {did_you_mean(step, opened.state.steps)}"


@_errors
def confirm(folder: str, step: str, yes: bool, note: str | None, tester: str | None = None,
            accept_change: bool = False) -> str:
    """Record the tester's answer to a confirm step, bound to the question's text (its SHA-256)."""
    from conformance.campaign import journal
    from conformance.campaign.folder import digest

    opened = _open(folder, accept_change, tester)
    found = opened.state.steps.get(step)
    if found is None:
        raise ApplicationError(_unknown_step(opened, step))
    if found.step.kind != "confirm":
        raise ApplicationError(f"step {step} is a {found.step.kind} step, not a confirm step")
    if found.answer is not None:
        raise ApplicationError(f"step {step} was already answered ({found.answer['value']}, "
                               f"{found.answer['at']})")
    journal.append(Path(folder), tester or opened.tester, "confirmed", step, answer="yes" if yes else "no",
                   shownSha256=digest(found.text.encode()), note=note)
    return str(found.step.question)


@_errors
def skip(folder: str, step: str, reason: str, tester: str | None = None, accept_change: bool = False) -> None:
    """Skip a step, with its reason (the campaign is then incomplet)."""
    from conformance.campaign import journal

    opened = _open(folder, accept_change, tester)
    found = opened.state.steps.get(step)
    if found is None:
        raise ApplicationError(_unknown_step(opened, step))
    if opened.state.state_of(found) in ("judged", "confirmed", "skipped"):
        raise ApplicationError(f"step {step} is already {opened.state.state_of(found)}")
    journal.append(Path(folder), tester or opened.tester, "skipped", step, note=reason)


@dataclass(frozen=True)
class Closed:
    """A closed campaign: verdict, why, and the exit code."""

    verdict: Verdict
    reasons: tuple[str, ...]
    folder: Path
    notices: tuple[str, ...] = ()  # checks not applicable by the set-up (no ANS kit): said beside it
    lang: str = "fr"

    def lines(self) -> list[str]:
        """What ``close`` prints, in the reports' language: the verdict, why, where the reports are."""
        from conformance.campaign.report import L, label

        verdict = L[str(self.verdict)](self.lang) if str(self.verdict) in L else str(self.verdict)
        return ([label("verdict_line", self.lang, verdict=verdict) + "".join(f" — {n}" for n in self.notices)]
                + [f"  {reason}" for reason in self.reasons]
                + [label("reports_line", self.lang, folder=self.folder)])

    @property
    def exit_code(self) -> ExitCode:
        """0 conforme, 1 non conforme, 4 incomplet."""
        return {Verdict.CONFORME: ExitCode.OK, Verdict.NON_CONFORME: ExitCode.ANOMALIES}.get(
            self.verdict, ExitCode.INCOMPLETE)


@_errors
def close(folder: str, sign: str | None = None, tester: str | None = None,
          accept_change: bool = False, lang: str = "fr") -> Closed:
    """Journal the verdict, write the reports in ``lang`` and the manifest (signed with ``sign``)."""
    from conformance.campaign import journal
    from conformance.campaign.folder import open_checked
    from conformance.campaign.report import write_reports
    from conformance.campaign.state import notices, verdict

    if sign is not None:
        from conformance.evidence.bundle import signer_fingerprint

        try:
            signer_fingerprint(Path(sign))  # a bad key stops here, before the journal says closed
        except (OSError, ValueError, TypeError) as exc:
            raise ApplicationError(f"{sign}: not a usable Ed25519 private key ({exc})\n  = make one "
                                   "with 'conformance keygen DIR'") from exc
    opened = _open(folder, accept_change, tester)
    found, reasons = verdict(opened.state, lang)
    journal.append(Path(folder), tester or opened.tester, "closed", verdict=str(found))
    closed = open_checked(Path(folder))
    try:
        write_reports(closed.state, Path(folder), Path(sign) if sign else None, lang)
    except ValueError as exc:
        raise ApplicationError(f"{sign}: {exc}") from exc
    return Closed(found, tuple(reasons), Path(folder), tuple(notices(closed.state, lang)), lang)
