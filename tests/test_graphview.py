"""The networkx projection over the real corpus store: entities, names, neighbours, paths."""

from __future__ import annotations

from kg.base import KnowledgeBase
from kg.graphview import (
    build_graph,
    evidence_text,
    find_entities,
    humanize,
    neighbourhood,
    neighbours,
    passage_span,
    path,
    path_steps,
    relation_label,
)
from kg.namespaces import ORG

RESULTING = str(ORG.resultingOrganization)


def test_entities_neighbours_and_paths(corpus_settings) -> None:  # type: ignore[no-untyped-def]
    kb = KnowledgeBase(corpus_settings)
    graph = build_graph(kb.rdf)
    assert graph.number_of_nodes() > 50
    assert not any("/passage/" in str(n) for n in graph.nodes)  # passages are evidence

    steering = find_entities(graph, "PSU Steering Group")[0][0]
    facts = neighbours(graph, steering)
    assert any(n.relation == RESULTING and "set up" in n.label for n in facts)
    assert all(n.evidence.startswith("https://w3id.org/govkg/id/doc/") for n in facts if n.evidence)
    assert evidence_text(facts[0].evidence).startswith("gp-psu-developing-the-role, characters ")
    assert passage_span(facts[0].evidence)[0] == "gp-psu-developing-the-role"

    person = find_entities(graph, "Subeena Suleman")[0][0]
    committee = find_entities(graph, "Joint Health Overview and Scrutiny Committee")[0][0]
    chain = path(graph, person, committee)
    assert chain[0] == person and chain[-1] == committee  # the two documents meet in the graph
    steps = path_steps(graph, chain)
    assert len(steps) == len(chain) - 1 and all(s.relation for s in steps)
    assert path(graph, person, "https://example.org/nowhere") == []


def test_every_name_finds_the_entity_and_the_exact_name_comes_first(corpus_settings) -> None:  # type: ignore[no-untyped-def]
    graph = build_graph(KnowledgeBase(corpus_settings).rdf)
    unit = find_entities(graph, "General Practice Provider Support Unit")[0][0]
    for alias in ("PSU", "GPPSU", "gp psu", "Provider Support Unit"):
        assert find_entities(graph, alias)[0][0] == unit, alias
    assert {"PSU", "GPPSU"} <= set(graph.nodes[unit]["names"])
    nodes, edges = neighbourhood(graph, unit, 5)
    assert nodes[0] == unit and len(nodes) <= 6
    assert all(s in nodes and o in nodes for s, _, o in edges)


def test_every_relation_in_the_graph_has_an_english_label(corpus_settings) -> None:  # type: ignore[no-untyped-def]
    graph = build_graph(KnowledgeBase(corpus_settings).rdf)
    labels = graph.graph["relation_labels"]
    relations = {d["relation"] for _, _, d in graph.edges(data=True)}
    assert sorted(r for r in relations if r not in labels) == []
    assert relation_label(graph, RESULTING) == "resulting organization"


def test_humanize_names_a_term_without_a_label() -> None:
    assert humanize("http://example.org/ns#reportsToBody") == "reports to body"
    assert humanize("http://example.org/ns/ChangeEvent") == "Change event"
    assert humanize("http://example.org/ns/ICB") == "ICB"
