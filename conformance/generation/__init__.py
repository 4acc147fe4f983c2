"""Generated prescriptions: Hypothesis strategies built on the identifier generators."""

from __future__ import annotations

from conformance.generation.strategies import LINE_TYPES, prescriptions

__all__ = ["LINE_TYPES", "prescriptions"]
