"""The RDF dataset on a SPARQL 1.1 Protocol server (Oxigraph server, Virtuoso, Fuseki, ...).

Reads are SPARQL queries POSTed to ``KG_SPARQL_URL``; their results are parsed with
pyoxigraph, so callers get the same ``QuerySolutions`` / ``QueryBoolean`` / ``QueryTriples``
as from the embedded store. Writes are SPARQL updates POSTed to ``KG_SPARQL_UPDATE_URL``: a
batch of documents (their graphs, then their registry entries) is one request.

Atomicity differs by server. Oxigraph server applies one request in one transaction.
Virtuoso 7 keeps one request invisible to readers until it ends, but when an operation
fails part-way it commits the operations before it; the writer therefore puts the registry
entries last (the registry is the commit marker), so such a prefix shows up as an
unregistered document that ``kg check --repair`` and the next ingest remove.

Errors are one line naming the server and the HTTP status, never the server's reply: that
may be an HTML page or carry another system's internals (issue 10).
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import httpx
import pyoxigraph as ox

from kg.errors import (
    ConfigError,
    QueryError,
    QueryTimeoutError,
    StoreError,
    StoreUnavailableError,
    WriteRefusedError,
)
from kg.namespaces import GRAPH_BASE, REFERENCE_GRAPH
from kg.stores.base import RDF_STORES, Term

if TYPE_CHECKING:
    from kg.settings import Settings

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
NTRIPLES = "application/n-triples"
_RESULT_FORMATS = {RESULTS_JSON: ox.QueryResultsFormat.JSON, RESULTS_XML: ox.QueryResultsFormat.XML}
_GRAPH_FORMATS = {
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # older servers label N-Triples so
    "text/turtle": ox.RdfFormat.TURTLE,
}


@dataclass(frozen=True)
class Endpoint:
    """Where the server is and how long to wait for it."""

    query_url: str
    update_url: str
    user: str = ""
    password: str = ""
    timeout: float = 10.0
    write_timeout: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Endpoint:
        if not settings.sparql_url:
            raise ConfigError("KG_RDF_STORE=sparql needs KG_SPARQL_URL (the query endpoint)")
        query_url = _checked_url("KG_SPARQL_URL", settings.sparql_url)
        update_url = _checked_url(
            "KG_SPARQL_UPDATE_URL", settings.sparql_update_url or settings.sparql_url
        )
        return cls(
            query_url,
            update_url,
            settings.sparql_user,
            settings.sparql_password,
            settings.sparql_timeout,
            settings.sparql_write_timeout,
        )


def _checked_url(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{name}={url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise ConfigError(f"{name} must not carry credentials; use KG_SPARQL_USER/PASSWORD")
    return url


class ChallengeAuth(httpx.Auth):
    """HTTP basic or digest, whichever the server's first 401 challenge asks for.

    Virtuoso's ``/sparql-auth`` speaks only digest; Fuseki and proxies often only basic.
    Credentials are sent only after a challenge, and the scheme is remembered.
    """

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._scheme = ""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        response = yield request
        challenge = response.headers.get("www-authenticate", "").strip().lower()
        if response.status_code != 401 or not challenge:
            return
        if challenge.startswith("basic"):
            self._scheme = "basic"
            yield from self._basic.auth_flow(request)
            return
        if challenge.startswith("digest"):
            self._scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)  # its first, unauthenticated request is the one already answered
            try:
                retry = flow.send(response)
                while True:
                    retry = flow.send((yield retry))
            except StopIteration:
                return


class SparqlClient:
    """SPARQL 1.1 Protocol over HTTP: one connection pool, timeouts, one-line errors."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        auth = ChallengeAuth(endpoint.user, endpoint.password) if endpoint.user else None
        self._http = httpx.Client(auth=auth, headers={"User-Agent": "govkg"}, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def query(
        self,
        text: str,
        accept: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
    ) -> httpx.Response:
        """POST a query (form-encoded: any length, any characters) and return the answer."""
        form = [("query", text)]
        form += [("default-graph-uri", g) for g in default_graphs]
        form += [("named-graph-uri", g) for g in named_graphs]
        limit = self.endpoint.timeout if timeout is None else timeout
        url = self.endpoint.query_url
        try:
            response = self._http.post(
                url,
                content=urlencode(form).encode("ascii"),
                headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
                timeout=httpx.Timeout(limit, connect=min(limit, 10.0)),
            )
        except httpx.TimeoutException:
            raise QueryTimeoutError(
                f"query stopped at the {limit:g} s limit (the SPARQL server at {url} did not answer in time)"
            ) from None
        except httpx.HTTPError as exc:
            raise _unreachable(url, exc) from None
        if response.status_code >= 400:
            raise _query_failed(url, response.status_code)
        cap = response.headers.get("x-sparql-maxrows")
        if cap:  # Virtuoso's sign that ResultSetMaxRows cut the answer: never use it as whole
            raise QueryError(
                f"the SPARQL server at {url} cut the result at {cap} rows (its own limit, "
                "Virtuoso's ResultSetMaxRows): raise that limit above KG_SPARQL_MAX_ROWS"
            )
        return response

    def update(self, text: str) -> None:
        """POST one update request; raise WriteRefusedError unless the server applied it."""
        url = self.endpoint.update_url
        limit = self.endpoint.write_timeout
        try:
            response = self._http.post(
                url,
                content=text.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                timeout=httpx.Timeout(limit, connect=min(limit, 10.0)),
            )
        except httpx.TimeoutException:
            raise StoreUnavailableError(
                f"the SPARQL server at {url} did not finish an update within {limit:g} s "
                "(KG_SPARQL_WRITE_TIMEOUT); the next ingest repairs what it left"
            ) from None
        except httpx.HTTPError as exc:
            raise _unreachable(url, exc) from None
        if response.status_code >= 400:
            raise WriteRefusedError(
                f"the SPARQL server at {url} refused the update (HTTP {response.status_code})"
                + _hint(response.status_code, update=True)
            )


def _unreachable(url: str, exc: httpx.HTTPError) -> StoreUnavailableError:
    reason = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc).split("\n")[0])[:120]
    reason = reason or type(exc).__name__
    return StoreUnavailableError(f"cannot reach the SPARQL server at {url}: {reason}")


def _hint(status: int, update: bool = False) -> str:
    if status in {401, 403}:
        return "; check KG_SPARQL_USER and KG_SPARQL_PASSWORD and the user's update rights"
    if status == 404:
        return "; check KG_SPARQL_UPDATE_URL" if update else "; check KG_SPARQL_URL"
    return ""


def _query_failed(url: str, status: int) -> QueryError | StoreError:
    if status in {401, 403, 404}:
        return StoreUnavailableError(
            f"the SPARQL server at {url} refused the query (HTTP {status}){_hint(status)}"
        )
    if status == 400:
        return QueryError(f"the SPARQL server at {url} rejected the query (HTTP 400)")
    return StoreError(f"the SPARQL server at {url} failed on the query (HTTP {status})")


_EMPTY = ox.Store()  # parses queries locally: the query form picks the result format


def query_form(text: str) -> type:
    """SELECT/ASK/CONSTRUCT of a query, by Oxigraph's parser, which also reports syntax errors
    with their position here rather than the remote server's reply."""
    try:
        return type(_EMPTY.query(text))
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL query: {exc}") from None


def with_prefixes(text: str, prefixes: Mapping[str, str] | None) -> str:
    """The prologue pyoxigraph's ``prefixes=`` adds, written out for a remote server."""
    if not prefixes:
        return text
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items()) + text


def with_values(text: str, bindings: Mapping[str, Term] | None) -> str:
    """Bound variables (name → term, pyoxigraph's ``substitutions``) as a trailing VALUES
    clause.

    SPARQL 1.1 joins that clause with the query's pattern, which gives what substitution
    gives for variables the pattern always binds, the way our own parameterised queries use
    them; a server's planner pushes the values into the pattern.
    """
    if not bindings:
        return text
    names = " ".join("?" + name for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"{text}\nVALUES ({names}) {{ ({terms}) }}"


def parse_results(response: httpx.Response, url: str) -> ox.QuerySolutions | ox.QueryBoolean:
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = _RESULT_FORMATS.get(media)
    if fmt is None:
        raise StoreUnavailableError(
            f"the server at {url} did not answer as a SPARQL endpoint (got {media or 'no type'})"
        )
    body = response.content
    if fmt == ox.QueryResultsFormat.JSON and b'"bnode"' in body:
        body = _portable_bnodes(body)
    try:
        return ox.parse_query_results(body, format=fmt)
    except SyntaxError:
        raise QueryError(f"the SPARQL server at {url} sent results that do not parse") from None


def _portable_bnodes(body: bytes) -> bytes:
    """Virtuoso labels blank nodes ``nodeID://b123``, which is not a blank node label."""
    data = json.loads(body)
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = "".join(c if c.isalnum() else "_" for c in term["value"])
    return json.dumps(data).encode("utf-8")


def parse_triples(response: httpx.Response, url: str) -> ox.QueryTriples:
    """A CONSTRUCT answer as a real ``QueryTriples``: loaded into a scratch in-memory store."""
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = _GRAPH_FORMATS.get(media)
    if fmt is None:
        raise StoreUnavailableError(
            f"the server at {url} did not answer with RDF (got {media or 'no type'})"
        )
    scratch = ox.Store()
    try:
        scratch.load(response.content, format=fmt, to_graph=ox.DefaultGraph())
    except SyntaxError:
        raise QueryError(f"the SPARQL server at {url} sent RDF that does not parse") from None
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result


BLOCK_TRIPLES = 1000  # per GRAPH block of an INSERT DATA
OP_TRIPLES = 20000  # per INSERT DATA operation


def insert_data(graphs: Sequence[tuple[str, str]]) -> list[str]:
    """INSERT DATA operations for graphs given as N-Triples text (one triple a line)."""
    ops: list[str] = []
    blocks: list[str] = []
    size = 0
    for iri, ntriples in graphs:
        lines = [line for line in ntriples.splitlines() if line.strip()]
        for at in range(0, len(lines), BLOCK_TRIPLES):
            chunk = lines[at : at + BLOCK_TRIPLES]
            if size + len(chunk) > OP_TRIPLES and blocks:
                ops.append("INSERT DATA {\n" + "".join(blocks) + "}")
                blocks, size = [], 0
            blocks.append(f"GRAPH <{iri}> {{\n" + "\n".join(chunk) + "\n}\n")
            size += len(chunk)
    if blocks:
        ops.append("INSERT DATA {\n" + "".join(blocks) + "}")
    return ops


class SparqlStore:
    """The RDF store protocol on a remote SPARQL server.

    It sees only govkg's own graphs (under ``GRAPH_BASE``): a server shared with other data
    keeps it, and counts and dumps leave it out. The server's default graph must be the
    union of its named graphs (Oxigraph: ``serve --union-default-graph``; Virtuoso: the
    default; Fuseki: ``unionDefaultGraph``); :meth:`union_default` checks it.
    """

    name = backend = "sparql"

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.client = SparqlClient(endpoint)

    @classmethod
    def open(cls, settings: Settings, read_only: bool = True) -> SparqlStore:
        """Connect; a writer first proves it may write, before anything else is written."""
        store = cls(Endpoint.from_settings(settings))
        if not read_only:
            store.client.update("INSERT DATA { }")
        return store

    def read_path(self) -> Path | None:
        """No directory a reader could open: readers query the server."""
        return None

    # --- reading ----------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        union: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
        bindings: Mapping[str, Term] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Run a query on the server, parsed into pyoxigraph's result types (a ``Result``).

        ``union`` is the server's own default (see the class docstring). Graphs are sent as
        the protocol's ``default-graph-uri`` / ``named-graph-uri``, ``bindings`` as a
        VALUES clause (:func:`with_values`); ``timeout`` overrides KG_SPARQL_TIMEOUT.
        """
        text = with_values(with_prefixes(sparql, prefixes), bindings)
        form = query_form(text)
        accept = NTRIPLES if form is ox.QueryTriples else f"{RESULTS_JSON}, {RESULTS_XML};q=0.5"
        response = self.client.query(
            text, accept, list(default_graphs or ()), list(named_graphs or ()), timeout
        )
        url = self.endpoint.query_url
        if form is ox.QueryTriples:
            return parse_triples(response, url)
        return parse_results(response, url)

    def _select(self, text: str) -> ox.QuerySolutions:
        result = self.query(text)
        assert isinstance(result, ox.QuerySolutions)
        return result

    def _ask(self, text: str) -> bool:
        return bool(self.query(text))

    def graph_names(self) -> list[str]:
        rows = self._select(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}")) }}'
        )
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph:
            text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        else:
            text = (
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}")) }}'
            )
        row = next(iter(self._select(text)), None)
        value = row["n"] if row is not None else None
        return int(value.value) if value is not None else 0

    def counts(self) -> dict[str, int]:
        """Triples per govkg graph, in one query."""
        rows = self._select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}")) }} GROUP BY ?g'
        )
        return {row["g"].value: int(row["n"].value) for row in rows}

    def quads(self, graph_iri: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of one graph (default: of every govkg graph), one request per graph."""
        for iri in [graph_iri] if graph_iri else self.graph_names():
            node = ox.NamedNode(iri)
            triples = self.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
            )
            for t in triples:
                yield ox.Quad(t.subject, t.predicate, t.object, node)

    def dump(self, fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
        """Graph by graph, so a server's cap on result rows (Virtuoso's ResultSetMaxRows)
        applies to one document at a time, not to the whole dataset."""
        quads = list(self.quads(graph))
        if fmt.supports_datasets:
            return ox.serialize(quads, format=fmt) or b""
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        return ox.serialize(triples, format=fmt) or b""

    def union_default(self) -> bool:
        """Whether the server's default graph shows the named graphs' triples (it must)."""
        if not self._ask(f"ASK {{ GRAPH <{REFERENCE_GRAPH}> {{ ?s ?p ?o }} }}"):
            return True  # nothing to tell by yet
        return self._ask(
            f"ASK {{ ?s ?p ?o FILTER EXISTS {{ GRAPH <{REFERENCE_GRAPH}> {{ ?s ?p ?o }} }} }}"
        )

    # --- writing ----------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        self.client.update(sparql)

    def flush(self) -> None:
        """The server makes each update durable itself."""

    def publish(self, target: Path) -> None:
        """Nothing to publish: every reader queries the server, which is the one copy."""

    def verify(self) -> list[str]:
        """What `kg check` must know about the server: its default graph must be the union."""
        if self.union_default():
            return []
        return ["the SPARQL server's default graph is not the union of its named graphs"]

    def replace_graphs(self, graphs: Sequence[tuple[str, str]], extra_update: str = "") -> None:
        """Empty and refill several graphs (N-Triples text), then ``extra_update``: one request.

        Written in as few operations as SPARQL allows, whatever the number of graphs: one
        DELETE for all of them, then INSERT DATA operations of at most ``OP_TRIPLES``
        triples in GRAPH blocks of at most ``BLOCK_TRIPLES``. Servers bound both: Virtuoso 7
        refuses a request of ~800 operations and a block of ~5,000 triples.
        """
        if not graphs:
            if extra_update:
                self.update(extra_update)
            return
        names = " ".join(f"<{iri}>" for iri, _ in graphs)
        ops = [
            f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ VALUES ?g {{ {names} }} "
            "GRAPH ?g { ?s ?p ?o } }"
        ]
        ops += insert_data(graphs)
        self.update(" ;\n".join(ops + ([extra_update] if extra_update else [])))

    def drop_graph(self, graph: str, extra_update: str = "") -> None:
        """``extra_update`` (the registry delete) goes first: a server that stops part-way
        then leaves an unregistered graph, which repair finds, not a registered empty one."""
        self.update(
            (f"{extra_update} ;\n" if extra_update else "") + f"DROP SILENT GRAPH <{graph}>"
        )

    def close(self) -> None:
        self.client.close()


class SparqlBackend:
    """The ``sparql`` entry of the RDF registry: writers and readers both talk to the live
    server, so a generation folder holds nothing of the RDF dataset."""

    name = "sparql"

    def open_writer(self, settings: Settings) -> SparqlStore:
        return SparqlStore.open(settings, read_only=False)

    def open_reader(self, settings: Settings, generation: Path) -> SparqlStore:
        return SparqlStore.open(settings, read_only=True)

    def discard(self, settings: Settings) -> None:
        """Drop every govkg graph on the server (repair re-derives them from the texts)."""
        store = SparqlStore.open(settings, read_only=False)
        try:
            graphs = store.graph_names()
            if graphs:
                store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
        finally:
            store.close()

    def describe(self, settings: Settings) -> str:
        """The query endpoint (and the update one when it differs); never the password."""
        where = settings.sparql_url or "(KG_SPARQL_URL not set)"
        if settings.sparql_update_url and settings.sparql_update_url != settings.sparql_url:
            where += f", updates at {settings.sparql_update_url}"
        return f"sparql at {where}"


RDF_STORES.register(SparqlBackend())
