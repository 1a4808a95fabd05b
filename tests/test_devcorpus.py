"""Extraction on the development corpus (tests/devcorpus): a floor on precision and recall
per fact type over both halves, SHACL conformance and provenance of every document's
graph, and names resolved in the document's own context."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from benchmarks.extraction import documents, score
from ingest.extract import extract_facts, load_reference
from ingest.load import load_document
from ingest.segment import segment
from ingest.write import document_graph
from kg.namespaces import passage_iri
from kg.reference import load_shapes
from kg.shacl import validate
from tests.extract_helpers import ONTOLOGY

DEVCORPUS = Path(__file__).resolve().parent / "devcorpus"
HALVES = ("tune", "check")
DOCS = [path for half in HALVES for path, _ in documents([DEVCORPUS / half])]
BSOL_ICB = URIRef("https://w3id.org/govkg/id/org/icb")
# Floors (fail below): the figures reached are in benchmarks/README.md. The check half is
# never tuned on, so its floor is lower.
FLOORS = {"tune": (0.85, 0.90), "check": (0.75, 0.85)}  # (recall, precision)
CORE = (
    "meeting",
    "attendance",
    "agenda-item",
    "decision",
    "presenter",
    "question",
    "person",
    "acronym",
)


@pytest.fixture(scope="module")
def scores() -> dict[str, dict]:  # type: ignore[type-arg]
    return {half: score([DEVCORPUS / half], ONTOLOGY) for half in HALVES}


def test_enough_documents_and_layouts() -> None:
    layouts = {gold["layout"] for half in HALVES for _, gold in documents([DEVCORPUS / half])}
    assert len(DOCS) >= 20 and len(layouts) >= 6


@pytest.mark.parametrize("half", HALVES)
def test_precision_and_recall_floor(scores: dict[str, dict], half: str) -> None:  # type: ignore[type-arg]
    found = scores[half]
    gold = sum(s.gold for s in found.values())
    recall = sum(s.found for s in found.values()) / gold
    extracted = sum(s.extracted for s in found.values())
    precision = sum(s.correct for s in found.values()) / extracted
    floor_recall, floor_precision = FLOORS[half]
    assert recall >= floor_recall and precision >= floor_precision, (half, recall, precision)
    for kind in CORE:
        s = found[kind]
        assert s.recall is not None and s.recall >= floor_recall - 0.15, (
            half,
            kind,
            s.recall,
            s.missed,
        )


def _extract(path: Path) -> tuple[object, list, Graph]:  # type: ignore[type-arg]
    doc = load_document(path, path.parent)
    passages = segment(doc)
    return doc, passages, extract_facts(doc, passages, load_reference(ONTOLOGY))


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_graph_conforms_and_every_fact_has_a_passage(path: Path) -> None:
    doc, passages, facts = _extract(path)
    valid = {URIRef(passage_iri(doc.doc_id, p.start, p.end)) for p in passages}  # type: ignore[attr-defined]
    for node in set(facts.subjects(RDF.type, None)):
        derived = set(facts.objects(node, PROV.wasDerivedFrom))
        assert derived and derived <= valid, node
    reference = load_reference(ONTOLOGY).graph
    result = validate(reference + document_graph(doc, passages) + facts, load_shapes(ONTOLOGY))  # type: ignore[arg-type]
    assert result.conforms, "\n".join(result.violations[:20])


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_alias_table_applies_only_where_the_document_is_about_its_place(path: Path) -> None:
    """Another area's "the ICB" is that area's board, never Birmingham and Solihull's."""
    _, _, facts = _extract(path)
    mentions_bsol_icb = (BSOL_ICB, PROV.wasDerivedFrom, None) in facts
    assert mentions_bsol_icb == path.name.startswith("bsol-"), path.name
