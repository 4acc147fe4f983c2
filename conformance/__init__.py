"""epresc-conformance: conformance harness for the French ordonnance numérique."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
