"""Write documents into every store of the knowledge base, replacing any older versions.

Order matters for crash safety: texts, then vectors (each version under ids of its own,
beside the old version's), then the RDF graphs of a whole batch together with their
registry entries in one atomic update, and only then the old version's vectors go. The
registry is written last, so a crash before it leaves the old versions registered and
the next ingest redoes those documents and removes what was written for them. Readers
see none of this until the writer publishes the next generation (kg.stores.generations).
"""

from __future__ import annotations

import hashlib
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
    REFERENCE_GRAPH,
    REGISTRY_GRAPH,
    SPDX,
    doc_graph_iri,
    doc_iri,
    passage_iri,
)
from kg.reference import load_reference_graph
from kg.stores.base import vector_id
from kg.stores.files import atomic_write
from kg.textstore import Record, StoredText


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


def _record_iri(doc_id: str) -> str:
    return f"{GOVID}registry/{doc_id}"


def _registry_entry(doc: Document, passages: int, triples: int, checksum: str) -> str:
    """The N-Triples of one catalogue record: which version of a document the store holds,
    and the sha256 of its stored text's metadata (``spdx:checksumValue``, what `kg check`
    verifies; a literal on the record, so the entity graph gains no nodes)."""
    record = URIRef(_record_iri(doc.doc_id))
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
        (SPDX.checksumValue, Literal(checksum)),
    ):
        entry.add((record, p, o))
    return entry.serialize(format="nt")


def _registry_delete(doc_id: str) -> str:
    return f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{_record_iri(doc_id)}> ?p ?o }} }}"


def _registry_delete_all(doc_ids: list[str]) -> str:
    """:func:`_registry_delete` for many documents in one operation."""
    records = " ".join(f"<{_record_iri(doc_id)}>" for doc_id in doc_ids)
    return (
        f"DELETE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?r ?p ?o }} }} WHERE {{ VALUES ?r {{ {records} }} "
        f"GRAPH <{REGISTRY_GRAPH}> {{ ?r ?p ?o }} }}"
    )


@dataclass(frozen=True)
class Prepared:
    """One document ready to write: its passages, their vectors and its fact triples.

    ``vectors`` None keeps the vectors already stored for this version (repair re-deriving
    a graph from its text).
    """

    doc: Document
    passages: list[Passage]
    facts: Graph
    vectors: np.ndarray | None
    source_file: str = ""  # absolute path of the source, so repair can reload it


def write_documents(kb: KnowledgeBase, items: list[Prepared]) -> list[int]:
    """Replace several documents in every store at once; the triple count of each graph.

    One vector upsert and one RDF transaction for the whole batch: per-document store calls
    cost more than the work they carry.
    """
    if not items:
        return []
    before = kb.records()
    graphs = [document_ntriples(i.doc, i.passages) for i in items]
    ntriples = [g + i.facts.serialize(format="nt") for i, g in zip(items, graphs, strict=True)]
    counts = [g.count("\n") + len(i.facts) for i, g in zip(items, graphs, strict=True)]
    checksums = [
        kb.store_texts.put(i.doc, i.passages, n, i.source_file)
        for i, n in zip(items, counts, strict=True)
    ]
    embedded = [i for i in items if i.vectors is not None]
    if embedded:
        kb.vectors.add(
            [p for i in embedded for p in i.passages],
            np.concatenate([i.vectors for i in embedded if i.vectors is not None]),
            {i.doc.doc_id: i.doc.sha256 for i in embedded},
            {i.doc.doc_id: i.doc.title for i in embedded},
        )
    # One operation each for the batch's registry delete and insert, one GRAPH block per
    # record: servers limit the operations of a request and the triples of a block
    # (Virtuoso 7: a few hundred operations, ~5,000 triples per block).
    registry = "".join(
        f"GRAPH <{REGISTRY_GRAPH}> {{\n{_registry_entry(i.doc, len(i.passages), n, c)}}}\n"
        for i, n, c in zip(items, counts, checksums, strict=True)
    )
    kb.rdf.replace_graphs(
        [(doc_graph_iri(i.doc.doc_id), nt) for i, nt in zip(items, ntriples, strict=True)],
        extra_update=f"{_registry_delete_all([i.doc.doc_id for i in items])} ;\n"
        f"INSERT DATA {{\n{registry}}}",
    )
    kb.registry_changed()
    replaced = [before[i.doc.doc_id] for i in items if i.doc.doc_id in before]
    kb.vectors.delete(old_vector_ids(kb, [r for r in replaced if r.version != _version(items, r)]))
    return counts


def _version(items: list[Prepared], record: Record) -> str:
    return next(i.doc.sha256 for i in items if i.doc.doc_id == record.doc_id)


def old_vector_ids(kb: KnowledgeBase, records: list[Record]) -> list[str]:
    """The vector ids of versions just replaced, from their (still stored) texts.

    A version whose text cannot be read leaves its vectors behind; the next ingest's
    recovery finds them among the ids of versions no document has.
    """
    ids: list[str] = []
    for record in records:
        stored = kb.store_texts.load(record.doc_id, record.version)
        if isinstance(stored, StoredText):
            ids += [vector_id(p.passage_id, record.version) for p in stored.passages(record.doc_id)]
    return ids


def sync_reference(kb: KnowledgeBase, force: bool = False) -> bool:
    """Load the ontology and vocabularies into the reference graph when they change."""
    folder = kb.settings.ontology
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.ttl")):
        digest.update(path.name.encode() + path.read_bytes())
    marker = kb.home / "reference.sha256"
    current = digest.hexdigest()
    if (
        not force
        and marker.exists()
        and marker.read_text().strip() == current
        and REFERENCE_GRAPH in kb.rdf.graph_names()
    ):
        return False
    graph = load_reference_graph(folder)
    kb.rdf.replace_graphs([(REFERENCE_GRAPH, graph.serialize(format="nt"))])
    atomic_write(marker, current.encode())
    return True


def remove_document(kb: KnowledgeBase, doc_id: str) -> None:
    """Remove a document from every store; the registry entry goes first. Its text files
    stay until no published generation refers to them (KnowledgeBase.publish)."""
    kb.rdf.drop_graph(doc_graph_iri(doc_id), extra_update=_registry_delete(doc_id))
    kb.registry_changed()
    kb.vectors.delete_documents([doc_id])


__all__ = [
    "Prepared",
    "document_graph",
    "document_ntriples",
    "remove_document",
    "sync_reference",
    "write_documents",
]
