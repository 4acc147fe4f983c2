"""``serve``: the reference implementation or the teleservice simulator, in the foreground."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from conformance.application.settings import ApplicationError


def fault_catalogue() -> dict[str, str]:
    """The reference's faults and their descriptions."""
    from conformance.reference.faults import FAULTS

    return dict(FAULTS)


def fuzz_only_faults() -> frozenset[str]:
    """The faults only fuzzing finds (ROB-01/ROB-02): a run without --fuzz cannot see them."""
    from conformance.reference.faults import FUZZ_ONLY

    return FUZZ_ONLY


@contextlib.contextmanager
def _listening(host: str, port: int) -> Iterator[None]:
    """A port already taken, or an address that is not this machine's: one clear line."""
    try:
        yield
    except OSError as exc:
        raise ApplicationError(f"cannot listen on {host}:{port}: {exc.strerror or exc}\n  = choose "
                               "another --port (0 picks a free one), or stop what uses it") from exc


def serve_simulator(host: str, port: int, db: str | None) -> None:
    """The simulator until Ctrl-C (SQLite in memory unless ``db``)."""
    from conformance.serving import serve_foreground
    from conformance.simulator import Store, create_app

    with contextlib.suppress(KeyboardInterrupt), _listening(host, port):  # Ctrl-C stops a server
        serve_foreground(create_app(Store(db or ":memory:")), host, port)


def serve_reference(host: str, port: int, teleservice: str | None, faults: tuple[str, ...],
                    announce: Callable[[str], None]) -> None:
    """The reference until Ctrl-C, wired to ``teleservice`` or to a simulator of its own."""
    from conformance.reference import create_app as reference_app
    from conformance.reference.faults import check_names
    from conformance.serving import BackgroundServer, serve_foreground

    try:
        check_names(list(faults))
    except ValueError as exc:
        raise ApplicationError(str(exc)) from exc
    own = None
    if teleservice is None:
        from conformance.simulator import create_app as simulator_app

        own = BackgroundServer(simulator_app()).start()
        teleservice = own.url
        announce(f"teleservice simulator on {teleservice}")
    try:
        with _listening(host, port):
            serve_foreground(reference_app(teleservice, faults), host, port)
    except KeyboardInterrupt:  # Ctrl-C is how a server is stopped
        pass
    finally:
        if own is not None:
            own.stop()
