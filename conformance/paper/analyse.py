"""Render PDF pages (pypdfium2), decode QR codes (zxing-cpp), extract text lines in mm.

Coordinates: millimetres from the page's top-left corner, x right, y down (PDF's own
origin is bottom-left in points; images are top-left in pixels: both are converted here).
"""

from __future__ import annotations

import functools
import io
import re
import threading
import unicodedata
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any

from conformance.messages import Message
from conformance.paper.symbols import read_qr_codes
from conformance.paper.texts import PAPER

MM_PER_PT = 25.4 / 72
DPI = 200
MAX_PAGES = 50
MAX_PIXELS = 60_000_000
MAX_SIDE_PT = 14_400  # ISO 32000's implementation limit for a page side (200 inches)
MAX_PICTURES = 10  # pages pictured for the evidence
MAX_INFLATED = 64_000_000  # bytes all Flate streams of a PDF may inflate to

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in mm, top-left origin
# PDFium is not thread-safe: every use of it in this process holds this lock
# (concurrent runs analyse papers in worker processes, each with its own PDFium).
PDFIUM_LOCK = threading.RLock()


class PaperError(Exception):
    """The file is not a readable PDF or image; ``kind`` classifies why: ``unreadable`` (empty,
    encrypted, corrupt, crashes the reader), ``too-large`` (over a size or memory limit) or
    ``timeout`` (over the time limit)."""

    def __init__(self, message: Message, kind: str = "unreadable") -> None:
        super().__init__(message)
        self.message, self.kind = message, kind

    def __reduce__(self) -> tuple[type[PaperError], tuple[Message, str]]:
        return (PaperError, (self.message, self.kind))  # its kind too, across a process boundary


@dataclass(frozen=True)
class QrCode:
    """One decoded code 2D: its text, its box and its module size in mm."""

    text: str
    box: Box
    modules: int
    ec_level: str = ""
    utf8: bool = True  # the raw bytes are valid UTF-8 (JSON must be: RFC 8259 §8.1)

    @property
    def size_mm(self) -> float:
        """The smaller side of the code, in mm."""
        return min(self.box[2] - self.box[0], self.box[3] - self.box[1])

    @property
    def module_mm(self) -> float:
        """The side of one module, in mm."""
        return self.size_mm / self.modules if self.modules else 0.0


@dataclass(frozen=True)
class TextLine:
    """A run of text on one line, with its box."""

    text: str
    box: Box


@dataclass(frozen=True)
class PaperPage:
    """One analysed page."""

    number: int
    width_mm: float
    height_mm: float
    codes: tuple[QrCode, ...]
    lines: tuple[TextLine, ...]
    has_text: bool
    picture: bytes = field(default=b"", compare=False, repr=False)  # PNG, for the evidence
    scale_known: bool = True  # False: a scan with no resolution in its file nor given; its mm are a guess

    @functools.cached_property
    def text(self) -> str:
        """All text of the page, normalised, lines joined by spaces (computed once)."""
        return normalise(" ".join(line.text for line in self.lines))

    def text_in(self, box: Box) -> str:
        """Normalised text of the lines whose centre lies in ``box``."""
        x0, y0, x1, y1 = box
        inside = [ln.text for ln in self.lines
                  if x0 <= (ln.box[0] + ln.box[2]) / 2 <= x1 and y0 <= (ln.box[1] + ln.box[3]) / 2 <= y1]
        return normalise(" ".join(inside))


_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "\u00a0": " ", "\u202f": " ",
                         "‐": "-", "‑": "-", "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """NFKC, ligatures and quotes unified, soft hyphens dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").translate(_QUOTES)
    text = text.replace("\ufb00", "ff").replace("\ufb01", "fi").replace("\ufb02", "fl")
    return _SPACES.sub(" ", text).strip()


def _modules(version: str) -> int:
    """Modules per side from zxing's version text of a QR code ('11'), 0 if unknown."""
    return 17 + 4 * int(version) if version.isdigit() else 0


def _decode(image: Any, mm_per_px: float) -> tuple[QrCode, ...]:
    codes = []
    # QR Code model 2 only: what an ordonnance carries, and about 4x faster than every format
    for result in read_qr_codes(image):
        p = result.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        box = (min(xs) * mm_per_px, min(ys) * mm_per_px, (max(xs) + 1) * mm_per_px,
               (max(ys) + 1) * mm_per_px)
        extra = getattr(result, "extra", None)
        extra = extra if isinstance(extra, dict) else {}
        modules = _modules(str(extra.get("Version", "")))
        # zxing guesses the charset of byte-mode data (Latin-1 bytes come out as Shift_JIS):
        # read the bytes as UTF-8 ourselves, and keep zxing's text only when they are not
        try:
            text, utf8 = bytes(result.bytes).decode("utf-8"), True
        except UnicodeDecodeError:
            text, utf8 = result.text, False
        codes.append(QrCode(text, box, modules, str(extra.get("ECLevel", "")), utf8))
    return tuple(codes)


def _text_lines(page: Any, height_pt: float) -> tuple[TextLine, ...]:
    textpage = page.get_textpage()
    try:
        lines = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top)
            if text.strip():
                box = (left * MM_PER_PT, (height_pt - top) * MM_PER_PT, right * MM_PER_PT,
                       (height_pt - bottom) * MM_PER_PT)
                lines.append(TextLine(text.strip(), box))
        return tuple(lines)
    finally:
        textpage.close()


_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n")


def guard_inflation(data: bytes) -> None:
    """PaperError when the Flate streams inflate beyond MAX_INFLATED (a decompression bomb).

    PDFium has no limit of its own: each stream is inflated here first, incrementally, and
    counted, so a 400 kB file that expands to gigabytes is refused before it is rendered.
    """
    total = 0
    view = memoryview(data)
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        end = data.find(b"endstream", match.end())
        chunk = view[match.end():end if end > 0 else len(data)]
        try:
            out = inflater.decompress(chunk, MAX_INFLATED - total + 1)
            while out:
                total += len(out)
                if total > MAX_INFLATED:
                    raise PaperError(PAPER("inflation", limit=f"{MAX_INFLATED:,}"), "too-large")
                if not inflater.unconsumed_tail:
                    break
                out = inflater.decompress(inflater.unconsumed_tail, MAX_INFLATED - total + 1)
        except zlib.error:
            continue  # a damaged stream: PDFium decides what to do with it


def _pdf_pages(data: bytes, dpi: int, picture_dpi: int | None) -> list[PaperPage]:
    guard_inflation(data)
    with PDFIUM_LOCK:
        return _pdf_pages_locked(data, dpi, picture_dpi)


def _picture(bitmap: Any, dpi: int, picture_dpi: int) -> bytes:
    """The rendered page as a PNG at ``picture_dpi`` (the HTML report outlines boxes on it)."""
    image = bitmap.to_pil()
    if dpi % picture_dpi == 0:
        image = image.reduce(dpi // picture_dpi)
    else:
        factor = picture_dpi / dpi
        image = image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))))
    out = io.BytesIO()
    # its resolution in the file: 'inspect paper page-1.png' measures it in real mm
    image.save(out, format="PNG", compress_level=1, dpi=(picture_dpi, picture_dpi))  # fast
    return out.getvalue()


def _pdf_pages_locked(data: bytes, dpi: int, picture_dpi: int | None) -> list[PaperPage]:
    import pypdfium2 as pdfium


    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PaperError(PAPER("encrypted")) from exc
        raise PaperError(PAPER("not_pdf", error=str(exc))) from exc
    try:
        if len(pdf) == 0:
            raise PaperError(PAPER("no_page"))
        if len(pdf) > MAX_PAGES:
            raise PaperError(PAPER("pages", count=len(pdf), limit=MAX_PAGES), "too-large")
        pages = []
        for n in range(len(pdf)):
            page = pdf[n]
            w_pt, h_pt = page.get_size()
            size = f"{w_pt:.0f}×{h_pt:.0f}"
            if max(w_pt, h_pt) > MAX_SIDE_PT:
                raise PaperError(PAPER("page_side", page=n + 1, size=size, limit=MAX_SIDE_PT),
                                 "too-large")
            if w_pt * h_pt * (dpi / 72) ** 2 > MAX_PIXELS:
                raise PaperError(PAPER("page_pixels", page=n + 1, size=size), "too-large")
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            codes = _decode(bitmap.to_numpy(), 25.4 / dpi)
            lines = _text_lines(page, h_pt)
            picture = _picture(bitmap, dpi, picture_dpi) if picture_dpi and n < MAX_PICTURES else b""
            pages.append(PaperPage(n + 1, w_pt * MM_PER_PT, h_pt * MM_PER_PT, codes, lines,
                                   bool(lines), picture))
        return pages
    finally:
        pdf.close()


def image_dpi(image: Any, given: float | None = None) -> float:
    """A scan's resolution: the one given (``inspect paper --dpi``), its own metadata, else DPI
    (the one assumption every reader shares; ``scan_resolution`` says whether it is one)."""
    return given or scan_resolution(image) or float(DPI)


def scan_resolution(image: Any) -> float | None:
    """The resolution a scan's file states (PNG pHYs, JPEG JFIF/EXIF), or None."""
    try:
        dpi = float(image.info["dpi"][0])
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return dpi if dpi > 1 else None  # 1 (or 0): an aspect ratio, not a resolution


def _image_pages(data: bytes, given_dpi: float | None = None) -> list[PaperPage]:
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PaperError(PAPER("image_pixels", limit=f"{MAX_PIXELS:,}"), "too-large") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise PaperError(PAPER("not_image", error=str(exc))) from exc
    gray = image.convert("L")
    mm_per_px = 25.4 / image_dpi(image, given_dpi)
    codes = _decode(gray, mm_per_px)
    known = bool(given_dpi or scan_resolution(image))
    return [PaperPage(1, gray.width * mm_per_px, gray.height * mm_per_px, codes, (), False,
                      scale_known=known)]


def analyse_bytes(data: bytes, dpi: int = DPI, picture_dpi: int | None = None,
                  scan_dpi: float | None = None) -> list[PaperPage]:
    """Analyse a PDF or a PNG/JPEG scan; PaperError when it cannot be read. With
    ``picture_dpi``, each PDF page also carries its PNG picture (a scan is its own picture).
    ``scan_dpi``: a scan's resolution, given by the user (it overrides the file's).

    Hostile bytes: call this through ``paper.sandbox`` (a confined worker), never in a run's
    own process."""
    if not data:
        raise PaperError(PAPER("empty"))
    if data[:5] == b"%PDF-":
        return _pdf_pages(data, dpi, picture_dpi)
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff":
        return _image_pages(data, scan_dpi)
    raise PaperError(PAPER("unknown_signature", signature=repr(data[:8])))
