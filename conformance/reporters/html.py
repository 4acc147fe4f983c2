"""report.html: one self-contained page rendered from report.json (and the bundle's pages).

Inline CSS and images, no script, no network. Everything that came from a target goes
through ``html.escape``: a target cannot inject markup into the auditor's browser.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from conformance.reporters.i18n import labels
from conformance.reporters.summary import OPERATION_ORDER, SEVERITIES, noticed, qualifiers

MENTION_WORDS = ("e-prescription", "n°", "assurance maladie", "autorité parentale", "ameli",
                 "consulter ce qui a été", "page ")
MAX_IMAGES = 40  # pages inlined (each ~60 kB): every paper anomaly of any real run
_VERDICT_CLASS = {"conforme": "ok", "incomplet": "inc"}
CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;margin:0 auto;
max-width:1100px;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#eef}
.verdict{display:inline-block;padding:.4rem .9rem;border-radius:4px;font-weight:700;font-size:1.2rem}
.ok{background:#0b6b2b;color:#fff}.ko{background:#a10d0d;color:#fff}.inc{background:#8a5a00;color:#fff}
.fail{color:#a10d0d;font-weight:600}.pass{color:#0b6b2b}.skip{color:#555}.warn{color:#7a4a00}
.error{color:#6b006b;font-weight:600}
.anomaly{border:1px solid #c99;border-left:6px solid #a10d0d;padding:.5rem .8rem;margin:.8rem 0;
page-break-inside:avoid}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.4rem;margin:.2rem 0;
font-size:.85rem}
figure{margin:.5rem 0}.sheet{position:relative;display:inline-block;max-width:100%;border:1px solid #888}
.sheet img{display:block;max-width:100%;height:auto}.box{position:absolute;border:2px solid}
.qr{border-color:#d00}.mention{border-color:#06c}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
@media print{body{max-width:none;padding:0}a{color:inherit}.anomaly,figure{page-break-inside:avoid}}
"""


def _e(value: Any) -> str:
    """Escape anything for HTML text or attribute context."""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, indent=1, default=str)
    return html.escape(value, quote=True)


def render(report: dict[str, Any], folder: Path | None, lang: str = "fr") -> str:
    """The whole page; ``folder`` is the bundle (for page images), None to leave them out."""
    return "".join(chunks(report, folder, lang))


def chunks(report: dict[str, Any], folder: Path | None, lang: str = "fr") -> Iterator[str]:
    """The page piece by piece, as ``write_html`` writes it: its scenarios (the spool, read
    again for each section) are never all in memory, nor is the page."""
    t = labels(lang)
    verdict = report.get("verdict", "non-conforme")
    about = (report.get("target") or {}).get("about") or {}
    software: dict[str, Any] = about["logiciel"] if isinstance(about.get("logiciel"), dict) else {}
    baseline = report.get("baseline") or {}
    said = qualifiers(len(baseline.get("known") or []), str(baseline.get("file") or ""),
                      report.get("partial"), list(report.get("fuzzOnlyFaults") or []), t)
    notices = noticed([str(n) for n in report.get("notices") or []])
    parts: list[str | Iterable[str]] = [
        f'<!DOCTYPE html><html lang="{_e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(t['title'])}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{_e(t['title'])}</h1>",
        f'<p><span class="verdict {_VERDICT_CLASS.get(verdict, "ko")}" role="status">'
        f"{_e(t['verdict'])} : {_e(', '.join([t.get(verdict, verdict), *said]) + notices)}</span></p>",
        "<dl>",
        f"<dt>{_e(t['target'])}</dt><dd>{_e((report.get('target') or {}).get('url', ''))}</dd>",
        f"<dt>{_e(t['software'])}</dt><dd>{_e(software.get('nom', ''))} {_e(software.get('version', ''))}"
        f" — {_e(software.get('editeur', ''))}</dd>",
        f"<dt>{_e(t['run'])}</dt><dd>{_e(report.get('runId', ''))} ({_e(report.get('started', ''))} → "
        f"{_e(report.get('finished', ''))})</dd>",
        f"<dt>{_e(t['profile'])}</dt><dd>{_e((report.get('profile') or {}).get('name', ''))}</dd>",
        f"<dt>{_e(t['seed'])}</dt><dd>{_e(str(report.get('seed', '')))}</dd>",
        f"<dt>{_e(t['harness'])}</dt><dd>epresc-conformance "
        f"{_e((report.get('harness') or {}).get('version', ''))}</dd>",
        f"<dt>{_e(t['suite_hash'])}</dt><dd><code>{_e(report.get('suiteHash') or '—')}</code></dd>",
        f"<dt>{_e(t['signature'])}</dt><dd>{_e(_signature(report, t))}</dd>",
        "</dl>",
        _summary(report, t),
        _unverified(report, t),
        _anomalies(report, folder, t),
        _proof(report, folder, t),
        _coverage(report, t),
        _skipped(report, t),
    ]
    if report.get("selfTest"):
        parts.append(_selftest(report["selfTest"], t))
    parts.append("</main></body></html>\n")
    for n, part in enumerate(parts):  # joined by new lines; a section's pieces follow each other
        if n:
            yield "\n"
        if isinstance(part, str):
            yield part
        else:
            yield from part


def _summary(report: dict[str, Any], t: dict[str, str]) -> str:
    rows = (report.get("summary") or {}).get("byOperation") or {}
    head = "".join(f'<th scope="col">{_e(t[s])}</th>' for s in SEVERITIES)
    body = []
    for op in OPERATION_ORDER:
        row = rows.get(op)
        if not row or not any(row.values()):
            continue
        cells = "".join(f'<td class="{"fail" if row.get(s) else ""}">{row.get(s, 0)}</td>'
                        for s in SEVERITIES)
        body.append(f'<tr><th scope="row">{_e(t.get(f"op.{op}", op))}</th>{cells}'
                    f'<td>{row.get("pass", 0)}</td></tr>')
    return (f"<h2>{_e(t['summary'])}</h2><table><thead><tr><th scope=\"col\">{_e(t['operation'])}</th>"
            f"{head}<th scope=\"col\">{_e(t['passed'])}</th></tr></thead><tbody>{''.join(body)}"
            "</tbody></table>")


def _unverified(report: dict[str, Any], t: dict[str, str]) -> str:
    items = report.get("unverified") or []
    if not items:
        return ""
    rows = "".join(
        f'<tr><th scope="row">{_e(u["requirement"])}</th><td>{_e(t.get(u["severity"], u["severity"]))}</td>'
        f'<td>{_e(u["reason"])}</td><td>{_e(", ".join(u.get("scenarios") or []))}</td>'
        f'<td>{_e(t["accepted"] if u.get("accepted") else "")}</td></tr>' for u in items)
    return (f"<h2>{_e(t['unverified'])} ({len(items)})</h2><p>{_e(t['unverified_help'])}</p>"
            f"<table><thead><tr><th scope=\"col\">{_e(t['requirement'])}</th><th scope=\"col\">"
            f"{_e(t['severity'])}</th><th scope=\"col\">{_e(t['finding'])}</th><th scope=\"col\">"
            f"{_e(t['scenarios'])}</th><th scope=\"col\"></th></tr></thead><tbody>{rows}</tbody></table>")


def _failures(report: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    return ((sc, st, c) for sc in report.get("scenarios", []) for st in sc.get("steps", [])
            for c in st.get("checks", []) if c.get("status") in ("fail", "error"))


def _anomalies(report: dict[str, Any], folder: Path | None, t: dict[str, str]) -> Iterator[str]:
    """Every failure, one section each, its lines joined by new lines: counted in a first pass
    over the scenarios, written in a second."""
    count = sum(1 for _ in _failures(report))
    yield f"<h2>{_e(t['anomalies'])} ({count})</h2>"
    if not count:
        yield f"\n<p>{_e(t['none'])}</p>"
    images = 0
    shown_pages: set[str] = set()
    for sc, st, c in _failures(report):
        out: list[str] = []
        evidence = st.get("evidence") or ""
        out.append('<section class="anomaly">')
        out.append(f"<h3><span class=\"{_e(c.get('status'))}\">{_e(c.get('requirement'))}</span> "
                   f"[{_e(t.get(str(c.get('severity')), c.get('severity')))}] {_e(c.get('title'))}</h3>")
        out.append(f"<p>{_e(t['scenario'])} <strong>{_e(sc.get('id'))}</strong> — {_e(sc.get('title'))}, "
                   f"{_e(t['step'])} {int(st.get('index', 0)) + 1} ({_e(st.get('kind'))})</p>")
        out.append(f"<p>{_e(c.get('message'))}</p><dl>")
        if c.get("location"):
            out.append(f"<dt>{_e(t['location'])}</dt><dd><code>{_e(c.get('location'))}</code></dd>")
        out.append(f"<dt>{_e(t['expected'])}</dt><dd><pre>{_e(c.get('expected'))}</pre></dd>")
        out.append(f"<dt>{_e(t['observed'])}</dt><dd><pre>{_e(c.get('observed'))}</pre></dd>")
        if c.get("diff"):
            out.append(f"<dt>diff</dt><dd><pre>{_e(chr(10).join(map(str, c['diff'])))}</pre></dd>")
        if c.get("hint"):
            out.append(f"<dt>{_e(t['fix'])}</dt><dd>{_e(c.get('hint'))}</dd>")
        if evidence:
            link = f'<a href="{_e(evidence)}/">{_e(evidence)}/</a>'
            out.append(f"<dt>{_e(t['evidence'])}</dt><dd>{link}</dd>")
        following = _consequences(sc, st, c)
        if following:
            out.append(f"<dt>{len(following)} {_e(t['consequences'])}</dt>"
                       f"<dd>{_e(', '.join(following))}</dd>")
        out.append("</dl>")
        if st.get("kind") == "paper" and folder is not None and evidence not in shown_pages \
                and images < MAX_IMAGES:
            figure = _page(folder, evidence, t)
            if figure:
                out.append(figure)
                shown_pages.add(evidence)
                images += 1
        if sc.get("generated") and (sc["generated"] or {}).get("falsifying"):
            out.append(f"<details><summary>{_e(t['generated'])}</summary><pre>"
                       f"{_e(sc['generated']['falsifying'])}</pre></details>")
        out.append("</section>")
        yield "\n" + "\n".join(out)


def _consequences(sc: dict[str, Any], st: dict[str, Any], c: dict[str, Any]) -> list[str]:
    """The checks not evaluated because this one failed (one root cause, one anomaly)."""
    key = f"{c.get('check')}@{int(st.get('index', 0)) + 1}"
    return [f"{other.get('requirement')} {other.get('check')} ({int(step.get('index', 0)) + 1})"
            for step in sc.get("steps", []) for other in step.get("checks", [])
            if other.get("cause") == key]


def _signature(report: dict[str, Any], t: dict[str, str]) -> str:
    signer = report.get("signer")
    return t["signed_by"].format(signer) if signer else t["unsigned"]


def _proof(report: dict[str, Any], folder: Path | None, t: dict[str, str]) -> str:
    """A green run shows what it checked: the first printed pages, boxes outlined."""
    if folder is None or next(_failures(report), None) is not None:
        return ""
    figures: list[str] = []
    for sc in report.get("scenarios", []):
        for st in sc.get("steps", []):
            if st.get("kind") == "paper" and st.get("evidence") and len(figures) < 3:
                figure = _page(folder, st["evidence"], t)
                if figure:
                    figures.append(f"<h3>{_e(sc['id'])}</h3>{figure}")
    return f"<h2>{_e(t['proof'])}</h2>{''.join(figures)}" if figures else ""


def _skipped(report: dict[str, Any], t: dict[str, str]) -> str:
    """Every check that did not judge, with its reason (collapsed: there may be many)."""
    rows: list[str] = []
    count = 0  # all of them counted, the first 500 listed (a long run has many)
    for sc in report.get("scenarios", []):
        for st in sc.get("steps", []):
            for c in st.get("checks", []):
                if c.get("status") == "skip":
                    count += 1
                    if len(rows) < 500:
                        rows.append(f"<li>{_e(sc['id'])} — {_e(c['requirement'])} {_e(c['check'])}: "
                                    f"{_e(c['message'])}</li>")
    if not rows:
        return ""
    return (f"<details><summary>{_e(t['not_evaluated'])} ({count})</summary><ul>{''.join(rows)}"
            "</ul></details>")


def _page(folder: Path, evidence: str, t: dict[str, str]) -> str:
    """Page 1 of a paper step as an inline image, with the code 2D and mention boxes outlined."""
    png, boxes = folder / evidence / "page-1.png", folder / evidence / "paper.json"
    annotated = folder / evidence / "page-1-annotated.png"  # the expected zone drawn on it
    if annotated.is_file():
        png = annotated
    if not png.is_file() or not boxes.is_file():
        return ""
    try:
        pages = json.loads(boxes.read_text(encoding="utf-8"))
        page = pages[0]
        width, height = float(page["widthMm"]), float(page["heightMm"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""

    def box(b: list[float], cls: str) -> str:
        x, y = 100 * b[0] / width, 100 * b[1] / height
        w, h = 100 * (b[2] - b[0]) / width, 100 * (b[3] - b[1]) / height
        return (f'<span class="box {cls}" style="left:{x:.2f}%;top:{y:.2f}%;width:{w:.2f}%;'
                f'height:{h:.2f}%"></span>')

    marks = [box(c["box"], "qr") for c in page.get("codes", [])]
    marks += [box(ln["box"], "mention") for ln in page.get("lines", [])
              if any(w in str(ln.get("text", "")).lower() for w in MENTION_WORDS)]
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    return (f'<figure><div class="sheet"><img src="data:image/png;base64,{data}" '
            f'alt="{_e(t["page"])} — {_e(evidence)}">{"".join(marks)}</div>'
            f"<figcaption>{_e(t['page'])} — {_e(t['legend'])}</figcaption></figure>")


_RANK = {"error": 0, "fail": 1, "warn": 2, "pass": 3, "skip": 4}
_STATUS = {rank: status for status, rank in _RANK.items()}


def _coverage(report: dict[str, Any], t: dict[str, str]) -> Iterator[str]:
    """Requirement × scenarios: each scenario's worst verdict on that requirement. The cells
    are gathered in a private SQLite file, not in memory (a long run has tens of thousands),
    and read back sorted as Python sorts them (UTF-8's byte order is the code points' order)."""
    db = sqlite3.connect("")
    try:
        yield from _coverage_rows(db, report, t)
    finally:
        db.close()


def _coverage_rows(db: sqlite3.Connection, report: dict[str, Any], t: dict[str, str]) -> Iterator[str]:
    db.execute("PRAGMA cache_size = -512")  # 512 KiB, then the file: sorted there, not in memory
    db.execute("CREATE TABLE cell (requirement TEXT, scenario TEXT, rank INTEGER)")
    db.execute("CREATE TABLE na (scenario TEXT, reason TEXT)")  # scenarios not applicable, in order
    titles: dict[str, str] = {}  # each requirement's last check title
    for sc in report.get("scenarios", []):
        cells = []
        if sc.get("status") == "skip" and sc.get("reason"):
            db.execute("INSERT INTO na VALUES (?, ?)", (sc["id"], sc["reason"]))
            cells += [(req, sc["id"], _RANK["skip"]) for req in sc.get("requirements", [])]
        for st in sc.get("steps", []):
            for c in st.get("checks", []):
                cells.append((c["requirement"], sc["id"], _RANK[c["status"]]))
                titles[c["requirement"]] = c["title"]
        db.executemany("INSERT INTO cell VALUES (?, ?, ?)", cells)
    db.execute("CREATE INDEX by_requirement ON cell (requirement, scenario)")
    requirements = [req for (req,) in db.execute("SELECT DISTINCT requirement FROM cell")]
    yield (f"<h2>{_e(t['coverage'])}</h2><p>{_e(t['coverage_legend'])}</p><table><thead><tr>"
           f"<th scope=\"col\">{_e(t['requirement'])}</th><th scope=\"col\">{_e(t['scenarios'])}</th>"
           "</tr></thead><tbody>")
    for req in sorted(requirements, key=lambda r: (r.split("-")[0], r)):
        worst = db.execute("SELECT scenario, MIN(rank) FROM cell WHERE requirement = ? "
                           "GROUP BY scenario ORDER BY scenario", (req,))
        shown = ", ".join(f'<span class="{_e(_STATUS[rank])}">{_e(sid)}</span>' for sid, rank in worst)
        yield (f'<tr><th scope="row">{_e(req)}<br><small>{_e(titles.get(req, ""))}</small></th>'
               f"<td>{shown}</td></tr>")
    yield "</tbody></table>"
    na = db.execute("SELECT scenario, reason FROM na ORDER BY rowid")
    first = na.fetchone()
    if first is not None:
        yield f"<h3>{_e(t['na'])}</h3><ul>"
        for sid, reason in itertools.chain((first,), na):
            yield f"<li>{_e(sid)} — {_e(reason)}</li>"
        yield "</ul>"


def _selftest(data: dict[str, Any], t: dict[str, str]) -> str:
    rows = "".join(
        f"<tr><th scope=\"row\">{_e(f['name'])}</th><td class=\"{'pass' if f['detected'] else 'fail'}\">"
        f"{_e(t['yes'] if f['detected'] else t['no'])}</td><td>{_e(' '.join(f['caughtBy']))}</td>"
        f"<td>{_e(f['description'])}</td></tr>" for f in data.get("faults", []))
    return (f"<h2>{_e(t['selftest'])} — {data.get('detected')}/{data.get('faultCount')}, "
            f"faux positifs / false positives : {data.get('falsePositives')}</h2><table><thead><tr>"
            f"<th scope=\"col\">{_e(t['fault'])}</th><th scope=\"col\">{_e(t['detected'])}</th>"
            f"<th scope=\"col\">{_e(t['caught'])}</th><th scope=\"col\">description</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def write_html(report: dict[str, Any], folder: Path, lang: str = "fr") -> Path:
    """Write report.html into the run folder."""
    path = folder / "report.html"
    with path.open("w", encoding="utf-8", buffering=1 << 16) as out:
        for chunk in chunks(report, folder, lang):
            out.write(chunk)
    return path
