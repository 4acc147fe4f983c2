"""QR-01 over conforming pages (issue 28): N one-page ordonnances drawn by fpdf2 (the self-test's
specimen drawing, ``conformance.specimens.fpdf_page``) with random identifiers, the code's side
and place jittered, each read as the paper reader reads it (200 dpi) and judged by QR-01.

The same render is also decoded asking zxing-cpp for ``BarcodeFormat.QRCode``, as the reader
did before: under zxing-cpp 3 that names the whole QR family (Micro QR and rMQR too), so its
count of pages with other than one symbol is the false QR-01 of the old reader.

    .venv/bin/python benchmarks/qr_sweep.py [--pages 300] [--seed 28]

Prints counts (exit 1 when a conforming page fails QR-01); a benchmark, not a test: 300 pages
take about half a minute, mostly fpdf2 embedding its font.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from collections import Counter
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ALPHABET = string.digits + string.ascii_uppercase  # a prescription id: 18 of [0-9A-Z]


def family_symbols(pdf: bytes) -> list[str]:
    """The format of each symbol zxing-cpp returns when asked for ``BarcodeFormat.QRCode``."""
    import pypdfium2 as pdfium
    import zxingcpp

    from conformance.paper.analyse import DPI

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=DPI / 72, grayscale=True).to_numpy()
    finally:
        document.close()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [b.format.name for b in found]


def qr01(pdf: bytes) -> str | None:
    """QR-01's failure message on the page as the harness reads it, None when it passes."""
    from conformance.checks import REGISTRY, CheckContext, Failed, ScenarioState, StepData
    from conformance.paper import InProcessReader, analyse_bytes
    from conformance.profiles import load_profile

    step = StepData("paper", {}, [], paper_pages=analyse_bytes(pdf))
    context = CheckContext(step, ScenarioState(), load_profile(), reader=InProcessReader())
    try:
        REGISTRY["qr_present"].fn(context)
    except Failed as failure:
        return f"{failure.message} ({failure.observed})"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=28)
    args = parser.parse_args()

    import zxingcpp

    from conformance.paper.symbols import qr_format
    from conformance.specimens import fpdf_page

    rng = random.Random(args.seed)
    failures: list[tuple[str, str]] = []
    old_false: list[tuple[str, list[str]]] = []
    extra: Counter[str] = Counter()
    started = time.perf_counter()
    for _ in range(args.pages):
        pid = "".join(rng.choice(ALPHABET) for _ in range(18))
        # 28–40 mm, its left edge 12–16 mm: the paragraphs at 60 mm stay clear of its quiet zone
        code = (rng.uniform(12, 16), rng.uniform(215, 230), rng.uniform(28, 40))
        pdf = fpdf_page(pid=pid, code=code)
        message = qr01(pdf)
        if message:
            failures.append((pid, message))
        symbols = family_symbols(pdf)
        if len(symbols) != 1:
            old_false.append((pid, symbols))
            extra.update(name for name in symbols if name != "QRCode")
    elapsed = time.perf_counter() - started

    print(f"zxing-cpp {metadata.version('zxing-cpp')}, the reader asks for "
          f"{qr_format(zxingcpp)}; {args.pages} pages (seed {args.seed}) in {elapsed:.1f} s")
    print(f"QR-01 failures now: {len(failures)}")
    for pid, message in failures:
        print(f"  {pid}: {message}")
    print(f"pages the old reader (BarcodeFormat.QRCode) saw other than one symbol on: {len(old_false)}"
          + (f" ({', '.join(f'{n} {name}' for name, n in extra.most_common())} besides the code)"
             if extra else ""))
    for pid, symbols in old_false[:10]:
        print(f"  {pid}: {symbols}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
