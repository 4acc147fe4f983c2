"""Papers are read in confined workers: every hostile paper ends as a classified PaperError
within the limits, the harness process never parses it, and a conforming page reads the same
as in-process."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator

import pytest

from conformance.paper import InProcessReader, PaperError
from conformance.paper import sandbox as sandbox_module
from conformance.paper.sandbox import MIB, Limits, Sandbox
from conformance.specimens import fpdf_page, scan
from tests.paper_bombs import CORPUS

LIMITS = Limits(memory_bytes=1024 * MIB, cpu_seconds=3, deadline_seconds=4.0)
KINDS = {"too-large", "timeout", "unreadable"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(2, LIMITS)
    yield box
    box.close()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_a_hostile_paper_costs_a_classified_error_never_the_harness(name: str, sandbox: Sandbox) -> None:
    data = CORPUS[name]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    try:
        pages = sandbox.analyse(data)
    except PaperError as exc:
        assert exc.kind in KINDS, (name, exc.kind)
        assert str(exc)
    else:  # a reader may also make sense of it: then it is a page like any other
        assert pages and all(p.width_mm > 0 for p in pages)
    # the deadline holds (plus the time to start a worker); the harness itself never grew
    assert time.monotonic() - t0 < LIMITS.deadline_seconds + 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # kB


def test_the_worker_limits_classify_what_broke_them(sandbox: Sandbox) -> None:
    with pytest.raises(PaperError) as too_large:
        sandbox.analyse(CORPUS["wide-page"]())
    assert too_large.value.kind == "too-large"
    with pytest.raises(PaperError) as bomb:
        sandbox.analyse(CORPUS["endstream-inside"]())
    assert bomb.value.kind == "too-large"
    with pytest.raises(PaperError) as fan:  # CPU, memory or deadline: never a page, never a hang
        sandbox.analyse(CORPUS["fan-out"]())
    assert fan.value.kind in KINDS
    with pytest.raises(PaperError, match="neither a PDF"):
        sandbox.analyse(b"GIF89a")


def test_a_conforming_page_reads_as_in_process_and_the_worker_is_reused(sandbox: Sandbox) -> None:
    pdf = fpdf_page()
    direct = InProcessReader()
    assert sandbox.analyse(pdf) == direct.analyse(pdf)
    code = direct.analyse(pdf)[0].codes[0]
    assert sandbox.degraded(pdf, 1, code.box) == direct.degraded(pdf, 1, code.box)
    image = scan(pdf)
    assert sandbox.analyse(image) == direct.analyse(image)


def test_a_worker_that_dies_is_replaced(sandbox: Sandbox) -> None:
    with pytest.raises(PaperError):
        sandbox.analyse(CORPUS["double-flate"]())  # over the memory limit: the worker dies
    assert sandbox.analyse(fpdf_page())[0].codes  # the next paper gets a fresh worker


def test_pictures_come_from_the_worker_and_close_stops_every_worker() -> None:
    box = Sandbox(1, LIMITS)
    try:
        page = box.view(100).analyse(fpdf_page())[0]
        assert not box.analyse(fpdf_page())[0].picture  # pictures only when asked
        assert page.picture.startswith(b"\x89PNG")
    finally:
        box.close()
    with pytest.raises(PaperError, match="stopping"):
        box.analyse(fpdf_page())


def test_a_machine_limit_lower_than_ours_is_kept_not_a_crash() -> None:
    """Under a container's lower hard address-space limit, the worker keeps that limit (raising
    a hard limit is refused to an unprivileged process): papers still read."""
    import subprocess
    import sys

    def lower() -> None:
        limit = 1400 * MIB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    code = ("from conformance.paper.sandbox import Sandbox\n"
            "from conformance.specimens import fpdf_page\n"
            "if __name__ == '__main__':\n"
            "    box = Sandbox(1)\n"
            "    print(len(box.analyse(fpdf_page())[0].codes))\n"
            "    box.close()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          preexec_fn=lower, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "1"


def test_a_view_reads_the_same_bytes_once_its_error_included(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run reads a paper again (a hostile target serves the same bomb to every scenario):
    the view keeps the last reads by the bytes' hash, what they gave or how they failed."""
    box = Sandbox(1, LIMITS)
    calls: list[str] = []
    real = box.call

    def counted(task: str, *args: object) -> object:
        calls.append(task)
        return real(task, *args)

    monkeypatch.setattr(box, "call", counted)
    try:
        view, pdf = box.view(None), fpdf_page()
        first = view.analyse(pdf)
        assert view.analyse(pdf) == first and calls == ["analyse"]
        box_mm = first[0].codes[0].box
        assert view.degraded(pdf, 1, box_mm) == view.degraded(pdf, 1, box_mm)
        assert view.degraded(pdf, 1, box_mm, "other") != []  # another question: asked again
        assert calls == ["analyse", "degraded", "degraded"]
        assert view.analyse(scan(pdf)) != first  # other bytes, another read
        bomb = CORPUS["wide-page"]()
        for _ in range(2):
            with pytest.raises(PaperError) as refused:
                view.analyse(bomb)
            assert refused.value.kind == "too-large"
        assert calls.count("analyse") == 3
        for other in range(sandbox_module.RECENT_READS):  # the oldest read leaves the memory
            view.analyse(scan(pdf, dpi=100 + other))
        view.analyse(pdf)
        assert calls.count("analyse") == 3 + sandbox_module.RECENT_READS + 1
    finally:
        box.close()
    asked = len(calls)
    for _ in range(2):  # never kept: 'the run is stopping' says nothing of the paper
        with pytest.raises(PaperError, match="stopping"):
            view.analyse(fpdf_page(pid="ZZZZZZZZZZZZZZZZZZ"))
    assert len(calls) == asked + 2
