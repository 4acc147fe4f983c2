"""The footer of the ordonnance: code 2D (QR-01…QR-06), its number (PAP-01), the legal paragraphs
(PAP-02…PAP-04, CON-02), page numbers (PAP-11)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema

from conformance.checks.context import CheckContext
from conformance.checks.registry import Failed, NotEvaluated, Skipped, Warned, check
from conformance.paper import PaperError, PaperPage, QrCode, normalise
from conformance.targets import untrusted

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


@check("qr_present", "QR-01", "blocking", "Exactement un code 2D décodable", PAPER,
       "print one QR code (ISO 18004) per page, with its quiet zone, in solid black")
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


@check("qr_payload", "QR-02", "blocking", "Contenu du code 2D : JSON du schéma v2", PAPER,
       "encode compact JSON {S:{V:2},D:{ID,P:{N,P,D},M:{RPPS,…}}} in UTF-8")
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


@check("qr_values", "QR-03", "blocking", "Valeurs du code 2D = la prescription", PAPER,
       "fill the payload from the prescription itself (id, patient, birth date, RPPS, AM)")
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


def _scale_known(ctx: CheckContext) -> None:
    """A size is measured at the scan's real resolution, never at a guessed one."""
    if any(not page.scale_known for page, _ in _codes(ctx)):
        raise NotEvaluated("the scan's file states no resolution (DPI): its sizes in mm would be "
                           "a guess (give the resolution it was scanned at: inspect paper --dpi N)")


@check("qr_position", "QR-04", "major", "Code 2D en bas à gauche", PAPER,
       "place the code in the bottom-left corner of the page")
def qr_position(ctx: CheckContext) -> str:
    """The code's centre lies in the profile's bottom-left zone."""
    zone = ctx.profile.value("qr_zone")
    for page, code in _codes(ctx):
        cx, cy = (code.box[0] + code.box[2]) / 2, (code.box[1] + code.box[3]) / 2
        if cx > page.width_mm * zone["max_x_fraction"] or cy < page.height_mm * zone["min_y_fraction"]:
            raise Failed("the code 2D is not in the bottom-left area", "bottom-left",
                         _where(page, code.box))
    return "code 2D bottom-left"


@check("qr_size", "QR-05", "major", "Taille imprimée et taille de module suffisantes", PAPER,
       "print the code larger (the Cnam enlarged it during the préséries)")
def qr_size(ctx: CheckContext) -> str:
    """Printed size and module size at least the profile's minimum."""
    min_size, min_module = ctx.profile.value("qr_min_size_mm"), ctx.profile.value("qr_min_module_mm")
    _scale_known(ctx)
    for page, code in _codes(ctx):
        if code.size_mm < min_size:  # a scan too: its resolution is known (_scale_known)
            raise Failed(f"code 2D {code.size_mm:.1f} mm wide", f"≥ {min_size} mm",
                         f"{code.size_mm:.1f} mm ({_where(page, code.box)})")
        if code.modules and code.module_mm < min_module:
            raise Failed(f"modules of {code.module_mm:.2f} mm", f"≥ {min_module} mm",
                         f"{code.module_mm:.2f} mm")
    _, first = _codes(ctx)[0]
    return f"{first.size_mm:.1f} mm, module {first.module_mm:.2f} mm"


@check("qr_quiet_zone", "QR-05", "major", "Zone de silence du code 2D libre de texte", PAPER,
       "keep 4 modules of blank margin around the code: move the text away")
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


@check("legal_right_of_qr", "PAP-04", "minor", "Mentions légales à droite du code 2D", PAPER,
       "print both legal paragraphs to the right of the code 2D, level with it")
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


@check("number_under_qr", "PAP-01", "blocking", "« e-prescription N°<id> » sous le code 2D", PAPER,
       "print 'e-prescription' and 'N°<id>' directly under the code 2D")
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


@check("data_mention", "PAP-02", "blocking", "Mention de transmission des données", PAPER,
       "print the data-transmission paragraph with the ameli.fr link")
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


@check("consent_mention", "PAP-03", "blocking", "Mention de consentement présente", PAPER,
       "print the consent paragraph in one of the accepted wordings")
def consent_mention(ctx: CheckContext) -> str:
    """A consent paragraph in an accepted wording is present."""
    page, _ = _consent(ctx)
    return f"present on page {page.number}"


@check("consent_matches", "CON-02", "blocking", "Mention imprimée conforme au consentement", PAPER,
       "print the wording that matches the consent flag")
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


@check("page_numbers", "PAP-11", "minor", "« Page x/y » sur chaque page", PAPER,
       "print 'Page x/y' on every page")
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


@check("qr_degraded", "QR-06", "minor", "Code 2D lisible sur un scan dégradé", PAPER,
       "print the code larger (bigger modules), in solid black, with its quiet zone")
def qr_degraded(ctx: CheckContext) -> str:
    """The code still decodes, same payload, from a 150 dpi scan slightly rotated and blurred."""
    from conformance.paper.degrade import Degradation

    how = Degradation()
    page, code = _codes(ctx)[0]
    _scale_known(ctx)
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
