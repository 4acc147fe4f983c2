"""``conformance traces generate``: a synthetic présérie with controllable rates and failure
mixes, for the bundled demo, the tests and the benchmark. Deterministic for a seed (Python's
``random``, streamed to the file row by row: millions of events in bounded memory).

Synthetic identities only: RPPS, N° AM and FINESS in the test ranges, no patient at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.identifiers.synthetic import am, finess, rpps

PARIS = dt.timezone(dt.timedelta(hours=1))  # winter time; the offset is written with each event
REFERENTES = ("33", "44", "69")
FIELDS = ("evenement", "ts", "rpps", "situation", "ref", "numerique", "motif", "types", "service",
          "id", "resultat", "code", "dureeMs")


@dataclass(frozen=True)
class Plan:
    """What to generate."""

    doctors: int = 8
    weeks: int = 6
    seed: int = 0
    per_day: int = 20  # prescriptions per doctor and working day
    numerique: float = 0.8  # mean share of e-prescriptions
    low_doctors: int = 1  # doctors well below the 50 % line
    registration: float = 0.93  # first EP4 attempt registered
    intrinsic: float = 0.25  # share of failed EP4 attempts that are the software's fault
    centre_doctors: int = 0  # doctors practising in a centre (the others libéraux)
    start: dt.date = dt.date(2025, 11, 3)  # a Monday
    format: str = "jsonl"  # jsonl, csv or parquet


def _doctors(plan: Plan, rng: random.Random) -> list[dict[str, Any]]:
    people = []
    centre = finess(rng, "69")
    for n in range(plan.doctors):
        department = REFERENTES[n % len(REFERENTES)]
        situation = "centre" if n < plan.centre_doctors else "liberal"
        rate = (0.25 + 0.15 * rng.random() if n >= plan.doctors - plan.low_doctors
                else min(0.99, max(0.55, rng.gauss(plan.numerique, 0.08))))
        person: dict[str, Any] = {"rpps": rpps(rng), "situation": situation, "departement": department,
                                  "installation": "2025-10-27", "_rate": rate}
        if situation == "centre":
            person["finess"], person["departement"] = centre, "69"
        else:
            person["am"] = am(rng, department)
        people.append(person)
    return people


def _events(plan: Plan, doctor: dict[str, Any], rng: random.Random) -> Any:
    """One doctor's events in time order."""
    serial = 0
    for week in range(plan.weeks):
        for weekday in range(5):
            day = plan.start + dt.timedelta(days=7 * week + weekday)
            moment = dt.datetime.combine(day, dt.time(8, 30), PARIS)
            searched = False
            for _ in range(plan.per_day):
                moment += dt.timedelta(minutes=rng.randint(8, 25))
                serial += 1
                ref = f"R{doctor['rpps'][-6:]}-{serial:06d}"
                digital = rng.random() < doctor["_rate"]
                base = {"rpps": doctor["rpps"], "situation": doctor["situation"]}
                yield {"evenement": "prescription", "ts": moment, **base, "ref": ref, "numerique": digital,
                       "motif": None if digital else rng.choice(("hors-perimetre", "choix", "mode-degrade")),
                       "types": ["medicament"]}
                if not digital:
                    continue
                pid = "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(18))
                when = moment + dt.timedelta(seconds=2)
                ok = rng.random() < plan.registration
                intrinsic = not ok and rng.random() < plan.intrinsic
                code = None if ok else ("EF_EP04.12" if intrinsic else rng.choice(("503", "timeout")))
                yield _call(base, when, "EP4", ref, pid, ok, code, rng)
                if not ok and not intrinsic:  # the software retries an unavailable teleservice
                    retried = rng.random() < 0.85
                    yield _call(base, when + dt.timedelta(minutes=5), "EP4", ref, pid, retried,
                                None if retried else "503", rng)
                if rng.random() < 0.3:
                    yield _call(base, when + dt.timedelta(minutes=1), "EP3", None, pid, True, None, rng)
                if not searched:
                    searched = True
                    yield _call(base, when + dt.timedelta(minutes=2), "EP2", None, None, True, None, rng)


def _call(base: dict[str, Any], when: dt.datetime, service: str, ref: str | None, pid: str | None,
          ok: bool, code: str | None, rng: random.Random) -> dict[str, Any]:
    return {"evenement": "appel", "ts": when, **base, "service": service, "ref": ref, "id": pid,
            "resultat": "ok" if ok else "erreur", "code": code,
            "dureeMs": rng.randint(120, 900) if code != "timeout" else 30000}


def _csv_value(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def generate(plan: Plan, folder: Path) -> dict[str, Path]:
    """Write ``traces/traces.<format>``, ``participants.yaml``, ``attestations.yaml`` and
    ``questionnaire.csv`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(plan.seed)
    doctors = _doctors(plan, rng)
    text_format = "csv" if plan.format in ("csv", "parquet") else "jsonl"
    (folder / "traces").mkdir(exist_ok=True)  # a folder of its own: --traces DIR takes it whole
    traces = folder / "traces" / f"traces.{text_format}"
    with traces.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out) if text_format == "csv" else None
        if writer is not None:
            writer.writerow(FIELDS)
        for doctor in doctors:
            for event in _events(plan, doctor, random.Random(f"{plan.seed}:{doctor['rpps']}")):
                if writer is not None:
                    writer.writerow([_csv_value(k, event.get(k)) for k in FIELDS])
                else:
                    record = {k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                              for k, v in event.items() if v is not None}
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if plan.format == "parquet":
        import duckdb

        parquet = folder / "traces" / "traces.parquet"
        duckdb.connect().execute(
            f"COPY (SELECT * FROM read_csv('{traces}', header = true, all_varchar = true)) "
            f"TO '{parquet}' (FORMAT parquet)")
        traces.unlink()
        traces = parquet
    editor = {"logiciel": "LAP de démonstration", "version": "1.0", "partMarcheInferieure1": False}
    participants = folder / "participants.yaml"
    participants.write_text(yaml.safe_dump(
        {"editeur": editor,
         "participants": [{k: v for k, v in d.items() if not k.startswith("_")} for d in doctors]},
        allow_unicode=True, sort_keys=False), encoding="utf-8")
    end = plan.start + dt.timedelta(weeks=plan.weeks)
    attestations = folder / "attestations.yaml"
    attestations.write_text(yaml.safe_dump({"editeur": editor, "attestations": [
        {"type": "prerequis", "auteur": "Responsable déploiement (synthétique)",
         "date": plan.start.isoformat(), "texte": "Prérequis techniques identifiés et vérifiés "
         "sur chaque poste pilote.", "expiration": (end + dt.timedelta(days=180)).isoformat()},
        {"type": "formation", "auteur": "Formateur (synthétique)", "date": plan.start.isoformat(),
         "texte": "Médecins pilotes formés à l'ordonnance numérique."},
        {"type": "anomalie", "auteur": "Support (synthétique)", "date": end.isoformat(),
         "code": "EF_EP04.12", "texte": "Rejet sur une posologie libre de plus de 500 caractères : "
         "corrigé en version 1.0.1."},
    ]}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    questionnaire = folder / "questionnaire.csv"
    with questionnaire.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("rpps", "satisfaction", "freinBloquant", "commentaire"))
        for d in doctors:
            writer.writerow((d["rpps"], rng.randint(3, 5), "non", ""))
    return {"traces": traces, "participants": participants, "attestations": attestations,
            "questionnaire": questionnaire}
