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

SCHEMA_VERSION = "1.0"
_PATIENT = ("nomFamille", "prenom", "sexe", "dateNaissance", "nir", "ins")


def _step(state: CampaignState, s: StepState) -> dict[str, Any]:
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
    out["checks"] = [{"requirement": c["requirement"], "status": c["status"], "message": c["message"],
                      **({"skip": c["skip"]} if "skip" in c else {})} for c in s.checks]
    if s.answer is not None:
        out["answer"] = {k: s.answer[k] for k in ("value", "note", "tester", "at")}
    if s.reason is not None:
        out["reason"] = s.reason
    return out


def _kind(kind: Any) -> str:
    return {"pdf": "pdf", "image": "image", "cda": "cda"}.get(str(kind), "other")


def status_document(state: CampaignState) -> dict[str, Any]:
    """``status --json``."""
    started = state.started
    current = str(state.closed.get("verdict")) if state.closed is not None else "en-cours"
    return {
        "campaign": started.get("plan", {}).get("id"),
        "plan": {"id": state.plan.id, "version": state.plan.version,
                 "sha256": started.get("plan", {}).get("sha256")},
        "harness": started.get("harness"),
        "verdict": current,
        "steps": [_step(state, s) for s in state.steps.values()],
        "unattributed": [{"sha256": sha, "name": u.get("name"), "read": u.get("read", {})}
                         for sha, u in state.unattributed.items()],
    }


def report_document(state: CampaignState) -> dict[str, Any]:
    """report.json: the status document, the verdict with its reasons, declarations and coverage."""
    found, reasons = verdict(state)
    doc = status_document(state)
    doc.update({"schemaVersion": SCHEMA_VERSION, "verdict": str(found), "reasons": reasons,
                "notices": notices(state), "cdaRules": state.started.get("cdaRules"),
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


def junit(state: CampaignState) -> str:
    """junit.xml: one test case per step (classname the plan, name the step)."""
    fail_on = state.plan.fail_on
    cases = []
    for s in state.steps.values():
        st = state.state_of(s)
        name = quoteattr(f"{s.step.id} — {s.step.title}")
        bad = [c for c in s.checks if failed(c, fail_on)]
        body = ""
        if bad or (s.answer is not None and s.answer["value"] != "yes"):
            text = "\n".join(f"{c['requirement']} {c['check']}: {c['message']}" for c in bad) or \
                f"answered no: {s.step.question}"
            body = f"<failure message={quoteattr(text.splitlines()[0])}>{escape(text)}</failure>"
        elif st not in ("judged", "confirmed") or any(unverified(c) for c in s.checks):
            why = s.reason or st
            if st in ("judged", "confirmed"):
                why = "not evaluated: " + ", ".join(c["requirement"] for c in s.checks if unverified(c))
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


def summary(doc: dict[str, Any]) -> str:
    """summary.md."""
    said = "".join(f" — {_code(n)}" for n in doc.get("notices", []))
    out = [f"# Campagne {doc['plan']['id']} — verdict : **{doc['verdict']}**{said}", "",
           f"Plan {doc['plan']['id']} v{doc['plan']['version']}, testeur {_code(doc.get('tester'))}.", "",
           "| étape | état | contrôles en échec |", "|---|---|---|"]
    for s in doc["steps"]:
        bad = [c["requirement"] for c in s["checks"] if c["status"] == "fail"]
        out.append(f"| {s['id']} | {s['state']} | {', '.join(bad) or '—'} |")
    if doc["reasons"]:
        out += ["", "## Pourquoi", ""] + [f"- {_code(r)}" for r in doc["reasons"]]
    if doc["declarations"]:
        out += ["", "## Déclarations du testeur", ""]
        out += [f"- {d['step']} : {_code(d['question'])} → **{d['value']}** ({_code(d['tester'])}, {d['at']})"
                for d in doc["declarations"]]
    return "\n".join(out) + "\n"


def report_html(doc: dict[str, Any]) -> str:
    """report.html: self-contained, no script, everything escaped."""
    e = html.escape
    rows = []
    for s in doc["steps"]:
        checks = "".join(f"<li class=\"{e(c['status'])}\">{e(c['status'])} {e(c['requirement'])} — "
                         f"{e(c['message'])}</li>" for c in s["checks"])
        answer = s.get("answer")
        said = (f"<p>Déclaration : {e(str(answer['value']))} ({e(str(answer['tester']))}, "
                f"{e(str(answer['at']))})</p>") if answer else ""
        rows.append(f"<section><h2>{e(s['id'])} — {e(s['title'])} : {e(s['state'])}</h2>"
                    f"<pre>{e(s['instructions'])}</pre>{said}<ul>{checks}</ul></section>")
    reasons = "".join(f"<li>{e(r)}</li>" for r in doc["reasons"])
    unattributed = "".join(f"<li>{e(str(u['name']))} {e(u['sha256'][:12])}: "
                           f"{e(json.dumps(u['read'], ensure_ascii=False))}</li>"
                           for u in doc["unattributed"])
    return ("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
            f"<title>Campagne {e(doc['plan']['id'])}</title><style>body{{font:15px/1.45 system-ui,sans-serif;"
            "max-width:1000px;margin:auto;padding:1rem}pre{white-space:pre-wrap;background:#f6f6f6;padding:.4rem}"
            ".fail{color:#a10d0d}.pass{color:#0b6b2b}.skip{color:#555}</style></head><body>"
            f"<h1>Campagne {e(doc['plan']['id'])} : {e(doc['verdict'])}</h1>"
            + "".join(f"<p class=\"notice\">{e(n)}</p>" for n in doc.get("notices", []))
            + f"<ul>{reasons}</ul>"
            + "".join(rows)
            + (f"<h2>Fichiers non attribués</h2><ul>{unattributed}</ul>" if unattributed else "")
            + "</body></html>\n")


def coverage_csv(doc: dict[str, Any]) -> str:
    """coverage.csv: requirement, status, steps."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["requirement", "status", "steps"])
    for row in doc["coverage"]:
        writer.writerow([row["requirement"], row["status"], " ".join(row["steps"])])
    return out.getvalue()


def write_reports(state: CampaignState, folder: Path, key: Path | None = None) -> dict[str, Any]:
    """Every report of a closed campaign, then the manifest (signed with ``key``)."""
    from conformance.evidence.bundle import write_manifest

    doc = report_document(state)
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    (folder / "report.json").write_text(text, encoding="utf-8")
    (folder / "report.html").write_text(report_html(doc), encoding="utf-8")
    (folder / "junit.xml").write_text(junit(state), encoding="utf-8")
    (folder / "summary.md").write_text(summary(doc), encoding="utf-8")
    (folder / "coverage.csv").write_text(coverage_csv(doc), encoding="utf-8")
    info = {"kind": "campaign", "harness": __version__, "plan": doc["plan"], "verdict": doc["verdict"],
            "journalHead": journal.last_hash(folder), "startedAt": doc["startedAt"],
            "closedAt": doc["closedAt"]}
    return write_manifest(folder, info, key)
