"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, time-limited, row-capped, fair.

GET ``?query=``, POST form-encoded and POST ``application/sparql-query``; the dataset
from ``default-graph-uri`` / ``named-graph-uri`` (else the union of all graphs); the result
format by ``Accept`` or a ``format=`` / ``output=`` parameter (as Fuseki and Virtuoso take
it), from the records in :mod:`kg.sparql.formats`. Every query goes through the one query
service (:mod:`kg.sparql.service`): guard, per-client fairness, killable sandboxed workers.

Status codes: 400 malformed or refused query (SERVICE, too long, too deep) or request,
403 SPARQL UPDATE, 405 other methods (with ``Allow``), 406 no acceptable format, 413 body
too large, 415 unknown POST body type, 500 worker died, 503 query timed out, or queue full
(with ``Retry-After``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kg import sparql as sq
from kg.base import KnowledgeBase
from kg.errors import (
    EmptyStoreError,
    KGError,
    NotAcceptableError,
    QueryError,
    QueryTimeoutError,
    ServiceBusyError,
    StoreDamagedError,
    StoreError,
    StoreUnavailableError,
    UpdateRefusedError,
    WorkerCrashedError,
)
from kg.namespaces import PREFIXES
from kg.settings import Settings
from kg.sparql import formats
from kg.sparql.service import QueryService, query_service

FORM = "application/x-www-form-urlencoded"
ALLOW = "GET, HEAD, POST, OPTIONS"
SD = "http://www.w3.org/ns/sparql-service-description#"
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
        (UpdateRefusedError, 403),
        (NotAcceptableError, 406),
        (QueryTimeoutError, 503),
        (ServiceBusyError, 503),
        (WorkerCrashedError, 500),
        (EmptyStoreError, 503),
        (QueryError, 400),
        (StoreUnavailableError, 503),  # the SPARQL/Chroma server is down or too slow
        (StoreError, 502),  # the server answered with a failure: a bad gateway for us
        (StoreDamagedError, 503),
    ]
    return next((status for cls, status in table if isinstance(exc, cls)), 500)


# --- Content negotiation ----------------------------------------------------------------


def negotiate(accept: str | None, format_values: list[str]) -> tuple[str | None, str | None]:
    """(format for SELECT/ASK, format for CONSTRUCT/DESCRIBE); None where nothing fits."""
    for value in format_values:
        results = formats.resolve(value, formats.RESULTS)
        graph = formats.resolve(value, formats.GRAPH)
        if results or graph:
            return (results.name if results else None), (graph.name if graph else None)
    if format_values:
        raise ProtocolError(406, f"unknown format {format_values[0]!r}")
    ranges = formats.accept_ranges(accept)
    results, _ = formats.pick(ranges, formats.RESULTS)
    graph, _ = formats.pick(ranges, formats.GRAPH)
    return (results.name if results else None), (graph.name if graph else None)


def wants_html(accept: str | None) -> bool:
    """A browser: text/html preferred over every RDF format of the service description."""
    ranges = formats.accept_ranges(accept)
    html = formats.quality(ranges, "text/html")
    _, rdf = formats.pick(ranges, formats.GRAPH)
    return html > rdf


# --- Reading the request -------------------------------------------------------------------


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 by its Content-Length or as soon as it grows past
    ``limit`` while streaming in: a huge POST is never held in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, _too_large(int(declared), limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, _too_large(None, limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(declared: int | None, limit: int) -> str:
    """The 413 message, by the declared Content-Length or, while streaming, the limit."""
    size = f"{declared:,} bytes" if declared is not None else f"over {limit:,} bytes"
    return f"the request body is {size}; /sparql reads at most {limit:,} (KG_SPARQL_MAX_BODY_KB)"


async def read_params(request: Request, body_limit: int) -> dict[str, list[str]]:
    """URL parameters merged with a form body; a direct POST body becomes ``query``."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method != "POST":
        return params
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        raise ProtocolError(403, "this endpoint is read-only: SPARQL UPDATE is refused")
    if ctype not in {FORM, "application/sparql-query"}:
        raise ProtocolError(
            415, f"POST a query as {FORM} or application/sparql-query, not {ctype or 'no type'}"
        )
    try:
        body = (await read_body(request, body_limit)).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not UTF-8") from None
    if ctype == "application/sparql-query":
        if "query" in params:
            raise ProtocolError(400, "give the query in the body or the URL, not both")
        params["query"] = [body]
    else:
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
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


# --- The service description -----------------------------------------------------------------


def description(kb: KnowledgeBase, endpoint: str, accept: str | None) -> tuple[bytes, str]:
    """A SPARQL 1.1 Service Description of this endpoint and its named graphs."""
    fmt, _ = formats.pick(formats.accept_ranges(accept), formats.GRAPH)
    fmt = fmt or formats.named("turtle")
    triples = _service_triples(endpoint, kb.rdf.graph_names(), kb.settings)
    target = fmt.rdf
    assert target is not None  # every graph format has an RDF syntax
    items: list[ox.Triple] | list[ox.Quad] = triples
    if target.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    prefixes = {"sd": SD, "formats": formats.W3C_FORMATS, "rdfs": PREFIXES["rdfs"]}
    body = ox.serialize(items, format=target, prefixes=prefixes) or b""
    return body, fmt.media_type


def _service_triples(endpoint: str, graphs: list[str], settings: Settings) -> list[ox.Triple]:
    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    service, dataset, default = ox.NamedNode(endpoint), ox.BlankNode(), ox.BlankNode()
    note = (
        "Read-only; federated queries (SERVICE) are refused. The default graph is the union "
        f"of all graphs. Queries stop after {settings.sparql_timeout:g} s (HTTP 503) and "
        f"return at most {settings.sparql_max_rows} rows."
    )
    w3c = [f.w3c for f in formats.FORMATS if f.http and f.w3c and f.kinds - {formats.DATASET}]
    out = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        *(
            ox.Triple(service, sd("resultFormat"), ox.NamedNode(formats.W3C_FORMATS + name))
            for name in w3c
        ),
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


def _query_page(kb: KnowledgeBase, endpoint: str) -> str:
    """Seam 4: the browser's query page, rendered by the app's module."""
    from assistant import sparql_page

    saved = sq.saved_queries(kb.settings.ontology / "queries")
    return sparql_page.render(endpoint, saved)


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


def client_of(request: Request) -> str:
    """The fairness key: the remote address (behind a proxy every client shares one)."""
    return request.client.host if request.client else "unknown"


def build_router(
    kb_provider: Callable[[], KnowledgeBase], service: QueryService | None = None
) -> APIRouter:
    router = APIRouter()
    service = service or query_service(kb_provider)
    protection = service.warm_up()
    print(f"govkg: SPARQL workers' network protection: {protection}", file=sys.stderr, flush=True)
    exposed = "X-KG-Rows, X-KG-Truncated, X-SPARQL-MaxRows, Retry-After"

    def reply(request: Request, response: Response) -> Response:
        cors = _cors_headers(request, kb_provider().settings.cors_origins)
        if cors:
            cors["Access-Control-Expose-Headers"] = exposed
        if "Vary" in cors and "vary" in response.headers:
            cors["Vary"] = response.headers["vary"] + ", Origin"
        response.headers.update(cors)
        return response

    def error(
        request: Request, status: int, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        response = Response(
            message + "\n", status_code=status, media_type="text/plain", headers=headers
        )
        if status == 413:  # the rest of the body is not read: do not keep the connection
            response.headers["Connection"] = "close"
        return reply(request, response)

    @router.options("/sparql")
    async def preflight(request: Request) -> Response:
        response = Response(status_code=204, headers={"Allow": ALLOW})
        if _cors_headers(request, kb_provider().settings.cors_origins):
            asked = request.headers.get("access-control-request-headers", "Content-Type, Accept")
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = asked
            response.headers["Access-Control-Max-Age"] = "600"
        return reply(request, response)

    @router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"])
    async def not_allowed(request: Request) -> Response:
        message = f"{request.method} is not allowed on /sparql (read-only); use {ALLOW}"
        return error(request, 405, message, {"Allow": ALLOW})

    @router.api_route("/sparql", methods=["GET", "HEAD", "POST"])
    async def endpoint(request: Request) -> Response:
        accept = request.headers.get("accept")
        kb = kb_provider()
        try:
            params = await read_params(request, kb.settings.sparql_max_body_kb * 1024)
            if request.method != "POST" and not params.get("query") and not params.get("update"):
                endpoint_iri = str(request.url.replace(query="", fragment=""))
                if wants_html(accept):
                    page = await run_in_threadpool(_query_page, kb, endpoint_iri)
                    return reply(request, Response(page, media_type="text/html; charset=utf-8"))
                body, media = await run_in_threadpool(description, kb, endpoint_iri, accept)
                return reply(request, Response(body, media_type=media, headers={"Vary": "Accept"}))
            query_request = build_request(params, accept)
            result = await run_in_threadpool(
                lambda: service.run(query_request, client=client_of(request))
            )
        except ProtocolError as exc:
            return error(request, exc.status, str(exc))
        except ServiceBusyError as exc:
            return error(request, 503, str(exc), {"Retry-After": str(exc.retry_after)})
        except KGError as exc:
            return error(request, _status_for(exc), str(exc))
        headers = {"X-KG-Rows": str(result.rows), "Vary": "Accept"}
        if result.truncated:
            headers |= {"X-KG-Truncated": "true", "X-SPARQL-MaxRows": str(result.rows)}
        return reply(request, Response(result.body, media_type=result.media_type, headers=headers))

    return router
