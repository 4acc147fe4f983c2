"""A scan's sizes are measured at its real resolution — the one its file states or the one the
user gives (``inspect paper --dpi``) — never at a guessed one: without either, they are not
evaluated, with the reason."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from conformance.application import ApplicationError
from conformance.application.inspection import inspect_paper
from conformance.cli.main import cli
from conformance.paper.analyse import DPI, analyse_bytes
from conformance.reference import printing
from conformance.specimens import scan
from tests.helpers import example_body

PID = "01S2TBPZ2JCNZZYGHZ"


def _pdf() -> bytes:
    rx = {**example_body(), "id": PID}
    return printing.render(rx, printing.PaperOptions(printing.qr_payload(rx, PID), PID, "2026-11-24"))


def _without_dpi(png: bytes) -> bytes:
    image = Image.open(io.BytesIO(png))
    out = io.BytesIO()
    image.save(out, format="PNG")  # no dpi=: no pHYs chunk
    assert "dpi" not in Image.open(io.BytesIO(out.getvalue())).info
    return out.getvalue()


@pytest.fixture(scope="module")
def page_at_100_dpi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page as a 100 dpi picture whose file states no resolution (827×1170 px)."""
    path = tmp_path_factory.mktemp("scan") / "page-1.png"
    path.write_bytes(_without_dpi(scan(_pdf(), dpi=100)))
    return path


def _by_check(found: object) -> dict[str, object]:
    return {r.check: r for r in found.results}  # type: ignore[attr-defined]


def test_without_a_resolution_the_sizes_are_not_evaluated_with_the_reason(page_at_100_dpi: Path) -> None:
    found = _by_check(inspect_paper(str(page_at_100_dpi)))
    for name in ("qr_size", "qr_degraded"):
        result = found[name]
        assert result.status == "skip" and result.skip == "not-evaluated"  # type: ignore[attr-defined]
        assert "--dpi N" in result.message  # type: ignore[attr-defined]
    assert found["qr_present"].status == "pass"  # type: ignore[attr-defined]


def test_the_resolution_given_measures_the_real_size(page_at_100_dpi: Path) -> None:
    found = _by_check(inspect_paper(str(page_at_100_dpi), dpi=100))
    size = found["qr_size"]
    assert size.status == "pass", size.message  # type: ignore[attr-defined]
    mm = float(size.message.split(" mm")[0])  # type: ignore[attr-defined]
    assert abs(mm - printing.QR_SIZE_MM) < 1.5  # not the 18 mm a guessed 200 dpi gives
    assert found["qr_degraded"].status != "skip"  # judged at the real resolution  # type: ignore[attr-defined]


def test_a_scan_too_small_at_its_real_resolution_fails(page_at_100_dpi: Path) -> None:
    size = _by_check(inspect_paper(str(page_at_100_dpi), dpi=200))["qr_size"]  # half the size
    assert size.status == "fail" and "mm wide" in size.message  # type: ignore[attr-defined]


def test_the_file_stated_resolution_is_used_and_marked_known() -> None:
    png = scan(_pdf(), dpi=150)  # the specimen scan states its resolution
    page = analyse_bytes(png)[0]
    assert page.scale_known and abs(page.codes[0].size_mm - printing.QR_SIZE_MM) < 1.5
    guessed = analyse_bytes(_without_dpi(png))[0]
    assert not guessed.scale_known  # measured at DPI, and says it is a guess
    assert guessed.width_mm == pytest.approx(page.width_mm * 150 / DPI, rel=0.01)


def test_the_harness_own_page_pictures_state_their_resolution() -> None:
    page = analyse_bytes(_pdf(), picture_dpi=100)[0]
    assert Image.open(io.BytesIO(page.picture)).info["dpi"] == pytest.approx((100, 100), rel=1e-3)


def test_dpi_is_refused_for_a_pdf_and_out_of_range(tmp_path: Path) -> None:
    pdf = tmp_path / "o.pdf"
    pdf.write_bytes(_pdf())
    with pytest.raises(ApplicationError, match="applies to a scan"):
        inspect_paper(str(pdf), dpi=150)
    with pytest.raises(ApplicationError, match="between 50 and 2400"):
        inspect_paper(str(pdf), dpi=5)


def test_the_command_exits_4_without_dpi_and_0_with_it(page_at_100_dpi: Path) -> None:
    without = CliRunner().invoke(cli, ["inspect", "paper", str(page_at_100_dpi)])
    assert without.exit_code == 4
    assert "QR-05   qr_size          the scan's file states no resolution (DPI)" in without.stdout
    given = CliRunner().invoke(cli, ["inspect", "paper", str(page_at_100_dpi), "--dpi", "100"])
    assert "pass  QR-05   qr_size" in given.stdout
    assert "no resolution" not in given.stdout
