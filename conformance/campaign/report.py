"""A campaign's documents, all rendered from its state (itself rebuilt from the journal):
``status --json`` (DESIGN §15), and after ``close`` report.json, report.html, junit.xml, summary.md,
coverage.csv and the manifest (+ signature): the same families as a run."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from conformance import __version__
from conformance.campaign import journal
from conformance.campaign.state import CampaignState, StepState, failed, notices, unverified, verdict
from conformance.campaign.texts import shown, state_label, status_label
from conformance.messages import Text

SCHEMA_VERSION = "1.0"
_PATIENT = ("nomFamille", "prenom", "sexe", "dateNaissance", "nir", "ins")
L = {
    "campaign": Text("Campagne {plan}", "Campaign {plan}"),
    "heading": Text("Campagne {plan} — verdict : **{verdict}**", "Campaign {plan} — verdict: **{verdict}**"),
    "html_heading": Text("Campagne {plan} : {verdict}", "Campaign {plan}: {verdict}"),
    "plan": Text("Plan {plan} v{version}, testeur {tester}.", "Plan {plan} v{version}, tester {tester}."),
    "table": Text("| étape | état | contrôles en échec |", "| step | state | failed checks |"),
    "why": Text("Pourquoi", "Why"),
    "declarations": Text("Déclarations du testeur", "The tester's declarations"),
    "declaration": Text("Déclaration : {value} ({tester}, {at})", "Declaration: {value} ({tester}, {at})"),
    "unattributed": Text("Fichiers non attribués", "Files not attributed"),
    "answered_no": Text("réponse non : {question}", "answered no: {question}"),
    "not_evaluated": Text("non évalué : {requirements}", "not evaluated: {requirements}"),
    "verdict_line": Text("verdict : {verdict}", "verdict: {verdict}"),
    "reports_line": Text("Rapports : {folder}/report.html, report.json, junit.xml, summary.md, manifest.json",
                         "Reports: {folder}/report.html, report.json, junit.xml, summary.md, manifest.json"),
    "yes": Text("oui", "yes"), "no": Text("non", "no"),
    "conforme": Text("conforme", "conforme"), "non-conforme": Text("non conforme", "non conforme"),
    "incomplet": Text("incomplet", "incomplet"), "en-cours": Text("en cours", "in progress"),
}
"""The reports' labels (summary.md, report.html, junit.xml), in the campaign report's language."""


def label(key: str, lang: str, **params: Any) -> str:
    """One label in ``lang``, its parameters filled in."""
    return L[key](lang).format(**params)


def _step(state: CampaignState, s: StepState, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": s.step.id, "kind": s.step.kind, "title": s.step.title,
                           "state": state.state_of(s), "instructions": s.text}
    card = state.cards.get(s.step.id)
    if card is not None:
        p = card.patient
        out["patient"] = {"nom": p["nomFamille"], "prenom": p["prenom"], "sexe": p["sexe"],
                          "dateNaissance": p["dateNaissance"], "nir": p["nir"], "ins": p["ins"]}
        expected = {k: v for k, v in card.expected.items() if k not in ("patient", "prescripteur")}
        out["expected"] = expected
    out["artefacts"] = [{"sha256": a["sha256"], "name": a.get("name"), "kind": _kind(a.get("kind"))}
                        for a in s.artefacts]
    out["checks"] = [{"requirement": c["requirement"], "status": c["status"],
                      "message": shown(c.get("message"), lang),
                      **({"skip": c["skip"]} if "skip" in c else {})} for c in s.checks]
    if s.answer is not None:
        out["answer"] = {k: s.answer[k] for k in ("value", "note", "tester", "at")}
    if s.reason is not None:
        out["reason"] = s.reason
    return out


def _kind(kind: Any) -> str:
    return {"pdf": "pdf", "image": "image", "cda": "cda"}.get(str(kind), "other")


def status_document(state: CampaignState, lang: str = "fr") -> dict[str, Any]:
    """``status --json`` (our messages in ``lang``)."""
    started = state.started
    current = str(state.closed.get("verdict")) if state.closed is not None else "en-cours"
    return {
        "campaign": started.get("plan", {}).get("id"),
        "plan": {"id": state.plan.id, "version": state.plan.version,
                 "sha256": started.get("plan", {}).get("sha256")},
        "harness": started.get("harness"),
        "verdict": current,
        "steps": [_step(state, s, lang) for s in state.steps.values()],
        "unattributed": [{"sha256": sha, "name": u.get("name"), "read": u.get("read", {})}
                         for sha, u in state.unattributed.items()],
    }


def report_document(state: CampaignState, lang: str = "fr") -> dict[str, Any]:
    """report.json: the status document, the verdict with its reasons, declarations and coverage,
    every text of ours in ``lang``."""
    found, reasons = verdict(state, lang)
    doc = status_document(state, lang)
    doc.update({"schemaVersion": SCHEMA_VERSION, "lang": lang, "verdict": str(found), "reasons": reasons,
                "notices": notices(state, lang), "cdaRules": state.started.get("cdaRules"),
                "failOn": state.plan.fail_on, "tester": state.started.get("tester"),
                "startedAt": state.started.get("at"),
                "closedAt": state.closed.get("at") if state.closed else None,
                "declarations": [{"step": s.step.id, "question": s.step.question, **s.answer}
                                 for s in state.steps.values() if s.answer is not None],
                "acceptedChanges": [{"at": c.get("at"), "tester": c.get("tester"), "note": c.get("note")}
                                    for c in state.changes],
                "coverage": coverage(state)})
    return doc


def coverage(state: CampaignState) -> list[dict[str, Any]]:
    """Per requirement: the worst status over the steps (fail, not-evaluated, error, warn, pass,
    skip), and the steps that judged it."""
    order = ("fail", "not-evaluated", "error", "warn", "pass", "skip")
    seen: dict[str, tuple[set[str], list[str]]] = {}
    for s in state.steps.values():
        for c in s.checks:
            statuses, steps = seen.setdefault(c["requirement"], (set(), []))
            statuses.add("not-evaluated" if c.get("skip") == "not-evaluated" else c["status"])
            if s.step.id not in steps:
                steps.append(s.step.id)
    return [{"requirement": req, "status": next(o for o in order if o in statuses), "steps": steps}
            for req, (statuses, steps) in sorted(seen.items())]


def junit(state: CampaignState, lang: str = "fr") -> str:
    """junit.xml: one test case per step (classname the plan, name the step)."""
    fail_on = state.plan.fail_on
    cases = []
    for s in state.steps.values():
        st = state.state_of(s)
        name = quoteattr(f"{s.step.id} — {s.step.title}")
        bad = [c for c in s.checks if failed(c, fail_on)]
        body = ""
        if bad or (s.answer is not None and s.answer["value"] != "yes"):
            text = "\n".join(f"{c['requirement']} {c['check']}: {shown(c.get('message'), lang)}"
                             for c in bad) or label("answered_no", lang, question=s.step.question)
            body = f"<failure message={quoteattr(text.splitlines()[0])}>{escape(text)}</failure>"
        elif st not in ("judged", "confirmed") or any(unverified(c) for c in s.checks):
            why = s.reason or state_label(st, lang)
            if st in ("judged", "confirmed"):
                why = label("not_evaluated", lang, requirements=", ".join(
                    c["requirement"] for c in s.checks if unverified(c)))
            body = f"<skipped message={quoteattr(why)}/>"
        cases.append(f'  <testcase classname={quoteattr(state.plan.id)} name={name}>{body}</testcase>')
    failures = sum("<failure" in c for c in cases)
    skipped = sum("<skipped" in c for c in cases)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuite name={quoteattr("campaign " + state.plan.id)} tests="{len(cases)}" '
            f'failures="{failures}" skipped="{skipped}" errors="0">\n' + "\n".join(cases)
            + "\n</testsuite>\n")


def _code(text: Any) -> str:
    """Target text code-quoted for Markdown (no link, image or mention)."""
    value = str(text).replace("`", "'").replace("\n", " ")
    return f"`{value}`"


def _verdict(doc: dict[str, Any], lang: str) -> str:
    key = str(doc["verdict"])
    return L[key](lang) if key in L else key


def _read(read: dict[str, Any], lang: str) -> str:
    """What was read of an unattributed file, our notes in ``lang``."""
    ours = {k: shown(v, lang) if isinstance(v, dict) and "fr" in v else v for k, v in read.items()}
    return json.dumps(ours, ensure_ascii=False)


def summary(doc: dict[str, Any], lang: str = "fr") -> str:
    """summary.md, in ``lang``."""
    said = "".join(f" — {_code(n)}" for n in doc.get("notices", []))
    plan = doc["plan"]["id"]
    out = [f"# {label('heading', lang, plan=plan, verdict=_verdict(doc, lang))}{said}", "",
           label("plan", lang, plan=plan, version=doc["plan"]["version"],
                 tester=_code(doc.get("tester"))), "",
           L["table"](lang), "|---|---|---|"]
    for s in doc["steps"]:
        bad = [c["requirement"] for c in s["checks"] if c["status"] == "fail"]
        out.append(f"| {s['id']} | {state_label(s['state'], lang)} | {', '.join(bad) or '—'} |")
    if doc["reasons"]:
        out += ["", f"## {L['why'](lang)}", ""] + [f"- {_code(r)}" for r in doc["reasons"]]
    if doc["declarations"]:
        out += ["", f"## {L['declarations'](lang)}", ""]
        out += [f"- {d['step']} : {_code(d['question'])} → **{_answer(d['value'], lang)}** "
                f"({_code(d['tester'])}, {d['at']})" for d in doc["declarations"]]
    return "\n".join(out) + "\n"


def _answer(value: Any, lang: str) -> str:
    return L[str(value)](lang) if str(value) in ("yes", "no") else str(value)


def report_html(doc: dict[str, Any], lang: str = "fr") -> str:
    """report.html, in ``lang``: self-contained, no script, everything escaped."""
    e = html.escape
    rows = []
    for s in doc["steps"]:
        checks = "".join(f"<li class=\"{e(c['status'])}\">{e(status_label(c, lang))} {e(c['requirement'])} — "
                         f"{e(c['message'])}</li>" for c in s["checks"])
        answer = s.get("answer")
        value = _answer(answer["value"], lang) if answer else ""
        said = "" if not answer else "<p>" + e(label("declaration", lang, value=value,
                                                      tester=answer["tester"], at=answer["at"])) + "</p>"
        rows.append(f"<section><h2>{e(s['id'])} — {e(s['title'])} : {e(state_label(s['state'], lang))}</h2>"
                    f"<pre>{e(s['instructions'])}</pre>{said}<ul>{checks}</ul></section>")
    reasons = "".join(f"<li>{e(r)}</li>" for r in doc["reasons"])
    unattributed = "".join(f"<li>{e(str(u['name']))} {e(u['sha256'][:12])}: {e(_read(u['read'], lang))}</li>"
                           for u in doc["unattributed"])
    title = label("campaign", lang, plan=doc["plan"]["id"])
    return (f"<!DOCTYPE html>\n<html lang=\"{e(lang)}\"><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>body{{font:15px/1.45 system-ui,sans-serif;"
            "max-width:1000px;margin:auto;padding:1rem}pre{white-space:pre-wrap;background:#f6f6f6;padding:.4rem}"
            ".fail{color:#a10d0d}.pass{color:#0b6b2b}.skip{color:#555}</style></head><body>"
            f"<h1>{e(label('html_heading', lang, plan=doc['plan']['id'], verdict=_verdict(doc, lang)))}</h1>"
            + "".join(f"<p class=\"notice\">{e(n)}</p>" for n in doc.get("notices", []))
            + f"<ul>{reasons}</ul>"
            + "".join(rows)
            + (f"<h2>{e(L['unattributed'](lang))}</h2><ul>{unattributed}</ul>" if unattributed else "")
            + "</body></html>\n")


def coverage_csv(doc: dict[str, Any]) -> str:
    """coverage.csv: requirement, status, steps."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["requirement", "status", "steps"])
    for row in doc["coverage"]:
        writer.writerow([row["requirement"], row["status"], " ".join(row["steps"])])
    return out.getvalue()


def write_reports(state: CampaignState, folder: Path, key: Path | None = None,
                  lang: str = "fr") -> int:
    """Every report of a closed campaign in ``lang``, then the manifest (signed with ``key``);
    the number of files it covers."""
    from conformance.evidence.bundle import write_manifest

    doc = report_document(state, lang)
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    (folder / "report.json").write_text(text, encoding="utf-8")
    (folder / "report.html").write_text(report_html(doc, lang), encoding="utf-8")
    (folder / "junit.xml").write_text(junit(state, lang), encoding="utf-8")
    (folder / "summary.md").write_text(summary(doc, lang), encoding="utf-8")
    (folder / "coverage.csv").write_text(coverage_csv(doc), encoding="utf-8")
    info = {"kind": "campaign", "harness": __version__, "plan": doc["plan"], "verdict": doc["verdict"],
            "journalHead": journal.last_hash(folder), "startedAt": doc["startedAt"],
            "closedAt": doc["closedAt"]}
    return write_manifest(folder, info, key)
