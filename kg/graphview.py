"""A networkx projection of the entity graph, for neighbourhoods and paths in Explore.

Nodes are the things facts are about (bodies, people, posts, programmes, meetings,
decisions, events); edges are the RDF statements between them, each keeping the passage
it was derived from. Documents, passages and selectors are left out: they are evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from kg.namespaces import OA, PREFIXES
from kg.sparql import term_text

_EDGES = f"""
SELECT DISTINCT ?s ?p ?o ?evidence WHERE {{
  ?s ?p ?o .
  FILTER(isIRI(?o) && ?p != rdf:type && ?p != prov:wasDerivedFrom && ?p != skos:inScheme)
  FILTER NOT EXISTS {{ ?s a <{OA.SpecificResource}> }}
  FILTER NOT EXISTS {{ ?o a <{OA.SpecificResource}> }}
  FILTER NOT EXISTS {{ ?s a foaf:Document }}
  FILTER NOT EXISTS {{ ?o a foaf:Document }}
  FILTER NOT EXISTS {{ ?o a skos:ConceptScheme }}
  OPTIONAL {{ ?s prov:wasDerivedFrom ?evidence }}
}}"""
_LABELS = """
SELECT ?s (SAMPLE(?l) AS ?label) WHERE {
  ?s skos:prefLabel|foaf:name|dct:title|rdfs:label|schema:name ?l
} GROUP BY ?s"""


if TYPE_CHECKING:
    from kg.rdfstore import RdfDataset


@dataclass(frozen=True)
class Neighbour:
    relation: str
    direction: str  # "out" (entity → neighbour) or "in"
    iri: str
    label: str
    evidence: str


def build_graph(store: RdfDataset) -> nx.MultiDiGraph:
    """Project the dataset's entity statements into a directed multigraph."""
    labels = {row["s"].value: row["label"].value for row in store.query(_LABELS, prefixes=PREFIXES)}
    graph = nx.MultiDiGraph()
    for row in store.query(_EDGES, prefixes=PREFIXES):
        s, p, o = row["s"].value, row["p"], row["o"].value
        for node in (s, o):
            if node not in graph:
                graph.add_node(
                    node, label=labels.get(node, term_text(row["o" if node == o else "s"]))
                )
        evidence = row["evidence"].value if row["evidence"] is not None else ""
        graph.add_edge(s, o, key=p.value, relation=term_text(p), evidence=evidence)
    return graph


def find_entities(graph: nx.MultiDiGraph, text: str, limit: int = 20) -> list[tuple[str, str]]:
    """(IRI, label) of nodes whose label contains ``text``, best-connected first."""
    needle = text.lower().strip()
    found = [
        (node, data["label"])
        for node, data in graph.nodes(data=True)
        if needle in data["label"].lower()
    ]

    def rank(item: tuple[str, str]) -> tuple[int, int, int]:
        label = item[1].lower()
        closeness = 0 if label == needle else 1 if label.startswith(needle) else 2
        return closeness, len(label) // 20, -graph.degree(item[0])

    return sorted(found, key=rank)[:limit]


def neighbours(graph: nx.MultiDiGraph, iri: str) -> list[Neighbour]:
    """Every statement linking ``iri`` to another entity, with its evidence passage."""
    if iri not in graph:
        return []
    out = [
        Neighbour(d["relation"], "out", o, graph.nodes[o]["label"], d["evidence"])
        for _, o, d in graph.out_edges(iri, data=True)
    ]
    inc = [
        Neighbour(d["relation"], "in", s, graph.nodes[s]["label"], d["evidence"])
        for s, _, d in graph.in_edges(iri, data=True)
    ]
    return sorted(out + inc, key=lambda n: (n.direction, n.relation, n.label))


def evidence_text(evidence: str) -> str:
    """'doc-id, characters 935–1446' for a passage IRI (readable provenance in tables)."""
    head, _, span = evidence.rpartition("/passage/")
    if not span:
        return evidence
    return f"{head.rsplit('/doc/', 1)[-1]}, characters {span.replace('-', '–')}"


def path(graph: nx.MultiDiGraph, source: str, target: str) -> list[str]:
    """The shortest chain of entities between two, ignoring edge direction."""
    try:
        return list(nx.shortest_path(graph.to_undirected(as_view=True), source, target))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []
