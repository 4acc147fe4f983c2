"""A whole small campaign played through the tester's page in a real browser: the system's
Chromium driven by Playwright (no browser is downloaded), against ``campaign watch --serve``."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import application as app
from conformance.campaign.folder import open_checked
from conformance.paths import BUNDLED_FIXTURES
from tests.helpers import campaign_page, small_campaign_plan

CHROMIUM = shutil.which("chromium")
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (Debian package 'chromium'; .ci/run "
                       "installs it): the campaign page cannot be driven in a browser here"),
    pytest.mark.skipif(sync_playwright is None, reason="Playwright is not installed (the dev extra "
                       "installs it; it drives the system's Chromium, no browser download)"),
]
PRESCRIBER = BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"
WAIT_MS = 60_000  # a judged file appears within seconds; generous for a loaded CI machine


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "camp"
    app.campaign.start(str(small_campaign_plan(tmp_path)), str(folder), str(PRESCRIBER), "Alice", 5)
    urls: list[str] = []
    said: list[str] = []
    stop = threading.Event()
    outcome: dict[str, Any] = {}

    def watch() -> None:
        try:
            outcome["left"] = app.campaign.watch(str(folder), said.append, settle=0.3, stop=stop, serve=0,
                                                 on_serving=urls.append)
        except BaseException as exc:  # shown by the assertion below, not lost in the thread
            outcome["error"] = exc

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not urls and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert urls, (outcome, said)
    yield folder, urls[0]
    stop.set()
    thread.join(30)
    assert not thread.is_alive() and "error" not in outcome, (outcome, said)


def _state(page: Any, step: str) -> str:
    return str(page.get_attribute(f"#nav-{step} .state", "data-state"))


def test_a_small_campaign_played_in_chromium_through_the_page(served: tuple[Path, str]) -> None:
    folder, url = served
    state = open_checked(folder).state
    pdf = campaign_page(state.cards["simple"], str(state.started["today"]))
    assert sync_playwright is not None and CHROMIUM is not None
    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                    "--disable-dev-shm-usage"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.goto(url + "/")
            assert [_state(page, s) for s in ("simple", "signale", "biologie")] == [
                "waiting", "awaiting-confirmation", "pending"]
            current = page.locator("section.current")
            assert current.get_attribute("id") == "step-simple"
            assert state.cards["simple"].patient["nir"] in current.inner_text()

            # produce: the printout uploaded through the page, judged by watch; the page updates itself
            page.set_input_files("#upload input[type=file]", files=[
                {"name": "ordonnance.pdf", "mimeType": "application/pdf", "buffer": pdf}])
            page.click("#upload button[type=submit]")
            page.wait_for_selector('#nav-simple .state[data-state="judged"]', timeout=WAIT_MS)
            judged = page.locator("#step-simple")
            assert "aucune anomalie" in judged.inner_text()
            image = judged.locator(".sheet img").first
            image.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(),
                                   timeout=WAIT_MS)
            assert judged.locator(".box.qr").count() == 1 and judged.locator(".box.mention").count() >= 1

            # confirm: the answer goes to the journal, bound to the question shown
            form = page.locator("#step-signale form.confirm")
            form.locator("input[value=oui]").check()
            form.locator("input[name=note]").fill("bandeau « non enregistrée » affiché")
            form.locator("button[type=submit]").click()
            page.wait_for_selector('#nav-signale .state[data-state="confirmed"]', timeout=WAIT_MS)
            assert page.locator("#step-signale .answer").inner_text().startswith("Réponse : Oui (Alice, ")

            # skip: with its reason
            page.locator("#step-biologie details summary", has_text="Passer").click()
            page.locator("#step-biologie form.skip input[name=motif]").fill("imprimante en panne")
            page.locator("#step-biologie form.skip button[type=submit]").click()
            page.wait_for_selector('#nav-biologie .state[data-state="skipped"]', timeout=WAIT_MS)
            assert page.locator("#step-biologie").inner_text().count("imprimante en panne") == 1

            # close (the CLI's part): the verdict, and the page shows it by itself, forms gone
            closed = app.campaign.close(str(folder), lang="en")
            assert str(closed.verdict) == "incomplet" and int(closed.exit_code) == 4
            assert closed.reasons == ("biologie: skipped (imprimante en panne)",)
            page.wait_for_selector('#verdict:has-text("Verdict : incomplet")', timeout=WAIT_MS)
            assert page.locator("form").count() == 0
        finally:
            browser.close()
    assert problems == []  # no script error, no blocked resource (the CSP would say so here)
    assert requests and all(r.startswith(url + "/") for r in requests), requests
    steps = {s["id"]: s for s in app.campaign.status(str(folder))["steps"]}
    assert steps["simple"]["state"] == "judged"
    assert steps["simple"]["artefacts"][0]["name"] == "ordonnance.pdf"
    assert steps["signale"]["answer"]["value"] == "yes" and steps["signale"]["answer"]["tester"] == "Alice"
