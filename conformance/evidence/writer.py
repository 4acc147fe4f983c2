"""The evidence bundle, written as steps finish (memory stays flat on long runs).

Layout under the run folder::

    evidence/<scenario>/<NN>-<kind>/exchange-<k>.json   request and response (redacted)
                                    response-<k>.<ext>  a non-JSON body as received
                                    paper.pdf, page-<n>.png, paper.json (boxes), text.txt,
                                    code2d.json          the printed ordonnance, analysed
                                    journal.json         teleservice calls during the step
                                    response-<k>.xml     a DMP copy (CDA), as received
                                    dmp-copy.pdf         its PDF copy, decoded from it
                                                         (dmp-copy.bin: not a PDF)
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from conformance.engine.events import Event, StepEvidence, StepFinished
from conformance.evidence.layout import step_dir
from conformance.paper import PaperPage
from conformance.targets import untrusted
from conformance.vocabulary import Status

PNG_DPI = 100
# a target's HTML is kept as text: opened from the bundle, its markup and scripts never run
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "text/html": "html.txt",
              "text/plain": "txt", "application/xml": "xml", "text/xml": "xml"}


def _dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n",
                    encoding="utf-8")


class EvidenceWriter:
    """Handles StepFinished events (already redacted): writes what the step exchanged and saw."""

    def __init__(self, folder: Path, qr_zone: tuple[float, float] | None = None) -> None:
        self.folder = folder
        self.qr_zone = qr_zone

    def handle(self, event: Event) -> None:
        """Write a finished step's evidence."""
        if isinstance(event, StepFinished) and event.evidence is not None:
            failed = any(c.status is Status.FAIL for c in event.result.checks)
            self._write(step_dir(event.scenario_id, event.result.index, event.result.kind),
                        event.evidence, annotated=failed)

    def _write(self, relative: str, ev: StepEvidence, annotated: bool = False) -> None:
        folder = self.folder / relative
        folder.mkdir(parents=True, exist_ok=True)
        for k, exchange in enumerate(ev.exchanges, start=1):
            record = exchange.summary()
            body = exchange.body
            is_json = record["response"] is not None and not isinstance(record["response"], str)
            ext = EXTENSIONS.get(exchange.content_type, "bin")
            if ext == "pdf" and not body and exchange.status == 200:
                record["response"] = "<paper omitted: the bundle is pseudonymised>"
            elif body and not is_json:  # JSON stays in the record; anything else goes beside it
                name = "paper.pdf" if ext == "pdf" else f"response-{k}.{ext}"
                (folder / name).write_bytes(body)
                record["responseFile"] = name
            _dump(folder / f"exchange-{k}.json", record)
        if ev.pages:
            self._paper(folder, ev)
            for page in ev.pages:  # drawn by the sandbox that read the paper; never rendered here
                if page.picture:
                    (folder / f"page-{page.number}.png").write_bytes(page.picture)
            first = ev.pages[0]
            if first.picture and annotated:  # what a failing check attaches (JUnit, report.html)
                (folder / "page-1-annotated.png").write_bytes(annotate(first, self.qr_zone))
        if ev.copy:  # decoded by the sandbox that read the document; written, never opened
            name = "dmp-copy.pdf" if ev.copy.startswith(b"%PDF-") else "dmp-copy.bin"
            (folder / name).write_bytes(ev.copy)
        if ev.journal:
            _dump(folder / "journal.json", list(ev.journal))

    @staticmethod
    def _paper(folder: Path, ev: StepEvidence) -> None:
        pages = [{"number": p.number, "widthMm": round(p.width_mm, 2), "heightMm": round(p.height_mm, 2),
                  "codes": [{"text": c.text, "box": [round(v, 2) for v in c.box],
                             "modules": c.modules, "ecLevel": c.ec_level, "utf8": c.utf8}
                            for c in p.codes],
                  "lines": [{"text": ln.text, "box": [round(v, 2) for v in ln.box]}
                            for ln in p.lines]}
                 for p in ev.pages]
        _dump(folder / "paper.json", pages)
        text = "\n\n".join(f"--- page {p.number} ---\n" + "\n".join(ln.text for ln in p.lines)
                           for p in ev.pages)
        (folder / "text.txt").write_text(text + "\n", encoding="utf-8")
        codes = [c.text for p in ev.pages for c in p.codes]
        if codes:
            try:
                payload: Any = untrusted.loads(codes[0])
            except ValueError:
                payload = codes[0]
            _dump(folder / "code2d.json", payload)


def annotate(page: PaperPage, qr_zone: tuple[float, float] | None) -> bytes:
    """The page's picture (ours: drawn by the sandbox from the target's paper) with each code 2D
    boxed in red and the profile's expected zone dashed in green (what JUnit attaches)."""
    from PIL import Image, ImageDraw

    image = Image.open(io.BytesIO(page.picture)).convert("RGB")
    draw = ImageDraw.Draw(image)
    sx, sy = image.width / page.width_mm, image.height / page.height_mm
    if qr_zone is not None:
        x1, y0 = qr_zone[0] * image.width, qr_zone[1] * image.height
        for x in range(0, int(x1), 12):  # dashed: the zone is a target, not a thing printed
            draw.line([(x, y0), (min(x + 6, x1), y0)], fill=(0, 150, 60), width=3)
        for y in range(int(y0), image.height, 12):
            draw.line([(x1, y), (x1, min(y + 6, image.height))], fill=(0, 150, 60), width=3)
    for code in page.codes:
        x0, y0, x1, y1 = code.box
        draw.rectangle([x0 * sx, y0 * sy, x1 * sx, y1 * sy], outline=(200, 0, 0), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
