"""PAP-05 … PAP-10, PAP-12 and PAP-14: the classic mentions of the printed ordonnance (CSP R5132-3).

Every comparison is made on normalised text (NFKC, quotes, ligatures, whitespace) in lower
case, so another renderer's fonts, line wraps and non-breaking spaces do not matter.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.footer import text_pages
from conformance.checks.registry import Failed, NotEvaluated, Skipped, check
from conformance.messages import Text
from conformance.paper import PaperPage, normalise
from conformance.vocabulary import Severity, StepKind

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")


def _created(ctx: CheckContext) -> dict[str, Any]:
    if ctx.state.created is None:
        raise Skipped("no create step before this one: nothing to compare the printout with")
    return ctx.state.created


def _all_text(pages: list[PaperPage]) -> str:
    return " ".join(p.text for p in pages).lower()


def _digits(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text)


def date_forms(iso: str) -> list[str]:
    """The printed forms a date may take: 03/06/2018, 3/6/2018, 2018-06-03, 03.06.2018, 3 juin 2018."""
    d = dt.date.fromisoformat(iso)
    day = "1er" if d.day == 1 else str(d.day)
    return [d.strftime("%d/%m/%Y"), f"{d.day}/{d.month}/{d.year}", d.isoformat(),
            d.strftime("%d.%m.%Y"), d.strftime("%d-%m-%Y"), f"{day} {MONTHS[d.month - 1]} {d.year}",
            f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}"]


def _has(text: str, value: Any) -> bool:
    """``value`` printed, also when a long word was wrapped over two lines."""
    wanted = normalise(str(value)).lower()
    return wanted in text or wanted.replace(" ", "") in text.replace(" ", "")


def _missing(text: str, wanted: dict[str, Any]) -> list[str]:
    """Names of ``wanted`` fields whose value is not found in ``text``."""
    out = []
    for label, value in wanted.items():
        if value in (None, ""):
            continue
        if label in ("telephone", "rpps", "am", "finess"):
            found = _digits(str(value)) in _digits(text)
        elif label.startswith("date"):
            found = any(form in text for form in date_forms(str(value)))
        else:
            found = _has(text, value)
        if not found:
            out.append(f"{label}: {value!r}")
    return out


@check("prescriber_identified", "PAP-05", Severity.MAJOR,
       title=Text("Identification du prescripteur",
                  "Prescriber identification"),
       hint=Text("imprimer les nom et prénom, la spécialité, le RPPS, l'AM ou le FINESS, l'adresse "
                     "et le téléphone du prescripteur",
                 "print the prescriber's names, specialty, RPPS, AM or FINESS, address and phone"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,))
def prescriber_identified(ctx: CheckContext) -> str:
    """Every identification field of the prescriber is printed."""
    doctor = _created(ctx).get("prescripteur", {})
    text = _all_text(text_pages(ctx))
    wanted = {k: doctor.get(k) for k in ("nomFamille", "prenom", "specialite", "rpps", "adresse",
                                         "telephone")}
    if not doctor.get("am") and not doctor.get("finess"):
        raise Failed("the prescriber has neither AM nor FINESS in the creation", "AM or FINESS",
                     "neither")
    wanted["am" if doctor.get("am") else "finess"] = doctor.get("am") or doctor.get("finess")
    missing = _missing(text, wanted)
    if missing:
        raise Failed(f"{len(missing)} prescriber field(s) not printed, first {missing[0]}", wanted,
                     missing[0], tuple(missing))
    return f"prescriber identified ({len([v for v in wanted.values() if v])} fields)"


CIVILITY = {"F": r"(?:mme|madame|mlle|mademoiselle)\b\.?", "M": r"(?:m\.|mr\b\.?|monsieur\b)"}


def _sex_stated(text: str, sex: str) -> bool:
    """'Sexe : F' (or M), or the word féminin / masculin."""
    letter, word = {"F": ("f", "féminin"), "M": ("m", "masculin")}.get(sex, (sex.lower(), "$^"))
    return bool(re.search(rf"\bsexe\s*:?\s*(?:{re.escape(letter)}|{word})\b", text)
                or re.search(rf"\b{word}\b", text))


def _sex_printed(text: str, sex: str, names: list[str]) -> bool:
    """The sex is stated ('Sexe : F', 'féminin'), or shown by a civility (Mme, M.) just before
    the patient's name; never when the opposite sex is stated."""
    sex = sex.upper()
    other = {"F": "M", "M": "F"}.get(sex)
    if other and _sex_stated(text, other):
        return False
    if _sex_stated(text, sex):
        return True
    civility = CIVILITY.get(sex)
    named = "|".join(re.escape(normalise(n).lower()) for n in names if n)
    return bool(civility and named and re.search(rf"(?<!\w){civility}\s*(?:{named})(?!\w)", text))


@check("patient_identified", "PAP-06", Severity.MAJOR,
       title=Text("Identification du patient",
                  "Patient identification"),
       hint=Text("imprimer le nom, le prénom, le sexe et la date de naissance du patient (le poids "
                     "quand il est donné)",
                 "print the patient's family name, first name, sex and birth date (weight when "
                     "given)"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,))
def patient_identified(ctx: CheckContext) -> str:
    """Patient names, sex and birth date (weight and height when the creation gave them)."""
    patient = _created(ctx).get("patient", {})
    text = _all_text(text_pages(ctx))
    wanted = {k: patient.get(k) for k in ("nomFamille", "prenom", "dateNaissance")}
    missing = _missing(text, wanted)
    for key in ("poids", "taille"):
        value = patient.get(key)
        if value not in (None, "") and not re.search(rf"(?<![\d,.]){re.escape(str(value))}"
                                                        rf"|{re.escape(str(value).replace('.', ','))}", text):
            missing.append(f"{key}: {value!r}")
    sex = patient.get("sexe")
    names = [str(patient.get(k) or "") for k in ("nomFamille", "prenom")]
    if sex and not _sex_printed(text, str(sex), names):
        missing.append(f"sexe: {sex!r}")
    if missing:
        raise Failed(f"{len(missing)} patient field(s) not printed, first {missing[0]}",
                     "names, sex, birth date",
                     missing[0], tuple(missing))
    return "patient identified"


@check("prescription_date", "PAP-07", Severity.MAJOR,
       title=Text("Date de la prescription",
                  "Prescription date"),
       hint=Text("imprimer la date de l'ordonnance",
                 "print the date of the ordonnance"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,))
def prescription_date(ctx: CheckContext) -> str:
    """The prescription date is printed: the creation's, or (when it gave none) the day the
    target registered it, in Europe/Paris (either day when the creation straddled midnight)."""
    created = _created(ctx)
    given = created.get("dateOrdonnance") or ctx.state.variables.get("dateOrdonnance")
    days = [str(given)] if given else sorted(ctx.state.created_days)
    if not days:
        raise NotEvaluated("no prescription date to compare with (the creation gave none and "
                           "its registration day is unknown)")
    text = _all_text(text_pages(ctx))
    forms = [form for day in days for form in date_forms(day)]
    iso = " or ".join(days)
    # the consent paragraph's "informé le <date>" is often the same day: it does not count
    informed = "|".join(re.escape(f) for f in forms)
    text = re.sub(rf"inform[ée]e?\(?s?\)? (?:le |du )?(?:{informed})", " ", text)
    if not any(form in text for form in forms):
        raise Failed("the prescription date is not printed", forms[0],
                     "not found (outside the consent paragraph)")
    return f"dated {iso}"


def _line_fields(line: dict[str, Any]) -> dict[str, Any]:
    wanted = {k: line.get(k) for k in ("libelle", "posologie", "duree", "quantite")}
    return {k: v for k, v in wanted.items() if v not in (None, "")}


@check("lines_printed", "PAP-08", Severity.MAJOR,
       title=Text("Chaque ligne imprimée avec posologie, durée, renouvellements",
                  "Every line printed with posology, duration, renewals"),
       hint=Text("imprimer chaque ligne : produit ou acte, posologie, durée ou quantité, "
                     "renouvellements",
                 "print every line: product or act, posology, duration or quantity, renewals"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,))
def lines_printed(ctx: CheckContext) -> str:
    """Each created line's label, posology, duration/quantity and renewals are printed."""
    lines = _created(ctx).get("lignes", [])
    text = _all_text(text_pages(ctx))
    missing = []
    for n, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            continue
        missing += [f"ligne {n} {m}" for m in _missing(text, _line_fields(line))]
        renewals = line.get("renouvellements")
        pattern = rf"renouvel\w*\D{{0,20}}{renewals}\b|{renewals}\s*(?:fois|renouvellement)"
        if renewals and not re.search(pattern, text):
            missing.append(f"ligne {n} renouvellements: {renewals}")
    if missing:
        raise Failed(f"{len(missing)} line field(s) not printed, first {missing[0]}",
                     "every field of every line",
                     missing[0], tuple(missing))
    return f"{len(lines)} line(s) printed in full"


@check("substitution_motive", "PAP-09", Severity.MAJOR,
       title=Text("« Non substituable » suivi de MTE, EFG ou CIF",
                  "'Non substituable' followed by MTE, EFG or CIF"),
       hint=Text("faire suivre chaque « Non substituable » de sa justification MTE, EFG ou CIF",
                 "follow every 'Non substituable' with its justification MTE, EFG or CIF"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def substitution_motive(ctx: CheckContext) -> str:
    """Every printed 'non substituable' is followed by MTE, EFG or CIF; flagged lines print it."""
    text = _all_text(text_pages(ctx))
    mentions = list(re.finditer(r"non[ -]substituable", text))
    for m in mentions:
        after = text[m.end():m.end() + 25]
        if not re.search(r"\b(?:mte|efg|cif)\b", after):
            raise Failed("'Non substituable' printed without its justification", "MTE, EFG or CIF",
                         text[m.start():m.end() + 25])
    flagged = [ln for ln in (ctx.state.created or {}).get("lignes", [])
               if isinstance(ln, dict) and ln.get("nonSubstituable")]
    if len(mentions) < len(flagged):
        raise Failed("a non-substitutable line is printed without the mention",
                     f"{len(flagged)} mention(s)", len(mentions))
    if not mentions:
        raise Skipped("no non-substitutable line")
    return f"{len(mentions)} mention(s), each justified"


@check("bizone", "PAP-10", Severity.MAJOR,
       title=Text("Bizone : lignes ALD dans la zone haute seulement",
                  "Bizone: ALD lines in the top zone only"),
       hint=Text("imprimer les lignes ALD au-dessus du séparateur « SANS RAPPORT avec l'affection "
                     "de longue durée », les autres en dessous",
                 "print ALD lines above the 'SANS RAPPORT avec l'affection de longue durée' "
                     "separator, others below it"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,))
def bizone(ctx: CheckContext) -> str:
    """In reading order across pages, every ALD line comes before the first heading of the
    non-ALD zone and every other line after it (the heading may be repeated on later pages)."""
    lines = [ln for ln in _created(ctx).get("lignes", []) if isinstance(ln, dict)]
    if not any(ln.get("ald") for ln in lines):
        raise Skipped("no ALD line: single-zone ordonnance")
    heading = ctx.profile.value("bizone_bottom_heading")
    wanted: dict[str, list[int]] = {}  # label -> [ALD lines, other lines]
    for line in lines:
        label = normalise(str(line.get("libelle", ""))).lower()[:40]
        wanted.setdefault(label, [0, 0])[0 if line.get("ald") else 1] += 1
    printed = {label: [0, 0] for label in wanted}
    reading = [(page.number, ln.box[1], ln.box[0], normalise(ln.text).lower())
               for page in text_pages(ctx) for ln in page.lines]
    bottom = False
    for _, _, _, text in sorted(reading):
        if re.search(heading, text):
            bottom = True
            continue
        for label in wanted:
            if label and label in text:
                printed[label][1 if bottom else 0] += 1
    if not any(re.search(heading, text) for *_, text in reading):
        raise Failed("ALD lines printed without the bizone layout",
                     "a 'sans rapport avec l'ALD' zone after the ALD lines", "no separator on any page")
    for label, (ald, other) in wanted.items():
        top, below = printed[label]
        if top + below == 0:
            raise Failed(f"line {label!r} not found on the paper", "every line printed", "not found")
        if top != ald or below != other:
            raise Failed(f"{label!r} printed in the wrong zone",
                         f"{ald} in the top (ALD) zone, {other} below",
                         f"{top} in the top zone, {below} below")
    return f"{len(lines)} line(s) in the right zone"


@check("replaced_identified", "PAP-12", Severity.MAJOR,
       title=Text("Remplaçant : médecin remplacé identifié",
                  "Replacing doctor: replaced doctor identified"),
       hint=Text("un médecin remplaçant imprime le nom et le RPPS du médecin remplacé",
                 "a replacing doctor prints the replaced doctor's names and RPPS"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,))
def replaced_identified(ctx: CheckContext) -> str:
    """A replacing doctor's paper names the replaced doctor and says it is a replacement."""
    replaced = _created(ctx).get("prescripteur", {}).get("remplace")
    if not replaced:
        raise Skipped("not a replacement")
    text = _all_text(text_pages(ctx))
    missing = _missing(text, {k: replaced.get(k) for k in ("nomFamille", "prenom", "rpps")})
    if not re.search(r"rempla[çc]", text):
        missing.append("the word 'remplaçant' / 'remplacement'")
    if missing:
        raise Failed("the replaced doctor is not identified", "replaced doctor's names and RPPS",
                     missing[0], tuple(missing))
    return f"replaced doctor {replaced.get('nomFamille')} identified"


def _label_blocks(pages: list[PaperPage], labels: set[str]) -> dict[str, list[list[str]]]:
    """For each label, the printed rows of each block where it starts: from that row to the next
    label, page change, or 20 mm below."""
    rows = sorted((page.number, ln.box[1], ln.box[0], normalise(ln.text))
                  for page in pages for ln in page.lines)
    found: dict[str, list[list[str]]] = {label: [] for label in labels}
    for i, row in enumerate(rows):
        starting = [lb for lb in labels if lb and lb in row[3].lower()]
        for label in starting:
            block = [row[3]]
            for nxt in rows[i + 1:]:
                if nxt[0] != row[0] or nxt[1] > row[1] + 20 or any(
                        lb and lb in nxt[3].lower() for lb in labels):
                    break
                block.append(nxt[3])
            found[label].append(block)
    return found


def _without_label(row: str, label: str) -> str:
    """A printed row without the line's label (case kept for the rest)."""
    start = row.lower().find(label)
    return row if start < 0 else row[:start] + row[start + len(label):]


@check("nr_printed", "PAP-14", Severity.MAJOR,
       title=Text("« NR » sur chaque ligne non remboursable, et sur aucune autre",
                  "'NR' on every non-reimbursable line, and on no other"),
       hint=Text("imprimer « NR » sur chaque ligne non remboursable, et seulement là",
                 "print 'NR' on every non-reimbursable line, and only there"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,))
def nr_printed(ctx: CheckContext) -> str:
    """'NR' (a whole word, upper case) in the block of each non-reimbursable line, in no other
    line's block."""
    lines = [ln for ln in _created(ctx).get("lignes", []) if isinstance(ln, dict)]
    token = re.compile(rf"(?<!\w){re.escape(ctx.profile.value('nr_mention'))}(?!\w)")
    wanted: dict[str, list[bool]] = {}  # label -> NR expected, one per line (order is the layout's)
    for line in lines:
        label = normalise(str(line.get("libelle", ""))).lower()[:25]
        wanted.setdefault(label, []).append(bool(line.get("nonRembourse")))
    blocks = _label_blocks(text_pages(ctx), set(wanted))
    wrong = []
    for label, flags in wanted.items():
        printed = blocks[label]
        if len(printed) < len(flags):
            raise NotEvaluated(f"line {label!r} not found on the paper (PAP-08 reports it)")
        # a label may contain the letters (a brand name): only a word outside the label counts
        with_nr = sum(1 for block in printed[:len(flags)]
                      if any(token.search(_without_label(row, label)) for row in block))
        if with_nr < sum(flags):
            wrong.append(f"{label!r}: NR missing on {sum(flags) - with_nr} line(s)")
        elif with_nr > sum(flags):
            wrong.append(f"{label!r}: NR on {with_nr - sum(flags)} reimbursable line(s)")
    if wrong:
        raise Failed(f"{len(wrong)} label(s) with 'NR' wrong, first {wrong[0]}",
                     "NR on non-reimbursable lines only", wrong[0], tuple(wrong))
    flagged = sum(1 for ln in lines if ln.get("nonRembourse"))
    if not flagged:
        return f"no non-reimbursable line, no NR on the {len(lines)} line(s)"
    return f"NR on the {flagged} non-reimbursable line(s) only"
