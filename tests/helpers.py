"""Helpers shared by the tests: sessions against real loopback servers, run in-process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conformance.application import Settings, run_session
from conformance.embedded import EmbeddedWorld
from conformance.engine import RunResult
from conformance.paths import PROJECT
from conformance.scenario import Scenario
from conformance.vocabulary import Severity


def run_suite(world: EmbeddedWorld, scenarios: list[Scenario], fail_on: str = "major",
              jobs: int = 1, **settings: Any) -> RunResult:
    """A session against ``world`` with no handler (nothing written, nothing printed)."""
    base = Settings(target=world.target_url, teleservice=world.teleservice_url, handlers=(),
                    fail_on=Severity(fail_on), jobs=jobs, **settings)
    return run_session(base, scenarios).result


def failing(result: RunResult) -> set[str]:
    """Requirement ids of the failed checks."""
    return {c.requirement for _, _, c in result.checks() if c.status == "fail"}


SAMPLES = PROJECT.parent / "shared" / "samples"
ENV = {**os.environ, "NO_COLOR": "1"}


def cli(*args: str, cwd: Path = PROJECT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``conformance ARGS`` in a real subprocess (the process boundary: signals, exit codes)."""
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True,
                          text=True, env=ENV, cwd=cwd, timeout=timeout)


def only_run(folder: Path) -> Path:
    """The one run folder under ``folder``."""
    runs = list(folder.iterdir())
    assert len(runs) == 1
    return runs[0]


def example_body() -> dict[str, Any]:
    """The create example of the adapter contract (what a new user posts first)."""
    import yaml

    spec = yaml.safe_load((PROJECT / "conformance/contract/adapter.openapi.yaml").read_text("utf-8"))
    body: dict[str, Any] = spec["paths"]["/prescriptions"]["post"]["requestBody"]["content"][
        "application/json"]["example"]
    return body


IDENTIFIER_FIELDS = {"ins": "nir", "nir": "nir", "rpps": "rpps", "am": "am", "finess": "finess"}
CODE_SYSTEMS = ("cip13", "ucd13", "lpp", "nabm")


def identifiers_in(node: object, path: str = "") -> list[tuple[str, str, str]]:
    """(path, kind, value) of every identifier-looking field of a fixture or a body."""
    out: list[tuple[str, str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in IDENTIFIER_FIELDS and isinstance(value, str):
                out.append((f"{path}.{key}", IDENTIFIER_FIELDS[key], value))
            elif (key == "code" and isinstance(value, dict)
                  and str(value.get("systeme")).lower() in CODE_SYSTEMS):
                out.append((f"{path}.code", str(value["systeme"]).lower(), str(value["valeur"])))
            else:
                out += identifiers_in(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            out += identifiers_in(item, f"{path}[{i}]")
    return out


# Every form a credential takes in a target's free text: (text, the secret, what must remain).
FREE_TEXT_SECRETS = [
    ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz", "Authorization: "),
    ("authorization: basic YTpi (refused)", "YTpi", "(refused)"),  # any case, the shortest pair
    ("Proxy-Authorization: Digest username=\"u\", response=\"6629fae4\", nonce=\"n0\"", "6629fae4", ""),
    ("Authorization: Token abc123", "abc123", ""),
    ('{"Authorization": "Bearer q1w2e3"}', "q1w2e3", '{"Authorization": '),
    ("header was Bearer tok3n", "tok3n", "header was Bearer "),  # short tokens too
    ("credentials Basic dXNlcjpwYXNz in a log", "dXNlcjpwYXNz", "in a log"),
    ("retry https://alice:pa55w0rd@host/x", "pa55w0rd", "@host/x"),
    ("https://ghp_t0k3n@host/repo", "ghp_t0k3n", "@host/repo"),  # a token as the URL's user
    ("GET /x?user=a&password=hunter2&y=1", "hunter2", "&y=1"),
    ("/login?passwd=hunter3", "hunter3", "/login?passwd="),
    ("pwd=hunter4; path=/", "hunter4", "path=/"),
    ("?token=abcd&api_key=zz9", "abcd", "api_key="),
    ("?token=abcd&api_key=zz9", "zz9", "?token="),
    ("client.secret: 's e c r e t'", "s e c r e t", "client.secret: '"),
    ('{"userPassword": "two words"}', "two words", '"userPassword": "'),
    ("X-Auth-Token: t0k", "t0k", "X-Auth-Token: "),
    ("Set-Cookie: session=s3ss; HttpOnly", "s3ss", "Set-Cookie: "),
    ("id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc end", "eyJzdWIiOiIxIn0", " end"),
    ("unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "eyJzdWIiOiIxIn0", "unsigned "),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEcut", "MIIEcut", ""),  # cut short: masked still
]
