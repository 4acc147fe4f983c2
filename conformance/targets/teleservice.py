"""Control access to the teleservice simulator: journal and fault injection."""

from __future__ import annotations

from typing import Any

import httpx


class TeleserviceUnavailable(Exception):
    """The simulator's control API could not be reached or answered badly."""


class TeleserviceControl:
    """Reads the simulator's journal and injects faults; absent for a real platform."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(base_url=self.base_url, timeout=timeout)

    def close(self) -> None:
        """Close the client."""
        self.client.close()

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

    def journal(self, since: int = 0, pid: str | None = None,
                operation: str | None = None) -> list[dict[str, Any]]:
        """Journal entries after ``since``."""
        params = {k: v for k, v in (("since", since), ("id", pid), ("operation", operation)) if v}
        entries: list[dict[str, Any]] = self._get("/journal", params)["entries"]
        return entries

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
