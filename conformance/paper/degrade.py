"""QR-06: degrade a printout as a cheap pharmacy scanner would, then decode again.

The page is rendered at 150 dpi (a PDF) or downscaled to it (an image), cropped around the
code with a margin, then rotated by a few small angles and blurred. A scanner takes several
frames, so the code passes when at least half the variants decode to the same payload; a code
that only decodes at high resolution decodes in none.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from conformance.messages import Message
from conformance.paper.analyse import MAX_PIXELS, PDFIUM_LOCK, Box, PaperError, image_dpi
from conformance.paper.symbols import read_qr_codes
from conformance.paper.texts import PAPER

SCAN_DPI = 150
ROTATIONS_DEG = (1.0, -1.0, 2.0, -2.0)
BLUR_RADIUS_PX = 0.5  # about 0.085 mm at 150 dpi: a worn scanner lens
MARGIN_MM = 10.0


@dataclass(frozen=True)
class Degradation:
    """How the page is degraded."""

    dpi: int = SCAN_DPI
    rotations: tuple[float, ...] = ROTATIONS_DEG
    blur: float = BLUR_RADIUS_PX
    source_dpi: float | None = None  # a scan's resolution given by the user (inspect paper --dpi)

    def describe(self) -> Message:
        """What the scan undergoes, in the report's words."""
        angles = "/".join(f"{r:+g}°" for r in self.rotations)
        return PAPER("degradation", dpi=self.dpi, angles=angles, blur=f"{self.blur:g}")


def _crop_box(width: int, height: int, box: Box, dpi: int) -> tuple[int, int, int, int]:
    """The pixels around the code's box (mm) with the margin, within the page."""
    px = dpi / 25.4
    return (max(0, int((box[0] - MARGIN_MM) * px)), max(0, int((box[1] - MARGIN_MM) * px)),
            min(width, int((box[2] + MARGIN_MM) * px)), min(height, int((box[3] + MARGIN_MM) * px)))


def _pdf_crop(data: bytes, page_number: int, box: Box, dpi: int) -> Any:
    """The crop around the code, rendered alone: the very pixels of the whole page's render at
    ``dpi`` (same grid), for a twentieth of the work."""
    import math

    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PaperError(PAPER("not_pdf", error=str(exc))) from exc
        try:
            page = pdf[page_number - 1]
            scale = dpi / 72
            width, height = (math.ceil(side * scale) for side in page.get_size())
            x0, y0, x1, y1 = _crop_box(width, height, box, dpi)
            # pypdfium2 rounds each cut up to whole pixels: half a pixel less lands on the grid
            cuts = (x0, height - y1, width - x1, y0)
            bitmap = page.render(scale=scale, grayscale=True,
                                 crop=tuple((c - 0.5) / scale for c in cuts))
            return bitmap.to_pil().convert("L")
        finally:
            pdf.close()


def _page_image(data: bytes, dpi: int, given_dpi: float | None = None) -> Any:
    """The page of an image file, as a grayscale PIL image at ``dpi``."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PaperError(PAPER("not_image", error=str(exc))) from exc
    source_dpi = image_dpi(image, given_dpi)  # as the analysis read it: the code's box is in its mm
    gray = image.convert("L")
    if source_dpi != dpi:  # to the scanner's resolution (a coarser scan is only enlarged back)
        factor = dpi / source_dpi
        gray = gray.resize((max(1, round(gray.width * factor)), max(1, round(gray.height * factor))),
                           Image.Resampling.BILINEAR)
    return gray


def degraded_decode(data: bytes, page_number: int, box: Box, how: Degradation = Degradation(),
                    expect: str | None = None) -> list[str | None]:
    """For each rotation in turn, the payload decoded from the degraded crop around ``box`` (or
    None). With ``expect``, the frames stop once the verdict is settled (half of them decoding
    to it, or too few left to get there): the same verdict for less work."""
    from PIL import Image, ImageFilter

    if data[:5] == b"%PDF-":
        crop = _pdf_crop(data, page_number, box, how.dpi)
    else:
        page = _page_image(data, how.dpi, how.source_dpi)
        crop = page.crop(_crop_box(page.width, page.height, box, how.dpi))
    needed = (len(how.rotations) + 1) // 2
    out: list[str | None] = []
    for angle in how.rotations:
        img = crop.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        img = img.filter(ImageFilter.GaussianBlur(how.blur))
        found = read_qr_codes(img)
        out.append(found[0].text if found else None)
        if expect is not None:
            read = sum(1 for text in out if text == expect)
            if read >= needed or len(out) - read > len(how.rotations) - needed:
                break
    return out
