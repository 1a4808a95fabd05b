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
    if doc_id is None:
        return kb.rdf.dump(FORMATS[fmt])
    iri = doc_graph_iri(doc_id)
    if iri not in kb.rdf.graph_names():
        raise NotFoundError(f"no document {doc_id!r}; see `kg docs`")
    return kb.rdf.dump(FORMATS[fmt], iri)
