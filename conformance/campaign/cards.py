"""Patient cards: one synthetic patient per produce step, drawn from the campaign's seed (the same
seed gives the same cards), and the exact text and printable HTML page the tester is shown."""

from __future__ import annotations

import datetime as dt
import html
import random
from dataclasses import dataclass
from typing import Any

from conformance.campaign.plan import Plan, Step
from conformance.identifiers import synthetic

SURNAMES = ("ARNAUD", "BESSON", "CARON", "DELORME", "ESNAULT", "FAURE", "GIRAUD", "HAMON", "JOUBERT",
            "LACROIX", "MALLET", "NOEL", "PERRIN", "RENAUD", "TESSIER", "VIDAL", "BARRAUD", "COLLIN",
            "DUPRAT", "FERRAND", "GUILLOT", "LEMAIRE", "MARCHAL", "POIRIER", "ROUSSEL", "SAUNIER")
FIRST = {"F": ("Agnès", "Brigitte", "Céline", "Denise", "Élodie", "Françoise", "Gisèle", "Inès", "Léa"),
         "M": ("André", "Benoît", "Cédric", "Damien", "Étienne", "François", "Gérard", "Hugo", "Jérôme")}
SEX_WORD = {"F": "féminin", "M": "masculin"}


@dataclass(frozen=True)
class Card:
    """What one produce step expects: its patient and the prescription (a create body)."""

    step: str
    patient: dict[str, Any]
    expected: dict[str, Any]


def draw_cards(plan: Plan, prescriber: dict[str, Any], seed: int, today: dt.date) -> dict[str, Card]:
    """One card per produce step; surname + birth date unique in the campaign."""
    rng = random.Random(seed)
    surnames = rng.sample(SURNAMES, len(SURNAMES))
    taken: set[tuple[str, str]] = set()
    cards = {}
    for step in plan.steps:
        if step.kind != "produce" or step.patient is None:
            continue
        spec = step.patient
        sex = spec.sexe or rng.choice(("F", "M"))
        while True:
            nom = spec.nom or surnames.pop()
            age = rng.randint(*spec.age)
            born = today - dt.timedelta(days=365 * age + rng.randint(0, 364))
            if (nom, born.isoformat()) not in taken:
                break
        taken.add((nom, born.isoformat()))
        nir = synthetic.nir(rng, 1 if sex == "M" else 2, born.isoformat())
        patient: dict[str, Any] = {"nomFamille": nom, "prenom": spec.prenom or rng.choice(FIRST[sex]),
                                   "sexe": sex, "dateNaissance": born.isoformat(), "nir": nir, "ins": nir}
        if spec.poids is not None:
            patient["poids"] = spec.poids
        cards[step.id] = Card(step.id, patient, _expected(step, patient, prescriber, rng))
    return cards


def _expected(step: Step, patient: dict[str, Any], prescriber: dict[str, Any],
              rng: random.Random) -> dict[str, Any]:
    doctor = {k: v for k, v in prescriber.items() if k != "remplace"}
    if step.remplacement:
        doctor["remplace"] = prescriber.get("remplace") or {
            "rpps": synthetic.rpps(rng), "am": synthetic.am(rng), "nomFamille": "GAUTHIER", "prenom": "Odile"}
    body: dict[str, Any] = {
        "prescripteur": doctor,
        "patient": {k: v for k, v in patient.items() if k != "nir"},
        "consentement": {"opposition": step.opposition},
        "lignes": [dict(line) for line in step.lignes],
        "degrade": step.degrade,
    }
    if step.remplacement:
        body["remplace"] = doctor["remplace"]
    return body


def _line_text(n: int, line: dict[str, Any]) -> str:
    flags = [label for key, label in (("ald", "ALD (zone haute)"), ("nonRembourse", "NR"),
                                      ("nonSubstituable", "non substituable")) if line.get(key)]
    if line.get("nonSubstituable"):
        flags[-1] += f" ({line.get('motifNonSubstitution')})"
    parts = [f"{n}. {line['libelle']}"]
    code = line.get("code")
    if isinstance(code, dict):
        parts.append(f"[{code.get('systeme')} {code.get('valeur')}]")
    for key in ("posologie", "duree", "quantite"):
        if line.get(key):
            parts.append(f"{key}: {line[key]}")
    if line.get("renouvellements"):
        parts.append(f"renouvellements: {line['renouvellements']}")
    return " — ".join(parts + flags)


def instructions(step: Step, card: Card | None) -> str:
    """The exact text shown for a step (its SHA-256 is journaled with every answer)."""
    out = [f"Étape {step.id} — {step.title}", step.instructions]
    if step.kind == "confirm":
        out += ["", f"Question : {step.question}", "Répondez : conformance campaign confirm DIR "
                f"{step.id} --yes|--no [--note TEXTE]"]
    if step.kind == "dmp":
        out.append(f"Déposez le document CDA que votre logiciel a envoyé au DMP pour l'étape {step.source}.")
    if card is None:
        return "\n".join(out)
    p, rx = card.patient, card.expected
    out += ["", "Patient :", f"  {p['nomFamille']} {p['prenom']}, sexe {SEX_WORD[p['sexe']]}, "
            f"né(e) le {_fr_date(p['dateNaissance'])}", f"  NIR / INS : {p['nir']}"]
    if "poids" in p:
        out.append(f"  Poids : {p['poids']} kg")
    objects = "S'OPPOSE" if rx["consentement"]["opposition"] else "ne s'oppose pas"
    out.append(f"Consentement : le patient {objects} à la consultation de ce qui est délivré")
    if rx.get("remplace"):
        r = rx["remplace"]
        out.append(f"Médecin remplacé : {r['prenom']} {r['nomFamille']}, RPPS {r['rpps']}"
                   + (f", AM {r['am']}" if r.get("am") else ""))
    if rx.get("degrade"):
        out.append("Mode dégradé : le téléservice doit être injoignable pendant cette étape.")
    out.append("Ordonnance :")
    out += [f"  {_line_text(n, line)}" for n, line in enumerate(rx["lignes"], start=1)]
    return "\n".join(out)


def _fr_date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


CSS = ("body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:1.5rem auto;color:#111}"
       "h1{font-size:1.3rem}pre{white-space:pre-wrap;font:inherit;border:1px solid #888;padding:1rem}"
       "@media print{body{margin:0}}")


def card_html(step: Step, card: Card | None, plan: Plan) -> str:
    """A printable card: self-contained, no script, no network resource."""
    text = instructions(step, card)
    return ("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(plan.title)} — {html.escape(step.id)}</title>"
            f"<style>{CSS}</style></head><body><h1>{html.escape(step.title)}</h1>"
            f"<pre>{html.escape(text)}</pre><p>Données synthétiques de test : aucune personne réelle. "
            f"Plan {html.escape(plan.id)} version {html.escape(plan.version)}.</p></body></html>\n")
