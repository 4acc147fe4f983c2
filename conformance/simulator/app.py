"""HTTP/JSON routes of the teleservice simulator (contract: contract/teleservice.openapi.yaml)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance.problems import PROBLEM_JSON, problem
from conformance.simulator.faults import KINDS, OPERATIONS, Fault, FaultBoard
from conformance.simulator.store import Store

_ID = re.compile(r"^[0-9A-Z]{18}$")
Handler = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


class BadRequest(Exception):
    """A request the simulator refuses with a 4xx problem."""

    def __init__(self, status: int, title: str, detail: str, rule: str | None = None) -> None:
        super().__init__(detail)
        self.body = problem(status, title, detail, rule)
        self.status = status


def _obj(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise BadRequest(400, "Requête invalide", f"'{key}' must be an object")
    return value


def _requester(body: dict[str, Any]) -> dict[str, Any]:
    demandeur = _obj(body, "demandeur")
    if not isinstance(demandeur.get("rpps"), str):
        raise BadRequest(400, "Requête invalide", "'demandeur.rpps' is required")
    return demandeur


class Lease:
    """One run at a time: the journal and the faults are the whole simulator's, so a second
    run would read the first's journal entries and suffer its faults (false anomalies). A run
    holds the lease while it runs; every control call it makes renews it; a run that died
    without releasing it loses it after ``ttl`` seconds of silence."""

    def __init__(self) -> None:
        self.holder: str | None = None
        self.since = ""
        self.expires = 0.0

    def take(self, holder: str, ttl: float, now: float) -> str | None:
        """None when ``holder`` now holds the lease; else who holds it."""
        if self.holder not in (None, holder) and now < self.expires:
            return self.holder
        if self.holder != holder:
            self.since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.holder, self.expires = holder, now + ttl
        return None

    def renew(self, holder: str | None, now: float) -> None:
        if holder is not None and holder == self.holder:
            self.expires = max(self.expires, now + LEASE_TTL)

    def release(self, holder: str) -> None:
        if holder == self.holder:
            self.holder, self.expires = None, 0.0


LEASE_TTL = 300.0
LEASE_HEADER = "x-conformance-run"


class Simulator:
    """The simulator's behaviour, independent of HTTP plumbing."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.faults = FaultBoard()
        self.lease = Lease()

    def ep4(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Register a prescription (créer)."""
        rx = _obj(body, "prescription")
        pid = rx.get("id")
        if not isinstance(pid, str) or not _ID.match(pid):
            raise BadRequest(400, "Identifiant invalide", "id must be 18 chars of [0-9A-Z]", "EF_EP04.ID")
        patient = _obj(rx, "patient")
        _obj(rx, "prescripteur")
        nom = patient.get("nomFamille")
        if not isinstance(nom, str) or not nom.strip() or len(nom) > 100:
            raise BadRequest(
                400, "Nom de famille invalide", "patient family name: 1 to 100 characters", "EF_EP04.01"
            )
        if not isinstance(patient.get("ins"), str) or not isinstance(rx.get("lignes"), list):
            raise BadRequest(400, "Requête invalide", "'patient.ins' and 'lignes' are required")
        if not self.store.insert_prescription(rx):
            raise BadRequest(409, "Identifiant déjà enregistré", f"{pid} already exists", "EF_EP04.DUP")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return 201, {"id": pid, "statut": "enregistree", "dateEnregistrement": now}

    def ep3(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Consult a prescription; execution data only when allowed (consent rule)."""
        demandeur = _requester(body)
        if not demandeur.get("am") and not demandeur.get("finess"):
            raise BadRequest(
                400, "Identification incomplète", "the requester's AM or FINESS is required",
                "EF_EP3_E303_03",
            )
        rx = self.store.get_prescription(str(body.get("id")))
        if rx is None:
            raise BadRequest(404, "Prescription inconnue", f"no prescription {body.get('id')}")
        if rx["prescripteur"]["rpps"] != demandeur["rpps"]:
            raise BadRequest(403, "Accès refusé", "only the prescriber may consult this prescription")
        objects = bool(rx.get("consentement", {}).get("opposition", False))
        answer: dict[str, Any] = {"prescription": rx, "executionsMasquees": objects}
        if not objects:
            answer["executions"] = self.store.executions(rx["id"])
        return 200, answer

    def ep2(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Search the requester's prescriptions."""
        demandeur = _requester(body)
        found = self.store.search(demandeur["rpps"], body.get("patient"), body.get("du"), body.get("au"))
        results = [
            {
                "id": rx["id"],
                "dateOrdonnance": rx.get("dateOrdonnance"),
                "patient": {k: rx["patient"].get(k) for k in ("ins", "nomFamille", "prenom")},
                "prescripteur": {"rpps": rx["prescripteur"]["rpps"]},
            }
            for rx in found
        ]
        return 200, {"resultats": results, "total": len(results)}

    def ep1(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Record an execution, as a pharmacist or another executing professional."""
        pid = str(body.get("id"))
        if self.store.get_prescription(pid) is None:
            raise BadRequest(404, "Prescription inconnue", f"no prescription {pid}")
        execution = {"executant": _obj(body, "executant"), "lignes": body.get("lignes", [])}
        execution["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.store.add_execution(pid, execution)
        return 201, {"id": pid, "statut": "executee"}


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(400, "JSON invalide", f"the body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise BadRequest(400, "JSON invalide", "the body must be a JSON object")
    return body


def _problem_response(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=int(body["status"]), media_type=PROBLEM_JSON)


async def _apply_fault(fault: Fault) -> JSONResponse | None:
    if fault.kind in ("latency", "timeout"):
        await asyncio.sleep(fault.delay_ms / 1000)
    if fault.kind == "unavailable":
        return _problem_response(problem(503, "Service indisponible", "fault injected: unavailable"))
    if fault.kind == "timeout":
        return _problem_response(problem(504, "Délai dépassé", "fault injected: timeout"))
    if fault.kind == "error":
        return _problem_response(problem(500, "Erreur interne", "fault injected: error"))
    return None


def _operation(sim: Simulator, name: str, handler: Handler) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def endpoint(request: Request) -> JSONResponse:
        body: dict[str, Any] = {}
        fault = sim.faults.take(name)
        try:
            body = await _json_body(request)
            faulted = await _apply_fault(fault) if fault else None
            if faulted is not None:
                status, answer = faulted.status_code, json.loads(bytes(faulted.body))
            else:
                status, answer = handler(body)
        except BadRequest as exc:
            status, answer = exc.status, exc.body
        inner = body.get("prescription")
        pid = body.get("id") or (inner.get("id") if isinstance(inner, dict) else None)
        context = body.get("contexte", {})
        sim.store.log(name, pid if isinstance(pid, str) else None, context, body, status, answer)
        media = PROBLEM_JSON if status >= 400 else "application/json"
        return JSONResponse(answer, status_code=status, media_type=media)

    return endpoint


def _int_param(request: Request, name: str, default: int) -> int:
    try:
        return int(request.query_params.get(name, default))
    except ValueError as exc:
        raise BadRequest(400, "Paramètre invalide", f"'{name}' must be an integer") from exc


def _control_routes(sim: Simulator) -> list[Route]:
    async def lease(request: Request) -> JSONResponse:
        try:
            body = await _json_body(request)
        except BadRequest as exc:
            return _problem_response(exc.body)
        holder = body.get("holder")
        if not isinstance(holder, str) or not 0 < len(holder) <= 100:
            return _problem_response(problem(400, "Bail invalide", "'holder' must be a short string"))
        if request.method == "DELETE":
            sim.lease.release(holder)
            return JSONResponse({"holder": sim.lease.holder})
        ttl = body.get("ttl", LEASE_TTL)
        if not isinstance(ttl, int | float) or not 0 < ttl <= 3600:
            return _problem_response(problem(400, "Bail invalide", "'ttl' must be 1 to 3600 seconds"))
        other = sim.lease.take(holder, float(ttl), time.monotonic())
        if other is not None:
            left = max(0, round(sim.lease.expires - time.monotonic()))
            return _problem_response(problem(
                409, "Simulateur occupé", f"in use by run {other} since {sim.lease.since} (its lease "
                f"ends in {left} s unless it goes on)"))
        return JSONResponse({"holder": holder, "since": sim.lease.since})

    async def journal(request: Request) -> JSONResponse:
        sim.lease.renew(request.headers.get(LEASE_HEADER), time.monotonic())
        try:
            since = _int_param(request, "since", 0)
            limit = _int_param(request, "limit", 0)
        except BadRequest as exc:
            return _problem_response(exc.body)
        if limit < 0:
            return _problem_response(problem(400, "Paramètre invalide", "'limit' must be positive"))
        q = request.query_params
        entries, cursor = sim.store.journal(since, q.get("operation"), q.get("id"), limit or None,
                                            bodies=q.get("bodies") != "false")
        return JSONResponse({"entries": entries, "cursor": cursor})

    async def faults(request: Request) -> JSONResponse:
        sim.lease.renew(request.headers.get(LEASE_HEADER), time.monotonic())
        if request.method == "DELETE":
            sim.faults.clear()
        elif request.method == "POST":
            try:
                sim.faults.add(_parse_fault(await _json_body(request)))
            except BadRequest as exc:
                return _problem_response(exc.body)
        return JSONResponse({"faults": [f.to_json() for f in sim.faults.active()]})

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "service": "teleservice-simulator"})

    return [
        Route("/journal", journal, methods=["GET"]),
        Route("/lease", lease, methods=["POST", "DELETE"]),
        Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/health", health, methods=["GET"]),
    ]


def _parse_fault(body: dict[str, Any]) -> Fault:
    operation = body.get("operation", "*")
    kind = body.get("kind")
    if operation not in (*OPERATIONS, "*"):
        raise BadRequest(400, "Faute invalide", f"operation must be one of {OPERATIONS} or '*'")
    if kind not in KINDS:
        raise BadRequest(400, "Faute invalide", f"kind must be one of {KINDS}")
    count = body.get("count")
    delay = body.get("delayMs", 10_000 if kind == "timeout" else 0)
    if count is not None and (not isinstance(count, int) or count < 1):
        raise BadRequest(400, "Faute invalide", "count must be a positive integer or null")
    if not isinstance(delay, int) or not 0 <= delay <= 600_000:
        raise BadRequest(400, "Faute invalide", "delayMs must be an integer from 0 to 600000")
    return Fault(operation, kind, count, delay)


def create_app(store: Store | None = None) -> Starlette:
    """The simulator as an ASGI application."""
    sim = Simulator(store or Store())
    routes = [
        Route("/ep4/prescriptions", _operation(sim, "EP4", sim.ep4), methods=["POST"]),
        Route("/ep3/consultation", _operation(sim, "EP3", sim.ep3), methods=["POST"]),
        Route("/ep2/recherche", _operation(sim, "EP2", sim.ep2), methods=["POST"]),
        Route("/ep1/executions", _operation(sim, "EP1", sim.ep1), methods=["POST"]),
        *_control_routes(sim),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed})
    app.state.simulator = sim
    return app


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return _problem_response(problem(404, "Introuvable", f"no route {request.url.path}"))


async def _not_allowed(request: Request, exc: Exception) -> JSONResponse:
    return _problem_response(problem(405, "Méthode non permise", f"{request.method} not allowed"))
