"""The target's adapter API over a bounded pool of httpx clients sharing one TLS context, with
whole-request deadlines and a response size limit."""

from __future__ import annotations

import functools
import heapq
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.targets import untrusted

REPORT_BODY_LIMIT = 16_384  # bytes of a JSON answer kept whole in the run's result and reports
REPORT_PREVIEW = 1_000  # bytes shown of a longer one (the evidence keeps it whole)
SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization",
                               "x-api-key", "x-auth-token"})


@dataclass(frozen=True)
class Limits:
    """Per-request timeout (seconds) and maximum response size (bytes)."""

    timeout: float = 10.0
    max_bytes: int = 20_000_000


@dataclass(frozen=True)
class Exchange:
    """One request and its response, or the transport error that replaced it."""

    method: str
    url: str
    request_body: Any
    status: int | None
    headers: dict[str, str]
    body: bytes
    elapsed: float
    error: str | None = None
    error_kind: str | None = None
    _json: list[Any] = field(default_factory=list, compare=False, repr=False)

    @property
    def content_type(self) -> str:
        """The response media type, without parameters."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON (cached); ValueError when it is not JSON."""
        if not self._json:
            self._json.append(untrusted.loads(self.body))
        return self._json[0]

    def summary(self, limit: int | None = None) -> dict[str, Any]:
        """A JSON-ready record (sensitive headers masked): a non-JSON body by its size; a JSON
        body whole, or past ``limit`` bytes by its beginning (the run's result keeps every
        step's record to the end: a target's growing answers must not grow the harness)."""
        shown: Any
        if limit is not None and len(self.body) > limit and "json" in self.content_type:
            start = self.body[:REPORT_PREVIEW].decode("utf-8", errors="replace")
            shown = f"<{len(self.body)} bytes of JSON, over the report's {limit}: whole in the " \
                    f"step's evidence> {start}…"
            return self._record(shown)
        try:
            shown = self.json() if self.body and "json" in self.content_type else None
        except ValueError:
            shown = None
        if shown is None and self.body:
            shown = f"<{len(self.body)} bytes of {self.content_type or 'unknown type'}>"
        return self._record(shown)

    def _record(self, shown: Any) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "request": self.request_body,
            "status": self.status,
            "headers": {k: ("<redacted>" if k in SENSITIVE_HEADERS else v)
                        for k, v in self.headers.items()},
            "response": shown,
            "elapsedMs": round(self.elapsed * 1000, 2),
            "error": self.error,
        }


class _Watchdog:
    """One daemon thread that runs a callback when its deadline passes, unless disarmed.

    Arming costs a heap push (microseconds), where a threading.Timer per request would start a
    thread (about 0.15 ms): the per-step overhead budget is 0.5 ms."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._live: set[int] = set()
        self._next = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, callback: Callable[[], None]) -> int:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="deadline-watchdog", daemon=True)
                self._thread.start()
            self._next += 1
            heapq.heappush(self._heap, (deadline, self._next, callback))
            self._live.add(self._next)
            self._cond.notify()
            return self._next

    def disarm(self, ticket: int) -> None:
        with self._cond:
            self._live.discard(ticket)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)  # disarmed: forget it
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, ticket, callback = self._heap[0]
                delay = deadline - time.perf_counter()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
                self._live.discard(ticket)
            callback()


WATCHDOG = _Watchdog()


@functools.cache
def system_tls() -> ssl.SSLContext:
    """The system CAs, verification on: built once per process and shared by every client (each
    httpx client would otherwise load the CA bundle again: ~30 ms and ~1 MB a client)."""
    return ssl.create_default_context()


def tls_context(ca: str | None = None, cert: tuple[str, str] | None = None) -> ssl.SSLContext:
    """Verification always on (system CAs, or ``ca``); ``cert`` = (certificate, key) for mTLS.

    ssl.SSLError or OSError when a file cannot be loaded."""
    context = ssl.create_default_context(cafile=ca)
    if cert is not None:
        context.load_cert_chain(cert[0], cert[1])
    return context


class HttpTarget:
    """The target's adapter API over a pool of httpx clients.

    A request borrows an idle client (or a new one) and gives it back: as many clients as
    requests ever in flight together (``--jobs``), each reused with its connections, all
    closed at the end. A deadline abort closes only the client of the request that overran,
    never a neighbour's; a closed client is not given back."""

    def __init__(self, base_url: str, limits: Limits | None = None,
                 transport: httpx.BaseTransport | None = None,
                 verify: bool | ssl.SSLContext = True,
                 headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.base_url = base_url.rstrip("/")
        self.limits = limits or Limits()
        self._options: dict[str, Any] = {"base_url": self.base_url, "timeout": self.limits.timeout,
                                         "transport": transport,
                                         "verify": system_tls() if verify is True else verify,
                                         "follow_redirects": False, "headers": list(headers)}
        self._idle: list[httpx.Client] = []
        self._clients: list[httpx.Client] = []
        self._lock = threading.Lock()
        self._cancelled = threading.Event()

    @property
    def clients(self) -> int:
        """How many clients are open (idle or lent)."""
        with self._lock:
            return len(self._clients)

    def _borrow(self) -> httpx.Client:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        client = httpx.Client(**self._options)
        with self._lock:
            self._clients.append(client)
        return client

    def _give_back(self, client: httpx.Client) -> None:
        with self._lock:
            if client.is_closed or self._cancelled.is_set():
                if client in self._clients:
                    self._clients.remove(client)
                client.close()
            else:
                self._idle.append(client)

    def cancel(self) -> None:
        """The run is stopping: requests in flight end now, later ones are not sent."""
        self._cancelled.set()
        self.close()

    def close(self) -> None:
        """Close every client."""
        with self._lock:
            clients, self._clients, self._idle = self._clients, [], []
        for client in clients:
            client.close()

    def send(self, method: str, path: str, body: Any = None,
             params: dict[str, Any] | None = None) -> Exchange:
        """Send one request; transport failures come back as an Exchange with ``error``."""
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        url = self.base_url + path
        start = time.perf_counter()
        if self._cancelled.is_set():
            return self._failed(method, url, body, start, "interrupted: the run is stopping",
                                "interrupted")
        # httpx times each read: a target dripping one byte at a time never trips it. A
        # watchdog enforces the whole-request deadline (headers), the read loop the body's.
        client = self._borrow()
        aborted = threading.Event()

        def abort() -> None:  # the deadline passed: close the connections under the blocked read
            aborted.set()
            client.close()

        ticket = WATCHDOG.arm(start + self.limits.timeout, abort)
        try:
            request = client.build_request(method, path, json=body, params=clean or None)
            url = str(request.url)
            response = client.send(request, stream=True)
            try:
                data = self._read(response, start + self.limits.timeout)
            finally:
                response.close()
        except _TooLarge as exc:
            return Exchange(method, url, body, response.status_code, dict(response.headers),
                            b"", time.perf_counter() - start, str(exc), "too-large")
        except _Deadline:
            return self._failed(method, url, body, start, f"timeout: the response took more than "
                                f"{self.limits.timeout}s in all (slow drip)", "timeout")
        except (httpx.HTTPError, httpx.InvalidURL, RuntimeError, OSError) as exc:
            if self._cancelled.is_set():
                return self._failed(method, url, body, start, "interrupted: the run is stopping",
                                    "interrupted")
            if not aborted.is_set():
                return self._transport_error(method, url, body, start, exc)
            return self._failed(method, url, body, start, f"timeout: no complete answer within "
                                f"{self.limits.timeout}s ({type(exc).__name__})", "timeout")
        finally:
            WATCHDOG.disarm(ticket)
            self._give_back(client)  # a client closed by an abort is dropped, not lent again
        return Exchange(method, url, body, response.status_code, dict(response.headers), data,
                        time.perf_counter() - start)

    def _transport_error(self, method: str, url: str, body: Any, start: float,
                         exc: BaseException) -> Exchange:
        """A transport failure, classified: timeout, connect, or protocol."""
        if isinstance(exc, httpx.TimeoutException):
            return self._failed(method, url, body, start, f"timeout after {self.limits.timeout}s "
                                f"({type(exc).__name__})", "timeout")
        if isinstance(exc, httpx.ConnectError):
            return self._failed(method, url, body, start, f"connection failed: {exc}", "connect")
        return self._failed(method, url, body, start, f"{type(exc).__name__}: {exc}", "protocol")

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > self.limits.max_bytes:
            raise _TooLarge(f"response of {int(announced)} bytes announced, over the limit of "
                            f"{self.limits.max_bytes}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.limits.max_bytes:
                raise _TooLarge(f"response larger than {self.limits.max_bytes} bytes")
            if time.perf_counter() > deadline:
                raise _Deadline
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _failed(method: str, url: str, body: Any, start: float, error: str, kind: str) -> Exchange:
        return Exchange(method, url, body, None, {}, b"", time.perf_counter() - start, error, kind)


class _TooLarge(Exception):
    pass


class _Deadline(Exception):
    pass
