"""Adapter API v1 served by the reference implementation (contract: contract/adapter.openapi.yaml)."""

from __future__ import annotations

import collections
import contextlib
import copy
import datetime as dt
import functools
import json
import secrets
import ssl
import time
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route

from conformance import __version__
from conformance.problems import PROBLEM_JSON, problem
from conformance.reference import dmp, printing
from conformance.reference.contract import body_problem, query_problem
from conformance.reference.faults import check_names
from conformance.reference.ids import IdGenerator
from conformance.reference.records import Records
from conformance.reference.validation import LINE_TYPES, Invalid, validate_create

CONTRACT_VERSION = "1.0"
SOFTWARE = {"logiciel": "epresc-reference", "version": __version__, "editeur": "epresc-conformance"}

PARIS = ZoneInfo("Europe/Paris")
PAPERS_KEPT = 64  # rendered papers kept in memory; an older one is drawn again, the same bytes


class TeleserviceDown(Exception):
    """EP4/EP3/EP2 unavailable, timing out or failing (5xx)."""


class Reference:
    """State and behaviour of the reference implementation."""

    def __init__(self, teleservice: httpx.AsyncClient, faults: frozenset[str]) -> None:
        self.ts = teleservice
        self.faults = faults
        self.ids = IdGenerator(coarse_clock="duplicate-ids" in faults)
        self.records = Records()  # prescriptions, prescribers seen, DMP copies sent: on disk
        self.papers: collections.OrderedDict[str, bytes] = collections.OrderedDict()  # the last few
        self.pending: list[dict[str, Any]] = []  # fault resend-failed-later: queued behind the user's back

    async def call(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """POST to the teleservice; TeleserviceDown on network failure or 5xx."""
        try:
            response = await self.ts.post(path, json={"contexte": SOFTWARE, **body})
        except httpx.HTTPError as exc:
            raise TeleserviceDown(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise TeleserviceDown(f"HTTP {response.status_code}")
        return response

    def sent_copy(self, rx: dict[str, Any]) -> dict[str, Any]:
        """What EP4 receives, with the faults that corrupt it."""
        sent = copy.deepcopy(rx)
        if "consent-inverted" in self.faults:
            sent["consentement"]["opposition"] = not sent["consentement"]["opposition"]
        if "consent-not-sent" in self.faults:
            del sent["consentement"]
        if "line-type-dropped" in self.faults:  # an unmapped type vanishes on the way
            sent["lignes"] = [ln for ln in sent["lignes"] if ln.get("type") != "actePedicurie"]
        if "posology-cut-100" in self.faults:
            for line in sent["lignes"]:
                if isinstance(line.get("posologie"), str):
                    line["posologie"] = line["posologie"][:100]
        for person in (sent["patient"], sent["prescripteur"]):
            for key in ("nomFamille", "prenom"):
                if "accents-nfd" in self.faults:
                    person[key] = unicodedata.normalize("NFD", person[key])
                if "accents-latin1" in self.faults:  # UTF-8 bytes read back as Latin-1
                    person[key] = person[key].encode("utf-8").decode("latin-1")
        if "ep4-birthdate-shift" in self.faults:
            born = dt.date.fromisoformat(sent["patient"]["dateNaissance"])
            sent["patient"]["dateNaissance"] = (born - dt.timedelta(days=1)).isoformat()
        return sent

    def requester(self, rpps: str | None, am: str | None, finess: str | None) -> dict[str, Any]:
        """The requesting doctor of EP3/EP2: given identifiers, completed from those seen."""
        known = self.records.prescriber(rpps or "")
        return {
            "rpps": rpps,
            "am": am or (None if finess else known.get("am")),
            "finess": finess or known.get("finess"),
        }


def _problem(status: int, title: str, detail: str, rule: str | None = None) -> JSONResponse:
    return JSONResponse(problem(status, title, detail, rule), status_code=status, media_type=PROBLEM_JSON)


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Invalid("EP_REQUETE", f"the body is not JSON: {exc}", 400) from exc
    if not isinstance(body, dict):
        raise Invalid("EP_REQUETE", "the body must be a JSON object", 400)
    return body


def _new_id(ref: Reference) -> str:
    pid = ref.ids.new()
    return pid[:17] if "id-too-short" in ref.faults else pid


async def _register(ref: Reference, rx: dict[str, Any]) -> JSONResponse:
    """EP4 with up to 3 fresh ids on a duplicate; degraded mode when the teleservice fails."""
    while ref.pending:  # fault resend-failed-later: what failed earlier goes out silently now
        late = ref.pending.pop(0)
        with contextlib.suppress(TeleserviceDown):
            await ref.call("/ep4/prescriptions", {"prescription": ref.sent_copy(late)})
    for _attempt in range(3):
        if "no-ep4-call" in ref.faults:
            break
        try:
            answer = await ref.call("/ep4/prescriptions", {"prescription": ref.sent_copy(rx)})
        except TeleserviceDown as exc:
            return _degraded(ref, rx, str(exc))
        if answer.status_code == 409 and "duplicate-ids" not in ref.faults and "id" not in rx:
            rx["id"] = _new_id(ref)
            continue
        if answer.status_code >= 400:
            detail = answer.json() if answer.headers.get("content-type", "").endswith("json") else {}
            return _problem(422, "Refus du téléservice", str(detail.get("detail", answer.text)),
                            detail.get("rule"))
        break
    ref.records.put(rx["id"], {"statut": "enregistree", "prescription": rx}, registered=True)
    return JSONResponse(
        {"id": rx["id"], "statut": "enregistree", "papier": f"/prescriptions/{rx['id']}/paper"},
        status_code=201,
    )


def _degraded(ref: Reference, rx: dict[str, Any], reason: str) -> JSONResponse:
    if "phantom-id" in ref.faults:  # pretends EP4 worked and hands out the local id
        ref.records.put(rx["id"], {"statut": "enregistree", "prescription": rx})
        return JSONResponse({"id": rx["id"], "statut": "enregistree",
                             "papier": f"/prescriptions/{rx['id']}/paper"}, status_code=201)
    local = "LOC-" + secrets.token_hex(8).upper()
    if "resend-failed-later" in ref.faults:
        ref.pending.append({**rx, "id": _new_id(ref)})
    rx.pop("id", None)
    ref.records.put(local, {"statut": "non-enregistree", "prescription": rx})
    return JSONResponse(
        {
            "id": None,
            "statut": "non-enregistree",
            "referenceLocale": local,
            "papier": f"/prescriptions/{local}/paper",
            "motif": f"téléservice indisponible ({reason}): ordonnance papier sans code 2D",
        },
        status_code=201,
    )


def _routes(ref: Reference) -> list[Route]:
    async def about(_: Request) -> JSONResponse:
        return JSONResponse({
            "logiciel": {"nom": SOFTWARE["logiciel"], "version": __version__,
                         "editeur": SOFTWARE["editeur"]},
            "versionContrat": CONTRACT_VERSION,
            "capacites": {"typesLignes": list(LINE_TYPES), "remplacant": True, "bizone": True,
                          "centreDeSante": True, "modeDegrade": True, "dmp": True,
                          "faults": sorted(ref.faults)},
        })

    async def create(request: Request) -> Response:
        try:
            body = await _body(request)
            if "no-local-validation" not in ref.faults:
                validate_create(body)  # the business rules first: they name their rule
                problem = body_problem(body)
                if problem:
                    raise Invalid("EP_REQUETE", problem, 400)
        except Invalid as exc:
            return _problem(exc.status, "Saisie refusée", exc.detail, exc.rule)
        given = body.get("id")
        if "duplicate-accepted" in ref.faults:  # the id of the body is ignored: a new one each time
            body.pop("id", None)
            given = None
        known = ref.records.get(given) if given else None
        if known is not None:  # idempotent re-submission: no second registration
            return JSONResponse({"id": given, "statut": known["statut"],
                                 "papier": f"/prescriptions/{given}/paper"}, status_code=200)
        rx = copy.deepcopy(body)
        # the prescriber's day, in France, whatever the server's time zone
        rx.setdefault("dateOrdonnance", dt.datetime.now(PARIS).date().isoformat())
        rx["id"] = given or _new_id(ref)
        d = rx["prescripteur"]
        ref.records.saw_prescriber(d["rpps"], d.get("am"), d.get("finess"))
        return await _register(ref, rx)

    return [
        Route("/about", about, methods=["GET"]),
        Route("/prescriptions", create, methods=["POST"]),
        Route("/prescriptions", _search_route(ref), methods=["GET"]),
        Route("/prescriptions/{pid}", _consult_route(ref), methods=["GET"]),
        Route("/prescriptions/{pid}/paper", _paper_route(ref), methods=["GET"]),
        Route("/prescriptions/{pid}/dmp", _dmp_route(ref), methods=["GET"]),
    ]


async def _ask(ref: Reference, path: str, body: dict[str, Any]) -> tuple[dict[str, Any], Response | None]:
    """Call EP3/EP2: the answer, or the problem to relay (503 when down, 502 when garbled)."""
    try:
        answer = await ref.call(path, body)
        data = answer.json()
    except TeleserviceDown as exc:
        return {}, _problem(503, "Téléservice indisponible", str(exc))
    except ValueError:
        return {}, _problem(502, "Réponse invalide du téléservice", "the answer is not JSON")
    if not isinstance(data, dict):
        return {}, _problem(502, "Réponse invalide du téléservice", "the answer is not an object")
    if answer.status_code >= 400:
        return {}, _problem(answer.status_code, str(data.get("title", "Refus")),
                            str(data.get("detail", "")), data.get("rule"))
    return data, None


def _query_problem(path: str, request: Request) -> str | None:
    counts = collections.Counter(key for key, _ in request.query_params.multi_items())
    return query_problem(path, request.query_params, counts)


def _consult_route(ref: Reference) -> Any:
    async def consult(request: Request) -> Response:
        pid = request.path_params["pid"]
        q = request.query_params
        problem = _query_problem("/prescriptions/{id}", request)
        if problem:
            return _problem(400, "Paramètre invalide", problem, "EP_REQUETE")
        record = ref.records.get(pid)
        if record is None:
            return _problem(404, "Prescription inconnue", f"no prescription {pid} here")
        owner = record.get("prescription", {}).get("prescripteur", {})
        who = ref.requester(q.get("rpps") or owner.get("rpps"), q.get("am"), q.get("finess"))
        if not who["am"] and not who["finess"]:
            return _problem(403, "Identification incomplète", "the requester's AM or FINESS is "
                            "required to consult", "EF_EP3_E303_03")
        data, refused = await _ask(ref, "/ep3/consultation", {"id": pid, "demandeur": who})
        if refused is not None:
            return refused
        return JSONResponse(_consult_view(ref, data))

    return consult


def _consult_view(ref: Reference, answer: dict[str, Any]) -> dict[str, Any]:
    rx = dict(answer["prescription"])
    if "consult-drops-line" in ref.faults and len(rx["lignes"]) > 0:
        rx["lignes"] = rx["lignes"][:-1]
    if "consult-wrong-id" in ref.faults:
        rx["id"] = rx["id"].lower()
    if "consult-lines-reordered-swapped" in ref.faults and rx["lignes"]:
        lines = [dict(line) for line in reversed(rx["lignes"])]
        first = lines[-1]
        first["posologie"], first["duree"] = first.get("duree"), first.get("posologie")
        rx["lignes"] = lines
    view = {**rx, "statut": "enregistree", "executionsMasquees": answer["executionsMasquees"]}
    if "consent-ignored-on-consult" in ref.faults:  # shows its default instead of the base's
        view["consentement"] = {**rx.get("consentement", {}), "opposition": False}
        view["executionsMasquees"] = False
    if "executions" in answer and "executions-hidden" not in ref.faults:
        view["executions"] = answer["executions"]
    return view


def _search_route(ref: Reference) -> Any:
    async def search(request: Request) -> Response:
        q = request.query_params
        problem = _query_problem("/prescriptions", request)
        if problem and "search-crashes-without-du" not in ref.faults:
            return _problem(400, "Paramètre invalide", problem, "EP_REQUETE")
        rpps = q.get("prescripteur")
        if not rpps:
            return _problem(400, "Critère manquant", "'prescripteur' (RPPS of the requesting "
                            "doctor) is required", "EP_REQUETE")
        if "search-crashes-without-du" in ref.faults and q.get("au"):
            # computes the period from 'du' without checking it was given: None - date crashes
            start: Any = dt.date.fromisoformat(q["du"]) if q.get("du") else None
            _days = (dt.date.fromisoformat(q["au"]) - start).days
        patient = q.get("patient") or q.get("ins") or q.get("nir")
        if "search-leaks-other-patients" in ref.faults:
            patient = None
        body = {"demandeur": ref.requester(rpps, q.get("am"), q.get("finess")), "patient": patient,
                "du": q.get("du"), "au": q.get("au")}
        data, refused = await _ask(ref, "/ep2/recherche", body)
        if refused is not None:
            return refused
        results = data.get("resultats", [])
        if "search-misses-latest" in ref.faults and results:
            results = results[:-1]
        if "search-misses-last-second" in ref.faults:  # an index refreshed every second
            now = time.monotonic()
            results = [r for r in results if now - ref.records.registered_at(str(r.get("id"))) >= 1.0]
        return JSONResponse({"resultats": results, "total": len(results)})

    return search


def _paper_route(ref: Reference) -> Any:
    async def get_paper(request: Request) -> Response:
        pid = request.path_params["pid"]
        record = ref.records.get(pid)
        if record is None:
            return _problem(404, "Prescription inconnue", f"no prescription {pid} here")
        return Response(_paper(ref, pid, record), media_type="application/pdf")

    return get_paper


def _paper(ref: Reference, pid: str, record: dict[str, Any]) -> bytes:
    """The prescription's paper: the same one on every read. The options are fixed at the first
    print and reportlab's invariant mode draws the same bytes from them, so only the last
    PAPERS_KEPT papers are kept (a run of thousands of generated prescriptions stays flat)."""
    pdf = ref.papers.get(pid)
    if pdf is not None:
        ref.papers.move_to_end(pid)
        return pdf
    opts = record.get("paper")
    if opts is None:  # fixed at the first print, kept with the record
        opts = record["paper"] = _paper_options(ref, record, pid)
        ref.records.put(pid, record)
    pdf = ref.papers[pid] = printing.render(record["prescription"], opts)
    if len(ref.papers) > PAPERS_KEPT:
        ref.papers.popitem(last=False)
    return pdf


def _dmp_route(ref: Reference) -> Any:
    async def get_dmp(request: Request) -> Response:
        pid = request.path_params["pid"]
        record = ref.records.get(pid)
        if record is None or not dmp.in_volet(record["prescription"]):
            return _problem(404, "Pas de copie DMP", f"no DMP copy of {pid} here (unknown, or "
                            "no medicine nor medical device)")
        document = ref.records.dmp(pid)
        if document is None:
            rx, pdf = record["prescription"], _paper(ref, pid, record)
            if "dmp-pdf-stale" in ref.faults:  # the version printed before the last change
                earlier = {**rx, "lignes": rx["lignes"][:-1]} if len(rx["lignes"]) > 1 else \
                    {**rx, "lignes": [{**rx["lignes"][0], "posologie": "(brouillon)"}]}
                pdf = printing.render(earlier, _paper_options(ref, record, pid))
            if "dmp-pdf-not-pdf" in ref.faults:
                pdf = f"<html><body><h1>Ordonnance {pid}</h1></body></html>".encode()
            registered = pid if record["statut"] == "enregistree" else None
            document = dmp.build(rx, registered, pdf, dt.datetime.now(PARIS), ref.faults)
            ref.records.sent_dmp(pid, document)
        return Response(document, media_type="application/xml")

    return get_dmp


def _paper_options(ref: Reference, record: dict[str, Any], pid: str) -> printing.PaperOptions:
    rx = record["prescription"]
    informed = rx["consentement"].get("dateInformation") or rx["dateOrdonnance"]
    if record["statut"] != "enregistree":
        if "qr-in-degraded-mode" in ref.faults:  # prints a code for an id nobody registered
            phantom = ref.ids.new()
            return printing.PaperOptions(printing.qr_payload(rx, phantom), phantom, informed, ref.faults)
        return printing.PaperOptions(None, None, informed)
    qr_id = pid[:-1] + ("0" if pid[-1] != "0" else "1") if "qr-wrong-id" in ref.faults else pid
    if "qr-trailing-space" in ref.faults:
        qr_id += " "
    number = pid[::-1] if "number-mismatch" in ref.faults else pid
    return printing.PaperOptions(printing.qr_payload(rx, qr_id, ref.faults), number, informed, ref.faults)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for the process (loading the system CAs costs ~30 ms each time)."""
    return ssl.create_default_context()


def create_app(teleservice_url: str, faults: tuple[str, ...] = (), timeout: float = 5.0) -> Starlette:
    """The reference as an ASGI app calling the teleservice at ``teleservice_url``."""
    client = httpx.AsyncClient(base_url=teleservice_url, timeout=timeout, verify=_tls())
    ref = Reference(client, check_names(list(faults)))

    async def not_found(request: Request, exc: Exception) -> Response:
        return _problem(404, "Introuvable", f"no route {request.url.path}")

    async def not_allowed(request: Request, exc: Exception) -> Response:
        response = _problem(405, "Méthode non permise", f"{request.method} not allowed here")
        methods = {m for route in app.routes if isinstance(route, Route)
                   and route.matches(request.scope)[0] is not Match.NONE for m in route.methods or ()}
        response.headers["Allow"] = ", ".join(sorted(methods - {"HEAD"}) or ["GET"])
        return response

    app = Starlette(routes=_routes(ref), exception_handlers={404: not_found, 405: not_allowed})
    app.state.reference = ref
    return app
