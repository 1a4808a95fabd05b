"""The app's own HTTP routes beside Gradio: the document viewer, the query page, sign-in."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant import sparql_page
from assistant.app.auth import COOKIE
from assistant.app.context import AppContext
from assistant.app.store import document_info, document_text
from assistant.app.viewer import not_found_page, parse_spans, viewer_fragment, viewer_page
from kg import sparql as sq
from kg.errors import NotFoundError

# Our own pages carry no inline script, so they get the strict policy.
PAGE_CSP = sparql_page.CSP


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={"Content-Security-Policy": PAGE_CSP})


def build_routes(ctx: AppContext) -> APIRouter:
    router = APIRouter()

    def view(doc_id: str, at: str, hl: str, embed: bool) -> HTMLResponse:
        with ctx.lock:
            kb = ctx.kb()
            try:
                info = document_info(kb, doc_id)
                text = document_text(kb, doc_id)
            except NotFoundError as exc:
                return _html(not_found_page(str(exc)), 404)
        focus = next(iter(parse_spans(at, len(text))), None)
        highlights = parse_spans(hl, len(text))
        render = viewer_fragment if embed else viewer_page
        return _html(render(text, info, focus, highlights))

    @router.get("/view/{doc_id}", response_class=HTMLResponse)
    async def viewer(doc_id: str, at: str = "", hl: str = "", embed: str = "") -> HTMLResponse:
        """The whole document, scrolled to the cited passage (``at``), sentences marked (``hl``)."""
        return await run_in_threadpool(view, doc_id, at, hl, embed == "1")

    @router.get("/query", response_class=HTMLResponse)
    async def query_page() -> HTMLResponse:
        """The full-page SPARQL editor (the same page a browser gets at GET /sparql)."""
        saved = sq.saved_queries(ctx.settings.ontology / "queries")
        return _html(sparql_page.render("/sparql", saved))

    @router.post("/api/admin/session")
    async def sign_in(request: Request) -> Response:
        """Exchange the admin token for a session cookie (HttpOnly, SameSite=Strict)."""
        if not ctx.auth.enabled:
            return _message(403, False, "Document management is off: KG_ADMIN_TOKEN is not set.")
        token = await _token_from(request)
        client = request.client.host if request.client else "?"
        if ctx.auth.throttled(client):
            return _message(429, False, "Too many failed sign-ins; try again in a few minutes.")
        session = ctx.auth.sign_in(token, client)
        if session is None:
            return _message(401, False, "The token was not accepted.")
        response = _message(200, True, "Signed in as administrator.")
        response.set_cookie(
            COOKIE,
            session,
            max_age=ctx.auth.max_age,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    @router.delete("/api/admin/session")
    async def sign_out(request: Request) -> Response:
        ctx.auth.sign_out(request.cookies.get(COOKIE))
        response = _message(200, False, "Signed out.")
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/api/admin/session")
    async def session_state(request: Request) -> Response:
        admin = ctx.auth.is_admin(
            {k.lower(): v for k, v in request.headers.items()}, dict(request.cookies)
        )
        return JSONResponse({"admin": admin, "enabled": ctx.auth.enabled})

    return router


def _message(status: int, admin: bool, message: str) -> JSONResponse:
    return JSONResponse({"admin": admin, "message": message}, status_code=status)


async def _token_from(request: Request) -> str:
    """The token from a form-encoded or JSON body (never from the URL, which gets logged)."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            return ""
        return str(data.get("token") or "") if isinstance(data, dict) else ""
    return (parse_qs(raw).get("token") or [""])[0]
