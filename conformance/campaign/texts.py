"""A campaign's own texts in both report languages, and how the journal keeps ours.

The journal is written once and read in any language (the page's ``--lang``, ``close --lang``):
a message of ours is journaled rendered in both languages (``{"fr": …, "en": …}``), anything
else (the target's text, a plan author's words, a journal from an earlier version) as it is;
``shown`` picks the language back."""

from __future__ import annotations

from typing import Any

from conformance.messages import LANGS, Message, Messages, Text, render


def both(value: Any) -> Any:
    """``value`` as the journal keeps it: a message of ours in every report language."""
    if isinstance(value, Message | Text):
        return {lang: render(value, lang) for lang in LANGS}
    return value


def shown(value: Any, lang: str) -> str:
    """A journaled text in ``lang`` (a text kept as it is when not ours)."""
    if isinstance(value, dict) and isinstance(value.get(lang), str):
        return str(value[lang])
    return "" if value is None else str(value)


JUDGE = Messages("campaign.judge", {
    "unreadable": Text("non évalué : {why}", "not evaluated: {why}"),
    "image_text": Text("pas de couche texte (une image) : son texte n'est lu que par OCR : {why}",
                       "no text layer (an image): its text is read only by OCR: {why}"),
    "ocr_failed": Text("l'OCR a échoué ({kind}) : {why}", "OCR failed ({kind}): {why}"),
    "no_text": Text("non évalué : pas de couche texte (une image), et {why}",
                    "not evaluated: no text layer (an image), and {why}"),
    "no_text_hint": Text("installez l'OCR pour juger le texte d'un scan (Debian : apt-get install "
                         "{packages}), ou déposez le PDF",
                         "install OCR to judge a scan's text (Debian: apt-get install {packages}), "
                         "or drop the PDF"),
    "lines_missing": Text("{count} élément(s) de ligne non imprimé(s), d'abord {first}",
                          "{count} line item(s) not printed, first {first}"),
    "lines_printed": Text("{count} ligne(s) imprimée(s) (produit, quantité)",
                          "{count} line(s) printed (product, quantity)"),
    "product_missing": Text("ligne {n} : produit {word} absent", "line {n}: product {word} missing"),
    "amount_missing": Text("ligne {n} : quantité/durée {amount} absente",
                           "line {n}: quantity/duration {amount} missing"),
    "posology": Text("ligne {n} : posologie attendue (non comparée) : {text}",
                     "line {n}: expected posology (not compared): {text}"),
    "measured": Text("non évalué sur une image : {why}", "not evaluated on an image: {why}"),
    "measured_hint": Text("déposez le PDF pour le juger", "drop the PDF to judge it"),
    "identifiers": Text("non évalué sur une image : il faut lire {what} dans le texte, et les "
                        "identifiants ne sont jamais pris de l'OCR (seulement du code 2D ou de la "
                        "couche texte d'un PDF)",
                        "not evaluated on an image: it needs {what} read from the text, and "
                        "identifiers are never taken from OCR (only from the code 2D or a PDF's "
                        "text layer)"),
    "identifiers_hint": Text("déposez le PDF (ou attachez-le à l'étape avec « attach ») pour juger "
                             "les identifiants imprimés",
                             "drop the PDF (or 'attach' it to the step) to judge the printed "
                             "identifiers"),
    "unsure": Text("non évalué : l'échec porte sur des mots dont l'OCR n'était pas sûr ({words}) : "
                   "{message}",
                   "not evaluated: it failed where OCR was unsure of the words it needed ({words}): "
                   "{message}"),
    "unsure_hint": Text("déposez le PDF, ou un scan plus net (300 dpi, à plat, éclairé également)",
                        "drop the PDF, or a sharper scan (300 dpi, flat, evenly lit)"),
    "ocr_checked": Text("texte lu par OCR (Tesseract) : aucun mot incertain proche de ce qui était "
                        "cherché",
                        "text read by OCR (Tesseract): no unsure word near what was looked for"),
    "ocr_read": Text("texte lu par OCR (Tesseract, {language}) en {seconds} s : {words} mots, "
                     "{unsure} incertain(s) (confiance sous {threshold} %){listed}",
                     "text read by OCR (Tesseract, {language}) in {seconds} s: {words} words, "
                     "{unsure} unsure (confidence under {threshold} %){listed}"),
    "ocr_hint": Text("les identifiants ne sont jamais pris de l'OCR : ils viennent du code 2D",
                     "identifiers are never taken from OCR: they come from the code 2D"),
}, literal={
    "not_paper": Text("ni un PDF ni une image", "not a PDF or an image"),
    "ocr_none": Text("l'OCR n'a lu aucun texte", "OCR read no text"),
    "lines_title": Text("Chaque ligne de la fiche imprimée (produit ou acte, quantité)",
                        "Every line of the card printed (product or act, quantity)"),
    "lines_hint": Text("imprimez chaque ligne : le produit ou l'acte et sa quantité ou sa durée",
                       "print every line: product or act and its quantity or duration"),
    "ocr_title": Text("Texte lu par OCR (mots incertains montrés)",
                      "Text read by OCR (unsure words shown)"),
})

VERDICT = Messages("campaign.verdict", {
    "failed": Text("{step} : {requirement} {check} : {message}", "{step}: {requirement} {check}: {message}"),
    "answered_no": Text("{step} : le testeur a répondu non à « {question} »",
                        "{step}: the tester answered no to « {question} »"),
    "open": Text("{step} : {state}", "{step}: {state}"),
    "open_why": Text("{step} : {state} ({why})", "{step}: {state} ({why})"),
    "not_evaluated": Text("{step} : {requirement} non évalué : {message}",
                          "{step}: {requirement} not evaluated: {message}"),
    "unattributed": Text("fichier non attribué : {name} ({sha})", "file not attributed: {name} ({sha})"),
})

STATES = {
    "pending": Text("à venir", "pending"), "waiting": Text("en attente du fichier", "waiting for the file"),
    "received": Text("reçu, en cours d'examen", "received, being judged"),
    "judged": Text("jugé", "judged"), "awaiting-confirmation": Text("réponse attendue", "answer awaited"),
    "confirmed": Text("répondu", "answered"), "skipped": Text("passée", "skipped"),
}
"""A step's state (the journal's and ``status --json``'s word) as a person reads it."""

STATUSES = {
    "pass": Text("réussi", "passed"), "fail": Text("échec", "failed"),
    "warn": Text("avertissement", "warning"),
    "error": Text("erreur", "error"), "skip": Text("non applicable", "not applicable"),
    "not-evaluated": Text("non évalué", "not evaluated"),
}
"""A check's status as a person reads it."""


def state_label(state: str, lang: str) -> str:
    """A step's state in ``lang`` (an unknown word as it is)."""
    text = STATES.get(state)
    return text(lang) if text is not None else state


def status_label(check: dict[str, Any], lang: str) -> str:
    """A journaled check's status in ``lang``, not evaluated said as such."""
    key = "not-evaluated" if check.get("skip") == "not-evaluated" else str(check.get("status"))
    text = STATUSES.get(key)
    return text(lang) if text is not None else key


__all__ = ["JUDGE", "STATES", "STATUSES", "VERDICT", "both", "shown", "state_label", "status_label"]
