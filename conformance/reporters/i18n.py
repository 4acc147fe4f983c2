"""Labels of the human-facing reports, French by default, English on request."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "run": "Campagne", "target": "Cible", "scenarios": "scénarios", "verdict": "Verdict",
        "conforme": "CONFORME", "non-conforme": "NON CONFORME", "operation": "Opération",
        "pass": "réussi", "fail": "échec", "warn": "avertissement", "skip": "non applicable",
        "error": "erreur", "anomalies": "Anomalies", "expected": "attendu", "observed": "observé",
        "fix": "correction", "reports": "Rapports", "interrupted": "INTERROMPU",
        "checks": "vérifications", "passed": "réussies",
    },
    "en": {
        "run": "Run", "target": "Target", "scenarios": "scenarios", "verdict": "Verdict",
        "conforme": "CONFORMING", "non-conforme": "NOT CONFORMING", "operation": "Operation",
        "pass": "pass", "fail": "fail", "warn": "warning", "skip": "not applicable",
        "error": "error", "anomalies": "Anomalies", "expected": "expected", "observed": "observed",
        "fix": "fix", "reports": "Reports", "interrupted": "INTERRUPTED",
        "checks": "checks", "passed": "passed",
    },
}


def labels(lang: str) -> dict[str, str]:
    """The label table of ``lang`` (fr or en)."""
    return LABELS.get(lang, LABELS["fr"])
