"""A user's checkout of the ANS kit (``ansforge/TestContenuCDA-3-0`` or the same layout): where
its files are, the hash of its rules and the commit it was checked out at."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMATRON = "schematrons/CI-SIS_EP-MED-DM_2024.01.sch"
SCHEMA = "infrastructure/cda/CDA_extended.xsd"
SKELETON = ("iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt2.xsl")
PHASE = "EP-MED-DM_2024.01"


class KitError(Exception):
    """The folder is not a usable ANS kit (the user's error: what is missing, where)."""


@dataclass(frozen=True)
class RuleSet:
    """The volet's ANS rules in a checkout: paths, the rules' hash, the checkout's commit."""

    folder: str
    schematron: str
    schema: str
    moteur: str
    digest: str  # sha256 of every schematron file and the skeleton (what the rules are)
    schema_digest: str  # sha256 of the CDA schema files
    commit: str | None

    @property
    def label(self) -> str:
        """How reports name the rule set: its commit, or its hash when it has none."""
        short = f"rules sha256 {self.digest[:12]}"
        return f"{self.folder} (commit {self.commit[:12]}, {short})" if self.commit else \
            f"{self.folder} ({short})"


def _digest(files: list[Path], base: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(files):
        hasher.update(path.relative_to(base).as_posix().encode() + b"\0")
        hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


def _included(path: Path, seen: set[Path] | None = None) -> list[Path]:
    """The schematron and every file it includes (recursively): what the rule set is made of,
    and nothing of the other volets of a full checkout."""
    from lxml import etree

    seen = set() if seen is None else seen
    path = path.resolve()
    if path in seen or not path.is_file():
        return []
    seen.add(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise KitError(f"{path}: not readable XML ({exc})") from None
    found = [path]
    hrefs: Any = tree.xpath("//*[local-name()='include']/@href")
    for href in hrefs:
        found += _included(path.parent / str(href), seen)
    return found


def _commit(folder: Path) -> str | None:
    """The checkout's HEAD commit, read from ``.git`` without running git."""
    git = folder / ".git"
    if git.is_file():  # a worktree: "gitdir: PATH"
        text = git.read_text(errors="replace").strip()
        git = (folder / text.removeprefix("gitdir:").strip()).resolve()
    head = git / "HEAD"
    if not head.is_file():
        return None
    ref = head.read_text(errors="replace").strip()
    if not ref.startswith("ref:"):
        return ref or None
    name = ref.removeprefix("ref:").strip()
    loose = git / name
    if loose.is_file():
        return loose.read_text(errors="replace").strip() or None
    packed = git / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(errors="replace").splitlines():
            if line.endswith(" " + name):
                return line.split(" ", 1)[0]
    return None


def load_kit(folder: str | Path) -> RuleSet:
    """The rule set of ``folder``; KitError naming what is missing."""
    base = Path(folder).resolve()
    if not base.is_dir():
        raise KitError(f"--cda-rules {folder}: no such folder")
    missing = [p for p in (SCHEMATRON, SCHEMA, *(f"schematrons/moteur/{s}" for s in SKELETON))
               if not (base / p).is_file()]
    if missing:
        raise KitError(f"--cda-rules {folder}: not a checkout of ansforge/TestContenuCDA-3-0 "
                       f"(missing {', '.join(missing)})")
    rules = [*_included(base / SCHEMATRON), *((base / "schematrons" / "moteur" / s)
                                               for s in SKELETON)]
    schemas = [p for p in (base / "infrastructure" / "cda").rglob("*.xsd") if p.is_file()]
    return RuleSet(str(base), str(base / SCHEMATRON), str(base / SCHEMA),
                   str(base / "schematrons" / "moteur"), _digest(rules, base),
                   _digest(schemas, base), _commit(base))
