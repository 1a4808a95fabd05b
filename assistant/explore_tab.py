"""The Explore tab: find an entity, see what the graph says about it and where it says so."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr
import networkx as nx

from kg.base import KnowledgeBase
from kg.graphview import build_graph, evidence_text, find_entities, neighbours, path


class GraphCache:
    """One projection per knowledge-base generation: rebuilt after an ingest, not per click."""

    def __init__(self, kb_provider: Callable[[], KnowledgeBase]) -> None:
        self._kb_provider = kb_provider
        self._generation: str | None = None
        self._graph: nx.MultiDiGraph | None = None

    def get(self) -> nx.MultiDiGraph:
        kb = self._kb_provider()
        if self._graph is None or kb.generation != self._generation:
            self._graph, self._generation = build_graph(kb.rdf), kb.generation
        return self._graph


def _short(label: str, width: int = 60) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def build_explore_tab(kb_provider: Callable[[], KnowledgeBase]) -> None:
    cache = GraphCache(kb_provider)
    with gr.Row():
        search = gr.Textbox(
            label="Find an entity",
            placeholder="PSU, Subeena, Committee…",
            scale=3,
            elem_id="kg-explore-search",
        )
        choice = gr.Dropdown(label="Entity", choices=[], scale=4, elem_id="kg-explore-entity")
    facts = gr.Dataframe(
        headers=["relation", "direction", "entity", "evidence"],
        interactive=False,
        elem_id="kg-explore-facts",
    )
    with gr.Row():
        target = gr.Dropdown(label="Path to", choices=[], scale=4)
        target_search = gr.Textbox(label="Find the other entity", scale=3)
    chain = gr.Markdown()

    def lookup(text: str) -> gr.Dropdown:
        found = find_entities(cache.get(), text) if text.strip() else []
        return gr.Dropdown(
            choices=[(label[:90], iri) for iri, label in found],
            value=found[0][0] if found else None,
        )

    def show(iri: str | None) -> list[list[str]]:
        if not iri:
            return []
        return [
            [
                n.relation,
                "→" if n.direction == "out" else "←",
                n.label[:120],
                evidence_text(n.evidence),
            ]
            for n in neighbours(cache.get(), iri)
        ]

    def connect(source: str | None, other: str | None) -> str:
        if not source or not other:
            return ""
        graph = cache.get()
        nodes = path(graph, source, other)
        if not nodes:
            return "No connection in the graph."
        return " → ".join(f"**{graph.nodes[n]['label'][:60]}**" for n in nodes)

    search.submit(lookup, search, choice)
    choice.change(show, choice, facts)
    target_search.submit(lookup, target_search, target)
    target.change(connect, [choice, target], chain)
