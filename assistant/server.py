"""`kg serve`: one FastAPI server with the Gradio app at / and SPARQL at /sparql.

Beside them: the document viewer (/view/…), the full-page query editor (/query), the
admin sign-in (/api/admin/session) and the app's static files (/kg/static/…), all from
this origin. Gradio's upload route takes files only from a signed-in administrator and
only up to the upload limit; every page says where it may load things from.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Awaitable, Callable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant.app import AppContext, build_app
from assistant.app.routes import build_routes
from assistant.assets import STATIC_DIR, missing
from assistant.sparql_http import build_router
from kg.errors import ConfigError
from kg.settings import Settings

STATIC_URL = "/kg/static"
HEAD = f'<link rel="stylesheet" href="{STATIC_URL}/app.css"><script src="{STATIC_URL}/app.js" defer></script>'
# The Gradio page needs inline scripts of its own; what it may not do is load anything
# (images, frames, connections, forms) from another host.
APP_CSP = (
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; frame-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
MIN_PUBLIC_TOKEN = 16  # characters an admin token needs before the server faces a network

Handler = Callable[[Request], Awaitable[Response]]


def create_app(settings: Settings) -> FastAPI:
    """Open the knowledge base read-only and build the whole web application."""
    ctx = AppContext(settings)
    api = FastAPI(title="govkg", docs_url=None, redoc_url=None, openapi_url=None)
    api.include_router(build_router(ctx.kb))
    api.include_router(build_routes(ctx))
    api.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="kg-static")

    @api.middleware("http")
    async def guard(request: Request, call_next: Handler) -> Response:
        refused = upload_refusal(request, ctx, settings.upload_max_mb)
        if refused is not None:
            return refused
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if "content-security-policy" not in response.headers and response.headers.get(
            "content-type", ""
        ).startswith("text/html"):
            response.headers["Content-Security-Policy"] = APP_CSP
        return response

    ctx.kb().embedder  # noqa: B018  (load the model before the first question, not during it)
    blocks = build_app(ctx)
    return gr.mount_gradio_app(
        api,
        blocks,
        path="/",
        head=HEAD,
        footer_links=[],
        ssr_mode=False,
        max_file_size=f"{settings.upload_max_mb}mb",
    )


def upload_refusal(request: Request, ctx: AppContext, limit_mb: int) -> Response | None:
    """Gradio's own upload route: administrators only, and never more than the limit."""
    if request.method != "POST" or not request.url.path.rstrip("/").endswith("/upload"):
        return None
    headers = {k.lower(): v for k, v in request.headers.items()}
    if not ctx.auth.is_admin(headers, dict(request.cookies)):
        return JSONResponse({"detail": "uploads need an administrator's sign-in"}, status_code=403)
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return JSONResponse({"detail": "uploads must declare their length"}, status_code=411)
    if int(length) > limit_mb * 1024 * 1024 + 64 * 1024:  # the limit plus multipart framing
        return JSONResponse(
            {"detail": f"upload too large; the limit is {limit_mb} MB"}, status_code=413
        )
    return None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(settings: Settings) -> str:
    """'' on loopback; a warning when serving a network with --public; else ConfigError."""
    if is_loopback(settings.host):
        return ""
    if not settings.public:
        raise ConfigError(
            f"refusing to serve on {settings.host}: anyone who can reach it could read every "
            "document. Pass --public (or KG_PUBLIC=1) to serve it to the network on purpose."
        )
    if settings.admin_token and len(settings.admin_token) < MIN_PUBLIC_TOKEN:
        raise ConfigError(
            f"KG_ADMIN_TOKEN is too short for a server on the network; use at least "
            f"{MIN_PUBLIC_TOKEN} characters"
        )
    changes = (
        "document changes need the admin token"
        if settings.admin_token
        else "document management is off (KG_ADMIN_TOKEN is not set)"
    )
    return (
        f"warning: serving on {settings.host} to the network without authentication: anyone "
        f"who can reach it can read every document and run queries; {changes}. "
        "Put it behind a proxy with TLS and sign-in if that is not what you want."
    )


def serve(settings: Settings) -> None:
    warning = exposure_warning(settings)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    absent = missing()
    if absent:
        print(
            f"note: browser assets missing ({', '.join(absent)}); run `make assets` for the "
            "SPARQL editor and the graph picture",
            file=sys.stderr,
            flush=True,
        )
    app = create_app(settings)
    print(
        f"govkg: serving on http://{settings.host}:{settings.port}  (SPARQL at /sparql)", flush=True
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
