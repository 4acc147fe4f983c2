"""The présérie bilan on datasets with known answers (DESIGN §13): every figure is counted by
hand here, and ``bilan`` must get each exactly right."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.application import ApplicationError
from conformance.application.bilan import BilanSettings, run_bilan
from conformance.identifiers.synthetic import am, finess, rpps
from conformance.vocabulary import ExitCode

RNG = random.Random(7)
DOCTORS = [rpps(RNG) for _ in range(12)]
AMS = [am(RNG, "33") for _ in range(12)]
FINESS = finess(RNG, "69")


def participant(n: int, situation: str = "liberal", departement: str = "33", **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"rpps": DOCTORS[n], "situation": situation, "departement": departement}
    if situation == "liberal":
        base["am"] = AMS[n]
    else:
        base["finess"] = FINESS
    return {**base, **extra}


def prescriptions(n: int, total: int, digital: int, day: int = 3, situation: str | None = None,
                  prefix: str = "R") -> list[dict[str, Any]]:
    """``total`` prescriptions of doctor ``n``, the first ``digital`` of them e-prescriptions."""
    out = []
    for k in range(total):
        event = {"evenement": "prescription", "ts": f"2025-11-{day:02d}T09:{k % 60:02d}:00+01:00",
                 "rpps": DOCTORS[n], "ref": f"{prefix}{n}-{k}", "numerique": k < digital}
        if situation:
            event["situation"] = situation
        out.append(event)
    return out


def call(n: int, service: str, ok: bool, ref: str | None = None, code: str | None = None,
         day: int = 3, **extra: Any) -> dict[str, Any]:
    event = {"evenement": "appel", "ts": f"2025-11-{day:02d}T10:00:00+01:00", "rpps": DOCTORS[n],
             "service": service, "resultat": "ok" if ok else "erreur", **extra}
    if ref:
        event["ref"] = ref
    if code:
        event["code"] = code
    return event


def nominal(n: int, **kw: Any) -> list[dict[str, Any]]:
    """One successful EP3 and EP2 call: C3's other operations, so that EP4 decides."""
    return [call(n, "EP3", True, **kw), call(n, "EP2", True, **kw)]


def write(tmp: Path, events: list[dict[str, Any]], people: list[dict[str, Any]], fmt: str = "jsonl",
          small: bool = False, attestations: list[dict[str, Any]] | None = None,
          answers: list[tuple[str, str, str]] | None = None) -> BilanSettings:
    tmp.mkdir(parents=True, exist_ok=True)
    traces = tmp / f"traces.{fmt}"
    if fmt == "jsonl":
        traces.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    else:
        fields = ["evenement", "ts", "rpps", "situation", "ref", "numerique", "service", "id", "resultat",
                  "code"]
        with traces.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(fields)
            for e in events:
                writer.writerow(["" if e.get(f) is None else str(e[f]).lower() if isinstance(e.get(f), bool)
                                 else e[f] for f in fields])
    editor = {"logiciel": "LAP test", "version": "1", "partMarcheInferieure1": small}
    (tmp / "participants.yaml").write_text(yaml.safe_dump({"editeur": editor, "participants": people}),
                                           encoding="utf-8")
    (tmp / "attestations.yaml").write_text(yaml.safe_dump({"attestations": attestations if attestations
                                                           is not None else [
        {"type": "prerequis", "auteur": "A", "date": "2025-11-01", "texte": "ok"}]}), encoding="utf-8")
    with (tmp / "questionnaire.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["rpps", "satisfaction", "freinBloquant"])
        for row in answers if answers is not None else [(p["rpps"], "4", "non") for p in people]:
            writer.writerow(row)
    return BilanSettings(traces=(str(traces),), participants=str(tmp / "participants.yaml"),
                         attestations=str(tmp / "attestations.yaml"),
                         questionnaire=str(tmp / "questionnaire.csv"), report_dir=tmp / "reports")


def bilan(settings: BilanSettings) -> dict[str, Any]:
    return run_bilan(settings).bilan


def criterion(b: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in b["criteria"] + b["modalities"] if c["id"] == cid)


def doctor(b: dict[str, Any], n: int, situation: str = "liberal") -> dict[str, Any]:
    return next(d for d in b["doctors"] if d["rpps"] == DOCTORS[n] and d["situation"] == situation)


def five() -> list[dict[str, Any]]:
    return [participant(n) for n in range(5)]


def healthy(n: int, total: int = 10, digital: int = 10) -> list[dict[str, Any]]:
    events = prescriptions(n, total, digital)
    events += [call(n, "EP4", True, ref=f"R{n}-{k}") for k in range(digital)]
    return events + nominal(n)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_c1_at_exactly_50_percent_is_met_just_below_is_not(fmt: str, tmp_path: Path) -> None:
    events = [e for n in range(1, 5) for e in healthy(n)]
    events += prescriptions(0, 1000, 500) + [call(0, "EP4", True, ref=f"R0-{k}") for k in range(500)]
    events += nominal(0)
    b = bilan(write(tmp_path / "a", events, five(), fmt))
    assert doctor(b, 0)["tauxNumerique"] == {"valeur": 0.5, "numerateur": 500, "denominateur": 1000}
    assert criterion(b, "C1")["met"] and b["met"]
    events = [e for n in range(1, 5) for e in healthy(n)]
    events += prescriptions(0, 2000, 999) + [call(0, "EP4", True, ref=f"R0-{k}") for k in range(999)]
    events += nominal(0)
    b = bilan(write(tmp_path / "b", events, five(), fmt))
    assert doctor(b, 0)["tauxNumerique"]["numerateur"] == 999
    assert not criterion(b, "C1")["met"] and not b["met"]
    assert criterion(b, "C1")["detail"]["medecinsSousLeSeuil"] == [f"{DOCTORS[0]} (liberal)"]


def test_c2_at_exactly_70_percent_pools_refs_and_counts_a_retried_ep4_once(tmp_path: Path) -> None:
    events = []
    for n in range(5):  # 10 e-prescriptions each, 50 in all
        events += prescriptions(n, 10, 10) + nominal(n)
        for k in range(10):
            ref = f"R{n}-{k}"
            registered = n * 10 + k < 35  # 35 of 50 = 70 %
            events.append(call(n, "EP4", registered, ref=ref, code=None if registered else "503"))
    # doctor 0's first ref failed once then was registered by a retry: one ref, registered once
    events.insert(0, call(0, "EP4", False, ref="R0-0", code="timeout", day=2))
    b = bilan(write(tmp_path, events, five()))
    c2 = criterion(b, "C2")
    assert c2["taux"] == {"valeur": 0.7, "numerateur": 35, "denominateur": 50} and c2["met"]
    assert doctor(b, 0)["ep4Crees"] == 10 and doctor(b, 0)["ep4Enregistrees"] == 10
    assert doctor(b, 3)["tauxEnregistrement"] == {"valeur": 0.5, "numerateur": 5, "denominateur": 10}
    assert doctor(b, 4)["tauxEnregistrement"]["numerateur"] == 0
    # environment failures still count as not registered; the retry is one more EP4 call
    assert doctor(b, 0)["operations"]["EP4"] == {"succes": 10, "intrinseque": 0, "environnement": 1,
                                                 "inconnu": 0}
    events.append(call(4, "EP4", False, ref="R4-9", code="503"))
    events = [e for e in events if not (e.get("ref") == "R3-4" and e["evenement"] == "appel")]
    b = bilan(write(tmp_path / "b", [*events, call(3, "EP4", False, ref="R3-4", code="503")], five()))
    assert criterion(b, "C2")["taux"]["numerateur"] == 34 and not criterion(b, "C2")["met"]


def test_environment_and_intrinsic_failures_and_their_explanation(tmp_path: Path) -> None:
    events = [e for n in range(5) for e in healthy(n)]
    events += [call(1, "EP4", False, ref="R1-0", code="EF_EP04.12"),
               call(1, "EP3", False, code="422"), call(2, "EP2", False, code="503"),
               call(2, "EP4", False, ref="R2-1", code="timeout"), call(3, "EP3", False, code="XYZ-42")]
    b = bilan(write(tmp_path / "a", events, five()))
    ops = doctor(b, 1)["operations"]
    assert ops["EP4"]["intrinseque"] == 1 and ops["EP3"]["intrinseque"] == 1
    assert doctor(b, 2)["operations"]["EP2"]["environnement"] == 1
    assert doctor(b, 2)["operations"]["EP4"]["environnement"] == 1
    assert doctor(b, 3)["operations"]["EP3"]["inconnu"] == 1
    c3 = criterion(b, "C3")
    assert not c3["met"] and c3["detail"]["nonExpliquees"] == ["422", "EF_EP04.12", "XYZ-42"]
    explained = [{"type": "prerequis", "auteur": "A", "date": "2025-11-01", "texte": "ok"}] + [
        {"type": "anomalie", "auteur": "S", "date": "2025-11-20", "texte": "corrigé", "code": code}
        for code in ("422", "EF_EP04.12", "XYZ-42")]
    b = bilan(write(tmp_path / "b", events, five(), attestations=explained))
    assert criterion(b, "C3")["met"]  # environment failures need no explanation


def test_c3_needs_a_successful_call_of_each_operation_per_doctor(tmp_path: Path) -> None:
    events = [e for n in range(5) for e in healthy(n) if not (n == 4 and e.get("service") == "EP2")]
    events.append(call(4, "EP2", False, code="503"))
    b = bilan(write(tmp_path, events, five()))
    assert criterion(b, "C3")["detail"]["operationsSansSucces"] == [f"{DOCTORS[4]} (liberal) EP2"]
    assert not criterion(b, "C3")["met"]


def test_a_doctor_with_two_practice_situations(tmp_path: Path) -> None:
    people = [*five(), participant(0, "centre", "69")]
    events = [e for n in range(1, 5) for e in healthy(n)]
    events += prescriptions(0, 4, 4, situation="liberal", prefix="L")
    events += prescriptions(0, 4, 1, situation="centre", prefix="C")
    events += [call(0, "EP4", True, ref=f"L0-{k}") for k in range(4)]  # situation via the ref
    events += [call(0, "EP4", True, ref="C0-0")]
    events += nominal(0)  # no situation: the doctor's, in both rows
    b = bilan(write(tmp_path / "a", events, people))
    lib, cen = doctor(b, 0, "liberal"), doctor(b, 0, "centre")
    assert (lib["prescriptions"], lib["numeriques"], lib["ep4Crees"]) == (4, 4, 4)
    assert (cen["prescriptions"], cen["numeriques"], cen["ep4Crees"]) == (4, 1, 1)
    assert lib["operations"]["EP2"]["succes"] == 1 and cen["operations"]["EP2"]["succes"] == 1
    assert criterion(b, "C1")["detail"]["medecinsSousLeSeuil"] == [f"{DOCTORS[0]} (centre)"]
    assert "mixte: 5 médecins" in criterion(b, "M-EFFECTIF")["detail"]  # one doctor counts once
    events.append({"evenement": "prescription", "ts": "2025-11-03T12:00:00+01:00", "rpps": DOCTORS[0],
                   "ref": "X-1", "numerique": True})
    with pytest.raises(ApplicationError) as error:
        bilan(write(tmp_path / "b", events, people))
    assert "two situations" in error.value.message and error.value.code is ExitCode.USAGE


def test_centres_with_finess_and_the_number_of_equipped_doctors(tmp_path: Path) -> None:
    people = [participant(n, "centre", "69") for n in range(5)]
    events = [dict(e, situation="centre") for n in range(5) for e in healthy(n)]
    b = bilan(write(tmp_path / "a", events, people))
    assert criterion(b, "M-EFFECTIF")["met"], criterion(b, "M-EFFECTIF")
    b = bilan(write(tmp_path / "b", [e for e in events if e["rpps"] != DOCTORS[4]], people[:4]))
    assert not criterion(b, "M-EFFECTIF")["met"]  # 4 equipped doctors: fewer than 5


def test_a_market_share_under_1_percent_allows_3_liberal_doctors(tmp_path: Path) -> None:
    events = [e for n in range(3) for e in healthy(n)]
    people = [participant(n) for n in range(3)]
    assert criterion(bilan(write(tmp_path / "a", events, people, small=True)), "M-EFFECTIF")["met"]
    assert not criterion(bilan(write(tmp_path / "b", events, people)), "M-EFFECTIF")["met"]


def test_a_cpam_outside_the_referentes_and_too_many_cpams(tmp_path: Path) -> None:
    events = [e for n in range(5) for e in healthy(n)]
    people = five()
    people[0]["departement"] = "75"
    b = bilan(write(tmp_path / "a", events, people))
    referentes = criterion(b, "M-CPAM-REFERENTES")
    assert not referentes["met"] and "75" in referentes["detail"]
    assert criterion(b, "M-CPAM-NOMBRE")["met"]
    for n, dept in enumerate(("33", "44", "69", "38")):
        people[n]["departement"] = dept
    assert not criterion(bilan(write(tmp_path / "b", events, people)), "M-CPAM-NOMBRE")["met"]


def test_an_identifier_with_a_wrong_key(tmp_path: Path) -> None:
    events = [e for n in range(5) for e in healthy(n)]
    people = five()
    people[2]["am"] = people[2]["am"][:-1] + str((int(people[2]["am"][-1]) + 1) % 10)
    b = bilan(write(tmp_path / "a", events, people))
    identifiers = criterion(b, "M-IDENTIFIANTS")
    assert not identifiers["met"] and AMS[2][:-1] in identifiers["detail"]
    people = five()
    wrong = DOCTORS[3][:-1] + str((int(DOCTORS[3][-1]) + 1) % 10)
    people[3]["rpps"] = wrong  # an RPPS breaking Luhn is a warning only
    events = [dict(e, rpps=wrong) if e["rpps"] == DOCTORS[3] else e for e in events]
    b = bilan(write(tmp_path / "b", events, people))
    assert criterion(b, "M-IDENTIFIANTS")["met"] and criterion(b, "M-IDENTIFIANTS")["warnings"]


def test_a_repeated_prescription_counts_once_the_last_one(tmp_path: Path) -> None:
    events = [e for n in range(5) for e in healthy(n, total=2, digital=1)]
    events.append({"evenement": "prescription", "ts": "2025-11-03T18:00:00+01:00", "rpps": DOCTORS[0],
                   "ref": "R0-1", "numerique": True})  # the same ref, finalised again, digital
    b = bilan(write(tmp_path, events, five()))
    assert (doctor(b, 0)["prescriptions"], doctor(b, 0)["numeriques"]) == (2, 2)
    assert (doctor(b, 1)["prescriptions"], doctor(b, 1)["numeriques"]) == (2, 1)


def test_c4_an_expired_attestation_and_c5_a_blocking_answer(tmp_path: Path) -> None:
    events = [e for n in range(5) for e in healthy(n)]
    expired = [{"type": "prerequis", "auteur": "A", "date": "2025-01-01", "texte": "x",
                "expiration": "2025-11-02"}]
    answers = [(DOCTORS[n], "4", "oui" if n == 2 else "non") for n in range(4)]
    b = bilan(write(tmp_path, events, five(), attestations=expired, answers=answers))
    assert not criterion(b, "C4")["met"] and criterion(b, "C4")["detail"]["expirees"] == 1
    c5 = criterion(b, "C5")["detail"]
    assert c5["sansReponse"] == [DOCTORS[4]] and c5["freinBloquant"] == [DOCTORS[2]]


def test_since_and_until_bound_the_period(tmp_path: Path) -> None:
    events = [e for n in range(5) for e in healthy(n)]
    events += prescriptions(0, 10, 0, day=20, prefix="late")  # after --until: left out
    settings = write(tmp_path, events, five())
    import dataclasses
    import datetime as dt

    b = bilan(dataclasses.replace(settings, until=dt.date(2025, 11, 10)))
    assert doctor(b, 0)["prescriptions"] == 10 and b["periode"]["fin"] == "2025-11-10"
    assert doctor(bilan(settings), 0)["prescriptions"] == 20


def test_a_mapping_turns_an_editors_columns_and_codes_into_the_canonical_ones(tmp_path: Path) -> None:
    events = [e for n in range(5) for e in healthy(n)]
    theirs = [{("type_evt" if k == "evenement" else "medecin" if k == "rpps" else k):
               ({"prescription": "RX", "appel": "WS"}[v] if k == "evenement" else v) for k, v in e.items()}
              for e in events]
    settings = write(tmp_path, theirs, five())
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"colonnes": {"type_evt": "evenement", "medecin": "rpps"},
                                       "codes": {"evenement": {"RX": "prescription", "WS": "appel"}}}))
    import dataclasses

    b = bilan(dataclasses.replace(settings, mapping=str(mapping)))
    assert b["met"] and doctor(b, 0)["prescriptions"] == 10
    with pytest.raises(ApplicationError, match="missing required column"):
        bilan(settings)


def test_parquet_traces(tmp_path: Path) -> None:
    import duckdb

    settings = write(tmp_path, [e for n in range(5) for e in healthy(n)], five(), "csv")
    parquet = tmp_path / "traces.parquet"
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{settings.traces[0]}', all_varchar = true)) "
                             f"TO '{parquet}' (FORMAT parquet)")
    import dataclasses

    assert bilan(dataclasses.replace(settings, traces=(str(parquet),)))["met"]


@pytest.mark.parametrize(("fmt", "line", "edit", "expected"), [
    ("jsonl", 3, lambda row: row.replace("}", "", 1), "malformed JSON"),
    ("jsonl", 2, lambda row: row.replace("+01:00", ""), "not an ISO 8601 time with its offset"),
    ("csv", 4, lambda row: row.replace(",true,", ",peut-etre,"), "not a boolean"),
    ("csv", 3, lambda row: row + ',"x,y",z', "fields where the header has"),
    ("jsonl", 5, lambda row: row.replace('"prescription"', '"ordonnance"'), "neither 'prescription' nor"),
    ("csv", 6, lambda row: "\ufffe\x00" + row[2:], "neither"),  # shown escaped, never raw
])
def test_malformed_traces_are_located_and_nothing_is_written(fmt: str, line: int, edit: Any,
                                                           expected: str, tmp_path: Path) -> None:
    settings = write(tmp_path, [e for n in range(5) for e in healthy(n)], five(), fmt)
    path = Path(settings.traces[0])
    rows = path.read_text(encoding="utf-8").split("\n")
    rows[line - 1] = edit(rows[line - 1])
    path.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(ApplicationError) as error:
        bilan(settings)
    assert error.value.code is ExitCode.USAGE
    assert f"{path}:{line}" in error.value.message and expected in error.value.message
    assert "\n  = " in error.value.message  # what to fix
    assert "\x00" not in error.value.message
    assert not (tmp_path / "reports").exists()  # an input error writes nothing


def test_the_command_runs_the_demo_and_traces_generate_makes_a_presérie(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from conformance.cli.main import cli

    runner = CliRunner()
    done = runner.invoke(cli, ["bilan", "--report-dir", str(tmp_path / "r")])
    assert done.exit_code == 1, done.output  # the demo has one doctor below the line, on purpose
    assert "⚠" in done.output and "< 50 %" in done.output and "NON ATTEINT" in done.output
    (folder,) = (tmp_path / "r").iterdir()
    assert {p.name for p in folder.iterdir()} >= {"bilan.json", "bilan.md", "bilan.html", "manifest.json",
                                                  "demo"}
    page = (folder / "bilan.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 4 and "<script" not in page and "http://" not in page.split("<svg")[0]
    made = runner.invoke(cli, ["traces", "generate", "--doctors", "5", "--weeks", "2", "--low-doctors", "0",
                               "--seed", "3", "--format", "csv", "-o", str(tmp_path / "p")])
    assert made.exit_code == 0, made.output
    p = tmp_path / "p"
    ok = runner.invoke(cli, ["bilan", "--traces", str(p / "traces"),
                             "--participants", str(p / "participants.yaml"),
                             "--attestations", str(p / "attestations.yaml"),
                             "--questionnaire", str(p / "questionnaire.csv"),
                             "--lang", "en", "--report-dir", str(tmp_path / "r2")])
    assert ok.exit_code == 0, ok.output
    assert "Bilan: MET" in ok.output
    bad = runner.invoke(cli, ["bilan", "--traces", str(p), "--report-dir", str(tmp_path / "r3")])
    assert bad.exit_code == 2 and "--participants" in bad.output and not (tmp_path / "r3").exists()


def test_the_simulators_journal_reads_as_appel_events(tmp_path: Path) -> None:
    import httpx
    from click.testing import CliRunner

    from conformance.cli.main import cli
    from conformance.embedded import EmbeddedWorld
    from tests.helpers import example_body

    with EmbeddedWorld() as world:
        body = example_body()
        pid = httpx.post(f"{world.target_url}/prescriptions", json=body).json()["id"]
        httpx.get(f"{world.target_url}/prescriptions/{pid}")
        out = tmp_path / "journal.jsonl"
        done = CliRunner().invoke(cli, ["traces", "from-journal", "--teleservice", world.teleservice_url,
                                        "-o", str(out)])
    assert done.exit_code == 0, done.output
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ep4 = [e for e in events if e["service"] == "EP4"]
    assert ep4 and ep4[0]["resultat"] == "ok" and ep4[0]["ref"] == pid and ep4[0]["id"] == pid
    assert ep4[0]["rpps"] == body["prescripteur"]["rpps"] and ep4[0]["ts"].endswith(("+01:00", "+02:00"))
    assert {e["evenement"] for e in events} == {"appel"}
    assert not list(tmp_path.glob("*.tmp"))  # read page by page into a file renamed when complete
