"""The query guard on its own, in this process: screening (size, escapes, nesting) and
judging the parsed form, checked against real Oxigraph and a real loopback listener.

Every generated SERVICE spelling is first run *unguarded* by Oxigraph on the text the
service would give it: a good share of them do contact the listener, so they are live
attacks, and the guard must refuse every one.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings

from kg.errors import (
    QueryError,
    QueryRefusedError,
    UnreadableQueryError,
    UpdateRefusedError,
)
from kg.namespaces import PREFIXES
from kg.sparql import engine, formats, guard
from kg.sparql.engine import QueryRequest
from kg.stores.rdf_embedded import OxigraphDataset
from tests.sparql_attacks import (
    RecordingListener,
    issue_spellings,
    recording_listener,
    service_queries,
)

LIMITS = guard.Limits(max_bytes=256 * 1024, max_depth=64)


def guarded(text: str) -> guard.Verdict:
    return guard.judge(guard.screen(text, LIMITS), max_depth=LIMITS.max_depth)


def _oracle_store() -> ox.Store:
    """One triple in one named graph, matching the decoy patterns, so joins go on."""
    store = ox.Store()
    e = "http://e/"
    store.add(
        ox.Quad(
            ox.NamedNode(e + "s"),
            ox.NamedNode(PREFIXES["govid"] + "a#b"),
            ox.NamedNode(e + "o"),
            ox.NamedNode(e + "g"),
        )
    )
    return store


ORACLE = _oracle_store()


def contacts_unguarded(listener: RecordingListener, text: str) -> bool:
    """Run ``text`` with Oxigraph and no guard at all: does it reach the listener?"""
    before = listener.connections
    try:
        result = ORACLE.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError):
        pass
    return listener.connections > before


# --- Screening --------------------------------------------------------------------------------


def test_escapes_are_expanded_once_as_the_spec_says() -> None:
    assert guard.expand_escapes("SERV\\u0049CE \\U00000041") == "SERVICE A"
    assert guard.expand_escapes("<http://e/\\u0041#x>") == "<http://e/A#x>"
    with pytest.raises(QueryRefusedError, match="spell another escape"):
        guard.expand_escapes("\\u005Cu0041")  # \u005C is a backslash: a second round
    with pytest.raises(QueryRefusedError, match="not a Unicode character"):
        guard.expand_escapes("\\uD800")
    with pytest.raises(QueryRefusedError, match="not a Unicode character"):
        guard.expand_escapes("\\U00110000")


def test_nesting_and_size_limits() -> None:
    deep = "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000
    with pytest.raises(QueryRefusedError, match="10000 deep; at most 64"):
        guard.screen(deep, LIMITS)
    hidden = "SELECT * WHERE " + "\\u007B" * 100 + "\\u007D" * 100  # escaped braces count
    with pytest.raises(QueryRefusedError, match="100 deep"):
        guard.screen(hidden, LIMITS)
    triple_terms = "SELECT * WHERE { ?s ?p " + "<< " * 70 + "?o" + " >>" * 70 + " }"
    with pytest.raises(QueryRefusedError, match="deep"):
        guard.screen(triple_terms, LIMITS)
    with pytest.raises(QueryRefusedError, match="KG_SPARQL_MAX_QUERY_KB"):
        guard.screen("SELECT * WHERE { ?s ?p ?o } #" + "x" * 300_000, LIMITS)
    with pytest.raises(QueryError, match="empty"):
        guard.screen("  \n", LIMITS)


def test_the_deepest_accepted_nesting_parses() -> None:
    """What screen() lets through, the guard can parse (no RecursionError, no crash)."""
    levels = LIMITS.max_depth
    braces = "SELECT * WHERE " + "{" * levels + " ?s ?p ?o " + "}" * levels
    exists = "SELECT * WHERE " + "{ FILTER EXISTS " * (levels // 2) + "{}" + " }" * (levels // 2)
    parens = "SELECT * WHERE { FILTER(" + "(" * (levels - 2) + "1" + ")" * (levels - 2) + ") }"
    for text in (braces, exists, parens):
        assert guarded(text).form == "select"


# --- Judging -----------------------------------------------------------------------------------


def test_ordinary_queries_pass_with_their_form_and_dataset() -> None:
    assert guarded("SELECT ?s WHERE { ?s a org:Organization }") == guard.Verdict("select", False)
    assert guarded("ASK { ?s ?p ?o }").kind == "ask"
    assert guarded("DESCRIBE <http://e/x>").kind == "graph"
    assert guarded("SELECT * FROM <http://g/a> WHERE { ?s ?p ?o }").declares_dataset
    # IRIs with '#' and "'", prefixed names with '\#', strings that look like comments
    text = "SELECT * WHERE { ?s govid:a\\#b <http://e/\\u0041#'> . BIND('# x' AS ?y) }"
    assert guarded(text).form == "select"


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <x:a> <x:b> <x:c> }",
        "LOAD <http://127.0.0.1:1/data.ttl>",
        "PREFIX x: <x:> DROP ALL",
        "# leading comment\nCLEAR DEFAULT",
        "WITH <x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(UpdateRefusedError, match="read-only"):
        guarded(update)


def test_unreadable_text_is_refused_not_run() -> None:
    with pytest.raises(UnreadableQueryError):
        guarded("SELECT ?s WHERE { ?s ?p ")
    with pytest.raises(UnreadableQueryError):  # RDF 1.2 syntax: the guard cannot read it
        guarded("SELECT * WHERE { ?s ?p <<( ?a ?b ?c )>> }")


def test_issue_spellings_are_live_and_refused() -> None:
    with recording_listener() as listener:
        for text in issue_spellings(listener.url):
            screened = guard.screen(text, LIMITS)
            assert contacts_unguarded(listener, screened), f"not a live attack: {text}"
            with pytest.raises(QueryRefusedError):
                guard.judge(screened, max_depth=LIMITS.max_depth)


def test_generated_spellings_are_refused() -> None:
    with recording_listener() as listener:
        live: list[bool] = []

        @settings(
            max_examples=150,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        )
        @given(service_queries(listener.url))
        def check(text: str) -> None:
            try:
                screened = guard.screen(text, LIMITS)
            except QueryRefusedError:
                live.append(False)
                return
            live.append(contacts_unguarded(listener, screened))
            with pytest.raises(QueryError):
                guard.judge(screened, max_depth=LIMITS.max_depth)

        check()
        # the generator writes real attacks: unguarded, many reach the listener
        assert sum(live) >= len(live) // 4, (sum(live), len(live))


def test_an_engine_error_never_carries_the_remote_answer() -> None:
    """Even with the guard told to let SERVICE through, in this process (no sandbox):
    the remote server's error page is not in our message."""
    with recording_listener() as listener:
        text = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        verdict = guard.judge(text, max_depth=64, allow_service=True)
        with pytest.raises(QueryError) as caught:
            engine.evaluate(
                OxigraphDataset.in_memory(), QueryRequest(text, allow_service=True), verdict
            )
        assert listener.connections == 1  # it did go out: this is the guard-less baseline
        assert RecordingListener.SECRET.decode() not in str(caught.value)


# --- Formats ------------------------------------------------------------------------------------


def test_each_kind_has_a_default_and_names_resolve_per_kind() -> None:
    assert formats.of_kind(formats.RESULTS, http=True)[0].name == "json"
    assert formats.of_kind(formats.GRAPH, http=True)[0].name == "turtle"
    assert formats.resolve("json", formats.GRAPH).name == "jsonld"  # type: ignore[union-attr]
    assert formats.resolve("application/xml", formats.RESULTS).name == "xml"  # type: ignore[union-attr]
    assert formats.resolve("text/turtle", formats.RESULTS) is None
    assert formats.cli_choices(formats.DATASET) == ["turtle", "ntriples", "trig", "nquads"]


@pytest.mark.parametrize(
    ("accept", "results", "graph"),
    [
        (None, "json", "turtle"),
        ("*/*", "json", "turtle"),
        ("*/*;q=0", None, None),
        ("*/*, application/sparql-results+json;q=0", "xml", "turtle"),
        ("text/*", "csv", "turtle"),
        ("application/xml", "xml", "rdfxml"),
        ("image/png", None, None),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "xml", None),
    ],
)
def test_content_negotiation(accept: str | None, results: str | None, graph: str | None) -> None:
    ranges = formats.accept_ranges(accept)
    got_results, _ = formats.pick(ranges, formats.RESULTS)
    got_graph, _ = formats.pick(ranges, formats.GRAPH)
    assert (got_results.name if got_results else None) == results
    assert (got_graph.name if got_graph else None) == graph
