"""What the checks call to read a paper: ``PaperReader``. A run always reads through the
``Sandbox`` (confined workers); ``InProcessReader`` is the seam for unit tests on trusted
pages drawn by the tests themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from conformance.paper.analyse import DPI, Box, PaperPage, analyse_bytes

if TYPE_CHECKING:
    from conformance.cda.kit import RuleSet
    from conformance.cda.record import CdaRecord
    from conformance.paper.ocr import OcrText


class PaperReader(Protocol):
    def analyse(self, data: bytes) -> list[PaperPage]:
        """The analysed pages; PaperError (with its kind) when the paper cannot be read."""
        ...

    def degraded(self, data: bytes, page: int, box: Box,
                 expect: str | None = None) -> list[str | None]:
        """QR-06: the payloads decoded from degraded scans of the code at ``box`` (with
        ``expect``, only as many frames as settle the verdict)."""
        ...

    def cda(self, data: bytes, rules: RuleSet | None = None) -> CdaRecord:
        """A CDA document's facts (the ANS rules' findings too with ``rules``), or a refused
        record classifying why it cannot be read."""
        ...

    def ocr(self, data: bytes) -> OcrText:
        """A scan's or photo's text read by Tesseract; PaperError when it cannot be (not
        installed, a crash, an overrun: its kind classifies it)."""
        ...


class InProcessReader:
    """Reads in this process, with no limits: for tests on trusted bytes only."""

    def __init__(self, picture_dpi: int | None = None) -> None:
        self.picture_dpi = picture_dpi

    def analyse(self, data: bytes) -> list[PaperPage]:
        return analyse_bytes(data, DPI, self.picture_dpi)

    def degraded(self, data: bytes, page: int, box: Box,
                 expect: str | None = None) -> list[str | None]:
        from conformance.paper.degrade import Degradation, degraded_decode

        return degraded_decode(data, page, box, Degradation(), expect)

    def cda(self, data: bytes, rules: RuleSet | None = None) -> CdaRecord:
        from conformance.cda.analyse import analyse_cda

        return analyse_cda(data, rules)

    def ocr(self, data: bytes) -> OcrText:
        from conformance.paper.ocr import ocr_image

        return ocr_image(data)


class WithCdaRules:
    """A reader whose ``cda`` also runs the ANS rules of a kit (``--cda-rules``): what the
    session and ``inspect cda`` hand the checks."""

    def __init__(self, reader: PaperReader, rules: RuleSet) -> None:
        self.reader, self.rules = reader, rules

    def analyse(self, data: bytes) -> list[PaperPage]:
        return self.reader.analyse(data)

    def degraded(self, data: bytes, page: int, box: Box,
                 expect: str | None = None) -> list[str | None]:
        return self.reader.degraded(data, page, box, expect)

    def cda(self, data: bytes, rules: RuleSet | None = None) -> CdaRecord:
        return self.reader.cda(data, rules or self.rules)

    def ocr(self, data: bytes) -> OcrText:
        return self.reader.ocr(data)
