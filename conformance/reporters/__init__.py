"""Reporters: handlers of the event stream (console, evidence, json, junit, html, markdown)."""

from __future__ import annotations

from conformance.reporters.jsonreport import SCHEMA_VERSION, to_dict, write_json
from conformance.reporters.junit import write_junit
from conformance.reporters.summary import by_operation

__all__ = ["SCHEMA_VERSION", "by_operation", "to_dict", "write_json", "write_junit"]
