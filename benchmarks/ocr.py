"""What OCR costs per phone photo in a campaign: Tesseract (``-l fra``) in the paper sandbox, side
by side with the analysis every image already gets (code 2D decode), interleaved, medians:

    .venv/bin/python benchmarks/ocr.py [--rounds 3]

Each round photographs (perspective, uneven light, JPEG: ``tests.helpers.phone_photo``) the
printout of every produce step of the default campaign, then times ``Sandbox.analyse`` and
``Sandbox.ocr`` on each photo, on one warm worker. Also printed: the words read, the unsure ones,
and the OCR worker's peak RSS (Tesseract's own, as a child of the worker).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance import application as app  # noqa: E402
from conformance.campaign.folder import open_checked  # noqa: E402
from conformance.paper.ocr import unavailable  # noqa: E402
from conformance.paper.sandbox import Sandbox  # noqa: E402
from conformance.paths import BUNDLED_FIXTURES  # noqa: E402
from tests.helpers import campaign_page, phone_photo  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    missing = unavailable()
    if missing is not None:
        print(f"skipped: {missing}")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "camp"
        app.campaign.start(None, str(folder), str(BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"),
                           "Bench", 5)
        state = open_checked(folder).state
        today = str(state.started["today"])
        photos = [phone_photo(campaign_page(card, today)) for card in state.cards.values()]
    sandbox = Sandbox()
    analyse, ocr, words, unsure = [], [], [], []
    try:
        sandbox.analyse(photos[0])  # the worker started and warm: its start is not OCR's cost
        for _ in range(args.rounds):
            for photo in photos:
                started = time.perf_counter()
                sandbox.analyse(photo)
                analyse.append(time.perf_counter() - started)
                started = time.perf_counter()
                read = sandbox.ocr(photo)
                ocr.append(time.perf_counter() - started)
                words.append(read.words)
                unsure.append(len(read.unsure))
    finally:
        sandbox.close()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{len(photos)} photos x {args.rounds} rounds (1654x2339 px JPEG)")
    print(f"analyse (code 2D) median {statistics.median(analyse):.2f} s, max {max(analyse):.2f} s")
    print(f"OCR (Tesseract fra) median {statistics.median(ocr):.2f} s, max {max(ocr):.2f} s")
    print(f"words per photo median {statistics.median(words):.0f}, "
          f"unsure median {statistics.median(unsure):.0f}")
    print(f"peak RSS of a child process (worker or tesseract): {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
