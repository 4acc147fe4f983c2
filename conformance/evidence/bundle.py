"""The bundle's manifest (hashes of every file), its Ed25519 signature, and verification."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
PRIVATE, PUBLIC = "conformance-signing.key", "conformance-signing.pub"


def sha256(path: Path) -> str:
    """A file's SHA-256, read into one small buffer again and again (a megabyte read per file
    was the end of a long run's memory peak)."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def suite_files(paths: Iterable[Path], fixtures: Path) -> list[Path]:
    """The scenario and fixture files a run depends on, in a stable order."""
    files: set[Path] = set()
    for root in [*paths, fixtures]:
        if root.is_file():
            files.add(root.resolve())
        elif root.is_dir():
            files.update(p.resolve() for p in root.rglob("*.yaml"))
    return sorted(files)


def common_base(files: list[Path]) -> Path:
    """The folder all of ``files`` lie under (their relative names are what the hash covers)."""
    return Path(_common(files)) if files else Path(".")


def suite_hash(paths: Iterable[Path], fixtures: Path) -> str:
    """SHA-256 over the suite's files (relative name and content): what a replay must match."""
    digest = hashlib.sha256()
    files = suite_files(paths, fixtures)
    base = common_base(files)
    for path in files:
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _common(files: list[Path]) -> str:
    import os.path

    return os.path.commonpath([str(p.parent) for p in files])


def bundle_files(folder: Path) -> dict[str, str]:
    """relative path -> SHA-256 of every regular file of the bundle but its root manifest and
    signature (links and special files are never followed: ``irregular`` names them)."""
    return {name: sha256(path) for name, path in regular_files(folder)}


def regular_files(folder: Path, _base: str = "") -> Iterator[tuple[str, Path]]:
    """(relative posix path, path) of every regular file under ``folder`` but the root's
    manifest and signature, in the order of their relative paths as strings (the manifest's
    order), one folder listed at a time: a run of thousands of scenarios never holds its tens of
    thousands of paths at once. Links are neither followed nor listed."""
    with os.scandir(folder) as listing:
        # a folder's files sort where "<name>/" sorts among its siblings: all of them start so
        entries = sorted((e.name + "/" if e.is_dir(follow_symlinks=False) else e.name,
                          e.is_file(follow_symlinks=False)) for e in listing)
    for key, regular in entries:
        if key.endswith("/"):
            yield from regular_files(folder / key[:-1], _base + key)
        elif regular and not (not _base and key in (MANIFEST, SIGNATURE)):
            yield _base + key, folder / key


def irregular(folder: Path) -> tuple[str, ...]:
    """Entries that are neither regular files nor folders (links, FIFOs, sockets, devices)."""
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_symlink() or not (p.is_file() or p.is_dir()):
            out.append(p.relative_to(folder).as_posix())
    return tuple(out)


def fingerprint(public_pem: bytes) -> str:
    """SHA-256 of the raw Ed25519 public key, hex (what the manifest records of its signer)."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_pem)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


_FILES = "\x00files\x00"  # where the streamed hashes go in the manifest's text


def write_manifest(folder: Path, info: dict[str, Any], key: Path | None = None) -> int:
    """manifest.json with ``info`` and the hash of every file, signed with ``key`` if given; the
    number of files it covers. The hashes are written as the files are read (the text is what
    ``json.dumps(..., indent=2, sort_keys=True)`` of the whole manifest would be): the paths and
    hashes of a long run are never all in memory."""
    manifest: dict[str, Any] = {"schemaVersion": "1.0", **info, "files": _FILES}
    if key is not None:
        manifest["signer"] = {"algorithm": "Ed25519", "fingerprint": _signer(key)}
    head, tail = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).split(
        json.dumps(_FILES))
    count = 0
    with (folder / MANIFEST).open("w", encoding="utf-8", newline="\n") as out:
        out.write(head)
        for name, path in regular_files(folder):
            out.write(("{\n" if count == 0 else ",\n")
                      + f"    {json.dumps(name, ensure_ascii=False)}: \"{sha256(path)}\"")
            count += 1
        out.write("\n  }" if count else "{}")
        out.write(tail + "\n")
    if key is not None:
        (folder / SIGNATURE).write_text(sign(key, (folder / MANIFEST).read_bytes()) + "\n",
                                        encoding="ascii")
    return count


class KeysExist(Exception):
    """keygen would overwrite a key pair (every bundle signed with it would stop verifying)."""


def keygen(folder: Path, force: bool = False) -> tuple[Path, Path]:
    """An Ed25519 key pair as PEM files (the private one created 0600: readable by its owner
    only, from its first byte); KeysExist rather than overwrite a pair unless ``force``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder.mkdir(parents=True, exist_ok=True)
    private, public = folder / PRIVATE, folder / PUBLIC
    if not force and (private.exists() or public.exists()):
        raise KeysExist(f"{folder} already holds a key pair")
    key = Ed25519PrivateKey.generate()
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    private.unlink(missing_ok=True)
    handle = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def signer_fingerprint(key_file: Path) -> str:
    """The fingerprint a manifest signed with ``key_file`` will name (ValueError: not Ed25519)."""
    return _signer(key_file)


def _signer(key_file: Path) -> str:
    """The fingerprint of the private key's public half (ValueError: not an Ed25519 key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{key_file} is not an Ed25519 private key")
    return fingerprint(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))


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
    # absent | valid | invalid | other-key | unchecked (signed, no public key given)
    signature: str = "absent"
    notes: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  # links and special files: a bundle holds regular files only
    key_given: bool = False

    @property
    def files_intact(self) -> bool:
        return not (self.changed or self.missing or self.added or self.refused)

    @property
    def intact(self) -> bool:
        """Every file as recorded; with a public key, a valid signature by that key (a stripped
        signature is not intact)."""
        if self.key_given:
            return self.files_intact and self.signature == "valid"
        return self.files_intact and self.signature not in ("invalid", "other-key")


class NotABundle(Exception):
    """No readable manifest.json in the folder."""


class BadInput(Exception):
    """A malformed manifest, signature or key: said as such, never a traceback."""


def verify(folder: Path, public_key: Path | None = None) -> Verification:
    """Compare every file with the manifest; check the signature (required with a key)."""
    for own in (MANIFEST, SIGNATURE):
        path = folder / own
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise BadInput(f"{path}: not a regular file")
    try:
        raw = (folder / MANIFEST).read_bytes()
    except OSError as exc:
        raise NotABundle(f"{folder}: no readable {MANIFEST} ({exc.strerror or exc})") from exc
    try:
        manifest = json.loads(raw)
        recorded = manifest["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"{folder / MANIFEST}: malformed ({exc})") from exc
    if not isinstance(recorded, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in recorded.items()):
        raise BadInput(f"{folder / MANIFEST}: malformed ('files' must map paths to SHA-256 hashes)")
    key = _public_key(public_key) if public_key is not None else None
    refused = irregular(folder)
    present = bundle_files(folder)
    changed = tuple(sorted(p for p, h in recorded.items() if p in present and present[p] != h))
    missing = tuple(sorted(p for p in recorded if p not in present and p not in refused))
    added = tuple(sorted(p for p in present if p not in recorded))
    signature, notes = "absent", []
    if (folder / SIGNATURE).exists():
        text = (folder / SIGNATURE).read_text(encoding="ascii", errors="replace").strip()
        try:
            decoded = base64.b64decode(text, validate=True)
        except ValueError as exc:
            raise BadInput(f"{folder / SIGNATURE}: malformed (not base64)") from exc
        if key is None:
            signature = "unchecked"
            notes.append("signed, but no --public-key given: the signature was not checked")
        else:
            signature = _check(key, raw, decoded, manifest)
    elif key is not None:
        notes.append("no manifest.sig: the bundle is not signed (stripped?), yet a key was given")
    if signature == "other-key":
        notes.append("the signature was made with another key (the manifest names its fingerprint)"
                     + (": the files match their manifest" if not (changed or missing or added) else ""))
    elif signature == "invalid" and not (changed or missing or added):
        notes.append("the manifest was altered after signing, or signed by another key")
    return Verification(changed, missing, added, signature, tuple(notes), refused, key is not None)


def _public_key(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if b"PRIVATE KEY" in data:
        raise BadInput(f"{path}: this is a private key; give the public one ({PUBLIC})")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise BadInput(f"{path}: not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise BadInput(f"{path}: not an Ed25519 public key")
    return key


def _check(key: Any, data: bytes, signature: bytes, manifest: dict[str, Any]) -> str:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization

    try:
        key.verify(signature, data)
        return "valid"
    except InvalidSignature:
        pass
    signer = manifest.get("signer") if isinstance(manifest.get("signer"), dict) else {}
    given = fingerprint(key.public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    recorded = signer.get("fingerprint") if isinstance(signer, dict) else None
    return "other-key" if isinstance(recorded, str) and recorded != given else "invalid"
