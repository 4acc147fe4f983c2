"""Reading a dropped file, attributing it by content (never by guess), and judging a produce step:
every paper check that needs no teleservice, plus the content against the step's card."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from conformance.campaign.cards import Card
from conformance.campaign.plan import Step
from conformance.campaign.texts import JUDGE, both
from conformance.checks import REGISTRY, CheckSpec, defaults
from conformance.checks.mentions import date_forms
from conformance.checks.registry import found_no_text
from conformance.engine.results import CheckResult
from conformance.messages import Message
from conformance.paper import PaperError, PaperPage, PaperReader, normalise
from conformance.paper.ocr import LANGUAGE, PACKAGES, UNSURE, OcrText, unavailable
from conformance.profiles import Profile
from conformance.targets import untrusted
from conformance.vocabulary import Operation, Severity, SkipKind, Status, StepKind

MAX_TEXT = 300
NEAR = 0.7  # how alike an unsure word and a word a failed check looked for must be


def paper_checks(degrade: bool = False) -> tuple[str, ...]:
    """The paper checks a produce step runs, in declaration order, read from their declarations
    (a check declared later joins the campaign by itself): every default check of a paper step,
    or in degraded mode (a classic ordonnance) those declared ``degraded``; but for the checks
    the campaign judges its own way or not at all (``campaign=False``: PAP-08 by product and
    quantity in ``lines_check``, ROB-03) and the contract gate (no adapter answers here)."""
    chosen = (name for name, spec in REGISTRY.items() if spec.degraded) if degrade \
        else defaults(StepKind.PAPER)
    return tuple(name for name in chosen if REGISTRY[name].campaign and not REGISTRY[name].gate)


def _spec(result: CheckResult) -> CheckSpec | None:
    """The declaration of the check that gave ``result`` (None for the campaign's own)."""
    return REGISTRY.get(result.check)


def kind_of(data: bytes) -> str | None:
    """pdf, image or cda from the first bytes; None for anything else."""
    head = data[:16]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff")):
        return "image"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "cda"
    return None


EXTENSIONS = {"pdf": "pdf", "cda": "xml"}


def extension(data: bytes) -> str:
    """The artefact's file extension, from its content."""
    kind = kind_of(data)
    if kind == "image":
        return "png" if data.startswith(b"\x89PNG") else "jpg"
    return EXTENSIONS.get(kind or "", "bin")


@dataclass(frozen=True)
class Reading:
    """What a file says: its pages (or why it cannot be read), its code 2D's patient, its text."""

    kind: str | None
    pages: tuple[PaperPage, ...] = ()
    error: str | None = None  # a Message when the paper says why
    payload: dict[str, Any] | None = None
    ocr: OcrText | None = None  # an image's text, read by Tesseract: its pages' lines are OCR's
    no_ocr: str | None = None  # why an image's text was not read (OCR missing, failed): a Message

    def summary(self) -> dict[str, Any]:
        """What was read, for the journal and the unattributed list."""
        out: dict[str, Any] = {"kind": self.kind, "pages": len(self.pages)}
        if self.error:
            out["error"] = both(self.error)
        if self.payload is not None:
            d = _mapping(self.payload.get("D"))
            p = _mapping(d.get("P"))
            out["code2D"] = {"ID": d.get("ID"), "N": p.get("N"), "P": p.get("P"), "D": p.get("D")}
        text = " ".join(page.text for page in self.pages)
        out["text"] = text[:MAX_TEXT] if text else ("" if self.pages else None)
        if self.ocr is not None:
            out["ocr"] = {"engine": self.ocr.engine, "words": self.ocr.words, "seconds": self.ocr.seconds,
                          "unsure": self.ocr.shown()[:20]}
        elif self.pages and not any(p.has_text for p in self.pages):
            out["text"] = None
            out["note"] = both(JUDGE("image_text", why=self.no_ocr or JUDGE("ocr_none")))
        return out


def read(reader: PaperReader, data: bytes) -> Reading:
    """Analyse ``data`` in the sandbox; a PDF or image that cannot be read is said, not raised."""
    kind = kind_of(data)
    if kind not in ("pdf", "image"):
        return Reading(kind, error=JUDGE("not_paper") if kind != "cda" else None)
    try:
        pages = tuple(reader.analyse(data))
    except PaperError as exc:
        return Reading(kind, error=exc.message)
    ocr, no_ocr = None, None
    if kind == "image":
        ocr, no_ocr = _ocr(reader, data)
        if ocr is not None:
            pages = tuple(dataclasses.replace(p, lines=ocr.lines, has_text=bool(ocr.lines)) for p in pages)
    payload = next(payloads(pages), None)
    return Reading(kind, pages, payload=payload, ocr=ocr, no_ocr=no_ocr)


def payloads(pages: Iterable[PaperPage]) -> Iterator[dict[str, Any]]:
    """Every code 2D's payload that reads as a JSON object, page after page (the target's text:
    read under the untrusted limits)."""
    for page in pages:
        for code in page.codes:
            try:
                candidate = untrusted.loads(code.text)
            except ValueError:
                continue
            if isinstance(candidate, dict):
                yield candidate


def _ocr(reader: PaperReader, data: bytes) -> tuple[OcrText | None, str | None]:
    """An image's text by OCR, or why there is none (not installed, or Tesseract failed: its
    kind classifies it, the picture stays judged on its code 2D)."""
    missing = unavailable()
    if missing is not None:
        return None, missing
    try:
        return reader.ocr(data), None
    except PaperError as exc:
        return None, JUDGE("ocr_failed", kind=exc.kind, why=exc.message)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _fold(text: str) -> str:
    """Lower case, no accents, one space: how names are compared across renderers."""
    decomposed = unicodedata.normalize("NFKD", normalise(text).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def attribute(reading: Reading, cards: dict[str, Card]) -> str | None:
    """The step whose patient the code 2D names (surname and birth date), or failing a code, the
    one whose surname and birth date the text names; None when none or several do."""
    if reading.payload is not None:
        d = _mapping(reading.payload.get("D"))
        p = _mapping(d.get("P"))
        name, born = _fold(str(p.get("N", ""))).strip(), str(p.get("D", ""))
        hits = [c.step for c in cards.values()
                if _fold(c.patient["nomFamille"]) == name and c.patient["dateNaissance"] == born]
        return hits[0] if len(hits) == 1 else None
    text = _fold(" ".join(page.text for page in reading.pages))
    if not text:
        return None
    hits = [c.step for c in cards.values() if _fold(c.patient["nomFamille"]) in text
            and any(form in text for form in date_forms(c.patient["dateNaissance"]))]
    return hits[0] if len(hits) == 1 else None


def created_days(received_at: str, started_at: str) -> set[str]:
    """The days the ordonnance may be dated: the week before it was received, not before the start."""
    day = dt.date.fromisoformat(received_at[:10])
    first = max(dt.date.fromisoformat(started_at[:10]), day - dt.timedelta(days=7))
    out = set()
    while day >= first:
        out.add(day.isoformat())
        day -= dt.timedelta(days=1)
    return out


def judge(step: Step, card: Card, data: bytes, reading: Reading, reader: PaperReader,
          profile: Profile, days: set[str], name: str) -> list[CheckResult]:
    """Every check of a produce step on its file, the card standing for the creation."""
    from conformance.checks import ScenarioState, StepData
    from conformance.engine.checking import CheckEnvironment, Everywhere, run_checks
    from conformance.targets import Exchange

    env = CheckEnvironment(profile, reader=reader)
    pid = None
    if reading.payload is not None:
        d = reading.payload.get("D")
        pid = str(d.get("ID")) if isinstance(d, dict) and d.get("ID") else None
    state = ScenarioState(created=card.expected, created_id=pid, created_days=days)
    exchange = Exchange("GET", name, None, 200, {}, data, 0.0)
    pages = list(reading.pages) if reading.error is None else None
    data_ = StepData(StepKind.PAPER, {}, [exchange], paper_pages=pages, paper_error=reading.error)
    names = paper_checks(step.degrade)
    results = list(run_checks(tuple(Everywhere(n, step.location) for n in names), data_, state, env))
    results.append(lines_check(step, card, reading))
    if reading.kind == "image":
        results = [_measured(r) for r in results]
    if reading.ocr is not None:
        return [_read_by_ocr(r, reading.ocr) for r in results] + [ocr_notice(step, reading.ocr)]
    if reading.no_ocr is not None:
        return [_without_ocr(r, reading.no_ocr) for r in results]
    return results


def _measured(result: CheckResult) -> CheckResult:
    """A check measuring the page to the millimetre (``measures_page``), on an image: not
    evaluated, saying why (a photo's page is not the picture's, its perspective skews the
    code's box, and OCR's word boxes are not glyphs)."""
    spec = _spec(result)
    why = spec.measures_message if spec is not None else None
    if why is None or result.skip is SkipKind.NOT_APPLICABLE:
        return result
    return _not_evaluated(result, JUDGE("measured", why=why), JUDGE("measured_hint"))


def _not_evaluated(result: CheckResult, message: Message, hint: Message | None = None) -> CheckResult:
    return dataclasses.replace(result, status=Status.SKIP, skip=SkipKind.NOT_EVALUATED, message=message,
                               expected=None, observed=None, hint=hint or result.hint)


def _without_ocr(result: CheckResult, why: str) -> CheckResult:
    """A text check on an image with no OCR: not evaluated, saying why (and what to install)."""
    if not found_no_text(result.message):  # the check declares the messages that say so
        return result
    return _not_evaluated(result, JUDGE("no_text", why=why), JUDGE("no_text_hint", packages=PACKAGES))


def _read_by_ocr(result: CheckResult, ocr: OcrText) -> CheckResult:
    """A check judged on OCR'd text: identifiers and page edges not evaluated; a failure on
    words Tesseract was unsure of is not evaluated either (saying which), never a false fail."""
    if result.status is Status.SKIP:
        return result
    spec = _spec(result)
    # identifiers come from the code 2D or a PDF's text layer, never from OCR (DESIGN §15)
    what = spec.identifiers_message if spec is not None else None
    if what is not None:
        return _not_evaluated(result, JUDGE("identifiers", what=what), JUDGE("identifiers_hint"))
    if result.status not in (Status.FAIL, Status.WARN):
        return result
    unsure = unsure_needed(result, ocr)
    if unsure:
        return _not_evaluated(result, JUDGE("unsure", words=", ".join(unsure[:5]), message=result.message),
                              JUDGE("unsure_hint"))
    return dataclasses.replace(result, diff=(*result.diff, JUDGE("ocr_checked")))


def unsure_needed(result: CheckResult, ocr: OcrText) -> list[str]:
    """The unsure words (shown with their confidence) alike a word the failed check looked for."""
    import difflib

    looked = " ".join(str(v) for v in (result.expected, result.message, *result.diff) if v is not None)
    wanted = set(re.findall(r"\w{3,}", _fold(looked)))
    out = []
    for word in ocr.unsure:
        folded = re.sub(r"\W", "", _fold(word.text))
        if len(folded) < 3:
            continue
        if any(difflib.SequenceMatcher(None, folded, w).ratio() >= NEAR for w in wanted):
            out.append(f"{word.text!r} ({word.confidence:.0f} %)")
    return out


def ocr_notice(step: Step, ocr: OcrText) -> CheckResult:
    """What OCR read, shown with the step's results: its words and the ones it was unsure of
    (not a check: it passes nothing, and it qualifies the text checks above it)."""
    unsure = ocr.shown()
    text = JUDGE("ocr_read", language=LANGUAGE, seconds=f"{ocr.seconds:.1f}", words=ocr.words,
                 unsure=len(unsure), threshold=f"{UNSURE:g}",
                 listed=f": {', '.join(unsure[:12])}" if unsure else "")
    return CheckResult(check="ocr_read", requirement="OCR", title=JUDGE("ocr_title"),
                       severity=Severity.MINOR, operation=Operation.IMPRESSION, status=Status.SKIP,
                       message=text, diff=tuple(unsure), location=step.location,
                       skip=SkipKind.NOT_APPLICABLE, notice=True,
                       hint=JUDGE("ocr_hint"))


def _result(status: Status, message: Message, location: str, skip: SkipKind | None = None,
            diff: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult(check="campaign_lines", requirement="PAP-08", title=JUDGE("lines_title"),
                       severity=Severity.MAJOR, operation=Operation.IMPRESSION, status=status,
                       message=message, diff=diff, location=location, skip=skip,
                       hint=JUDGE("lines_hint"))


def lines_check(step: Step, card: Card, reading: Reading) -> CheckResult:
    """Each expected line's product (its key words) and quantity or duration are printed; the
    posology is free text: shown, not compared word for word."""
    if reading.error is not None:
        return _result(Status.SKIP, JUDGE("unreadable", why=reading.error), step.location,
                       SkipKind.NOT_EVALUATED)
    if not any(p.has_text for p in reading.pages):
        why = reading.no_ocr or JUDGE("ocr_none")
        return _result(Status.SKIP, JUDGE("no_text", why=why), step.location, SkipKind.NOT_EVALUATED)
    text = _fold(" ".join(p.text for p in reading.pages))
    missing: list[str] = []
    posology: list[str] = []
    for n, (line, words) in enumerate(zip(card.expected["lignes"], step.keywords, strict=True), start=1):
        for word in words:
            if _fold(word) not in text:
                missing.append(JUDGE("product_missing", n=n, word=repr(word)))
        amount = line.get("quantite") or line.get("duree")
        if amount and not re.search(rf"(?<!\d){re.escape(_fold(str(amount)))}", text):
            missing.append(JUDGE("amount_missing", n=n, amount=repr(amount)))
        if line.get("posologie"):
            posology.append(JUDGE("posology", n=n, text=line["posologie"]))
    if missing:
        return _result(Status.FAIL, JUDGE("lines_missing", count=len(missing), first=missing[0]),
                       step.location, diff=tuple(missing + posology))
    return _result(Status.PASS, JUDGE("lines_printed", count=len(step.keywords)),
                   step.location, diff=tuple(posology))


def serialise(result: CheckResult) -> dict[str, Any]:
    """A check result as the journal keeps it: our messages in every report language."""
    out: dict[str, Any] = {"requirement": result.requirement, "check": result.check,
                           "severity": str(result.severity), "status": str(result.status),
                           "message": both(result.message)}
    if result.skip is not None:
        out["skip"] = str(result.skip)
    if result.cause:
        out["cause"] = result.cause
    if result.diff:
        out["details"] = [both(d) for d in list(result.diff)[:20]]
    for key in ("expected", "observed"):
        value = getattr(result, key)
        if value is not None:
            out[key] = both(value) if isinstance(value, Message) else \
                value if isinstance(value, (str, int, float, bool)) else repr(value)[:300]
    return out
