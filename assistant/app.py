"""The Gradio app: Ask (chat with cited passages), Documents, SPARQL."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from assistant.answer import Answerer
from assistant.explore_tab import build_explore_tab
from assistant.render import answer_markdown, sources_html
from assistant.sparql_tab import build_sparql_tab
from kg.base import KnowledgeBase
from kg.catalog import documents
from kg.errors import KGError

EXAMPLES = [
    "Who set up the GP PSU Steering Group?",
    "What does RAFT stand for?",
    "What did the Joint Health Overview and Scrutiny Committee resolve?",
]


class Assistant:
    """One knowledge base and answerer per server process, shared by all sessions."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.answerer = Answerer(kb)
        self._lock = threading.Lock()

    def respond(
        self, message: str, history: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], str, str]:
        message = (message or "").strip()
        if not message:
            return history, sources_html(None), ""
        with self._lock:
            try:
                answer = self.answerer.ask(message)
            except KGError as exc:
                reply = f"**Error:** {exc}"
                return (
                    [*history, _msg("user", message), _msg("assistant", reply)],
                    sources_html(None),
                    "",
                )
        reply = answer_markdown(answer)
        return [*history, _msg("user", message), _msg("assistant", reply)], sources_html(answer), ""

    def document_rows(self) -> list[list[str]]:
        with self._lock:
            self.kb.refresh()
            return [
                [d["id"], d["type"], d["title"], d["source"], d["modified"]]
                for d in documents(self.kb)
            ]


def _msg(role: str, content: str) -> dict[str, Any]:
    return {"role": role, "content": content}


def build_app(assistant: Assistant, kb_provider: Callable[[], KnowledgeBase]) -> gr.Blocks:
    with gr.Blocks(title="govkg") as app:
        gr.Markdown("## govkg · governance documents, answered with cited passages")
        with gr.Tab("Ask"):
            chat = gr.Chatbot(label="Answers", height=380, elem_id="kg-chat", sanitize_html=True)
            with gr.Row():
                box = gr.Textbox(
                    placeholder="Ask about the documents…",
                    show_label=False,
                    scale=8,
                    elem_id="kg-question",
                )
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="kg-ask")
            gr.Examples(EXAMPLES, inputs=box)
            sources = gr.HTML(sources_html(None), elem_id="kg-sources")
            box.submit(assistant.respond, [box, chat], [chat, sources, box])
            send.click(assistant.respond, [box, chat], [chat, sources, box])
        with gr.Tab("Explore"):
            build_explore_tab(kb_provider)
        with gr.Tab("Documents"):
            table = gr.Dataframe(
                headers=["id", "type", "title", "source", "ingested"],
                interactive=False,
                elem_id="kg-docs",
            )
            refresh = gr.Button("Refresh")
            refresh.click(assistant.document_rows, None, table)
            app.load(assistant.document_rows, None, table)
        with gr.Tab("SPARQL"):
            build_sparql_tab(kb_provider)
    return app
