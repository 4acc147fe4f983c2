"""The reference holds itself to the adapter contract: request bodies and query parameters are
checked against it (after the business rules, which name their rule), so what the contract
calls invalid is refused with a 400, never served."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import jsonschema
import yaml

from conformance.paths import CONTRACT


@functools.cache
def _spec() -> dict[str, Any]:
    return dict(yaml.safe_load(CONTRACT.read_text(encoding="utf-8")))


def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


@functools.cache
def _validator(ref: str) -> jsonschema.Draft202012Validator:
    spec = _spec()
    checker = jsonschema.FormatChecker()
    checker.checks("date")(_date)
    return jsonschema.Draft202012Validator({"$ref": ref, "components": spec["components"]},
                                           format_checker=checker)


def body_problem(body: Any) -> str | None:
    """Why a create body breaks the contract (the first reason), or None."""
    for error in _validator("#/components/schemas/CreateRequest").iter_errors(body):
        where = ".".join(map(str, error.absolute_path)) or "body"
        return f"{where}: {error.message[:200]}"
    return None


@functools.cache
def _parameters(path: str) -> dict[str, dict[str, Any]]:
    operation = _spec()["paths"][path]["get"]
    out = {}
    for param in operation.get("parameters", []):
        if "$ref" in param:
            continue
        if param.get("in") == "query":
            out[param["name"]] = param["schema"]
    return out


def query_problem(path: str, query: Mapping[str, str], repeated: Mapping[str, int]) -> str | None:
    """Why the query of GET ``path`` breaks the contract (a value, or a parameter given twice)."""
    checker = jsonschema.FormatChecker()
    checker.checks("date")(_date)
    for name, schema in _parameters(path).items():
        if repeated.get(name, 0) > 1:
            return f"'{name}' is given {repeated[name]} times"
        if name not in query:
            continue
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(schema, format_checker=checker).iter_errors(query[name]))
        if error is not None:
            return f"'{name}': {error.message[:200]}"
    return None
