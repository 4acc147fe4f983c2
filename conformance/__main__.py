"""The ``conformance`` command (and ``python -m conformance``).

A Ctrl-C while Python is still importing the command ends quietly too: until the command's
own handling is in place, SIGINT prints one line and exits 130 (no traceback)."""

from __future__ import annotations

import os
import signal


def _early_interrupt(signum: int, frame: object) -> None:
    os.write(2, b"error: interrupted before the run started: no report written\n")
    os._exit(130)


def _name_process() -> None:
    """``conformance`` in ps/top (and /proc/PID/comm), also under ``python -m conformance``:
    the mark that the command's own code runs (before it, a Ctrl-C is the interpreter's)."""
    try:
        with open("/proc/self/comm", "w", encoding="ascii") as comm:
            comm.write("conformance")
    except OSError:
        pass  # not Linux: the name is cosmetic


def run() -> None:
    """Entry point of the ``conformance`` script. The quiet early handling lasts until a
    command's own code starts (``cli.common.application_errors`` hands SIGINT back to Python):
    a Ctrl-C while click still parses the command line would otherwise be click's 'Aborted!'
    and exit 1. A SIGINT the parent ignores (a background command of a shell without job
    control) stays ignored."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _early_interrupt)
    _name_process()
    from conformance.cli.main import main

    main()


if __name__ == "__main__":
    run()
