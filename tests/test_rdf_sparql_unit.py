"""Fast tests of the SPARQL client against a scripted loopback HTTP server.

The real servers (Oxigraph, Virtuoso with digest) are in ``test_backends.py``; this one
covers what they cannot: HTTP basic challenges, error statuses whose bodies must never
reach a message, answers that are not SPARQL results, and Virtuoso's blank node labels.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import ClassVar
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest

from kg.errors import (
    ConfigError,
    QueryError,
    QueryRefusedError,
    StoreError,
    StoreUnavailableError,
    WriteRefusedError,
)
from kg.settings import Settings
from kg.sparql.engine import QueryRequest
from kg.sparql.service import QueryService
from kg.stores.rdf_sparql import SparqlStore, with_prefixes, with_values

SECRET_PAGE = b"<html>Internal error at /opt/secret/db.c line 42</html>"
FIVE_ROWS = (
    b'{"head":{"vars":["n"]},"results":{"bindings":['
    + b",".join(b'{"n":{"type":"literal","value":"%d"}}' % n for n in range(5))
    + b"]}}"
)
ROW = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"bnode","value":"nodeID://b10"}}]}}'


class Scripted(BaseHTTPRequestHandler):
    """Answers by path: /basic demands HTTP basic, /broken fails, /html is not SPARQL."""

    seen_auth: ClassVar[list[str]] = []
    seen_queries: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Scripted.seen_queries.append(parse_qs(body.decode("ascii")).get("query", [""])[0])
        auth = self.headers.get("Authorization", "")
        Scripted.seen_auth.append(auth)
        if self.path.startswith("/basic"):
            good = "Basic " + base64.b64encode(b"kg:pw").decode()
            if auth != good:
                self._send(401, b"no", "text/plain", {"WWW-Authenticate": 'Basic realm="x"'})
                return
            self._send(200, ROW, "application/sparql-results+json")
        elif self.path.startswith("/rows"):
            self._send(200, FIVE_ROWS, "application/sparql-results+json")
        elif self.path.startswith("/broken"):
            self._send(500, SECRET_PAGE, "text/html")
        elif self.path.startswith("/capped"):
            self._send(200, ROW, "application/sparql-results+json", {"X-SPARQL-MaxRows": "1"})
        elif self.path.startswith("/forbidden"):
            self._send(403, SECRET_PAGE, "text/html")
        else:
            self._send(200, SECRET_PAGE, "text/html")

    def _send(
        self, status: int, body: bytes, media: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def scripted() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _store(url: str, **settings: str) -> SparqlStore:
    return SparqlStore.open(Settings.from_env({}, rdf_store="sparql", sparql_url=url, **settings))


def test_basic_challenge_is_answered_and_blank_nodes_are_portable(scripted: str) -> None:
    Scripted.seen_auth.clear()
    store = _store(f"{scripted}/basic", sparql_user="kg", sparql_password="pw")
    for _ in range(2):
        rows = list(store.query("SELECT ?x WHERE { ?x ?p ?o }"))
        assert isinstance(rows[0]["x"], ox.BlankNode)
    assert Scripted.seen_auth[0] == ""  # no credentials before the server asks
    assert Scripted.seen_auth[-1].startswith("Basic ")
    assert len(Scripted.seen_auth) == 3  # challenge once, then the scheme is remembered


def test_wrong_password_and_errors_are_one_line_without_the_reply(scripted: str) -> None:
    cases = [
        (
            _store(f"{scripted}/basic", sparql_user="kg", sparql_password="nope"),
            StoreUnavailableError,
            "HTTP 401",
        ),
        (_store(f"{scripted}/broken"), StoreError, "HTTP 500"),
        (_store(f"{scripted}/forbidden"), StoreUnavailableError, "HTTP 403"),
        (_store(f"{scripted}/html"), StoreUnavailableError, "did not answer as a SPARQL endpoint"),
        (_store(f"{scripted}/capped"), QueryError, "cut the result at 1 rows"),
    ]
    for store, kind, words in cases:
        with pytest.raises(kind) as caught:
            store.query("SELECT * WHERE { ?s ?p ?o }")
        message = str(caught.value)
        assert words in message and "\n" not in message
        assert "secret" not in message and "<" not in message
    with pytest.raises(WriteRefusedError, match=r"refused the update \(HTTP 500\)$"):
        _store(f"{scripted}/broken").update("INSERT DATA { }")
    with pytest.raises(WriteRefusedError, match="KG_SPARQL_USER"):
        SparqlStore.open(Settings.from_env({}, sparql_url=f"{scripted}/forbidden"), read_only=False)


def test_malformed_queries_are_caught_here_with_a_position(scripted: str) -> None:
    with pytest.raises(QueryError, match="malformed SPARQL query"):
        _store(f"{scripted}/broken").query("SELECT * WHERE { ?s ?p }")


def test_bad_settings_are_one_line() -> None:
    for url, words in [
        ("", "needs KG_SPARQL_URL"),
        ("ftp://x/q", r"not an http\(s\) URL"),
        ("http://u:p@host/q", "must not carry credentials"),
    ]:
        with pytest.raises(ConfigError, match=words):
            SparqlStore.open(Settings.from_env({}, sparql_url=url))


def test_prefixes_and_substitutions_become_standard_sparql() -> None:
    text = with_prefixes(
        "SELECT ?d ?t WHERE { ?d dct:title ?t }", {"dct": "http://purl.org/dc/terms/"}
    )
    bound = with_values(
        text,
        {
            "d": ox.NamedNode("urn:x:d"),
            "t": ox.Literal("T", language="en"),
        },
    )
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode("urn:x:d"),
            ox.NamedNode("http://purl.org/dc/terms/title"),
            ox.Literal("T", language="en"),
        )
    )
    store.add(
        ox.Quad(
            ox.NamedNode("urn:x:e"), ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("U")
        )
    )
    assert [str(r["d"]) for r in store.query(bound)] == ["<urn:x:d>"]
    assert with_values("ASK {}", None) == "ASK {}"


def test_the_query_service_sends_guarded_queries_to_the_server(scripted: str) -> None:
    """No read path, so no worker: the judged query goes to the server, with the row cap
    applied here; a refused query never leaves; a server failure maps to 503 / 502."""
    from assistant.sparql_http import _status_for

    settings = Settings.from_env(
        {}, rdf_store="sparql", sparql_url=f"{scripted}/rows", sparql_max_rows=3
    )
    kb = SimpleNamespace(settings=settings, rdf=SparqlStore.open(settings), generation="")
    service = QueryService(lambda: kb)  # type: ignore[arg-type, return-value]
    try:
        assert service.warm_up().startswith("not needed")
        Scripted.seen_queries.clear()
        response = service.run(QueryRequest("SELECT ?n WHERE { ?s ?p ?n }"))
        assert (response.rows, response.truncated) == (3, True)
        assert Scripted.seen_queries and "?s ?p ?n" in Scripted.seen_queries[-1]
        assert service.pids() == []  # nothing was started
        before = len(Scripted.seen_queries)
        with pytest.raises(QueryRefusedError):
            service.run(QueryRequest("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"))
        assert len(Scripted.seen_queries) == before
        kb.rdf = _store(f"{scripted}/broken")
        with pytest.raises(StoreError) as failed:
            service.run(QueryRequest("SELECT * WHERE { ?s ?p ?o }"))
        assert _status_for(failed.value) == 502
        assert _status_for(StoreUnavailableError("down")) == 503
    finally:
        service.close()
