"""``conformance merge``: one report from the shards of one run (GitLab ``parallel: N``).

Each shard is a run folder of ``run --shard K/N``; the merge checks they are shards of the same
suite with the same settings, that no scenario ran twice, then writes report.json, junit.xml,
report.html, summary.md, the shards' evidence and a manifest naming each merged bundle with the
hash of its manifest. The verdict is recomputed from the merged checks, by the same rules.

Nothing of a shard is dropped: each shard reconciled the journal of its own scenarios (DEG-03),
so each shard's ``JOURNAL`` scenario is kept, named by its shard (``JOURNAL[2/3]``); the merged
counts are the sums of the shards' counts.

The headline's qualifiers survive the merge (``_qualified``): the merged run is a partial
selection only when the shards together are not the whole suite (each ``--shard K/N`` alone is
one), a baseline's known anomalies are the shards' together, the faults only fuzzing finds are
every shard's."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from conformance.application.settings import ApplicationError
from conformance.engine.results import BaselineOutcome, RunResult, ScenarioResult, Scope
from conformance.reporters.jsonreport import from_dict
from conformance.vocabulary import ExitCode

JOURNAL_ID = "JOURNAL"
PHASES = (JOURNAL_ID, "FUZZ")  # a run's own scenarios after the suite's: not scenarios of the suite
_SHARD = re.compile(r"(?:^| )--shard (\d+)/(\d+)")


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
                ("--accept-unverified", result.accepted, first[3].accepted),
                ("requirement catalogue", report.get("requirements"), first[1].get("requirements")),
                ("selection", _selection(result.partial), _selection(first[3].partial)),
                ("--baseline", result.baseline is None, first[3].baseline is None)):
            if mine != theirs:
                raise ApplicationError(f"{folder}: another {what} than {first[0]} ({mine} ≠ {theirs}): "
                                       "not shards of one run\n  = merge the shards of one pipeline")
    from conformance.requirements import catalogue

    version = (first[1].get("requirements") or {}).get("version")
    if version and version != catalogue().version:  # the verdict is recomputed by this catalogue
        raise ApplicationError(f"{first[0]}: judged against requirement catalogue {version}, this harness "
                               f"holds {catalogue().version}\n  = merge with the harness version that ran "
                               "the shards")
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
    merged = _qualified(dataclasses.replace(
        first[3], run_id=f"merged-{first[3].run_id}", started=min(r.started for r in results),
        finished=max(r.finished for r in results), duration=max(r.duration for r in results),
        scenarios=tuple(scenarios), interrupted=any(r.interrupted for r in results),
        evidence=any(r.evidence for r in results), signer="",  # the merge's manifest is not signed
        lang=first[2].lang),  # the texts the verdict recomputes (never evaluated…) in the report's
        [(manifest.shard, result) for _, _, manifest, result in loaded])
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


def _selection(scope: Scope | None) -> str:
    """How a shard's scenarios were chosen, its own ``--shard K/N`` aside (``-k …``; "" for the
    whole suite): the same for every shard of one run."""
    return "" if scope is None else _SHARD.sub("", scope.filter).strip()


def _qualified(merged: RunResult, shards: list[tuple[str | None, RunResult]]) -> RunResult:
    """``merged`` with the headline's qualifiers of its shards, merged (docs/report-json.md):
    ``partial`` when the shards together are not the whole suite, ``fuzzOnlyFaults`` their
    union, ``baseline`` the shards' (known anomalies: the checks it marked, summed)."""
    results = [r for _, r in shards]
    unfuzzed = tuple(sorted({f for r in results for f in r.fuzz_only_faults}))
    return dataclasses.replace(merged, partial=_scope(merged, shards), fuzz_only_faults=unfuzzed,
                               baseline=_baseline([r.baseline for r in results if r.baseline]))


def _scope(merged: RunResult, shards: list[tuple[str | None, RunResult]]) -> Scope | None:
    """The merged run's selection, counted as one run counts it (the shards' reconciliations as
    its one ``JOURNAL``), or None when the shards together ran the whole suite."""
    suite = chosen = 0
    names: list[tuple[int, int]] = []
    for name, result in shards:
        own = sum(1 for sc in result.scenarios if unsharded(sc.id) not in PHASES)
        chosen += own
        scope = result.partial
        # a shard counts the whole suite as it counts itself: its selection plus what it left out
        suite = max(suite, own if scope is None else own + scope.total - scope.scenarios)
        # its K/N as its manifest says it, else as its selection was written (an older run)
        found = re.fullmatch(r"(\d+)/(\d+)", name or "") or (
            _SHARD.search(f" {scope.filter}") if scope is not None else None)
        if found:
            names.append((int(found[1]), int(found[2])))
    if chosen >= suite:
        return None
    phases = len({unsharded(sc.id) for sc in merged.scenarios if unsharded(sc.id) in PHASES})
    counts = {n for _, n in names}
    whole = len(counts) == 1 and sorted(k for k, _ in names) == list(range(1, counts.pop() + 1))
    how = _selection(merged.partial)  # the same for every shard (checked)
    if names and not whole:  # some shards are missing: say which were merged
        how = " ".join(filter(None, (how, "--shard " + " + ".join(f"{k}/{n}" for k, n in sorted(names)))))
    return Scope(filter=how or " + ".join(r.partial.filter for _, r in shards if r.partial),
                 scenarios=chosen + phases, total=suite + phases)


def _baseline(outcomes: list[BaselineOutcome]) -> BaselineOutcome | None:
    """The shards' baselines as one: an entry is stale only when no shard matched it (each
    shard saw its own scenarios), expired when one did; different files are named apart."""
    if not outcomes:
        return None
    stale = [e for e in outcomes[0].stale if all(e in o.stale for o in outcomes[1:])]
    return BaselineOutcome(file=" ≠ ".join(dict.fromkeys(o.file for o in outcomes)),
                           known=sum(o.known for o in outcomes),
                           expired=tuple(dict.fromkeys(e for o in outcomes for e in o.expired)),
                           stale=tuple(stale))
