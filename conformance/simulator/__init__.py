"""Teleservice simulator: a JSON stand-in for EP4, EP3, EP2 and EP1 with a journal and faults."""

from __future__ import annotations

from conformance.simulator.app import create_app
from conformance.simulator.store import Store

__all__ = ["Store", "create_app"]
