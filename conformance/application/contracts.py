"""``contract`` and ``example``: the OpenAPI contracts and the tutorial's software, from the
installed package (an installed user has no checkout to read them from)."""

from __future__ import annotations

from pathlib import Path

from conformance.application.settings import ApplicationError
from conformance.paths import BUNDLED_EXAMPLES, CONTRACT, TELESERVICE_CONTRACT

CONTRACTS = {"adapter": CONTRACT, "teleservice": TELESERVICE_CONTRACT}
EXAMPLES = ("minilap",)


def contract_text(name: str) -> str:
    """The OpenAPI contract ``name`` (adapter or teleservice), as shipped."""
    if name not in CONTRACTS:
        raise ApplicationError(f"unknown contract {name!r}\n  = choose one of: {', '.join(CONTRACTS)}")
    return CONTRACTS[name].read_text(encoding="utf-8")


def write_contract(name: str, destination: Path) -> Path:
    """Write the contract ``name`` to ``destination`` (a file, or a folder that receives it)."""
    text = contract_text(name)
    if destination.is_dir():
        destination = destination / CONTRACTS[name].name
    try:
        destination.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ApplicationError(f"cannot write {destination}: {exc.strerror or exc}") from exc
    return destination


def copy_example(name: str, destination: Path) -> list[Path]:
    """Copy the example ``name``'s source files into ``destination`` (created); never overwrite."""
    if name not in EXAMPLES:
        raise ApplicationError(f"unknown example {name!r}\n  = choose one of: {', '.join(EXAMPLES)}")
    sources = sorted(p for p in (BUNDLED_EXAMPLES / name).iterdir() if p.suffix in (".py", ".md"))
    taken = [destination / p.name for p in sources if (destination / p.name).exists()]
    if taken:
        raise ApplicationError(f"{taken[0]} already exists: nothing copied\n  = choose another -o "
                               "folder, or move your copy away")
    try:
        destination.mkdir(parents=True, exist_ok=True)
        for source in sources:
            (destination / source.name).write_bytes(source.read_bytes())
    except OSError as exc:
        raise ApplicationError(f"cannot write in {destination}: {exc.strerror or exc}") from exc
    return [destination / p.name for p in sources]
