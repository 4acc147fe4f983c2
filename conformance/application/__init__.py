"""The application layer: settings in, a session run, a result and an exit code out.

The CLI, the self-test, the tests and the benchmarks all go through here. Names are loaded
when first used (PEP 562): ``conformance --help`` and a Ctrl-C right after the start never
wait for the engine, httpx or the PDF libraries to import."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from conformance.application.settings import (
    ApplicationError,
    Redaction,
    Selection,
    Settings,
    TlsSettings,
    default_jobs,
    parse_accepted,
    parse_headers,
    parse_shard,
)

if TYPE_CHECKING:
    from conformance.application import (
        adapter,
        baseline,
        bundles,
        campaign,
        contracts,
        inspection,
        merge,
        selftest,
        servers,
    )
    from conformance.application.session import SessionOutcome, load_profile, run_session
    from conformance.application.suite import check_catalogue, load_scenarios, requirement_catalogue

_LAZY = {"SessionOutcome": "session", "load_profile": "session", "run_session": "session",
         "check_catalogue": "suite", "load_scenarios": "suite", "requirement_catalogue": "suite"}
_MODULES = ("adapter", "baseline", "bundles", "campaign", "contracts", "inspection", "merge",
            "selftest", "servers", "session", "suite")


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return _load(f"{__name__}.{name}")
    if name in _LAZY:
        return getattr(_load(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _load(module: str) -> Any:
    """Import ``module`` with Ctrl-C held until it is done, then delivered: a KeyboardInterrupt
    inside a C extension's initialisation (ssl's, say) comes out as an ImportError, a traceback
    instead of the command's one line and exit 130."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        return importlib.import_module(module)
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return importlib.import_module(module)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


__all__ = [
    "ApplicationError",
    "Redaction",
    "Selection",
    "SessionOutcome",
    "Settings",
    "TlsSettings",
    "adapter",
    "baseline",
    "bundles",
    "campaign",
    "check_catalogue",
    "contracts",
    "default_jobs",
    "inspection",
    "load_profile",
    "load_scenarios",
    "merge",
    "parse_accepted",
    "parse_headers",
    "parse_shard",
    "requirement_catalogue",
    "run_session",
    "selftest",
    "servers",
]
