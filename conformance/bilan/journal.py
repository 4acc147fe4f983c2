"""The teleservice simulator's journal read as ``appel`` trace events: a harness campaign (or
a pilot wired to the simulator) gives the bilan the same calls the workstations would trace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

PARIS_TZ = "Europe/Paris"


def _rpps(request: Any, depth: int = 0) -> str | None:
    """The calling doctor's RPPS: ``demandeur.rpps`` (EP3, EP2) or the prescriber's (EP4)."""
    if not isinstance(request, dict) or depth > 3:
        return None
    for key in ("demandeur", "prescripteur"):
        inner = request.get(key)
        if isinstance(inner, dict) and isinstance(inner.get("rpps"), str):
            return str(inner["rpps"])
    for value in request.values():
        found = _rpps(value, depth + 1)
        if found:
            return found
    return None


def journal_events(entries: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One ``appel`` event per journal entry (EP4, EP3, EP2, EP1). The simulator does not know
    the software's local reference: an EP4's prescription id stands for it (C2 counts ids)."""
    from zoneinfo import ZoneInfo

    paris = ZoneInfo(PARIS_TZ)
    for entry in entries:
        status = entry.get("status")
        response = entry.get("response")
        ok = isinstance(status, int) and status < 400
        code = None
        if not ok:
            rule = response.get("rule") if isinstance(response, dict) else None
            code = str(rule) if rule else str(status)
        at = entry.get("at")
        when = dt.datetime.fromtimestamp(float(at), paris) if isinstance(at, int | float) else None
        event = {"evenement": "appel", "ts": when.isoformat() if when else None,
                 "rpps": _rpps(entry.get("request")), "service": entry.get("operation"),
                 "id": entry.get("id"), "resultat": "ok" if ok else "erreur", "code": code}
        if entry.get("operation") == "EP4" and entry.get("id"):
            event["ref"] = entry["id"]
        yield {k: v for k, v in event.items() if v is not None}
