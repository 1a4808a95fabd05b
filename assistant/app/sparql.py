"""The SPARQL tab: YASQE (highlighting, completion, Ctrl+Enter), the saved queries one click
away, results whose IRIs open in Explore, downloads in the standard formats.

Queries run on the server through the same service as the /sparql endpoint (worker
processes, timeout, row cap), in one function, :func:`run_query`; the browser editor only
edits text. Without the YASGUI build the plain text box under it is the editor.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import pyoxigraph as ox

from assistant.app.context import AppContext
from assistant.app.widgets import action_html, action_of
from assistant.assets import MISSING_MESSAGE, editor_ready
from assistant.render import attr, entity_link, esc, notice, table
from assistant.sparql_page import description
from kg import sparql as sq
from kg.base import KnowledgeBase
from kg.errors import KGError, QueryTimeoutError
from kg.namespaces import PREFIXES

STARTER = "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)"

EDITOR_TEMPLATE = '<div class="kg-yasqe"></div><p class="kg-editor-note kg-meta"></p>'
EDITOR_JS = """
const PREFIXES = %s;
const MISSING = %s;
const host = element.querySelector('.kg-yasqe');
const note = element.querySelector('.kg-editor-note');
function plain() { return document.querySelector('#kg-sparql-text textarea'); }
function push(text) {
  const box = plain();
  if (!box || box.value === text) return;
  box.value = text;
  box.dispatchEvent(new Event('input', {bubbles: true}));
}
function run() {
  if (element.__yasqe) push(element.__yasqe.getValue());
  setTimeout(() => { const b = document.querySelector('#kg-sparql-run'); if (b) b.click(); }, 50);
}
function sync() {
  const data = props.value || {};
  if (!element.__yasqe && window.Yasgui && window.govkg && window.govkg.sparqlEditor) {
    element.__yasqe = window.govkg.sparqlEditor(host, {value: data.query || '', endpoint: '/sparql',
      prefixes: PREFIXES, onRun: run, onChange: push, label: 'SPARQL query'});
    const wrap = document.querySelector('#kg-sparql-text');
    if (wrap) wrap.classList.add('kg-hidden');
  } else if (element.__yasqe && typeof data.query === 'string' && data.query !== element.__yasqe.getValue()) {
    element.__yasqe.setValue(data.query);
  }
  if (!element.__yasqe) note.textContent = MISSING + ' The text box below is the editor meanwhile (Ctrl+Enter runs it).';
}
const fallback = plain();
if (fallback) fallback.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
});
sync();
watch('value', sync);
"""


@dataclass
class SparqlTab:
    editor: gr.HTML
    text: gr.Textbox
    actions: list[gr.HTML]  # components whose links send actions (IRIs → Explore)

    def load(self, query: str) -> tuple[dict[str, Any], str]:
        """Updates that put ``query`` into the editor (for other tabs' "open in SPARQL")."""
        return editor_value(query), query


_loads = itertools.count(1)


def editor_value(query: str) -> dict[str, Any]:
    """The editor's value; the counter makes loading the same query twice still reset it."""
    return {"query": query, "n": next(_loads)}


def run_query(
    kb_provider: Callable[[], KnowledgeBase], query: str, client: str = "app"
) -> sq.QueryResponse:
    """The tab's one call into the query service: the /sparql endpoint's own (same guard,
    workers, limits and per-client fairness)."""
    request = sq.QueryRequest(query, result_format="json", graph_format="ntriples")
    return sq.query_service(kb_provider).run(request, client=client)


@dataclass
class Results:
    names: list[str]
    rows: list[list[Any]]  # terms (None for an unbound variable)
    kind: str
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def parse_results(response: sq.QueryResponse) -> Results:
    """The worker's SPARQL JSON (SELECT/ASK) or N-Triples (graphs), as terms again."""
    if response.kind == "graph":
        triples = [q.triple for q in ox.parse(response.body, format=ox.RdfFormat.N_TRIPLES)]
        return Results(
            ["subject", "predicate", "object"],
            [[t.subject, t.predicate, t.object] for t in triples],
            "graph",
            triples=triples,
        )
    parsed = ox.parse_query_results(response.body, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return Results(["ask"], [], "ask", bool(parsed))
    names = [v.value for v in parsed.variables]
    return Results(names, [[s[n] for n in names] for s in parsed], "select")


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return entity_link(term.value, sq.term_text(term))
    if isinstance(term, ox.Literal):
        extra = f"@{term.language}" if term.language else ""
        return f'<span class="kg-literal">{esc(term.value)}</span>{esc(extra)}'
    return esc(sq.term_text(term))


def results_html(results: Results, limit: int) -> str:
    """Escaped results; IRIs link to the entity in Explore (not to the IRI's own host)."""
    if results.kind == "ask":
        return f'<p class="kg-ask-result">{"true" if results.boolean else "false"}</p>'
    if not results.rows:
        return notice("No results.")
    shown = results.rows[:limit]
    note = ""
    if len(results.rows) > limit:
        note = notice(
            f"Showing the first {limit} of {len(results.rows)} rows; the downloads have all."
        )
    body = table(
        results.names, ([_cell(t) for t in row] for row in shown), cls="kg-table kg-results"
    )
    return note + f'<div class="kg-scroll">{body}</div>'


def download_files(response: sq.QueryResponse, results: Results) -> list[str]:
    """The results as files: CSV, JSON, TSV for SELECT; JSON for ASK; Turtle, N-Triples for graphs."""
    folder = Path(tempfile.mkdtemp(prefix="kg-sparql-"))
    files: dict[str, bytes] = {}
    if results.kind == "graph":
        files["results.ttl"] = sq.write_triples(results.triples, "turtle")
        files["results.nt"] = response.body
    elif results.kind == "ask":
        files["results.json"] = response.body
    else:
        solutions = [dict(zip(results.names, row, strict=True)) for row in results.rows]
        files["results.csv"] = sq.write_solutions(results.names, solutions, "csv")
        files["results.json"] = response.body
        files["results.tsv"] = sq.write_solutions(results.names, solutions, "tsv")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [str(folder / name) for name in files]


def error_line(exc: KGError) -> str:
    """One clear line (the parser's own words kept), shown instead of any results."""
    if isinstance(exc, QueryTimeoutError):
        return f"Stopped: {exc}. Narrow the query or add a LIMIT."
    return f"Query error: {exc}"


def saved_html(saved: dict[str, tuple[str, str]]) -> str:
    buttons = "".join(
        f'<li><button type="button" class="kg-saved" data-kg-action="saved" data-kg-arg={attr(name)}'
        f" title={attr(description(text) or title)}>{esc(title)}</button></li>"
        for name, (title, text) in saved.items()
    )
    return f'<ul class="kg-saved-list" aria-label="Saved queries">{buttons}</ul>'


def build_sparql_tab(ctx: AppContext) -> SparqlTab:
    library = sq.saved_queries(ctx.settings.ontology / "queries")
    gr.HTML(
        "<p>Query the knowledge graph: the union of all graphs, with the ontology's prefixes "
        "predeclared. Analysts' own tools can use the same data at "
        '<a href="/sparql" target="_blank" rel="noopener"><code>/sparql</code></a>'
        ' (SPARQL 1.1 Protocol; <a href="/query" target="_blank" rel="noopener">full-page editor</a>).</p>',
        apply_default_css=False,
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=220, elem_classes=["kg-saved-col"]):
            gr.HTML("<h3>Saved queries</h3>", apply_default_css=False)
            saved = action_html(saved_html(library), elem_id="kg-sparql-saved")
        with gr.Column(scale=4, min_width=320):
            about = gr.HTML("", elem_id="kg-sparql-about", apply_default_css=False)
            head = None
            if editor_ready():
                head = (
                    '<link rel="stylesheet" href="/kg/static/vendor/yasgui.min.css">'
                    '<script src="/kg/static/vendor/yasgui.min.js"></script>'
                    '<script src="/kg/static/kg-sparql.js"></script>'
                )
            editor = gr.HTML(
                editor_value(STARTER),
                html_template=EDITOR_TEMPLATE,
                js_on_load=EDITOR_JS % (json.dumps(PREFIXES), json.dumps(MISSING_MESSAGE)),
                head=head,
                apply_default_css=False,
                elem_id="kg-sparql-editor",
            )
            text = gr.Textbox(
                STARTER,
                label="Query (Ctrl+Enter runs it)",
                lines=10,
                max_lines=30,
                elem_id="kg-sparql-text",
            )
            run = gr.Button("Run query", variant="primary", elem_id="kg-sparql-run")
            status = gr.HTML("", elem_id="kg-sparql-status", apply_default_css=False)
            results = action_html(elem_id="kg-sparql-results")
            downloads = gr.File(
                label="Downloads",
                file_count="multiple",
                interactive=False,
                elem_id="kg-sparql-files",
            )

    def execute(query: str, http: gr.Request) -> tuple[str, str, Any]:
        client = http.client.host if http is not None and http.client else "app"
        try:
            response = run_query(ctx.kb, query, client)
        except KGError as exc:
            line = f'<p class="kg-status kg-error" role="alert">{esc(error_line(exc))}</p>'
            return line, "", gr.File(value=None, visible=False)
        parsed = parse_results(response)
        unit = "triples" if response.kind == "graph" else "rows"
        line = f"{response.rows} {unit} in {response.seconds:.2f} s"
        if response.truncated:
            line += f" (cut at the limit of {response.rows}; add a LIMIT or narrow the query)"
        shown = results_html(parsed, ctx.settings.sparql_display_rows)
        status_html = f'<p class="kg-status" role="status">{esc(line)}</p>'
        return status_html, shown, gr.File(value=download_files(response, parsed), visible=True)

    def load(name: str) -> tuple[dict[str, Any], str, str]:
        title, query = library.get(name, ("", STARTER))
        about_text = f"<p><b>{esc(title)}</b>: {esc(description(query))}</p>" if title else ""
        return editor_value(query), query, about_text

    def on_saved(evt: gr.EventData) -> Any:
        action, name = action_of(evt)
        if action != "saved":
            return gr.skip(), gr.skip(), gr.skip()
        return load(name)

    run.click(execute, text, [status, results, downloads], api_name="sparql_query")
    saved.click(on_saved, None, [editor, text, about], api_visibility="private")
    gr.api(load, api_name="load_saved_query")
    return SparqlTab(editor=editor, text=text, actions=[results])
