"""Run an ASGI application with uvicorn on loopback, in a background thread or in the foreground."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one."""
    # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on such sockets, and without it
    # keep-alive requests wait 40 ms for delayed ACKs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _config(app: Any, log: bool) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        # quiet unless asked: a target's crash is reported as an anomaly, not as a traceback
        log_level="info" if log else "critical",
        access_log=log,
        lifespan="on",
        timeout_graceful_shutdown=3,
    )


@dataclass
class BackgroundServer:
    """A uvicorn server running in a daemon thread; ``url`` is ready once started."""

    app: Any
    host: str = "127.0.0.1"
    port: int = 0
    log: bool = False
    url: str = ""
    _server: uvicorn.Server | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving and wait until the server accepts connections."""
        sock = bind(self.host, self.port)
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        server = uvicorn.Server(_config(self.app, self.log))
        self._server = server
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"server on {self.url} did not start")
            time.sleep(0.005)
        return self

    def request_stop(self) -> None:
        """Ask the server to stop (it notices within uvicorn's 0.1 s tick)."""
        if self._server is not None:
            self._server.should_exit = True

    def stop(self) -> None:
        """Ask the server to stop and wait for its thread (a few seconds at most)."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_foreground(app: Any, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM, logging one line per request."""
    sock = bind(host, port)
    bound = sock.getsockname()
    print(f"listening on http://{bound[0]}:{bound[1]}", flush=True)
    uvicorn.Server(_config(app, log=True)).run(sockets=[sock])
