"""`kg validate`: SHACL over every document graph together with the reference graph."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from kg.base import KnowledgeBase
from kg.reference import load_shapes
from kg.shacl import ValidationResult, validate


def validate_kb(kb: KnowledgeBase) -> ValidationResult:
    return validate(merged_graph(kb), load_shapes(kb.settings.ontology))


def merged_graph(kb: KnowledgeBase, graphs: list[str] | None = None) -> Graph:
    """Some named graphs (default: all) merged into one rdflib Graph, e.g. for SHACL."""
    merged = Graph()
    for iri in graphs if graphs is not None else kb.rdf.graph_names():
        merged.parse(data=kb.rdf.dump(ox.RdfFormat.N_TRIPLES, iri).decode("utf-8"), format="nt")
    return merged
