"""The présérie bilan: criteria C1–C5 and the modalities, exactly as DESIGN §13 states them.

Rates are exact fractions (``Fraction``) compared with ≥; JSON carries them unrounded (floats)
with their numerator and denominator. Aggregates are asked of DuckDB (``Traces``); only
per-doctor figures, a few hundred rows at most, come back into Python.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from conformance.bilan.errors import BilanInputError
from conformance.bilan.inputs import Answer, Attestation, Editor, Participant
from conformance.bilan.traces import Traces
from conformance.profiles import Profile

CLASSES = ("intrinseque", "environnement", "inconnu")


@dataclass(frozen=True)
class Inputs:
    """Everything a bilan is computed from, besides the traces."""

    participants: tuple[Participant, ...]
    editor: Editor = field(default_factory=Editor)
    attestations: tuple[Attestation, ...] = ()
    answers: tuple[Answer, ...] | None = None  # None: no questionnaire given
    run_reports: tuple[dict[str, Any], ...] = ()  # conformance run reports, evidence for C3
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class Doctor:
    rpps: str
    situation: str
    prescriptions: int = 0
    numeriques: int = 0
    ep4_crees: int = 0
    ep4_enregistrees: int = 0
    operations: dict[str, dict[str, int]] = field(default_factory=dict)
    weeks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def taux_numerique(self) -> Fraction | None:
        return Fraction(self.numeriques, self.prescriptions) if self.prescriptions else None

    @property
    def taux_enregistrement(self) -> Fraction | None:
        return Fraction(self.ep4_enregistrees, self.ep4_crees) if self.ep4_crees else None


def classify(code: str | None, table: list[dict[str, str]]) -> str:
    """A failure's class by the profile's table (first match); unknown codes: ``inconnu``."""
    if code is None:
        return "inconnu"
    for rule in table:
        if fnmatch.fnmatchcase(code, rule["pattern"]):
            return rule["class"]
    return "inconnu"


def _rate(numerator: int, denominator: int) -> dict[str, Any] | None:
    """A rate as JSON: its value unrounded, with the counts it comes from (None: no count)."""
    if not denominator:
        return None
    return {"valeur": numerator / denominator, "numerateur": numerator, "denominateur": denominator}


def _threshold(value: Fraction) -> dict[str, Any]:
    return {"valeur": float(value), "numerateur": value.numerator, "denominateur": value.denominator}


def compute(traces: Traces, inputs: Inputs, profile: Profile) -> dict[str, Any]:
    """The bilan as a JSON-ready dictionary (``bilan.json``)."""
    con = traces.con
    people = inputs.participants
    con.execute("CREATE OR REPLACE TABLE participants (rpps VARCHAR, situation VARCHAR)")
    con.executemany("INSERT INTO participants VALUES (?, ?)", [(p.rpps, p.situation) for p in people])
    _situations_known(traces)
    con.execute(_PRESCRIPTIONS.format(denominator=_denominator(profile)))
    con.execute(_EP4)
    period = con.execute("SELECT min(ts)::DATE, max(ts)::DATE, count(*) FROM evp").fetchone()
    start = inputs.since or (period[0] if period else None)
    end = inputs.until or (period[1] if period else None)
    doctors = {(p.rpps, p.situation): Doctor(p.rpps, p.situation) for p in people}
    for rpps, situation, created, registered in con.execute(
            "SELECT rpps, situation, count(*), count(*) FILTER (WHERE ok) FROM ep4 GROUP BY ALL").fetchall():
        if (rpps, situation) in doctors:
            doctors[(rpps, situation)].ep4_crees = int(created)
            doctors[(rpps, situation)].ep4_enregistrees = int(registered)
    # a doctor's totals are the sums of his weeks (one pass over the prescriptions, not two)
    for rpps, situation, week, total, numeriques in con.execute(_WEEKS).fetchall():
        if (rpps, situation) in doctors:
            doctor = doctors[(rpps, situation)]
            doctor.prescriptions += int(total)
            doctor.numeriques += int(numeriques)
            iso = week.isocalendar()
            doctor.weeks.append(
                {"semaine": f"{iso.year}-W{iso.week:02d}", "prescriptions": int(total),
                 "numeriques": int(numeriques),
                 "taux": _rate(int(numeriques), int(total))})
    table = profile.value("preserie_error_classes")
    codes = {code: classify(code, table) for (code,) in con.execute(
        "SELECT DISTINCT code FROM evp WHERE evenement = 'appel' AND resultat = 'erreur'").fetchall()}
    operations = tuple(profile.value("preserie_operations"))
    failures: dict[str | None, int] = {}
    participating = {p.rpps for p in people}
    for rpps, situation, service, resultat, code, calls in con.execute(_CALLS).fetchall():
        rows = ([doctors[(rpps, situation)]] if situation is not None and (rpps, situation) in doctors
                else [d for d in doctors.values() if d.rpps == rpps and situation is None])
        kind = "succes" if resultat == "ok" else codes.get(code, "inconnu")
        if kind in ("intrinseque", "inconnu") and rpps in participating:
            failures[code] = failures.get(code, 0) + int(calls)
        for doctor in rows:
            counts = doctor.operations.setdefault(service, {"succes": 0, **dict.fromkeys(CLASSES, 0)})
            counts[kind] += int(calls)
    criteria = [_c1(doctors, profile), _c2(con, doctors, profile),
                _c3(doctors, operations, failures, codes, inputs), _c4(inputs, end), _c5(inputs)]
    modalities = _modalities(inputs, profile)
    unknown = [row[0] for row in con.execute(
        "SELECT DISTINCT rpps FROM evp WHERE rpps NOT IN (SELECT rpps FROM participants) ORDER BY 1"
    ).fetchall()]
    orphans = con.execute("SELECT rpps, key FROM ep4 WHERE NOT known ORDER BY 1, 2 LIMIT 1000").fetchall()
    events = con.execute("SELECT count(*) FILTER (WHERE evenement = 'prescription'), "
                         "count(*) FILTER (WHERE evenement = 'appel') FROM evp").fetchone()
    return {
        "schema": "conformance-bilan/1",
        "periode": {"debut": start.isoformat() if start else None, "fin": end.isoformat() if end else None},
        "editeur": {"logiciel": inputs.editor.logiciel, "version": inputs.editor.version,
                    "partMarcheInferieure1": inputs.editor.small_share},
        "met": all(c["met"] for c in criteria) and all(m["met"] for m in modalities),
        "criteria": criteria,
        "modalities": modalities,
        "doctors": [_doctor_json(d, operations) for d in doctors.values()],
        "unknownDoctors": unknown,
        "ep4SansPrescription": [{"rpps": r, "ref": k} for r, k in orphans],
        "events": {"prescriptions": int(events[0]) if events else 0,
                   "appels": int(events[1]) if events else 0},
        "warnings": list(traces.warnings)
        + [f"RPPS {r} in the traces is not a participant: its events are left out" for r in unknown],
    }


def _denominator(profile: Profile) -> str:
    rule = profile.value("preserie_c1_denominator")
    return "true" if rule == "all" else "numerique OR motif IS DISTINCT FROM 'hors-perimetre'"


def _situations_known(traces: Traces) -> None:
    """A doctor with two practice situations: his prescriptions must say which one."""
    row = traces.first("evenement = 'prescription' AND situation IS NULL AND rpps IN "
                       "(SELECT rpps FROM participants GROUP BY rpps HAVING count(*) > 1)", "rpps")
    if row is not None:
        raise BilanInputError(row[0], f"doctor {row[2]} practises in two situations: this prescription "
                              "does not say in which", "situation: liberal or centre", int(row[1]),
                              "situation")


def _fraction(rule: Any) -> Fraction:
    return Fraction(str(rule))


def _doctor_json(d: Doctor, operations: tuple[str, ...]) -> dict[str, Any]:
    ops = {op: d.operations.get(op, {"succes": 0, **dict.fromkeys(CLASSES, 0)}) for op in operations}
    return {"rpps": d.rpps, "situation": d.situation, "prescriptions": d.prescriptions,
            "numeriques": d.numeriques, "tauxNumerique": _rate(d.numeriques, d.prescriptions),
            "ep4Crees": d.ep4_crees, "ep4Enregistrees": d.ep4_enregistrees,
            "tauxEnregistrement": _rate(d.ep4_enregistrees, d.ep4_crees), "operations": ops,
            "semaines": d.weeks}


def _c1(doctors: dict[tuple[str, str], Doctor], profile: Profile) -> dict[str, Any]:
    threshold = _fraction(profile.value("preserie_c1_min_rate"))
    below = [f"{d.rpps} ({d.situation})" for d in doctors.values()
             if d.taux_numerique is None or d.taux_numerique < threshold]
    return {"id": "C1", "met": not below, "seuil": _threshold(threshold),
            "detail": {"medecinsSousLeSeuil": below},
            "source": profile.source("preserie_c1_min_rate")}


def _c2(con: Any, doctors: dict[tuple[str, str], Doctor], profile: Profile) -> dict[str, Any]:
    threshold = _fraction(profile.value("preserie_c2_min_rate"))
    row = con.execute("SELECT count(*), count(*) FILTER (WHERE ok) FROM ep4 "
                      "WHERE rpps IN (SELECT rpps FROM participants)").fetchone()
    created, registered = (int(row[0]), int(row[1])) if row else (0, 0)
    rate = Fraction(registered, created) if created else None
    return {"id": "C2", "met": rate is not None and rate >= threshold, "seuil": _threshold(threshold),
            "taux": _rate(registered, created),
            "detail": {"ep4Crees": created, "ep4Enregistrees": registered},
            "source": profile.source("preserie_c2_min_rate")}


def _c3(doctors: dict[tuple[str, str], Doctor], operations: tuple[str, ...], failures: dict[str | None, int],
        codes: dict[str | None, str], inputs: Inputs) -> dict[str, Any]:
    missing = [f"{d.rpps} ({d.situation}) {op}" for d in doctors.values() for op in operations
               if d.operations.get(op, {}).get("succes", 0) == 0]
    explained = {a.code for a in inputs.attestations if a.type == "anomalie"}
    unexplained = sorted((code or "(sans code)") for code in failures if code not in explained)
    listed = [{"code": code or "(sans code)", "classe": codes.get(code, "inconnu"), "appels": calls,
               "explique": code in explained}
              for code, calls in sorted(failures.items(), key=lambda kv: kv[0] or "")]
    evidence = [{"verdict": r.get("verdict"), "logiciel": (r.get("target") or {}).get("logiciel"),
                 "date": r.get("started")} for r in inputs.run_reports]
    return {"id": "C3", "met": not missing and not unexplained,
            "detail": {"operationsSansSucces": missing, "anomaliesIntrinseques": listed,
                       "nonExpliquees": unexplained, "rapportsDeConformite": evidence},
            "source": "Cnam, présérie (juillet 2025), criterion 3"}


def _c4(inputs: Inputs, end: dt.date | None) -> dict[str, Any]:
    valid = [a for a in inputs.attestations if a.type == "prerequis"
             and (a.expiration is None or end is None or a.expiration >= end)]
    expired = [a for a in inputs.attestations if a.type == "prerequis" and a not in valid]
    return {"id": "C4", "met": bool(valid),
            "detail": {"attestations": [{"auteur": a.auteur, "date": a.date.isoformat(),
                                         "expiration": a.expiration.isoformat() if a.expiration else None}
                                        for a in valid],
                       "expirees": len(expired)},
            "source": "Cnam, présérie (juillet 2025), criterion 4: prérequis techniques identifiés"}


def _c5(inputs: Inputs) -> dict[str, Any]:
    if inputs.answers is None:
        return {"id": "C5", "met": False, "detail": {"raison": "no questionnaire (--questionnaire)"},
                "source": "Cnam, présérie (juillet 2025), criterion 5"}
    answered = {a.rpps for a in inputs.answers if a.satisfaction is not None}
    missing = sorted({p.rpps for p in inputs.participants} - answered)
    blocking = sorted({a.rpps for a in inputs.answers if a.frein_bloquant})
    scores = [a.satisfaction for a in inputs.answers if a.satisfaction is not None]
    return {"id": "C5", "met": not missing and not blocking,
            "detail": {"sansReponse": missing, "freinBloquant": blocking,
                       "satisfactionMoyenne": round(sum(scores) / len(scores), 2) if scores else None},
            "source": "Cnam, présérie (juillet 2025), criterion 5: satisfaction des médecins"}


def _within(n: int, bounds: list[int]) -> bool:
    return bounds[0] <= n <= bounds[1]


def _modalities(inputs: Inputs, profile: Profile) -> list[dict[str, Any]]:
    from conformance.identifiers import validate

    sizes = profile.value("preserie_effectifs")
    small = inputs.editor.small_share
    people = inputs.participants
    liberal = {p.rpps for p in people if p.situation == "liberal"}
    centre = {p.rpps for p in people if p.situation == "centre"}
    centres = {p.finess for p in people if p.situation == "centre"}
    if liberal and centre:
        bounds = sizes["mixed_small_share" if small else "mixed"]
        n = len(liberal | centre)
        effectif = _within(n, bounds)
        detail = f"mixte: {n} médecins (attendu {bounds[0]} à {bounds[1]})"
    elif centre:
        effectif = _within(len(centres), sizes["centres"]) and len(centre) >= sizes["centre_doctors_min"]
        low, high = sizes["centres"]
        detail = (f"centres: {len(centres)} centre(s) (attendu {low} à {high}), "
                  f"{len(centre)} médecin(s) équipé(s) (au moins {sizes['centre_doctors_min']})")
    else:
        bounds = sizes["liberal_small_share" if small else "liberal"]
        effectif = _within(len(liberal), bounds)
        detail = f"libéraux: {len(liberal)} médecins (attendu {bounds[0]} à {bounds[1]})"
    departements = sorted({p.departement for p in people if p.departement})
    unknown = [p.rpps for p in people if not p.departement]
    referentes = set(profile.value("preserie_cpam_referentes"))
    outside = [d for d in departements if d not in referentes]
    bad, warnings = [], []
    for p in people:
        if p.situation == "liberal" and p.am and not validate("am", p.am).valid:
            bad.append(f"{p.rpps}: N° AM {p.am} ({validate('am', p.am).reason})")
        if p.situation == "centre" and p.finess and not validate("finess", p.finess).valid:
            bad.append(f"{p.rpps}: FINESS {p.finess} ({validate('finess', p.finess).reason})")
        if not validate("rpps", p.rpps).valid:
            warnings.append(f"{p.rpps}: RPPS key ({validate('rpps', p.rpps).reason})")
    cpam_bounds = sizes["cpam"]
    return [
        {"id": "M-EFFECTIF", "met": effectif, "detail": detail,
         "source": profile.source("preserie_effectifs")},
        {"id": "M-CPAM-NOMBRE", "met": not unknown and _within(len(departements), cpam_bounds),
         "detail": f"{len(departements)} CPAM ({', '.join(departements) or 'aucune'}; attendu "
                   f"{cpam_bounds[0]} à {cpam_bounds[1]})"
                   + (f"; sans département: {', '.join(unknown)}" if unknown else ""),
         "source": profile.source("preserie_effectifs")},
        {"id": "M-CPAM-REFERENTES", "met": bool(departements) and not outside,
         "detail": f"hors des CPAM référentes: {', '.join(outside)}" if outside
         else "toutes parmi les CPAM référentes",
         "source": profile.source("preserie_cpam_referentes")},
        {"id": "M-IDENTIFIANTS", "met": not bad, "detail": "; ".join(bad) or "clés valides",
         "warnings": warnings, "source": "clés des identifiants nationaux (DESIGN §2)"},
    ]


# a doctor's one practice situation (NULL when he has two: then the event must say which)
_ONLY = "(SELECT min(p.situation) FROM participants p WHERE p.rpps = {0}.rpps HAVING count(*) = 1)"

# the last event of each prescription (rpps, ref): one group-by, no sort. rx and ep4 are
# TEMP tables (in memory, uncompressed: faster to write than the events' compressed table, and
# still within DuckDB's limit, spilled beyond it)
_PRESCRIPTIONS = """
CREATE OR REPLACE TEMP TABLE rx AS
SELECT rpps, ref, numerique, motif, ts, ({denominator}) AS in_denominator,
       coalesce(situation, {only_d}) AS situation
FROM (SELECT rpps, ref, last.numerique AS numerique, last.motif AS motif, last.ts AS ts,
             last.situation AS situation
      FROM (SELECT rpps, ref, arg_max({{'numerique': numerique, 'motif': motif, 'ts': ts,
                                        'situation': situation}}, ts) AS last
            FROM evp WHERE evenement = 'prescription' GROUP BY rpps, ref)) d
""".replace("{only_d}", _ONLY.format("d"))

# EP4 calls grouped by prescription (one row each, with whether one call registered it), then
# given the prescription's situation by one join; failures, a few, are counted apart
_EP4 = """
CREATE OR REPLACE TEMP TABLE ep4 AS
SELECT c.rpps, c.key, c.ok, c.successes, rx.ref IS NOT NULL AS known,
       coalesce(c.situation, rx.situation, {only_c}) AS situation
FROM (SELECT rpps, coalesce(ref, 'id:' || id, '(sans référence)') AS key, ref,
             any_value(situation) AS situation, bool_or(resultat = 'ok') AS ok,
             count(*) FILTER (WHERE resultat = 'ok') AS successes
      FROM evp WHERE evenement = 'appel' AND service = 'EP4'
      GROUP BY rpps, key, ref) c
LEFT JOIN rx ON rx.rpps = c.rpps AND rx.ref = c.ref
""".replace("{only_c}", _ONLY.format("c"))

# the prescriptions per doctor, situation and week (Monday, Paris time). date_trunc on a
# TIMESTAMPTZ costs a time-zone lookup per row: the rows are first summed per UTC hour (Paris
# has changed its offset by whole hours only since 1911, so an hour never straddles two weeks;
# an earlier time keeps its own key), then each hour's first time is truncated
_WEEKS = """
SELECT rpps, situation, date_trunc('week', first)::DATE AS week, sum(total), sum(numeriques)
FROM (SELECT rpps, situation, min(ts) AS first, sum(in_denominator::INT) AS total,
             sum(numerique::INT) AS numeriques
      FROM rx GROUP BY rpps, situation,
        CASE WHEN ts >= TIMESTAMPTZ '1912-01-01 00:00:00+00' THEN epoch_us(ts) // 3600000000
             ELSE epoch_us(ts) END)
GROUP BY ALL ORDER BY 3
"""

# per doctor, situation (NULL: every situation of the doctor), operation, outcome, code
_CALLS = """
SELECT rpps, situation, 'EP4', 'ok', NULL, sum(successes) FROM ep4 GROUP BY ALL
UNION ALL
SELECT a.rpps, coalesce(a.situation, rx.situation, {only_a}), 'EP4', a.resultat, a.code, count(*)
FROM evp a LEFT JOIN rx ON rx.rpps = a.rpps AND rx.ref = a.ref
WHERE a.evenement = 'appel' AND a.service = 'EP4' AND a.resultat <> 'ok' GROUP BY ALL
UNION ALL
SELECT rpps, situation, service, resultat, code, count(*) FROM evp
WHERE evenement = 'appel' AND service <> 'EP4' GROUP BY ALL
""".replace("{only_a}", _ONLY.format("a"))
