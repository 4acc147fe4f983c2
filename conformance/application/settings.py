"""Settings: everything a session needs, built once from options and environment, frozen and
picklable (worker processes receive it whole)."""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conformance.vocabulary import ExitCode, Lang, Severity

HEADERS_ENV = "CONFORMANCE_HEADERS"  # extra request headers, one 'Name: value' per line


class ApplicationError(Exception):
    """A user-facing failure with its exit code: the CLI prints the message and exits."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True, kw_only=True)
class TlsSettings:
    """How to reach an HTTPS target: a CA bundle, a client certificate and its key."""

    ca: str | None = None
    cert: str | None = None
    key: str | None = None


@dataclass(frozen=True, kw_only=True)
class Selection:
    """Which scenarios: files and folders, fixtures, ``-k``, ``--tag``, exact ids."""

    paths: tuple[str, ...] = ()
    fixtures: str | None = None
    keywords: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None  # (K, N): the K-th of N disjoint, stable slices
    durations: str | None = None  # a previous report.json: slices balanced by its durations


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``K/N`` (1 ≤ K ≤ N) → (K, N); ApplicationError otherwise."""
    if not text:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ApplicationError(f"--shard {text!r}: give K/N with 1 ≤ K ≤ N (GitLab: "
                               "$CI_NODE_INDEX/$CI_NODE_TOTAL)")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True, kw_only=True)
class Redaction:
    """What the redaction stage masks besides secrets."""

    patterns: tuple[str, ...] = ()
    pseudonymise: bool = False


@dataclass(frozen=True, kw_only=True)
class Settings:
    """One session's settings (run, fuzz, replay, self-test runs, tests, benchmarks)."""

    selection: Selection = field(default_factory=Selection)
    scenarios: bool = True  # False: no scenario (``conformance fuzz``)
    target: str | None = None  # None: the embedded reference and simulator
    teleservice: str | None = None
    faults: tuple[str, ...] = ()  # embedded reference only
    tls: TlsSettings = field(default_factory=TlsSettings)
    headers: tuple[tuple[str, str], ...] = ()  # sent to the target on every request, always masked
    timeout: float = 10.0
    profile: str = "public-2025"
    seed: int = 0
    fail_on: Severity = Severity.MAJOR
    accept_unverified: tuple[str, ...] = ()  # requirement ids, or "all" (written in every report)
    baseline: str | None = None  # known anomalies (YAML), each with reason and expiry
    jobs: int = 1
    exit_first: bool = False
    shrink: bool = True  # shrink failures of generated scenarios
    fuzz_examples: int = 0  # > 0: fuzz the adapter API after the scenarios
    report_dir: Path = Path("reports")
    handlers: tuple[str, ...] | None = None  # None: every registered handler
    evidence: bool = True
    redaction: Redaction = field(default_factory=Redaction)
    sign: str | None = None  # Ed25519 private key signing the manifest
    lang: Lang = Lang.FR
    verbose: bool = False
    cda_rules: str | None = None  # a checkout of the ANS kit: CDA-09/10 run (else not applicable)

    def __post_init__(self) -> None:
        check_url(self.target, "--target")
        check_url(self.teleservice, "--teleservice")
        if self.target and self.faults:
            raise ApplicationError("--fault applies to the embedded reference only; start "
                                   "'conformance serve reference --fault …' and point --target at it")
        if bool(self.tls.cert) != bool(self.tls.key):
            raise ApplicationError("--cert and --key go together (mutual TLS)")
        if self.jobs < 1:
            raise ApplicationError(f"--jobs {self.jobs}: give 1 or more")
        if self.timeout <= 0:
            raise ApplicationError(f"--timeout {self.timeout}: give a positive number of seconds")
        for pattern in self.redaction.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ApplicationError(f"--redact {pattern!r}: not a regular expression ({exc})") from exc


def check_url(value: str | None, option: str) -> None:
    """An http(s) URL with a host, or a usage error saying how to write it (``localhost:8080``
    has no scheme: httpx would call it an unsupported protocol, as if the target were down)."""
    if value is None:
        return
    parts = urllib.parse.urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname:
        return
    shown = re.sub(r"//[^/@]*@", "//…@", value)  # never echo credentials
    bare = shown.split("://", 1)[-1] or "127.0.0.1:8080"
    raise ApplicationError(f"{option} {shown!r}: not an http(s) URL\n  = write the scheme: "
                           f"{option} http://{bare} (or https://)")


def parse_headers(values: tuple[str, ...], environ: Mapping[str, str] | None = None,
                  ) -> tuple[tuple[str, str], ...]:
    """``Name: value`` pairs from ``--header`` and the environment (one per line)."""
    env = os.environ if environ is None else environ
    lines = [*env.get(HEADERS_ENV, "").splitlines(), *values]
    out = []
    for line in (ln for ln in lines if ln.strip()):
        name, sep, value = line.partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", name.strip()):
            raise ApplicationError(f"header {name.strip()[:40]!r}: give 'Name: value'")
        out.append((name.strip(), value.strip()))
    return tuple(out)


def default_jobs() -> int:
    """Concurrent scenarios when ``--jobs`` is not given."""
    return max(1, os.cpu_count() or 1)


def parse_accepted(value: str) -> tuple[str, ...]:
    """``--accept-unverified RT-01,RT-06`` or ``all``: requirement ids, checked for shape."""
    items = tuple(sorted({v.strip() for v in value.split(",") if v.strip()}))
    for item in items:
        if item != "all" and not re.fullmatch(r"[A-Z]{2,4}-\d{2}", item):
            raise ApplicationError(f"--accept-unverified {item!r}: give requirement ids such as "
                                   "RT-06 (comma-separated), or 'all'")
    return items
