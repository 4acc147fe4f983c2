"""Checks: a registry of functions of one signature, one module per area."""

from __future__ import annotations

from conformance.checks import identifier, mentions, paper, roundtrip  # noqa: F401 (registration)
from conformance.checks.context import CheckContext, ScenarioState, StepData
from conformance.checks.registry import (
                   DEFAULTS,
                   REGISTRY,
                   CheckSpec,
                   Failed,
                   Skipped,
                   Warned,
                   defaults,
)

defaults("create", ("created", "id_format", "id_alphabet", "same_id", "sent_equals_received"))
defaults("consult", ("same_id", "same_as_created"))
defaults("search", ("contains_id", "only_patient"))
defaults("paper", ("qr_present", "qr_payload", "same_id", "qr_values", "qr_position", "qr_size",
                   "qr_quiet_zone", "number_under_qr", "data_mention", "consent_mention",
                   "consent_matches", "legal_right_of_qr", "page_numbers", "qr_degraded",
                   "prescriber_identified", "patient_identified", "prescription_date",
                   "lines_printed", "substitution_motive", "bizone", "replaced_identified"))
defaults("teleservice", ())
defaults("dispense", ())

__all__ = [
    "DEFAULTS",
    "REGISTRY",
    "CheckContext",
    "CheckSpec",
    "Failed",
    "ScenarioState",
    "Skipped",
    "StepData",
    "Warned",
    "defaults",
    "identifier",
    "paper",
    "roundtrip",
]
