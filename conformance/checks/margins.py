"""PAP-13: nothing printed is cut off. A name that runs off the page still sits in the text
layer (so PAP-06 finds it), but nobody can read it on paper: this check looks at where each
glyph run and the code 2D (with its quiet zone) lie."""

from __future__ import annotations

from conformance.checks.context import CheckContext
from conformance.checks.registry import Failed, NotEvaluated, Warned, check
from conformance.messages import Text
from conformance.paper import PaperPage
from conformance.vocabulary import Severity, StepKind

Box = tuple[float, float, float, float]


def _outside(box: Box, page: PaperPage, inset: float = 0.0) -> bool:
    x0, y0, x1, y1 = box
    return x0 < inset or y0 < inset or x1 > page.width_mm - inset or y1 > page.height_mm - inset


def _where(page: PaperPage, box: Box) -> str:
    return (f"page {page.number} ({page.width_mm:.0f}×{page.height_mm:.0f} mm): "
            f"x {box[0]:.1f}–{box[2]:.1f} mm, y {box[1]:.1f}–{box[3]:.1f} mm")


@check("nothing_cut_off", "PAP-13", Severity.MAJOR,
       title=Text("Rien d'imprimé hors de la page",
                  "Nothing printed off the page"),
       hint=Text("couper ou réduire les noms et lignes longs pour tenir dans la page ; garder le "
                     "code 2D et sa zone de silence dans la zone imprimable",
                 "wrap or shrink long names and lines to fit the page; keep the code 2D and its "
                     "quiet zone inside the printable area"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True)
def nothing_cut_off(ctx: CheckContext) -> str:
    """Every text run and the code 2D with its quiet zone inside the page (a failure outside);
    within the profile's unprintable margin, a warning."""
    pages = ctx.paper()
    if not any(p.has_text for p in pages):
        raise NotEvaluated("a scan: what the printer cut off cannot be seen on it")
    margin = float(ctx.profile.value("unprintable_margin_mm"))
    quiet = int(ctx.profile.value("qr_quiet_zone_modules"))
    near: list[str] = []
    for page in pages:
        boxes = [(f"text {line.text[:40]!r}", line.box) for line in page.lines]
        for code in page.codes:
            q = code.module_mm * quiet
            x0, y0, x1, y1 = code.box
            boxes.append(("the code 2D with its quiet zone", (x0 - q, y0 - q, x1 + q, y1 + q)))
        for what, box in boxes:
            if _outside(box, page):
                raise Failed(f"{what} is printed off the page", "inside the page", _where(page, box))
            if _outside(box, page, margin):
                near.append(f"{what} within {margin:g} mm of the edge, {_where(page, box)}")
    if near:
        raise Warned(f"{len(near)} item(s) in the unprintable margin, first: {near[0]}",
                     f"{margin:g} mm clear of every edge ({ctx.profile.source('unprintable_margin_mm')})",
                     near[0], tuple(near))
    return f"{sum(len(p.lines) for p in pages)} text run(s) and the code 2D inside the page"
