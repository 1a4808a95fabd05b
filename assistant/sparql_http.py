"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, time-limited, row-capped.

GET ``?query=``, POST form-encoded and POST ``application/sparql-query``; the dataset
from ``default-graph-uri`` / ``named-graph-uri`` (else the union of all graphs); the result
format by ``Accept`` or a ``format=`` / ``output=`` parameter (as Fuseki and Virtuoso take
it). Queries run in worker processes (kg.sparql.QueryPool) that are killed at the timeout,
so a runaway query neither blocks the event loop nor keeps burning a core.

Status codes: 400 malformed query or request, 403 SPARQL UPDATE, 406 no acceptable format,
415 unknown POST body type, 500 worker died, 503 query timed out (or all workers busy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kg import sparql as sq
from kg.base import KnowledgeBase
from kg.errors import EmptyStoreError, KGError, QueryError, QueryTimeoutError
from kg.namespaces import PREFIXES
from kg.settings import Settings

# Accepted media types (request side) -> our format names, per kind of result.
RESULT_ACCEPT = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_ACCEPT = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",  # Turtle is valid N3
    "text/rdf+n3": "turtle",
    "application/n3": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
    "text/x-nquads": "nquads",
}
# Preference when the client sends a wildcard (the first is the default).
RESULT_ORDER = ("json", "xml", "csv", "tsv")
GRAPH_ORDER = ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads")
# ?format= / ?output= values -> (SELECT/ASK format, CONSTRUCT/DESCRIBE format).
FORMAT_PARAM = {
    "json": ("json", "jsonld"),
    "srj": ("json", None),
    "xml": ("xml", "rdfxml"),
    "srx": ("xml", None),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "n3": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "json-ld": (None, "jsonld"),
    "jsonld": (None, "jsonld"),
    "rdf": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"),
    "trig": (None, "trig"),
    "nquads": (None, "nquads"),
    "nq": (None, "nquads"),
}
FORM = "application/x-www-form-urlencoded"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")


class ProtocolError(Exception):
    """A request the protocol layer answers itself, with an HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _status_for(exc: KGError) -> int:
    """The HTTP status for a library error (most specific class first)."""
    table: list[tuple[type[KGError], int]] = [
        (sq.UpdateRefusedError, 403),
        (sq.NotAcceptableError, 406),
        (QueryTimeoutError, 503),
        (sq.WorkerCrashedError, 500),
        (EmptyStoreError, 503),
        (QueryError, 400),
    ]
    return next((status for cls, status in table if isinstance(exc, cls)), 500)


# --- Content negotiation ----------------------------------------------------------------


def _accept_ranges(header: str) -> list[str]:
    """Media ranges by descending q (stable for ties), q=0 dropped."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, index, media.lower()))
    return [media for _, _, media in sorted(ranked)]


def _pick(ranges: list[str], table: dict[str, str], order: tuple[str, ...]) -> str | None:
    media_of = {fmt: media for media, fmt in reversed(table.items())}
    for media in ranges:
        if media in table:
            return table[media]
        if media == "*/*":
            return order[0]
        if media.endswith("/*"):
            family = media[:-1]
            hit = next((f for f in order if media_of[f].startswith(family)), None)
            if hit:
                return hit
    return None


def negotiate(accept: str | None, format_values: list[str]) -> tuple[str | None, str | None]:
    """(format for SELECT/ASK, format for CONSTRUCT/DESCRIBE); None where nothing fits."""
    for value in format_values:
        key = value.strip().lower()
        if key in FORMAT_PARAM:
            return FORMAT_PARAM[key]
        media = key.split(";")[0].strip()
        if media in RESULT_ACCEPT or media in GRAPH_ACCEPT:
            return RESULT_ACCEPT.get(media), GRAPH_ACCEPT.get(media)
    if format_values:
        raise ProtocolError(406, f"unknown format {format_values[0]!r}")
    ranges = _accept_ranges(accept or "*/*") or ["*/*"]
    return _pick(ranges, RESULT_ACCEPT, RESULT_ORDER), _pick(ranges, GRAPH_ACCEPT, GRAPH_ORDER)


# --- Reading the request -------------------------------------------------------------------


async def read_params(request: Request) -> dict[str, list[str]]:
    """URL parameters merged with a form body; a direct POST body becomes ``query``."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method != "POST":
        return params
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not UTF-8") from None
    if ctype == "application/sparql-update":
        raise ProtocolError(403, "this endpoint is read-only: SPARQL UPDATE is refused")
    if ctype == "application/sparql-query":
        if "query" in params:
            raise ProtocolError(400, "give the query in the body or the URL, not both")
        params["query"] = [body]
    elif ctype == FORM:
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    else:
        raise ProtocolError(
            415, f"POST a query as {FORM} or application/sparql-query, not {ctype or 'no type'}"
        )
    return params


def build_request(params: dict[str, list[str]], accept: str | None) -> sq.QueryRequest:
    if params.get("update"):
        raise ProtocolError(403, "this endpoint is read-only: SPARQL UPDATE is refused")
    queries = params.get("query", [])
    if len(queries) != 1 or not queries[0].strip():
        raise ProtocolError(400, "give exactly one non-empty 'query' parameter")
    result_fmt, graph_fmt = negotiate(accept, params.get("format", []) + params.get("output", []))
    if result_fmt is None and graph_fmt is None:
        raise ProtocolError(406, f"cannot produce any of: {accept}")
    return sq.QueryRequest(
        query=queries[0],
        result_format=result_fmt,
        graph_format=graph_fmt,
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
    )


# --- Running -------------------------------------------------------------------------------


@dataclass
class QueryService:
    """Runs protocol requests against the knowledge base, in killable workers."""

    kb_provider: Callable[[], KnowledgeBase]

    def warm_up(self) -> None:
        """Start the worker pool now so the first analyst does not wait for it."""
        kb = self.kb_provider()
        if kb.rdf.read_path() is not None:
            sq.shared_pool(kb.settings.rdf_dir)

    def run(self, request: sq.QueryRequest) -> sq.QueryResponse:
        kb = self.kb_provider()
        settings = kb.settings
        request = replace(request, max_rows=settings.sparql_max_rows)
        snapshot = kb.rdf.read_path()
        if snapshot is None:  # a server backend: no files for a worker to open
            return sq.execute(kb.rdf, request)
        pool = sq.shared_pool(settings.rdf_dir)
        return pool.run(request, str(snapshot), settings.sparql_timeout)

    def description(self, endpoint: str, accept: str | None) -> tuple[bytes, str]:
        """A SPARQL 1.1 Service Description of this endpoint and its named graphs."""
        kb = self.kb_provider()
        fmt = _pick(_accept_ranges(accept or "*/*"), GRAPH_ACCEPT, GRAPH_ORDER) or "turtle"
        triples = _service_triples(endpoint, kb.rdf.graph_names(), kb.settings)
        target = sq.GRAPH_FORMATS[fmt]
        items: list[ox.Triple] | list[ox.Quad] = triples
        if target.supports_datasets:
            items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        prefixes = {"sd": SD, "formats": FORMATS_NS, "rdfs": PREFIXES["rdfs"]}
        body = ox.serialize(items, format=target, prefixes=prefixes) or b""
        return body, sq.GRAPH_MEDIA[fmt]


def _service_triples(endpoint: str, graphs: list[str], settings: Settings) -> list[ox.Triple]:
    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    service, dataset, default = ox.NamedNode(endpoint), ox.BlankNode(), ox.BlankNode()
    note = (
        "Read-only. The default graph is the union of all graphs. Queries stop after "
        f"{settings.sparql_timeout:g} s (HTTP 503) and return at most "
        f"{settings.sparql_max_rows} rows."
    )
    formats = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV"]
    formats += [
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "TriG",
        "N-Quads",
    ]
    out = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        *(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS_NS + f)) for f in formats),
        ox.Triple(service, RDFS_COMMENT, ox.Literal(note, language="en")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, sd("Graph")),
    ]
    for iri in graphs:
        node = ox.BlankNode()
        out.append(ox.Triple(dataset, sd("namedGraph"), node))
        out += [
            ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(iri)),
        ]
    return out


# --- CORS (for /sparql only; the chat app stays same-origin) ------------------------------


def _cors_headers(request: Request, origins: str) -> dict[str, str]:
    origin = request.headers.get("origin")
    allowed = {o.strip() for o in origins.split(",") if o.strip()}
    if not origin or not allowed:
        return {}
    if "*" in allowed:
        return {"Access-Control-Allow-Origin": "*"}
    if origin in allowed:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def build_router(kb_provider: Callable[[], KnowledgeBase]) -> APIRouter:
    router = APIRouter()
    service = QueryService(kb_provider)
    service.warm_up()
    exposed = "X-KG-Rows, X-KG-Truncated, X-SPARQL-MaxRows"

    def reply(request: Request, response: Response) -> Response:
        cors = _cors_headers(request, kb_provider().settings.cors_origins)
        if cors:
            cors["Access-Control-Expose-Headers"] = exposed
        if "Vary" in cors and "vary" in response.headers:
            cors["Vary"] = response.headers["vary"] + ", Origin"
        response.headers.update(cors)
        return response

    def error(request: Request, status: int, message: str) -> Response:
        return reply(request, Response(message + "\n", status_code=status, media_type="text/plain"))

    @router.options("/sparql")
    async def preflight(request: Request) -> Response:
        response = Response(status_code=204)
        if _cors_headers(request, kb_provider().settings.cors_origins):
            asked = request.headers.get("access-control-request-headers", "Content-Type, Accept")
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = asked
            response.headers["Access-Control-Max-Age"] = "600"
        return reply(request, response)

    @router.api_route("/sparql", methods=["GET", "POST"])
    async def endpoint(request: Request) -> Response:
        accept = request.headers.get("accept")
        try:
            params = await read_params(request)
            if request.method == "GET" and not params.get("query") and not params.get("update"):
                endpoint_iri = str(request.url.replace(query="", fragment=""))
                body, media = await run_in_threadpool(service.description, endpoint_iri, accept)
                return reply(request, Response(body, media_type=media))
            query_request = build_request(params, accept)
            result = await run_in_threadpool(service.run, query_request)
        except ProtocolError as exc:
            return error(request, exc.status, str(exc))
        except KGError as exc:
            return error(request, _status_for(exc), str(exc))
        headers = {"X-KG-Rows": str(result.rows), "Vary": "Accept"}
        if result.truncated:
            headers |= {"X-KG-Truncated": "true", "X-SPARQL-MaxRows": str(result.rows)}
        return reply(request, Response(result.body, media_type=result.media_type, headers=headers))

    return router
