"""A networkx projection of the entity graph, for neighbourhoods and paths in Explore.

Nodes are the things facts are about (bodies, people, posts, programmes, meetings,
decisions, events); edges are the RDF statements between them, each keeping the passage
it was derived from. Documents, passages and selectors are left out: they are evidence.
Every node keeps all its names (preferred label, acronyms, aliases) so any of them finds
it, and relations are named by the ontology's English ``rdfs:label``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from urllib.parse import unquote

import networkx as nx

from kg.namespaces import OA, PREFIXES
from kg.rdfstore import RdfStore
from kg.sparql import term_text

_EDGES = f"""
SELECT DISTINCT ?s ?p ?o ?evidence WHERE {{
  ?s ?p ?o .
  FILTER(isIRI(?o) && ?p != rdf:type && ?p != prov:wasDerivedFrom && ?p != skos:inScheme)
  FILTER NOT EXISTS {{ ?s a <{OA.SpecificResource}> }}
  FILTER NOT EXISTS {{ ?o a <{OA.SpecificResource}> }}
  FILTER NOT EXISTS {{ ?s a foaf:Document }}
  FILTER NOT EXISTS {{ ?o a foaf:Document }}
  FILTER NOT EXISTS {{ ?o a skos:ConceptScheme }}
  OPTIONAL {{ ?s prov:wasDerivedFrom ?evidence }}
}}"""
# Name properties, most preferred first: the first one a node has is its display label.
NAME_PROPERTIES = (
    "skos:prefLabel",
    "foaf:name",
    "dct:title",
    "schema:name",
    "rdfs:label",
    "gov:acronym",
    "skos:altLabel",
)
_NAMES = f"""
SELECT ?s ?p ?l WHERE {{
  VALUES ?p {{ {" ".join(NAME_PROPERTIES)} }}
  ?s ?p ?l . FILTER(isIRI(?s) && (lang(?l) = "" || langMatches(lang(?l), "en")))
}}"""
_TYPES = "SELECT DISTINCT ?s ?t WHERE { ?s a ?t . FILTER(isIRI(?s) && isIRI(?t)) }"
_TERM_LABELS = """
SELECT ?t ?l WHERE { ?t rdfs:label ?l . FILTER(isIRI(?t) && langMatches(lang(?l), "en")) }"""


@dataclass(frozen=True)
class Neighbour:
    relation: str  # the predicate IRI
    direction: str  # "out" (entity → neighbour) or "in"
    iri: str
    label: str
    evidence: str


@dataclass(frozen=True)
class Step:
    """One hop of a path: ``source`` —relation→ ``target`` as the statement reads."""

    source: str
    relation: str
    target: str
    evidence: str


def _expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local


def build_graph(store: RdfStore) -> nx.MultiDiGraph:
    """Project the dataset's entity statements into a directed multigraph.

    Each node has ``label`` (its preferred name), ``names`` (every name, acronym and
    alias) and ``types`` (class IRIs); the graph has ``relation_labels`` (predicate IRI →
    English label from the ontology).
    """
    rank = {_expand(p): i for i, p in enumerate(NAME_PROPERTIES)}
    names: dict[str, list[tuple[int, str]]] = {}
    for row in store.query(_NAMES, prefixes=PREFIXES):
        names.setdefault(row["s"].value, []).append((rank[row["p"].value], row["l"].value))
    types: dict[str, list[str]] = {}
    for row in store.query(_TYPES, prefixes=PREFIXES):
        types.setdefault(row["s"].value, []).append(row["t"].value)
    graph = nx.MultiDiGraph()
    graph.graph["relation_labels"] = term_labels(store)
    for row in store.query(_EDGES, prefixes=PREFIXES):
        s, p, o = row["s"].value, row["p"], row["o"].value
        for node, term in ((s, row["s"]), (o, row["o"])):
            if node not in graph:
                ordered = [n for _, n in sorted(names.get(node, []))]
                graph.add_node(
                    node,
                    label=ordered[0] if ordered else term_text(term),
                    names=tuple(dict.fromkeys(ordered)),
                    types=tuple(types.get(node, ())),
                )
        evidence = row["evidence"].value if row["evidence"] is not None else ""
        graph.add_edge(s, o, key=p.value, relation=p.value, evidence=evidence)
    return graph


def term_labels(store: RdfStore) -> dict[str, str]:
    """Class and property IRI → English label, from the ontology's ``rdfs:label``s."""
    return {row["t"].value: row["l"].value for row in store.query(_TERM_LABELS, prefixes=PREFIXES)}


def humanize(iri: str) -> str:
    """A readable name for a term without a label: 'resultingOrganization' → 'resulting organization'."""
    local = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).replace("_", " ").strip()
    if not words or words.isupper():
        return words or iri
    return words[:1] + words[1:].lower()


def relation_label(graph: nx.MultiDiGraph, predicate: str) -> str:
    """The predicate's English label from the ontology, else its local name in words."""
    return graph.graph.get("relation_labels", {}).get(predicate) or humanize(predicate)


def type_label(graph: nx.MultiDiGraph, iri: str) -> str:
    """A node's classes in words ('Organization, Formal organization')."""
    labels = graph.graph.get("relation_labels", {})
    return ", ".join(labels.get(t) or humanize(t) for t in graph.nodes[iri].get("types", ()))


def find_entities(graph: nx.MultiDiGraph, text: str, limit: int = 20) -> list[tuple[str, str]]:
    """(IRI, label) of nodes any of whose names contains ``text``, best match first.

    An exact name (an acronym such as "PSU") beats a prefix, a prefix beats a substring;
    then shorter names, then better-connected nodes.
    """
    needle = " ".join(text.lower().split())
    if not needle:
        return []
    scored: list[tuple[tuple[int, int, int], str, str]] = []
    for node, data in graph.nodes(data=True):
        best: tuple[int, int] | None = None
        for name in data.get("names") or (data["label"],):
            folded = " ".join(name.lower().split())
            if needle not in folded:
                continue
            closeness = 0 if folded == needle else 1 if folded.startswith(needle) else 2
            candidate = (closeness, len(folded) // 20)
            best = candidate if best is None or candidate < best else best
        if best is not None:
            scored.append(((*best, -graph.degree(node)), node, data["label"]))
    scored.sort()
    return [(node, label) for _, node, label in scored[:limit]]


def neighbours(graph: nx.MultiDiGraph, iri: str) -> list[Neighbour]:
    """Every statement linking ``iri`` to another entity, with its evidence passage."""
    if iri not in graph:
        return []
    out = [
        Neighbour(d["relation"], "out", o, graph.nodes[o]["label"], d["evidence"])
        for _, o, d in graph.out_edges(iri, data=True)
    ]
    inc = [
        Neighbour(d["relation"], "in", s, graph.nodes[s]["label"], d["evidence"])
        for s, _, d in graph.in_edges(iri, data=True)
    ]
    return sorted(out + inc, key=lambda n: (n.direction, n.relation, n.label))


def passage_span(evidence: str) -> tuple[str, int, int] | None:
    """(doc id, start, end) of a passage IRI ``…/doc/{id}/passage/{start}-{end}``."""
    head, _, span = evidence.rpartition("/passage/")
    start, _, end = span.partition("-")
    if not head or not start.isdigit() or not end.isdigit():
        return None
    return unquote(head.rsplit("/doc/", 1)[-1]), int(start), int(end)


def evidence_text(evidence: str) -> str:
    """'doc-id, characters 935–1446' for a passage IRI (readable provenance in tables)."""
    span = passage_span(evidence)
    if span is None:
        return evidence
    return f"{span[0]}, characters {span[1]}–{span[2]}"


def path(graph: nx.MultiDiGraph, source: str, target: str) -> list[str]:
    """The shortest chain of entities between two, ignoring edge direction."""
    try:
        return list(nx.shortest_path(graph.to_undirected(as_view=True), source, target))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []


def path_steps(graph: nx.MultiDiGraph, nodes: list[str]) -> list[Step]:
    """The statements along a chain of nodes, each in its own direction."""
    steps: list[Step] = []
    for a, b in itertools.pairwise(nodes):
        forward = graph.get_edge_data(a, b) or {}
        backward = graph.get_edge_data(b, a) or {}
        if forward:
            data = next(iter(forward.values()))
            steps.append(Step(a, data["relation"], b, data["evidence"]))
        elif backward:
            data = next(iter(backward.values()))
            steps.append(Step(b, data["relation"], a, data["evidence"]))
    return steps


def neighbourhood(
    graph: nx.MultiDiGraph, iri: str, limit: int
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The entity, up to ``limit`` neighbours (best-connected first) and the edges among them."""
    if iri not in graph:
        return [], []
    around = set(graph.successors(iri)) | set(graph.predecessors(iri))
    around.discard(iri)
    chosen = sorted(around, key=lambda n: (-graph.degree(n), graph.nodes[n]["label"]))[:limit]
    keep = {iri, *chosen}
    edges = [
        (s, d["relation"], o) for s, o, d in graph.edges(keep, data=True) if s in keep and o in keep
    ]
    return [iri, *chosen], sorted(set(edges))
