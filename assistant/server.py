"""`kg serve`: one FastAPI server with the Gradio app at / and SPARQL at /sparql."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr
import uvicorn
from fastapi import FastAPI

from assistant.app import Assistant, build_app
from assistant.render import CSS
from assistant.sparql_http import build_router
from kg.base import KnowledgeBase
from kg.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """Open the knowledge base read-only and build the whole web application."""
    kb = KnowledgeBase(settings, read_only=True)

    def kb_provider() -> KnowledgeBase:
        kb.refresh()
        return kb

    api = FastAPI(title="govkg", docs_url=None, redoc_url=None)
    api.include_router(build_router(kb_provider))
    assistant = Assistant(kb)
    kb.embedder  # noqa: B018  (load the model before the first question, not during it)
    blocks = build_app(assistant, kb_provider)
    return gr.mount_gradio_app(api, blocks, path="/", css=CSS, footer_links=[], ssr_mode=False)


def serve(settings: Settings) -> None:
    app = create_app(settings)
    print(
        f"govkg: serving on http://{settings.host}:{settings.port}  (SPARQL at /sparql)", flush=True
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
