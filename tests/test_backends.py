"""The same end-to-end behaviour on the embedded stores and on real servers.

``backend`` runs each test three times: embedded Oxigraph + Chroma, an Oxigraph server +
a Chroma server, and Virtuoso 7 + a Chroma server (all started by the fixtures on
loopback). Ingest, re-ingest, replace, remove, ask, the SPARQL endpoint and crash repair
must not depend on where the data lives; a server that is down, a bad URL, or one that
refuses a write gives one clear line and leaves nothing half-written.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from assistant.answer import Answerer
from ingest.check import check
from ingest.pipeline import ingest, remove
from kg.base import KnowledgeBase
from kg.errors import QueryTimeoutError, WriteRefusedError
from kg.export import export_dataset
from kg.namespaces import GRAPH_BASE, REFERENCE_GRAPH, REGISTRY_GRAPH, doc_graph_iri
from kg.settings import Settings
from tests.conftest import CORPUS, REPO, free_port, kg_command, running_server, subprocess_env
from tests.servers import Server
from tests.servers import free_port as server_port

MINUTE = """Agenda item

Parking review

The Head of Estates presented the parking review to the Committee.

The Committee:

(i) Approved the new parking charges of £{amount} per hour from 1 April 2024.

(ii) Requested a further report in six months.
"""
PSU = "gp-psu-developing-the-role"


def _corpus(tmp_path: Path, amount: int = 2) -> Path:
    folder = tmp_path / "corpus"
    if not folder.exists():
        shutil.copytree(CORPUS, folder)
    (folder / "parking-review.txt").write_text(MINUTE.format(amount=amount), encoding="utf-8")
    return folder


def _graph_lines(kb: KnowledgeBase, doc_id: str) -> set[str]:
    return set(export_dataset(kb, "ntriples", doc_id).decode("utf-8").splitlines())


def _mentions(kb: KnowledgeBase, text: str) -> list[str]:
    query = f'SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{text}")) }} }}'
    return sorted({row["g"].value for row in kb.rdf.query(query)})


def _problems(settings: Settings) -> list[str]:
    """What `kg check` finds (published generation and, when idle, the working stores)."""
    return [str(p) for p in check(settings).problems]


def test_ingest_reingest_replace_remove_ask(backend: dict[str, str], tmp_path: Path) -> None:
    settings = Settings.from_env(home=tmp_path / "home")
    corpus = _corpus(tmp_path)
    report = ingest(settings, [corpus])
    assert sorted(report.added) == sorted(
        [PSU, "jhosc-enabling-primary-care-strategy-progress-report", "parking-review"]
    )
    kb = KnowledgeBase(settings)
    assert kb.backends["rdf"] == ("sparql" if backend else "oxigraph")
    assert kb.backends["vectors"] == ("chroma-http" if backend else "chroma")
    assert _problems(settings) == []
    assert len(kb.registry()) == 3 and kb.vectors.count() == len(kb.lexical.ids) > 0

    # The graphs hold exactly what the embedded store holds: no literal changed on the way.
    embedded = Settings.from_env(environ={}, home=tmp_path / "embedded")
    ingest(embedded, [corpus])
    reference = KnowledgeBase(embedded)
    for doc_id in kb.registry():
        assert _graph_lines(kb, doc_id) == _graph_lines(reference, doc_id)
    assert kb.rdf.count() == reference.rdf.count()

    assert ingest(settings, [corpus]).changed is False  # unchanged: a no-op

    _corpus(tmp_path, amount=3)  # replace one document
    report = ingest(settings, [corpus])
    assert report.updated == ["parking-review"]
    kb = KnowledgeBase(settings)
    assert _mentions(kb, "£3 per hour") == [doc_graph_iri("parking-review")]
    assert _mentions(kb, "£2 per hour") == []
    assert _problems(settings) == []
    answer = Answerer(kb).ask("What are the new parking charges?")
    assert answer.answered and "£3 per hour" in answer.answer
    assert all(c.text for c in answer.citations)

    remove(settings, ["parking-review"])
    kb = KnowledgeBase(settings)
    assert doc_graph_iri("parking-review") not in kb.rdf.graph_names()
    assert "parking-review" not in kb.registry()
    assert not any(vid.startswith("parking-review:") for vid in kb.vectors.ids())
    assert _problems(settings) == []


def test_sparql_endpoint_and_the_server_agree(backend: dict[str, str], tmp_path: Path) -> None:
    """SPARQLWrapper against the app's /sparql and the server itself; then a document is
    replaced while the app runs, and both see the new version."""
    home = tmp_path / "home"
    corpus = _corpus(tmp_path)
    ingest(Settings.from_env(home=home), [corpus])
    count = (
        "SELECT (COUNT(?r) AS ?n) WHERE { GRAPH <https://w3id.org/govkg/graph/registry> "
        "{ ?r a <http://www.w3.org/ns/dcat#CatalogRecord> } }"
    )
    urls = []
    with running_server(home, **backend) as base:
        urls.append(base + "/sparql")
        if backend:
            urls.append(backend["KG_SPARQL_URL"])
        for url in urls:
            client = SPARQLWrapper(url)
            client.setQuery(count)
            client.setReturnFormat(JSON)
            rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
            assert int(rows[0]["n"]["value"]) == 3, url
        construct = SPARQLWrapper(urls[0])
        construct.setQuery(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{doc_graph_iri(PSU)}> {{ ?s ?p ?o }} }}"
        )
        graph = construct.queryAndConvert()
        assert len(graph) > 100  # type: ignore[arg-type]

        _corpus(tmp_path, amount=7)
        done = _kg(home, backend, "ingest", str(corpus))
        assert done.returncode == 0, done.stderr
        charge = 'ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), "£7 per hour")) } }'
        for url in urls:
            client = SPARQLWrapper(url)
            client.setQuery(charge)
            client.setReturnFormat(JSON)
            assert client.queryAndConvert()["boolean"] is True, url  # type: ignore[index]
        from gradio_client import Client

        chat, _sources, _box = Client(base + "/", verbose=False).predict(
            "What are the new parking charges?", [], api_name="/respond"
        )
        assert "£7 per hour" in str(chat)


def test_kill_9_mid_ingest_then_reingest_repairs(backend: dict[str, str], tmp_path: Path) -> None:
    corpus, home = tmp_path / "corpus", tmp_path / "home"
    shutil.copytree(CORPUS, corpus)
    for n in range(6):
        (corpus / f"parking-{n}.txt").write_text(MINUTE.format(amount=n + 2), encoding="utf-8")
    env = subprocess_env(home, **backend)
    proc = subprocess.Popen(
        [*kg_command(), "ingest", str(corpus)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    texts = home / "texts"
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        if texts.exists() and len(list(texts.glob("*.json"))) >= 2:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rerun = subprocess.run(
        [*kg_command(), "ingest", str(corpus)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert rerun.returncode == 0, rerun.stderr
    kb = KnowledgeBase(Settings.from_env(home=home))
    assert _problems(Settings.from_env(home=home)) == []
    assert len(kb.registry()) == 8
    check = subprocess.run(
        [*kg_command(), "check"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0 and "consistent" in check.stdout


def test_check_and_stats_name_the_backends_and_repair(
    backend: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    settings = Settings.from_env(home=home)
    ingest(settings, [CORPUS])
    env = subprocess_env(home, **backend)
    stats = subprocess.run(
        [*kg_command(), "stats"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert stats.returncode == 0, stats.stderr
    expected = (
        ["sparql", backend["KG_SPARQL_URL"], "chroma-http"] if backend else ["oxigraph", "chroma"]
    )
    assert all(word in stats.stdout for word in expected)
    assert "PASSWORD" not in stats.stdout.upper() and "secret" not in stats.stdout

    writer = KnowledgeBase(settings, read_only=False)
    writer.vectors.delete_documents([PSU])
    writer.close()
    check = subprocess.run(
        [*kg_command(), "check"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 1
    assert all(word in check.stdout for word in expected)
    assert f"vector index: {PSU}: " in check.stdout and "vectors missing" in check.stdout
    fixed = subprocess.run(
        [*kg_command(), "check", "--repair"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fixed.returncode == 0, fixed.stderr
    assert _problems(settings) == []
    assert ingest(settings, [CORPUS]).changed is False  # the repair restored the vectors


# --- server failures: one line each, nothing half-written ----------------------------------


def _kg(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*kg_command(), *args],
        env=subprocess_env(home, **env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,  # model load and ingest on a loaded machine
    )


def _one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert all(w in lines[0] for w in words), lines[0]


@pytest.mark.server
def test_a_server_that_is_down_or_a_bad_url_is_one_line(
    tmp_path: Path, chroma_server: Server
) -> None:
    nobody = f"http://127.0.0.1:{server_port()}"
    published = tmp_path / "published"  # readers open a generation first, then the server
    ingest(Settings.from_env(environ={}, home=published), [CORPUS])
    down = {"KG_RDF_STORE": "sparql", "KG_SPARQL_URL": f"{nobody}/query"}
    _one_line_error(_kg(published, down, "stats"), "cannot reach the SPARQL server", nobody)
    _one_line_error(_kg(tmp_path, down, "ingest", str(CORPUS)), "cannot reach the SPARQL server")
    bad = {"KG_RDF_STORE": "sparql", "KG_SPARQL_URL": "localhost:7878/query"}
    _one_line_error(_kg(published, bad, "stats"), "KG_SPARQL_URL", "not an http(s) URL")
    missing = {"KG_RDF_STORE": "sparql"}
    _one_line_error(_kg(published, missing, "stats"), "KG_SPARQL_URL")
    no_chroma = {"KG_VECTOR_STORE": "chroma-http", "KG_CHROMA_PORT": str(free_port())}
    _one_line_error(
        _kg(tmp_path, no_chroma, "ingest", str(CORPUS)), "cannot reach the Chroma server"
    )
    assert not (tmp_path / "texts").exists()


@pytest.mark.server
@pytest.mark.parametrize("server_name", ["oxigraph", "virtuoso"])
def test_a_refused_write_is_one_line_and_writes_nothing(
    request: pytest.FixtureRequest, tmp_path: Path, chroma_server: Server, server_name: str
) -> None:
    server: Server = request.getfixturevalue(f"{server_name}_server")
    from tests.servers import wipe

    wipe({**server.env, **chroma_server.env})
    if server_name == "virtuoso":  # the public endpoint: the anonymous user may not write
        refusing = {**server.env, "KG_SPARQL_UPDATE_URL": server.env["KG_SPARQL_URL"]}
        wrong = {**server.env, "KG_SPARQL_PASSWORD": "not-the-password"}
    else:  # the query endpoint takes no updates
        refusing = {**server.env, "KG_SPARQL_UPDATE_URL": server.env["KG_SPARQL_URL"]}
        wrong = {**server.env, "KG_SPARQL_UPDATE_URL": server.env["KG_SPARQL_URL"] + "-nowhere"}
    for env in (refusing, wrong):
        done = _kg(tmp_path / "home", {**env, **chroma_server.env}, "ingest", str(CORPUS))
        _one_line_error(done, "refused the update")
        assert "SR186" not in done.stderr and "<" not in done.stderr  # never the server's reply
    settings = Settings.from_env({**server.env, **chroma_server.env}, home=tmp_path / "home")
    from kg.stores import RDF_STORES, VECTOR_STORES

    rdf = RDF_STORES.get("sparql").open_reader(settings, tmp_path)  # nothing was published
    vectors = VECTOR_STORES.get("chroma-http").open_reader(settings, tmp_path)
    assert rdf.graph_names() == [] and vectors.count() == 0
    assert not settings.texts_dir.exists() or not any(settings.texts_dir.iterdir())


@pytest.mark.server
@pytest.mark.parametrize("server_name", ["oxigraph", "virtuoso"])
def test_a_write_that_fails_part_way_never_registers_the_document(
    request: pytest.FixtureRequest, tmp_path: Path, chroma_server: Server, server_name: str
) -> None:
    """Oxigraph rolls the whole request back; Virtuoso keeps the operations before the one
    that failed. Either way the registry, written last, does not claim the document, and
    repair leaves the stores consistent."""
    server: Server = request.getfixturevalue(f"{server_name}_server")
    from tests.servers import wipe

    env = {**server.env, **chroma_server.env}
    wipe(env)
    settings = Settings.from_env(env, home=tmp_path / "home")
    ingest(settings, [CORPUS])
    kb = KnowledgeBase(settings, read_only=False)
    graph = doc_graph_iri("half-written")
    record = f"<{GRAPH_BASE}registry-test>"
    with pytest.raises(WriteRefusedError):
        kb.rdf.replace_graphs(
            [(graph, '<urn:x:s> <urn:x:p> "half" .\n')],
            extra_update=f"CREATE GRAPH <{REFERENCE_GRAPH}> ;\n"  # fails: it exists
            f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ {record} <urn:x:p> 1 }} }}",
        )
    assert not kb.rdf.query(f"ASK {{ GRAPH <{REGISTRY_GRAPH}> {{ {record} ?p ?o }} }}")
    kb.close()
    found = _problems(settings)
    if server_name == "oxigraph":  # what each server is documented to do
        assert found == []
    else:
        assert found and all("half-written: a graph nobody registered" in p for p in found)
    check(settings, fix=True)
    assert _problems(settings) == []
    assert graph not in KnowledgeBase(settings).rdf.graph_names()


@pytest.mark.server
@pytest.mark.parametrize("server_name", ["oxigraph", "virtuoso"])
def test_a_slow_query_stops_at_the_timeout(
    request: pytest.FixtureRequest, tmp_path: Path, server_name: str
) -> None:
    from kg.stores.rdf_sparql import SparqlStore
    from tests.servers import wipe

    server: Server = request.getfixturevalue(f"{server_name}_server")
    wipe(server.env)  # a registry of another KG_HOME's texts would be damage to this one
    store = SparqlStore.open(Settings.from_env(server.env))
    ingest(Settings.from_env(server.env, home=tmp_path / "home"), [CORPUS])
    with pytest.raises(QueryTimeoutError, match=r"0\.05 s limit"):
        store.query(  # a pairwise comparison no engine can shortcut, bounded at ~1 s of work
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REFERENCE_GRAPH}> {{ ?a ?b ?c }} "
            f"GRAPH <{REFERENCE_GRAPH}> {{ ?d ?e ?f }} FILTER(STR(?c) < STR(?f)) }}",
            timeout=0.05,
        )
    assert store.count() > 0  # and the next query, with KG_SPARQL_TIMEOUT, is answered


def test_query_arguments_mean_the_same_on_every_backend(
    backend: dict[str, str], tmp_path: Path
) -> None:
    """Prefixes, substitutions, protocol datasets and the three result kinds, as callers use
    them, give the embedded store's answers."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES, doc_iri

    settings = Settings.from_env(home=tmp_path / "home")
    ingest(settings, [CORPUS])
    rdf = KnowledgeBase(settings).rdf
    title = rdf.query(
        "SELECT ?d ?t WHERE { ?d dct:title ?t }",
        prefixes=PREFIXES,
        bindings={"d": ox.NamedNode(doc_iri(PSU))},
    )
    assert [row["t"] for row in title] == [
        ox.Literal("GP Provider Support Unit: developing the role")
    ]
    only = rdf.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        union=False,
        default_graphs=[doc_graph_iri(PSU)],
    )
    assert int(next(iter(only))["n"].value) == rdf.count(doc_graph_iri(PSU))
    assert rdf.query(f"ASK {{ GRAPH <{REGISTRY_GRAPH}> {{ ?s ?p ?o }} }}")
    triples = list(
        rdf.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{doc_graph_iri(PSU)}> {{ ?s ?p ?o }} }}"
        )
    )
    assert len(triples) == rdf.count(doc_graph_iri(PSU)) and isinstance(triples[0], ox.Triple)


def test_a_large_batch_fits_the_servers_limits(backend: dict[str, str], tmp_path: Path) -> None:
    """900 documents and one of 6,000 triples in one replace, with a registry update of
    8,100 triples: over Virtuoso's ~800 operations and ~5,000 triples per block if it
    were written naively."""
    from ingest.write import _registry_delete_all

    settings = Settings.from_env(home=tmp_path / "home")
    kb = KnowledgeBase(settings, read_only=False)
    graphs = [
        (
            doc_graph_iri(f"tiny-{n}"),
            "".join(f'<urn:x:{n}> <urn:p:{k}> "v{k}" .\n' for k in range(11)),
        )
        for n in range(900)
    ]
    graphs.append(
        (doc_graph_iri("huge"), "".join(f"<urn:h:{k}> <urn:p> {k} .\n" for k in range(6000)))
    )
    records = "".join(
        f"GRAPH <{REGISTRY_GRAPH}> {{\n"
        + "".join(f'<{GRAPH_BASE}reg/{n}> <urn:r:{k}> "r" .\n' for k in range(9))
        + "}\n"
        for n in range(900)
    )
    registry = (
        f"{_registry_delete_all([f'tiny-{n}' for n in range(900)])} ;\nINSERT DATA {{\n{records}}}"
    )
    for _ in range(2):  # the second time replaces every graph
        kb.rdf.replace_graphs(graphs, extra_update=registry)
        assert kb.rdf.count(doc_graph_iri("huge")) == 6000
        assert kb.rdf.count(doc_graph_iri("tiny-899")) == 11
        assert kb.rdf.count(REGISTRY_GRAPH) == 8100
    assert len([g for g in kb.rdf.graph_names() if g.startswith(doc_graph_iri("tiny-"))]) == 900
