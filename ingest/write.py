"""Write one document into every store of the knowledge base, replacing any older version.

Order matters for crash safety: texts, then vectors, then the RDF graph together with its
registry entry in one atomic update. The registry is written last, so a crash before it
leaves the old hash registered and the next ingest redoes the document; the derived BM25
index is rebuilt at the end of a run and checked against the texts at the start of the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV

from kg.base import KnowledgeBase
from kg.model import Document, Passage
from kg.namespaces import (
    DCAT,
    GOVID,
    OA,
    REGISTRY_GRAPH,
    doc_graph_iri,
    doc_iri,
    passage_iri,
)


def document_graph(doc: Document, passages: list[Passage]) -> Graph:
    """The document node and its passages as Web Annotation specific resources."""
    graph = Graph()
    node = URIRef(doc_iri(doc.doc_id))
    graph.add((node, RDF.type, FOAF.Document))
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, DCTERMS.title, Literal(doc.title)))
    graph.add((node, DCTERMS.type, Literal(doc.doc_type)))
    graph.add((node, DCTERMS.identifier, Literal(f"sha256:{doc.sha256}")))
    graph.add((node, DCTERMS.source, Literal(doc.source or doc.path)))
    if doc.publisher:
        graph.add((node, DCTERMS.publisher, Literal(doc.publisher)))
    if doc.issued:
        graph.add((node, DCTERMS.issued, _date_literal(doc.issued)))
    for passage in passages:
        _add_passage(graph, node, passage)
    return graph


def _add_passage(graph: Graph, doc_node: URIRef, passage: Passage) -> None:
    node = URIRef(passage_iri(passage.doc_id, passage.start, passage.end))
    position = URIRef(f"{node}#position")
    quote = URIRef(f"{node}#quote")
    graph.add((node, RDF.type, OA.SpecificResource))
    graph.add((node, OA.hasSource, doc_node))
    graph.add((node, OA.hasSelector, position))
    graph.add((node, OA.hasSelector, quote))
    graph.add((position, RDF.type, OA.TextPositionSelector))
    graph.add((position, OA.start, Literal(passage.start, datatype=XSD.nonNegativeInteger)))
    graph.add((position, OA.end, Literal(passage.end, datatype=XSD.nonNegativeInteger)))
    graph.add((quote, RDF.type, OA.TextQuoteSelector))
    graph.add((quote, OA.exact, Literal(passage.text)))
    if passage.section:
        graph.add((node, DCTERMS.title, Literal(passage.section)))


def _date_literal(value: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}.get(len(value))
    return Literal(value, datatype=datatype) if datatype else Literal(value)


def _registry_entry(doc: Document, passages: int, triples: int) -> str:
    """The N-Triples of one catalogue record: which version of a document the store holds."""
    record = URIRef(f"{GOVID}registry/{doc.doc_id}")
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    entry = Graph()
    for p, o in (
        (RDF.type, DCAT.CatalogRecord),
        (FOAF.primaryTopic, URIRef(doc_iri(doc.doc_id))),
        (DCTERMS.identifier, Literal(doc.doc_id)),
        (DCTERMS.hasVersion, Literal(f"sha256:{doc.sha256}")),
        (DCTERMS.source, Literal(doc.path)),
        (DCTERMS.title, Literal(doc.title)),
        (DCTERMS.type, Literal(doc.doc_type)),
        (DCTERMS.modified, Literal(now, datatype=XSD.dateTime)),
        (DCTERMS.extent, Literal(f"{passages} passages, {triples} triples")),
    ):
        entry.add((record, p, o))
    return entry.serialize(format="nt")


def _registry_delete(doc_id: str) -> str:
    return f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{GOVID}registry/{doc_id}> ?p ?o }} }}"


@dataclass(frozen=True)
class Prepared:
    """One document ready to write: its passages, their vectors and its fact triples."""

    doc: Document
    passages: list[Passage]
    facts: Graph
    vectors: np.ndarray


def write_documents(kb: KnowledgeBase, items: list[Prepared], replacing: set[str]) -> list[int]:
    """Replace several documents in every store at once; the triple count of each graph.

    One vector upsert and one RDF transaction for the whole batch: per-document store calls
    cost more than the work they carry. Only documents in ``replacing`` (already stored)
    need their old vectors deleted first.
    """
    graphs = [document_graph(i.doc, i.passages) for i in items]
    ntriples = [
        g.serialize(format="nt") + i.facts.serialize(format="nt")
        for i, g in zip(items, graphs, strict=True)
    ]
    counts = [len(g) + len(i.facts) for i, g in zip(items, graphs, strict=True)]
    for item in items:
        kb.texts.put(item.doc, item.passages)
    kb.vectors.delete_documents(sorted({i.doc.doc_id for i in items} & replacing))
    kb.vectors.add(
        [p for i in items for p in i.passages],
        np.concatenate([i.vectors for i in items]) if items else np.empty((0, 0)),
        {i.doc.doc_id: i.doc.title for i in items},
    )
    registry = "".join(
        _registry_entry(i.doc, len(i.passages), n) for i, n in zip(items, counts, strict=True)
    )
    kb.rdf.replace_graphs(
        [(doc_graph_iri(i.doc.doc_id), nt) for i, nt in zip(items, ntriples, strict=True)],
        extra_update=" ;\n".join(
            [_registry_delete(i.doc.doc_id) for i in items]
            + [f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{\n{registry}\n}} }}"]
        ),
    )
    return counts


def write_document(
    kb: KnowledgeBase,
    doc: Document,
    passages: list[Passage],
    facts: Graph,
    vectors: np.ndarray | None = None,
) -> int:
    """Replace ``doc`` in every store; returns the number of triples in its graph."""
    if vectors is None:
        vectors = kb.embedder.embed([p.embedding_text for p in passages])
    prepared = Prepared(doc, passages, facts, vectors)
    return write_documents(kb, [prepared], replacing={doc.doc_id})[0]


def remove_document(kb: KnowledgeBase, doc_id: str) -> None:
    """Remove a document from every store; the registry entry goes first."""
    kb.rdf.drop_graph(doc_graph_iri(doc_id), extra_update=_registry_delete(doc_id))
    kb.vectors.delete_documents([doc_id])
    kb.texts.delete(doc_id)


__all__ = ["Prepared", "document_graph", "remove_document", "write_document", "write_documents"]
