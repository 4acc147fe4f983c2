"""Evidence bundles for auditors: keygen, verify, replay (a new session compared check by check)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.application.session import SessionOutcome, run_session
from conformance.application.settings import ApplicationError, Selection, Settings
from conformance.application.suite import load_scenarios
from conformance.evidence.bundle import NotABundle, Verification
from conformance.evidence.manifest import TargetRecord
from conformance.vocabulary import Lang, Severity


def keygen(folder: str, force: bool = False) -> tuple[Path, Path, str | None]:
    """An Ed25519 key pair (private, public) in ``folder``, and a warning when a git work tree
    around it would commit the private key."""
    from conformance.evidence.bundle import KeysExist
    from conformance.evidence.bundle import keygen as make

    try:
        private, public = make(Path(folder), force)
    except KeysExist as exc:
        raise ApplicationError(f"{exc}: not overwritten\n  = bundles signed with it would no longer "
                               "verify against a new public key; pass --force to replace it anyway, "
                               "or give another folder") from exc
    except OSError as exc:
        raise ApplicationError(f"cannot write the keys into {folder}: {exc.strerror or exc}") from exc
    return private, public, _unignored(private)


def _unignored(path: Path) -> str | None:
    """A warning when ``path`` lies in a git work tree that does not ignore it."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        return None
    inside = subprocess.run(["git", "-C", str(path.parent), "rev-parse", "--is-inside-work-tree"],
                            capture_output=True, text=True, check=False)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return None
    ignored = subprocess.run(["git", "-C", str(path.parent), "check-ignore", "-q", path.name],
                             capture_output=True, check=False)
    if ignored.returncode == 0:
        return None
    return (f"warning: {path} is inside a git work tree that does not ignore it: add its folder to "
            ".gitignore before a commit publishes the private key")


def verify(bundle: str, public_key: str | None = None) -> Verification:
    """Every file of a bundle against its manifest, and the signature; a campaign folder: its
    journal's chain, artefacts and plan too."""
    from conformance.campaign.verify import is_campaign
    from conformance.campaign.verify import verify as check_campaign
    from conformance.evidence.bundle import BadInput
    from conformance.evidence.bundle import verify as check

    try:
        if is_campaign(Path(bundle)):
            return check_campaign(Path(bundle), Path(public_key) if public_key else None)
        return check(Path(bundle), Path(public_key) if public_key else None)
    except NotABundle as exc:
        raise ApplicationError(f"{exc}\n  = give a run folder (reports/<run-id>) written by "
                               "'conformance run'") from exc
    except BadInput as exc:
        raise ApplicationError(f"{exc}\n  = a bundle as 'conformance run' wrote it, and the signer's "
                               "public key (conformance-signing.pub)") from exc


@dataclass(frozen=True)
class Replay:
    """A replay's session and the verdicts that differ from the bundle's."""

    original: str
    outcome: SessionOutcome
    differences: tuple[str, ...]


def replay(bundle: str, base: Settings, force: bool = False,
           warn: Any = None) -> Replay:
    """Rerun a bundle's scenarios (same profile, seed, threshold, language) and compare."""
    from conformance.evidence.bundle import suite_hash
    from conformance.evidence.manifest import ManifestError, read_run_manifest

    folder = Path(bundle)
    try:
        manifest = read_run_manifest(folder)
        before = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ManifestError included
        raise ApplicationError(f"{bundle}: not a bundle ({exc})\n  = give a run folder written by "
                               "'conformance run'") from exc
    suite = manifest.suite
    profile = manifest.profile
    if not profile:
        raise ApplicationError(f"{bundle}: not a bundle (its manifest names no profile)\n  = give a "
                               "run folder written by 'conformance run'")
    if suite.bundled:  # the bundle carries its suite: nothing of this machine is used
        paths = [str(folder / p) for p in suite.paths]
        fixtures = str(folder / suite.fixtures)
        if suite.profile is None:
            raise ApplicationError(f"{bundle}: not a bundle ({ManifestError('no bundled profile')})")
        profile = str(folder / suite.profile)
    else:
        paths = list(suite.paths)
        fixtures = suite.fixtures
    if suite_hash([Path(p) for p in paths], Path(fixtures)) != suite.hash:
        if not force:
            raise ApplicationError("the scenario or fixture files changed since this bundle was "
                                   "made: the replay would not run the same suite\n  = restore them, or "
                                   "pass --force to replay anyway")
        if warn is not None:
            warn("warning: the scenario or fixture files changed since the bundle; replaying anyway")
    selection = Selection(paths=tuple(paths), fixtures=fixtures, only=suite.scenarios)
    base = _recorded_target(base, manifest.target, warn)
    settings = dataclasses.replace(
        base, selection=selection, scenarios=bool(suite.scenarios), profile=profile,
        seed=manifest.seed, fail_on=Severity(manifest.fail_on), lang=Lang(manifest.lang),
        fuzz_examples=manifest.fuzz)
    scenarios = load_scenarios(selection) if settings.scenarios else []
    if not scenarios and not settings.fuzz_examples:
        raise ApplicationError("none of the bundle's scenarios is in the suite any more")
    outcome = run_session(settings, scenarios)
    after = json.loads((outcome.folder / "report.json").read_text("utf-8"))
    return Replay(manifest.run_id, outcome, tuple(compare(before, after)))


def _recorded_target(base: Settings, recorded: TargetRecord, warn: Any) -> Settings:
    """Without --target, the software the bundle was recorded against: the embedded reference
    only when it was recorded against it (replaying someone's bundle against our own reference
    and finding "no difference" would say nothing of their software)."""
    if base.target is not None:
        return base
    if recorded.embedded:
        return _recorded_faults(base, recorded, warn)
    url = recorded.url
    if not isinstance(url, str) or not url or "***" in url:
        raise ApplicationError("this bundle was recorded against another target "
                               f"({url or 'unknown'}), not the embedded reference\n  = give --target "
                               "(and --teleservice) to replay it against that software")
    teleservice = base.teleservice or recorded.teleservice
    if warn is not None:
        warn(f"replaying against the recorded target {url}"
             + (f" (teleservice {teleservice})" if teleservice else ""))
    return dataclasses.replace(base, target=url, teleservice=teleservice if isinstance(teleservice, str)
                               and "***" not in teleservice else None)


def _recorded_faults(base: Settings, recorded: TargetRecord, warn: Any) -> Settings:
    """The embedded reference with the faults the bundle was recorded with: without them, every
    anomaly they caused would come out as a difference of the replay."""
    faults: Any = recorded.faults
    if faults is None:  # a bundle from before 'faults' was recorded: the reference's /about says
        faults = ((recorded.about or {}).get("capacites") or {}).get("faults") or []
    faults = list(faults)
    if not isinstance(faults, list) or not all(isinstance(f, str) for f in faults):
        raise ApplicationError("the bundle's manifest names its faults in a form this version cannot "
                               "read\n  = replay it with the version that recorded it")
    if not faults or base.faults:
        return base
    from conformance.reference.faults import check_names

    try:
        check_names(faults)
    except ValueError as exc:
        raise ApplicationError(f"this bundle was recorded with a fault this version does not have "
                               f"({exc})\n  = replay it with the version that recorded it") from exc
    if warn is not None:
        warn(f"replaying with the fault(s) it was recorded with switched on: {', '.join(faults)}")
    return dataclasses.replace(base, faults=tuple(faults))


def _verdicts(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    out = {}
    for sc in report.get("scenarios", []):
        out[f"{sc['id']}"] = (sc["status"], "")
        for st in sc.get("steps", []):
            for i, c in enumerate(st.get("checks", [])):
                key = f"{sc['id']} step {st['index'] + 1} {c['requirement']} {c['check']} #{i}"
                out[key] = (c["status"], str(c.get("message", ""))[:200])
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """'key: before → after' for every verdict that differs, appears or disappears, with what
    each side said when it failed (the words, not only the status)."""
    a, b = _verdicts(before), _verdicts(after)
    out = []
    for key in sorted(set(a) | set(b)):
        was, now = a.get(key, ("absent", "")), b.get(key, ("absent", ""))
        if was[0] == now[0]:
            continue
        words = [f"before: {was[1]}" if was[0] in ("fail", "error") and was[1] else "",
                 f"now: {now[1]}" if now[0] in ("fail", "error") and now[1] else ""]
        said = "; ".join(w for w in words if w)
        out.append(f"{key}: {was[0]} → {now[0]}" + (f" ({said})" if said else ""))
    return out
