"""The bundle's manifest (hashes of every file), its Ed25519 signature, and verification."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
PRIVATE, PUBLIC = "conformance-signing.key", "conformance-signing.pub"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def suite_files(paths: Iterable[Path], fixtures: Path) -> list[Path]:
    """The scenario and fixture files a run depends on, in a stable order."""
    files: set[Path] = set()
    for root in [*paths, fixtures]:
        if root.is_file():
            files.add(root.resolve())
        elif root.is_dir():
            files.update(p.resolve() for p in root.rglob("*.yaml"))
    return sorted(files)


def suite_hash(paths: Iterable[Path], fixtures: Path) -> str:
    """SHA-256 over the suite's files (relative name and content): what a replay must match."""
    digest = hashlib.sha256()
    files = suite_files(paths, fixtures)
    base = Path(_common(files)) if files else Path(".")
    for path in files:
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _common(files: list[Path]) -> str:
    import os.path

    return os.path.commonpath([str(p.parent) for p in files])


def bundle_files(folder: Path) -> dict[str, str]:
    """relative path -> SHA-256 of every file of the bundle except the manifest and signature."""
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in (MANIFEST, SIGNATURE)}


def write_manifest(folder: Path, info: dict[str, Any], key: Path | None = None) -> dict[str, Any]:
    """manifest.json with ``info`` and the hash of every file; signed with ``key`` if given."""
    manifest = {"schemaVersion": "1.0", **info, "files": bundle_files(folder)}
    data = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    (folder / MANIFEST).write_bytes(data)
    if key is not None:
        (folder / SIGNATURE).write_text(sign(key, data) + "\n", encoding="ascii")
    return manifest


def keygen(folder: Path) -> tuple[Path, Path]:
    """An Ed25519 key pair as PEM files (the private one readable by its owner only)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    private, public = folder / PRIVATE, folder / PUBLIC
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    private.chmod(0o600)
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def sign(key_file: Path, data: bytes) -> str:
    """Base64 Ed25519 signature of ``data``; ValueError when the key is not Ed25519 PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{key_file} is not an Ed25519 private key")
    return base64.b64encode(key.sign(data)).decode("ascii")


@dataclass(frozen=True)
class Verification:
    """What ``verify`` found."""

    changed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    signature: str = "absent"  # absent | valid | invalid | unchecked (no public key)
    notes: tuple[str, ...] = ()

    @property
    def intact(self) -> bool:
        return not (self.changed or self.missing or self.added) and self.signature != "invalid"


class NotABundle(Exception):
    """No readable manifest.json in the folder."""


def verify(folder: Path, public_key: Path | None = None) -> Verification:
    """Compare every file with the manifest; check the signature when there is one."""
    try:
        raw = (folder / MANIFEST).read_bytes()
        manifest = json.loads(raw)
        recorded: dict[str, str] = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotABundle(f"{folder}: no readable {MANIFEST} ({exc})") from exc
    present = bundle_files(folder)
    changed = tuple(sorted(p for p, h in recorded.items() if p in present and present[p] != h))
    missing = tuple(sorted(p for p in recorded if p not in present))
    added = tuple(sorted(p for p in present if p not in recorded))
    signature, notes = "absent", []
    if (folder / SIGNATURE).exists():
        if public_key is None:
            signature = "unchecked"
            notes.append("signed, but no --public-key given: the signature was not checked")
        else:
            signature = "valid" if _valid(public_key, raw, (folder / SIGNATURE).read_text().strip()) \
                else "invalid"
    return Verification(changed, missing, added, signature, tuple(notes))


def _valid(public_key: Path, data: bytes, signature: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(public_key.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(base64.b64decode(signature), data)
        return True
    except (InvalidSignature, ValueError):
        return False
