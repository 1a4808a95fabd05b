"""The reference data the extractor resolves names against: aliases and vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS

from kg.lexicon import Lexicon, load_lexicon
from kg.namespaces import GOV
from kg.reference import load_reference_graph

KIND_BY_TYPE = {GOV.Programme: "programme", GOV.Strategy: "strategy", DCTERMS.Location: "place"}
TYPES_BY_KIND: dict[str, tuple[URIRef, ...]] = {
    "org": (ORG.Organization,),
    "programme": (GOV.Programme, PROV.Activity),
    "strategy": (GOV.Strategy, PROV.Plan),
    "place": (DCTERMS.Location,),
    "term": (SKOS.Concept,),
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
    scope: URIRef | None = None  # the place an alias-table entry belongs to (dct:spatial)
    generic: tuple[str, ...] = ()  # its names that do not name that place ("ICB")
    local: bool = False  # a name only this document gives it a meaning for

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
    lexicon: Lexicon | None = None
    place_words: dict[URIRef, frozenset[str]] = field(default_factory=dict)


def _kind(graph: Graph, iri: URIRef) -> str | None:
    types = set(graph.objects(iri, RDF.type))
    for rdf_type, kind in KIND_BY_TYPE.items():
        if rdf_type in types:
            return kind
    return "org" if ORG.Organization in types else None


def _place_words(graph: Graph, place: URIRef) -> set[str]:
    """The words that name a place ("birmingham", "solihull", "bsol")."""
    names = [*graph.objects(place, SKOS.prefLabel), *graph.objects(place, SKOS.altLabel)]
    names += list(graph.objects(place, GOV.acronym))
    return {w.lower() for n in names for w in str(n).split() if w.lower() not in ("and", "of")}


def _generic_names(graph: Graph, names: list[str], scope: URIRef | None) -> tuple[str, ...]:
    """The names of a place-scoped entry that do not mention its place."""
    if scope is None:
        return ()
    words = _place_words(graph, scope)
    return tuple(n for n in names if not words & {w.lower() for w in n.replace(",", " ").split()})


def _entities(graph: Graph) -> tuple[Entity, ...]:
    entities = []
    for iri in sorted(set(graph.subjects(SKOS.prefLabel, None)), key=str):
        kind = _kind(graph, iri) if isinstance(iri, URIRef) else None
        if kind is None:
            continue
        assert isinstance(iri, URIRef)
        label = str(graph.value(iri, SKOS.prefLabel))
        acronyms = tuple(sorted(str(a) for a in graph.objects(iri, GOV.acronym)))
        alt_labels = tuple(sorted(str(a) for a in graph.objects(iri, SKOS.altLabel)))
        scope = graph.value(iri, DCTERMS.spatial)
        scope = scope if isinstance(scope, URIRef) else None
        entities.append(
            Entity(
                iri=iri,
                kind=kind,
                label=label,
                acronyms=acronyms,
                alt_labels=alt_labels,
                types=tuple(
                    sorted(o for o in graph.objects(iri, RDF.type) if isinstance(o, URIRef))
                ),
                scope=scope,
                generic=_generic_names(graph, [label, *alt_labels, *acronyms], scope),
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


def build_reference(graph: Graph, lexicon: Lexicon | None = None) -> Reference:
    roles = _scheme_labels(graph, GOV.Roles)
    entities = _entities(graph)
    scopes = {e.scope for e in entities if e.scope is not None}
    return Reference(
        graph=graph,
        entities=entities,
        roles=tuple(roles),
        role_labels={
            URIRef(str(c)): str(graph.value(c, SKOS.prefLabel))
            for c in graph.subjects(SKOS.inScheme, GOV.Roles)
        },
        verbs=tuple(_scheme_labels(graph, GOV.DecisionVerbs)),
        functions={label: c for label, c in _scheme_labels(graph, GOV.Functions)},
        lexicon=lexicon,
        place_words={p: frozenset(_place_words(graph, p)) for p in scopes},
    )


@lru_cache(maxsize=4)
def _cached(ontology_dir: str) -> Reference:
    return build_reference(
        load_reference_graph(Path(ontology_dir)), load_lexicon(Path(ontology_dir))
    )


def load_reference(ontology_dir: Path) -> Reference:
    """Aliases and vocabularies from ``ontology_dir``, parsed once per folder."""
    return _cached(str(Path(ontology_dir).resolve()))


__all__ = ["TYPES_BY_KIND", "Entity", "Reference", "build_reference", "load_reference"]
