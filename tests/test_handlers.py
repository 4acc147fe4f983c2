"""Handlers sit after the one redaction stage, the console included; reporters on a fake run."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest

from conformance.application import Redaction, Settings, run_session
from conformance.vocabulary import ExitCode, Lang
from tests.fakes import PID, FakeTarget, scenarios
from tests.helpers import FREE_TEXT_SECRETS

ONE = """
id: P
title: a 500 that echoes the patient
given: {prescriber: generaliste, patient: adulte}
steps:
  - create: {lignes: [paracetamol], consentement: {opposition: false}}
    expect: [created]
"""


def echo_patient(request: httpx.Request) -> httpx.Response | None:
    if request.method == "POST":
        body = json.loads(request.content)
        name = f"{body['patient']['nomFamille']} {body['patient']['prenom']}"
        return httpx.Response(500, json={"title": f"crash for {name} born "
                                                  f"{body['patient']['dateNaissance']}",
                                         "token": "s3cr3t-value"})
    return None


def session(tmp_path: Path, **settings: object) -> tuple[str, Path, ExitCode]:
    out = io.StringIO()
    base = Settings(target="http://fake", report_dir=tmp_path / "r", **settings)  # type: ignore[arg-type]
    done = run_session(base, scenarios(tmp_path, ONE), stream=out,
                       transport=FakeTarget(echo_patient).transport)
    return out.getvalue(), done.folder, done.exit_code


def test_console_and_every_file_are_pseudonymised(tmp_path: Path) -> None:
    console, folder, code = session(tmp_path, redaction=Redaction(pseudonymise=True))
    assert code is ExitCode.ANOMALIES
    assert "PSEUDO001" in console and "statut HTTP inattendu 500" in console
    identity = ("NESSI", "Ruth", "1977-07-14", "14/07/1977", "277077512345659")
    for text in [console, *(p.read_text("utf-8") for p in folder.rglob("*")
                            if p.is_file() and p.suffix in (".json", ".xml", ".md", ".html", ".txt"))]:
        assert not [s for s in identity if s in text]


def test_without_pseudonymise_the_console_shows_the_target_text_but_never_a_secret(tmp_path: Path) -> None:
    console, folder, _ = session(tmp_path, headers=(("Authorization", "Bearer sekrit-header-value"),))
    assert "NESSI" in console
    for text in [console, *(p.read_text("utf-8") for p in folder.rglob("*.json"))]:
        assert "s3cr3t-value" not in text and "sekrit-header-value" not in text


def test_no_handler_writes_nothing_and_prints_nothing(tmp_path: Path) -> None:
    console, folder, code = session(tmp_path, handlers=())
    assert code is ExitCode.ANOMALIES and console == "" and not folder.exists()


def test_report_files_are_written_from_the_redacted_result(tmp_path: Path) -> None:
    _, folder, _ = session(tmp_path, lang="en")
    names = {p.name for p in folder.iterdir()}
    assert {"report.json", "junit.xml", "report.html", "summary.md", "manifest.json", "evidence"} <= names
    report = json.loads((folder / "report.json").read_text("utf-8"))
    check = report["scenarios"][0]["steps"][0]["checks"][0]
    assert check["status"] == "fail" and check["location"].endswith("s.yaml:7:14")
    assert report["verdict"] == "non-conforme" and report["profile"] == {"name": "public-2025"}
    assert "Not conforming" in (folder / "summary.md").read_text("utf-8")


def test_identical_anomalies_across_scenarios_are_grouped(tmp_path: Path) -> None:
    text = ONE.replace("id: P", "id: P1") + "\n---\n" + ONE.replace("id: P", "id: P2")
    out = io.StringIO()
    done = run_session(Settings(target="http://fake", report_dir=tmp_path / "r"),
                       scenarios(tmp_path, text), stream=out,
                       transport=FakeTarget(echo_patient).transport)
    report = json.loads((done.folder / "report.json").read_text("utf-8"))
    (group,) = report["anomalyGroups"]
    assert group["requirement"] == "RT-01" and group["scenarios"] == ["P1", "P2"]
    assert "Anomalies ×2: RT-01 created" in out.getvalue()


def test_json_under_a_lying_content_type_is_the_targets_anomaly(tmp_path: Path) -> None:
    def lying(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(201, content=json.dumps({"id": PID, "statut": "enregistree"}).encode(),
                                  headers={"content-type": "text/html"})
        return None

    done = run_session(Settings(target="http://fake", report_dir=tmp_path / "r", lang=Lang.EN),
                       scenarios(tmp_path, ONE), stream=io.StringIO(),
                       transport=FakeTarget(lying).transport)
    assert done.exit_code is ExitCode.ANOMALIES
    failed = [c for _, _, c in done.result.checks() if c.status == "fail"]
    assert len(failed) == 1 and "says it is not" in failed[0].message  # one root cause
    assert failed[0].observed == "text/html"


@pytest.mark.parametrize("body", [
    b"[" * 5000 + b"]" * 5000,  # RecursionError in a plain json.loads
    b'{"id": NaN, "statut": "enregistree"}',
    b'{"id": "01S2TBPZ2JCNZZYGHZ", "statut": "enregistree", "n": 1e999999}',
    b'{"id": "\\ud800", "statut": "enregistree", "nom": "\\udfff"}',
])
def test_hostile_json_costs_an_anomaly_and_the_report_stays_strict_json(body: bytes,
                                                                        tmp_path: Path) -> None:
    def hostile(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(201, content=body, headers={"content-type": "application/json"})
        return None

    done = run_session(Settings(target="http://fake", report_dir=tmp_path / "r"),
                       scenarios(tmp_path, ONE), stream=io.StringIO(),
                       transport=FakeTarget(hostile).transport)
    assert done.exit_code in (ExitCode.ANOMALIES, ExitCode.INCOMPLETE)
    def no_constant(name: str) -> None:
        raise AssertionError(f"{name} written into a report")

    for file in done.folder.rglob("*.json"):
        json.loads(file.read_text("utf-8"), parse_constant=no_constant)


def test_target_text_reaches_neither_the_terminal_nor_markdown_raw(tmp_path: Path) -> None:
    forged = ("\x1b[2J\x1b[32mVerdict: CONFORME\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 "
              "\x00 [click](http://evil) ![x](http://evil/i.png) @all")

    def hostile(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(500, json={"title": forged})
        return None

    out = io.StringIO()
    done = run_session(Settings(target="http://fake", report_dir=tmp_path / "r"),
                       scenarios(tmp_path, ONE), stream=out, transport=FakeTarget(hostile).transport)
    console = out.getvalue()
    assert "\x1b" not in console and "\x00" not in console and "\x07" not in console
    assert "\\x1b[2J" in console  # shown, escaped
    summary = (done.folder / "summary.md").read_text("utf-8")
    assert "\x1b" not in summary
    row = next(line for line in summary.splitlines() if "click" in line)
    cell = row.split(" | ")[-1]
    assert cell.startswith("`") and cell.rstrip(" |").endswith("`") and cell.count("`") == 2


def test_credentials_in_the_target_url_and_secret_fields_never_reach_an_output(tmp_path: Path) -> None:
    def leaky(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(500, json={
                "title": "Authorization: Basic dXNlcjpzM2NyZXRwdw== "
                         "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz",
                "password": "hunter2hunter2", "apiKey": "k3y-k3y-k3y", "client_secret": "cs-cs-cs"})
        return None

    out = io.StringIO()
    done = run_session(Settings(target="http://user:s3cretpw@fake", report_dir=tmp_path / "r"),
                       scenarios(tmp_path, ONE), stream=out, transport=FakeTarget(leaky).transport)
    texts = [out.getvalue()] + [p.read_text("utf-8") for p in done.folder.rglob("*") if p.is_file()]
    for secret in ("s3cretpw", "dXNlcjpzM2NyZXRwdw", "c2lnbmF0dXJlMTIz", "hunter2hunter2",
                   "k3y-k3y-k3y", "cs-cs-cs"):
        assert not [t[:80] for t in texts if secret in t], secret


THREE = """
id: P
title: create, consult, search
given: {prescriber: generaliste, patient: adulte}
steps:
  - create: {lignes: [paracetamol], consentement: {opposition: false}}
    save: {id: $.id}
  - consult: {id: "${id}"}
  - search: {patient: "${patient.ins}"}
"""


def test_credentials_in_a_targets_free_text_are_masked_in_the_report_and_the_evidence(tmp_path: Path) -> None:
    # answers that pass, with secrets in free strings: a JSON note, a header, a broken JSON body
    notes = [text for text, _, _ in FREE_TEXT_SECRETS]

    def chatty(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(201, headers={"X-Debug": "Authorization: Basic dXNlcjpwYXNz"},
                                  json={"id": PID, "statut": "enregistree", "note": notes[0],
                                        "papier": f"/prescriptions/{PID}/paper"})
        if request.url.path == f"/prescriptions/{PID}":
            return httpx.Response(200, json={"id": PID, "notes": notes})
        if request.url.path == "/prescriptions":  # not JSON after all: kept as text, redacted
            return httpx.Response(200, headers={"content-type": "application/json"},
                                  content=("{" * 5000 + " ".join(notes)).encode())
        return None

    done = run_session(Settings(target="http://fake", report_dir=tmp_path / "r"),
                       scenarios(tmp_path, THREE), stream=io.StringIO(),
                       transport=FakeTarget(chatty).transport)
    evidence = [p for p in (done.folder / "evidence").rglob("*") if p.is_file()]
    written = {p.name: p.read_text("utf-8", "replace") for p in [done.folder / "report.json", *evidence]}
    assert {"report.json", "exchange-1.json", "response-1.bin"} <= set(written)
    for name, text in written.items():
        leaks = [secret for _, secret, _ in FREE_TEXT_SECRETS if secret in text]
        assert not leaks, (name, leaks)
    consult = json.loads((done.folder / "evidence/P/02-consult/exchange-1.json").read_text("utf-8"))
    assert consult["response"]["notes"][0] == "Authorization: <redacted>"  # masked, the rest kept
    assert "<redacted>" in written["response-1.bin"]


def test_a_report_folder_that_cannot_be_written_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    from conformance.application import ApplicationError

    blocker = tmp_path / "r"
    blocker.write_text("a file where the report folder should be", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(ApplicationError) as info:
        run_session(Settings(target="http://fake", report_dir=blocker), scenarios(tmp_path, ONE),
                    stream=out, transport=FakeTarget().transport)
    assert info.value.code is ExitCode.USAGE
    assert "not every report could be written" in info.value.message
    assert "Verdict" in out.getvalue()  # the console still said what the run found


def test_a_closed_output_costs_the_console_only(tmp_path: Path) -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    from conformance.application import ApplicationError

    with pytest.raises(ApplicationError) as info:
        run_session(Settings(target="http://fake", report_dir=tmp_path / "r"), scenarios(tmp_path, ONE),
                    stream=Closed(), transport=FakeTarget().transport)
    assert "console: Broken pipe" in info.value.message
    (run,) = (tmp_path / "r").iterdir()
    assert {"report.json", "junit.xml", "report.html", "summary.md"} <= {p.name for p in run.iterdir()}


def test_an_html_answer_is_kept_as_inert_text_and_pseudonymised(tmp_path: Path) -> None:
    def html(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            patient = json.loads(request.content)["patient"]
            page = f"<script>alert(1)</script><p>Erreur pour {patient['nomFamille']} {patient['prenom']}</p>"
            return httpx.Response(500, text=page, headers={"content-type": "text/html"})
        return None

    done = run_session(Settings(target="http://fake", report_dir=tmp_path / "r",
                                redaction=Redaction(pseudonymise=True)),
                       scenarios(tmp_path, ONE), stream=io.StringIO(), transport=FakeTarget(html).transport)
    (kept,) = done.folder.rglob("response-*")
    assert kept.name.endswith(".html.txt")  # opened from the bundle, nothing runs
    text = kept.read_text(encoding="utf-8")
    assert "<script>" in text and "Erreur pour" in text  # whole, as evidence
    assert "NESSI" not in text and "Ruth" not in text and "PSEUDO" in text  # but no identity
    assert not list(done.folder.rglob("*.html")) or all(
        "<script>alert" not in p.read_text(encoding="utf-8") for p in done.folder.rglob("*.html"))


def test_junit_speaks_gitlab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xml.etree.ElementTree as ET

    from conformance.reporters.junit import attachment_base

    monkeypatch.chdir(tmp_path)
    done = run_session(Settings(target="http://fake", report_dir=Path("reports"), lang=Lang.EN),
                       scenarios(tmp_path, ONE), stream=io.StringIO(),
                       transport=FakeTarget(echo_patient).transport)
    root = ET.parse(done.folder / "junit.xml").getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert "P" in suites  # the scenario id: stable when the title changes
    assert suites["P"].find("properties/property[@name='title']") is not None
    cases = list(root.iter("testcase"))
    assert cases and all(c.get("time") is not None for c in cases)
    failure = next(c.find("failure") for c in cases if c.find("failure") is not None)
    assert failure is not None and "expected: [201]" in (failure.text or "")  # JSON, not a repr
    assert "['" not in (failure.text or "") and "{'" not in (failure.text or "")
    assert attachment_base(done.folder) == (done.folder.as_posix(), None)  # relative to the job
    outside, warning = attachment_base(Path("/elsewhere/run"))
    assert outside == "/elsewhere/run" and warning and "outside the working directory" in warning


def test_coverage_says_where_each_requirement_was_evaluated(tmp_path: Path) -> None:
    import csv

    from click.testing import CliRunner

    from conformance.cli.main import cli

    done = run_session(Settings(target="http://fake", report_dir=tmp_path / "r", lang=Lang.EN),
                       scenarios(tmp_path, ONE), stream=io.StringIO(),
                       transport=FakeTarget(echo_patient).transport)
    rows = list(csv.DictReader((done.folder / "coverage.csv").open(encoding="utf-8")))
    assert {"requirement", "scenario", "verdict", "checks", "title"} <= set(rows[0])
    assert any(r["requirement"] == "RT-01" and r["scenario"] == "P" and r["verdict"] == "fail" for r in rows)
    listed = CliRunner().invoke(cli, ["list", "requirements", "--format", "json"])
    assert listed.exit_code == 0
    by_id = {r["requirement"]: r for r in json.loads(listed.output)}
    assert len(by_id["ID-02"]["evaluatedIn"]) > 1  # every paper step evaluates it, declared or not
    assert "RT-MED-001" in by_id["ID-02"]["evaluatedIn"]
    table = CliRunner().invoke(cli, ["list", "requirements", "--format", "csv"])
    assert table.output.splitlines()[0] == ("requirement,title,severity,confidence,source,scenarios,"
                                            "evaluated_in,declared_by")
    assert by_id["RT-01"]["severity"] == "blocking" and by_id["RT-09"]["source"].startswith("assumption")
