"""The evidence bundle: per-step evidence, manifest, signature, verification."""

from __future__ import annotations

from conformance.evidence.layout import step_dir

__all__ = ["step_dir"]
