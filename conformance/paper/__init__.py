"""Analysis of a printed ordonnance: pages, code 2D with boxes, text with positions (mm)."""

from __future__ import annotations

from conformance.paper.analyse import (
    PaperError,
    PaperPage,
    QrCode,
    TextLine,
    analyse_bytes,
    normalise,
)

__all__ = ["PaperError", "PaperPage", "QrCode", "TextLine", "analyse_bytes", "normalise"]
