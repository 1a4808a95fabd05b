"""The networkx projection over the real corpus store: entities, neighbours with evidence, paths."""

from __future__ import annotations

from kg.base import KnowledgeBase
from kg.graphview import build_graph, evidence_text, find_entities, neighbours, path


def test_entities_neighbours_and_paths(corpus_settings) -> None:  # type: ignore[no-untyped-def]
    kb = KnowledgeBase(corpus_settings)
    graph = build_graph(kb.rdf)
    assert graph.number_of_nodes() > 50
    assert not any(
        "/passage/" in str(n) for n in graph.nodes
    )  # passages are evidence, not entities

    steering = find_entities(graph, "PSU Steering Group")[0][0]
    facts = neighbours(graph, steering)
    assert any(n.relation == "org:resultingOrganization" and "set up" in n.label for n in facts)
    assert all(n.evidence.startswith("https://w3id.org/govkg/id/doc/") for n in facts if n.evidence)
    assert evidence_text(facts[0].evidence).startswith("gp-psu-developing-the-role, characters ")

    person = find_entities(graph, "Subeena Suleman")[0][0]
    committee = find_entities(graph, "Joint Health Overview and Scrutiny Committee")[0][0]
    chain = path(graph, person, committee)
    assert chain[0] == person and chain[-1] == committee  # the two documents meet in the graph
    assert path(graph, person, "https://example.org/nowhere") == []
