"""OCR of a scan or a phone photo with Tesseract (optional: Debian ``tesseract-ocr`` and
``tesseract-ocr-fra``), run by the ``tesseract`` command in a sandbox worker.

The text it reads becomes the page's text lines (millimetres, top-left origin, like a PDF's),
so the paper checks read an image as they read a PDF; the words Tesseract was unsure of are
kept with their confidence, to be shown. Identifiers are never taken from it (DESIGN §15: an
RPPS gained a digit on a raw photo): the campaign's judge says which checks that excludes.
The picture is untrusted: ``ocr_image`` runs only in a sandbox worker (its limits are
inherited by the ``tesseract`` process), under a deadline of its own.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass

from conformance.messages import Message
from conformance.paper.analyse import MAX_PIXELS, PaperError, TextLine, image_dpi
from conformance.paper.texts import PAPER

LANGUAGE = "fra"
PACKAGES = "tesseract-ocr tesseract-ocr-fra"
UNSURE = 70.0  # a word read with less confidence (0-100) is shown as unsure
TIMEOUT = 25.0  # seconds: under the sandbox's wall deadline, so Tesseract's overrun is named
MAX_UNSURE = 60  # unsure words kept per page (a blurred photo has hundreds)


@dataclass(frozen=True)
class OcrWord:
    """A word Tesseract read, with its confidence (0-100) and its box in mm."""

    text: str
    confidence: float
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class OcrText:
    """What OCR read on one picture: its lines, the words it was unsure of, its time."""

    lines: tuple[TextLine, ...]
    unsure: tuple[OcrWord, ...]
    words: int
    seconds: float
    engine: str = "tesseract"

    def shown(self) -> list[str]:
        """The unsure words as the report shows them: 'word' (41 %)."""
        return [f"{w.text!r} ({w.confidence:.0f} %)" for w in self.unsure]


@functools.cache
def unavailable() -> Message | None:
    """None when Tesseract and its French model are installed; otherwise why OCR cannot run
    (with the Debian packages to install)."""
    binary = shutil.which("tesseract")
    if binary is None:
        return PAPER("ocr_missing", packages=PACKAGES)
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True,
                                timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return PAPER("ocr_no_answer", how=type(exc).__name__, packages=PACKAGES)
    if LANGUAGE not in (listed.stdout + listed.stderr).split():
        return PAPER("ocr_no_model", package=f"tesseract-ocr-{LANGUAGE}")
    return None


def parse_tsv(tsv: str, mm_per_px: float, threshold: float = UNSURE) -> OcrText:
    """Tesseract's TSV (one row per word, level 5) as text lines in mm and unsure words."""
    lines: dict[tuple[str, str, str, str], list[tuple[str, float, list[int]]]] = {}
    unsure: list[OcrWord] = []
    count = 0
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            left, top, width, height = (int(c) for c in cells[6:10])
            confidence = float(cells[10])
        except ValueError:
            continue
        text = cells[11].strip()
        count += 1
        box = [left, top, left + width, top + height]
        lines.setdefault((cells[1], cells[2], cells[3], cells[4]), []).append((text, confidence, box))
        if 0 <= confidence < threshold and len(unsure) < MAX_UNSURE:
            unsure.append(OcrWord(text, round(confidence, 1), _mm(box, mm_per_px)))
    out = []
    for words in lines.values():
        boxes = [b for _, _, b in words]
        box = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
               max(b[3] for b in boxes)]
        out.append(TextLine(" ".join(t for t, _, _ in words), _mm(box, mm_per_px)))
    return OcrText(tuple(out), tuple(unsure), count, 0.0)


def _mm(box: list[int], mm_per_px: float) -> tuple[float, float, float, float]:
    return (box[0] * mm_per_px, box[1] * mm_per_px, box[2] * mm_per_px, box[3] * mm_per_px)


def ocr_image(data: bytes, scan_dpi: float | None = None, timeout: float = TIMEOUT) -> OcrText:
    """OCR a PNG/JPEG picture (in a sandbox worker); PaperError when it cannot be read or
    Tesseract fails, crashes or overruns (``timeout`` for an overrun)."""
    from PIL import Image, UnidentifiedImageError

    started = time.perf_counter()
    binary = shutil.which("tesseract")
    if binary is None:
        raise PaperError(PAPER("ocr_missing", packages=PACKAGES))
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PaperError(PAPER("image_pixels", limit=f"{MAX_PIXELS:,}"), "too-large") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise PaperError(PAPER("not_image", error=str(exc))) from exc
    dpi = image_dpi(image, scan_dpi)
    with tempfile.TemporaryDirectory(prefix="epresc-ocr-") as scratch:
        # Tesseract reads a file we wrote (grey PNG), never the target's bytes as they came
        picture = os.path.join(scratch, "page.png")
        image.convert("L").save(picture, format="PNG", compress_level=1)
        command = [binary, picture, "stdout", "-l", LANGUAGE, "--psm", "3", "--dpi", str(round(dpi)),
                   "tsv"]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1",
               "LC_ALL": "C.UTF-8"}
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False, env=env,
                                  cwd=scratch)
        except subprocess.TimeoutExpired as exc:
            raise PaperError(PAPER("ocr_timeout", seconds=f"{timeout:g}"), "timeout") from exc
        except OSError as exc:
            raise PaperError(PAPER("ocr_failed", how=f"{type(exc).__name__}: {exc}"[:160])) from exc
    if done.returncode != 0:
        how = (f"signal {-done.returncode}" if done.returncode < 0 else f"exit code {done.returncode}")
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise PaperError(PAPER("ocr_failed", how=" — ".join([how, *detail])[:200]))
    text = parse_tsv(done.stdout.decode("utf-8", "replace"), 25.4 / dpi)
    return OcrText(text.lines, text.unsure, text.words, round(time.perf_counter() - started, 3))
