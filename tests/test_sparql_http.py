"""The /sparql endpoint of a running `kg serve`, over real HTTP on loopback.

Driven by SPARQLWrapper (what analysts use) for every format and by plain httpx for the
status codes: UPDATE refused, timeout that kills the worker, malformed query, 406,
service description, CORS, and SPARQL load while the chat answers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg import sparql as sq
from tests.conftest import REPO, running_server

pytestmark = pytest.mark.slow

ORIGIN = "http://yasgui.example"
ORGS = "SELECT DISTINCT ?org ?name WHERE { ?org a org:Organization ; skos:prefLabel ?name }"
ORGS_FULL = (
    "PREFIX org: <http://www.w3.org/ns/org#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + ORGS
)
CONSTRUCT = (
    "CONSTRUCT { ?org skos:prefLabel ?name }"
    " WHERE { ?org a org:Organization ; skos:prefLabel ?name }"
)
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MAX_ROWS = 50


@pytest.fixture(scope="module")
def server(corpus_home: Path) -> Iterator[str]:
    """`kg serve` in a subprocess: 1 s timeout, 50-row cap, CORS for one origin."""
    with running_server(
        corpus_home, KG_SPARQL_TIMEOUT="1", KG_SPARQL_MAX_ROWS=str(MAX_ROWS), KG_CORS_ORIGINS=ORIGIN
    ) as base:
        yield base


def _wrapper(server: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    else:
        client.setMethod(method)
    return client


# --- SPARQLWrapper, every format ----------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", POST, POSTDIRECTLY])
def test_select_json_by_every_protocol_method(server: str, method: str) -> None:
    data = _wrapper(server, ORGS_FULL, JSON, method).queryAndConvert()
    assert data["head"]["vars"] == ["org", "name"]
    names = {b["name"]["value"] for b in data["results"]["bindings"]}
    assert len(names) >= 3
    assert all(b["org"]["type"] == "uri" for b in data["results"]["bindings"])


def test_select_xml_csv_tsv_agree_with_json(server: str) -> None:
    as_json = _wrapper(server, ORGS, JSON).queryAndConvert()
    iris = {b["org"]["value"] for b in as_json["results"]["bindings"]}
    xml = _wrapper(server, ORGS, XML).queryAndConvert()  # a DOM document
    uris = {node.firstChild.data for node in xml.getElementsByTagName("uri")}
    assert uris == iris
    csv_text = _wrapper(server, ORGS, CSV).queryAndConvert().decode("utf-8")
    lines = csv_text.strip().split("\r\n")
    assert lines[0] == "org,name" and {line.split(",")[0] for line in lines[1:]} == iris
    tsv_text = _wrapper(server, ORGS, TSV).queryAndConvert().decode("utf-8")
    rows = tsv_text.strip().split("\n")
    assert rows[0] == "?org\t?name"
    assert {r.split("\t")[0] for r in rows[1:]} == {f"<{i}>" for i in iris}


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(server: str, fmt: str) -> None:
    result = _wrapper(server, "ASK { ?s a org:Organization }", fmt).queryAndConvert()
    if fmt == JSON:
        assert result["boolean"] is True
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_construct_in_every_rdf_format(server: str, fmt: str) -> None:
    result = _wrapper(server, CONSTRUCT, fmt).queryAndConvert()
    if isinstance(result, bytes):  # Turtle and N3 come back as text
        result = rdflib.Graph().parse(data=result.decode("utf-8"), format="turtle")
    labels = set(result.objects(None, rdflib.SKOS.prefLabel))
    assert len(labels) >= 3


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("application/n-triples", "nt"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_construct_as_ntriples_trig_nquads(server: str, accept: str, rdflib_format: str) -> None:
    response = httpx.get(
        f"{server}/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    dataset = rdflib.Dataset()
    dataset.parse(data=response.text, format=rdflib_format)
    assert len(list(dataset.quads((None, rdflib.SKOS.prefLabel, None, None)))) >= 3


def test_format_parameter_overrides_accept(server: str) -> None:
    response = httpx.get(
        f"{server}/sparql",
        params={"query": ORGS, "format": "csv"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    output = httpx.get(f"{server}/sparql", params={"query": CONSTRUCT, "output": "json"})
    assert output.headers["content-type"].startswith("application/ld+json")


def test_every_saved_competency_query_runs(server: str) -> None:
    library = sq.saved_queries(REPO / "ontology" / "queries")
    assert library, "no saved queries"
    for name, (_title, text) in library.items():
        data = _wrapper(server, text, JSON).queryAndConvert()
        assert "head" in data, name


def test_default_and_named_graph_uris_are_honoured(server: str) -> None:
    graphs = sorted(
        b["g"]["value"]
        for b in _wrapper(server, "SELECT DISTINCT ?g { GRAPH ?g {} }", JSON).queryAndConvert()[
            "results"
        ]["bindings"]
    )
    registry = next(g for g in graphs if g.endswith("/registry"))
    docs = [g for g in graphs if "/graph/doc/" in g]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def number(params: dict[str, object]) -> int:
        data = httpx.get(f"{server}/sparql", params={"query": count, **params}).json()
        return int(data["results"]["bindings"][0]["n"]["value"])

    everything, only_registry = number({}), number({"default-graph-uri": registry})
    assert 0 < only_registry < everything
    named = httpx.get(
        f"{server}/sparql",
        params={
            "query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": docs[:1],
        },
    ).json()
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == docs[:1]


def test_row_cap_is_applied_and_announced(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    assert response.headers["x-kg-truncated"] == "true"
    assert response.headers["x-sparql-maxrows"] == str(MAX_ROWS)


# --- Status codes ---------------------------------------------------------------------------


def _triples(server: str) -> int:
    data = httpx.get(
        f"{server}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}
    ).json()
    return int(data["results"]["bindings"][0]["n"]["value"])


def test_updates_are_refused_every_way(server: str) -> None:
    before = _triples(server)
    update = "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"
    attempts = [
        httpx.post(f"{server}/sparql", data={"update": update}),
        httpx.post(
            f"{server}/sparql",
            content=update,
            headers={"Content-Type": "application/sparql-update"},
        ),
        httpx.get(f"{server}/sparql", params={"query": update}),
        httpx.post(f"{server}/sparql", data={"query": "DROP ALL"}),
        httpx.post(
            f"{server}/sparql",
            content="CLEAR DEFAULT",
            headers={"Content-Type": "application/sparql-query"},
        ),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert "read-only" in response.text
    client = SPARQLWrapper(f"{server}/sparql")
    client.setMethod(POST)
    client.setQuery(update)  # SPARQLWrapper sends it as update=
    with pytest.raises(Exception, match="403"):
        client.query()
    assert _triples(server) == before


def test_malformed_query_is_400_with_position(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT ?s WHERE { ?s ?p "})
    assert response.status_code == 400
    assert "error at 1:" in response.text  # the parser's line:column
    with pytest.raises(QueryBadFormed):
        _wrapper(server, "SELECT ?s WHERE { ?s ?p ", JSON).query()


def test_unacceptable_formats_are_406(server: str) -> None:
    png = httpx.get(f"{server}/sparql", params={"query": ORGS}, headers={"Accept": "image/png"})
    assert png.status_code == 406
    turtle_for_select = httpx.get(
        f"{server}/sparql", params={"query": ORGS}, headers={"Accept": "text/turtle"}
    )
    assert turtle_for_select.status_code == 406
    assert "application/sparql-results+json" in turtle_for_select.text


def test_post_with_unknown_body_type_is_415(server: str) -> None:
    response = httpx.post(f"{server}/sparql", content=ORGS, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_federated_service_is_refused(server: str) -> None:
    query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    response = httpx.get(f"{server}/sparql", params={"query": query})
    assert response.status_code == 400 and "SERVICE" in response.text


def _server_children(server_pid: int) -> set[int]:
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == server_pid:
                children.add(int(entry.name))
    return children


def test_timeout_kills_the_worker_and_the_server_keeps_answering(server: str) -> None:
    started = time.monotonic()
    response = httpx.get(f"{server}/sparql", params={"query": CROSS_PRODUCT}, timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert "1 s limit" in response.text
    assert elapsed < 5
    killed = int(response.text.split("worker ")[1].split()[0])
    assert not Path(f"/proc/{killed}").exists(), "the timed-out worker is still alive"
    for _ in range(3):
        ok = httpx.get(f"{server}/sparql", params={"query": ORGS}, timeout=10)
        assert ok.status_code == 200


# --- Service description and CORS ---------------------------------------------------------


def test_service_description(server: str) -> None:
    response = httpx.get(f"{server}/sparql")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/turtle"
    )
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef(f"{server}/sparql")
    assert (service, rdflib.RDF.type, sd.Service) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert len(set(graph.objects(None, sd.name))) >= 3  # the named graphs
    as_jsonld = httpx.get(f"{server}/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    json.loads(as_jsonld.text)


def test_cors_for_configured_origin_only(server: str) -> None:
    allowed = httpx.get(f"{server}/sparql", params={"query": ORGS}, headers={"Origin": ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    other = httpx.get(
        f"{server}/sparql", params={"query": ORGS}, headers={"Origin": "http://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers
    preflight = httpx.options(
        f"{server}/sparql",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-origin"] == ORIGIN


# --- Many analysts while the chat answers --------------------------------------------------


def test_sparql_load_does_not_block_the_chat(server: str) -> None:
    from gradio_client import Client

    chat = Client(f"{server}/", verbose=False)
    question = "What does RAFT stand for?"
    started = time.monotonic()
    chat.predict(question, [], api_name="/respond")
    alone = time.monotonic() - started

    results: list[tuple[str, int, str]] = []

    def analyst(query: str) -> None:
        response = httpx.get(f"{server}/sparql", params={"query": query}, timeout=30)
        results.append((query, response.status_code, response.text[:100]))

    # one client: its 2 runaways run, its 4 ordinary queries wait (KG_SPARQL_CLIENT_QUEUE)
    queries = [CROSS_PRODUCT, CROSS_PRODUCT] + [ORGS] * 4
    threads = [threading.Thread(target=analyst, args=(q,)) for q in queries]
    for thread in threads:
        thread.start()
    time.sleep(0.1)  # the runaway queries now hold both workers
    probe = time.monotonic()
    assert httpx.get(f"{server}/sparql", timeout=5).status_code == 200  # event loop free
    probe = time.monotonic() - probe
    started = time.monotonic()
    answer = chat.predict(question, [], api_name="/respond")
    under_load = time.monotonic() - started
    for thread in threads:
        thread.join(timeout=60)
    assert probe < 1.0
    assert "Right Access First Time" in json.dumps(answer[0])
    assert under_load < alone + 5, (alone, under_load)
    assert len(results) == len(queries)
    assert all(status == 200 for q, status, _ in results if q == ORGS), results
    assert all(status == 503 for q, status, _ in results if q == CROSS_PRODUCT), results


def test_sparql_tab_through_the_gradio_api(server: str) -> None:
    from gradio_client import Client

    app = Client(f"{server}/", verbose=False)
    status, results, files = app.predict(ORGS, api_name="/sparql_query")
    assert "rows in" in status and "<table" in results
    csv_path = next(f for f in files["value"] if str(f).endswith(".csv"))
    assert Path(csv_path).read_text(encoding="utf-8").startswith("org,name")
    error, results, _ = app.predict("SELECT ?s WHERE { ?s ?p ", api_name="/sparql_query")
    assert "Query error" in error and "1:" in error and results == ""
    _editor, query, _about = app.predict("who-chairs-what", api_name="/load_saved_query")
    assert "SELECT" in query
