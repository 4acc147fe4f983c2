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
from conformance.paper.reader import InProcessReader, PaperReader

__all__ = ["InProcessReader", "PaperError", "PaperPage", "PaperReader", "QrCode", "TextLine",
           "analyse_bytes", "normalise"]
