"""The evidence bundle: redaction, per-step evidence, manifest, signature, verification."""

from __future__ import annotations

from conformance.evidence.layout import step_dir
from conformance.evidence.privacy import Redactor

__all__ = ["Redactor", "step_dir"]
