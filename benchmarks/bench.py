"""Figures for DESIGN §10: suite wall time, paper analysis per page vs the libraries' floor,
`conformance --help` start-up. Run: .venv/bin/python benchmarks/bench.py"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import httpx


def suite_wall() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "conformance", "run", "--report-dir", "/tmp/bench-reports"],
                   check=True, capture_output=True, env={**os.environ, "NO_COLOR": "1"})
    return time.perf_counter() - start


def paper_page() -> tuple[float, float]:
    import pypdfium2 as pdfium
    import zxingcpp

    from conformance.embedded import EmbeddedWorld
    from conformance.paper import analyse_bytes
    from tests.conftest import example_body

    with EmbeddedWorld() as w:
        pid = httpx.post(f"{w.target_url}/prescriptions", json=example_body()).json()["id"]
        pdf = httpx.get(f"{w.target_url}/prescriptions/{pid}/paper").content

    def floor() -> None:
        doc = pdfium.PdfDocument(pdf)
        page = doc[0]
        zxingcpp.read_barcodes(page.render(scale=200 / 72, grayscale=True).to_numpy(),
                               formats=zxingcpp.BarcodeFormat.QRCode)
        page.get_textpage().get_text_range()
        doc.close()

    def ours() -> None:
        analyse_bytes(pdf)

    def timed(fn: object) -> float:
        assert callable(fn)
        fn()
        samples = []
        for _ in range(30):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
        return statistics.median(samples)

    return timed(ours), timed(floor)


def help_startup() -> float:
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "conformance", "--help"], check=True, capture_output=True)
        samples.append(time.perf_counter() - t)
    return min(samples)


if __name__ == "__main__":
    ours, floor = paper_page()
    print(f"whole bundled suite, embedded default: {suite_wall():6.2f} s   (target ≤ 20 s)")
    print(f"paper analysis per page:              {ours * 1000:6.1f} ms  (target ≤ 25 ms)")
    print(f"libraries' floor (render+decode+text): {floor * 1000:6.1f} ms  ratio {ours / floor:.2f} "
          "(target ≤ 2.5)")
    print(f"conformance --help:                    {help_startup():6.3f} s   (target ≤ 0.35 s)")
