"""The reference data the extractor resolves names against: aliases and vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS

from kg.namespaces import GOV
from kg.reference import load_reference_graph

KIND_BY_TYPE = {GOV.Programme: "programme", GOV.Strategy: "strategy", DCTERMS.Location: "place"}
TYPES_BY_KIND: dict[str, tuple[URIRef, ...]] = {
    "org": (ORG.Organization,),
    "programme": (GOV.Programme, PROV.Activity),
    "strategy": (GOV.Strategy, PROV.Plan),
    "place": (DCTERMS.Location,),
}


@dataclass(frozen=True)
class Entity:
    """A named thing with one IRI: an organisation, programme, strategy or place."""

    iri: URIRef
    kind: str
    label: str
    acronyms: tuple[str, ...] = ()
    alt_labels: tuple[str, ...] = ()
    types: tuple[URIRef, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.alt_labels)


@dataclass(frozen=True)
class Reference:
    """Aliases and vocabularies; read-only, shared by every document's extraction."""

    graph: Graph
    entities: tuple[Entity, ...]
    roles: tuple[tuple[str, URIRef], ...]  # (lower-case label, role IRI), longest label first
    role_labels: dict[URIRef, str] = field(default_factory=dict)
    verbs: tuple[tuple[str, URIRef], ...] = ()
    functions: dict[str, URIRef] = field(default_factory=dict)


def _kind(graph: Graph, iri: URIRef) -> str | None:
    types = set(graph.objects(iri, RDF.type))
    for rdf_type, kind in KIND_BY_TYPE.items():
        if rdf_type in types:
            return kind
    return "org" if ORG.Organization in types else None


def _entities(graph: Graph) -> tuple[Entity, ...]:
    entities = []
    for iri in sorted(set(graph.subjects(SKOS.prefLabel, None)), key=str):
        kind = _kind(graph, iri) if isinstance(iri, URIRef) else None
        if kind is None:
            continue
        assert isinstance(iri, URIRef)
        entities.append(
            Entity(
                iri=iri,
                kind=kind,
                label=str(graph.value(iri, SKOS.prefLabel)),
                acronyms=tuple(sorted(str(a) for a in graph.objects(iri, GOV.acronym))),
                alt_labels=tuple(sorted(str(a) for a in graph.objects(iri, SKOS.altLabel))),
                types=tuple(
                    sorted(o for o in graph.objects(iri, RDF.type) if isinstance(o, URIRef))
                ),
            )
        )
    return tuple(entities)


def _scheme_labels(graph: Graph, scheme: URIRef) -> list[tuple[str, URIRef]]:
    """(label, concept) for every prefLabel and altLabel of a scheme, longest first."""
    pairs: set[tuple[str, URIRef]] = set()
    for concept in graph.subjects(SKOS.inScheme, scheme):
        if not isinstance(concept, URIRef):
            continue
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            pairs.update((str(label).lower(), concept) for label in graph.objects(concept, prop))
    return sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0], str(pair[1])))


def build_reference(graph: Graph) -> Reference:
    roles = _scheme_labels(graph, GOV.Roles)
    return Reference(
        graph=graph,
        entities=_entities(graph),
        roles=tuple(roles),
        role_labels={
            URIRef(str(c)): str(graph.value(c, SKOS.prefLabel))
            for c in graph.subjects(SKOS.inScheme, GOV.Roles)
        },
        verbs=tuple(_scheme_labels(graph, GOV.DecisionVerbs)),
        functions={label: c for label, c in _scheme_labels(graph, GOV.Functions)},
    )


@lru_cache(maxsize=4)
def _cached(ontology_dir: str) -> Reference:
    return build_reference(load_reference_graph(Path(ontology_dir)))


def load_reference(ontology_dir: Path) -> Reference:
    """Aliases and vocabularies from ``ontology_dir``, parsed once per folder."""
    return _cached(str(Path(ontology_dir).resolve()))


__all__ = ["TYPES_BY_KIND", "Entity", "Reference", "build_reference", "load_reference"]
