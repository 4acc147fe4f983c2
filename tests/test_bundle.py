"""The evidence bundle: manifest and signature, verify, replay, pseudonymisation, report.html
(rendered in a real headless Chromium), JUnit attachments, summary.md."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conformance.engine.redaction import Redactor
from conformance.paths import BUNDLED_FIXTURES, BUNDLED_SCENARIOS
from tests.helpers import FREE_TEXT_SECRETS, cli, only_run
from tests.hostile import HOSTILE_TEXT, HostileServer

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
TEXT_SUFFIXES = {".json", ".xml", ".html", ".md", ".txt"}


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A signed bundle of two scenarios with a fault (anomalies, a failing paper) and its key."""
    tmp = tmp_path_factory.mktemp("signed")
    assert cli("keygen", str(tmp / "keys")).returncode == 0
    done = cli("run", "-k", "RT-MED-001 or RT-CON-001", "--fault", "number-missing",
               "--sign", str(tmp / "keys" / "conformance-signing.key"), "--report-dir", str(tmp / "r"))
    assert done.returncode == 1, done.stdout + done.stderr
    return only_run(tmp / "r"), tmp / "keys" / "conformance-signing.pub"


def test_bundle_holds_reports_evidence_and_a_manifest_of_every_file(signed: tuple[Path, Path]) -> None:
    bundle, _ = signed
    for name in ("report.json", "junit.xml", "report.html", "summary.md", "manifest.json", "manifest.sig"):
        assert (bundle / name).is_file(), name
    paper = bundle / "evidence" / "RT-MED-001" / "04-paper"
    for name in ("paper.pdf", "page-1.png", "paper.json", "text.txt", "code2d.json", "exchange-1.json"):
        assert (paper / name).is_file(), name
    assert json.loads((paper / "code2d.json").read_text("utf-8"))["S"] == {"V": 2}
    assert (bundle / "evidence" / "RT-MED-001" / "01-create" / "journal.json").is_file()
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    files = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == files - {"manifest.json", "manifest.sig"}
    assert manifest["suite"]["hash"] and manifest["seed"] == 0 and manifest["profile"]["name"]
    assert manifest["target"]["about"]["logiciel"]["nom"] == "epresc-reference"
    report = json.loads((bundle / "report.json").read_text("utf-8"))
    assert report["scenarios"][0]["steps"][3]["evidence"] == "evidence/RT-MED-001/04-paper"
    assert report["scenarios"][0]["steps"][3]["checks"][0]["evidence"] == ["evidence/RT-MED-001/04-paper"]
    page = (bundle / "report.html").read_text("utf-8")
    assert "epresc-conformance 0." in page and "worst result" not in page  # French report: its legend
    assert "pire résultat" in page and page.count("data:image/png") >= 2  # every paper anomaly's page


def test_verify_names_every_changed_missing_or_added_file(signed: tuple[Path, Path], tmp_path: Path) -> None:
    original, public = signed
    intact = cli("verify", str(original), "--public-key", str(public))
    assert intact.returncode == 0 and "signature: valid" in intact.stdout
    files = sorted(p for p in original.rglob("*") if p.is_file() and not p.name.startswith("manifest"))
    for n, target in enumerate((files[0], files[len(files) // 2], files[-1])):  # one byte, anywhere
        bundle = tmp_path / f"copy-{n}"
        shutil.copytree(original, bundle)
        copy = bundle / target.relative_to(original)
        data = bytearray(copy.read_bytes())
        data[len(data) // 2] ^= 0x01
        copy.write_bytes(bytes(data))
        done = cli("verify", str(bundle), "--public-key", str(public))
        assert done.returncode == 1
        assert f"changed  {target.relative_to(original).as_posix()}" in done.stdout
    bundle = tmp_path / "moved"
    shutil.copytree(original, bundle)
    (bundle / "summary.md").unlink()
    (bundle / "extra.txt").write_text("x", encoding="utf-8")
    done = cli("verify", str(bundle))
    assert done.returncode == 1
    assert "missing  summary.md" in done.stdout and "added    extra.txt" in done.stdout
    # rewriting the manifest to match does not survive the signature
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    manifest["files"].pop("summary.md")
    (bundle / "extra.txt").unlink()
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = cli("verify", str(bundle), "--public-key", str(public))
    assert done.returncode == 1 and "signature: invalid" in done.stdout
    assert cli("verify", str(tmp_path)).returncode == 2


def test_replay_gives_identical_verdicts_and_refuses_a_changed_suite(signed: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    bundle, _ = signed
    done = cli("replay", str(bundle), "--report-dir", str(tmp_path / "again"))
    # the embedded reference with the fault the bundle was recorded with: the same verdicts
    assert done.returncode == 0 and "0 verdict difference(s)" in done.stdout, done.stdout
    assert "switched on: number-missing" in done.stderr
    clean = cli("run", "-k", "RT-MED-001", "--seed", "7", "--report-dir", str(tmp_path / "clean"))
    assert clean.returncode == 0
    same = cli("replay", str(only_run(tmp_path / "clean")), "--report-dir", str(tmp_path / "same"))
    assert same.returncode == 0 and "0 verdict difference(s)" in same.stdout
    # a bundle made from a copy of the suite whose files then change
    suite = tmp_path / "suite"
    shutil.copytree(BUNDLED_SCENARIOS / "nominal", suite / "scenarios")
    shutil.copytree(BUNDLED_FIXTURES, suite / "fixtures")
    made = cli("run", str(suite / "scenarios"), "-k", "RT-CON-001", "--report-dir", str(tmp_path / "s"))
    assert made.returncode == 0, made.stderr
    # the bundle carries its suite: moved elsewhere with the suite it came from deleted, it
    # replays identically from its own copy
    moved = tmp_path / "elsewhere" / "bundle"
    shutil.copytree(only_run(tmp_path / "s"), moved)
    shutil.rmtree(suite)
    manifest = json.loads((moved / "manifest.json").read_text("utf-8"))
    assert manifest["suite"]["bundled"] and manifest["suite"]["paths"] == ["suite/scenarios"]
    assert not any(str(tmp_path) in json.dumps(value) for value in manifest["suite"].values())
    again = cli("replay", str(moved), "--report-dir", str(tmp_path / "x"))
    assert again.returncode == 0 and "0 verdict difference(s)" in again.stdout, again.stderr
    # its suite altered: refused unless --force
    copy = moved / "suite" / "scenarios" / "opposition.yaml"
    copy.write_text(copy.read_text("utf-8") + "\n# changed\n", encoding="utf-8")
    refused = cli("replay", str(moved), "--report-dir", str(tmp_path / "x"))
    assert refused.returncode == 2 and "--force" in refused.stderr
    forced = cli("replay", str(moved), "--force", "--report-dir", str(tmp_path / "x"))
    assert forced.returncode == 0 and "warning" in forced.stderr


def test_pseudonymised_bundle_has_no_patient_identity(tmp_path: Path) -> None:
    done = cli("run", "-k", "RT-MED-001 or ROB-ACCENTS-001 or RT-ALD-001 or RT-ENFANT-001 or GEN or "
               "CDA-MED-001",
               "--fault", "number-missing", "--pseudonymise", "--report-dir", str(tmp_path))
    assert done.returncode == 1, done.stderr
    bundle = only_run(tmp_path)
    secrets = set()
    for file in (BUNDLED_FIXTURES / "patients").glob("*.yaml"):
        patient = yaml.safe_load(file.read_text("utf-8"))
        secrets |= {patient["nomFamille"], patient["prenom"], patient["ins"]}
    texts = [p for p in bundle.rglob("*") if p.suffix in TEXT_SUFFIXES]
    assert len(texts) > 20
    leaks = [(p.name, s) for p in texts for s in secrets if re.search(rf"(?<!\w){re.escape(s)}(?!\w)",
                                                                       p.read_text("utf-8"))]
    assert leaks == []
    assert not list(bundle.rglob("*.pdf")) and not list(bundle.rglob("page-*.png"))
    # nor the DMP copy's PDF in base64, whose text no pseudonym can reach
    assert not [p.name for p in bundle.rglob("*") if p.is_file() and b"JVBERi0" in p.read_bytes()]
    assert "PSEUDO0" in (bundle / "report.json").read_text("utf-8")


def test_redactor_masks_secrets_and_custom_patterns() -> None:
    r = Redactor([r"LAP-\d{4}"])
    text = ('Authorization: Bearer eyJhbGciOi.J9x.yz {"access_token": "s3cr3t"} password=hunter2 '
            "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- licence LAP-1234")
    masked = r.text(text)
    for secret in ("eyJhbGciOi", "s3cr3t", "hunter2", "MIIE", "LAP-1234"):
        assert secret not in masked
    assert r.data({"Cookie": "a=b", "x": ["Bearer abcdefghij"]}) == {"Cookie": "<redacted>",
                                                                   "x": ["Bearer <redacted>"]}


@pytest.mark.parametrize(("text", "secret", "kept"), FREE_TEXT_SECRETS)
def test_a_credential_is_masked_in_any_form_free_text_gives_it(text: str, secret: str, kept: str) -> None:
    masked = Redactor().text(text)
    assert secret not in masked and "<redacted>" in masked and kept in masked


@pytest.mark.parametrize("text", ["Expected: 400, time: 12:30", "Basic information", "tokens: 5",
                                  "https://host/path?q=a@b", "eyJ is not a token", "author: Dr NESSI"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Redactor().text(text) == text


def test_a_secret_named_field_is_masked_whatever_its_case_or_separator() -> None:
    data = {"apiKey": "1", "userPassword": "2", "authToken": "3", "X-Auth-Token": "4", "client_secret": "5",
            "db.passwd": "6", "tokenType": "Bearer", "nested": [{"access-key": "7"}], "note": "x=1"}
    masked = Redactor().data(data)
    assert masked["tokenType"] == "Bearer" and masked["note"] == "x=1"
    assert [masked[k] for k in ("apiKey", "userPassword", "authToken", "X-Auth-Token", "client_secret",
                                "db.passwd")] == ["<redacted>"] * 6
    assert masked["nested"] == [{"access-key": "<redacted>"}]


def test_redaction_shares_what_it_leaves_unchanged_and_never_alters_the_original() -> None:
    from conformance.engine.results import StepResult
    from conformance.vocabulary import Status

    clean = {"method": "GET", "response": {"resultats": [{"id": "A" * 18, "lignes": ["x"]}]}}
    secret = {"method": "GET", "headers": {"authorization": "Bearer abcdefghijkl"}}
    step = StepResult(index=0, kind="search", title="t", status=Status.PASS, duration=0.1,
                      http=(clean, secret))
    redacted = Redactor().record(step)
    assert redacted is not step and redacted.http[0] is clean  # shared, not copied
    assert redacted.http[1]["headers"]["authorization"] == "<redacted>"
    assert secret["headers"]["authorization"] == "Bearer abcdefghijkl"  # the original untouched
    untouched = StepResult(index=1, kind="consult", title="t", status=Status.PASS, duration=0.1,
                           http=(clean,))
    assert Redactor().record(untouched) is untouched


def test_junit_attaches_the_page_of_failing_paper_checks(signed: tuple[Path, Path]) -> None:
    bundle, _ = signed
    junit = (bundle / "junit.xml").read_text("utf-8")
    attachments = re.findall(r"\[\[ATTACHMENT\|([^\]]+)\]\]", junit)
    assert attachments and all(Path(a).is_file() for a in attachments)
    summary = (bundle / "summary.md").read_text("utf-8")
    assert summary.startswith("### ❌ Non conforme") and "PAP-01" in summary
    run_id = bundle.name
    assert "`epresc-reference 0.1.0`" in summary and f"`{run_id}`" in summary  # what ran, which run
    assert "non évaluée(s) ou non applicable(s)" in summary  # skips are counted, in French
    assert "| attendu | observé |" in summary


def test_hostile_text_from_a_target_is_escaped_in_every_report(tmp_path: Path) -> None:
    with HostileServer("xss") as server:
        done = cli("run", "--target", server.url, "-k", "RT-MED-001", "--timeout", "2",
                   "--report-dir", str(tmp_path))
    assert done.returncode == 1
    bundle = only_run(tmp_path)
    page = (bundle / "report.html").read_text("utf-8")
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page  # shown, as text
    assert "<script" not in page and "<img src=x" not in page
    # summary.md shows it as it is (copyable, no HTML entity), inside code spans only
    summary = (bundle / "summary.md").read_text("utf-8")
    assert "<script" in summary and "&lt;" not in summary and "&amp;" not in summary
    outside = re.sub(r"(`+)(?:(?!\1).)*?\1", "", summary)
    assert "<" not in outside and ">" not in outside.replace("> **", "")
    junit = (bundle / "junit.xml").read_text("utf-8")
    assert "<script" not in junit and "&lt;script&gt;" in junit


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                           "--disable-dev-shm-usage", "--no-first-run", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (Debian package 'chromium'; "
                    ".ci/run installs it): the report cannot be rendered in a browser here")
def test_report_html_renders_in_headless_chromium(signed: tuple[Path, Path], tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    bundle, _ = signed
    shot = tmp_path / "report.png"
    _chromium(f"--screenshot={shot}", "--window-size=1200,1800", (bundle / "report.html").as_uri())
    assert shot.is_file()
    image = Image.open(shot).convert("L")
    assert image.size == (1200, 1800)
    assert ImageStat.Stat(image).stddev[0] > 10  # not a blank page: text, tables, the page image
    dom = _chromium("--dump-dom", (bundle / "report.html").as_uri()).stdout
    assert "NON CONFORME" in dom and "PAP-01" in dom and "data:image/png;base64," in dom


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found: cannot check the DOM in a browser")
def test_hostile_text_is_inert_in_the_browser(tmp_path: Path) -> None:
    with HostileServer("xss") as server:
        cli("run", "--target", server.url, "-k", "RT-MED-001", "--timeout", "2",
            "--report-dir", str(tmp_path))
    html_file = only_run(tmp_path) / "report.html"
    dom = _chromium("--dump-dom", html_file.as_uri()).stdout
    assert HOSTILE_TEXT.split(">")[0].replace("<", "&lt;") in dom  # shown as text
    assert "<script" not in dom.lower()  # no element was created from it
    assert not re.search(r"<img[^>]*onerror", dom, re.IGNORECASE)


def test_replay_without_target_uses_the_recorded_software_never_our_reference(tmp_path: Path) -> None:
    from conformance.application import ApplicationError, Selection, Settings, run_session
    from conformance.application.bundles import replay
    from conformance.embedded import EmbeddedWorld

    warnings: list[str] = []
    with EmbeddedWorld() as world:
        made = run_session(Settings(target=world.target_url, teleservice=world.teleservice_url,
                                    selection=Selection(only=("RT-MED-001",)),
                                    report_dir=tmp_path / "made"))
        assert made.exit_code == 0
        again = replay(str(made.folder), Settings(report_dir=tmp_path / "again"), warn=warnings.append)
        assert again.differences == () and again.outcome.result.target == world.target_url
        assert warnings == [f"replaying against the recorded target {world.target_url} "
                            f"(teleservice {world.teleservice_url})"]
    # the recorded software is gone: the replay says so, it does not run our reference instead
    with pytest.raises(ApplicationError) as gone:
        replay(str(made.folder), Settings(report_dir=tmp_path / "gone"))
    assert "unreachable" in gone.value.message and world.target_url in gone.value.message


def test_verify_is_strict_about_signatures_hidden_files_and_malformed_input(signed: tuple[Path, Path],
                                                                         tmp_path: Path) -> None:
    from conformance.application import ApplicationError
    from conformance.application.bundles import keygen, verify

    original, public = signed
    manifest = json.loads((original / "manifest.json").read_text("utf-8"))
    assert len(manifest["signer"]["fingerprint"]) == 64  # the manifest names its signer's key
    report = json.loads((original / "report.json").read_text("utf-8"))
    assert report["signer"] == manifest["signer"]["fingerprint"]  # and the report says so
    assert report["suiteHash"] == manifest["suite"]["hash"]
    assert manifest["signer"]["fingerprint"] in (original / "report.html").read_text("utf-8")
    # a stripped signature, with the manifest re-hashed to match a rewritten report, is not intact
    stripped = tmp_path / "stripped"
    shutil.copytree(original, stripped)
    (stripped / "manifest.sig").unlink()
    found = verify(str(stripped), str(public))
    assert not found.intact and found.signature == "absent" and "stripped" in found.notes[0]
    # a file named like the manifest, deeper down, is a file like any other
    hidden = tmp_path / "hidden"
    shutil.copytree(original, hidden)
    (hidden / "evidence" / "manifest.json").write_text("{}", encoding="utf-8")
    assert verify(str(hidden), str(public)).added == ("evidence/manifest.json",)
    # a FIFO or a link inside the bundle is refused, never read
    special = tmp_path / "special"
    shutil.copytree(original, special)
    os.mkfifo(special / "evidence" / "pipe")
    (special / "link").symlink_to("/etc/hostname")
    found = verify(str(special), str(public))
    assert not found.intact and set(found.refused) == {"evidence/pipe", "link"}
    # another key: told apart from changed files
    other_private, other_public, _ = keygen(str(tmp_path / "other"))
    found = verify(str(original), str(other_public))
    assert found.signature == "other-key" and not found.intact and found.files_intact
    assert "the files match their manifest" in found.notes[0]
    # malformed inputs: a message and exit 2, never a traceback
    with pytest.raises(ApplicationError, match="private key"):
        verify(str(original), str(other_private))
    broken = tmp_path / "broken"
    shutil.copytree(original, broken)
    (broken / "manifest.sig").write_text("not base64 !!", encoding="ascii")
    with pytest.raises(ApplicationError, match="not base64"):
        verify(str(broken), str(public))
    (broken / "manifest.json").write_text('{"files": ["x"]}', encoding="utf-8")
    with pytest.raises(ApplicationError, match="malformed"):
        verify(str(broken), str(public))


def test_keygen_never_overwrites_a_pair_and_writes_the_private_key_0600(tmp_path: Path) -> None:
    from conformance.application import ApplicationError
    from conformance.application.bundles import keygen

    private, public, _ = keygen(str(tmp_path / "keys"))
    assert private.stat().st_mode & 0o777 == 0o600
    before = public.read_bytes()
    with pytest.raises(ApplicationError, match="--force"):
        keygen(str(tmp_path / "keys"))
    assert public.read_bytes() == before
    keygen(str(tmp_path / "keys"), force=True)
    assert public.read_bytes() != before
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert "does not ignore" in (keygen(str(repo / "keys"))[2] or "")
    (repo / ".gitignore").write_text("keys2/\n", encoding="utf-8")
    assert keygen(str(repo / "keys2"))[2] is None


def test_replay_switches_on_the_faults_the_bundle_was_recorded_with(tmp_path: Path) -> None:
    from conformance.application import ApplicationError, Selection, Settings, run_session
    from conformance.application.bundles import replay

    made = run_session(Settings(faults=("qr-wrong-id",), selection=Selection(only=("RT-MED-001",)),
                                report_dir=tmp_path / "made"))
    assert made.exit_code == 1
    manifest = json.loads((made.folder / "manifest.json").read_text("utf-8"))
    assert manifest["target"]["faults"] == ["qr-wrong-id"]
    warnings: list[str] = []
    again = replay(str(made.folder), Settings(report_dir=tmp_path / "again"), warn=warnings.append)
    assert again.differences == () and again.outcome.exit_code == 1
    assert warnings == ["replaying with the fault(s) it was recorded with switched on: qr-wrong-id"]
    # a bundle from before the manifest named its faults: the reference's /about says them
    del manifest["target"]["faults"]
    (made.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert replay(str(made.folder), Settings(report_dir=tmp_path / "old")).differences == ()
    # a fault this version does not have: refused, saying why
    manifest["target"]["faults"] = ["no-such-fault"]
    (made.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ApplicationError, match="recorded with a fault this version does not have"):
        replay(str(made.folder), Settings(report_dir=tmp_path / "unknown"))
