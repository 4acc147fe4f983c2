"""RFC 9457 problem documents shared by the reference implementation and the simulator."""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, rule: str | None = None) -> dict[str, Any]:
    """Build a problem+json body; ``rule`` names the business rule (e.g. EF_EP04.01)."""
    body: dict[str, Any] = {
        "type": f"urn:epresc:problem:{rule}" if rule else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if rule:
        body["rule"] = rule
    return body
