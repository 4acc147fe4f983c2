"""Paper analysis in worker processes, for concurrent runs (PDFium is not thread-safe, and
analysis is CPU work that threads sharing one GIL cannot spread over the cores)."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

from conformance.paper.analyse import PaperPage, analyse_bytes


class AnalysisPool:
    """A callable like ``analyse_bytes`` that runs it in one of ``workers`` processes, started
    with the first paper (a run that never reaches one starts none)."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self._workers,
                                                 mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def __call__(self, data: bytes) -> list[PaperPage]:
        """The analysed pages; PaperError (raised in the worker) when the file cannot be read."""
        return self._executor().submit(analyse_bytes, data).result()

    def close(self) -> None:
        """Stop the workers and wait for them: nothing is left for the interpreter's exit to
        join (a pool left behind raced with it and printed a traceback)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
