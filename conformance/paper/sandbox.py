"""Untrusted papers are parsed only here: in worker processes under hard limits.

A target's PDF or scan is hostile input. PDFium and Pillow have no limits of their own, so
every render and decode of a target's bytes (the checks' analysis, the degraded scan, the
evidence pictures, ``inspect``) runs in a worker process with an address-space limit, a
CPU-time limit and a wall deadline. A worker that dies, runs out of memory or overruns is
killed and replaced; the caller gets a ``PaperError`` whose ``kind`` classifies the paper
(``too-large``, ``timeout``, ``unreadable``): the target's anomaly, never the harness's.
The cheap pre-checks in ``analyse`` (inflation, page count, page size) stay; the limits are
what hold.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from conformance.paper.analyse import DPI, Box, PaperError, PaperPage
from conformance.paper.texts import PAPER

if TYPE_CHECKING:
    from conformance.cda.kit import RuleSet
    from conformance.cda.record import CdaRecord
    from conformance.paper.ocr import OcrText

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one paper may cost a worker: address space, CPU time and wall time per task."""

    memory_bytes: int = 1536 * MIB
    cpu_seconds: int = 20
    deadline_seconds: float = 30.0
    # what memory_bytes bounds: the address space (RLIMIT_AS), or the data written
    # (RLIMIT_DATA) for SaxonC, whose GraalVM isolate reserves 32 GB it never touches
    memory: str = "address-space"


# --- the worker side -------------------------------------------------------------------------

def _tasks() -> dict[str, Callable[..., Any]]:
    from conformance.cda.analyse import analyse_cda
    from conformance.paper.analyse import analyse_bytes
    from conformance.paper.degrade import degraded_decode
    from conformance.paper.ocr import ocr_image

    return {"analyse": analyse_bytes, "degraded": degraded_decode, "cda": analyse_cda,
            "ocr": ocr_image}


def _confine(limits: Limits) -> None:
    """Limits, quiet and single-threaded libraries, set before anything parses."""
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops workers: no KeyboardInterrupt
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # a C library's warnings never reach the user's terminal
    os.dup2(devnull, 2)
    _lower(resource.RLIMIT_DATA if limits.memory == "data" else resource.RLIMIT_AS,
           limits.memory_bytes)
    _lower(resource.RLIMIT_CORE, 0)


def _lower(which: int, value: int) -> None:
    """Set a limit, never above the hard limit the machine already imposes (a container's
    ``ulimit -v``): raising a hard limit is refused to an unprivileged process."""
    import resource

    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def _cpu_budget(seconds: int) -> None:
    """RLIMIT_CPU counts the process's whole life: each task gets ``seconds`` more (SIGXCPU)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)  # kept as it is: it can only be lowered
    soft = used + seconds if hard == resource.RLIM_INFINITY else min(used + seconds, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _serve(conn: Connection, limits: Limits) -> None:
    """A worker's loop: a (task, args) in, ("ok", result) or ("error", kind, message) out (the
    ``Message`` itself: it pickles by id and parameters, and is rendered in the parent)."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    _confine(limits)
    tasks = _tasks()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        name, args = message
        _cpu_budget(limits.cpu_seconds)
        try:
            reply: tuple[Any, ...] = ("ok", tasks[name](*args))
        except PaperError as exc:
            reply = ("error", exc.kind, exc.message)
        except MemoryError:
            reply = ("error", "too-large", PAPER("memory", mib=limits.memory_bytes // MIB))
        except RecursionError:
            reply = ("error", "unreadable", PAPER("nested"))
        except Exception as exc:
            reply = ("error", "unreadable",
                     PAPER("reader_failed", error=f"{type(exc).__name__}: {str(exc)[:160]}"))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


# --- the parent side -------------------------------------------------------------------------

class _Worker:
    def __init__(self, limits: Limits) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, limits), daemon=True,
                                       name="paper-sandbox")
        self.process.start()
        child.close()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _death(exitcode: int | None, limits: Limits) -> PaperError:
    """What a worker's death says of the paper it was reading."""
    if exitcode == -signal.SIGXCPU:
        return PaperError(PAPER("cpu", seconds=limits.cpu_seconds), "timeout")
    if exitcode == -signal.SIGKILL:
        return PaperError(PAPER("killed"), "too-large")
    how = PAPER("exit_code", code=exitcode)
    if exitcode is not None and exitcode < 0:
        try:
            how = PAPER("signal", signal=signal.Signals(-exitcode).name)
        except ValueError:
            how = PAPER("signal", signal=-exitcode)
    return PaperError(PAPER("crashed", how=how, mib=limits.memory_bytes // MIB), "unreadable")


class Sandbox:
    """Paper work in up to ``workers`` confined processes, started as they are first needed
    (a run that never reaches a paper starts none) and reused; thread-safe. A ``PaperReader``
    without pictures; ``view(dpi)`` reads with them (the evidence's PNGs)."""

    def __init__(self, workers: int = 1, limits: Limits = Limits()) -> None:
        self.limits = limits
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(max(1, workers))
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._closed = False
        self._saxon: Sandbox | None = None  # the sibling that runs SaxonC (RLIMIT_DATA)

    # the calls the engine makes
    def analyse(self, data: bytes, picture_dpi: int | None = None,
                scan_dpi: float | None = None) -> list[PaperPage]:
        """The analysed pages (with their PNG pictures at ``picture_dpi``; a scan read at
        ``scan_dpi`` when given); PaperError (with its kind) when the paper cannot be read."""
        result: list[PaperPage] = self.call("analyse", data, DPI, picture_dpi, scan_dpi)
        return result

    def degraded(self, data: bytes, page: int, box: Box,
                 expect: str | None = None, scan_dpi: float | None = None) -> list[str | None]:
        """QR-06's degraded-scan decodes of the code at ``box``."""
        from conformance.paper.degrade import Degradation

        how = Degradation(source_dpi=scan_dpi)
        result: list[str | None] = self.call("degraded", data, page, box, how, expect)
        return result

    def cda(self, data: bytes, rules: RuleSet | None = None) -> CdaRecord:
        """A target's CDA document read in a worker (with the ANS rules of ``rules``): its
        facts, or a refused record whose kind classifies it (a worker's death or overrun
        included). The size limit is checked here, before the bytes cross to a worker."""
        from conformance.cda.record import CdaRecord
        from conformance.cda.safexml import XmlRefused, check_size

        box = self if rules is None or self.limits.memory == "data" else self._sibling()
        try:
            check_size(data)
            record: CdaRecord = box.call("cda", data, rules)
        except XmlRefused as exc:
            return CdaRecord(size=len(data), refused=exc.kind, refusal=str(exc))
        except PaperError as exc:
            return CdaRecord(size=len(data), refused=exc.kind, refusal=str(exc))
        return record

    def ocr(self, data: bytes, scan_dpi: float | None = None) -> OcrText:
        """A picture's text read by Tesseract in a worker (the ``tesseract`` process inherits
        its limits; its own deadline sits under the worker's); PaperError when it fails."""
        from conformance.paper.ocr import TIMEOUT

        timeout = min(TIMEOUT, self.limits.deadline_seconds * 0.8)
        result: OcrText = self.call("ocr", data, scan_dpi, timeout)
        return result

    def _sibling(self) -> Sandbox:
        """The workers that may run SaxonC: the same limits on the data written, not on the
        address space (only when the ``[cda]`` extra is installed; lxml needs none)."""
        import importlib.util

        if importlib.util.find_spec("saxonche") is None:
            return self
        with self._lock:
            if self._saxon is None:
                self._saxon = Sandbox(1, dataclasses.replace(self.limits, memory="data"))
            return self._saxon

    def call(self, task: str, *args: Any) -> Any:
        """Run ``task`` on a worker within the limits; PaperError when the paper breaks them."""
        with self._slots:
            worker = self._take()
            try:
                reply = self._exchange(worker, task, args)
            except BaseException:
                self._drop(worker)  # dead, overrunning or interrupted: never reused
                raise
            if self._closed:
                self._drop(worker)
            else:
                self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        raise PaperError(reply[2], reply[1])

    def _take(self) -> _Worker:
        if self._closed:
            raise PaperError(PAPER("stopping"), "timeout")
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            worker = _Worker(self.limits)
            with self._lock:
                self._all.add(worker)
            return worker

    def _drop(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _exchange(self, worker: _Worker, task: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
        deadline = time.monotonic() + self.limits.deadline_seconds
        try:
            worker.conn.send((task, args))
            while not worker.conn.poll(0.1):
                if self._closed:
                    raise PaperError(PAPER("stopping"), "timeout")
                if not worker.process.is_alive() and not worker.conn.poll(0):
                    raise _death(worker.process.exitcode, self.limits)
                if time.monotonic() > deadline:
                    raise PaperError(PAPER("deadline", seconds=f"{self.limits.deadline_seconds:g}"),
                                     "timeout")
            reply: tuple[Any, ...] = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(1)
            raise _death(worker.process.exitcode, self.limits) from None
        return reply

    @property
    def closed(self) -> bool:
        """``close()`` was called: what is in flight ends as 'the run is stopping'."""
        return self._closed

    def view(self, picture_dpi: int | None, scan_dpi: float | None = None) -> SandboxView:
        """A reader on these workers with its own picture setting (sessions sharing workers),
        and a scan's resolution when the user gives it."""
        return SandboxView(self, picture_dpi, scan_dpi)

    def close(self) -> None:
        """Stop every worker now (a task in flight ends as ``the run is stopping``)."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
            sibling, self._saxon = self._saxon, None
        if sibling is not None:
            sibling.close()
        for worker in workers:
            worker.kill()


RECENT_READS = 8  # a run reads a paper again within a few reads (the same step, the next one)


class SandboxView:
    """A ``PaperReader`` on a shared ``Sandbox``: one run's reads, its own picture setting.

    The same bytes are read once: a run often fetches a paper again, and a hostile target
    serves the same bomb to every scenario (each read cost its limits again, up to 20 s of
    CPU). The last ``RECENT_READS`` analyses and degraded scans are kept by the SHA-256 of the
    bytes, with what they gave, a ``PaperError`` included: the same bytes, the same worker
    code, the same limits."""

    def __init__(self, sandbox: Sandbox, picture_dpi: int | None, scan_dpi: float | None = None) -> None:
        self.sandbox, self.picture_dpi, self.scan_dpi = sandbox, picture_dpi, scan_dpi
        self._recent: collections.OrderedDict[tuple[Any, ...], Any] = collections.OrderedDict()
        self._lock = threading.Lock()

    def analyse(self, data: bytes) -> list[PaperPage]:
        pages: list[PaperPage] = self._once(("analyse", data), lambda: self.sandbox.analyse(
            data, self.picture_dpi, self.scan_dpi))
        return list(pages)

    def degraded(self, data: bytes, page: int, box: Box,
                 expect: str | None = None) -> list[str | None]:
        frames: list[str | None] = self._once(("degraded", data, page, box, expect), lambda: (
            self.sandbox.degraded(data, page, box, expect, self.scan_dpi)))
        return list(frames)

    def _once(self, call: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        """``read()``'s outcome, or the one kept for the same call on the same bytes."""
        key = (call[0], hashlib.sha256(call[1]).digest(), *call[2:])
        with self._lock:
            kept = self._recent.get(key)
            if kept is not None:
                self._recent.move_to_end(key)
        if kept is None:
            try:
                kept = ("ok", read())
            except PaperError as exc:
                if self.sandbox.closed:
                    raise  # 'the run is stopping' says nothing of the paper
                kept = ("error", (exc.message, exc.kind))  # raised anew each time
            with self._lock:
                self._recent[key] = kept
                while len(self._recent) > RECENT_READS:
                    self._recent.popitem(last=False)
        if kept[0] == "error":
            raise PaperError(*kept[1])
        return kept[1]

    def cda(self, data: bytes, rules: RuleSet | None = None) -> CdaRecord:
        return self.sandbox.cda(data, rules)

    def ocr(self, data: bytes) -> OcrText:
        return self.sandbox.ocr(data, self.scan_dpi)
