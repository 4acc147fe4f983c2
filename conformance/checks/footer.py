"""The footer of the ordonnance: code 2D (QR-01…QR-06), its number (PAP-01), the legal paragraphs
(PAP-02…PAP-04, CON-02), page numbers (PAP-11)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema

from conformance.checks.context import STEP, CheckContext
from conformance.checks.registry import Failed, NotEvaluated, Skipped, Warned, check, no_text
from conformance.messages import Message, Messages, Text
from conformance.paper import PaperError, PaperPage, QrCode, normalise
from conformance.targets import untrusted
from conformance.vocabulary import Severity, StepKind

# what the module's helpers say, for whichever check calls them
FOOTER = Messages("footer", {
    "no_dpi": Text("le fichier du scan n'indique pas sa résolution (DPI) : ses tailles en mm seraient "
                   "devinées (donner la résolution du scan : inspect paper --dpi N)",
                   "the scan's file states no resolution (DPI): its sizes in mm would be a guess "
                   "(give the resolution it was scanned at: inspect paper --dpi N)"),
    "no_code": Text("aucun code 2D décodé (QR-01 le signale)", "no code 2D decoded (QR-01 reports it)"),
    "not_utf8": Text("contenu non UTF-8 (QR-02 le signale)", "payload is not UTF-8 (QR-02 reports it)"),
    "not_json": Text("le contenu n'est pas du JSON (QR-02 le signale)",
                     "payload is not JSON (QR-02 reports it)"),
    "not_object": Text("le contenu n'est pas un objet JSON (QR-02 le signale)",
                       "payload is not a JSON object (QR-02 reports it)"),
    "where": Text("page {page}, x {x0}–{x1} mm, y {y0}–{y1} mm",
                  "page {page}, x {x0}–{x1} mm, y {y0}–{y1} mm"),
    "at": Text("{text} en {where}", "{text} at {where}"),
    "no_text_layer": Text("pas de couche texte (un scan)", "no text layer (a scan)"),
    "scan": Text("pas de couche texte (un scan) : les vérifications du texte demandent un PDF avec "
                 "texte",
                 "no text layer (a scan): text checks need a PDF with text"),
    "no_creation": Text("aucune création avant cette étape : rien à quoi comparer le contenu",
                        "no create step before this one: nothing to compare the payload with"),
    "mention_missing": Text("mention absente ou incomplète", "mention missing or incomplete"),
    "matching": Text("un texte correspondant à {pattern}", "text matching {pattern}"),
    "not_found": Text("introuvable", "not found"),
    "no_consent": Text("aucun paragraphe de consentement dans une formulation acceptée",
                       "no consent paragraph in an accepted wording"),
    "a_wording": Text("une des formulations du profil", "one of the profile wordings"),
    "present": Text("présente en page {page}", "present on page {page}"),
})
no_text(FOOTER, "no_text_layer", "scan")  # a check not evaluated with these found no text to read


def _codes(ctx: CheckContext) -> list[tuple[PaperPage, QrCode]]:
    found = [(p, c) for p in ctx.paper() for c in p.codes]
    if not found:
        raise NotEvaluated(FOOTER("no_code"))
    return found


def _payload(ctx: CheckContext) -> dict[str, Any]:
    _, code = _codes(ctx)[0]
    if not code.utf8:  # what the decoder guessed the bytes were is not the payload: one cause
        raise NotEvaluated(FOOTER("not_utf8"))
    try:
        data = untrusted.loads(code.text)
    except ValueError as exc:
        raise NotEvaluated(FOOTER("not_json")) from exc
    if not isinstance(data, dict):
        raise NotEvaluated(FOOTER("not_object"))
    return data


def _where(page: PaperPage, box: tuple[float, ...]) -> Message:
    return FOOTER("where", page=page.number, x0=f"{box[0]:.0f}", x1=f"{box[2]:.0f}",
                  y0=f"{box[1]:.0f}", y1=f"{box[3]:.0f}")


@check("qr_present", "QR-01", Severity.BLOCKING,
       title=Text("Exactement un code 2D décodable",
                  "Exactly one decodable code 2D"),
       hint=Text("imprimer un code QR (ISO 18004) par page, avec sa zone de silence, en noir plein",
                 "print one QR code (ISO 18004) per page, with its quiet zone, in solid black"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       messages={
           "none": Text("aucun code 2D décodable sur le papier", "no decodable code 2D on the paper"),
           "one": Text("un code 2D", "one code 2D"),
           "none_decoded": Text("aucun décodé", "none decoded"),
           "crowded": Text("plus d'un code QR (ISO 18004, modèle 2) sur une page",
                           "more than one QR code (ISO 18004, model 2) on a page"),
           "one_per_page": Text("un par page", "one per page"),
           "different": Text("les pages portent des codes 2D différents",
                             "pages carry different codes 2D"),
           "one_payload": Text("un seul contenu", "one payload"),
           "present": Text("un code 2D sur {coded} des {pages} page(s)",
                           "one code 2D on {coded} of {pages} page(s)"),
       })
def qr_present(ctx: CheckContext) -> str:
    """At least one page has a code; no page has two; all codes carry the same payload."""
    msg = ctx.msg
    pages = ctx.paper()
    per_page = {p.number: len(p.codes) for p in pages}
    if not any(per_page.values()):
        raise Failed(msg("none"), msg("one"), msg("none_decoded"))
    crowded = [n for n, count in per_page.items() if count > 1]
    if crowded:  # the reader decodes QR Code model 2 only: a Micro QR or rMQR is not counted
        raise Failed(msg("crowded"), msg("one_per_page"), {n: per_page[n] for n in crowded})
    payloads = {c.text for p in pages for c in p.codes}
    if len(payloads) > 1:
        raise Failed(msg("different"), msg("one_payload"), len(payloads))
    return msg("present", coded=sum(1 for v in per_page.values() if v), pages=len(pages))


@check("qr_payload", "QR-02", Severity.BLOCKING,
       title=Text("Contenu du code 2D : JSON du schéma v2",
                  "Code 2D content: JSON of schema v2"),
       hint=Text("encoder en UTF-8 un JSON compact {S:{V:2},D:{ID,P:{N,P,D},M:{RPPS,…}}}",
                 "encode compact JSON {S:{V:2},D:{ID,P:{N,P,D},M:{RPPS,…}}} in UTF-8"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       messages={
           "not_utf8": Text("le contenu du code 2D n'est pas en UTF-8 : les lecteurs devinent un "
                            "autre jeu de caractères (le « À » Latin-1 se lit « ﾀ » en Shift_JIS)",
                            "the code 2D payload is not UTF-8: scanners guess another charset "
                            "(Latin-1 'À' reads as Shift_JIS 'ﾀ')"),
           "utf8_json": Text("du JSON en UTF-8 (RFC 8259)", "UTF-8 JSON (RFC 8259)"),
           "not_json": Text("le code 2D ne contient pas de JSON", "the code 2D does not hold JSON"),
           "json_v2": Text("du JSON v2", "JSON v2"),
           "root": Text("(racine)", "(root)"),
           "breaks": Text("le contenu enfreint le schéma v2 en {path} : {error}",
                          "payload breaks the v2 schema at {path}: {error}"),
           "schema": Text("schéma v{version}", "schema v{version}"),
           "valid": Text("contenu conforme au schéma v2", "payload valid against schema v2"),
       })
def qr_payload(ctx: CheckContext) -> str:
    """The payload is JSON valid against the profile's schema."""
    msg = ctx.msg
    _, code = _codes(ctx)[0]
    if not code.utf8:
        raise Failed(msg("not_utf8"), msg("utf8_json"), code.text[:80])
    try:
        data = untrusted.loads(code.text)
    except ValueError as exc:
        raise Failed(msg("not_json"), msg("json_v2"), code.text[:80]) from exc
    schema = ctx.profile.value("qr_payload_schema")
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=str)
    if errors:
        # the path and the validator's own words are data: quoted as jsonschema gives them
        path = "/".join(str(p) for p in errors[0].absolute_path) or msg("root")
        raise Failed(msg("breaks", path=path, error=errors[0].message),
                     msg("schema", version=ctx.profile.value("qr_payload_version")), code.text[:120],
                     tuple(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors))
    return msg("valid")


def _expected_payload(ctx: CheckContext) -> dict[str, str]:
    rx = ctx.state.created
    if rx is None:
        raise Skipped(FOOTER("no_creation"))
    doctor, patient = rx.get("prescripteur", {}), rx.get("patient", {})
    replaced = doctor.get("remplace")
    out = {"ID": ctx.expected_id(), "N": patient.get("nomFamille"), "P": patient.get("prenom"),
           "D": patient.get("dateNaissance"), "RPPS": (replaced or doctor).get("rpps")}
    if replaced:
        out["RPPS2"] = doctor.get("rpps")
    am = (replaced or doctor).get("am")
    if am:
        out["AM"] = am
    return {k: v for k, v in out.items() if v is not None}


@check("qr_values", "QR-03", Severity.BLOCKING,
       title=Text("Valeurs du code 2D = la prescription",
                  "Code 2D values = the prescription"),
       hint=Text("remplir le contenu à partir de la prescription elle-même (id, patient, date de "
                     "naissance, RPPS, AM)",
                 "fill the payload from the prescription itself (id, patient, birth date, RPPS, AM)"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,),
       messages={
           "differs": Text("{field} : attendu {expected}, observé {observed}",
                           "{field}: expected {expected}, observed {observed}"),
           "rpps2": Text("RPPS2 : pas un remplacement, observé {observed}",
                         "RPPS2: not a replacement, observed {observed}"),
           "differ": Text("{count} valeur(s) du contenu diffèrent", "{count} payload value(s) differ"),
           "equal": Text("les valeurs du contenu sont celles de la prescription",
                         "payload values equal the prescription"),
           "equal_padded": Text("les valeurs du contenu sont celles de la prescription (noms "
                                "complétés d'espaces : {names} ; pour information)",
                                "payload values equal the prescription (names padded with spaces: "
                                "{names}; information only)"),
       })
def qr_values(ctx: CheckContext) -> str:
    """Payload values equal the prescription's, names compared after trimming."""
    msg = ctx.msg
    data = _payload(ctx)
    d = data.get("D", {}) if isinstance(data.get("D"), dict) else {}
    p = d.get("P", {}) if isinstance(d.get("P"), dict) else {}
    m = d.get("M", {}) if isinstance(d.get("M"), dict) else {}
    observed = {"ID": d.get("ID"), "N": p.get("N"), "P": p.get("P"), "D": p.get("D"),
                "RPPS": m.get("RPPS"), "RPPS2": m.get("RPPS2"), "AM": m.get("AM")}
    expected = _expected_payload(ctx)
    diffs: list[Message] = []
    for key, want in expected.items():
        got = observed.get(key)
        if key in ("N", "P"):  # names are padded in real payloads: compare trimmed
            same = isinstance(got, str) and normalise(got) == normalise(want)
        else:
            same = got == want
        if not same:
            diffs.append(msg("differs", field=key, expected=repr(want), observed=repr(got)))
    if observed.get("RPPS2") and "RPPS2" not in expected:
        diffs.append(msg("rpps2", observed=repr(observed["RPPS2"])))
    if diffs:
        raise Failed(msg("differ", count=len(diffs)), expected, diffs[0], tuple(diffs))
    padded = [k for k in ("N", "P")
              if isinstance(observed[k], str) and observed[k] != str(observed[k]).strip()]
    return msg("equal_padded", names=", ".join(padded)) if padded else msg("equal")


def _scale_known(ctx: CheckContext) -> None:
    """A size is measured at the scan's real resolution, never at a guessed one."""
    if any(not page.scale_known for page, _ in _codes(ctx)):
        raise NotEvaluated(FOOTER("no_dpi"))


@check("qr_position", "QR-04", Severity.MAJOR,
       title=Text("Code 2D en bas à gauche",
                  "Code 2D bottom-left"),
       hint=Text("placer le code en bas à gauche de la page",
                 "place the code in the bottom-left corner of the page"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       messages={
           "elsewhere": Text("le code 2D n'est pas en bas à gauche",
                             "the code 2D is not in the bottom-left area"),
           "bottom_left": Text("en bas à gauche", "bottom-left"),
           "placed": Text("code 2D en bas à gauche", "code 2D bottom-left"),
       })
def qr_position(ctx: CheckContext) -> str:
    """The code's centre lies in the profile's bottom-left zone."""
    zone = ctx.profile.value("qr_zone")
    for page, code in _codes(ctx):
        cx, cy = (code.box[0] + code.box[2]) / 2, (code.box[1] + code.box[3]) / 2
        if cx > page.width_mm * zone["max_x_fraction"] or cy < page.height_mm * zone["min_y_fraction"]:
            raise Failed(ctx.msg("elsewhere"), ctx.msg("bottom_left"), _where(page, code.box))
    return ctx.msg("placed")


@check("qr_size", "QR-05", Severity.MAJOR,
       title=Text("Taille imprimée et taille de module suffisantes",
                  "Printed size and module size sufficient"),
       hint=Text("imprimer le code plus grand (la Cnam l'a agrandi pendant les préséries)",
                 "print the code larger (the Cnam enlarged it during the préséries)"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       messages={
           "small": Text("code 2D de {size} mm de côté", "code 2D {size} mm wide"),
           "at_least": Text("≥ {size} mm", "≥ {size} mm"),
           "size_at": Text("{size} mm ({where})", "{size} mm ({where})"),
           "fine_modules": Text("modules de {size} mm", "modules of {size} mm"),
           "sized": Text("{size} mm, module de {module} mm", "{size} mm, module {module} mm"),
       })
def qr_size(ctx: CheckContext) -> str:
    """Printed size and module size at least the profile's minimum."""
    msg = ctx.msg
    min_size, min_module = ctx.profile.value("qr_min_size_mm"), ctx.profile.value("qr_min_module_mm")
    _scale_known(ctx)
    for page, code in _codes(ctx):
        if code.size_mm < min_size:  # a scan too: its resolution is known (_scale_known)
            raise Failed(msg("small", size=f"{code.size_mm:.1f}"), msg("at_least", size=min_size),
                         msg("size_at", size=f"{code.size_mm:.1f}", where=_where(page, code.box)))
        if code.modules and code.module_mm < min_module:
            raise Failed(msg("fine_modules", size=f"{code.module_mm:.2f}"),
                         msg("at_least", size=min_module), f"{code.module_mm:.2f} mm")
    _, first = _codes(ctx)[0]
    return msg("sized", size=f"{first.size_mm:.1f}", module=f"{first.module_mm:.2f}")


@check("qr_quiet_zone", "QR-05", Severity.MAJOR,
       title=Text("Zone de silence du code 2D libre de texte",
                  "Code 2D quiet zone free of text"),
       hint=Text("laisser 4 modules de marge blanche autour du code : éloigner le texte",
                 "keep 4 modules of blank margin around the code: move the text away"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       measures_page=Text("une zone de silence se mesure au module sur un PDF ; sur une image, la "
                          "perspective et les boîtes du texte (par OCR, s'il y en a) ne sont pas "
                          "aussi précises",
                          "a quiet zone is measured to the module on a PDF; on a picture the "
                          "perspective and the text's boxes (by OCR, if any) are not that precise"),
       messages={
           "intrudes": Text("du texte dans la zone de silence du code 2D",
                            "text inside the quiet zone of the code 2D"),
           "clear_mm": Text("{modules} modules ({mm} mm) libres", "{modules} modules ({mm} mm) clear"),
           "clear": Text("{modules} modules libres autour du code",
                         "{modules} modules clear around the code"),
       })
def qr_quiet_zone(ctx: CheckContext) -> str:
    """No text line intrudes into the quiet zone (profile modules) around the code."""
    margin_modules = ctx.profile.value("qr_quiet_zone_modules")
    for page, code in _codes(ctx):
        if not page.has_text or not code.modules:
            continue
        m = code.module_mm * margin_modules
        x0, y0, x1, y1 = code.box
        for line in page.lines:
            lx0, ly0, lx1, ly1 = line.box
            if lx0 < x1 + m and lx1 > x0 - m and ly0 < y1 + m and ly1 > y0 - m:
                raise Failed(ctx.msg("intrudes"),
                             ctx.msg("clear_mm", modules=margin_modules, mm=f"{m:.1f}"),
                             FOOTER("at", text=repr(line.text), where=_where(page, line.box)))
    return ctx.msg("clear", modules=margin_modules)


@check("legal_right_of_qr", "PAP-04", Severity.MINOR,
       title=Text("Mentions légales à droite du code 2D",
                  "Legal paragraphs right of the code 2D"),
       hint=Text("imprimer les deux paragraphes légaux à droite du code 2D, à sa hauteur",
                 "print both legal paragraphs to the right of the code 2D, level with it"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       messages={
           "no_legal": Text("aucun paragraphe légal trouvé (PAP-02/PAP-03 le signalent)",
                            "no legal paragraph found (PAP-02/PAP-03 report it)"),
           "misplaced": Text("un paragraphe légal n'est pas à droite du code 2D",
                             "a legal paragraph is not to the right of the code 2D"),
           "right_level": Text("à droite du code, à sa hauteur", "right of the code, level with it"),
           "placed": Text("paragraphes légaux à droite du code", "legal paragraphs right of the code"),
       })
def legal_right_of_qr(ctx: CheckContext) -> str:
    """Lines of the legal paragraphs start right of the code, level with it."""
    msg = ctx.msg
    anchors = ctx.profile.value("legal_anchors")
    for page, code in _codes(ctx):
        if not page.has_text:
            raise NotEvaluated(FOOTER("no_text_layer"))
        legal = [ln for ln in page.lines if any(re.search(a, normalise(ln.text).lower()) for a in anchors)]
        if not legal:
            raise NotEvaluated(msg("no_legal"))
        for line in legal:
            cy = (line.box[1] + line.box[3]) / 2
            if line.box[0] < code.box[2] or not code.box[1] - 15 <= cy <= code.box[3] + 15:
                raise Failed(msg("misplaced"), msg("right_level"),
                             FOOTER("at", text=repr(line.text[:50]), where=_where(page, line.box)))
    return msg("placed")


def text_pages(ctx: CheckContext) -> list[PaperPage]:
    """The analysed pages; Skipped when none has a text layer (a scan)."""
    pages = ctx.paper()
    if not any(p.has_text for p in pages):
        raise NotEvaluated(FOOTER("scan"))
    return pages


@check("number_under_qr", "PAP-01", Severity.BLOCKING,
       title=Text("« e-prescription N°<id> » sous le code 2D",
                  "'e-prescription N°<id>' under the code 2D"),
       hint=Text("imprimer « e-prescription » et « N°<id> » juste sous le code 2D",
                 "print 'e-prescription' and 'N°<id>' directly under the code 2D"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       reads_identifiers=Text("le numéro de l'ordonnance sous le code 2D",
                              "the prescription number under the code 2D"),
       messages={
           "no_label": Text("« e-prescription » n'est pas imprimé sous le code 2D",
                            "'e-prescription' not printed under the code 2D"),
           "no_number": Text("aucun numéro imprimé sous le code 2D",
                             "no number printed under the code 2D"),
           "nothing": Text("rien", "nothing"),
           "other_number": Text("le numéro imprimé diffère de l'identifiant",
                                "the printed number differs from the identifier"),
           "printed": Text("N°{id} sous le code", "N°{id} under the code"),
       })
def number_under_qr(ctx: CheckContext) -> str:
    """Under each code: 'e-prescription' and 'N°' followed by the identifier."""
    msg = ctx.msg
    pid = ctx.expected_id()
    for page, code in _codes(ctx):
        if not page.has_text:
            raise NotEvaluated(FOOTER("no_text_layer"))
        x0, _, x1, y1 = code.box
        below = page.text_in((x0 - 10, y1, x1 + 25, y1 + 20))
        # what must be printed ("e-prescription", "N°<id>") is the paper's wording, not ours
        if "e-prescription" not in below.lower():
            raise Failed(msg("no_label"), "e-prescription", below)
        numbers = re.findall(r"N ?°\s*([0-9A-Za-z]+)", below)
        if not numbers:
            raise Failed(msg("no_number"), f"N°{pid}", below or msg("nothing"))
        if numbers[0] != pid:
            raise Failed(msg("other_number"), pid, numbers[0])
    return msg("printed", id=pid)


_PLURAL = re.compile(r"\s?\((?:s|es|nt|ont|x)\)")


def prose(page: PaperPage) -> str:
    """The page's text as wording rules read it: lower case, normalised, lines joined with
    end-of-line hyphenation undone, parenthesised plurals ("informé(s)", "a (ont)") removed."""
    parts: list[str] = []
    for line in page.lines:
        text = normalise(line.text)
        if parts and parts[-1].endswith("-") and text[:1].islower():
            parts[-1] = parts[-1][:-1] + text  # "transmi-" / "ses": one word
        else:
            parts.append(text)
    return " ".join(_PLURAL.sub("", " ".join(parts).lower()).split())


def _mention(ctx: CheckContext, rule: str) -> PaperPage:
    pages, patterns = text_pages(ctx), ctx.profile.value(rule)
    texts = [(page, prose(page)) for page in pages]
    for page, text in texts:
        if all(re.search(p, text) for p in patterns):
            return page
    missing = [p for p in patterns if not any(re.search(p, text) for _, text in texts)]
    raise Failed(FOOTER("mention_missing"), FOOTER("matching", pattern=missing[0]), FOOTER("not_found"))


@check("data_mention", "PAP-02", Severity.BLOCKING,
       title=Text("Mention de transmission des données",
                  "Data-transmission paragraph present"),
       hint=Text("imprimer le paragraphe de transmission des données avec le lien ameli.fr",
                 "print the data-transmission paragraph with the ameli.fr link"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def data_mention(ctx: CheckContext) -> str:
    """The data-transmission paragraph is present (profile patterns)."""
    page = _mention(ctx, "data_mention")
    return FOOTER("present", page=page.number)


def _consent(ctx: CheckContext) -> tuple[PaperPage, bool]:
    for page in text_pages(ctx):
        text = prose(page)
        for wording in ctx.profile.value("consent_mention"):
            match = re.search(wording["pattern"], text)
            if match:
                return page, re.fullmatch(wording["objects_when"], match.group(1)) is not None
    raise Failed(FOOTER("no_consent"), FOOTER("a_wording"), FOOTER("not_found"))


@check("consent_mention", "PAP-03", Severity.BLOCKING,
       title=Text("Mention de consentement présente",
                  "Consent paragraph present"),
       hint=Text("imprimer le paragraphe de consentement dans une formulation acceptée",
                 "print the consent paragraph in one of the accepted wordings"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def consent_mention(ctx: CheckContext) -> str:
    """A consent paragraph in an accepted wording is present."""
    page, _ = _consent(ctx)
    return FOOTER("present", page=page.number)


@check("consent_matches", "CON-02", Severity.BLOCKING,
       title=Text("Mention imprimée conforme au consentement",
                  "Printed consent matches the flag"),
       hint=Text("imprimer la mention qui correspond au consentement",
                 "print the wording that matches the consent flag"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       messages={
           "unknown": Text("consentement inconnu (pas de création avant, ou pas de --consent)",
                           "consent flag unknown (no create step before, or no --consent)"),
           "no_paragraph": Text("aucun paragraphe de consentement (PAP-03 le signale)",
                                "no consent paragraph (PAP-03 reports it)"),
           "contradicts": Text("la mention imprimée contredit le consentement",
                               "the printed consent contradicts the flag"),
           "objects": Text("s'oppose", "objects"),
           "does_not_object": Text("ne s'oppose pas", "does not object"),
           "matches": Text("la mention imprimée correspond au consentement",
                           "printed consent matches the flag"),
       })
def consent_matches(ctx: CheckContext) -> str:
    """The printed consent says what the flag says."""
    msg = ctx.msg
    if ctx.state.created is None:
        raise NotEvaluated(msg("unknown"))
    wanted = bool(ctx.state.created.get("consentement", {}).get("opposition"))
    try:
        _, printed = _consent(ctx)
    except Failed as exc:
        raise NotEvaluated(msg("no_paragraph")) from exc
    if printed != wanted:
        word = {True: msg("objects"), False: msg("does_not_object")}
        raise Failed(msg("contradicts"), word[wanted], word[printed])
    return msg("matches")


@check("page_numbers", "PAP-11", Severity.MINOR,
       title=Text("« Page x/y » sur chaque page",
                  "'Page x/y' on every page"),
       hint=Text("imprimer « Page x/y » sur chaque page",
                 "print 'Page x/y' on every page"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       degraded=True,
       messages={
           "unnumbered": Text("la page {page} n'a pas de numéro de page",
                              "page {page} has no page number"),
           "several": Text("une prescription d'une ligne occupe plusieurs pages",
                           "a one-line prescription takes several pages"),
           "one_page": Text("1 page", "1 page"),
           "numbered": Text("{count} page(s) numérotée(s)", "{count} page(s) numbered"),
       })
def page_numbers(ctx: CheckContext) -> str:
    """Each page says 'Page n/total'."""
    msg = ctx.msg
    pages = text_pages(ctx)
    for page in pages:
        if f"page {page.number}/{len(pages)}" not in page.text.lower().replace(" / ", "/"):
            # "Page n/total" is what the paper must print, in its own words
            raise Failed(msg("unnumbered", page=page.number),
                         f"Page {page.number}/{len(pages)}", FOOTER("not_found"))
    one_line = ctx.state.created is not None and len(ctx.state.created.get("lignes", [])) == 1
    if len(pages) > 1 and one_line:
        raise Warned(msg("several"), msg("one_page"), len(pages))
    return msg("numbered", count=len(pages))


@check("qr_degraded", "QR-06", Severity.MINOR,
       title=Text("Code 2D lisible sur un scan dégradé",
                  "Code 2D readable from a degraded scan"),
       hint=Text("imprimer le code plus grand (modules plus gros), en noir plein, avec sa zone de "
                     "silence",
                 "print the code larger (bigger modules), in solid black, with its quiet zone"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       messages={
           "cannot": Text("ce papier ne peut pas être dégradé : {why}",
                          "cannot degrade this paper: {why}"),
           "unreliable": Text("le code 2D ne se décode plus de façon fiable sur un scan dégradé",
                              "the code 2D no longer decodes reliably from a degraded scan"),
           "needed": Text("décodé sur au moins {needed} des {frames} images",
                          "decoded in at least {needed} of {frames} frames"),
           "tried": Text("{read} des {tried} images essayées ({how})",
                         "{read} of the {tried} frames tried ({how})"),
           "decoded": Text("décodé sur {read} des {tried} images dégradées essayées, {needed} sur "
                           "{frames} requises ({how})",
                           "decoded in {read} of the {tried} frames tried, {needed} of {frames} "
                           "needed ({how})"),
       })
def qr_degraded(ctx: CheckContext) -> str:
    """The code still decodes, same payload, from a 150 dpi scan slightly rotated and blurred."""
    from conformance.paper.degrade import Degradation

    how = Degradation()
    page, code = _codes(ctx)[0]
    _scale_known(ctx)
    if ctx.reader is None:
        raise NotEvaluated(STEP("paper_unavailable"))
    try:
        texts = ctx.reader.degraded(ctx.exchange.body, page.number, code.box, code.text)
    except PaperError as exc:
        raise NotEvaluated(ctx.msg("cannot", why=exc.message)) from exc
    frames, needed = len(how.rotations), (len(how.rotations) + 1) // 2
    read = sum(1 for t in texts if t == code.text)
    # a scanner retries: half the frames must decode (the reader stops once that is settled)
    if read < needed:
        raise Failed(ctx.msg("unreliable"), ctx.msg("needed", needed=needed, frames=frames),
                     ctx.msg("tried", read=read, tried=len(texts), how=how.describe()))
    return ctx.msg("decoded", read=read, tried=len(texts), needed=needed, frames=frames,
                   how=how.describe())
