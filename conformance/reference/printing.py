"""The printed ordonnance as a PDF (reportlab + segno), in the layout of DESIGN §2."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
from dataclasses import dataclass
from typing import Any

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = A4
FONT, BOLD = "Helvetica", "Helvetica-Bold"
QR_SIZE_MM = 36.0  # 0.59 mm modules for a version 11 code: reads from a 150 dpi scan
QR_X_MM, QR_TOP_MM = 12.0, 236.0
LINES_TOP_MM, LINES_BOTTOM_MM = 78.0, 212.0
LEGAL_X_MM, LEGAL_W_MM = 52.0, 146.0
ALD_TOP = (
    "Prescriptions relatives au traitement de l'affection de longue durée reconnue "
    "(liste ou hors liste) (AFFECTION EXONÉRANTE)"
)
ALD_BOTTOM = "Prescriptions SANS RAPPORT avec l'affection de longue durée (MALADIES INTERCURRENTES)"
DATA_MENTION = (
    "Les données de cette prescription sont transmises de manière dématérialisée à l'Assurance "
    "Maladie. Pour en savoir plus sur le traitement de vos données personnelles : "
    "www.ameli.fr/assure/protection-des-donnees-personnelles"
)


def consent_mention(informed_on: str, opposition: bool) -> str:
    """The consent paragraph, in the 'ne s'oppose pas' wording."""
    verb = "s'oppose" if opposition else "ne s'oppose pas"
    return (
        f"Le patient (ou le(s) titulaire(s) de l'autorité parentale) a été informé le "
        f"{informed_on} et {verb} à ce que je puisse consulter ce qui a été délivré ou "
        "exécuté sur la présente ordonnance."
    )


def _fr(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def qr_payload(rx: dict[str, Any], pid: str, faults: frozenset[str] = frozenset()) -> str:
    """Compact JSON of the code 2D, schema version 2 (names padded to 90 as in the sample)."""
    patient, doctor = rx["patient"], rx["prescripteur"]
    replaced = doctor.get("remplace")
    m: dict[str, str] = {"RPPS": (replaced or doctor)["rpps"]}
    if replaced:
        m["RPPS2"] = doctor["rpps"]
    am = (replaced or doctor).get("am")
    if am:
        m["AM"] = am
    data = {
        "S": {"V": 2},
        "D": {
            "ID": pid,
            "P": {
                "N": patient["nomFamille"].ljust(90),
                "P": patient["prenom"].ljust(90),
                "D": patient["dateNaissance"],
            },
            "M": m,
        },
    }
    if "qr-missing-birthdate" in faults:
        del data["D"]["P"]["D"]  # type: ignore[index]
    if "qr-not-json" in faults:  # a home-made 'v1' text format
        return f"EP1|{pid}|{patient['nomFamille']}|{patient['prenom']}|{patient['dateNaissance']}|{m['RPPS']}"
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class PaperOptions:
    """What to print besides the prescription: the code 2D payload and number, or none."""

    payload: str | None
    number: str | None
    informed_on: str
    faults: frozenset[str] = frozenset()  # paper faults of the reference (faults.py)


def _line_texts(line: dict[str, Any], faults: frozenset[str]) -> list[str]:
    texts = [line["libelle"] + ("  NR" if line.get("nonRembourse") and "nr-not-printed" not in faults
                                else "")]
    code = line.get("code")
    if isinstance(code, dict) and code.get("valeur"):
        texts.append(f"{code.get('systeme', 'Code')} : {code['valeur']}")
    for key, label in (("posologie", ""), ("duree", "Durée : "), ("quantite", "Quantité : ")):
        if line.get(key):
            texts.append(f"{label}{line[key]}")
    if line.get("renouvellements") and "renewals-not-printed" not in faults:
        texts.append(f"À renouveler {line['renouvellements']} fois")
    if line.get("nonSubstituable"):
        motive = "" if "nonsubstituable-no-motive" in faults else f" ({line.get('motifNonSubstitution', '')})"
        texts.append(f"Non substituable{motive}")
    return texts


def _hard_wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` cut into pieces no wider than ``width`` (a word longer than the line is broken)."""
    out, piece = [], ""
    for char in text:
        if piece and stringWidth(piece + char, font, size) > width:
            out.append(piece)
            piece = ""
        piece += char
    return [*out, piece] if piece else out


class _Writer:
    """Lays text out top-down in mm from the page's top-left, over several pages."""

    def __init__(self, canvas: Canvas, faults: frozenset[str]) -> None:
        self.c = canvas
        self.faults = faults

    def text(self, x_mm: float, y_mm: float, text: str, size: float = 9, bold: bool = False) -> None:
        self.c.setFont(BOLD if bold else FONT, size)
        self.c.drawString(x_mm * mm, PAGE_H - y_mm * mm, text)

    def block(self, x_mm: float, y_mm: float, w_mm: float, name: str) -> float:
        """A bold name wrapped within ``w_mm`` (a 100-character name never runs off the page);
        the y of its last line."""
        if "name-off-page" in self.faults:  # one line, whatever its length
            self.text(x_mm, y_mm, name, 11, bold=True)
            return y_mm
        parts = [chunk for part in simpleSplit(name, BOLD, 11, w_mm * mm)
                 for chunk in _hard_wrap(part, BOLD, 11, w_mm * mm)]
        for i, part in enumerate(parts):
            self.text(x_mm, y_mm + i * 4.6, part, 11, bold=True)
        return y_mm + (len(parts) - 1) * 4.6

    def para(self, x_mm: float, y_mm: float, w_mm: float, text: str, size: float = 7.5) -> float:
        lines = simpleSplit(text, FONT, size, w_mm * mm)
        for i, part in enumerate(lines):
            self.text(x_mm, y_mm + i * size * 0.42, part, size)
        return y_mm + len(lines) * size * 0.42


def _header(w: _Writer, rx: dict[str, Any]) -> None:
    d, p = rx["prescripteur"], rx["patient"]
    y = 16.0
    y = w.block(12, y, 100, f"Dr {d['prenom']} {d['nomFamille']}")
    rpps = d["rpps"]
    if "rpps-wrong-key-printed" in w.faults:  # a typo in the key digit
        rpps = rpps[:-1] + str((int(rpps[-1]) + 1) % 10)
    rows = [d.get("specialite", ""), f"RPPS : {rpps}"]
    if "prescriber-no-am" not in w.faults:
        rows.append(f"N° AM : {d['am']}" if d.get("am") else f"FINESS : {d.get('finess', '')}")
    rows += [d.get("adresse", ""), f"Tél : {d.get('telephone', '')}"]
    if d.get("remplace") and "replaced-not-identified" not in w.faults:
        r = d["remplace"]
        rows.append(f"Remplaçant(e) de Dr {r['prenom']} {r['nomFamille']} (RPPS : {r['rpps']})")
    for row in rows:
        y += 4.6
        w.text(12, y, row, 9)
    y = 16.0
    y = w.block(120, y, 78, f"{p['nomFamille']} {p['prenom']}")
    prow = [f"Sexe : {p['sexe']}"]
    if "patient-no-birthdate" not in w.faults:
        prow.append(f"Né(e) le : {_fr(p['dateNaissance'])}")
    if p.get("poids"):
        prow.append(f"Poids : {p['poids']} kg")
    if p.get("taille"):
        prow.append(f"Taille : {p['taille']} cm")
    for row in prow:
        y += 4.6
        w.text(120, y, row, 9)
    if "no-prescription-date" not in w.faults:
        w.text(120, y + 9, f"Le {_fr(rx['dateOrdonnance'])}", 10)


def _blocks(rx: dict[str, Any], faults: frozenset[str]) -> list[tuple[str, list[str]]]:
    """(kind, texts) blocks in print order: zone titles and lines (bizone for ALD)."""
    lines = rx["lignes"]
    if not any(line.get("ald") for line in lines):
        return [("line", _line_texts(line, faults)) for line in lines]
    top = [line for line in lines if line.get("ald")]
    bottom = [line for line in lines if not line.get("ald")]
    if "ald-wrong-zone" in faults:  # the last ALD line slips below the separator
        bottom.insert(0, top.pop())
    out: list[tuple[str, list[str]]] = [("zone", [ALD_TOP])]
    out += [("line", _line_texts(line, faults)) for line in top]
    out.append(("zone", [ALD_BOTTOM]))
    out += [("line", _line_texts(line, faults)) for line in bottom]
    return out


def _paginate(blocks: list[tuple[str, list[str]]]) -> list[list[tuple[str, list[str]]]]:
    pages: list[list[tuple[str, list[str]]]] = [[]]
    y = LINES_TOP_MM
    for block in blocks:
        height = 4.4 * sum(len(simpleSplit(t, FONT, 9, 180 * mm)) for t in block[1]) + 3.5
        if y + height > LINES_BOTTOM_MM and pages[-1]:
            pages.append([])
            y = LINES_TOP_MM
        pages[-1].append(block)
        y += height
    return pages


def _body(w: _Writer, page: list[tuple[str, list[str]]]) -> None:
    y = LINES_TOP_MM
    for kind, texts in page:
        if kind == "zone":
            w.c.setLineWidth(0.6)
            w.c.line(12 * mm, PAGE_H - (y - 3.5) * mm, 198 * mm, PAGE_H - (y - 3.5) * mm)
        for i, text in enumerate(texts):
            for part in simpleSplit(text, FONT, 9, 180 * mm):
                w.text(14 if i else 12, y, part, 8.5 if kind == "zone" else 9, bold=i == 0)
                y += 4.4
        y += 3.5


def _qr_place(faults: frozenset[str]) -> tuple[float, float, float]:
    """x, top and size of the code 2D in mm (the faults move or shrink it)."""
    size = 16.0 if "qr-too-small" in faults else QR_SIZE_MM
    if "qr-top-right" in faults:
        return 198.0 - size, 14.0, size
    return QR_X_MM, QR_TOP_MM, size


@functools.cache
def _fast_masks() -> bool:
    """segno's mask choice vectorised (same codes, checked when installed), once a process."""
    from conformance.reference import qrmask

    return qrmask.install()


def _draw_qr(c: Canvas, payload: str, x_mm: float, top_mm: float, size_mm: float,
             encoding: str = "utf-8") -> None:
    _fast_masks()
    # segno picks ISO 8859-1 by default when it can: JSON is UTF-8 (RFC 8259), so say so
    qr = segno.make(payload, error="l", micro=False, boost_error=False, encoding=encoding)
    n = len(qr.matrix)
    module = size_mm * mm / n
    c.setFillGray(0)
    for row, bits in enumerate(qr.matrix):
        col = 0
        while col < n:
            if bits[col]:
                start = col
                while col < n and bits[col]:
                    col += 1
                x = x_mm * mm + start * module
                y = PAGE_H - top_mm * mm - (row + 1) * module
                c.rect(x, y, (col - start) * module, module, stroke=0, fill=1)
            col += 1


def _footer(w: _Writer, rx: dict[str, Any], opts: PaperOptions, page: int, pages: int) -> None:
    below = QR_TOP_MM + QR_SIZE_MM
    if opts.payload is not None:
        x, top, size = _qr_place(w.faults)
        _draw_qr(w.c, opts.payload, x, top, size,
                 "iso-8859-1" if "qr-latin1" in w.faults else "utf-8")
        w.text(x, top + size + 5, "e-prescription", 9, bold=True)
        if "qr-quiet-zone-text" in w.faults:  # a caption printed against the code's right edge
            w.text(x + size + 0.5, top + size / 2, "Ordonnance numérique", 7)
    if opts.number is not None and "number-missing" not in w.faults:
        number = opts.number.replace("0", "O") if "number-letter-o" in w.faults else opts.number
        w.text(QR_X_MM, below + 9.5, f"N°{number}", 9)
    w.text(QR_X_MM, below + 16, f"Page {page}/{pages}", 8)
    w.text(150, 218, "Signature", 8)
    if opts.payload is None:
        return  # a classic ordonnance (degraded mode): nothing claims an e-prescription
    y = QR_TOP_MM + 2
    objects = bool(rx.get("consentement", {}).get("opposition"))
    if "consent-printed-opposite" in w.faults:
        objects = not objects
    if "missing-consent-mention" not in w.faults:
        y = w.para(LEGAL_X_MM, y, LEGAL_W_MM, consent_mention(_fr(opts.informed_on), objects)) + 3
    if "missing-data-mention" not in w.faults:
        w.para(LEGAL_X_MM, y, LEGAL_W_MM, DATA_MENTION)


def render(rx: dict[str, Any], opts: PaperOptions) -> bytes:
    """The ordonnance as PDF bytes: one page per batch of lines, footer on every page."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    canvas.setTitle("Ordonnance")
    writer = _Writer(canvas, opts.faults)
    pages = _paginate(_blocks(rx, opts.faults))
    for number, page in enumerate(pages, start=1):
        _header(writer, rx)
        _body(writer, page)
        _footer(writer, rx, opts, number, len(pages))
        canvas.showPage()
    canvas.save()
    return buf.getvalue()
