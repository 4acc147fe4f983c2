"""MiniLAP's adapter: the contract epresc-conformance tests (`conformance contract adapter`),
served over MiniLAP with Starlette. Run it: python adapter.py --teleservice URL [--port 8080]."""

from __future__ import annotations

import argparse
import json
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# Printing a conforming ordonnance is your software's own work; to keep the tutorial short,
# MiniLAP borrows the harness's reference printer (not a public API of epresc-conformance).
from conformance.reference import printing
from lap import LINE_TYPES, SOFTWARE, MiniLap, Refused


def problem(status: int, detail: str, rule: str | None = None) -> JSONResponse:
    """An error as the contract wants it: application/problem+json naming the rule."""
    body = {"title": "Refusé", "status": status, "detail": detail, "rule": rule}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def create_app(lap: MiniLap) -> Starlette:
    """The five operations of the adapter contract."""

    def about(request: Request) -> Response:
        return JSONResponse({"logiciel": {"nom": SOFTWARE["logiciel"], "version": SOFTWARE["version"]},
                             "versionContrat": "1.0", "capacites": {"typesLignes": LINE_TYPES}})

    async def create(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            if not isinstance(body, dict) or not {"prescripteur", "patient", "lignes"} <= body.keys():
                return problem(400, "prescripteur, patient and lignes are required")
            pid = lap.prescribe(body)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return problem(400, f"malformed prescription: {exc!r}")
        except Refused as exc:
            return problem(exc.status, exc.detail, exc.rule)
        return JSONResponse({"id": pid, "statut": "enregistree",
                             "papier": f"/prescriptions/{pid}/paper"}, status_code=201)

    def consult(request: Request) -> Response:
        q = request.query_params
        try:
            answer = lap.consult(request.path_params["id"], q.get("rpps"), q.get("am"), q.get("finess"))
        except Refused as exc:
            return problem(exc.status, exc.detail, exc.rule)
        view: dict[str, Any] = {**answer["prescription"], "statut": "enregistree",
                                "executionsMasquees": answer["executionsMasquees"]}
        if "executions" in answer:
            view["executions"] = answer["executions"]
        return JSONResponse(view)

    def search(request: Request) -> Response:
        q = request.query_params
        if not q.get("prescripteur"):
            return problem(400, "'prescripteur' (RPPS) is required")
        patient = q.get("patient") or q.get("ins") or q.get("nir")
        try:
            found = lap.search(q["prescripteur"], patient, q.get("du"), q.get("au"))
        except Refused as exc:
            return problem(exc.status, exc.detail, exc.rule)
        return JSONResponse({"resultats": found, "total": len(found)})

    def paper(request: Request) -> Response:
        rx = lap.prescriptions.get(request.path_params["id"])
        if rx is None:
            return problem(404, "no such prescription")
        informed = rx["consentement"].get("dateInformation") or rx["dateOrdonnance"]
        options = printing.PaperOptions(printing.qr_payload(rx, rx["id"]), rx["id"], informed)
        return Response(printing.render(rx, options), media_type="application/pdf")

    return Starlette(routes=[
        Route("/about", about), Route("/prescriptions", create, methods=["POST"]),
        Route("/prescriptions", search), Route("/prescriptions/{id}", consult),
        Route("/prescriptions/{id}/paper", paper)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teleservice", required=True, help="the teleservice simulator's URL")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    uvicorn.run(create_app(MiniLap(args.teleservice)), host="127.0.0.1", port=args.port,
                log_level="warning")
