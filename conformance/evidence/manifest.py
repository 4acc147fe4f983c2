"""A run's manifest as a typed record: written (with the files' hashes) and read back here only.

``manifest.json`` is what an auditor re-runs a campaign from (``replay``) and what ``merge``
checks shards against; its keys are camelCase JSON, its record here is typed, and a manifest
that lacks what a replay needs is refused with what is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.evidence.bundle import MANIFEST, write_manifest


class ManifestError(ValueError):
    """The folder's manifest is missing, not JSON, or lacks what is needed."""


@dataclass(frozen=True, kw_only=True)
class SuiteRecord:
    """The suite a run used: its hash, where its files are (inside the bundle when bundled)."""

    hash: str
    files: int = 0
    scenarios: tuple[str, ...] = ()
    bundled: bool = False
    paths: tuple[str, ...] = ()
    fixtures: str = ""
    profile: str | None = None  # the bundled profile's path, when bundled


@dataclass(frozen=True, kw_only=True)
class TargetRecord:
    """What the run was against: the software's URL and /about, the embedded reference's faults."""

    url: str | None = None
    about: dict[str, Any] | None = None
    embedded: bool = True
    faults: tuple[str, ...] | None = None  # None: recorded before faults were (see /about)
    teleservice: str | None = None


@dataclass(frozen=True, kw_only=True)
class RunManifest:
    """Everything a run's bundle says of how it was made."""

    harness_version: str
    run_id: str
    profile: str
    seed: int
    fail_on: str
    lang: str
    suite: SuiteRecord
    target: TargetRecord = field(default_factory=TargetRecord)
    requirements_version: str = ""
    pseudonymised: bool = False
    started: str = ""
    finished: str = ""
    interrupted: bool = False
    verdict: str = ""
    accepted_unverified: tuple[str, ...] = ()
    fuzz: int = 0
    shard: str | None = None  # "K/N" for one shard of a run (merge names its reconciliation by it)

    def to_dict(self) -> dict[str, Any]:
        """The manifest's JSON keys (the files' hashes are added when it is written)."""
        suite: dict[str, Any] = {"hash": self.suite.hash, "files": self.suite.files,
                                 "scenarios": list(self.suite.scenarios), "bundled": self.suite.bundled,
                                 "paths": list(self.suite.paths), "fixtures": self.suite.fixtures}
        if self.suite.profile is not None:
            suite["profile"] = self.suite.profile
        return {
            "harness": {"name": "epresc-conformance", "version": self.harness_version},
            "requirements": {"version": self.requirements_version},
            "runId": self.run_id, "profile": {"name": self.profile}, "seed": self.seed,
            "failOn": self.fail_on, "lang": self.lang, "pseudonymised": self.pseudonymised,
            "started": self.started, "finished": self.finished, "interrupted": self.interrupted,
            "verdict": self.verdict, "acceptedUnverified": list(self.accepted_unverified),
            "target": {"url": self.target.url, "about": self.target.about,
                       "embedded": self.target.embedded, "faults": list(self.target.faults or ()),
                       "teleservice": self.target.teleservice},
            "suite": suite, "fuzz": self.fuzz,
            **({"shard": self.shard} if self.shard else {}),
        }

    @classmethod
    def from_dict(cls, raw: Any) -> RunManifest:
        """The record of a manifest's JSON; ManifestError naming what is missing or wrong."""
        try:
            suite, target = raw["suite"], raw.get("target") or {}
            return cls(
                harness_version=str((raw.get("harness") or {}).get("version", "")),
                run_id=str(raw["runId"]), profile=str((raw.get("profile") or {}).get("name", "")),
                seed=int(raw.get("seed", 0)),
                fail_on=str(raw.get("failOn", "major")), lang=str(raw.get("lang", "fr")),
                requirements_version=str((raw.get("requirements") or {}).get("version", "")),
                pseudonymised=bool(raw.get("pseudonymised", False)),
                started=str(raw.get("started", "")), finished=str(raw.get("finished", "")),
                interrupted=bool(raw.get("interrupted", False)), verdict=str(raw.get("verdict", "")),
                accepted_unverified=tuple(raw.get("acceptedUnverified") or ()),
                fuzz=int(raw.get("fuzz", 0)), shard=raw.get("shard"),
                suite=SuiteRecord(hash=str(suite["hash"]), files=int(suite.get("files", 0)),
                                  scenarios=tuple(suite.get("scenarios") or ()),
                                  bundled=bool(suite.get("bundled", False)),
                                  paths=tuple(suite.get("paths") or ()),
                                  fixtures=str(suite.get("fixtures", "")), profile=suite.get("profile")),
                target=TargetRecord(url=target.get("url"), about=target.get("about"),
                                    embedded=bool(target.get("embedded", True)),
                                    faults=None if target.get("faults") is None
                                    else _names(target["faults"]),
                                    teleservice=target.get("teleservice")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ManifestError(f"a malformed run manifest ({type(exc).__name__}: {exc})") from exc

    def write(self, folder: Path, key: Path | None = None) -> int:
        """manifest.json over every file of ``folder`` (signed with ``key`` if given); how many."""
        return write_manifest(folder, self.to_dict(), key)


def _names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"a list of names expected, not {value!r}"[:200])
    return tuple(value)


def read_run_manifest(folder: Path) -> RunManifest:
    """A run folder's manifest; ManifestError when it cannot be read as one."""
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestError(str(exc)) from exc
    return RunManifest.from_dict(raw)
