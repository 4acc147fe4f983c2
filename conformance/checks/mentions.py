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
from conformance.messages import Message, Messages, Text
from conformance.paper import PaperPage, normalise
from conformance.vocabulary import Severity, StepKind

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")


# what the module's helpers say, for whichever check calls them
MENTIONS = Messages("mentions", {
    "no_creation": Text("aucune création avant cette étape : rien à quoi comparer l'imprimé",
                        "no create step before this one: nothing to compare the printout with"),
    "field": Text("{field} : {value}", "{field}: {value}"),
    "line_field": Text("ligne {line} {field}", "ligne {line} {field}"),
    "not_found": Text("introuvable", "not found"),
})


def _created(ctx: CheckContext) -> dict[str, Any]:
    if ctx.state.created is None:
        raise Skipped(MENTIONS("no_creation"))
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


def _missing(text: str, wanted: dict[str, Any]) -> list[Message]:
    """The ``wanted`` fields (name and value) whose value is not found in ``text``."""
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
            out.append(MENTIONS("field", field=label, value=repr(value)))
    return out


@check("prescriber_identified", "PAP-05", Severity.MAJOR,
       title=Text("Identification du prescripteur",
                  "Prescriber identification"),
       hint=Text("imprimer les nom et prénom, la spécialité, le RPPS, l'AM ou le FINESS, l'adresse "
                     "et le téléphone du prescripteur",
                 "print the prescriber's names, specialty, RPPS, AM or FINESS, address and phone"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
       degraded=True,
       reads_identifiers=Text("le RPPS et le numéro AM du prescripteur",
                              "the prescriber's RPPS and AM number"),
       messages={
           "no_am": Text("le prescripteur n'a ni AM ni FINESS dans la création",
                         "the prescriber has neither AM nor FINESS in the creation"),
           "am_or_finess": Text("AM ou FINESS", "AM or FINESS"),
           "neither": Text("ni l'un ni l'autre", "neither"),
           "missing": Text("{count} champ(s) du prescripteur non imprimé(s), le premier {first}",
                           "{count} prescriber field(s) not printed, first {first}"),
           "identified": Text("prescripteur identifié ({count} champs)",
                              "prescriber identified ({count} fields)"),
       })
def prescriber_identified(ctx: CheckContext) -> str:
    """Every identification field of the prescriber is printed."""
    msg = ctx.msg
    doctor = _created(ctx).get("prescripteur", {})
    text = _all_text(text_pages(ctx))
    wanted = {k: doctor.get(k) for k in ("nomFamille", "prenom", "specialite", "rpps", "adresse",
                                         "telephone")}
    if not doctor.get("am") and not doctor.get("finess"):
        raise Failed(msg("no_am"), msg("am_or_finess"), msg("neither"))
    wanted["am" if doctor.get("am") else "finess"] = doctor.get("am") or doctor.get("finess")
    missing = _missing(text, wanted)
    if missing:
        raise Failed(msg("missing", count=len(missing), first=missing[0]), wanted,
                     missing[0], tuple(missing))
    return msg("identified", count=len([v for v in wanted.values() if v]))


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
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
       degraded=True,
       messages={
           "missing": Text("{count} champ(s) du patient non imprimé(s), le premier {first}",
                           "{count} patient field(s) not printed, first {first}"),
           "wanted": Text("noms, sexe, date de naissance", "names, sex, birth date"),
           "identified": Text("patient identifié", "patient identified"),
       })
def patient_identified(ctx: CheckContext) -> str:
    """Patient names, sex and birth date (weight and height when the creation gave them)."""
    msg = ctx.msg
    patient = _created(ctx).get("patient", {})
    text = _all_text(text_pages(ctx))
    wanted = {k: patient.get(k) for k in ("nomFamille", "prenom", "dateNaissance")}
    missing = _missing(text, wanted)
    for key in ("poids", "taille"):
        value = patient.get(key)
        if value not in (None, "") and not re.search(rf"(?<![\d,.]){re.escape(str(value))}"
                                                        rf"|{re.escape(str(value).replace('.', ','))}", text):
            missing.append(MENTIONS("field", field=key, value=repr(value)))
    sex = patient.get("sexe")
    names = [str(patient.get(k) or "") for k in ("nomFamille", "prenom")]
    if sex and not _sex_printed(text, str(sex), names):
        missing.append(MENTIONS("field", field="sexe", value=repr(sex)))
    if missing:
        raise Failed(msg("missing", count=len(missing), first=missing[0]), msg("wanted"),
                     missing[0], tuple(missing))
    return msg("identified")


@check("prescription_date", "PAP-07", Severity.MAJOR,
       title=Text("Date de la prescription",
                  "Prescription date"),
       hint=Text("imprimer la date de l'ordonnance",
                 "print the date of the ordonnance"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
       degraded=True,
       messages={
           "no_date": Text("aucune date de prescription à laquelle comparer (la création n'en "
                           "donnait pas et son jour d'enregistrement est inconnu)",
                           "no prescription date to compare with (the creation gave none and its "
                           "registration day is unknown)"),
           "not_printed": Text("la date de prescription n'est pas imprimée",
                               "the prescription date is not printed"),
           "not_found": Text("introuvable (hors du paragraphe de consentement)",
                             "not found (outside the consent paragraph)"),
           "or": Text("{first} ou {second}", "{first} or {second}"),
           "dated": Text("datée du {date}", "dated {date}"),
       })
def prescription_date(ctx: CheckContext) -> str:
    """The prescription date is printed: the creation's, or (when it gave none) the day the
    target registered it, in Europe/Paris (either day when the creation straddled midnight)."""
    created = _created(ctx)
    given = created.get("dateOrdonnance") or ctx.state.variables.get("dateOrdonnance")
    days = [str(given)] if given else sorted(ctx.state.created_days)
    if not days:
        raise NotEvaluated(ctx.msg("no_date"))
    text = _all_text(text_pages(ctx))
    forms = [form for day in days for form in date_forms(day)]
    iso: str = days[0]
    for day in days[1:]:
        iso = ctx.msg("or", first=iso, second=day)
    # the consent paragraph's "informé le <date>" is often the same day: it does not count
    informed = "|".join(re.escape(f) for f in forms)
    text = re.sub(rf"inform[ée]e?\(?s?\)? (?:le |du )?(?:{informed})", " ", text)
    if not any(form in text for form in forms):
        raise Failed(ctx.msg("not_printed"), forms[0], ctx.msg("not_found"))
    return ctx.msg("dated", date=iso)


def _line_fields(line: dict[str, Any]) -> dict[str, Any]:
    wanted = {k: line.get(k) for k in ("libelle", "posologie", "duree", "quantite")}
    return {k: v for k, v in wanted.items() if v not in (None, "")}


@check("lines_printed", "PAP-08", Severity.MAJOR,
       title=Text("Chaque ligne imprimée avec posologie, durée, renouvellements",
                  "Every line printed with posology, duration, renewals"),
       hint=Text("imprimer chaque ligne : produit ou acte, posologie, durée ou quantité, "
                     "renouvellements",
                 "print every line: product or act, posology, duration or quantity, renewals"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
       # the campaign judges PAP-08 its own way, by product and quantity: the posology is the
       # tester's free text, shown and not compared
       campaign=False,
       messages={
           "missing": Text("{count} champ(s) de ligne non imprimé(s), le premier {first}",
                           "{count} line field(s) not printed, first {first}"),
           "every_field": Text("chaque champ de chaque ligne", "every field of every line"),
           "in_full": Text("{count} ligne(s) imprimée(s) en entier", "{count} line(s) printed in full"),
       })
def lines_printed(ctx: CheckContext) -> str:
    """Each created line's label, posology, duration/quantity and renewals are printed."""
    msg = ctx.msg
    lines = _created(ctx).get("lignes", [])
    text = _all_text(text_pages(ctx))
    missing: list[Message] = []
    for n, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            continue
        missing += [MENTIONS("line_field", line=n, field=m) for m in _missing(text, _line_fields(line))]
        renewals = line.get("renouvellements")
        pattern = rf"renouvel\w*\D{{0,20}}{renewals}\b|{renewals}\s*(?:fois|renouvellement)"
        if renewals and not re.search(pattern, text):
            missing.append(MENTIONS("line_field", line=n, field=MENTIONS(
                "field", field="renouvellements", value=renewals)))
    if missing:
        raise Failed(msg("missing", count=len(missing), first=missing[0]), msg("every_field"),
                     missing[0], tuple(missing))
    return msg("in_full", count=len(lines))


@check("substitution_motive", "PAP-09", Severity.MAJOR,
       title=Text("« Non substituable » suivi de MTE, EFG ou CIF",
                  "'Non substituable' followed by MTE, EFG or CIF"),
       hint=Text("faire suivre chaque « Non substituable » de sa justification MTE, EFG ou CIF",
                 "follow every 'Non substituable' with its justification MTE, EFG or CIF"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       degraded=True,
       messages={
           "unjustified": Text("« Non substituable » imprimé sans sa justification",
                               "'Non substituable' printed without its justification"),
           "motives": Text("MTE, EFG ou CIF", "MTE, EFG or CIF"),
           "unmentioned": Text("une ligne non substituable est imprimée sans la mention",
                               "a non-substitutable line is printed without the mention"),
           "mentions": Text("{count} mention(s)", "{count} mention(s)"),
           "none": Text("aucune ligne non substituable", "no non-substitutable line"),
           "justified": Text("{count} mention(s), chacune justifiée",
                             "{count} mention(s), each justified"),
       })
def substitution_motive(ctx: CheckContext) -> str:
    """Every printed 'non substituable' is followed by MTE, EFG or CIF; flagged lines print it."""
    msg = ctx.msg
    text = _all_text(text_pages(ctx))
    mentions = list(re.finditer(r"non[ -]substituable", text))
    for m in mentions:
        after = text[m.end():m.end() + 25]
        if not re.search(r"\b(?:mte|efg|cif)\b", after):
            raise Failed(msg("unjustified"), msg("motives"), text[m.start():m.end() + 25])
    flagged = [ln for ln in (ctx.state.created or {}).get("lignes", [])
               if isinstance(ln, dict) and ln.get("nonSubstituable")]
    if len(mentions) < len(flagged):
        raise Failed(msg("unmentioned"), msg("mentions", count=len(flagged)), len(mentions))
    if not mentions:
        raise Skipped(msg("none"))
    return msg("justified", count=len(mentions))


@check("bizone", "PAP-10", Severity.MAJOR,
       title=Text("Bizone : lignes ALD dans la zone haute seulement",
                  "Bizone: ALD lines in the top zone only"),
       hint=Text("imprimer les lignes ALD au-dessus du séparateur « SANS RAPPORT avec l'affection "
                     "de longue durée », les autres en dessous",
                 "print ALD lines above the 'SANS RAPPORT avec l'affection de longue durée' "
                     "separator, others below it"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
       degraded=True,
       messages={
           "no_ald": Text("aucune ligne ALD : ordonnance à une zone",
                          "no ALD line: single-zone ordonnance"),
           "no_layout": Text("lignes ALD imprimées sans la présentation bizone",
                             "ALD lines printed without the bizone layout"),
           "a_zone": Text("une zone « sans rapport avec l'ALD » après les lignes ALD",
                          "a 'sans rapport avec l'ALD' zone after the ALD lines"),
           "no_separator": Text("aucun séparateur, sur aucune page", "no separator on any page"),
           "line_missing": Text("ligne {label} introuvable sur le papier",
                                "line {label} not found on the paper"),
           "every_line": Text("chaque ligne imprimée", "every line printed"),
           "wrong_zone": Text("{label} imprimée dans la mauvaise zone",
                              "{label} printed in the wrong zone"),
           "zones_wanted": Text("{ald} dans la zone haute (ALD), {other} en dessous",
                                "{ald} in the top (ALD) zone, {other} below"),
           "zones_seen": Text("{top} dans la zone haute, {below} en dessous",
                              "{top} in the top zone, {below} below"),
           "right_zone": Text("{count} ligne(s) dans la bonne zone", "{count} line(s) in the right zone"),
       })
def bizone(ctx: CheckContext) -> str:
    """In reading order across pages, every ALD line comes before the first heading of the
    non-ALD zone and every other line after it (the heading may be repeated on later pages)."""
    lines = [ln for ln in _created(ctx).get("lignes", []) if isinstance(ln, dict)]
    if not any(ln.get("ald") for ln in lines):
        raise Skipped(ctx.msg("no_ald"))
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
        raise Failed(ctx.msg("no_layout"), ctx.msg("a_zone"), ctx.msg("no_separator"))
    for label, (ald, other) in wanted.items():
        top, below = printed[label]
        if top + below == 0:
            raise Failed(ctx.msg("line_missing", label=repr(label)), ctx.msg("every_line"),
                         MENTIONS("not_found"))
        if top != ald or below != other:
            raise Failed(ctx.msg("wrong_zone", label=repr(label)),
                         ctx.msg("zones_wanted", ald=ald, other=other),
                         ctx.msg("zones_seen", top=top, below=below))
    return ctx.msg("right_zone", count=len(lines))


@check("replaced_identified", "PAP-12", Severity.MAJOR,
       title=Text("Remplaçant : médecin remplacé identifié",
                  "Replacing doctor: replaced doctor identified"),
       hint=Text("un médecin remplaçant imprime le nom et le RPPS du médecin remplacé",
                 "a replacing doctor prints the replaced doctor's names and RPPS"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
       degraded=True,
       reads_identifiers=Text("le RPPS du médecin remplacé", "the replaced doctor's RPPS"),
       messages={
           "not_replacement": Text("pas un remplacement", "not a replacement"),
           "the_word": Text("le mot « remplaçant » / « remplacement »",
                            "the word 'remplaçant' / 'remplacement'"),
           "unidentified": Text("le médecin remplacé n'est pas identifié",
                                "the replaced doctor is not identified"),
           "wanted": Text("les nom, prénom et RPPS du médecin remplacé",
                          "replaced doctor's names and RPPS"),
           "identified": Text("médecin remplacé {name} identifié", "replaced doctor {name} identified"),
       })
def replaced_identified(ctx: CheckContext) -> str:
    """A replacing doctor's paper names the replaced doctor and says it is a replacement."""
    msg = ctx.msg
    replaced = _created(ctx).get("prescripteur", {}).get("remplace")
    if not replaced:
        raise Skipped(msg("not_replacement"))
    text = _all_text(text_pages(ctx))
    missing = _missing(text, {k: replaced.get(k) for k in ("nomFamille", "prenom", "rpps")})
    if not re.search(r"rempla[çc]", text):
        missing.append(msg("the_word"))
    if missing:
        raise Failed(msg("unidentified"), msg("wanted"), missing[0], tuple(missing))
    return msg("identified", name=replaced.get("nomFamille"))


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
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
       degraded=True,
       messages={
           "line_missing": Text("ligne {label} introuvable sur le papier (PAP-08 le signale)",
                                "line {label} not found on the paper (PAP-08 reports it)"),
           "nr_missing": Text("{label} : NR absent sur {count} ligne(s)",
                              "{label}: NR missing on {count} line(s)"),
           "nr_extra": Text("{label} : NR sur {count} ligne(s) remboursable(s)",
                            "{label}: NR on {count} reimbursable line(s)"),
           "wrong": Text("{count} libellé(s) avec un « NR » erroné, le premier {first}",
                         "{count} label(s) with 'NR' wrong, first {first}"),
           "only_there": Text("NR sur les lignes non remboursables seulement",
                              "NR on non-reimbursable lines only"),
           "none": Text("aucune ligne non remboursable, aucun NR sur les {count} ligne(s)",
                        "no non-reimbursable line, no NR on the {count} line(s)"),
           "printed": Text("NR sur les {count} ligne(s) non remboursable(s) seulement",
                           "NR on the {count} non-reimbursable line(s) only"),
       })
def nr_printed(ctx: CheckContext) -> str:
    """'NR' (a whole word, upper case) in the block of each non-reimbursable line, in no other
    line's block."""
    msg = ctx.msg
    lines = [ln for ln in _created(ctx).get("lignes", []) if isinstance(ln, dict)]
    token = re.compile(rf"(?<!\w){re.escape(ctx.profile.value('nr_mention'))}(?!\w)")
    wanted: dict[str, list[bool]] = {}  # label -> NR expected, one per line (order is the layout's)
    for line in lines:
        label = normalise(str(line.get("libelle", ""))).lower()[:25]
        wanted.setdefault(label, []).append(bool(line.get("nonRembourse")))
    blocks = _label_blocks(text_pages(ctx), set(wanted))
    wrong: list[Message] = []
    for label, flags in wanted.items():
        printed = blocks[label]
        if len(printed) < len(flags):
            raise NotEvaluated(msg("line_missing", label=repr(label)))
        # a label may contain the letters (a brand name): only a word outside the label counts
        with_nr = sum(1 for block in printed[:len(flags)]
                      if any(token.search(_without_label(row, label)) for row in block))
        if with_nr < sum(flags):
            wrong.append(msg("nr_missing", label=repr(label), count=sum(flags) - with_nr))
        elif with_nr > sum(flags):
            wrong.append(msg("nr_extra", label=repr(label), count=with_nr - sum(flags)))
    if wrong:
        raise Failed(msg("wrong", count=len(wrong), first=wrong[0]), msg("only_there"),
                     wrong[0], tuple(wrong))
    flagged = sum(1 for ln in lines if ln.get("nonRembourse"))
    if not flagged:
        return msg("none", count=len(lines))
    return msg("printed", count=flagged)
