"""Hypothesis strategies for valid prescriptions: every line type, French names with accents,
apostrophes, hyphens and œ up to the maximum lengths, several lines, ALD / NR / non-substituable
flags, synthetic identifiers with valid keys (drawn from a seed, so they shrink too)."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from conformance.identifiers import synthetic

LINE_TYPES = ("medicament", "dispositifMedical", "acteBiologieMedicale", "acteInfirmier",
              "acteKinesitherapie", "acteOrthophonie", "acteOrthoptie", "actePedicurie")
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
LOWER = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæ"
SEPARATORS = " -'"
FAMILY_MAX, FIRST_MAX = 100, 60

LABELS = {
    "medicament": ["PARACÉTAMOL 1 g comprimé", "AMOXICILLINE 500 mg gélule", "IBUPROFÈNE 200 mg"],
    "dispositifMedical": ["Bandelettes d'autosurveillance glycémique", "Bas de contention classe 2"],
    "acteBiologieMedicale": ["Hémogramme (NFS)", "Glycémie à jeun", "Bilan lipidique"],
    "acteInfirmier": ["Soins infirmiers à domicile", "Injection sous-cutanée"],
    "acteKinesitherapie": ["Rééducation du genou", "Kinésithérapie respiratoire"],
    "acteOrthophonie": ["Bilan orthophonique", "Rééducation du langage écrit"],
    "acteOrthoptie": ["Bilan orthoptique", "Rééducation orthoptique"],
    "actePedicurie": ["Soins de pédicurie-podologie", "Semelles orthopédiques"],
}
POSOLOGIES = ["1 comprimé matin et soir", "2 fois par jour pendant les repas", "À jeun",
              "1 séance par semaine", "Selon la glycémie capillaire, sans dépasser 3 par jour"]
DURATIONS = ["7 jours", "1 mois", "3 mois", "10 séances"]


def _tidy(raw: str, first: str, limit: int) -> str:
    """A name made of letters and single separators, starting and ending with a letter."""
    out: list[str] = [first]
    for ch in raw:
        if ch in SEPARATORS and out[-1] in SEPARATORS:
            continue
        out.append(ch)
    text = "".join(out)[:limit].rstrip(SEPARATORS)
    return text or first


@functools.cache
def names(limit: int, upper: bool) -> st.SearchStrategy[str]:
    """Names up to ``limit`` characters, biased towards the limit now and then. Built once
    per (limit, case): a strategy built inside a draw is built and validated again on every
    example (a third of the generation time, and Hypothesis's caches keyed by new objects)."""
    letters = UPPER if upper else UPPER + LOWER
    body = st.text(alphabet=letters + SEPARATORS, min_size=0, max_size=limit)
    longest = st.just(limit).flatmap(lambda n: st.text(alphabet=letters, min_size=n, max_size=n))
    return st.builds(_tidy, st.one_of(body, longest), st.sampled_from(letters), st.just(limit))


# the strategies a draw uses, built once (see names())
_SEXES = st.sampled_from(("F", "M"))
_BIRTHS = st.dates(dt.date(1920, 1, 1), dt.date(2024, 12, 31))
_DEPARTMENTS = st.sampled_from(synthetic.DEPARTMENTS)
_SEEDS = st.integers(0, 2**32 - 1)
_WEIGHTS = st.integers(3, 60)
_SPECIALTIES = st.sampled_from(("Médecine générale", "Cardiologie", "Pédiatrie"))
_LABELS = {kind: st.sampled_from(labels) for kind, labels in LABELS.items()}
_POSOLOGIES = st.sampled_from(POSOLOGIES)
_DURATIONS = st.sampled_from(DURATIONS)
_RENEWALS = st.integers(0, 3)
_MOTIVES = st.sampled_from(("MTE", "EFG", "CIF"))
_ONE_IN_FIVE = st.integers(0, 4)


@st.composite
def patients(draw: st.DrawFn) -> dict[str, Any]:
    sex = draw(_SEXES)
    born = draw(_BIRTHS)
    department = draw(_DEPARTMENTS)
    seed = draw(_SEEDS)
    patient: dict[str, Any] = {
        "ins": synthetic.nir(random.Random(seed), 1 if sex == "M" else 2, born.isoformat(), department),
        "nomFamille": draw(names(FAMILY_MAX, upper=True)),
        "prenom": draw(names(FIRST_MAX, upper=False)),
        "sexe": sex,
        "dateNaissance": born.isoformat(),
    }
    if born.year >= 2012 and draw(st.booleans()):
        patient["poids"] = draw(_WEIGHTS)
    return patient


@st.composite
def prescribers(draw: st.DrawFn) -> dict[str, Any]:
    rng = random.Random(draw(_SEEDS))
    return {
        "rpps": synthetic.rpps(rng),
        "am": synthetic.am(rng),
        "nomFamille": draw(names(40, upper=True)),
        "prenom": draw(names(30, upper=False)),
        "specialite": draw(_SPECIALTIES),
        "adresse": "1 place de l'Église, 69001 Lyon",
        "telephone": f"04 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                     f"{rng.randint(10, 99)}",
    }


def _code(kind: str, rng: random.Random) -> dict[str, str] | None:
    makers = {"medicament": ("CIP13", synthetic.cip13), "dispositifMedical": ("LPP", synthetic.lpp),
              "acteBiologieMedicale": ("NABM", synthetic.nabm)}
    if kind not in makers:
        return None
    system, make = makers[kind]
    return {"systeme": system, "valeur": make(rng)}


@st.composite
def lines(draw: st.DrawFn, kinds: st.SearchStrategy[str]) -> dict[str, Any]:
    kind = draw(kinds)
    line: dict[str, Any] = {"type": kind, "libelle": draw(_LABELS[kind]),
                            "posologie": draw(_POSOLOGIES)}
    code = _code(kind, random.Random(draw(_SEEDS)))
    if code:
        line["code"] = code
    if draw(st.booleans()):
        line["duree"] = draw(_DURATIONS)
    renewals = draw(_RENEWALS)
    if renewals:
        line["renouvellements"] = renewals
    if kind == "medicament" and draw(st.booleans()):
        line["nonSubstituable"] = True
        line["motifNonSubstitution"] = draw(_MOTIVES)
    if draw(st.booleans()):
        line["ald"] = True
    if draw(_ONE_IN_FIVE) == 0:
        line["nonRembourse"] = True
    return line


def prescriptions(types: Sequence[str] = LINE_TYPES, max_lines: int = 5) -> st.SearchStrategy[dict[str, Any]]:
    """Valid create bodies (without id) for the given line types."""
    return st.fixed_dictionaries({
        "prescripteur": prescribers(),
        "patient": patients(),
        "consentement": st.builds(lambda o: {"opposition": o}, st.booleans()),
        "lignes": st.lists(lines(st.sampled_from(tuple(types))), min_size=1, max_size=max_lines),
    })
