"""Fault injection of the simulator: per operation, for N calls or until cleared."""

from __future__ import annotations

import threading
from dataclasses import dataclass

OPERATIONS = ("EP4", "EP3", "EP2", "EP1")
KINDS = ("unavailable", "timeout", "error", "latency")


@dataclass(frozen=True)
class Fault:
    """One injected fault: ``kind`` on ``operation`` (or ``*``), ``remaining`` calls or forever."""

    operation: str
    kind: str
    remaining: int | None = None
    delay_ms: int = 0

    def to_json(self) -> dict[str, object]:
        """JSON form, as the control endpoint shows it."""
        return {
            "operation": self.operation,
            "kind": self.kind,
            "count": self.remaining,
            "delayMs": self.delay_ms,
        }


class FaultBoard:
    """The active faults; ``take`` consumes one call of the first matching fault."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Activate a fault (it takes precedence over older ones)."""
        with self._lock:
            self._faults.insert(0, fault)

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        """The faults currently active."""
        with self._lock:
            return list(self._faults)

    def take(self, operation: str) -> Fault | None:
        """The fault to apply to this call of ``operation``, if any, counting it down."""
        with self._lock:
            for i, fault in enumerate(self._faults):
                if fault.operation not in (operation, "*"):
                    continue
                if fault.remaining is not None:
                    left = fault.remaining - 1
                    if left <= 0:
                        del self._faults[i]
                    else:
                        self._faults[i] = Fault(fault.operation, fault.kind, left, fault.delay_ms)
                return fault
        return None
