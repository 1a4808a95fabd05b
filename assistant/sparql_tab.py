"""The SPARQL tab: an editor with the saved queries, results as a table, CSV download.

Queries go through the same service as the /sparql endpoint (worker processes, timeout,
row cap), so a runaway query typed here cannot hang the app either.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable
from pathlib import Path

import gradio as gr
import pandas as pd
import pyoxigraph as ox

from kg import sparql as sq
from kg.base import KnowledgeBase
from kg.errors import KGError, QueryError, QueryTimeoutError

STARTER = "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)"


def query_description(text: str) -> str:
    """The ``# description:`` comment of a saved query, if it has one."""
    for line in text.splitlines():
        if line.lower().startswith("# description:"):
            return line.split(":", 1)[1].strip()
    return ""


def result_table(response: sq.QueryResponse) -> tuple[pd.DataFrame, bytes]:
    """A readable table (prefixed IRIs) and a CSV with full IRIs, from a worker's answer.

    The worker sends SPARQL JSON for SELECT/ASK and N-Triples for graphs; both parse back
    losslessly, so the CSV is exactly what the endpoint would send.
    """
    if response.kind == "graph":
        quads = list(ox.parse(response.body, format=ox.RdfFormat.N_TRIPLES))
        names = ["subject", "predicate", "object"]
        cells = [[q.subject, q.predicate, q.object] for q in quads]
    else:
        parsed = ox.parse_query_results(response.body, format=ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            frame = pd.DataFrame({"ask": ["true" if bool(parsed) else "false"]})
            return frame, frame.to_csv(index=False).encode("utf-8")
        names = [v.value for v in parsed.variables]
        cells = [[s[n] for n in names] for s in parsed]
    frame = pd.DataFrame([[sq.term_text(t) for t in row] for row in cells], columns=names)
    csv = sq.write_solutions(names, (dict(zip(names, row, strict=True)) for row in cells), "csv")
    return frame, csv


def error_text(exc: KGError) -> str:
    """Errors shown plainly: what went wrong, and the parser's own words in a block."""
    if isinstance(exc, QueryTimeoutError):
        return f"**Stopped:** {html.escape(str(exc))}. Narrow the query or add a LIMIT."
    if isinstance(exc, QueryError):
        return f"**Query error**\n\n```\n{exc}\n```"
    return f"**Error:** {html.escape(str(exc))}"


def build_sparql_tab(kb_provider: Callable[[], KnowledgeBase]) -> None:
    kb = kb_provider()
    library = sq.saved_queries(kb.settings.ontology / "queries")
    service = sq.query_service(kb_provider)  # the endpoint's service: same workers, limits
    gr.Markdown(
        "Query the knowledge graph (the union of all graphs; the ontology's prefixes are "
        "predeclared). Analysts' tools can use the same data at `/sparql`."
    )
    choice = gr.Dropdown(
        choices=[(title, name) for name, (title, _) in library.items()],
        label="Saved queries",
        value=None,
        elem_id="kg-sparql-saved",
    )
    about = gr.Markdown(elem_id="kg-sparql-about")
    editor = gr.Code(value=STARTER, label="Query", lines=12, elem_id="kg-sparql-editor")
    run = gr.Button("Run query", variant="primary", elem_id="kg-sparql-run")
    status = gr.Markdown(elem_id="kg-sparql-status")
    results = gr.Dataframe(interactive=False, elem_id="kg-sparql-results", wrap=True)
    download = gr.File(label="Download CSV", elem_id="kg-sparql-csv")

    def load(name: str | None) -> tuple[str, str]:
        if name not in library:
            return STARTER, ""
        return library[name][1], query_description(library[name][1])

    def execute(query: str, http: gr.Request) -> tuple[pd.DataFrame, str, str | None]:
        request = sq.QueryRequest(query, result_format="json", graph_format="ntriples")
        client = http.client.host if http is not None and http.client else "app"
        try:
            response = service.run(request, client=client)
        except KGError as exc:
            return pd.DataFrame(), error_text(exc), None
        frame, csv = result_table(response)
        path = Path(tempfile.mkdtemp(prefix="kg-sparql-")) / "results.csv"
        path.write_bytes(csv)
        note = f"{response.rows} {'triples' if response.kind == 'graph' else 'rows'}"
        note += f" in {response.seconds:.2f} s"
        if response.truncated:
            note += f" (cut at the limit of {response.rows}; add a LIMIT or narrow the query)"
        return frame, note, str(path)

    choice.change(load, choice, [editor, about], api_name="load_saved_query")
    run.click(execute, editor, [results, status, download], api_name="sparql_query")
