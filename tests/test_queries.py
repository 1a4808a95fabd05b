"""Every competency query runs over the corpus (reference graph + one named graph per
document, union default graph) and returns the rows an analyst expects."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from ingest.write import document_graph
from kg.namespaces import REFERENCE_GRAPH, doc_graph_iri
from kg.reference import load_reference_graph
from tests.extract_helpers import FIXTURES, ONTOLOGY, extract

QUERIES = ONTOLOGY / "queries"
CORPUS_DOCS = ("gp-psu-developing-the-role", "jhosc-enabling-primary-care-strategy-progress-report")


def _load(store: ox.Store, graph_iri: str, graph: object) -> None:
    data = graph.serialize(format="nt").encode()  # type: ignore[attr-defined]
    store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    _load(store, REFERENCE_GRAPH, load_reference_graph(ONTOLOGY))
    for doc_id in CORPUS_DOCS:
        doc, passages, facts = extract(doc_id)
        graph = document_graph(doc, passages)
        for triple in facts:
            graph.add(triple)
        _load(store, doc_graph_iri(doc_id), graph)
    return store


def run(store: ox.Store, name: str) -> list[tuple[str, ...]]:
    query = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    solutions = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [tuple("" if s[n] is None else s[n].value for n in names) for s in solutions]


def test_every_query_is_documented() -> None:
    files = sorted(QUERIES.glob("*.rq"))
    assert len(files) >= 15
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# title: ") and lines[1].startswith("# description"), path


@pytest.fixture(scope="module")
def devcorpus_store() -> ox.Store:
    """The development corpus (tests/devcorpus/tune): minutes, plans and letters of the
    layouts the shipped corpus lacks, for the queries about attendance, actions, targets."""
    from ingest.extract import extract_facts, load_reference
    from ingest.load import load_document
    from ingest.segment import segment
    from tests.test_devcorpus import DEVCORPUS

    store = ox.Store()
    _load(store, REFERENCE_GRAPH, load_reference_graph(ONTOLOGY))
    reference = load_reference(ONTOLOGY)
    for path in sorted((DEVCORPUS / "tune").iterdir()):
        if path.name.endswith(".gold.json"):
            continue
        doc = load_document(path, path.parent)
        passages = segment(doc)
        graph = document_graph(doc, passages)
        for triple in extract_facts(doc, passages, reference):
            graph.add(triple)
        _load(store, doc_graph_iri(doc.doc_id), graph)
    return store


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES.glob("*.rq")))
def test_every_query_runs(store: ox.Store, devcorpus_store: ox.Store, name: str) -> None:
    rows = run(store, name)
    if name == "facts-lacking-provenance":
        assert rows == [] and run(devcorpus_store, name) == []
    else:
        assert rows or run(devcorpus_store, name), name


PINNED = FIXTURES / "expected_queries.json"
UNORDERED = {"acronyms-and-aliases"}  # GROUP_CONCAT order is not defined by SPARQL


def _normalise(name: str, rows: list[tuple[str, ...]]) -> list[list[str]]:
    if name in UNORDERED:
        return sorted([r[0], *(", ".join(sorted(c.split(", "))) for c in r[1:2])] for r in rows)
    return [list(r) for r in rows]


@pytest.mark.parametrize("name", sorted(json.loads(PINNED.read_text(encoding="utf-8"))))
def test_pinned_rows(store: ox.Store, name: str) -> None:
    """The rows an analyst expects on the shipped corpus.

    Re-pin after a deliberate change with ``python -m tests.test_queries`` and review the diff.
    """
    expected = json.loads(PINNED.read_text(encoding="utf-8"))[name]
    assert _normalise(name, run(store, name)) == expected


def test_acronyms_resolve_to_one_body(store: ox.Store) -> None:
    rows = {r[0]: r[1] for r in run(store, "acronyms-and-aliases")}
    assert set(rows["General Practice Provider Support Unit"].split(", ")) == {"GPPSU", "PSU"}
    assert rows["Right Access First Time"] == "RAFT"


if __name__ == "__main__":  # re-pin after a deliberate change, then review the diff
    pinned = {
        p.stem: _normalise(p.stem, run(store.__wrapped__(), p.stem)) for p in QUERIES.glob("*.rq")
    }
    PINNED.write_text(json.dumps(dict(sorted(pinned.items())), indent=1, ensure_ascii=False) + "\n")
