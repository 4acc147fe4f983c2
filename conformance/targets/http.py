"""One shared httpx client per run, with timeouts and a response size limit."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization",
                               "x-api-key"})


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
            self._json.append(json.loads(self.body))
        return self._json[0]

    def summary(self) -> dict[str, Any]:
        """A JSON-ready record for reports (headers redacted, body truncated)."""
        shown: Any
        try:
            shown = self.json() if self.body and "json" in self.content_type else None
        except ValueError:
            shown = None
        if shown is None and self.body:
            shown = f"<{len(self.body)} bytes of {self.content_type or 'unknown type'}>"
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


class HttpTarget:
    """The target's adapter API over one httpx client."""

    def __init__(self, base_url: str, limits: Limits | None = None,
                 transport: httpx.BaseTransport | None = None, verify: bool | str = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.limits = limits or Limits()
        self.client = httpx.Client(base_url=self.base_url, timeout=self.limits.timeout,
                                   transport=transport, verify=verify, follow_redirects=False)

    def close(self) -> None:
        """Close the client."""
        self.client.close()

    def send(self, method: str, path: str, body: Any = None,
             params: dict[str, Any] | None = None) -> Exchange:
        """Send one request; transport failures come back as an Exchange with ``error``."""
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        url = self.base_url + path
        start = time.perf_counter()
        try:
            request = self.client.build_request(method, path, json=body, params=clean or None)
            url = str(request.url)
            response = self.client.send(request, stream=True)
            try:
                data = self._read(response)
            finally:
                response.close()
        except _TooLarge as exc:
            return Exchange(method, url, body, response.status_code, dict(response.headers),
                            b"", time.perf_counter() - start, str(exc), "too-large")
        except httpx.TimeoutException as exc:
            return self._failed(method, url, body, start, f"timeout after {self.limits.timeout}s "
                                f"({type(exc).__name__})", "timeout")
        except httpx.ConnectError as exc:
            return self._failed(method, url, body, start, f"connection failed: {exc}", "connect")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return self._failed(method, url, body, start, f"{type(exc).__name__}: {exc}", "protocol")
        return Exchange(method, url, body, response.status_code, dict(response.headers), data,
                        time.perf_counter() - start)

    def _read(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.limits.max_bytes:
                raise _TooLarge(f"response larger than {self.limits.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _failed(method: str, url: str, body: Any, start: float, error: str, kind: str) -> Exchange:
        return Exchange(method, url, body, None, {}, b"", time.perf_counter() - start, error, kind)


class _TooLarge(Exception):
    pass
