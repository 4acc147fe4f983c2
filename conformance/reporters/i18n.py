"""The one label table of every human-facing report (console, summary.md, report.html):
French by default, English on request. Domain words (créer, consulter…) stay French."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        # verdicts (DESIGN §5)
        "conforme": "CONFORME", "non-conforme": "NON CONFORME", "incomplet": "INCOMPLET",
        "interrompu": "INTERROMPU",
        "md.conforme": "✅ Conforme", "md.non-conforme": "❌ Non conforme",
        "md.incomplet": "⚠️ Incomplet", "md.interrompu": "⏹️ Interrompu",
        # statuses
        "pass": "réussi", "fail": "échec", "warn": "avertissement", "skip": "non applicable",
        "error": "erreur", "md_skip": "non évaluée(s) ou non applicable(s)",
        "suite_hash": "Empreinte de la suite", "signature": "Signature",
        "signed_by": "manifest.json signé par la clé {0} (conformance verify --public-key)",
        "unsigned": "non signé (conformance run --sign)",
        "harness": "Banc", "proof": "Pages imprimées vérifiées (aucune anomalie)",
        "not_evaluated": "Vérifications non évaluées ou non applicables, et pourquoi",
        "coverage_legend": "Chaque scénario est coloré par le pire résultat de l'exigence : "
                           "vert réussi, rouge échec, brun avertissement, violet erreur, gris non "
                           "évalué ou non applicable.",
        # severities
        "blocking": "bloquante", "major": "majeure", "minor": "mineure", "info": "info",
        # words
        "run": "Campagne", "target": "Cible", "software": "Logiciel", "scenarios": "scénarios",
        "scenario": "scénario", "step": "étape", "verdict": "Verdict", "operation": "Opération",
        "requirement": "exigence", "severity": "gravité", "finding": "constat",
        "anomalies": "Anomalies", "anomalies_at": "anomalie(s) au seuil", "expected": "attendu",
        "observed": "observé", "fix": "correction", "evidence": "preuves", "reports": "Rapports",
        "interrupted": "interrompu", "run_interrupted": "**Campagne interrompue.**",
        "checks": "vérifications", "passed": "réussies", "failed": "en échec",
        "more": "autre(s) : voir `report.html`", "and": "et", "seed": "Graine", "profile": "Profil",
        "title": "Rapport de conformité — ordonnance numérique",
        "summary": "Synthèse par opération et gravité", "none": "Aucune anomalie.",
        "coverage": "Couverture des exigences", "na": "non applicable", "page": "Page imprimée",
        "selftest": "Auto-test : défauts détectés", "fault": "Défaut", "detected": "Détecté",
        "caught": "Détecté par", "yes": "oui", "no": "NON", "warnings": "Avertissements",
        "generated": "Prescription générée la plus petite en échec",
        "legend": "Rouge : code 2D. Bleu : mentions repérées.", "location": "emplacement",
        "unverified": "Non vérifié", "accepted": "accepté (--accept-unverified)",
        "baseline_known": "Anomalies connues (--baseline), non comptées",
        "baseline_expired": "Entrée expirée de la baseline, anomalie comptée",
        "baseline_stale": "Ne se produit plus, à retirer de la baseline",
        "unverified_help": "Exigences que la campagne n'a pas pu établir : le verdict ne peut pas "
                           "être conforme tant qu'elles ne sont pas vérifiées ou explicitement acceptées.",
        "not-applicable": "non applicable", "not-evaluated": "non évalué",
        # operations (the report's grouping; DESIGN §5)
        "op.créer": "créer", "op.consulter": "consulter", "op.rechercher": "rechercher",
        "op.impression": "impression", "op.téléservice": "téléservice", "op.robustesse": "robustesse",
        "consequences": "conséquence(s) non évaluée(s)",
        # what qualifies a verdict (issue 26): never a partial or baselined run as the suite's
        "known_n": "{0} anomalie(s) connue(s) (baseline {1})",
        "partial_n": "sélection partielle ({0}): {1} scénarios sur {2}",
        "unfuzzed": "sans --fuzz : défaut {0} indétectable ici",
        "fuzz_only": "le défaut {0} n'est trouvé que par le fuzzing : sans --fuzz, cette campagne ne "
                     "peut pas le détecter (ajouter --fuzz 10)",
    },
    "en": {
        "conforme": "CONFORMING", "non-conforme": "NOT CONFORMING", "incomplet": "INCOMPLETE",
        "interrompu": "INTERRUPTED",
        "md.conforme": "✅ Conforming", "md.non-conforme": "❌ Not conforming",
        "md.incomplet": "⚠️ Incomplete", "md.interrompu": "⏹️ Interrupted",
        "pass": "pass", "fail": "fail", "warn": "warning", "skip": "not applicable",
        "error": "error", "md_skip": "not evaluated or not applicable",
        "suite_hash": "Suite hash", "signature": "Signature",
        "signed_by": "manifest.json signed by key {0} (conformance verify --public-key)",
        "unsigned": "not signed (conformance run --sign)",
        "harness": "Harness", "proof": "Printed pages checked (no anomaly)",
        "not_evaluated": "Checks not evaluated or not applicable, and why",
        "coverage_legend": "Each scenario is coloured by the requirement's worst result: green "
                           "passed, red failed, brown warning, purple error, grey not evaluated or "
                           "not applicable.",
        "blocking": "blocking", "major": "major", "minor": "minor", "info": "info",
        "run": "Run", "target": "Target", "software": "Software", "scenarios": "scenarios",
        "scenario": "scenario", "step": "step", "verdict": "Verdict", "operation": "Operation",
        "requirement": "requirement", "severity": "severity", "finding": "finding",
        "anomalies": "Anomalies", "anomalies_at": "anomaly(ies) at threshold", "expected": "expected",
        "observed": "observed", "fix": "fix", "evidence": "evidence", "reports": "Reports",
        "interrupted": "interrupted", "run_interrupted": "**Run interrupted.**",
        "checks": "checks", "passed": "passed", "failed": "failed",
        "more": "more: see `report.html`", "and": "and", "seed": "Seed", "profile": "Profile",
        "title": "Conformance report — French e-prescription",
        "summary": "Summary by operation and severity", "none": "No anomaly.",
        "coverage": "Requirement coverage", "na": "not applicable", "page": "Printed page",
        "selftest": "Self-test: faults detected", "fault": "Fault", "detected": "Detected",
        "caught": "Caught by", "yes": "yes", "no": "NO", "warnings": "Warnings",
        "generated": "Smallest failing generated prescription",
        "legend": "Red: code 2D. Blue: mentions found.", "location": "location",
        "unverified": "Unverified", "accepted": "accepted (--accept-unverified)",
        "baseline_known": "Known anomalies (--baseline), not counted",
        "baseline_expired": "Expired baseline entry, anomaly counted",
        "baseline_stale": "No longer occurs, remove it from the baseline",
        "unverified_help": "Requirements the run could not establish: the verdict cannot be "
                           "conforming until they are verified or explicitly accepted.",
        "not-applicable": "not applicable", "not-evaluated": "not evaluated",
        "op.créer": "create", "op.consulter": "consult", "op.rechercher": "search",
        "op.impression": "printing", "op.téléservice": "teleservice", "op.robustesse": "robustness",
        "consequences": "consequence(s) not evaluated",
        "known_n": "{0} known anomaly(ies) (baseline {1})",
        "partial_n": "partial selection ({0}): {1} scenarios of {2}",
        "unfuzzed": "without --fuzz: fault {0} undetectable here",
        "fuzz_only": "fault {0} is found only by fuzzing: without --fuzz this run cannot detect it "
                     "(add --fuzz 10)",
    },
}
assert LABELS["fr"].keys() == LABELS["en"].keys()


def labels(lang: str) -> dict[str, str]:
    """The label table of ``lang`` (fr or en)."""
    return LABELS.get(lang, LABELS["fr"])
