"""What ``validate`` knows of the adapter contract: request body schemas and capability names."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jsonschema
import yaml

from conformance.paths import CONTRACT


@functools.cache
def spec() -> dict[str, Any]:
    """The adapter contract (OpenAPI 3.1), read once."""
    return dict(yaml.safe_load(CONTRACT.read_text(encoding="utf-8")))


@functools.cache
def _create_validator() -> jsonschema.Draft202012Validator:
    contract = spec()
    body = contract["paths"]["/prescriptions"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator({**schema, "components": contract["components"]})


@functools.cache
def capabilities() -> tuple[str, ...]:
    """Every capability a scenario may ``need``: the contract's flags and line types."""
    schemas = spec()["components"]["schemas"]
    about = schemas["About"]["properties"]["capacites"]["properties"]
    flags = [name for name, prop in about.items() if prop.get("type") == "boolean"]
    return tuple(sorted({*flags, *schemas["TypeLigne"]["enum"]}))


@functools.cache
def line_types() -> tuple[str, ...]:
    """The line types the contract knows (TypeLigne)."""
    return tuple(spec()["components"]["schemas"]["TypeLigne"]["enum"])


@dataclass(frozen=True)
class BodyError:
    """One way a create body breaks the contract, at a path inside it."""

    path: tuple[str | int, ...]
    message: str
    kind: str  # the JSON Schema keyword: type, required, pattern…


def create_body_errors(body: dict[str, Any]) -> list[BodyError]:
    """The contract's complaints about a create body (``${…}`` strings are not judged)."""
    out = []
    for error in _create_validator().iter_errors(body):
        if isinstance(error.instance, str) and "${" in error.instance:
            continue  # interpolated at run time
        out.append(BodyError(tuple(error.absolute_path), error.message, str(error.validator)))
    return sorted(out, key=lambda e: [str(p) for p in e.path])
