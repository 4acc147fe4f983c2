"""OCR of scans and phone photos in the campaign (DESIGN §15): Tesseract's text becomes the text
lines the paper checks read, its unsure words are shown, identifiers are never taken from it, and
without it (or when it crashes or overruns) the text checks are not evaluated, saying why."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import application as app
from conformance.application.session import load_profile
from conformance.campaign import judge
from conformance.campaign.drop import Processor
from conformance.campaign.folder import open_checked
from conformance.campaign.texts import shown
from conformance.engine.results import CheckResult
from conformance.paper import InProcessReader, PaperReader, TextLine
from conformance.paper.ocr import PACKAGES, OcrText, OcrWord, parse_tsv, unavailable
from conformance.paper.sandbox import Limits, Sandbox
from conformance.paths import BUNDLED_FIXTURES
from conformance.vocabulary import Operation, Severity, SkipKind, Status
from tests.helpers import campaign_page, phone_photo

PRESCRIBER = BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"
NO_OCR = unavailable()
needs_ocr = pytest.mark.skipif(NO_OCR is not None, reason=f"{NO_OCR}: the OCR tests need it")
# the sandbox's workers and Tesseract are subprocesses: slow end-to-end tests, each run once
# the text checks an image is judged on once read by OCR
TEXT = {"PAP-02", "PAP-03", "CON-02", "PAP-04", "PAP-06", "PAP-07", "PAP-08", "PAP-11", "PAP-14"}
# what stays not evaluated on a phone photo, and why: identifiers (never from OCR), the page's
# edges and quiet zone (a picture's perspective), sizes (a photo states no resolution)
UNJUDGED = {"PAP-01", "PAP-05", "IDN-01", "PAP-13", "QR-05", "QR-06"}


@pytest.fixture
def camp(tmp_path: Path) -> Path:
    folder = tmp_path / "camp"
    app.campaign.start(None, str(folder), str(PRESCRIBER), "Alice", 5)
    return folder


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox()
    yield box
    box.close()


def _page(folder: Path, step: str, defect: str | None = None) -> bytes:
    state = open_checked(folder).state
    return campaign_page(state.cards[step], str(state.started["today"]), defect)


def _drop(folder: Path, reader: PaperReader, files: dict[str, bytes]) -> list[str]:
    for name, data in files.items():
        (folder / "depot" / name).write_bytes(data)
    said: list[str] = []
    Processor(folder, "Alice", reader, load_profile("public-2025"), said.append, 0.0).scan()
    return said


def _checks(folder: Path, step: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for check in open_checked(folder).state.steps[step].checks:  # our messages read in English
        out.setdefault(check["requirement"], []).append({**check, "message": shown(check["message"], "en")})
    return out


def _status(checks: list[dict[str, Any]]) -> str:
    return " ".join(sorted({c.get("skip", c["status"]) for c in checks}))


def test_tesseract_tsv_becomes_lines_in_mm_and_its_unsure_words() -> None:
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "4\t1\t1\t1\t1\t0\t100\t200\t300\t40\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t100\t200\t120\t40\t96.5\tCédric\n"
           "5\t1\t1\t1\t1\t2\t240\t205\t160\t30\t41.2\tLACRO1X\n"
           "5\t1\t1\t1\t2\t1\t100\t260\t90\t30\t91\tNFS\n"
           "5\t1\t1\t1\t2\t2\t200\t260\t90\t30\t88\t \n")
    read = parse_tsv(tsv, 25.4 / 200)
    assert [line.text for line in read.lines] == ["Cédric LACRO1X", "NFS"]
    assert read.lines[0].box == pytest.approx((12.7, 25.4, 50.8, 30.48))
    assert read.words == 3 and read.shown() == ["'LACRO1X' (41 %)"]


def _failed(expected: str) -> CheckResult:
    return CheckResult(check="patient_identified", requirement="PAP-06", title="", severity=Severity.MAJOR,
                       operation=Operation.IMPRESSION, status=Status.FAIL, message="patient not identified",
                       expected=expected, diff=(f"prenom {expected!r}",))


def test_a_failure_on_a_word_ocr_was_unsure_of_is_not_evaluated_saying_which() -> None:
    box = (0.0, 0.0, 1.0, 1.0)
    ocr = OcrText((TextLine("M. LACROIX Cédrlc", box),), (OcrWord("Cédrlc", 38.0, box),), 3, 0.5)
    unsure = judge._read_by_ocr(_failed("Cédric"), ocr)
    assert unsure.status is Status.SKIP and unsure.skip is SkipKind.NOT_EVALUATED
    assert "unsure" in unsure.message and "'Cédrlc' (38 %)" in unsure.message
    # an unsure word elsewhere on the page does not excuse a failure: it stays, said read by OCR
    other = judge._read_by_ocr(_failed("Bernadette"), ocr)
    assert other.status is Status.FAIL and "text read by OCR" in other.diff[-1]
    # and identifiers are never judged from OCR, whatever it read
    number = judge._read_by_ocr(CheckResult(
        check="number_under_qr", requirement="PAP-01", title="", severity=Severity.BLOCKING,
        operation=Operation.IMPRESSION, status=Status.PASS, message="printed"), ocr)
    assert number.skip is SkipKind.NOT_EVALUATED and "never taken from OCR" in number.message


@pytest.mark.slow
@needs_ocr
def test_a_phone_photo_of_a_conforming_page_has_its_text_checks_judged_and_passed(
        camp: Path, sandbox: Sandbox) -> None:
    said = _drop(camp, sandbox, {"IMG_0001.jpg": phone_photo(_page(camp, "non-rembourse"))})
    assert any("attributed to step non-rembourse" in s for s in said), said
    checks = _checks(camp, "non-rembourse")
    assert not [c for cs in checks.values() for c in cs if c["status"] == "fail"], checks
    assert {req: _status(checks[req]) for req in TEXT} == dict.fromkeys(TEXT, "pass")
    assert {req for req, cs in checks.items() if _status(cs) == "not-evaluated"} == UNJUDGED
    assert all("never taken from OCR" in checks[req][0]["message"] for req in ("PAP-01", "PAP-05", "IDN-01"))
    shown = checks["OCR"][0]
    assert shown["status"] == "skip" and shown["skip"] == "not-applicable"
    assert "text read by OCR (Tesseract, fra)" in shown["message"] and "unsure" in shown["message"]


@pytest.mark.slow
@needs_ocr
def test_a_phone_photo_missing_a_mandatory_mention_fails_naming_its_requirement(
        camp: Path, sandbox: Sandbox) -> None:
    _drop(camp, sandbox, {"IMG_0002.jpg": phone_photo(_page(camp, "non-rembourse", "no-nr")),
                          "IMG_0003.jpg": phone_photo(_page(camp, "biologie", "no-data"))})
    nr, data = _checks(camp, "non-rembourse")["PAP-14"], _checks(camp, "biologie")["PAP-02"]
    assert _status(nr) == "fail" and _status(data) == "fail", (nr, data)
    assert "text read by OCR" in shown(nr[0]["details"][-1], "en")
    closed = app.campaign.close(str(camp), lang="en")
    assert closed.verdict == "non-conforme"
    assert {r.split(":")[0] + " " + r.split(":")[1].split()[0] for r in closed.reasons[:2]} == {
        "non-rembourse PAP-14", "biologie PAP-02"}, closed.reasons


@pytest.mark.slow
@needs_ocr
def test_identifiers_printed_on_a_photo_are_never_used_the_code_2d_names_them(
        camp: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    page = _page(camp, "biologie", "other-ids")  # another number, RPPS and NIR printed than coded
    said = _drop(camp, sandbox, {"IMG_0004.jpg": phone_photo(page)})
    assert any("attributed to step biologie" in s for s in said), said
    checks = _checks(camp, "biologie")
    assert _status(checks["ID-02"]) == "pass"  # the prescription's number: the code 2D's
    assert not [c for cs in checks.values() for c in cs if c["status"] == "fail"], checks
    assert all("never taken from OCR" in checks[r][0]["message"] for r in ("PAP-01", "PAP-05", "IDN-01"))
    # not a blind spot: the same page as a PDF, whose text layer is read, fails on its number
    other = tmp_path / "other"
    app.campaign.start(None, str(other), str(PRESCRIBER), "Alice", 5)
    _drop(other, sandbox, {"biologie.pdf": page})
    assert _status(_checks(other, "biologie")["PAP-01"]) == "fail"


def test_without_tesseract_an_image_s_text_checks_are_not_evaluated_naming_the_packages(
        camp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    why = f"OCR not installed (Tesseract: Debian packages {PACKAGES})"
    monkeypatch.setattr(judge, "unavailable", lambda: why)
    _drop(camp, InProcessReader(), {"IMG_0005.jpg": phone_photo(_page(camp, "biologie"))})
    checks = _checks(camp, "biologie")
    assert "OCR" not in checks and _status(checks["QR-03"]) == "pass"  # the code 2D is still judged
    for req in ("PAP-02", "PAP-03", "PAP-06", "PAP-08"):
        assert _status(checks[req]) == "not-evaluated", checks[req]
        assert "OCR not installed" in checks[req][0]["message"], checks[req]
        assert "tesseract-ocr tesseract-ocr-fra" in checks[req][0]["message"]
    state = open_checked(camp).state
    read = state.steps["biologie"].artefacts
    assert read and read[0]["kind"] == "image"


def _fake_tesseract(folder: Path, body: str) -> None:
    script = folder / "tesseract"
    script.write_text(f'#!/bin/sh\nif [ "$1" = --list-langs ]; then echo fra; exit 0; fi\n{body}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.mark.slow
@pytest.mark.parametrize(("body", "kind"), [("kill -SEGV $$", "unreadable"), ("exec sleep 30", "timeout")])
def test_a_tesseract_crash_or_overrun_is_one_classified_not_evaluated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, kind: str) -> None:
    _fake_tesseract(tmp_path, body)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.setattr(judge, "unavailable", lambda: None)
    camp = tmp_path / "camp"
    app.campaign.start(None, str(camp), str(PRESCRIBER), "Alice", 5)
    box = Sandbox(limits=Limits(deadline_seconds=3.0))  # spawned now: the fake on its PATH
    try:
        reading = judge.read(box, phone_photo(_page(camp, "biologie")))
    finally:
        box.close()
    assert reading.ocr is None and reading.no_ocr is not None
    assert reading.no_ocr.startswith(f"OCR failed ({kind})"), reading.no_ocr
    assert reading.payload is not None  # the code 2D was decoded all the same
    assert "OCR failed" in shown(reading.summary()["note"], "en")
