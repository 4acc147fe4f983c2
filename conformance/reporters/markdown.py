"""summary.md: a short verdict for a merge-request comment, rendered from report.json."""

from __future__ import annotations

import re
from typing import Any

from conformance.reporters.i18n import labels
from conformance.reporters.summary import OPERATION_ORDER, noticed, printable, qualifiers

SEVERITIES = ("blocking", "major", "minor")


LIMIT = 600  # characters of a value shown whole; past it, the part around the difference


def _cell(text: Any, other: Any = None, limit: int = LIMIT) -> str:
    """Table-cell text quoted as code: no link, image, mention or markup from a target can
    render in the merge-request comment (a code span shows them as text, and shows them as
    they are: a command stays copyable, no HTML entity inside). A long value is cut around
    where it differs from ``other`` (or, for "expected 'A', observed 'B'", where B leaves A)."""
    flat = printable(" ".join(str(text).split()))
    cut = clip(flat, None if other is None else printable(" ".join(str(other).split())), limit)
    cut = cut.replace("|", "\\|")  # a table cell ends at a bare pipe, even in a code span
    if not cut:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", cut)), default=0) + 1)
    pad = " " if cut.startswith("`") or cut.endswith("`") else ""
    return f"{fence}{pad}{cut}{pad}{fence}"


_EXPECTED_OBSERVED = re.compile(r"expected '(?P<a>.*)', observed '(?P<b>.*)'")


def _divergence(text: str, other: str | None) -> int:
    """Where ``text``'s observed part leaves its expected part ("expected 'A', observed 'B'"),
    else where ``text`` stops agreeing with ``other``."""
    pair = _EXPECTED_OBSERVED.search(text)
    if pair is not None:
        return pair.start("b") + _common(pair.group("a"), pair.group("b"))
    return 0 if other is None else _common(text, other)


def _common(a: str, b: str) -> int:
    """The length of the prefix ``a`` and ``b`` share."""
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def clip(text: str, other: str | None = None, limit: int = LIMIT) -> str:
    """``text`` whole up to ``limit`` characters; past it, the window around its difference
    (a posology cut at 100 characters shows where it was cut, not its first words)."""
    if len(text) <= limit:
        return text
    at = _divergence(text, other)
    start = max(0, min(at - limit // 2, len(text) - limit))
    return ("…" if start else "") + text[start:start + limit] + ("…" if start + limit < len(text) else "")


def _value(value: Any) -> str:
    import json

    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _first_check(report: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    """The group's first failed check (its expected and observed values)."""
    for sc in report.get("scenarios", []):
        if sc["id"] not in group["scenarios"]:
            continue
        for st in sc.get("steps", []):
            for c in st.get("checks", []):
                if (c["check"], c["status"], c["message"]) == (group["check"], "fail", group["message"]):
                    return dict(c)
    return {}


def render(report: dict[str, Any], limit: int = 15, lang: str = "fr") -> str:
    """Verdict, counts by operation, and the first anomalies."""
    w = labels(lang)
    verdict = str(report.get("verdict", "non-conforme"))
    summary = report.get("summary") or {}
    checks = (summary.get("checks") or {})
    about = ((report.get("target") or {}).get("about") or {}).get("logiciel") or {}
    software = " ".join(str(about.get(k, "")) for k in ("nom", "version") if about.get(k)) or "?"
    baseline = report.get("baseline") or {}
    said = qualifiers(len(baseline.get("known") or []), str(baseline.get("file") or ""),
                      report.get("partial"), list(report.get("fuzzOnlyFaults") or []), w, _cell)
    notices = noticed([str(n) for n in report.get("notices") or []], _cell)
    lines = [f"### {', '.join([w.get('md.' + verdict, verdict), *said])}{notices} — epresc-conformance",
             "", *(f"> **{w['warnings']}**: {w['fuzz_only'].format(_cell(f))}\n"
                   for f in report.get("fuzzOnlyFaults") or []),
             f"{w['software']}: {_cell(software)} — {w['run']}: {_cell(report.get('runId', ''))} — "
             f"{w['profile']}: {_cell((report.get('profile') or {}).get('name', ''))}",
             "",
             f"{(summary.get('scenarios') or {}).get('total', 0)} {w['scenarios']}, "
             f"{checks.get('total', 0)} {w['checks']} ({checks.get('pass', 0)} {w['passed']}, "
             f"{checks.get('fail', 0)} {w['failed']}, {checks.get('warn', 0)} {w['warn']}, "
             f"{checks.get('skip', 0)} {w['md_skip']}, {checks.get('error', 0)} {w['error']}), "
             f"{summary.get('anomalies', 0)} {w['anomalies_at']} "
             f"`{report.get('failOn')}`." + (f" {w['run_interrupted']}" if report.get("interrupted") else ""),
             "", f"| {w['operation']} | " + " | ".join(w[s] for s in SEVERITIES) + f" | {w['passed']} |",
             "|---|" + "---|" * (len(SEVERITIES) + 1)]
    for op in OPERATION_ORDER:
        row = (summary.get("byOperation") or {}).get(op)
        if row and any(row.values()):
            lines.append(f"| {w.get(f'op.{op}', op)} | " + " | ".join(str(row.get(s, 0)) for s in SEVERITIES)
                         + f" | {row.get('pass', 0)} |")
    unverified = report.get("unverified") or []
    if unverified:
        lines += ["", f"**{w['unverified']}** — {w['unverified_help']}", ""]
        for u in unverified:
            accepted = f" — {w['accepted']}" if u.get("accepted") else ""
            lines.append(f"- {u['requirement']} ({w.get(u['severity'], u['severity'])}) — "
                         f"{_cell(u['reason'])}{accepted}")
    for key, items in (("baseline_known", [f"{k['requirement']} {k['check']} [{k['scenario']}] — "
                                           f"{k['reason']}" for k in baseline.get("known") or []]),
                       ("baseline_expired", baseline.get("expired") or []),
                       ("baseline_stale", baseline.get("stale") or [])):
        if items:
            lines += ["", f"**{w[key]}**", ""] + [f"- {_cell(item)}" for item in items[:limit]]
    groups = report.get("anomalyGroups") or []
    if groups:
        lines += ["", f"| {w['requirement']} | {w['severity']} | {w['scenarios']} | {w['finding']} | "
                      f"{w['expected']} | {w['observed']} |", "|---|---|---|---|---|---|"]
        for g in groups[:limit]:
            where = ", ".join(_cell(s) for s in g["scenarios"][:4])
            more = f" (+{len(g['scenarios']) - 4})" if len(g["scenarios"]) > 4 else ""
            first = _first_check(report, g)
            expected, observed = _value(first.get("expected")), _value(first.get("observed"))
            lines.append(f"| {g['requirement']} | {w.get(g['severity'], g['severity'])} | "
                         f"{where}{more} | {_cell(g['message'])} | {_cell(expected, observed)} | "
                         f"{_cell(observed, expected)} |")
        if len(groups) > limit:
            lines.append(f"\n… {w['and']} {len(groups) - limit} {w['more']}.")
    return "\n".join(lines) + "\n"
