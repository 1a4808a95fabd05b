"""Write documents into every store of the knowledge base, replacing any older versions.

Order matters for crash safety: texts, then vectors, then the RDF graphs of a whole batch
together with their registry entries in one atomic update. The registry is written last,
so a crash before it leaves the old hashes registered and the next ingest redoes those
documents; the derived BM25 index is rebuilt at the end of a run and checked against the
texts at the start of the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyoxigraph as ox
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
    return Graph().parse(data=document_ntriples(doc, passages), format="nt")


def document_ntriples(doc: Document, passages: list[Passage]) -> str:
    """:func:`document_graph` as N-Triples text, built with Oxigraph's terms: at ingest this
    is written straight into the store, and building an rdflib Graph first cost more."""
    node = ox.NamedNode(doc_iri(doc.doc_id))
    triples = [
        (node, _RDF_TYPE, _iri(FOAF.Document)),
        (node, _RDF_TYPE, _iri(PROV.Entity)),
        (node, _iri(DCTERMS.title), ox.Literal(doc.title)),
        (node, _iri(DCTERMS.type), ox.Literal(doc.doc_type)),
        (node, _iri(DCTERMS.identifier), ox.Literal(f"sha256:{doc.sha256}")),
        (node, _iri(DCTERMS.source), ox.Literal(doc.source or doc.path)),
    ]
    if doc.publisher:
        triples.append((node, _iri(DCTERMS.publisher), ox.Literal(doc.publisher)))
    if doc.issued:
        triples.append((node, _iri(DCTERMS.issued), _date_literal(doc.issued)))
    for passage in passages:
        triples.extend(_passage_triples(node, passage))
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)


Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


def _iri(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


_RDF_TYPE = _iri(RDF.type)
_NON_NEGATIVE = _iri(XSD.nonNegativeInteger)


def _passage_triples(doc_node: ox.NamedNode, passage: Passage) -> list[Triple]:
    iri = passage_iri(passage.doc_id, passage.start, passage.end)
    node, position, quote = (ox.NamedNode(iri + suffix) for suffix in ("", "#position", "#quote"))
    triples: list[Triple] = [
        (node, _RDF_TYPE, _iri(OA.SpecificResource)),
        (node, _iri(OA.hasSource), doc_node),
        (node, _iri(OA.hasSelector), position),
        (node, _iri(OA.hasSelector), quote),
        (position, _RDF_TYPE, _iri(OA.TextPositionSelector)),
        (position, _iri(OA.start), ox.Literal(str(passage.start), datatype=_NON_NEGATIVE)),
        (position, _iri(OA.end), ox.Literal(str(passage.end), datatype=_NON_NEGATIVE)),
        (quote, _RDF_TYPE, _iri(OA.TextQuoteSelector)),
        (quote, _iri(OA.exact), ox.Literal(passage.text)),
    ]
    if passage.section:
        triples.append((node, _iri(DCTERMS.title), ox.Literal(passage.section)))
    return triples


def _date_literal(value: str) -> ox.Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}.get(len(value))
    return ox.Literal(value, datatype=_iri(datatype)) if datatype else ox.Literal(value)


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


def _registry_delete_all(doc_ids: list[str]) -> str:
    """:func:`_registry_delete` for many documents in one operation."""
    records = " ".join(f"<{GOVID}registry/{doc_id}>" for doc_id in doc_ids)
    return (
        f"DELETE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?r ?p ?o }} }} WHERE {{ VALUES ?r {{ {records} }} "
        f"GRAPH <{REGISTRY_GRAPH}> {{ ?r ?p ?o }} }}"
    )


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
    graphs = [document_ntriples(i.doc, i.passages) for i in items]
    ntriples = [g + i.facts.serialize(format="nt") for i, g in zip(items, graphs, strict=True)]
    counts = [g.count("\n") + len(i.facts) for i, g in zip(items, graphs, strict=True)]
    for item in items:
        kb.texts.put(item.doc, item.passages)
    kb.vectors.delete_documents(sorted({i.doc.doc_id for i in items} & replacing))
    kb.vectors.add(
        [p for i in items for p in i.passages],
        np.concatenate([i.vectors for i in items]) if items else np.empty((0, 0)),
        {i.doc.doc_id: i.doc.title for i in items},
    )
    # One operation each for the batch's registry delete and insert, one GRAPH block per
    # record: servers limit the operations of a request and the triples of a block
    # (Virtuoso 7: a few hundred operations, ~5,000 triples per block).
    registry = "".join(
        f"GRAPH <{REGISTRY_GRAPH}> {{\n{_registry_entry(i.doc, len(i.passages), n)}}}\n"
        for i, n in zip(items, counts, strict=True)
    )
    kb.rdf.replace_graphs(
        [(doc_graph_iri(i.doc.doc_id), nt) for i, nt in zip(items, ntriples, strict=True)],
        extra_update=f"{_registry_delete_all([i.doc.doc_id for i in items])} ;\n"
        f"INSERT DATA {{\n{registry}}}",
    )
    return counts


def remove_document(kb: KnowledgeBase, doc_id: str) -> None:
    """Remove a document from every store; the registry entry goes first."""
    kb.rdf.drop_graph(doc_graph_iri(doc_id), extra_update=_registry_delete(doc_id))
    kb.vectors.delete_documents([doc_id])
    kb.texts.delete(doc_id)


__all__ = [
    "Prepared",
    "document_graph",
    "document_ntriples",
    "remove_document",
    "write_documents",
]
