"""Shared helpers for the extraction tests: build documents, run the extractor, and turn a
facts graph into readable fact signatures to compare with hand-written gold sets."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from rdflib import Graph

from ingest.extract import extract_facts, load_reference
from ingest.load import load_document
from ingest.segment import segment
from kg.model import Document, Passage
from kg.namespaces import SPARQL_PREFIXES

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"
CORPUS = {
    "gp-psu-developing-the-role": ("corpus/gp-psu-developing-the-role.txt", "PSU page", None),
    "jhosc-enabling-primary-care-strategy-progress-report": (
        "corpus/jhosc-enabling-primary-care-strategy-progress-report.txt",
        "minutes",
        "Birmingham and Solihull Joint Health Overview and Scrutiny Committee",
    ),
    "example-council-minutes": (
        "tests/fixtures/extract/example-council-minutes.txt",
        "minutes",
        None,
    ),
    "example-strategy-paper": (
        "tests/fixtures/extract/example-strategy-paper.md",
        "strategy paper",
        None,
    ),
}


def make_document(doc_id: str) -> Document:
    """Load with the real loader: the corpus reads its metadata.toml, fixtures get a catalog."""
    path, doc_type, publisher = CORPUS[doc_id]
    full = ROOT / path
    if path.startswith("corpus/"):
        return load_document(full, ROOT / "corpus")
    catalog = {full.name: {"type": doc_type, "title": doc_id.replace("-", " ")}}
    doc = load_document(full, full.parent, catalog)
    return replace(doc, doc_id=doc_id, publisher=publisher or doc.publisher)


def extract(doc_id: str) -> tuple[Document, list[Passage], Graph]:
    doc = make_document(doc_id)
    passages = segment(doc)
    return doc, passages, extract_facts(doc, passages, load_reference(ONTOLOGY))


_LABEL = "COALESCE(?{v}name, ?{v}pref, STR(?{v}))"


def _label_block(var: str) -> str:
    return (
        f"OPTIONAL {{ ?{var} foaf:name ?{var}name }} "
        f"OPTIONAL {{ ?{var} skos:prefLabel ?{var}pref }}"
    )


SIGNATURE_QUERIES: dict[str, str] = {
    "org": """
        SELECT ?a WHERE { ?o a org:Organization ; skos:prefLabel ?a ; prov:wasDerivedFrom ?p }""",
    "acronym": """
        SELECT ?a ?b WHERE { ?o skos:prefLabel ?a ; gov:acronym ?b ; prov:wasDerivedFrom ?p }""",
    "person": """
        SELECT ?a (COALESCE(?t, '') AS ?b) WHERE { ?x a foaf:Person ; foaf:name ?a OPTIONAL { ?x
        foaf:title ?t } }""",
    "post": """
        SELECT ?a (COALESCE(?ol, ?pl, '') AS ?b) (COALESCE(?hn, '') AS ?c) (?rl AS ?d) WHERE {
        ?x a org:Post ; skos:prefLabel ?a ; org:role/skos:prefLabel ?rl . OPTIONAL { ?x
        org:postIn/skos:prefLabel ?ol } OPTIONAL { ?x dct:spatial/skos:prefLabel ?pl } OPTIONAL
        { ?x org:heldBy/foaf:name ?hn } }""",
    "purpose": """
        SELECT ?a ?b WHERE { ?o org:purpose ?f . ?o skos:prefLabel ?a . ?f skos:prefLabel ?b }""",
    "change": """
        SELECT ?a (COALESCE(?al, '') AS ?b) (COALESCE(?ol, '') AS ?c) (COALESCE(?pl, '') AS ?d)
        WHERE { ?e a org:ChangeEvent ; rdfs:label ?a . OPTIONAL { ?e
        prov:wasAssociatedWith/skos:prefLabel ?al } OPTIONAL { ?e
        org:originalOrganization/skos:prefLabel ?ol } OPTIONAL { ?e dct:temporal/rdfs:label ?pl
        } }""",
    "link": """
        SELECT ?a ?b ?c WHERE { VALUES ?prop { org:linkedTo org:reportsTo org:subOrganizationOf
        org:unitOf } ?s ?prop ?o . ?s skos:prefLabel ?a . ?o skos:prefLabel ?c .
        BIND(STRAFTER(STR(?prop), '#') AS ?b) }""",
    "runs": """
        SELECT ?a ?b WHERE { VALUES ?t { gov:Programme gov:Strategy } ?x a ?t ; skos:prefLabel
        ?a ; prov:wasAssociatedWith/skos:prefLabel ?b }""",
    "meeting": """
        SELECT ?a (COALESCE(STR(?d), '') AS ?b) WHERE { ?m a besluit:Zitting ;
        besluit:isGehoudenDoor/skos:prefLabel ?a OPTIONAL { ?m schema:startDate ?d } }""",
    "item": """
        SELECT (STR(?n) AS ?a) ?b WHERE { ?i a besluit:Agendapunt ; schema:position ?n ;
        dct:title ?b }""",
    "presenter": """
        SELECT ?a (COALESCE(?fname, ?fpref) AS ?b) WHERE { ?t a besluit:BehandelingVanAgendapunt
        ; dct:subject/dct:title ?a ; schema:performer ?f . OPTIONAL { ?f foaf:name ?fname }
        OPTIONAL { ?f skos:prefLabel ?fpref } }""",
    "decision": """
        SELECT (COALESCE(?n, '') AS ?a) ?b ?c ?d WHERE { ?x a besluit:Besluit ;
        dct:type/skos:prefLabel ?b ; prov:value ?c ; eli:passed_by/skos:prefLabel ?d OPTIONAL {
        ?x eli:number ?n } }""",
    "question": """
        SELECT (COALESCE(?aname, ?apref, '') AS ?a) (SUBSTR(?t, 1, 50) AS ?b) WHERE { ?q a
        schema:Question ; schema:text ?t OPTIONAL { ?q schema:author ?a . OPTIONAL { ?a
        foaf:name ?aname } OPTIONAL { ?a skos:prefLabel ?apref } } }""",
    "answer": """
        SELECT (SUBSTR(?qt, 1, 50) AS ?a) (COALESCE(?aname, ?apref) AS ?b) (SUBSTR(?t, 1, 50) AS
        ?c) WHERE { ?q schema:text ?qt ; schema:suggestedAnswer ?x . ?x schema:text ?t ;
        schema:author ?a . OPTIONAL { ?a foaf:name ?aname } OPTIONAL { ?a skos:prefLabel ?apref
        } }""",
    "period": """
        SELECT ?a (STR(?e) AS ?b) (COALESCE(STR(?l), '') AS ?c) WHERE { ?p a dct:PeriodOfTime ;
        rdfs:label ?a ; gov:earliest ?e OPTIONAL { ?p gov:latest ?l } }""",
    "event": """
        SELECT (SUBSTR(?l, 1, 50) AS ?a) ?b WHERE { ?e a prov:Activity ; rdfs:label ?l ;
        dct:temporal/rdfs:label ?b FILTER NOT EXISTS { ?e a org:ChangeEvent } }""",
}


def signatures(facts: Graph) -> set[tuple[str, ...]]:
    """Readable fact tuples, e.g. ("post", "Chair", "PSU Steering Group", "Subeena Suleman",
    "chair")."""
    graph = Graph()
    for triple in facts:
        graph.add(triple)
    for triple in load_reference_graph_cached():
        graph.add(triple)
    found: set[tuple[str, ...]] = set()
    for kind, query in SIGNATURE_QUERIES.items():
        source = facts if kind in ("acronym", "link") else graph
        for row in source.query(SPARQL_PREFIXES + query):
            found.add((kind, *(str(v) for v in row)))
    return found


_REFERENCE: list[Graph] = []


def load_reference_graph_cached() -> Graph:
    if not _REFERENCE:
        _REFERENCE.append(load_reference(ONTOLOGY).graph)
    return _REFERENCE[0]


def load_gold(doc_id: str) -> set[tuple[str, ...]]:
    data = json.loads((FIXTURES / "gold" / f"{doc_id}.json").read_text(encoding="utf-8"))
    return {tuple(row) for row in data["facts"]}


def score(found: set[tuple[str, ...]], gold: set[tuple[str, ...]]) -> tuple[float, float]:
    hits = len(found & gold)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(gold) if gold else 1.0
    return precision, recall
