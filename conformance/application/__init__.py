"""The application layer: settings in, a session run, a result and an exit code out.

The CLI, the self-test, the tests and the benchmarks all go through here."""

from __future__ import annotations

from conformance.application.session import SessionOutcome, load_profile, run_session
from conformance.application.settings import (
    ApplicationError,
    Redaction,
    Selection,
    Settings,
    TlsSettings,
    default_jobs,
    parse_accepted,
    parse_headers,
)
from conformance.application.suite import check_catalogue, load_scenarios, requirement_catalogue

__all__ = [
    "ApplicationError",
    "Redaction",
    "Selection",
    "SessionOutcome",
    "Settings",
    "TlsSettings",
    "check_catalogue",
    "default_jobs",
    "load_profile",
    "load_scenarios",
    "parse_accepted",
    "parse_headers",
    "requirement_catalogue",
    "run_session",
]
