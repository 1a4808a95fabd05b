"""What is in the knowledge base: documents and counts, for `kg docs` and `kg stats`."""

from __future__ import annotations

from typing import Any

from kg.base import KnowledgeBase
from kg.namespaces import REGISTRY_GRAPH
from kg.stores import describe_backends


def documents(kb: KnowledgeBase) -> list[dict[str, str]]:
    """One row per registered document, from the registry graph."""
    result = kb.rdf.query(
        f"""PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?id ?title ?type ?source ?version ?modified ?extent WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{
          ?r dct:identifier ?id ; dct:title ?title ; dct:type ?type ; dct:source ?source ;
             dct:hasVersion ?version ; dct:modified ?modified .
          OPTIONAL {{ ?r dct:extent ?extent }} }} }} ORDER BY ?id"""
    )
    names = ["id", "title", "type", "source", "version", "modified", "extent"]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in result]


def stats(kb: KnowledgeBase) -> dict[str, Any]:
    """Counts of the published generation, and which backends hold it."""
    docs = documents(kb)
    graphs = kb.rdf.graph_names()
    return {
        "home": str(kb.home.resolve()),
        "generation": kb.generation,
        "documents": len(docs),
        "passages": len(kb.lexical.ids),
        "vectors": kb.vectors.count(),
        "triples": kb.rdf.count(),
        "named_graphs": len(graphs),
        "embedder": kb.settings.embedder,
        **{f"{kind}_store": where for kind, where in _backends(kb).items()},
    }


def _backends(kb: KnowledgeBase) -> dict[str, str]:
    described = describe_backends(kb.settings)
    return {
        "rdf": described["rdf"],
        "vector": described["vectors"],
        "lexical": described["lexical"],
    }
