"""Checks: a registry of functions of one signature, one module per area."""

from __future__ import annotations

from conformance.checks import (  # noqa: F401 (registration)
    consent,
    degraded,
    footer,
    identifier,
    margins,
    mentions,
    names,
    national,
    roundtrip,
)
from conformance.checks.context import CheckContext, ScenarioState, StepData
from conformance.checks.registry import (
                   DEFAULTS,
                   REGISTRY,
                   CheckSpec,
                   ExchangeFailed,
                   Failed,
                   NotEvaluated,
                   Skipped,
                   Warned,
                   defaults,
                   requirement_severity,
)

defaults("create", ("created", "id_format", "id_alphabet", "same_id", "sent_equals_received",
                    "consent_sent", "identifiers_sent", "names_intact"))
defaults("consult", ("same_id", "same_as_created", "line_types", "consent_flag",
                     "executions_visibility", "names_intact"))
defaults("search", ("contains_id", "only_patient"))
defaults("paper", ("qr_present", "qr_payload", "same_id", "qr_values", "qr_position", "qr_size",
                   "qr_quiet_zone", "number_under_qr", "data_mention", "consent_mention",
                   "consent_matches", "legal_right_of_qr", "page_numbers", "qr_degraded",
                   "prescriber_identified", "patient_identified", "prescription_date",
                   "lines_printed", "substitution_motive", "bizone", "replaced_identified",
                   "identifiers_printed", "names_intact", "nothing_cut_off", "nr_printed"))
defaults("teleservice", ())
defaults("dispense", ())

__all__ = [
    "DEFAULTS",
    "REGISTRY",
    "CheckContext",
    "CheckSpec",
    "ExchangeFailed",
    "Failed",
    "NotEvaluated",
    "ScenarioState",
    "Skipped",
    "StepData",
    "Warned",
    "defaults",
    "requirement_severity",
]
