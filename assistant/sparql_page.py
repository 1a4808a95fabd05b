"""The browser's query page at ``GET /sparql`` (seam 4).

A minimal stub from the ``sparql`` stream: a form that sends the query to the endpoint
itself, with the saved queries to start from. The ``app`` stream replaces it with the
offline editor; the endpoint only calls :func:`render`.
"""

from __future__ import annotations

from html import escape


def render(endpoint_url: str, saved: dict[str, tuple[str, str]]) -> str:
    """A whole HTML page; ``saved`` is name -> (title, query text)."""
    first = next(iter(saved.values()), ("", "SELECT * WHERE { ?s ?p ?o } LIMIT 10"))[1]
    options = "".join(
        f'<option value="{escape(text)}">{escape(title)}</option>' for title, text in saved.values()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>govkg SPARQL endpoint</title></head>
<body>
<h1>govkg SPARQL endpoint</h1>
<p>Endpoint: <code>{escape(endpoint_url)}</code> (SPARQL 1.1 Protocol, read-only).</p>
<form method="get" action="{escape(endpoint_url)}">
<p><label>Saved query
<select onchange="this.form.query.value = this.value">{options}</select></label></p>
<p><textarea name="query" rows="16" cols="100">{escape(first)}</textarea></p>
<p><label>Format <select name="format">
<option value="json">JSON</option><option value="csv">CSV</option>
<option value="tsv">TSV</option><option value="xml">XML</option>
<option value="turtle">Turtle (CONSTRUCT/DESCRIBE)</option></select></label>
<button type="submit">Run</button></p>
</form>
</body></html>
"""
