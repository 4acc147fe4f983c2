"""Paper analysis in worker processes, for concurrent runs (PDFium is not thread-safe, and
analysis is CPU work that threads sharing one GIL cannot spread over the cores)."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from conformance.paper.analyse import PaperPage, analyse_bytes


def _warm() -> None:
    import pypdfium2  # noqa: F401  (load the libraries once, while the run starts)
    import zxingcpp  # noqa: F401


class AnalysisPool:
    """A callable like ``analyse_bytes`` that runs it in one of ``workers`` processes."""

    def __init__(self, workers: int) -> None:
        self._pool = ProcessPoolExecutor(max_workers=workers,
                                         mp_context=multiprocessing.get_context("spawn"))
        for _ in range(workers):
            self._pool.submit(_warm)

    def __call__(self, data: bytes) -> list[PaperPage]:
        """The analysed pages; PaperError (raised in the worker) when the file cannot be read."""
        return self._pool.submit(analyse_bytes, data).result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
