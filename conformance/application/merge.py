"""``conformance merge``: one report from the shards of one run (GitLab ``parallel: N``).

Each shard is a run folder of ``run --shard K/N``; the merge checks they are shards of the same
suite with the same settings, that no scenario ran twice, then writes report.json, junit.xml,
report.html, summary.md, the shards' evidence and a manifest naming each merged bundle with the
hash of its manifest. The verdict is recomputed from the merged checks, by the same rules.

Nothing of a shard is dropped: each shard reconciled the journal of its own scenarios (DEG-03),
so each shard's ``JOURNAL`` scenario is kept, named by its shard (``JOURNAL[2/3]``); the merged
counts are the sums of the shards' counts."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from conformance.application.settings import ApplicationError
from conformance.engine.results import RunResult, ScenarioResult
from conformance.reporters.jsonreport import from_dict
from conformance.vocabulary import ExitCode

JOURNAL_ID = "JOURNAL"


@dataclass(frozen=True)
class MergeOutcome:
    result: RunResult
    folder: Path
    exit_code: ExitCode


def journal_id(shard: str) -> str:
    """The id of a shard's whole-run reconciliation in a merged report (``JOURNAL[2/3]``)."""
    return f"{JOURNAL_ID}[{shard}]"


def unsharded(scenario_id: str) -> str:
    """A merged report's scenario id as a single run names it (``JOURNAL[2/3]`` → ``JOURNAL``):
    scenario ids cannot hold brackets (schema.json), so only a shard's journal is touched."""
    return JOURNAL_ID if scenario_id.startswith(f"{JOURNAL_ID}[") else scenario_id


def merge(folders: list[str], output: str) -> MergeOutcome:
    """Merge shard run folders into ``output``; ApplicationError (exit 2) when they do not fit."""
    from conformance.evidence.bundle import sha256, write_manifest
    from conformance.evidence.manifest import read_run_manifest

    if len(folders) < 2:
        raise ApplicationError("give at least two run folders to merge")
    loaded = []
    for name in folders:
        folder = Path(name)
        try:
            report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
            manifest = read_run_manifest(folder)
            loaded.append((folder, report, manifest, from_dict(report)))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ApplicationError(f"{name}: not a run folder ({exc})\n  = give the folders that "
                                   "'conformance run --shard K/N' wrote") from exc
    first = loaded[0]
    for folder, report, manifest, result in loaded[1:]:
        for what, mine, theirs in (
                ("suite", manifest.suite.hash, first[2].suite.hash),
                ("harness version", report.get("harness"), first[1].get("harness")),
                ("profile", result.profile, first[3].profile),
                ("--fail-on", result.fail_on, first[3].fail_on), ("seed", result.seed, first[3].seed),
                ("language", manifest.lang, first[2].lang),
                ("--accept-unverified", result.accepted, first[3].accepted)):
            if mine != theirs:
                raise ApplicationError(f"{folder}: another {what} than {first[0]} ({mine} ≠ {theirs}): "
                                       "not shards of one run\n  = merge the shards of one pipeline")
    seen: dict[str, Path] = {}
    scenarios: list[ScenarioResult] = []
    journals: list[ScenarioResult] = []
    for position, (folder, _, manifest, result) in enumerate(loaded, 1):
        # the shard's own K/N as its manifest says it, else (an older run) its place in the list
        name = manifest.shard or f"{position}/{len(loaded)}"
        for sc in result.scenarios:
            if sc.id == JOURNAL_ID:
                sc = dataclasses.replace(sc, id=journal_id(name))
                into = journals
            else:
                into = scenarios
            if sc.id in seen:
                raise ApplicationError(f"scenario {sc.id} ran in {seen[sc.id]} and in {folder}: the "
                                       "shards overlap\n  = give each shard once (--shard K/N, K = 1…N)")
            seen[sc.id] = folder
            into.append(sc)
    # after the scenarios, as in one run; shard 10 after shard 9
    scenarios += sorted(journals, key=lambda sc: [int(n) for n in re.findall(r"\d+", sc.id)])
    results = [r for _, _, _, r in loaded]
    merged = dataclasses.replace(
        first[3], run_id=f"merged-{first[3].run_id}", started=min(r.started for r in results),
        finished=max(r.finished for r in results), duration=max(r.duration for r in results),
        scenarios=tuple(scenarios), interrupted=any(r.interrupted for r in results),
        evidence=any(r.evidence for r in results), signer="")  # the merge's manifest is not signed
    out = Path(output)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for folder, _, _, _ in loaded:
            if (folder / "evidence").is_dir():
                shutil.copytree(folder / "evidence", out / "evidence", dirs_exist_ok=True)
        _write(merged, out, first[2].lang)
        write_manifest(out, {"kind": "merge", "runId": merged.run_id, "verdict": str(merged.verdict),
                             "merged": [{"runId": r.run_id, "folder": str(f),
                                         "manifestSha256": sha256(f / "manifest.json")}
                                        for f, _, _, r in loaded]})
    except OSError as exc:
        raise ApplicationError(f"cannot write {output}: {exc.strerror or exc}") from exc
    return MergeOutcome(merged, out, merged.verdict.exit_code)


def _write(result: RunResult, folder: Path, lang: str) -> None:
    from conformance.reporters.handlers import write_reports
    from conformance.vocabulary import Lang

    write_reports(result, folder, Lang(lang))
