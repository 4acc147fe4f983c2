"""The embedded default: the teleservice simulator and the reference on loopback threads."""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.serving import BackgroundServer


@dataclass
class EmbeddedWorld:
    """Starts the simulator, then the reference wired to it (with optional faults)."""

    faults: tuple[str, ...] = ()
    simulator: BackgroundServer | None = field(default=None, init=False)
    reference: BackgroundServer | None = field(default=None, init=False)

    @property
    def target_url(self) -> str:
        """The reference's base URL."""
        assert self.reference is not None
        return self.reference.url

    @property
    def teleservice_url(self) -> str:
        """The simulator's base URL."""
        assert self.simulator is not None
        return self.simulator.url

    def start(self) -> EmbeddedWorld:
        """Start both servers (the reference validates fault names first)."""
        from conformance.reference import create_app as reference_app
        from conformance.simulator import create_app as simulator_app
        from conformance.simulator.store import Store

        # a private on-disk SQLite database (deleted on close), not ':memory:': its page cache is
        # bounded, so a run of thousands of prescriptions does not hold their journal in memory
        self.simulator = BackgroundServer(simulator_app(Store(""))).start()
        try:
            self.reference = BackgroundServer(reference_app(self.simulator.url, self.faults)).start()
        except BaseException:
            self.simulator.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop both servers, together (each shutdown waits on its own loop's tick)."""
        servers = [s for s in (self.reference, self.simulator) if s is not None]
        for server in servers:
            server.request_stop()
        for server in servers:
            server.stop()

    def __enter__(self) -> EmbeddedWorld:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
