"""Fault injection and attacks on the one query service, through every door: /sparql GET and
POST, `kg sparql`, the app's tab and the service API, against a real `kg serve`, real
worker processes and a real loopback listener that records every connection (must be 0).

Also: the workers' network sandbox with the guard bypassed, nesting and size limits, the
request body limit, protocol status codes, fairness under runaway queries, a full queue,
the worker count under concurrent replace/acquire, and how a worker's death is reported.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.base import KnowledgeBase
from kg.errors import QueryError, QueryTimeoutError, WorkerCrashedError
from kg.settings import Settings
from kg.sparql import QueryRequest, QueryService, engine, guard, sandbox
from kg.sparql.pool import WorkerPool
from tests.conftest import REPO, kg_command, running_server, subprocess_env
from tests.sparql_attacks import RecordingListener, issue_spellings, service_queries

pytestmark = pytest.mark.slow

ORGS = "SELECT DISTINCT ?org ?name WHERE { ?org a org:Organization ; skos:prefLabel ?name }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
HOG, OTHER = "127.0.0.2", "127.0.0.3"  # two clients: Linux routes all of 127/8 to loopback
TIMEOUT = 2
HYPOTHESIS = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture(scope="module")
def listener() -> Iterator[RecordingListener]:
    """One listener for the module: no test here may ever reach it."""
    recorder = RecordingListener()
    yield recorder
    recorder.close()
    assert recorder.connections == 0


@pytest.fixture(scope="module")
def server(corpus_home: Path) -> Iterator[str]:
    """`kg serve` with small limits: 3 workers, 2 per client, tiny queues and bodies."""
    with running_server(
        corpus_home,
        KG_SPARQL_TIMEOUT=str(TIMEOUT),
        KG_SPARQL_WORKERS="3",
        KG_SPARQL_CLIENT_CONCURRENCY="2",
        KG_SPARQL_QUEUE="3",
        KG_SPARQL_CLIENT_QUEUE="1",
        KG_SPARQL_MAX_BODY_KB="64",
        KG_SPARQL_MAX_QUERY_KB="32",
    ) as base:
        yield f"{base}/sparql"


@pytest.fixture(scope="module")
def service(corpus_home: Path) -> Iterator[QueryService]:
    kb = KnowledgeBase(Settings.from_env(home=corpus_home, sparql_timeout=30.0), read_only=True)
    svc = QueryService(lambda: kb, pool=WorkerPool(2, kb.settings.sparql_worker_memory_mb))
    yield svc
    svc.close()


def client(address: str, timeout: float = 60) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def assert_refused_over_http(url: str, query: str, how: str) -> None:
    if how == "GET":
        response = httpx.get(url, params={"query": query}, timeout=60)
    elif how == "form":
        response = httpx.post(url, data={"query": query}, timeout=60)
    else:
        response = httpx.post(
            url, content=query, headers={"Content-Type": "application/sparql-query"}, timeout=60
        )
    assert response.status_code == 400, (how, query, response.text)
    assert RecordingListener.SECRET.decode() not in response.text
    assert "Traceback" not in response.text


# --- SERVICE, every door ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["GET", "form", "direct"])
def test_issue_spellings_over_http(server: str, listener: RecordingListener, how: str) -> None:
    for query in issue_spellings(listener.url):
        assert_refused_over_http(server, query, how)
    assert listener.connections == 0


def test_generated_spellings_over_http(server: str, listener: RecordingListener) -> None:
    @HYPOTHESIS
    @given(service_queries(listener.url), st.sampled_from(["GET", "form", "direct"]))
    def check(query: str, how: str) -> None:
        assert_refused_over_http(server, query, how)

    check()
    assert listener.connections == 0


def test_generated_spellings_through_the_service_api(
    service: QueryService, listener: RecordingListener
) -> None:
    @HYPOTHESIS
    @given(service_queries(listener.url))
    def check(query: str) -> None:
        with pytest.raises(QueryError) as caught:
            service.run(QueryRequest(query))
        assert RecordingListener.SECRET.decode() not in str(caught.value)

    check()
    for query in issue_spellings(listener.url):
        with pytest.raises(QueryError):
            service.run(QueryRequest(query))
    assert listener.connections == 0


def test_issue_spellings_through_the_cli(corpus_home: Path, listener: RecordingListener) -> None:
    for query in issue_spellings(listener.url)[:4]:
        proc = subprocess.run(
            [*kg_command(), "sparql", query],
            capture_output=True,
            text=True,
            env=subprocess_env(corpus_home),
            cwd=REPO,
            timeout=120,
        )
        assert proc.returncode == 1, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:"), proc.stderr
        assert RecordingListener.SECRET.decode() not in proc.stderr
    assert listener.connections == 0


def test_the_app_tab_refuses_too(server: str, listener: RecordingListener) -> None:
    from gradio_client import Client

    app = Client(server.removesuffix("sparql"), verbose=False)
    for query in issue_spellings(listener.url)[:3]:
        status, results, files = app.predict(query, api_name="/sparql_query")
        assert files["value"] is None and results == "" and "error" in status.lower(), status
    assert listener.connections == 0


# --- The sandbox: workers cannot connect even when the guard lets SERVICE through ----------


def test_workers_cannot_reach_the_network_with_the_guard_bypassed(service: QueryService) -> None:
    recorder = RecordingListener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
        request = QueryRequest(query, allow_service=True)
        with pytest.raises(QueryError, match="not permitted"):
            service.run(request)
        assert recorder.connections == 0
        assert service.pool.protection == sandbox.SECCOMP
        # the control: the same request evaluated here, outside the sandbox, does go out
        verdict = guard.judge(query, max_depth=64, allow_service=True)
        with pytest.raises(QueryError):
            engine.evaluate(service.kb_provider().rdf, request, verdict)
        assert recorder.connections == 1
    finally:
        recorder.close()


@pytest.mark.parametrize("mechanism", ["_install_seccomp", "_enter_network_namespace"])
def test_each_protection_blocks_a_real_connection(mechanism: str) -> None:
    recorder = RecordingListener()
    code = (
        "import socket, sys\n"
        f"from kg.sparql import sandbox\nif not sandbox.{mechanism}(): sys.exit(3)\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {recorder.port}), timeout=5)\n"
        "except OSError as exc:\n"
        "    print('blocked', exc); sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO
        )
        if proc.returncode == 3:
            pytest.skip(f"{mechanism} is not available on this machine")
        assert proc.returncode == 0 and "blocked" in proc.stdout, proc.stdout + proc.stderr
        assert recorder.connections == 0
    finally:
        recorder.close()


# --- Limits and protocol ----------------------------------------------------------------------


def test_deep_nesting_is_one_clear_line_everywhere(server: str, corpus_home: Path) -> None:
    deep = "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000
    response = httpx.post(server, data={"query": deep}, timeout=60)
    assert response.status_code == 400 and "KG_SPARQL_MAX_DEPTH" in response.text
    proc = subprocess.run(
        [*kg_command(), "sparql", "-"],
        input=deep,
        capture_output=True,
        text=True,
        env=subprocess_env(corpus_home),
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 1, proc.returncode  # not 139
    assert proc.stderr.strip().count("\n") == 0 and "KG_SPARQL_MAX_DEPTH" in proc.stderr


def test_long_queries_and_large_bodies(server: str) -> None:
    long_query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 40_000  # limit: 32 KB
    response = httpx.post(
        server, content=long_query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 400 and "KG_SPARQL_MAX_QUERY_KB" in response.text
    body = b"query=" + b"a" * 200_000  # limit: 64 KB
    declared = httpx.post(server, content=body, headers={"Content-Type": FORM})
    assert declared.status_code == 413 and "KG_SPARQL_MAX_BODY_KB" in declared.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while streaming in
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    streamed = httpx.post(server, content=chunks(), headers={"Content-Type": FORM})
    assert streamed.status_code == 413
    assert httpx.get(server, params={"query": ORGS}).status_code == 200


FORM = "application/x-www-form-urlencoded"


def test_protocol_status_codes(server: str) -> None:
    refused = httpx.get(server, params={"query": ORGS}, headers={"Accept": "*/*;q=0"})
    assert refused.status_code == 406
    for method in ("PUT", "DELETE", "PATCH"):
        response = httpx.request(method, server, content=b"x")
        assert response.status_code == 405, method
        assert "POST" in response.headers["allow"] and "GET" in response.headers["allow"]
    assert httpx.head(server, params={"query": ORGS}).status_code == 200
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = httpx.get(server, headers={"Accept": browser})
    assert page.headers["content-type"].startswith("text/html") and "<form" in page.text
    for accept in (None, "*/*", "application/sparql-results+json", "text/turtle"):
        headers = {"Accept": accept} if accept else {}
        description = httpx.get(server, headers=headers)
        assert description.status_code == 200
        assert not description.headers["content-type"].startswith("text/html"), accept


# --- Fairness ---------------------------------------------------------------------------------


def _runaways(url: str, count: int) -> tuple[list[threading.Thread], list[httpx.Response]]:
    responses: list[httpx.Response] = []

    def one() -> None:
        with client(HOG) as http:
            responses.append(http.get(url, params={"query": RUNAWAY}))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, responses


def test_ordinary_queries_complete_while_one_client_runs_away(server: str) -> None:
    threads, hog = _runaways(server, 3)  # 2 run (the per-client limit), 1 waits its turn
    time.sleep(0.3)
    with client(OTHER) as http:
        ordinary = [http.get(server, params={"query": ORGS}) for _ in range(5)]
    for thread in threads:
        thread.join(60)
    assert [r.status_code for r in ordinary] == [200] * 5
    assert sorted(r.status_code for r in hog) == [503, 503, 503]
    assert all("limit" in r.text for r in hog)


def test_a_client_over_its_queue_gets_a_prompt_503_with_retry_after(server: str) -> None:
    threads, hog = _runaways(server, 4)  # 2 run, 1 waits (KG_SPARQL_CLIENT_QUEUE=1), 1 refused
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any("retry" in r.text for r in hog):
        time.sleep(0.05)
    refused_while_running = any(thread.is_alive() for thread in threads)
    for thread in threads:
        thread.join(60)
    busy = [r for r in hog if "retry" in r.text]
    assert len(busy) == 1 and refused_while_running
    assert busy[0].status_code == 503 and busy[0].headers["retry-after"] == str(TIMEOUT)
    assert sorted(r.status_code for r in hog) == [503] * 4


# --- Workers: exact count, named deaths -------------------------------------------------------


def _worker_children() -> set[int]:
    """Query workers whose parent is this test process, as the kernel lists them."""
    me, found = os.getpid(), set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == me and b"kg.sparql.worker" in cmdline:
                found.add(int(entry.name))
    return found


def test_worker_count_never_exceeds_the_limit_under_races(corpus_home: Path) -> None:
    """Timeouts (replace) and new queries (acquire) interleave from many threads."""
    kb = KnowledgeBase(Settings.from_env(home=corpus_home), read_only=True)
    others = _worker_children()  # other fixtures' workers
    pool = WorkerPool(2, kb.settings.sparql_worker_memory_mb)
    stop, most = threading.Event(), [0, 0]
    outcomes: list[str] = []

    def monitor() -> None:
        while not stop.is_set():
            most[0] = max(most[0], len(pool.pids()))
            most[1] = max(most[1], len(_worker_children() - others))
            time.sleep(0.005)

    def analyst(index: int) -> None:
        for round_ in range(3):
            query = RUNAWAY if (index + round_) % 2 else ORGS
            message = ("query", str(kb.rdf.read_path()), kb.generation, 64, QueryRequest(query))
            try:
                pool.run(message, timeout=0.5, wait=120)
                outcomes.append("ok")
            except QueryTimeoutError:
                outcomes.append("timeout")

    watcher = threading.Thread(target=monitor)
    watcher.start()
    threads = [threading.Thread(target=analyst, args=(i,)) for i in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
    finally:
        stop.set()
        watcher.join()
        pool.close()
    assert len(outcomes) == 24 and "ok" in outcomes and "timeout" in outcomes
    assert most[0] <= 2 and most[1] <= 2, most
    assert not _worker_children() - others


def test_a_worker_death_is_reported_by_its_cause(corpus_home: Path) -> None:
    kb = KnowledgeBase(Settings.from_env(home=corpus_home), read_only=True)
    pool = WorkerPool(1, 900)
    message = ("query", str(kb.rdf.read_path()), kb.generation, 64, QueryRequest(RUNAWAY))
    errors: list[Exception] = []

    def run() -> None:
        try:
            pool.run(message, timeout=60, wait=60)
        except WorkerCrashedError as exc:
            errors.append(exc)

    try:
        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 60
        while not pool.pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the worker is now evaluating
        os.kill(pool.pids()[0], signal.SIGSEGV)
        thread.join(60)
        assert len(errors) == 1 and "SIGSEGV" in str(errors[0])
        assert "not a memory limit" in str(errors[0])
        # a real allocation failure under the worker's address-space cap
        sort_everything = "SELECT * WHERE { ?a ?p ?o . ?b ?q ?r . ?c ?s ?t } ORDER BY ?a ?b ?c"
        hungry = (
            "query",
            str(kb.rdf.read_path()),
            kb.generation,
            64,
            QueryRequest(sort_everything),
        )
        with pytest.raises(WorkerCrashedError, match="memory cap of 900 MB"):
            pool.run(hungry, timeout=120, wait=60)
        assert (
            pool.run(
                ("query", str(kb.rdf.read_path()), kb.generation, 64, QueryRequest(ORGS)), 60, 60
            ).rows
            >= 3
        )
    finally:
        pool.close()


def test_trusted_queries_take_the_fast_path_with_bindings_and_the_row_cap(
    corpus_home: Path,
) -> None:
    """Our own queries: no worker started, IRIs as bindings, the row cap applied here."""
    import pyoxigraph as ox

    from kg.sparql import run_trusted

    kb = KnowledgeBase(Settings.from_env(home=corpus_home, sparql_max_rows=3), read_only=True)
    before = _worker_children()
    everything = run_trusted(kb, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert len(list(everything.raw)) == 3  # KG_SPARQL_MAX_ROWS
    org = next(
        iter(
            kb.rdf.query(
                "SELECT ?o WHERE { ?o a org:Organization }",
                prefixes={"org": "http://www.w3.org/ns/org#"},
            )
        )
    )["o"]
    named = run_trusted(
        kb,
        "SELECT ?org ?name WHERE { ?org skos:prefLabel ?name }",
        bindings={"org": ox.NamedNode(org.value)},
        max_rows=100,
    )
    names = list(named.raw)
    assert names and all(row["org"] == ox.NamedNode(org.value) for row in names)
    assert _worker_children() == before
