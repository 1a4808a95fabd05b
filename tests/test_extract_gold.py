"""Extraction against hand-written gold facts, and the invariants of the facts graph."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import ORG, PROV, RDF

from ingest.extract import load_reference
from kg.namespaces import passage_iri
from tests.extract_helpers import CORPUS, ONTOLOGY, extract, load_gold, score, signatures

FLOOR = 0.85  # the target is 0.9; the test fails below this floor


@pytest.mark.parametrize("doc_id", sorted(CORPUS))
def test_gold_precision_recall(doc_id: str) -> None:
    _, _, facts = extract(doc_id)
    found, gold = signatures(facts), load_gold(doc_id)
    precision, recall = score(found, gold)
    print(
        f"\n{doc_id}: precision {precision:.2f} recall {recall:.2f}"
        f" ({len(found)} found, {len(gold)} gold)"
    )
    for fact in sorted(found - gold):
        print("  extra:", fact)
    for fact in sorted(gold - found):
        print("  missed:", fact)
    assert precision >= FLOOR and recall >= FLOOR


@pytest.mark.parametrize("doc_id", sorted(CORPUS))
def test_every_fact_node_has_a_real_passage(doc_id: str) -> None:
    doc, passages, facts = extract(doc_id)
    valid = {URIRef(passage_iri(doc.doc_id, p.start, p.end)) for p in passages}
    typed = set(facts.subjects(RDF.type, None))
    assert typed
    for node in typed:
        derived = set(facts.objects(node, PROV.wasDerivedFrom))
        assert derived and derived <= valid, node


@pytest.mark.parametrize("doc_id", sorted(CORPUS))
def test_extraction_is_deterministic(doc_id: str) -> None:
    _, _, first = extract(doc_id)
    _, _, second = extract(doc_id)
    assert sorted(first) == sorted(second)


def test_one_iri_per_body_across_the_corpus() -> None:
    """ "the PSU", "GPPSU", "GP PSU" ... are one node, and both documents meet on shared ones."""
    reference = load_reference(ONTOLOGY).graph
    graphs = {
        doc_id: extract(doc_id)[2] + reference  # as queries see it: document plus reference
        for doc_id in CORPUS
        if not doc_id.startswith("example")
    }
    labels: dict[str, set[URIRef]] = {}
    for facts in graphs.values():
        for org in facts.subjects(RDF.type, ORG.Organization):
            for label in facts.objects(
                org, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
            ):
                labels.setdefault(str(label), set()).add(org)
    assert all(len(iris) == 1 for iris in labels.values()), labels
    orgs = [
        {s for s in g.subjects(PROV.wasDerivedFrom, None) if (s, RDF.type, ORG.Organization) in g}
        for g in graphs.values()
    ]
    shared = set.intersection(*orgs)
    assert URIRef("https://w3id.org/govkg/id/org/icb") in shared
    assert URIRef("https://w3id.org/govkg/id/org/gp-partnership-board") in shared


def test_learned_acronym_resolves_later_mentions() -> None:
    _, _, facts = extract("example-council-minutes")
    hcp = URIRef("https://w3id.org/govkg/id/programme/healthy-communities-programme")
    assert (hcp, RDF.type, URIRef("https://w3id.org/govkg/def#Programme")) in facts
    found = signatures(facts)
    assert ("acronym", "Healthy Communities Programme", "HCP") in found
