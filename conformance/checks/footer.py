"""The footer of the ordonnance: code 2D (QR-01…QR-06), its number (PAP-01), the legal paragraphs
(PAP-02…PAP-04, CON-02), page numbers (PAP-11)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema

from conformance.checks.context import CheckContext
from conformance.checks.registry import Failed, NotEvaluated, Skipped, Warned, check
from conformance.messages import Text
from conformance.paper import PaperError, PaperPage, QrCode, normalise
from conformance.targets import untrusted
from conformance.vocabulary import Severity, StepKind

PAPER = ("paper",)


def _codes(ctx: CheckContext) -> list[tuple[PaperPage, QrCode]]:
    found = [(p, c) for p in ctx.paper() for c in p.codes]
    if not found:
        raise NotEvaluated("no code 2D decoded (QR-01 reports it)")
    return found


def _payload(ctx: CheckContext) -> dict[str, Any]:
    _, code = _codes(ctx)[0]
    if not code.utf8:  # what the decoder guessed the bytes were is not the payload: one cause
        raise NotEvaluated("payload is not UTF-8 (QR-02 reports it)")
    try:
        data = untrusted.loads(code.text)
    except ValueError as exc:
        raise NotEvaluated("payload is not JSON (QR-02 reports it)") from exc
    if not isinstance(data, dict):
        raise NotEvaluated("payload is not a JSON object (QR-02 reports it)")
    return data


def _where(page: PaperPage, box: tuple[float, ...]) -> str:
    return f"page {page.number}, x {box[0]:.0f}–{box[2]:.0f} mm, y {box[1]:.0f}–{box[3]:.0f} mm"


@check("qr_present", "QR-01", Severity.BLOCKING,
       title=Text("Exactement un code 2D décodable",
                  "Exactly one decodable code 2D"),
       hint=Text("imprimer un code QR (ISO 18004) par page, avec sa zone de silence, en noir plein",
                 "print one QR code (ISO 18004) per page, with its quiet zone, in solid black"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def qr_present(ctx: CheckContext) -> str:
    """At least one page has a code; no page has two; all codes carry the same payload."""
    pages = ctx.paper()
    per_page = {p.number: len(p.codes) for p in pages}
    if not any(per_page.values()):
        raise Failed("no decodable code 2D on the paper", "one code 2D", "none decoded")
    crowded = [n for n, count in per_page.items() if count > 1]
    if crowded:
        raise Failed("more than one code 2D on a page", "one per page", {n: per_page[n] for n in crowded})
    payloads = {c.text for p in pages for c in p.codes}
    if len(payloads) > 1:
        raise Failed("pages carry different codes 2D", "one payload", len(payloads))
    return f"one code 2D on {sum(1 for v in per_page.values() if v)} of {len(pages)} page(s)"


@check("qr_payload", "QR-02", Severity.BLOCKING,
       title=Text("Contenu du code 2D : JSON du schéma v2",
                  "Code 2D content: JSON of schema v2"),
       hint=Text("encoder en UTF-8 un JSON compact {S:{V:2},D:{ID,P:{N,P,D},M:{RPPS,…}}}",
                 "encode compact JSON {S:{V:2},D:{ID,P:{N,P,D},M:{RPPS,…}}} in UTF-8"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def qr_payload(ctx: CheckContext) -> str:
    """The payload is JSON valid against the profile's schema."""
    _, code = _codes(ctx)[0]
    if not code.utf8:
        raise Failed("the code 2D payload is not UTF-8: scanners guess another charset "
                     "(Latin-1 'À' reads as Shift_JIS 'ﾀ')", "UTF-8 JSON (RFC 8259)",
                     code.text[:80])
    try:
        data = untrusted.loads(code.text)
    except ValueError as exc:
        raise Failed("the code 2D does not hold JSON", "JSON v2", code.text[:80]) from exc
    schema = ctx.profile.value("qr_payload_schema")
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=str)
    if errors:
        path = "/".join(str(p) for p in errors[0].absolute_path) or "(root)"
        raise Failed(f"payload breaks the v2 schema at {path}: {errors[0].message}",
                     f"schema v{ctx.profile.value('qr_payload_version')}", code.text[:120],
                     tuple(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors))
    return "payload valid against schema v2"


def _expected_payload(ctx: CheckContext) -> dict[str, str]:
    rx = ctx.state.created
    if rx is None:
        raise Skipped("no create step before this one: nothing to compare the payload with")
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
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,))
def qr_values(ctx: CheckContext) -> str:
    """Payload values equal the prescription's, names compared after trimming."""
    data = _payload(ctx)
    d = data.get("D", {}) if isinstance(data.get("D"), dict) else {}
    p = d.get("P", {}) if isinstance(d.get("P"), dict) else {}
    m = d.get("M", {}) if isinstance(d.get("M"), dict) else {}
    observed = {"ID": d.get("ID"), "N": p.get("N"), "P": p.get("P"), "D": p.get("D"),
                "RPPS": m.get("RPPS"), "RPPS2": m.get("RPPS2"), "AM": m.get("AM")}
    expected = _expected_payload(ctx)
    diffs = []
    for key, want in expected.items():
        got = observed.get(key)
        if key in ("N", "P"):  # names are padded in real payloads: compare trimmed
            same = isinstance(got, str) and normalise(got) == normalise(want)
        else:
            same = got == want
        if not same:
            diffs.append(f"{key}: expected {want!r}, observed {got!r}")
    if observed.get("RPPS2") and "RPPS2" not in expected:
        diffs.append(f"RPPS2: not a replacement, observed {observed['RPPS2']!r}")
    if diffs:
        raise Failed(f"{len(diffs)} payload value(s) differ", expected, diffs[0], tuple(diffs))
    padded = [k for k in ("N", "P")
              if isinstance(observed[k], str) and observed[k] != str(observed[k]).strip()]
    note = f" (names padded with spaces: {', '.join(padded)}; information only)" if padded else ""
    return "payload values equal the prescription" + note


@check("qr_position", "QR-04", Severity.MAJOR,
       title=Text("Code 2D en bas à gauche",
                  "Code 2D bottom-left"),
       hint=Text("placer le code en bas à gauche de la page",
                 "place the code in the bottom-left corner of the page"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def qr_position(ctx: CheckContext) -> str:
    """The code's centre lies in the profile's bottom-left zone."""
    zone = ctx.profile.value("qr_zone")
    for page, code in _codes(ctx):
        cx, cy = (code.box[0] + code.box[2]) / 2, (code.box[1] + code.box[3]) / 2
        if cx > page.width_mm * zone["max_x_fraction"] or cy < page.height_mm * zone["min_y_fraction"]:
            raise Failed("the code 2D is not in the bottom-left area", "bottom-left",
                         _where(page, code.box))
    return "code 2D bottom-left"


@check("qr_size", "QR-05", Severity.MAJOR,
       title=Text("Taille imprimée et taille de module suffisantes",
                  "Printed size and module size sufficient"),
       hint=Text("imprimer le code plus grand (la Cnam l'a agrandi pendant les préséries)",
                 "print the code larger (the Cnam enlarged it during the préséries)"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def qr_size(ctx: CheckContext) -> str:
    """Printed size and module size at least the profile's minimum."""
    min_size, min_module = ctx.profile.value("qr_min_size_mm"), ctx.profile.value("qr_min_module_mm")
    for page, code in _codes(ctx):
        if page.has_text and code.size_mm < min_size:
            raise Failed(f"code 2D {code.size_mm:.1f} mm wide", f"≥ {min_size} mm",
                         f"{code.size_mm:.1f} mm ({_where(page, code.box)})")
        if page.has_text and code.modules and code.module_mm < min_module:
            raise Failed(f"modules of {code.module_mm:.2f} mm", f"≥ {min_module} mm",
                         f"{code.module_mm:.2f} mm")
    _, first = _codes(ctx)[0]
    return f"{first.size_mm:.1f} mm, module {first.module_mm:.2f} mm"


@check("qr_quiet_zone", "QR-05", Severity.MAJOR,
       title=Text("Zone de silence du code 2D libre de texte",
                  "Code 2D quiet zone free of text"),
       hint=Text("laisser 4 modules de marge blanche autour du code : éloigner le texte",
                 "keep 4 modules of blank margin around the code: move the text away"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
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
                raise Failed("text inside the quiet zone of the code 2D",
                             f"{margin_modules} modules ({m:.1f} mm) clear", f"{line.text!r} at "
                             + _where(page, line.box))
    return f"{margin_modules} modules clear around the code"


@check("legal_right_of_qr", "PAP-04", Severity.MINOR,
       title=Text("Mentions légales à droite du code 2D",
                  "Legal paragraphs right of the code 2D"),
       hint=Text("imprimer les deux paragraphes légaux à droite du code 2D, à sa hauteur",
                 "print both legal paragraphs to the right of the code 2D, level with it"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def legal_right_of_qr(ctx: CheckContext) -> str:
    """Lines of the legal paragraphs start right of the code, level with it."""
    anchors = ctx.profile.value("legal_anchors")
    for page, code in _codes(ctx):
        if not page.has_text:
            raise NotEvaluated("no text layer (a scan)")
        legal = [ln for ln in page.lines if any(re.search(a, normalise(ln.text).lower()) for a in anchors)]
        if not legal:
            raise NotEvaluated("no legal paragraph found (PAP-02/PAP-03 report it)")
        for line in legal:
            cy = (line.box[1] + line.box[3]) / 2
            if line.box[0] < code.box[2] or not code.box[1] - 15 <= cy <= code.box[3] + 15:
                raise Failed("a legal paragraph is not to the right of the code 2D",
                             "right of the code, level with it", f"{line.text[:50]!r} at "
                             + _where(page, line.box))
    return "legal paragraphs right of the code"


def text_pages(ctx: CheckContext) -> list[PaperPage]:
    """The analysed pages; Skipped when none has a text layer (a scan)."""
    pages = ctx.paper()
    if not any(p.has_text for p in pages):
        raise NotEvaluated("no text layer (a scan): text checks need a PDF with text")
    return pages


@check("number_under_qr", "PAP-01", Severity.BLOCKING,
       title=Text("« e-prescription N°<id> » sous le code 2D",
                  "'e-prescription N°<id>' under the code 2D"),
       hint=Text("imprimer « e-prescription » et « N°<id> » juste sous le code 2D",
                 "print 'e-prescription' and 'N°<id>' directly under the code 2D"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def number_under_qr(ctx: CheckContext) -> str:
    """Under each code: 'e-prescription' and 'N°' followed by the identifier."""
    pid = ctx.expected_id()
    for page, code in _codes(ctx):
        if not page.has_text:
            raise NotEvaluated("no text layer (a scan)")
        x0, _, x1, y1 = code.box
        below = page.text_in((x0 - 10, y1, x1 + 25, y1 + 20))
        if "e-prescription" not in below.lower():
            raise Failed("'e-prescription' not printed under the code 2D", "e-prescription", below)
        numbers = re.findall(r"N ?°\s*([0-9A-Za-z]+)", below)
        if not numbers:
            raise Failed("no number printed under the code 2D", f"N°{pid}", below or "nothing")
        if numbers[0] != pid:
            raise Failed("the printed number differs from the identifier", pid, numbers[0])
    return f"N°{pid} under the code"


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
    raise Failed("mention missing or incomplete", f"text matching {missing[0]}", "not found")


@check("data_mention", "PAP-02", Severity.BLOCKING,
       title=Text("Mention de transmission des données",
                  "Data-transmission paragraph present"),
       hint=Text("imprimer le paragraphe de transmission des données avec le lien ameli.fr",
                 "print the data-transmission paragraph with the ameli.fr link"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def data_mention(ctx: CheckContext) -> str:
    """The data-transmission paragraph is present (profile patterns)."""
    page = _mention(ctx, "data_mention")
    return f"present on page {page.number}"


def _consent(ctx: CheckContext) -> tuple[PaperPage, bool]:
    for page in text_pages(ctx):
        text = prose(page)
        for wording in ctx.profile.value("consent_mention"):
            match = re.search(wording["pattern"], text)
            if match:
                return page, re.fullmatch(wording["objects_when"], match.group(1)) is not None
    raise Failed("no consent paragraph in an accepted wording", "one of the profile wordings",
                 "not found")


@check("consent_mention", "PAP-03", Severity.BLOCKING,
       title=Text("Mention de consentement présente",
                  "Consent paragraph present"),
       hint=Text("imprimer le paragraphe de consentement dans une formulation acceptée",
                 "print the consent paragraph in one of the accepted wordings"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def consent_mention(ctx: CheckContext) -> str:
    """A consent paragraph in an accepted wording is present."""
    page, _ = _consent(ctx)
    return f"present on page {page.number}"


@check("consent_matches", "CON-02", Severity.BLOCKING,
       title=Text("Mention imprimée conforme au consentement",
                  "Printed consent matches the flag"),
       hint=Text("imprimer la mention qui correspond au consentement",
                 "print the wording that matches the consent flag"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def consent_matches(ctx: CheckContext) -> str:
    """The printed consent says what the flag says."""
    if ctx.state.created is None:
        raise NotEvaluated("consent flag unknown (no create step before, or no --consent)")
    wanted = bool(ctx.state.created.get("consentement", {}).get("opposition"))
    try:
        _, printed = _consent(ctx)
    except Failed as exc:
        raise NotEvaluated("no consent paragraph (PAP-03 reports it)") from exc
    if printed != wanted:
        word = {True: "objects", False: "does not object"}
        raise Failed("the printed consent contradicts the flag", word[wanted], word[printed])
    return "printed consent matches the flag"


@check("page_numbers", "PAP-11", Severity.MINOR,
       title=Text("« Page x/y » sur chaque page",
                  "'Page x/y' on every page"),
       hint=Text("imprimer « Page x/y » sur chaque page",
                 "print 'Page x/y' on every page"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def page_numbers(ctx: CheckContext) -> str:
    """Each page says 'Page n/total'."""
    pages = text_pages(ctx)
    for page in pages:
        if f"page {page.number}/{len(pages)}" not in page.text.lower().replace(" / ", "/"):
            raise Failed(f"page {page.number} has no page number",
                         f"Page {page.number}/{len(pages)}", "not found")
    one_line = ctx.state.created is not None and len(ctx.state.created.get("lignes", [])) == 1
    if len(pages) > 1 and one_line:
        raise Warned("a one-line prescription takes several pages", "1 page", len(pages))
    return f"{len(pages)} page(s) numbered"


@check("qr_degraded", "QR-06", Severity.MINOR,
       title=Text("Code 2D lisible sur un scan dégradé",
                  "Code 2D readable from a degraded scan"),
       hint=Text("imprimer le code plus grand (modules plus gros), en noir plein, avec sa zone de "
                     "silence",
                 "print the code larger (bigger modules), in solid black, with its quiet zone"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def qr_degraded(ctx: CheckContext) -> str:
    """The code still decodes, same payload, from a 150 dpi scan slightly rotated and blurred."""
    from conformance.paper.degrade import Degradation

    how = Degradation()
    page, code = _codes(ctx)[0]
    if ctx.reader is None:
        raise NotEvaluated("paper analysis unavailable")
    try:
        texts = ctx.reader.degraded(ctx.exchange.body, page.number, code.box, code.text)
    except PaperError as exc:
        raise NotEvaluated(f"cannot degrade this paper: {exc}") from exc
    frames, needed = len(how.rotations), (len(how.rotations) + 1) // 2
    read = sum(1 for t in texts if t == code.text)
    # a scanner retries: half the frames must decode (the reader stops once that is settled)
    if read < needed:
        raise Failed("the code 2D no longer decodes reliably from a degraded scan",
                     f"decoded in at least {needed} of {frames} frames",
                     f"{read} of the {len(texts)} frames tried ({how.describe()})")
    return f"decoded in {read} of the {len(texts)} frames tried, {needed} of {frames} needed " \
           f"({how.describe()})"
