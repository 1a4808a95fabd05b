"""`kg export`: the whole dataset or one document's graph in a standard RDF syntax."""

from __future__ import annotations

import pyoxigraph as ox

from kg.base import KnowledgeBase
from kg.errors import NotFoundError, QueryError
from kg.namespaces import doc_graph_iri

FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}


def export_dataset(kb: KnowledgeBase, fmt: str, doc_id: str | None = None) -> bytes:
    """Datasets keep their named graphs (TriG, N-Quads); Turtle merges them into one graph."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown export format {fmt!r}; valid: {', '.join(FORMATS)}")
    target = FORMATS[fmt]
    graphs = kb.rdf.graph_names()
    if doc_id is not None:
        iri = doc_graph_iri(doc_id)
        if iri not in graphs:
            raise NotFoundError(f"no document {doc_id!r}; see `kg docs`")
        graphs = [iri]
    if target.supports_datasets:
        if doc_id is None:
            return kb.rdf.dump(target)
        quads = kb.rdf.quads(graphs[0])
        return ox.serialize(quads, format=target) or b""
    triples = (ox.Triple(q.subject, q.predicate, q.object) for g in graphs for q in kb.rdf.quads(g))
    return ox.serialize(triples, format=target) or b""
