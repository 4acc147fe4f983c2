"""The tester's web page (``campaign watch --serve``) served on loopback, read with httpx: what it shows
(rebuilt from the journal), its forms and their token, the upload into depot/, and what it refuses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance import application as app
from conformance.application.session import load_profile
from conformance.campaign import judge
from conformance.campaign.drop import Processor
from conformance.campaign.folder import open_checked
from conformance.campaign.web import create_app, safe_name
from conformance.paper.reader import InProcessReader
from conformance.paths import BUNDLED_FIXTURES
from conformance.serving import BackgroundServer
from tests.helpers import campaign_page, phone_photo, small_campaign_plan

PRESCRIBER = BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"
TOKEN = "jeton-de-test-0123456789abcdef"


@pytest.fixture
def camp(tmp_path: Path) -> Path:
    folder = tmp_path / "camp"
    app.campaign.start(str(small_campaign_plan(tmp_path)), str(folder), str(PRESCRIBER), "Alice", 5)
    return folder


@pytest.fixture
def client(camp: Path) -> Iterator[httpx.Client]:
    web = create_app(camp, InProcessReader(picture_dpi=72), app.campaign.web_actions(str(camp), "Alice"),
                     token=TOKEN)
    with BackgroundServer(web) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def _judge(folder: Path) -> list[str]:
    said: list[str] = []
    Processor(folder, "Alice", InProcessReader(), load_profile("public-2025"), said.append, 0.0).scan()
    return said


def _lines(folder: Path) -> int:
    return len((folder / "journal.jsonl").read_bytes().splitlines())


def _page(folder: Path, step: str) -> bytes:
    state = open_checked(folder).state
    return campaign_page(state.cards[step], str(state.started["today"]))


def test_the_page_shows_the_steps_the_current_card_and_a_token_in_every_form(
        camp: Path, client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    text = page.text
    states = dict(re.findall(r'<li id="nav-([a-z-]+)">.*?data-state="([a-z-]+)"', text))
    assert states == {"simple": "waiting", "signale": "awaiting-confirmation", "biologie": "pending"}
    card = open_checked(camp).state.cards["simple"]
    current = text.split('<section class="step current" id="step-simple"', 1)[1].split("</section>")[0]
    assert card.patient["nir"] in current and card.patient["nomFamille"] in current
    assert "PARACÉTAMOL" in current and "imprimez-la et déposez le PDF" in current
    forms = re.findall(r"<form.*?</form>", text, re.S)
    assert len(forms) == 1 + 3 + 1  # upload, a skip per step not done, the confirm step's answer
    assert all(f'name="token" value="{TOKEN}"' in form for form in forms)
    # the plan's title is text, never markup; nothing is loaded from the network
    assert "Petite campagne &lt;de test&gt;" in text and "<de test>" not in text
    assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", text)
    assert "@import" not in text and "url(" not in text
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    nonce = re.search(r"script-src 'nonce-([^']+)'", csp)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in text
    assert client.get("/carte/simple").status_code == 200
    assert client.get("/carte/inconnue").status_code == 404


def test_a_post_without_the_token_or_from_elsewhere_changes_nothing(camp: Path, client: httpx.Client) -> None:
    before = _lines(camp)
    form = {"etape": "signale", "reponse": "oui"}
    assert client.post("/confirmer", data=form).status_code == 403
    assert client.post("/confirmer", data={**form, "token": "x" * len(TOKEN)}).status_code == 403
    foreign = client.post("/confirmer", data={**form, "token": TOKEN}, headers={"origin": "http://evil.example"})
    assert foreign.status_code == 403
    rebound = client.post("/confirmer", data={**form, "token": TOKEN}, headers={"host": "evil.example"})
    assert rebound.status_code == 400  # DNS rebinding: another host name reaching our port
    upload = client.post("/depot", data={"token": "bad"}, files={"fichier": ("a.pdf", b"%PDF-1.4\n%%EOF\n")})
    assert upload.status_code == 403
    assert _lines(camp) == before and not any((camp / "depot").iterdir())


def test_an_upload_lands_in_depot_and_is_judged_and_pictured_like_a_dropped_file(
        camp: Path, client: httpx.Client) -> None:
    version = client.get("/etat.json").json()["version"]
    sent = client.post("/depot", data={"token": TOKEN},
                       files={"fichier": ("../<i>ordo.pdf", _page(camp, "simple"), "application/pdf")})
    assert sent.status_code == 303
    assert [p.name for p in (camp / "depot").iterdir()] == ["_i_ordo.pdf"]
    assert client.get("/etat.json").json()["version"] != version  # the page reloads to show it waiting
    assert "_i_ordo.pdf" in client.get("/").text
    said = _judge(camp)
    assert any("attributed to step simple" in s for s in said), said
    doc = client.get("/etat.json").json()
    assert doc["steps"][0]["state"] == "judged"
    text = client.get("/").text
    section = text.split('id="step-simple"', 1)[1].split("</section>")[0]
    assert 'data-state="judged"' in section
    assert "aucune anomalie" in section, section  # a conforming printout: nothing failed
    sha = doc["steps"][0]["artefacts"][0]["sha256"]
    assert f'src="page/{sha}/1"' in section
    assert section.count('class="box qr"') == 1 and 'class="box mention"' in section
    picture = client.get(f"/page/{sha}/1")
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    assert client.get(f"/page/{sha}/2").status_code == 404
    assert client.get(f"/page/{'0' * 64}/1").status_code == 404


def test_a_phone_photo_is_pictured_as_it_is_with_its_code_outlined_and_its_text_not_evaluated(
        camp: Path, client: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(judge, "unavailable", lambda: "OCR not installed (Debian: tesseract-ocr)")
    photo = phone_photo(_page(camp, "biologie"))
    files = {"fichier": ("IMG_0001.jpg", photo, "image/jpeg")}
    sent = client.post("/depot", data={"token": TOKEN}, files=files)
    assert sent.status_code == 303
    said = _judge(camp)
    assert any("attributed to step biologie" in s for s in said), said
    section = client.get("/").text.split('id="step-biologie"', 1)[1].split("</section>")[0]
    sha = re.search(r'data-sha256="([0-9a-f]{64})"', section)
    assert sha and section.count('class="box qr"') == 1 and 'class="box mention"' not in section
    assert re.search(r'<li class="skip" data-requirement="PAP-08" data-status="not-evaluated">'
                     r'non évalué PAP-08', section), section
    picture = client.get(f"/page/{sha.group(1)}/1")
    assert picture.headers["content-type"] == "image/jpeg" and picture.content == photo


def test_a_file_naming_no_patient_is_listed_as_not_attributed_with_its_text_escaped(
        camp: Path, client: httpx.Client) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(20, 20, "<script>alert(1)</script> <img src=x onerror=alert(2)>")
    sent = client.post("/depot", data={"token": TOKEN}, files={"fichier": ("autre.pdf", bytes(pdf.output()))})
    assert sent.status_code == 303
    said = _judge(camp)
    assert any("not attributed" in s for s in said), said
    text = client.get("/").text
    listed = re.search(r'<ul id="unattributed"><li data-sha256="[0-9a-f]{64}">autre.pdf .*?</li>', text)
    assert listed and "&lt;script&gt;alert(1)&lt;/script&gt;" in listed.group(0)
    assert "<script>alert" not in text and "<img src=x" not in text


def test_confirm_and_skip_go_to_the_journal_and_a_refusal_is_shown(camp: Path, client: httpx.Client) -> None:
    said = client.post("/confirmer", data={"token": TOKEN, "etape": "signale", "reponse": "non",
                                           "note": "<b>rien</b> vu"})
    assert said.status_code == 303
    entries = [json.loads(line) for line in (camp / "journal.jsonl").read_text(encoding="utf-8").splitlines()]
    confirmed = entries[-1]
    assert (confirmed["event"], confirmed["answer"], confirmed["tester"]) == ("confirmed", "no", "Alice")
    assert confirmed["shownSha256"] and confirmed["note"] == "<b>rien</b> vu"
    again = client.post("/confirmer", data={"token": TOKEN, "etape": "signale", "reponse": "oui"})
    assert again.status_code == 409 and "already answered" in again.text
    assert "&lt;b&gt;rien&lt;/b&gt; vu" in client.get("/").text
    assert client.post("/passer", data={"token": TOKEN, "etape": "biologie", "motif": ""}).status_code == 400
    assert client.post("/passer", data={"token": TOKEN, "etape": "biologie",
                                        "motif": "imprimante en panne"}).status_code == 303
    assert client.post("/passer", data={"token": TOKEN, "etape": "nulle-part",
                                        "motif": "x"}).status_code == 409
    states = {s["id"]: s["state"] for s in client.get("/etat.json").json()["steps"]}
    assert states == {"simple": "waiting", "signale": "confirmed", "biologie": "skipped"}
    app.campaign.close(str(camp))
    text = client.get("/").text
    assert "Verdict : non-conforme" in text and "<form" not in text
    late = client.post("/passer", data={"token": TOKEN, "etape": "simple", "motif": "trop tard"})
    assert late.status_code == 409 and "closed" in late.text


def test_a_dropped_name_is_kept_without_folder_nor_hidden_or_temporary_form() -> None:
    assert safe_name("C:\\Users\\x\\scan 1.pdf") == "scan 1.pdf"
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name(".cache.pdf") == "cache.pdf"
    assert safe_name("ordo.pdf.part") == "ordo.pdf.part.fichier"
    assert safe_name("...") == "fichier"


def test_serve_goes_with_watching_not_with_once(camp: Path) -> None:
    from click.testing import CliRunner

    from conformance.cli.main import cli

    result = CliRunner().invoke(cli, ["campaign", "watch", str(camp), "--once", "--serve"])
    assert result.exit_code == 2 and "--serve keeps watching" in result.output
    result = CliRunner().invoke(cli, ["campaign", "watch", "--help"])
    assert "--serve [PORT]" in result.output
