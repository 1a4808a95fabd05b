"""The SPARQL query page a browser gets at ``GET /sparql`` (no query) and at ``/query``.

YASGUI's editor (syntax highlighting, prefix, keyword and term completion, Ctrl+Enter)
and result views, served from this server (assistant/static/vendor, installed by
`make assets`), with the saved queries one click away. Queries go to ``endpoint_url``
with the SPARQL 1.1 Protocol, like any other client's. The page carries no inline
script: its data travels in a JSON block, so a strict Content-Security-Policy holds.
"""

from __future__ import annotations

import json

from assistant.assets import MISSING_MESSAGE, editor_ready
from assistant.render import attr, esc
from kg.namespaces import PREFIXES

# The policy sent with the page: scripts and connections to this origin only.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


def description(text: str) -> str:
    """The ``# description:`` comment of a saved query, if it has one."""
    for line in text.splitlines():
        if line.lower().startswith("# description:"):
            return line.split(":", 1)[1].strip()
    return ""


def json_block(data: object) -> str:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def saved_list(saved: dict[str, tuple[str, str]]) -> str:
    """The saved queries as buttons: one click loads a query into the editor."""
    items = "".join(
        f'<li><button type="button" class="kg-saved" data-name={attr(name)}'
        f" title={attr(description(text) or title)}>{esc(title)}</button></li>"
        for name, (title, text) in saved.items()
    )
    return f'<ul class="kg-saved-list" aria-label="Saved queries">{items}</ul>'


def render(endpoint_url: str, saved: dict[str, tuple[str, str]]) -> str:
    """The whole query page (HTML) for ``endpoint_url`` with the ``saved`` queries."""
    first = next(iter(saved.values()), ("", "SELECT * WHERE { ?s ?p ?o } LIMIT 10"))[1]
    config = {
        "endpoint": endpoint_url,
        "prefixes": PREFIXES,
        "query": first,
        "saved": {
            name: {"title": title, "query": text, "description": description(text)}
            for name, (title, text) in saved.items()
        },
    }
    ours = '<script src="/kg/static/kg-sparql.js" defer></script><script src="/kg/static/sparql-page.js" defer></script>'
    if editor_ready():
        vendor = (
            '<link rel="stylesheet" href="/kg/static/vendor/yasgui.min.css">'
            '<script src="/kg/static/vendor/yasgui.min.js" defer></script>'
        )
        missing = ""
    else:  # a plain text box and a plain table still work
        vendor, missing = (
            "",
            f'<p class="kg-notice kg-error" role="alert">{esc(MISSING_MESSAGE)}</p>',
        )
    assets = vendor + ours
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SPARQL · govkg</title>
<link rel="stylesheet" href="/kg/static/app.css">{assets}
</head><body class="kg-sparql-page">
<header class="kg-page-head"><h1>SPARQL query</h1>
<p>Endpoint <code>{esc(endpoint_url)}</code> (SPARQL 1.1 Protocol, read-only; the union of all
graphs; the ontology's prefixes are predeclared). <a href="/">Back to the govkg app</a>.</p></header>
{missing}
<main class="kg-sparql-main">
<nav class="kg-saved-nav"><h2>Saved queries</h2>{saved_list(saved)}</nav>
<section class="kg-sparql-work" aria-label="Query and results">
<p id="kg-saved-about" class="kg-about"></p>
<form id="kg-form" method="post" action={attr(endpoint_url)}>
<label for="kg-query-fallback" class="kg-label">Query <span class="kg-hint">(Ctrl+Enter runs it,
Ctrl+Space completes)</span></label>
<div id="kg-editor" class="kg-editor"></div>
<noscript><p>Without JavaScript this form sends the query to the endpoint, which answers
with the raw results; any SPARQL client can use <code>{esc(endpoint_url)}</code> directly.</p></noscript>
<textarea id="kg-query-fallback" name="query" class="kg-fallback" rows="10">{esc(first)}</textarea>
<div class="kg-actions"><button type="submit" id="kg-run" class="kg-primary">Run query</button>
<span class="kg-downloads" id="kg-downloads" hidden>Download:
<button type="button" data-format="csv">CSV</button>
<button type="button" data-format="json">JSON</button>
<button type="button" data-format="tsv">TSV</button>
<button type="button" data-format="turtle">Turtle</button>
<button type="button" data-format="ntriples">N-Triples</button></span></div>
</form>
<p id="kg-status" class="kg-status" role="status" aria-live="polite"></p>
<div id="kg-results" class="kg-results"></div>
</section></main>
<script type="application/json" id="kg-sparql-config">{json_block(config)}</script>
</body></html>"""
