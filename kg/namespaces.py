"""The namespaces of the ontology contract (DESIGN.md section 3) and our IRI scheme."""

from __future__ import annotations

import re
from urllib.parse import quote

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

SCHEMA = Namespace("http://schema.org/")
BESLUIT = Namespace("http://data.vlaanderen.be/ns/besluit#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
GOV = Namespace("https://w3id.org/govkg/def#")
GOVID = Namespace("https://w3id.org/govkg/id/")
# Checksums of stored texts in the registry graph (the SPDX terms DCAT 3 uses); not bound.
SPDX = Namespace("http://spdx.org/rdf/terms#")
GRAPH_BASE = "https://w3id.org/govkg/graph/"
REFERENCE_GRAPH = GRAPH_BASE + "reference"
REGISTRY_GRAPH = GRAPH_BASE + "registry"

PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "org": str(ORG),
    "prov": str(PROV),
    "dct": str(DCTERMS),
    "skos": str(SKOS),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "besluit": str(BESLUIT),
    "eli": str(ELI),
    "oa": str(OA),
    "dcat": str(DCAT),
    "gov": str(GOV),
    "govid": str(GOVID),
}

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def bind_prefixes(graph: Graph) -> Graph:
    """Bind exactly the contract's prefixes (schema.org over http, not https)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, Namespace(iri), override=True, replace=True)
    return graph


def slug(text: str) -> str:
    """A lowercase, hyphenated identifier that is safe in an IRI path segment."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return value or "x"


def doc_graph_iri(doc_id: str) -> str:
    return f"{GRAPH_BASE}doc/{quote(doc_id, safe='-_.')}"


def doc_iri(doc_id: str) -> str:
    return f"{GOVID}doc/{quote(doc_id, safe='-_.')}"


def passage_iri(doc_id: str, start: int, end: int) -> str:
    return f"{doc_iri(doc_id)}/passage/{start}-{end}"


def entity_iri(kind: str, name: str) -> str:
    """Shared entities (organisations, people, ...) get one IRI across documents."""
    return f"{GOVID}{slug(kind)}/{slug(name)}"


def doc_scoped_iri(doc_id: str, kind: str, local: str) -> str:
    """Facts that belong to one document (meetings, decisions, events)."""
    return f"{doc_iri(doc_id)}/{slug(kind)}/{slug(local)}"
