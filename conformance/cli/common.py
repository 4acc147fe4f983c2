"""What every command shares: the error format and the mapping of outcomes to exit codes."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from conformance.application import ApplicationError
from conformance.vocabulary import ExitCode

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    """Print an error (no traceback) and exit."""
    click.echo(message if message.startswith("error:") else f"error: {message}", err=True)
    sys.exit(int(code))


def interrupted_early() -> NoReturn:
    """Ctrl-C before a run started: one line, exit 130, and nothing else. The process ends
    here (os._exit): an interrupt that landed inside an import would otherwise make the
    interpreter re-raise SIGINT at exit and die by the signal instead of this code."""
    click.echo("error: interrupted before the run started: no report written", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(ExitCode.INTERRUPTED))


def exit_with(code: ExitCode) -> NoReturn:
    """End the command with ``code``."""
    sys.exit(int(code))


def application_errors(fn: F) -> F:
    """Turn the application layer's ApplicationError into its message and exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            # the command's own handling starts here: a Ctrl-C is a KeyboardInterrupt again
            # (the early, quiet handling of __main__ ends), unless the parent ignores SIGINT
            if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
                with contextlib.suppress(ValueError):  # not the main thread (a test's runner)
                    signal.signal(signal.SIGINT, signal.default_int_handler)
            return fn(*args, **kwargs)
        except ApplicationError as exc:
            fail(exc.message, exc.code)
        except KeyboardInterrupt:
            interrupted_early()

    return wrapper  # type: ignore[return-value]
