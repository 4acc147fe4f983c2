"""Known anomalies (--baseline): accepted with a reason until a date, shown, never counted;
expired ones count, saying so; entries that no longer occur are reported for removal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest
import yaml

from conformance.application import ApplicationError, Settings, run_session
from conformance.application.baseline import write
from conformance.vocabulary import ExitCode, Lang, Verdict
from tests.fakes import FakeTarget, scenarios

ONE = """
id: P
title: an identifier too short
given: {prescriber: generaliste, patient: adulte}
steps:
  - create: {lignes: [paracetamol], consentement: {opposition: false}}
    expect: [id_format]
"""


def short(request: httpx.Request) -> httpx.Response | None:
    if request.method == "POST":
        return httpx.Response(201, json={"id": "SHORT", "statut": "enregistree",
                                         "papier": "/prescriptions/SHORT/paper"})
    return None


def session(tmp_path: Path, name: str, baseline: Path | None = None) -> tuple[str, Path, ExitCode]:
    out = io.StringIO()
    done = run_session(Settings(target="http://fake", report_dir=tmp_path / name, lang=Lang.EN,
                                accept_unverified=("DEG-03",),
                                baseline=str(baseline) if baseline else None),
                       scenarios(tmp_path, ONE), stream=out, transport=FakeTarget(short).transport)
    return out.getvalue(), done.folder, done.exit_code


def test_a_known_anomaly_is_shown_not_counted_until_it_expires(tmp_path: Path) -> None:
    _, first, code = session(tmp_path, "first")
    assert code is ExitCode.ANOMALIES
    known = tmp_path / "known.yaml"
    assert write(str(first), str(known), "fixed in 2.1") == 1
    out, folder, code = session(tmp_path, "again", known)
    assert code is ExitCode.OK, out
    assert "Known anomalies (--baseline), not counted: ID-01 id_format [P] — fixed in 2.1" in out
    report = json.loads((folder / "report.json").read_text("utf-8"))
    assert report["verdict"] == Verdict.CONFORME and report["summary"]["anomalies"] == 0
    assert report["baseline"]["known"][0]["reason"] == "fixed in 2.1"
    assert "<skipped message=\"baseline: fixed in 2.1" in (folder / "junit.xml").read_text("utf-8")
    assert "fixed in 2.1" in (folder / "summary.md").read_text("utf-8")
    # past its date, the entry no longer hides the anomaly, and says so
    data = yaml.safe_load(known.read_text("utf-8"))
    data["anomalies"][0]["expires"] = "2020-01-01"
    expired = tmp_path / "expired.yaml"
    expired.write_text(yaml.safe_dump(data), encoding="utf-8")
    out, folder, code = session(tmp_path, "expired", expired)
    assert code is ExitCode.ANOMALIES and "Expired baseline entry, anomaly counted: ID-01" in out


def test_an_entry_that_no_longer_occurs_is_reported_for_removal(tmp_path: Path) -> None:
    stale = tmp_path / "stale.yaml"
    stale.write_text(yaml.safe_dump({"anomalies": [
        {"requirement": "QR-02", "scenario": "P", "check": "qr_payload", "message": ".*",
         "reason": "old", "expires": "2099-01-01"}]}), encoding="utf-8")
    out, folder, code = session(tmp_path, "stale", stale)
    assert code is ExitCode.ANOMALIES  # ID-01 is not in the baseline: it counts
    assert "No longer occurs, remove it from the baseline: QR-02 qr_payload in P" in out
    assert json.loads((folder / "report.json").read_text("utf-8"))["baseline"]["stale"]


@pytest.mark.parametrize("text", ["anomalies: 3", "anomalies: [{scenario: P}]",
                                  "anomalies: [{requirement: ID-01, scenario: P, check: id_format, "
                                  "reason: r, expires: someday}]"])
def test_a_broken_baseline_stops_before_any_request(text: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    fake = FakeTarget(short)
    with pytest.raises(ApplicationError):
        run_session(Settings(target="http://fake", report_dir=tmp_path / "r", baseline=str(broken)),
                    scenarios(tmp_path, ONE), stream=io.StringIO(), transport=fake.transport)
    assert fake.requests == []  # not even /about: the file is read before the run starts
