"""The tester's web page (``campaign watch --serve``), rendered from the campaign's state (itself
rebuilt from the journal) on every request: the page keeps nothing of its own.

One self-contained document: inline CSS, one small inline script (it polls ``etat.json`` and
reloads when the journal changed, unless the tester is typing), no resource from the network.
Everything that came from the plan, the cards, a dropped file or its reading goes through
``html.escape``."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.campaign.state import DONE, CampaignState, StepState, notices
from conformance.campaign.texts import STATES, shown, status_label
from conformance.messages import Text
from conformance.paper import PaperPage

MENTION_WORDS = ("e-prescription", "n°", "assurance maladie", "autorité parentale", "ameli",
                 "consulter ce qui a été", "page ")
ANOMALIES = ("fail", "error", "warn")

T = {
    "title": Text("Campagne {}", "Campaign {}"),
    "verdict": Text("Verdict : {}", "Verdict: {}"),
    "open": Text("en cours", "in progress"),
    "closed": Text("Campagne close : plus rien ne peut y être ajouté.",
                   "Campaign closed: nothing can be added to it now."),
    "steps": Text("Étapes", "Steps"),
    "current": Text("Étape en cours", "Current step"),
    "all_done": Text("Toutes les étapes sont faites : clôturez avec « conformance campaign close ».",
                     "Every step is done: close with 'conformance campaign close'."),
    "patient": Text("Patient", "Patient"),
    "expected": Text("Ordonnance attendue", "Expected prescription"),
    "card": Text("Fiche imprimable", "Printable card"),
    "upload": Text("Déposer un fichier (PDF, scan ou photo ; copie DMP : le document CDA en XML)",
                   "Drop a file (PDF, scan or photo; DMP copy: the CDA document, XML)"),
    "upload_help": Text("Le fichier est posé dans depot/ et jugé comme tout fichier déposé : il va à "
                        "l'étape dont il nomme le patient (une copie DMP, à l'étape DMP de l'ordonnance "
                        "de ce patient).",
                        "The file lands in depot/ and is judged like any dropped file: it goes to the "
                        "step whose patient it names (a DMP copy, to the DMP step of that patient's "
                        "prescription)."),
    "notice": Text("Non applicable : {}", "Not applicable: {}"),
    "send": Text("Déposer", "Drop"),
    "question": Text("Question", "Question"),
    "yes": Text("Oui", "Yes"),
    "no": Text("Non", "No"),
    "note": Text("Note (ce que vous avez vu)", "Note (what you saw)"),
    "answer": Text("Répondre", "Answer"),
    "skip": Text("Passer cette étape", "Skip this step"),
    "reason": Text("Motif", "Reason"),
    "skip_button": Text("Passer", "Skip"),
    "files": Text("Fichiers reçus", "Files received"),
    "kept": Text("retenu pour le jugement", "the one judged"),
    "not_judged": Text("pas encore jugé", "not judged yet"),
    "no_anomaly": Text("aucune anomalie", "no anomaly"),
    "passed": Text("{} contrôle(s) réussi(s)", "{} check(s) passed"),
    "others": Text("autres contrôles ({})", "other checks ({})"),
    "legend": Text("code 2D encadré en rouge, mentions en bleu", "code 2D outlined in red, mentions in blue"),
    "no_picture": Text("pas d'image de la page : {}", "no picture of the page: {}"),
    "unattributed": Text("Fichiers non attribués (aucun patient d'une étape n'y a été trouvé)",
                         "Files not attributed (no step's patient found in them)"),
    "depot": Text("Dans depot/, pas encore pris (en attente d'être complet)",
                  "In depot/, not taken yet (waiting to be complete)"),
    "stale": Text("La campagne a changé : rechargez la page (votre saisie en cours serait perdue).",
                  "The campaign changed: reload the page (what you are typing would be lost)."),
    "answered": Text("Réponse : {} ({}, {})", "Answer: {} ({}, {})"),
    "skipped": Text("Passée : {}", "Skipped: {}"),
    "refused": Text("Refusé : {}", "Refused: {}"),
    "synthetic": Text("Données synthétiques de test : aucune personne réelle.",
                      "Synthetic test data: no real person."),
}
CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;margin:0 auto;
max-width:1100px;padding:1rem 1.5rem}h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:2px solid #ddd}
h3{font-size:1.05rem}pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.5rem}
nav ol{columns:2}nav li{margin:.1rem 0}.state{font-size:.85rem;padding:.05rem .4rem;border-radius:3px;
background:#eee}.st-judged,.st-confirmed{background:#d7efdd}.st-waiting,.st-awaiting-confirmation{
background:#fde9b5}.st-skipped{background:#ddd;color:#444}.st-received{background:#dbe8fb}
section.step{border:1px solid #ccc;border-radius:4px;padding:.3rem .9rem;margin:.8rem 0}
section.current{border:2px solid #8a5a00}form{margin:.6rem 0;padding:.5rem;background:#fafafa;
border:1px solid #ddd}label{display:block;margin:.2rem 0}.alert{border:2px solid #a10d0d;padding:.5rem;
background:#fdeaea}.fail,.error{color:#a10d0d;font-weight:600}.warn{color:#7a4a00}.pass{color:#0b6b2b}
.skip{color:#555}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2rem .5rem;
text-align:left;vertical-align:top}figure{margin:.5rem 0}.sheet{position:relative;display:inline-block;
max-width:100%;border:1px solid #888}.sheet img{display:block;max-width:100%;height:auto}
.box{position:absolute;border:2px solid}.qr{border-color:#d00}.mention{border-color:#06c}
#stale{position:sticky;top:0;background:#fde9b5;padding:.5rem;border:1px solid #8a5a00}
"""
# reloads when the journal (or depot/) changed, unless the tester is typing in a form
SCRIPT = """(function(){var v=document.body.getAttribute('data-version'),dirty=false;
function mark(){dirty=true}document.addEventListener('input',mark);document.addEventListener('change',mark);
function poll(){fetch('etat.json',{cache:'no-store'}).then(function(r){return r.json()}).then(function(d){
if(d.version!==v){if(dirty){document.getElementById('stale').hidden=false}else{location.reload();return}}
setTimeout(poll,1000)}).catch(function(){setTimeout(poll,3000)})}setTimeout(poll,1000)})();"""


@dataclass(frozen=True)
class Figure:
    """A judged file's pages as the sandbox read them (pictures and boxes), or why there are none."""

    pages: tuple[PaperPage, ...] = ()
    error: str | None = None
    image: bool = False  # a scan or photo: its own bytes are its picture


@dataclass(frozen=True)
class View:
    """Everything one rendering shows: the state, what waits in depot/, the files' figures."""

    state: CampaignState
    version: str
    token: str
    nonce: str
    lang: str = "fr"
    depot: tuple[str, ...] = ()
    figures: dict[str, Figure] = field(default_factory=dict)
    error: str | None = None


def e(value: Any) -> str:
    """Escape anything for HTML text or attribute context."""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return html.escape(value, quote=True)


def render(view: View) -> str:
    """The whole page."""
    lang, state = view.lang, view.state
    t = {k: v(lang) for k, v in T.items()}
    closed = state.closed is not None
    verdict = str(state.closed.get("verdict")) if state.closed else t["open"]
    current = state.current
    out = [f'<!DOCTYPE html><html lang="{e(lang)}"><head><meta charset="utf-8">'
           '<meta name="viewport" content="width=device-width, initial-scale=1">'
           f"<title>{e(t['title'].format(state.plan.title))}</title><style>{CSS}</style></head>"
           f'<body data-version="{e(view.version)}"><p id="stale" hidden>{e(t["stale"])}</p><main>'
           f"<h1>{e(t['title'].format(state.plan.title))}</h1>"
           f'<p id="verdict">{e(t["verdict"].format(verdict))}</p>']
    if view.error:
        out.append(f'<p class="alert" role="alert">{e(t["refused"].format(view.error))}</p>')
    out += [f'<p class="notice">{e(t["notice"].format(n))}</p>' for n in notices(state, lang)]
    if closed:
        out.append(f"<p>{e(t['closed'])}</p>")
    out.append(f"<nav><h2>{e(t['steps'])}</h2><ol>")
    for s in state.steps.values():
        st = state.state_of(s)
        out.append(f'<li id="nav-{e(s.step.id)}"><a href="#step-{e(s.step.id)}">{e(s.step.title)}</a> '
                   f'<span class="state st-{e(st)}" data-state="{e(st)}">{e(STATES[st](lang))}</span></li>')
    out.append("</ol></nav>")
    if current is None and not closed:
        out.append(f"<p>{e(t['all_done'])}</p>")
    if not closed:
        out.append(_upload(view, t))
    if view.depot:
        out.append(f"<h2>{e(t['depot'])}</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in view.depot)
                   + "</ul>")
    if current is not None:
        out.append(f"<h2>{e(t['current'])}</h2>" + _step(view, current, t, True))
    for s in state.steps.values():
        if s is not current:
            out.append(_step(view, s, t, False))
    out.append(_unattributed(view, t))
    out.append(f"<p>{e(t['synthetic'])}</p></main>"
               f'<script nonce="{e(view.nonce)}">{SCRIPT}</script></body></html>\n')
    return "".join(out)


def _hidden(view: View, **fields: str) -> str:
    values = {"token": view.token, **fields}
    return "".join(f'<input type="hidden" name="{e(k)}" value="{e(v)}">' for k, v in values.items())


def _upload(view: View, t: dict[str, str]) -> str:
    return (f'<form id="upload" method="post" action="depot" enctype="multipart/form-data">'
            f"{_hidden(view)}<label>{e(t['upload'])} <input type=\"file\" name=\"fichier\" required "
            f'accept=".pdf,.png,.jpg,.jpeg,.xml,application/pdf,image/png,image/jpeg,application/xml,'
            f'text/xml"></label>'
            f"<small>{e(t['upload_help'])}</small> <button type=\"submit\">{e(t['send'])}</button></form>")


def _step(view: View, s: StepState, t: dict[str, str], is_current: bool) -> str:
    state, sid = view.state, s.step.id
    st = state.state_of(s)
    klass = "step current" if is_current else "step"
    out = [f'<section class="{klass}" id="step-{e(sid)}" data-state="{e(st)}"><h3>{e(s.step.title)} '
           f'<span class="state st-{e(st)}">{e(STATES[st](view.lang))}</span></h3>']
    card = state.cards.get(sid)
    if is_current or st not in DONE:
        out.append(f"<details{' open' if is_current else ''}><summary>{e(sid)}</summary>"
                   f"<pre>{e(s.text)}</pre>")
        if card is not None:
            out.append(_card(card.patient, card.expected, t, sid))
        out.append("</details>")
    if s.answer is not None:
        value = {"yes": t["yes"], "no": t["no"]}.get(str(s.answer["value"]), str(s.answer["value"]))
        said = t["answered"].format(value, s.answer["tester"], s.answer["at"])
        note = f" — {e(s.answer['note'])}" if s.answer.get("note") else ""
        out.append(f'<p class="answer">{e(said)}{note}</p>')
    if s.reason is not None:
        out.append(f"<p>{e(t['skipped'].format(s.reason))}</p>")
    if state.closed is None and s.step.kind == "confirm" and s.answer is None and s.reason is None:
        out.append(f'<form class="confirm" method="post" action="confirmer">{_hidden(view, etape=sid)}'
                   f"<p><strong>{e(t['question'])} :</strong> {e(s.step.question)}</p>"
                   f'<label><input type="radio" name="reponse" value="oui" required> {e(t["yes"])}</label>'
                   f'<label><input type="radio" name="reponse" value="non"> {e(t["no"])}</label>'
                   f'<label>{e(t["note"])} <input type="text" name="note" maxlength="2000"></label>'
                   f'<button type="submit">{e(t["answer"])}</button></form>')
    if state.closed is None and st not in DONE:
        out.append(f'<details><summary>{e(t["skip"])}</summary><form class="skip" method="post" '
                   f'action="passer">{_hidden(view, etape=sid)}<label>{e(t["reason"])} <input type="text" '
                   f'name="motif" required maxlength="2000"></label><button type="submit">'
                   f'{e(t["skip_button"])}</button></form></details>')
    if s.artefacts:
        out.append(f"<h4>{e(t['files'])}</h4>")
        out += [_artefact(view, s, a, t) for a in s.artefacts]
    out.append("</section>")
    return "".join(out)


def _card(patient: dict[str, Any], expected: dict[str, Any], t: dict[str, str], sid: str) -> str:
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in patient.items())
    lines = expected.get("lignes", [])
    keys = sorted({k for line in lines for k in line}, key=lambda k: (k != "libelle", k))
    head = "".join(f"<th>{e(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{e(line.get(k, ''))}</td>" for k in keys) + "</tr>"
                   for line in lines)
    extra = {k: v for k, v in expected.items() if k not in ("lignes", "patient", "prescripteur")}
    flags = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in extra.items())
    return (f"<h4>{e(t['patient'])}</h4><table class=\"patient\">{rows}</table>"
            f"<h4>{e(t['expected'])}</h4><table class=\"lines\"><tr>{head}</tr>{body}</table>"
            f"<table>{flags}</table><p><a href=\"carte/{e(sid)}\">{e(t['card'])}</a></p>")


def _artefact(view: View, s: StepState, artefact: dict[str, Any], t: dict[str, str]) -> str:
    sha = str(artefact.get("sha256", ""))
    judged = sha in s.judgements
    tags = [t["kept"]] if sha == s.current else []
    if not judged:
        tags.append(t["not_judged"])
    out = [f'<div class="artefact" data-sha256="{e(sha)}"><p><strong>{e(artefact.get("name", ""))}</strong> '
           f"({e(artefact.get('kind', ''))}, {e(sha[:12])}) {e(', '.join(tags))}</p>"]
    if judged:
        out.append(_checks(s.judgements[sha], t, view.lang))
        figure = view.figures.get(sha)
        if figure is not None:
            out.append(_figure(sha, figure, t))
    out.append("</div>")
    return "".join(out)


def _checks(checks: Sequence[dict[str, Any]], t: dict[str, str], lang: str) -> str:
    bad = [c for c in checks if c.get("status") in ANOMALIES or c.get("skip") == "not-evaluated"]
    rest = [c for c in checks if c not in bad]
    passed = sum(c.get("status") == "pass" for c in checks)

    def item(c: dict[str, Any]) -> str:
        status = "not-evaluated" if c.get("skip") == "not-evaluated" else str(c.get("status"))
        details = "".join(f"<li>{e(shown(d, lang))}</li>" for d in c.get("details", []))
        return (f'<li class="{e(c.get("status"))}" data-requirement="{e(c.get("requirement"))}" '
                f'data-status="{e(status)}">{e(status_label(c, lang))} {e(c.get("requirement"))} '
                f"{e(c.get('check'))} — {e(shown(c.get('message'), lang))}"
                + (f"<ul>{details}</ul>" if details else "") + "</li>")

    head = (f'<ul class="anomalies">{"".join(item(c) for c in bad)}</ul>' if bad
            else f"<p class=\"pass\">{e(t['no_anomaly'])}</p>")
    others = "".join(item(c) for c in rest)
    return (head + f"<p>{e(t['passed'].format(passed))}</p><details><summary>"
            f"{e(t['others'].format(len(rest)))}</summary><ul>{others}</ul></details>")


def _figure(sha: str, figure: Figure, t: dict[str, str]) -> str:
    if figure.error or not figure.pages:
        return f"<p class=\"skip\">{e(t['no_picture'].format(figure.error or '—'))}</p>"
    out = []
    for page in figure.pages:
        if not figure.image and not page.picture:
            continue
        width, height = page.width_mm or 1.0, page.height_mm or 1.0

        def box(b: Sequence[float], cls: str, w: float = width, h: float = height) -> str:
            return (f'<span class="box {cls}" style="left:{100 * b[0] / w:.2f}%;top:{100 * b[1] / h:.2f}%;'
                    f'width:{100 * (b[2] - b[0]) / w:.2f}%;height:{100 * (b[3] - b[1]) / h:.2f}%"></span>')

        marks = [box(c.box, "qr") for c in page.codes]
        marks += [box(ln.box, "mention") for ln in page.lines
                  if any(w in ln.text.lower() for w in MENTION_WORDS)]
        out.append(f'<figure><div class="sheet"><img src="page/{e(sha)}/{page.number}" '
                   f'alt="page {page.number} — {e(sha[:12])}" loading="lazy">{"".join(marks)}</div>'
                   f"<figcaption>page {page.number} — {e(t['legend'])}</figcaption></figure>")
    return "".join(out)


def _unattributed(view: View, t: dict[str, str]) -> str:
    items = view.state.unattributed
    if not items:
        return ""
    rows = "".join(f'<li data-sha256="{e(sha)}">{e(u.get("name", ""))} ({e(sha[:12])}) : '
                   f"<code>{e(u.get('read', {}))}</code></li>" for sha, u in items.items())
    return f"<h2>{e(t['unattributed'])}</h2><ul id=\"unattributed\">{rows}</ul>"
