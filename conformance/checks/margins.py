"""PAP-13: nothing printed is cut off. A name that runs off the page still sits in the text
layer (so PAP-06 finds it), but nobody can read it on paper: this check looks at where each
glyph run and the code 2D (with its quiet zone) lie."""

from __future__ import annotations

from conformance.checks.context import CheckContext
from conformance.checks.registry import Failed, NotEvaluated, Warned, check
from conformance.messages import Message, Messages, Text
from conformance.paper import PaperPage
from conformance.vocabulary import Severity, StepKind

Box = tuple[float, float, float, float]


def _outside(box: Box, page: PaperPage, inset: float = 0.0) -> bool:
    x0, y0, x1, y1 = box
    return x0 < inset or y0 < inset or x1 > page.width_mm - inset or y1 > page.height_mm - inset


MARGINS = Messages("margins", {
    "where": Text("page {page} ({width}×{height} mm) : x {x0}–{x1} mm, y {y0}–{y1} mm",
                  "page {page} ({width}×{height} mm): x {x0}–{x1} mm, y {y0}–{y1} mm"),
})


def _where(page: PaperPage, box: Box) -> Message:
    return MARGINS("where", page=page.number, width=f"{page.width_mm:.0f}",
                   height=f"{page.height_mm:.0f}", x0=f"{box[0]:.1f}", x1=f"{box[2]:.1f}",
                   y0=f"{box[1]:.1f}", y1=f"{box[3]:.1f}")


@check("nothing_cut_off", "PAP-13", Severity.MAJOR,
       title=Text("Rien d'imprimé hors de la page",
                  "Nothing printed off the page"),
       hint=Text("couper ou réduire les noms et lignes longs pour tenir dans la page ; garder le "
                     "code 2D et sa zone de silence dans la zone imprimable",
                 "wrap or shrink long names and lines to fit the page; keep the code 2D and its "
                     "quiet zone inside the printable area"),
       steps=(StepKind.PAPER,), defaults=(StepKind.PAPER,), standalone=True,
       degraded=True,
       measures_page=Text("ce que l'imprimante a coupé ne se voit pas sur un scan ou une photo",
                          "what the printer cut off cannot be seen on a scan or photo"),
       messages={
           "scan": Text("un scan : ce que l'imprimante a coupé n'y est pas visible",
                        "a scan: what the printer cut off cannot be seen on it"),
           "text": Text("le texte {text}", "text {text}"),
           "code": Text("le code 2D avec sa zone de silence", "the code 2D with its quiet zone"),
           "off": Text("{what} est imprimé hors de la page", "{what} is printed off the page"),
           "inside": Text("dans la page", "inside the page"),
           "near": Text("{what} à moins de {margin} mm du bord, {where}",
                        "{what} within {margin} mm of the edge, {where}"),
           "in_margin": Text("{count} élément(s) dans la marge non imprimable, le premier : {first}",
                             "{count} item(s) in the unprintable margin, first: {first}"),
           "clear": Text("{margin} mm libres sur chaque bord ({source})",
                         "{margin} mm clear of every edge ({source})"),
           "inside_all": Text("{count} segment(s) de texte et le code 2D dans la page",
                              "{count} text run(s) and the code 2D inside the page"),
       })
def nothing_cut_off(ctx: CheckContext) -> str:
    """Every text run and the code 2D with its quiet zone inside the page (a failure outside);
    within the profile's unprintable margin, a warning."""
    msg = ctx.msg
    pages = ctx.paper()
    if not any(p.has_text for p in pages):
        raise NotEvaluated(msg("scan"))
    margin = float(ctx.profile.value("unprintable_margin_mm"))
    quiet = int(ctx.profile.value("qr_quiet_zone_modules"))
    near: list[Message] = []
    for page in pages:
        boxes = [(msg("text", text=repr(line.text[:40])), line.box) for line in page.lines]
        for code in page.codes:
            q = code.module_mm * quiet
            x0, y0, x1, y1 = code.box
            boxes.append((msg("code"), (x0 - q, y0 - q, x1 + q, y1 + q)))
        for what, box in boxes:
            if _outside(box, page):
                raise Failed(msg("off", what=what), msg("inside"), _where(page, box))
            if _outside(box, page, margin):
                near.append(msg("near", what=what, margin=f"{margin:g}", where=_where(page, box)))
    if near:
        raise Warned(msg("in_margin", count=len(near), first=near[0]),
                     msg("clear", margin=f"{margin:g}",
                         source=ctx.profile.source("unprintable_margin_mm")),
                     near[0], tuple(near))
    return msg("inside_all", count=sum(len(p.lines) for p in pages))
