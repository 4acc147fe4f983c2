"""Deliberate defects of the reference implementation, one per name (``--fault NAME``)."""

from __future__ import annotations

FAULTS: dict[str, str] = {
    "qr-wrong-id": "the code 2D carries another identifier than the prescription's",
    "consent-inverted": "EP4 sends the opposite of the requested consent flag",
    "search-misses-latest": "search drops the most recent prescription from its results",
    "consult-drops-line": "consult returns the prescription without its last line",
    "missing-data-mention": "the paper omits the data-transmission paragraph",
    "id-too-short": "identifiers have 17 characters instead of 18",
    "duplicate-ids": "identifiers come from a one-second clock only: concurrent creations collide",
    "search-leaks-other-patients": "search ignores the patient criterion",
    "no-ep4-call": "create answers 'registered' without ever calling EP4",
    "ep4-birthdate-shift": "EP4 receives the birth date one day earlier (timezone conversion)",
    "number-mismatch": "the number printed under the code 2D differs from the identifier",
    "consult-wrong-id": "consult answers with the identifier in lower case",
    # the printed ordonnance
    "qr-missing-birthdate": "the code 2D payload has no birth date (D.P.D)",
    "qr-not-json": "the code 2D holds a home-made pipe-separated text, not v2 JSON",
    "qr-latin1": "the code 2D payload is encoded in ISO 8859-1, not UTF-8",
    "qr-trailing-space": "the identifier inside the code 2D has a trailing space",
    "qr-top-right": "the code 2D is printed in the top-right corner",
    "qr-too-small": "the code 2D is printed 16 mm wide (modules of 0.26 mm)",
    "qr-quiet-zone-text": "a caption is printed inside the code 2D's quiet zone",
    "number-missing": "no 'N°<id>' under the code 2D",
    "number-letter-o": "the printed number has the letter O for each zero",
    "missing-consent-mention": "the paper omits the consent paragraph",
    "consent-printed-opposite": "EP4 gets the right consent flag, the paper prints the opposite",
    "nonsubstituable-no-motive": "'Non substituable' printed without MTE/EFG/CIF",
    "name-off-page": "the patient's name is printed on one line whatever its length: a long one runs "
                     "off the right edge of the page",
    "nr-not-printed": "non-reimbursable lines are printed without 'NR'",
    "resend-failed-later": "a prescription reported 'non-enregistree' when EP4 failed is sent again "
                           "silently with the next creation, and registered under an id nobody was given",
    "ald-wrong-zone": "an ALD line is printed in the non-ALD (bottom) zone",
    "prescriber-no-am": "the prescriber's AM (or FINESS) number is not printed",
    "patient-no-birthdate": "the patient's birth date is not printed",
    "no-prescription-date": "the prescription date is not printed",
    "renewals-not-printed": "renewals are not printed",
    "replaced-not-identified": "a replacing doctor's paper does not name the replaced doctor",
    "rpps-wrong-key-printed": "the prescriber's RPPS is printed with a wrong key digit",
    # consent, degraded mode, identities, round-trips
    "consent-not-sent": "EP4 is sent without the consent flag (the base assumes no objection)",
    "consent-ignored-on-consult": "consult shows 'no objection' whatever the base says",
    "executions-hidden": "consult never shows execution data, even when allowed",
    "qr-in-degraded-mode": "in degraded mode, the paper still carries a code 2D and a number",
    "phantom-id": "when EP4 fails, create answers 'registered' with an id nobody registered",
    "line-type-dropped": "pédicurie lines are silently dropped before EP4",
    "no-local-validation": "invalid input is sent to the teleservice instead of refused locally",
    "duplicate-accepted": "re-posting a prescription with its id registers a new one",
    "accents-nfd": "names are sent in Unicode NFD (decomposed accents)",
    "accents-latin1": "names are sent as UTF-8 bytes read back as Latin-1 (mojibake)",
    "posology-cut-100": "EP4 receives posologies cut at 100 characters",
    "consult-lines-reordered-swapped": "consult returns lines in reverse order, posology and "
                                       "duration swapped",
    "search-misses-last-second": "search misses prescriptions registered in the last second",
    # found by fuzzing (conformance fuzz), not by the scenarios
    "search-crashes-without-du": "search answers 500 when 'au' is given without 'du'",
}

# The DMP copy's faults (CDA eP-MED-DM): served at /prescriptions/{id}/dmp, caught by the CDA
# checks of the bundled scenarios' ``dmp`` steps (scenarios/dmp/).
DMP_FAULTS: dict[str, str] = {
    "dmp-service-event-wrong-id": "the DMP copy's serviceEvent/id carries another identifier",
    "dmp-service-event-missing": "the DMP copy has no serviceEvent/id although the prescription "
                                 "is registered",
    "dmp-ins-production-root": "the DMP copy identifies the patient with the production INS "
                               "root in a test environment",
    "dmp-author-replaced": "a replacing doctor's DMP copy names the replaced doctor as author",
    "dmp-line-missing": "the DMP copy omits the last prescribed line",
    "dmp-quantity-changed": "the DMP copy gives a device one package instead of the prescribed "
                            "quantity",
    "dmp-ald-lost": "the DMP copy marks every line 'not ALD'",
    "dmp-nr-lost": "the DMP copy marks every line reimbursable",
    "dmp-validity-inverted": "the DMP copy's validity ends before it starts",
    "dmp-pdf-stale": "the DMP copy carries the PDF of an earlier version (before the last line)",
    "dmp-pdf-not-pdf": "the DMP copy's 'PDF' is the HTML preview of the ordonnance",
    "dmp-template-2023": "the DMP copy declares the volet's older template version 2023.01",
}

FAULTS.update(DMP_FAULTS)

# Faults that only the fuzzer (ROB-01/ROB-02) is expected to find; the self-test runs the
# scenarios, so it leaves these out and the fuzz tests prove they are caught.
FUZZ_ONLY = frozenset({"search-crashes-without-du"})


def check_names(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Validate fault names; raise ValueError naming the unknown ones."""
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}; see --list-faults")
    return frozenset(names)
