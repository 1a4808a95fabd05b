"""The RDF dataset: one named graph per document, a reference graph and a registry graph.

Backed by Oxigraph (pyoxigraph, the engine behind oxrdflib). Writers replace a document's
graph and its registry entry in one SPARQL UPDATE, which Oxigraph applies atomically.
Readers open the store read-only and see a snapshot; they reopen when the generation moves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import EmptyStoreError, UnknownBackendError
from kg.namespaces import REFERENCE_GRAPH, REGISTRY_GRAPH

if TYPE_CHECKING:
    from kg.settings import Settings
    from kg.stores.rdf_sparql import SparqlStore


class RdfStore:
    """A thin, typed wrapper over a pyoxigraph Store."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def describe(self) -> dict[str, str]:
        """Nothing to add to the backend's name: it lives under KG_HOME."""
        return {}

    @classmethod
    def open(cls, path: Path | None, read_only: bool = False) -> RdfStore:
        if path is None:
            return cls(ox.Store())
        if read_only:
            if not path.exists():
                raise EmptyStoreError("nothing has been ingested yet; run `kg ingest` first")
            return cls(ox.Store.read_only(str(path)))
        path.mkdir(parents=True, exist_ok=True)
        return cls(ox.Store(str(path)))

    def query(self, sparql: str, union: bool = True, **kwargs: Any) -> Any:
        """Run a query with the union of all graphs as the default graph."""
        kwargs.pop("timeout", None)  # embedded queries are stopped by the worker pool
        if "default_graphs" in kwargs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in kwargs.pop("default_graphs") or []]
        if kwargs.get("named_graphs"):
            kwargs["named_graphs"] = [
                g if isinstance(g, ox.NamedNode) else ox.NamedNode(g)
                for g in kwargs["named_graphs"]
            ]
        return self.store.query(sparql, use_default_graph_as_union=union, **kwargs)

    def update(self, sparql: str) -> None:
        """Each update is one transaction, durable in the write-ahead log once it returns."""
        self.store.update(sparql)

    def flush(self) -> None:
        """Move written data from memory to disk files; once per ingest run is enough."""
        self.store.flush()

    def replace_graph(self, graph_iri: str, triples: Graph, extra_update: str = "") -> None:
        """Drop and refill one named graph (plus ``extra_update``) in a single transaction."""
        self.replace_graphs([(graph_iri, triples.serialize(format="nt"))], extra_update)

    def replace_graphs(self, graphs: Sequence[tuple[str, str]], extra_update: str = "") -> None:
        """Drop and refill several named graphs, given as N-Triples text, in one transaction."""
        parts = [
            f"DROP SILENT GRAPH <{iri}> ;\nINSERT DATA {{ GRAPH <{iri}> {{\n{ntriples}\n}} }}"
            for iri, ntriples in graphs
        ]
        self.update(" ;\n".join(parts + ([extra_update] if extra_update else [])))

    def drop_graph(self, graph_iri: str, extra_update: str = "") -> None:
        self.update(
            f"DROP SILENT GRAPH <{graph_iri}>" + (f" ;\n{extra_update}" if extra_update else "")
        )

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph_iri: str | None = None) -> int:
        graph = ox.NamedNode(graph_iri) if graph_iri else None
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, graph))

    def quads(self, graph_iri: str | None = None) -> Iterator[ox.Quad]:
        graph = ox.NamedNode(graph_iri) if graph_iri else None
        return self.store.quads_for_pattern(None, None, None, graph)

    def dump(self, fmt: ox.RdfFormat, graph_iri: str | None = None) -> bytes:
        if graph_iri is None:
            return self.store.dump(format=fmt) or b""
        return self.store.dump(format=fmt, from_graph=ox.NamedNode(graph_iri)) or b""

    def to_rdflib(self, graph_iris: list[str] | None = None) -> Graph:
        """Merge some graphs (default: all) into one rdflib Graph, e.g. for SHACL."""
        merged = Graph()
        for iri in graph_iris if graph_iris is not None else self.graph_names():
            data = self.dump(ox.RdfFormat.N_TRIPLES, iri)
            merged.parse(data=data.decode("utf-8"), format="nt")
        return merged

    def has_reference(self) -> bool:
        return self.store.contains_named_graph(ox.NamedNode(REFERENCE_GRAPH))

    def registry_count(self) -> int:
        return self.count(REGISTRY_GRAPH)


def _sparql(settings: Settings, read_only: bool) -> SparqlStore:
    from kg.stores.rdf_sparql import SparqlStore

    return SparqlStore.open(settings, read_only)


STORES: dict[str, Callable[[Settings, bool], RdfDataset]] = {
    "oxigraph": lambda settings, read_only: RdfStore.open(settings.rdf_dir, read_only),
    "memory": lambda _settings, _read_only: RdfStore.open(None),
    "sparql": _sparql,
}


def open_store(name: str, settings: Settings, read_only: bool) -> RdfDataset:
    try:
        factory = STORES[name]
    except KeyError:
        raise UnknownBackendError("RDF store", name, list(STORES)) from None
    return factory(settings, read_only)


if TYPE_CHECKING:
    RdfDataset = RdfStore | SparqlStore
