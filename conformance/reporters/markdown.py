"""summary.md: a short verdict for a merge-request comment, rendered from report.json."""

from __future__ import annotations

from typing import Any

from conformance.reporters.summary import OPERATION_ORDER

SEVERITIES = ("blocking", "major", "minor")


def _cell(text: Any) -> str:
    """Table-cell text: no markup from a target survives (GitLab renders inline HTML)."""
    cut = str(text).replace("\n", " ")[:160]
    return (cut.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("`", "'"))


def render(report: dict[str, Any], limit: int = 15) -> str:
    """Verdict, counts by operation, and the first anomalies."""
    ok = report.get("verdict") == "conforme"
    summary = report.get("summary") or {}
    checks = (summary.get("checks") or {})
    lines = [f"### {'✅ Conforme' if ok else '❌ Non conforme'} — epresc-conformance",
             "",
             f"{(summary.get('scenarios') or {}).get('total', 0)} scénarios, "
             f"{checks.get('total', 0)} vérifications ({checks.get('pass', 0)} réussies, "
             f"{checks.get('fail', 0)} en échec), {summary.get('anomalies', 0)} anomalie(s) "
             f"au seuil `{report.get('failOn')}`." + (" **Campagne interrompue.**"
                                                     if report.get("interrupted") else ""),
             "", "| opération | " + " | ".join(SEVERITIES) + " | réussies |",
             "|---|" + "---|" * (len(SEVERITIES) + 1)]
    for op in OPERATION_ORDER:
        row = (summary.get("byOperation") or {}).get(op)
        if row and any(row.values()):
            lines.append(f"| {op} | " + " | ".join(str(row.get(s, 0)) for s in SEVERITIES)
                         + f" | {row.get('pass', 0)} |")
    failed = [(sc, st, c) for sc in report.get("scenarios", []) for st in sc.get("steps", [])
              for c in st.get("checks", []) if c.get("status") == "fail"]
    if failed:
        lines += ["", "| exigence | gravité | scénario | constat |", "|---|---|---|---|"]
        for sc, st, c in failed[:limit]:
            lines.append(f"| {c['requirement']} | {c['severity']} | {_cell(sc['id'])} "
                         f"(étape {st['index'] + 1}) | {_cell(c['message'])} |")
        if len(failed) > limit:
            lines.append(f"\n… et {len(failed) - limit} autre(s) : voir `report.html`.")
    return "\n".join(lines) + "\n"
