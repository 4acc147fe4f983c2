"""Control access to the teleservice simulator: journal and fault injection."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx

from conformance.targets.http import system_tls


class TeleserviceUnavailable(Exception):
    """The simulator's control API could not be reached or answered badly."""


class SimulatorBusy(Exception):
    """Another run holds the simulator (its journal and faults are the whole simulator's)."""


class TeleserviceControl:
    """Reads the simulator's journal and injects faults; absent for a real platform."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(base_url=self.base_url, timeout=timeout, verify=system_tls())
        self.holder: str | None = None

    def close(self, release_timeout: float = 2.0) -> None:
        """Release the simulator (when this run held it) and close the client."""
        if self.holder is not None and not self.client.is_closed:
            with contextlib.suppress(httpx.HTTPError, RuntimeError):
                self.client.request("DELETE", "/lease", json={"holder": self.holder},
                                    timeout=release_timeout)
        self.holder = None
        self.client.close()

    def acquire(self, holder: str) -> None:
        """Hold the simulator for this run; SimulatorBusy when another run holds it."""
        try:
            response = self.client.post("/lease", json={"holder": holder})
        except httpx.HTTPError as exc:
            raise TeleserviceUnavailable(f"teleservice control /lease: {exc}") from exc
        if response.status_code == 409:
            try:
                detail = str(response.json().get("detail", ""))
            except ValueError:
                detail = ""
            raise SimulatorBusy(detail[:300] or "in use by another run")
        if response.status_code == 404:
            return  # a simulator of an older version: no lease to take
        if response.status_code != 200:
            raise TeleserviceUnavailable(f"teleservice control /lease: HTTP {response.status_code}")
        self.holder = holder
        self.client.headers["x-conformance-run"] = holder  # every later call renews the lease

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = self.client.get(path, params=params)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError, RuntimeError) as exc:  # RuntimeError: closed (stopping)
            raise TeleserviceUnavailable(f"teleservice control {path}: {exc}") from exc

    def cursor(self) -> int:
        """The journal's current position."""
        return int(self._get("/journal", {"since": 1 << 62})["cursor"])

    def journal(self, since: int = 0, pid: str | None = None, operation: str | None = None,
                limit: int | None = None, bodies: bool = True) -> list[dict[str, Any]]:
        """Journal entries after ``since`` (the ``limit`` oldest of them when given); without
        ``bodies``, no context, request or response (a simulator that ignores it sends them)."""
        params = {k: v for k, v in (("since", since), ("id", pid), ("operation", operation),
                                    ("limit", limit), ("bodies", None if bodies else "false")) if v}
        entries: list[dict[str, Any]] = self._get("/journal", params)["entries"]
        return entries

    def journal_pages(self, since: int = 0, operation: str | None = None,
                      page: int = 100, bodies: bool = True) -> Iterator[list[dict[str, Any]]]:
        """The journal after ``since`` page by page (a whole run's journal read at once was the
        peak of a long run's memory; a page of 500 entries, bodies and all, still was the end
        of a generated run's: about 13 MiB parsed at once). A simulator that ignores ``limit``
        gives it all at once, then nothing."""
        while True:
            entries = self.journal(since, operation=operation, limit=page, bodies=bodies)
            if entries:
                yield entries
            if len(entries) < page:
                return
            since = int(entries[-1]["seq"])

    def fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Inject a fault (or clear them all with ``{"fault": "clear"}``)."""
        try:
            if spec.get("fault") == "clear":
                response = self.client.delete("/faults")
            else:
                body = {"operation": spec.get("operation", "*"), "kind": spec["fault"],
                        "count": spec.get("count")}
                if "delayMs" in spec:
                    body["delayMs"] = spec["delayMs"]
                response = self.client.post("/faults", json=body)
            response.raise_for_status()
            result: dict[str, Any] = response.json()
            return result
        except (httpx.HTTPError, ValueError, RuntimeError) as exc:
            raise TeleserviceUnavailable(f"teleservice faults: {exc}") from exc

    def dispense(self, body: dict[str, Any]) -> httpx.Response:
        """EP1 as a pharmacist."""
        try:
            return self.client.post("/ep1/executions", json=body)
        except (httpx.HTTPError, RuntimeError) as exc:
            raise TeleserviceUnavailable(f"EP1: {exc}") from exc
