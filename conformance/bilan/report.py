"""The bilan's outputs: ``bilan.md`` and a self-contained ``bilan.html`` (inline SVG charts,
``charts``: no script, no network), in one language, French by default."""

from __future__ import annotations

import html
from typing import Any

CLASSES = ("intrinseque", "environnement", "inconnu")

LABELS = {
    "fr": {
        "title": "Bilan de présérie", "met": "ATTEINT", "not_met": "NON ATTEINT",
        "verdict_ok": "Tous les critères et modalités sont atteints : déploiement généralisé possible.",
        "verdict_ko": "Critères ou modalités non atteints : pas de déploiement généralisé en l'état.",
        "period": "Période", "software": "Logiciel", "criteria": "Critères", "modalities": "Modalités",
        "doctors": "Médecins", "events": "événements", "prescriptions": "prescriptions",
        "calls": "appels", "warnings": "Avertissements", "doctor": "Médecin", "situation": "Situation",
        "rate": "Taux numérique", "registered": "Enregistrées (EP4)", "ops": "Appels réussis EP4/EP3/EP2",
        "failures": "Échecs (intrinsèques / environnement / inconnus)",
        "chart_rate": "Taux d'ordonnances numériques par médecin (seuil 50 %)",
        "chart_trend": "Tendance hebdomadaire du taux numérique",
        "chart_reg": "Enregistrement EP4 réussi par médecin (seuil 70 %)",
        "chart_fail": "Échecs d'appels par opération et par classe",
        "C1": "C1 — au moins 50 % d'ordonnances numériques par médecin",
        "C2": "C2 — au moins 70 % des ordonnances numériques enregistrées",
        "C3": "C3 — pas d'anomalie intrinsèque empêchant créer, consulter, rechercher",
        "C4": "C4 — prérequis techniques identifiés (attestation valide)",
        "C5": "C5 — satisfaction : chaque médecin a répondu, aucun frein bloquant",
        "intrinseque": "intrinsèque", "environnement": "environnement", "inconnu": "inconnu",
        "below": "sous le seuil", "none": "aucun", "week": "semaine",
    },
    "en": {
        "title": "Présérie bilan", "met": "MET", "not_met": "NOT MET",
        "verdict_ok": "Every criterion and modality is met: general deployment may proceed.",
        "verdict_ko": "Criteria or modalities not met: no general deployment as it stands.",
        "period": "Period", "software": "Software", "criteria": "Criteria", "modalities": "Modalities",
        "doctors": "Doctors", "events": "events", "prescriptions": "prescriptions", "calls": "calls",
        "warnings": "Warnings", "doctor": "Doctor", "situation": "Situation", "rate": "E-prescription rate",
        "registered": "Registered (EP4)", "ops": "Successful calls EP4/EP3/EP2",
        "failures": "Failures (intrinsic / environment / unknown)",
        "chart_rate": "E-prescription rate per doctor (threshold 50 %)",
        "chart_trend": "Weekly trend of the e-prescription rate",
        "chart_reg": "EP4 registration success per doctor (threshold 70 %)",
        "chart_fail": "Failed calls by operation and class",
        "C1": "C1 — at least 50 % e-prescriptions per doctor",
        "C2": "C2 — at least 70 % of e-prescriptions registered",
        "C3": "C3 — no intrinsic anomaly preventing create, consult, search",
        "C4": "C4 — technical prerequisites identified (valid attestation)",
        "C5": "C5 — satisfaction: every doctor answered, no blocking issue",
        "intrinseque": "intrinsic", "environnement": "environment", "inconnu": "unknown",
        "below": "below the threshold", "none": "none", "week": "week",
    },
}


def _pct(rate: dict[str, Any] | None) -> str:
    if rate is None:
        return "—"
    return f"{100 * rate['valeur']:.1f} % ({rate['numerateur']}/{rate['denominateur']})"


def _criterion_line(c: dict[str, Any], t: dict[str, str]) -> str:
    detail = c.get("detail", {})
    if c["id"] == "C1":
        below = detail.get("medecinsSousLeSeuil") or []
        return f"{t['below']}: {', '.join(below) if below else t['none']}"
    if c["id"] == "C2":
        return _pct(c.get("taux"))
    if c["id"] == "C3":
        unexplained = [x for x in detail.get("anomaliesIntrinseques") or [] if not x["explique"]]
        parts = list(detail.get("operationsSansSucces") or []) + [
            f"{x['code']} ({x['appels']})" for x in unexplained]
        return ", ".join(parts) or t["none"]
    if c["id"] == "C4":
        return f"{len(detail.get('attestations') or [])} attestation(s)"
    if c["id"] == "C5":
        missing = (detail.get("sansReponse") or []) + (detail.get("freinBloquant") or [])
        return ", ".join(missing) or (detail.get("raison") or t["none"])
    return ""


def render_markdown(bilan: dict[str, Any], lang: str = "fr") -> str:
    """bilan.md: the verdict, criteria, modalities and doctors (target text code-quoted)."""
    t = LABELS[lang]

    def code(value: Any) -> str:
        return "`" + str(value).replace("`", "'").replace("\n", " ") + "`"

    period = bilan["periode"]
    lines = [f"# {t['title']}", "",
             f"**{t['verdict_ok'] if bilan['met'] else t['verdict_ko']}**", "",
             f"{t['software']}: {code(bilan['editeur']['logiciel'])} {code(bilan['editeur']['version'])} — "
             f"{t['period']}: {period['debut']} → {period['fin']} — {bilan['events']['prescriptions']} "
             f"{t['prescriptions']}, {bilan['events']['appels']} {t['calls']}", "",
             f"## {t['criteria']}", "", "| | | |", "|---|---|---|"]
    for c in bilan["criteria"]:
        lines.append(f"| {t[c['id']]} | {'✅ ' + t['met'] if c['met'] else '❌ ' + t['not_met']} | "
                     f"{code(_criterion_line(c, t))} |")
    lines += ["", f"## {t['modalities']}", "", "| | | |", "|---|---|---|"]
    for m in bilan["modalities"]:
        lines.append(f"| {m['id']} | {'✅ ' + t['met'] if m['met'] else '❌ ' + t['not_met']} | "
                     f"{code(m['detail'])} |")
    lines += ["", f"## {t['doctors']}", "",
              f"| {t['doctor']} | {t['situation']} | {t['rate']} | {t['registered']} |", "|---|---|---|---|"]
    for d in bilan["doctors"]:
        flag = " ⚠" if d["tauxNumerique"] is None or d["tauxNumerique"]["valeur"] < 0.5 else ""
        lines.append(f"| {code(d['rpps'])} | {d['situation']} | {_pct(d['tauxNumerique'])}{flag} | "
                     f"{_pct(d['tauxEnregistrement'])} |")
    if bilan["warnings"]:
        lines += ["", f"## {t['warnings']}", ""] + [f"- {code(w)}" for w in bilan["warnings"][:50]]
    return "\n".join(lines) + "\n"


def charts(bilan: dict[str, Any], lang: str = "fr") -> list[tuple[str, str]]:
    """(title, inline SVG) for each chart."""
    from conformance.bilan.charts import rate_bars, stacked_bars, week_lines

    t = LABELS[lang]
    doctors = bilan["doctors"]
    names = [f"{d['rpps']}\n{d['situation']}" for d in doctors]

    def percent(rate: dict[str, Any] | None) -> float:
        return 100 * float((rate or {"valeur": 0})["valeur"])

    weeks = sorted({w["semaine"] for d in doctors for w in d["semaines"] if w["taux"] is not None})
    series = [(d["rpps"], {w["semaine"]: 100 * w["taux"]["valeur"] for w in d["semaines"]
                           if w["taux"] is not None}) for d in doctors]
    operations = list(doctors[0]["operations"]) if doctors else []
    layers = [(t[cls], colour, [sum(d["operations"][op][cls] for d in doctors) for op in operations])
              for cls, colour in (("intrinseque", "#c62828"), ("environnement", "#f9a825"),
                                  ("inconnu", "#6d4c41"))]
    return [(t["chart_rate"], rate_bars(names, [percent(d["tauxNumerique"]) for d in doctors], 50)),
            (t["chart_trend"], week_lines(weeks, series, 50, t["week"])),
            (t["chart_reg"], rate_bars(names, [percent(d["tauxEnregistrement"]) for d in doctors], 70)),
            (t["chart_fail"], stacked_bars(operations, layers, t["calls"]))]


def render_html(bilan: dict[str, Any], lang: str = "fr") -> str:
    """bilan.html: self-contained, every value from the inputs escaped."""
    t = LABELS[lang]
    e = html.escape

    def badge(met: bool) -> str:
        return f'<b class="{"ok" if met else "ko"}">{t["met"] if met else t["not_met"]}</b>'

    period = bilan["periode"]
    verdict = t["verdict_ok"] if bilan["met"] else t["verdict_ko"]
    rows = "".join(
        f"<tr><td>{e(t[c['id']])}</td><td>{badge(c['met'])}</td><td>{e(_criterion_line(c, t))}</td></tr>"
        for c in bilan["criteria"])
    mods = "".join(f"<tr><td>{e(m['id'])}</td><td>{badge(m['met'])}</td><td>{e(m['detail'])}</td></tr>"
                   for m in bilan["modalities"])
    docs = ""
    for d in bilan["doctors"]:
        ops = d["operations"]
        low = d["tauxNumerique"] is None or d["tauxNumerique"]["valeur"] < 0.5
        docs += (f"<tr{' class=low' if low else ''}><td>{e(d['rpps'])}</td><td>{e(d['situation'])}</td>"
                 f"<td>{e(_pct(d['tauxNumerique']))}</td><td>{e(_pct(d['tauxEnregistrement']))}</td>"
                 f"<td>{' / '.join(str(ops[o]['succes']) for o in ops)}</td>"
                 f"<td>{' / '.join(str(sum(ops[o][c] for o in ops)) for c in CLASSES)}</td></tr>")
    figures = "".join(f"<figure><figcaption>{e(title)}</figcaption>{svg}</figure>"
                      for title, svg in charts(bilan, lang))
    warnings = "".join(f"<li>{e(w)}</li>" for w in bilan["warnings"][:200])
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{e(t['title'])}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}}
.ok{{color:#2e7d32}}.ko{{color:#c62828}}tr.low td{{background:#fdecea}}figure{{margin:1rem 0}}
figcaption{{font-weight:bold}}svg{{max-width:100%;height:auto}}</style></head><body>
<h1>{e(t['title'])}</h1>
<p><b class="{'ok' if bilan['met'] else 'ko'}">{e(verdict)}</b></p>
<p>{e(t['software'])}: {e(bilan['editeur']['logiciel'])} {e(bilan['editeur']['version'])} —
{e(t['period'])}: {e(str(period['debut']))} → {e(str(period['fin']))} —
{bilan['events']['prescriptions']} {e(t['prescriptions'])}, {bilan['events']['appels']} {e(t['calls'])}</p>
<h2>{e(t['criteria'])}</h2><table>{rows}</table>
<h2>{e(t['modalities'])}</h2><table>{mods}</table>
<h2>{e(t['doctors'])}</h2><table><tr><th>{e(t['doctor'])}</th><th>{e(t['situation'])}</th>
<th>{e(t['rate'])}</th><th>{e(t['registered'])}</th><th>{e(t['ops'])}</th><th>{e(t['failures'])}</th></tr>{docs}</table>
{figures}
{f"<h2>{e(t['warnings'])}</h2><ul>{warnings}</ul>" if warnings else ""}
</body></html>
"""
