"""What every command shares: the error format and the mapping of outcomes to exit codes."""

from __future__ import annotations

import functools
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


def exit_with(code: ExitCode) -> NoReturn:
    """End the command with ``code``."""
    sys.exit(int(code))


def application_errors(fn: F) -> F:
    """Turn the application layer's ApplicationError into its message and exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ApplicationError as exc:
            fail(exc.message, exc.code)
        except KeyboardInterrupt:
            fail("interrupted before the run started: no report written", ExitCode.INTERRUPTED)

    return wrapper  # type: ignore[return-value]
