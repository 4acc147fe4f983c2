"""The tester's web server (``campaign watch --serve``): loopback only, a random token in every form
(checked), the Host and Origin of every request checked (no DNS rebinding, no cross-site post), and
a Content-Security-Policy that lets the page load nothing from the network.

Every request opens the campaign from its journal; an upload is written to ``depot/`` (under a
hidden name, then renamed) where ``watch`` takes and judges it like any dropped file; a confirm or
skip goes through the same application functions as the CLI. The only thing kept in memory is a
cache of the judged files' pictures (drawn by the paper sandbox), keyed by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from conformance.campaign import journal
from conformance.campaign.cards import card_html
from conformance.campaign.drop import MAX_FILE, candidates, ignored
from conformance.campaign.folder import ARTEFACTS, DEPOT, open_checked
from conformance.campaign.judge import kind_of
from conformance.campaign.report import status_document
from conformance.campaign.state import CampaignState
from conformance.campaign.webpage import Figure, View, render
from conformance.paper import PaperError, PaperReader

HOSTS = ("127.0.0.1", "localhost")
MAX_FORM = 64_000  # a confirm or skip form: a note, a reason
CACHE = 32  # judged files whose pictures stay in memory
_SAFE = re.compile(r"[^\w.\- ]+")


class Refused(Exception):
    """An action the campaign refuses (closed, already answered…): shown on the page."""


@dataclass(frozen=True)
class Actions:
    """What the page may do, as the CLI does it (each raises ``Refused`` with the reason)."""

    confirm: Callable[[str, bool, str | None], object]
    skip: Callable[[str, str], object]


class Pictures:
    """The judged files' pages read with their pictures, by SHA-256 (a bounded cache)."""

    def __init__(self, reader: PaperReader) -> None:
        self.reader = reader
        self._cache: OrderedDict[str, Figure] = OrderedDict()
        self._lock = threading.Lock()

    def figure(self, folder: Path, sha: str, path: str) -> Figure:
        """The file's figure, read once (in the sandbox) and kept."""
        with self._lock:
            if sha in self._cache:
                self._cache.move_to_end(sha)
                return self._cache[sha]
        data = _artefact_bytes(folder, path, sha)
        if data is None:
            found = Figure(error="file missing or altered")
        else:
            try:
                found = Figure(tuple(self.reader.analyse(data)), image=kind_of(data) == "image")
            except PaperError as exc:
                found = Figure(error=f"{exc.kind}: {exc}")
        with self._lock:
            self._cache[sha] = found
            while len(self._cache) > CACHE:
                self._cache.popitem(last=False)
        return found


def _artefact_bytes(folder: Path, path: str, sha: str) -> bytes | None:
    """The kept artefact, only from under ``artefacts/`` and only if it still has its hash."""
    base = (folder / ARTEFACTS).resolve()
    file = (folder / path).resolve()
    if not file.is_relative_to(base) or not file.is_file():
        return None
    data = file.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == sha else None


def safe_name(name: str) -> str:
    """A dropped file's name as depot/ keeps it: no folder, no hidden or temporary name."""
    base = _SAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")[:120]
    base = base or "fichier"
    return base + ".fichier" if ignored(base) else base


def _free(depot: Path, name: str) -> Path:
    target, n = depot / name, 1
    while target.exists():
        n += 1
        stem, dot, ext = name.rpartition(".")
        target = depot / (f"{stem}-{n}.{ext}" if dot and stem else f"{name}-{n}")
    return target


def _version(folder: Path) -> str:
    """Changes whenever the journal or what waits in depot/ changes."""
    names = "\n".join(p.name for p in candidates(folder))
    return hashlib.sha256(f"{journal.last_hash(folder)}\n{names}".encode()).hexdigest()[:24]


def create_app(folder: Path, reader: PaperReader, actions: Actions, lang: str = "fr",
               token: str | None = None) -> Starlette:
    """The page's ASGI application for the campaign in ``folder``."""
    token = token or secrets.token_urlsafe(32)
    pictures = Pictures(reader)

    def state() -> CampaignState:
        return open_checked(folder).state

    def page(error: str | None = None, status: int = 200) -> Response:
        current = state()
        figures = {}
        for s in current.steps.values():
            for a in s.artefacts:
                if a["sha256"] in s.judgements and a.get("kind") in ("pdf", "image"):
                    figures[a["sha256"]] = pictures.figure(folder, a["sha256"], str(a.get("path", "")))
        nonce = secrets.token_urlsafe(16)
        view = View(current, _version(folder), token, nonce, lang,
                    tuple(p.name for p in candidates(folder)), figures, error)
        return _secure(HTMLResponse(render(view), status), nonce)

    def index(request: Request) -> Response:
        return page()

    def etat(request: Request) -> Response:
        doc = status_document(state())
        doc["version"] = _version(folder)
        return _secure(JSONResponse(doc))

    def carte(request: Request) -> Response:
        current = state()
        step = current.plan.step(request.path_params["step"])
        if step is None:
            return _secure(Response("no such step", 404))
        return _secure(HTMLResponse(card_html(step, current.cards.get(step.id), current.plan)))

    def picture(request: Request) -> Response:
        sha, number = request.path_params["sha"], request.path_params["n"]
        current = state()
        artefact = next((a for s in current.steps.values() for a in s.artefacts
                         if a["sha256"] == sha and sha in s.judgements), None)
        if artefact is None:
            return _secure(Response("unknown file", 404))
        figure = pictures.figure(folder, sha, str(artefact.get("path", "")))
        found = next((p for p in figure.pages if p.number == number), None)
        if found is None:
            return _secure(Response("no such page", 404))
        if figure.image:  # a scan or photo is its own picture
            data = _artefact_bytes(folder, str(artefact.get("path", "")), sha) or b""
            kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
            return _secure(Response(data, media_type=kind))
        if not found.picture:
            return _secure(Response("no picture", 404))
        return _secure(Response(found.picture, media_type="image/png"))

    async def _form(request: Request, limit: int) -> dict[str, Any] | Response:
        if not _same_origin(request):
            return _secure(Response("cross-origin request refused", 403))
        size = request.headers.get("content-length")
        if size is None or not size.isdigit():
            return _secure(Response("length required", 411))
        if int(size) > limit:
            return _secure(Response("too large", 413))
        form = await request.form(max_files=1, max_fields=8, max_part_size=MAX_FORM)
        if not secrets.compare_digest(str(form.get("token", "")).encode(), token.encode()):
            return _secure(Response("missing or wrong token: reload the page", 403))
        return dict(form)

    async def depot(request: Request) -> Response:
        form = await _form(request, MAX_FILE + MAX_FORM)
        if isinstance(form, Response):
            return form
        upload = form.get("fichier")
        if upload is None or isinstance(upload, str) or not upload.filename:
            return page("no file", 400)
        data = await upload.read(MAX_FILE + 1)
        if not data or len(data) > MAX_FILE:
            return page("empty or too large (50 MB at most)", 400)
        if state().closed is not None:
            return page("the campaign is closed", 409)
        target = _free(folder / DEPOT, safe_name(upload.filename))
        partial = folder / DEPOT / f".{target.name}.{secrets.token_hex(4)}.part"
        partial.write_bytes(data)  # hidden while written: watch takes only the whole file
        os.replace(partial, target)
        return _done()

    async def confirmer(request: Request) -> Response:
        form = await _form(request, MAX_FORM)
        if isinstance(form, Response):
            return form
        answer = str(form.get("reponse", ""))
        if answer not in ("oui", "non"):
            return page("answer yes or no", 400)
        note = str(form.get("note", "")).strip() or None
        return _act(lambda: actions.confirm(str(form.get("etape", "")), answer == "oui", note))

    async def passer(request: Request) -> Response:
        form = await _form(request, MAX_FORM)
        if isinstance(form, Response):
            return form
        reason = str(form.get("motif", "")).strip()
        if not reason:
            return page("give the reason", 400)
        return _act(lambda: actions.skip(str(form.get("etape", "")), reason))

    def _act(action: Callable[[], object]) -> Response:
        try:
            action()
        except Refused as exc:
            return page(str(exc), 409)
        return _done()

    def favicon(request: Request) -> Response:
        return _secure(Response(status_code=204))  # none: a browser asks, and would log a 404

    routes = [Route("/", index), Route("/favicon.ico", favicon), Route("/etat.json", etat),
              Route("/carte/{step}", carte), Route("/page/{sha:str}/{n:int}", picture),
              Route("/depot", depot, methods=["POST"]),
              Route("/confirmer", confirmer, methods=["POST"]), Route("/passer", passer, methods=["POST"])]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(HOSTS))])


def _same_origin(request: Request) -> bool:
    """A post from our own page (a browser always sends Origin on a post): loopback only."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).hostname in HOSTS


def _done() -> Response:
    return _secure(RedirectResponse("./", status_code=303))


def _secure(response: Response, nonce: str | None = None) -> Response:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; script-src {script}; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    # not no-referrer: with it, a browser's post says "Origin: null", which we must refuse
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response
