"""``inspect``: a printout, a code 2D or an identifier checked without a target, through the
same check runner as a session."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.application.session import load_profile
from conformance.application.settings import ApplicationError
from conformance.engine.results import CheckResult
from conformance.paper.reader import PaperReader
from conformance.paper.sandbox import Sandbox
from conformance.targets import untrusted
from conformance.vocabulary import IDENTIFIER_KINDS, Status, StepKind

MAX_FILE = 50_000_000


class _Judged:
    """What an inspection's results say: a failure, or checks that could not judge."""

    results: tuple[CheckResult, ...]

    @property
    def failed(self) -> bool:
        """At least one check failed."""
        return any(r.status is Status.FAIL for r in self.results)

    @property
    def unverified(self) -> tuple[CheckResult, ...]:
        """Checks that could not judge (an error, or not evaluated): the file is not proven."""
        return tuple(r for r in self.results if r.unverified)


@dataclass(frozen=True)
class PaperInspection(_Judged):
    """Every standalone paper check on one file."""

    file: str
    pages: int
    results: tuple[CheckResult, ...]



@dataclass(frozen=True)
class CdaInspection(_Judged):
    """Every standalone DMP-copy check on one CDA document; ``rules``: the ANS kit's label and
    the engine that ran its schematron (empty without ``--cda-rules``)."""

    file: str
    results: tuple[CheckResult, ...]
    rules: str = ""
    engine: str = ""



@dataclass(frozen=True)
class QrInspection:
    """The first code 2D of an image or PDF, decoded and validated (QR-02)."""

    file: str
    codes: int
    modules: int
    ec_level: str
    text: str
    payload: Any
    problems: tuple[str, ...] = ()
    info: tuple[str, ...] = field(default=())


@contextlib.contextmanager
def _sandbox(given: Sandbox | None = None) -> Iterator[Sandbox]:
    if given is not None:  # the caller's workers, already started: the caller closes them
        yield given
        return
    sandbox = Sandbox()
    try:
        yield sandbox
    finally:
        sandbox.close()


def _read(path: str) -> bytes:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE:
            raise ApplicationError(f"{path}: larger than {MAX_FILE} bytes")
        return file.read_bytes()
    except OSError as exc:
        raise ApplicationError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _pages(reader: PaperReader, data: bytes, path: str) -> list[Any]:
    from conformance.paper import PaperError

    try:
        return reader.analyse(data)
    except PaperError as exc:
        raise ApplicationError(f"{path}: {exc}\n  = give a PDF or a PNG/JPEG scan of "
                               "the printed ordonnance") from exc


def _payload_id(pages: list[Any]) -> str | None:
    for page in pages:
        for code in page.codes:
            try:
                return str(untrusted.loads(code.text)["D"]["ID"])
            except (ValueError, KeyError, TypeError):
                continue
    return None


def _checks(reader: PaperReader, names: tuple[str, ...], file: str, data: bytes, pages: list[Any],
            profile_name: str, created: dict[str, Any] | None,
            expect_id: str | None) -> tuple[CheckResult, ...]:
    """Registered paper checks on a file, as a session runs them on a ``paper`` step."""
    from conformance.checks import ScenarioState, StepData
    from conformance.engine.checking import CheckEnvironment, Everywhere, run_checks
    from conformance.targets import Exchange

    env = CheckEnvironment(load_profile(profile_name), reader=reader)
    state = ScenarioState(created=created, created_id=expect_id)
    step = StepData(StepKind.PAPER, {}, [Exchange("GET", file, None, 200, {}, data, 0.0)],
                    paper_pages=pages)
    return run_checks(tuple(Everywhere(name, file) for name in names), step, state, env)


def inspect_paper(file: str, expect_id: str | None = None, consent: bool | None = None,
                  profile: str = "public-2025", dpi: float | None = None,
                  sandbox: Sandbox | None = None) -> PaperInspection:
    """Every paper check that needs no teleservice; ``consent`` True: the patient does not object.
    ``dpi``: the resolution a scan was made at (its sizes are otherwise not measured when its
    file does not state one). ``sandbox``: workers shared across inspections (the self-test's
    specimens), else started here."""
    load_profile(profile)  # a broken profile stops here, before the file is read
    if dpi is not None and not 50 <= dpi <= 2400:
        raise ApplicationError(f"--dpi {dpi:g}: give the scan's resolution, between 50 and 2400")
    data = _read(file)
    if dpi is not None and data[:5] == b"%PDF-":
        raise ApplicationError(f"--dpi applies to a scan (PNG/JPEG): {file} is a PDF, whose pages "
                               "state their size")
    with _sandbox(sandbox) as workers:  # the file is untrusted: read in a confined worker
        reader = workers.view(None, dpi)
        pages = _pages(reader, data, file)
        created = {"consentement": {"opposition": not consent}} if consent is not None else None
        from conformance.checks import standalone

        results = _checks(reader, standalone(StepKind.PAPER), file, data, pages, profile, created,
                          expect_id or _payload_id(pages))
    return PaperInspection(file, len(pages), results)


def inspect_cda(file: str, expect_id: str | None = None, paper: str | None = None,
                cda_rules: str | None = None, profile: str = "public-2025",
                registered: dict[str, Any] | None = None,
                sandbox: Sandbox | None = None) -> CdaInspection:
    """Every DMP-copy check that needs no teleservice on a CDA document: against ``expect_id``
    (CDA-02), the printed ``paper`` (CDA-07: the same code 2D), the ANS kit of ``cda_rules``
    (CDA-09/10). ``registered`` (the self-test's specimens: what was registered, a create
    body): every DMP-copy check, those comparing with the teleservice's record included.
    ``sandbox``: workers shared across inspections (a benchmark's loop), else started here.
    ApplicationError (exit 2) when the document cannot be read at all."""
    from conformance.application.session import cda_rules as load_rules
    from conformance.checks import ScenarioState, StepData, defaults, standalone
    from conformance.engine.checking import CheckEnvironment, Everywhere, run_checks
    from conformance.paper.reader import WithCdaRules
    from conformance.targets import Exchange

    rules_profile = load_profile(profile)
    rules = load_rules(cda_rules)
    data = _read(file)
    printed = _read(paper) if paper else None
    with _sandbox(sandbox) as workers:  # the document is untrusted: read in a confined worker
        reader: PaperReader = WithCdaRules(workers, rules) if rules is not None else workers
        record = reader.cda(data)
        if not record.readable:
            raise ApplicationError(f"{file}: not a readable CDA document ({record.refused}): "
                                   f"{record.refusal}\n  = give the XML document the software "
                                   "sends to the DMP")
        params = {"printed": _pages(workers, printed, str(paper))} if printed is not None else {}
        step = StepData(StepKind.DMP, params, [Exchange("GET", file, None, 200, {}, data, 0.0)],
                        cda_record=record)
        env = CheckEnvironment(rules_profile, reader=reader)
        names = standalone(StepKind.DMP) if registered is None else defaults(StepKind.DMP)
        day = (registered or {}).get("dateOrdonnance")
        state = ScenarioState(created=registered, created_id=expect_id,
                              created_days={str(day)} if day else set())
        results = run_checks(tuple(Everywhere(name, file) for name in names), step, state, env)
    ans = record.ans
    return CdaInspection(file, results, ans.rules if ans else "", ans.engine if ans else "")


def inspect_qr(image: str, profile: str = "public-2025") -> QrInspection:
    """Decode and validate the code 2D of an image or PDF."""
    load_profile(profile)
    data = _read(image)
    with _sandbox() as reader:
        pages = _pages(reader, data, image)
        codes = [c for p in pages for c in p.codes]
        if not codes:
            raise ApplicationError(f"{image}: no decodable code 2D\n  = check the image shows the "
                                   "whole code with its margin")
        code = codes[0]
        verdict = _checks(reader, ("qr_payload",), image, data, pages, profile, None, None)[0]
    problems: list[str] = []
    if verdict.status is Status.FAIL:  # the QR-02 check itself: UTF-8, JSON, schema (every error)
        problems += [f"QR-02: {line}" for line in verdict.diff or (verdict.message,)]
    try:
        payload = untrusted.loads(code.text)
    except ValueError:
        payload = None
    info = []
    if isinstance(payload, dict):
        names = (payload.get("D") or {}).get("P") or {}
        for key in ("N", "P"):
            value = names.get(key) if isinstance(names, dict) else None
            if isinstance(value, str) and value != value.rstrip():
                info.append(f"{key} right-padded with spaces to {len(value)} characters")
    return QrInspection(image, len(codes), code.modules, code.ec_level, code.text, payload,
                        tuple(problems), tuple(info))


@dataclass(frozen=True)
class IdentifierInspection:
    """One identifier's verdict."""

    value: str
    kind: str
    guessed: bool
    valid: bool
    reason: str
    warnings: tuple[str, ...] = ()


KINDS = IDENTIFIER_KINDS


def inspect_identifier(value: str, kind: str | None = None,
                       profile: str = "public-2025") -> IdentifierInspection:
    """Validate a national identifier; ApplicationError when its kind cannot be guessed. A
    prescription id is also held to the profile's alphabet, as a warning (ID-04)."""
    from conformance.identifiers import guess_kind, validate

    chosen = kind or guess_kind(value)
    if chosen is None:
        raise ApplicationError(f"cannot tell what kind of identifier {value!r} is ({len(value)} "
                               f"characters)\n  = give --kind {'|'.join(KINDS)}")
    verdict = validate(chosen, value.strip())
    warnings: tuple[str, ...] = ()
    if chosen == "prescription-id" and verdict.valid:
        rules = load_profile(profile)
        alphabet = rules.value("id_alphabet")
        outside = sorted({c for c in verdict.value if c not in alphabet})
        if outside:
            warnings = (f"ID-04: {''.join(outside)!r} outside the profile alphabet {alphabet!r} "
                        f"({rules.source('id_alphabet')})",)
    return IdentifierInspection(verdict.value, chosen, kind is None, verdict.valid, verdict.reason,
                                warnings)
