"""The Gradio app: Ask · Explore · SPARQL · Documents, one module per tab.

Tabs talk to each other through actions (an entity link opens Explore, "Open in the
SPARQL tab" fills the editor) dispatched here, where every tab's components are known.
``/?explore=IRI`` and ``/?tab=sparql`` open the app on that tab, so links from other
pages (the /sparql query page, a bookmark) land in the right place.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from assistant.app.ask import build_ask_tab
from assistant.app.context import AppContext
from assistant.app.documents import build_documents_tab, load_documents
from assistant.app.explore import build_explore_tab, entity_query, open_entity
from assistant.app.sparql import build_sparql_tab
from assistant.app.widgets import action_of

__all__ = ["AppContext", "build_app"]

TAB_IDS = ("ask", "explore", "sparql", "documents")


def build_app(ctx: AppContext) -> gr.Blocks:
    with gr.Blocks(title="govkg", analytics_enabled=False) as app:
        gr.HTML(
            '<header class="kg-head"><h1>govkg</h1>'
            "<p>Governance documents, answered with cited passages.</p></header>",
            apply_default_css=False,
        )
        with gr.Tabs(selected="ask", elem_id="kg-tabs") as tabs:
            with gr.Tab("Ask", id="ask"):
                ask = build_ask_tab(ctx)
            with gr.Tab("Explore", id="explore"):
                explore = build_explore_tab(ctx)
            with gr.Tab("SPARQL", id="sparql"):
                sparql = build_sparql_tab(ctx)
            with gr.Tab("Documents", id="documents"):
                documents = build_documents_tab(ctx)

        def go(action: str, arg: str, turns: list[dict[str, Any]] | None) -> tuple:
            """(tabs, explore entity, sparql editor, sparql text) for one action."""
            if action == "explore" and arg:
                return gr.Tabs(selected="explore"), open_entity(ctx, arg), gr.skip(), gr.skip()
            query = None
            if action == "sparql" and arg.isdigit() and turns and int(arg) < len(turns):
                query = turns[int(arg)].get("sparql")
            elif action == "sparql-entity" and arg:
                query = entity_query(arg)
            if query:
                return gr.Tabs(selected="sparql"), gr.skip(), *sparql.load(query)
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()

        def on_action(turns: list[dict[str, Any]] | None, evt: gr.EventData) -> tuple:
            return go(*action_of(evt), turns)

        targets = [tabs, explore.entity, sparql.editor, sparql.text]
        for source in [ask.chat, *explore.actions, *sparql.actions]:
            source.click(on_action, [ask.turns], targets, api_visibility="private")

        def opened(request: gr.Request) -> tuple:
            """The page's first state: the tab and entity the URL asks for, the documents."""
            params = dict(request.query_params) if request else {}
            if params.get("explore"):
                first = go("explore", params["explore"], None)
            elif params.get("tab") in TAB_IDS:
                first = (gr.Tabs(selected=params["tab"]), gr.skip(), gr.skip(), gr.skip())
            else:
                first = (gr.skip(),) * 4
            return (*first, *load_documents(ctx, request))

        app.load(opened, None, [*targets, *documents.outputs], api_visibility="private")
    return app
