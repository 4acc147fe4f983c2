"""Where things live in a run folder (shared by the writer and the reports)."""

from __future__ import annotations


def step_dir(scenario_id: str, index: int, kind: str) -> str:
    """The evidence folder of a step, relative to the run folder."""
    return f"evidence/{scenario_id}/{index + 1:02d}-{kind}"
