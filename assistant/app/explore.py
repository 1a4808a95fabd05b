"""The Explore tab: find an entity by any name, see what the graph says and where it says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import networkx as nx

from assistant.app.context import AppContext
from assistant.app.store import document_text
from assistant.app.widgets import action_html
from assistant.assets import MISSING_MESSAGE, graph_ready
from assistant.render import attr, entity_link, esc, notice, table, viewer_href, viewer_link
from kg.errors import NotFoundError
from kg.graphview import (
    find_entities,
    neighbourhood,
    neighbours,
    passage_span,
    path,
    path_steps,
    relation_label,
    type_label,
)
from kg.namespaces import SPARQL_PREFIXES

SNIPPET = 420  # characters of a passage shown beside a statement (the viewer has the rest)

GRAPH_TEMPLATE = """
<div class="kg-graph-wrap">
  <div class="kg-graph-tools" role="group" aria-label="Picture controls">
    <button type="button" data-zoom="in" aria-label="Zoom in">+</button>
    <button type="button" data-zoom="out" aria-label="Zoom out">−</button>
    <button type="button" data-zoom="fit">Fit</button>
  </div>
  <div class="kg-graph" role="img"></div>
  <p class="kg-graph-note" role="status"></p>
</div>"""

GRAPH_JS = f"""
const MISSING = {MISSING_MESSAGE!r};
function draw() {{
  const host = element.querySelector('.kg-graph');
  const note = element.querySelector('.kg-graph-note');
  const data = props.value || {{}};
  if (element.__cy) {{ element.__cy.destroy(); element.__cy = null; }}
  if (!data.nodes || !data.nodes.length) {{ host.hidden = true; note.textContent = data.message || ''; return; }}
  if (!window.cytoscape) {{ host.hidden = true; note.textContent = MISSING; return; }}
  host.hidden = false;
  note.textContent = data.message || '';
  host.setAttribute('aria-label', data.summary || 'Picture of the neighbourhood');
  const elements = data.nodes.map((n) => ({{data: {{id: n.id, label: n.label, center: n.center ? 1 : 0}}}}))
    .concat(data.edges.map((e, i) => ({{data: {{id: 'e' + i, source: e.source, target: e.target, label: e.label}}}})));
  const cy = window.cytoscape({{
    container: host, elements: elements, wheelSensitivity: 0.3, minZoom: 0.2, maxZoom: 3,
    layout: {{name: 'concentric', concentric: (n) => n.data('center') ? 2 : 1, levelWidth: () => 1, minNodeSpacing: 30, animate: false}},
    style: [
      {{selector: 'node', style: {{'label': 'data(label)', 'font-size': 10, 'text-wrap': 'ellipsis', 'text-max-width': 140,
        'text-valign': 'bottom', 'text-margin-y': 4, 'background-color': '#2b6cb0', 'width': 16, 'height': 16, 'color': '#1a202c'}}}},
      {{selector: 'node[center = 1]', style: {{'background-color': '#c05621', 'width': 26, 'height': 26, 'font-weight': 'bold'}}}},
      {{selector: 'edge', style: {{'label': 'data(label)', 'font-size': 8, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle',
        'width': 1.2, 'line-color': '#a0aec0', 'target-arrow-color': '#a0aec0', 'color': '#4a5568', 'text-rotation': 'autorotate'}}}},
    ],
  }});
  cy.on('tap', 'node', (event) => {{
    const id = event.target.id();
    if (id !== data.center) trigger('click', {{action: 'explore', arg: id}});
  }});
  element.__cy = cy;
  host.__cy = cy;
}}
element.addEventListener('click', (event) => {{
  const button = event.target.closest('[data-zoom]');
  const cy = element.__cy;
  if (!button || !cy) return;
  const how = button.getAttribute('data-zoom');
  if (how === 'fit') cy.fit(undefined, 20);
  else cy.zoom({{level: cy.zoom() * (how === 'in' ? 1.25 : 0.8), renderedPosition: {{x: cy.width() / 2, y: cy.height() / 2}}}});
}});
draw();
watch('value', draw);
"""


@dataclass
class ExploreTab:
    entity: gr.Dropdown
    actions: list[gr.HTML]  # components whose links and buttons send actions


class Passages:
    """Passage text for a batch of statements, reading each document once."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._texts: dict[str, str | None] = {}

    def quote(self, evidence: str) -> str:
        """The passage a statement was derived from, with a link into the viewer."""
        span = passage_span(evidence) if evidence else None
        if span is None:
            return '<span class="kg-meta">no passage recorded</span>'
        doc, start, end = span
        if doc not in self._texts:
            try:
                self._texts[doc] = document_text(self._ctx.kb(), doc)
            except NotFoundError:
                self._texts[doc] = None
        text = self._texts[doc]
        if text is None:
            return f'<span class="kg-meta">{esc(doc)} (no longer in the knowledge base)</span>'
        passage = text[start:end]
        snippet = passage if len(passage) <= SNIPPET else passage[: SNIPPET - 1].rstrip() + "…"
        link = viewer_link(
            viewer_href(doc, start, end),
            f"{esc(doc)}",
            name=f"Open {doc} at this passage",
        )
        return f'<q class="kg-quote">{esc(snippet)}</q> <span class="kg-meta">{link}</span>'


def _label(graph: nx.MultiDiGraph, iri: str) -> str:
    return str(graph.nodes[iri]["label"]) if iri in graph else iri


def _choices(graph: nx.MultiDiGraph, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    def name(iri: str, label: str) -> str:
        kind = type_label(graph, iri)
        return f"{label[:90]} ({kind})" if kind else label[:90]

    return [(name(iri, label), iri) for iri, label in found]


def summary_html(graph: nx.MultiDiGraph, iri: str) -> str:
    data = graph.nodes[iri]
    names = [n for n in data.get("names", ()) if n != data["label"]]
    parts = [f'<h2 class="kg-entity-title">{esc(data["label"])}</h2>']
    kind = type_label(graph, iri)
    if kind:
        parts.append(f'<p class="kg-meta">{esc(kind)}</p>')
    if names:
        parts.append(f"<p>Also called: {esc(', '.join(names))}</p>")
    parts.append(
        f'<p class="kg-meta"><code>{esc(iri)}</code> · {graph.degree(iri)} statements · '
        f'<button type="button" class="kg-button" data-kg-action="sparql-entity" data-kg-arg={attr(iri)}>'
        "Query in the SPARQL tab</button></p>"
    )
    return "".join(parts)


def statements_html(ctx: AppContext, graph: nx.MultiDiGraph, iri: str) -> str:
    """Every statement about the entity, in words, beside the passage it came from."""
    passages = Passages(ctx)
    me = f'<span class="kg-self">{esc(_label(graph, iri))}</span>'
    rows = []
    for n in neighbours(graph, iri):
        other = entity_link(n.iri, n.label[:120])
        relation = f'<span class="kg-rel">{esc(relation_label(graph, n.relation))}</span>'
        sentence = (
            f"{me} {relation} {other}" if n.direction == "out" else f"{other} {relation} {me}"
        )
        rows.append([sentence, passages.quote(n.evidence)])
    if not rows:
        return notice("The graph has no statements linking this entity to another.")
    return table(["statement", "from the document"], rows, cls="kg-table kg-facts")


def picture_value(ctx: AppContext, graph: nx.MultiDiGraph, iri: str) -> dict[str, Any]:
    nodes, edges = neighbourhood(graph, iri, ctx.settings.explore_max_nodes)
    around = len(set(graph.successors(iri)) | set(graph.predecessors(iri)))
    shown = len(nodes) - 1
    message = f"{shown} of {around} neighbours drawn" if shown < around else ""
    return {
        "center": iri,
        "nodes": [{"id": n, "label": _label(graph, n)[:60], "center": n == iri} for n in nodes],
        "edges": [
            {"source": s, "target": o, "label": relation_label(graph, p)} for s, p, o in edges
        ],
        "message": message,
        "summary": f"Neighbourhood of {_label(graph, iri)}: {shown} entities; the table lists every statement.",
    }


def path_html(ctx: AppContext, graph: nx.MultiDiGraph, source: str, target: str) -> str:
    nodes = path(graph, source, target)
    if not nodes:
        return notice("No connection between these two in the graph.")
    passages = Passages(ctx)
    items = []
    for step in path_steps(graph, nodes):
        items.append(
            f"<li>{entity_link(step.source, _label(graph, step.source))} "
            f'<span class="kg-rel">{esc(relation_label(graph, step.relation))}</span> '
            f"{entity_link(step.target, _label(graph, step.target))}"
            f'<div class="kg-step-evidence">{passages.quote(step.evidence)}</div></li>'
        )
    return f'<ol class="kg-path">{"".join(items)}</ol>'


def entity_query(iri: str) -> str:
    """A starting query for the SPARQL tab: everything said about one entity."""
    return (
        f"{SPARQL_PREFIXES}\nSELECT ?p ?o ?source WHERE {{\n"
        f"  <{iri}> ?p ?o .\n  OPTIONAL {{ <{iri}> prov:wasDerivedFrom ?source }}\n}} LIMIT 200\n"
    )


def open_entity(ctx: AppContext, iri: str) -> gr.Dropdown:
    """The entity dropdown set to ``iri`` (its change event draws the rest)."""
    graph = ctx.graph()
    if iri not in graph:
        return gr.Dropdown(choices=[], value=None)
    return gr.Dropdown(choices=_choices(graph, [(iri, _label(graph, iri))]), value=iri)


def build_explore_tab(ctx: AppContext) -> ExploreTab:
    with gr.Row():
        search = gr.Textbox(
            label="Find an entity (any name, acronym or alias)",
            placeholder="PSU, Subeena, Committee…",
            scale=3,
            elem_id="kg-explore-search",
        )
        choice = gr.Dropdown(label="Entity", choices=[], scale=4, elem_id="kg-explore-entity")
    summary = action_html(elem_id="kg-explore-summary")
    with gr.Row(equal_height=False, elem_classes=["kg-explore-body"]):
        with gr.Column(scale=3, min_width=320):
            facts = action_html(elem_id="kg-explore-facts")
        with gr.Column(scale=2, min_width=300):
            head = (
                '<script src="/kg/static/vendor/cytoscape.min.js"></script>'
                if graph_ready()
                else None
            )
            picture = gr.HTML(
                {},
                html_template=GRAPH_TEMPLATE,
                js_on_load=GRAPH_JS,
                head=head,
                apply_default_css=False,
                elem_id="kg-explore-graph",
            )
    gr.Markdown("### How are two entities connected?")
    with gr.Row():
        target_search = gr.Textbox(label="Find the other entity", scale=3, elem_id="kg-path-search")
        target = gr.Dropdown(label="Path to", choices=[], scale=4, elem_id="kg-path-target")
    chain = action_html(elem_id="kg-explore-path")

    def lookup(text: str) -> gr.Dropdown:
        graph = ctx.graph()
        found = find_entities(graph, text) if (text or "").strip() else []
        return gr.Dropdown(choices=_choices(graph, found), value=found[0][0] if found else None)

    def show(iri: str | None) -> tuple[str, str, dict[str, Any]]:
        graph = ctx.graph()
        if not iri or iri not in graph:
            return "", "", {}
        return (
            summary_html(graph, iri),
            statements_html(ctx, graph, iri),
            picture_value(ctx, graph, iri),
        )

    def connect(source: str | None, other: str | None) -> str:
        if not source or not other:
            return ""
        return path_html(ctx, ctx.graph(), source, other)

    search.submit(lookup, search, choice, api_name="find_entity")
    choice.change(show, choice, [summary, facts, picture], api_name="show_entity")
    target_search.submit(lookup, target_search, target, api_visibility="private")
    target.change(connect, [choice, target], chain, api_name="connect_entities")
    choice.change(connect, [choice, target], chain, api_visibility="private")
    return ExploreTab(entity=choice, actions=[summary, facts, picture, chain])
