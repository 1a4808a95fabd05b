"""`kg export`: the whole dataset or one document's graph in a standard RDF syntax."""

from __future__ import annotations

from kg.base import KnowledgeBase
from kg.errors import NotFoundError, QueryError
from kg.namespaces import doc_graph_iri
from kg.sparql import formats


def export_dataset(kb: KnowledgeBase, fmt: str, doc_id: str | None = None) -> bytes:
    """Datasets keep their named graphs (TriG, N-Quads); Turtle merges them into one graph."""
    record = formats.BY_NAME.get(fmt)
    if record is None or record.rdf is None or not record.serves(formats.DATASET):
        valid = ", ".join(formats.cli_choices(formats.DATASET))
        raise QueryError(f"unknown export format {fmt!r}; valid: {valid}")
    if doc_id is None:
        return kb.rdf.dump(record.rdf)
    iri = doc_graph_iri(doc_id)
    if iri not in kb.rdf.graph_names():
        raise NotFoundError(f"no document {doc_id!r}; see `kg docs`")
    return kb.rdf.dump(record.rdf, iri)
