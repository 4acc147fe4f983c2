"""The suite a session runs: loading, selection, the check and requirement catalogues."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from conformance.application.settings import ApplicationError, Selection
from conformance.paths import BUNDLED_SCENARIOS, fixtures_for
from conformance.scenario import Fixtures, PackedScenarios, Scenario, ScenarioError, iter_suite


def suite_roots(selection: Selection) -> tuple[list[Path], Path]:
    """The scenario roots (the bundled suite by default) and the fixtures folder."""
    roots = [Path(p) for p in selection.paths] or [BUNDLED_SCENARIOS]
    return roots, Path(selection.fixtures) if selection.fixtures else fixtures_for(roots)


def load_scenarios(selection: Selection, *, select: bool = True) -> PackedScenarios:
    """Every scenario under the selection's paths, then ``-k``/``--tag``/ids applied;
    ApplicationError (exit 2) with the located message on a scenario error. Each scenario is
    packed as it is loaded: a suite of thousands costs a few MB, not tens (issue 27)."""
    from conformance.checks import REGISTRY

    roots, fixtures = suite_roots(selection)
    loaded = iter_suite(roots, Fixtures(fixtures), REGISTRY)
    try:
        return _select(loaded, selection) if select else PackedScenarios(loaded)
    except ScenarioError as exc:
        raise ApplicationError(exc.render()) from exc


def _select(scenarios: Iterable[Scenario], selection: Selection) -> PackedScenarios:
    only = set(selection.only)
    chosen = PackedScenarios()
    whole = 0
    for sc in scenarios:
        whole += 1
        text = f"{sc.id} {sc.title}".lower()
        if selection.keywords and not any(_match(k, text) for k in selection.keywords):
            continue
        if selection.tags and not set(selection.tags) & set(sc.tags):
            continue
        if only and sc.id not in only:
            continue
        chosen.append(sc)
    if selection.shard is not None:
        chosen = shard(chosen, *selection.shard, durations=_durations(selection.durations))
    chosen.whole = whole  # what a partial selection's headline says it was chosen from
    return chosen


def shard(scenarios: Sequence[Scenario], k: int, n: int,
          durations: dict[str, float] | None = None) -> PackedScenarios:
    """The K-th of N disjoint slices, stable for a given suite (every slice together is the
    suite, each scenario in one). Without durations, round-robin over the ids in order; with a
    previous report's durations, longest first into the least loaded slice (an unknown
    scenario counts as the mean). Suite order is kept within the slice."""
    ids = sorted(sc.id for sc in scenarios)
    if durations:
        mean = sum(durations.values()) / len(durations)
        loads = [0.0] * n
        owner: dict[str, int] = {}
        for sid in sorted(ids, key=lambda i: (-durations.get(i, mean), i)):
            slot = min(range(n), key=lambda j: (loads[j], j))
            owner[sid] = slot
            loads[slot] += durations.get(sid, mean)
    else:
        owner = {sid: i % n for i, sid in enumerate(ids)}
    return PackedScenarios(sc for sc in scenarios if owner[sc.id] == k - 1)


def _durations(report: str | None) -> dict[str, float] | None:
    if report is None:
        return None
    import json

    try:
        data = json.loads(Path(report).read_text(encoding="utf-8"))
        return {str(sc["id"]): float(sc["durationSeconds"]) for sc in data["scenarios"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ApplicationError(f"--shard-durations {report}: not a readable report.json ({exc})") from exc


def _match(expr: str, text: str) -> bool:
    expr = expr.strip().lower()
    if expr.startswith("not "):
        return not _match(expr[4:], text)
    return any(part.strip() in text for part in re.split(r"\s+or\s+", expr))


@dataclass(frozen=True)
class CheckInfo:
    """One registered check, for ``conformance list checks``."""

    name: str
    requirement: str
    severity: str
    steps: tuple[str, ...]
    title: str
    default_on: tuple[str, ...]


def check_catalogue(lang: str = "en") -> list[CheckInfo]:
    """Every registered check, by requirement."""
    from conformance.checks import REGISTRY

    return [CheckInfo(s.name, s.requirement, s.severity, tuple(s.steps), s.title(lang),
                      tuple(s.defaults))
            for s in sorted(REGISTRY.values(), key=lambda s: (s.requirement, s.name))]


@dataclass(frozen=True)
class RequirementInfo:
    """One requirement, its title, and where the suite evaluates it."""

    id: str
    title: str
    where: str
    scenarios: tuple[str, ...] = ()  # where the suite evaluates it (explicit or default checks)
    declared: tuple[str, ...] = ()  # scenarios that declare it (requirements:)
    severity: str = ""
    source: str = ""
    confidence: str = ""


def requirement_catalogue(selection: Selection, lang: str = "en") -> list[RequirementInfo]:
    """Every requirement of the catalogue, with where the suite evaluates it."""
    from conformance.checks import REGISTRY, run_wide
    from conformance.engine.checking import step_checks
    from conformance.fuzz import REQUIREMENTS as FUZZED
    from conformance.requirements import catalogue

    declared: dict[str, list[str]] = {}
    evaluated: dict[str, list[str]] = {}
    for sc in load_scenarios(selection, select=False):
        for req in sc.requirements:
            declared.setdefault(req, []).append(sc.id)
        for step in sc.steps:
            for exp in step_checks(step):
                req = REGISTRY[exp.name].requirement
                if sc.id not in evaluated.setdefault(req, []):
                    evaluated[req].append(sc.id)
    checked = {s.requirement for s in REGISTRY.values()}
    fuzzed = set(FUZZED.values())
    whole_run = {REGISTRY[name].requirement for name in run_wide()}
    out = []
    for r in catalogue().requirements.values():
        where = "run --fuzz" if r.id in fuzzed and r.id not in checked else \
            "every run (JOURNAL: run-wide checks)" if r.id in whole_run else \
            f"{len(evaluated.get(r.id, []))} scenario(s)" if r.id in checked else "(no check yet)"
        out.append(RequirementInfo(r.id, r.title(lang), where, tuple(evaluated.get(r.id, ())),
                                   tuple(declared.get(r.id, ())), r.severity, r.source,
                                   r.confidence))
    return out
