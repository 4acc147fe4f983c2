"""The reference implementation: a correct editor side of the adapter API, with optional faults."""

from __future__ import annotations

from conformance.reference.app import create_app
from conformance.reference.faults import FAULTS

__all__ = ["FAULTS", "create_app"]
