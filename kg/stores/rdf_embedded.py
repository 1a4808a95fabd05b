"""The embedded RDF dataset: Oxigraph (pyoxigraph) in ``KG_HOME/rdf``, backend ``oxigraph``.

Only the writer opens ``KG_HOME/rdf`` (read-write, under the write lock). Publishing a
generation makes a RocksDB checkpoint with ``Store.backup`` (hard links to the immutable
table files, so it costs milliseconds and little disk) and readers open that checkpoint
with ``Store.read_only``: no process ever reads a store another process writes, which
pyoxigraph documents as undefined behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import DiskFullError, KGError, StoreDamagedError
from kg.stores.base import RDF_STORES, Term, drop_update, replace_update
from kg.stores.files import is_disk_full, remove_tree
from kg.stores.generations import Lease

if TYPE_CHECKING:
    from kg.settings import Settings

SNAPSHOT = "rdf"
WRITER_PART = "RDF store"
READER_PART = "published RDF snapshot"


class OxigraphDataset:
    """An Oxigraph store behind the :class:`~kg.stores.base.RdfDataset` protocol."""

    backend = "oxigraph"

    def __init__(
        self,
        store: ox.Store,
        path: Path | None = None,
        part: str = WRITER_PART,
        lease: Lease | None = None,
        snapshot: bool = False,
    ) -> None:
        self._open: ox.Store | None = store
        self.path = path
        self.part = part
        self._lease = lease
        self._snapshot = snapshot

    @classmethod
    def in_memory(cls) -> OxigraphDataset:
        """A dataset that lives in this process only (fast unit tests)."""
        return cls(ox.Store())

    @property
    def _store(self) -> ox.Store:
        if self._open is None:
            raise ValueError(f"the {self.part} was closed")
        return self._open

    @property
    def store(self) -> ox.Store:
        """The pyoxigraph store. Deprecated: kept until ``kg.sparql`` calls :meth:`query`."""
        return self._store

    def query(
        self,
        sparql: str,
        *,
        union: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> Any:
        kwargs: dict[str, object] = {}
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if prefixes:
            kwargs["prefixes"] = dict(prefixes)
        use_union = union and default_graphs is None
        try:
            return self._store.query(sparql, use_default_graph_as_union=use_union, **kwargs)  # type: ignore[arg-type]
        except OSError as exc:  # reading the files (ASK evaluates at once)
            raise self._damaged(exc) from None
        # A RuntimeError here is the query's own failure (an unbound SERVICE variable, a
        # type error in ASK), not damage: it reaches the caller as it is.

    def update(self, sparql: str) -> None:
        """One SPARQL UPDATE, applied atomically by Oxigraph."""
        self._store.update(sparql)

    def replace_graphs(self, graphs: Sequence[tuple[str, str]], extra_update: str = "") -> None:
        self.update(replace_update(graphs, extra_update))

    def drop_graph(self, graph: str, extra_update: str = "") -> None:
        self.update(drop_update(graph, extra_update))

    def graph_names(self) -> list[str]:
        try:
            return sorted(
                g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
            )
        except (OSError, RuntimeError) as exc:
            raise self._damaged(exc) from None

    def count(self, graph: str | None = None) -> int:
        node = ox.NamedNode(graph) if graph else None
        try:
            return sum(1 for _ in self._store.quads_for_pattern(None, None, None, node))
        except (OSError, RuntimeError) as exc:
            raise self._damaged(exc) from None

    def counts(self) -> dict[str, int]:
        """Triples per named graph; reads every table block, so RocksDB checks them all."""
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        try:
            return {row["g"].value: int(row["n"].value) for row in rows}
        except (OSError, RuntimeError) as exc:
            raise self._damaged(exc) from None

    def dump(self, fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
        try:
            if graph is None and fmt.supports_datasets:
                return self._store.dump(format=fmt) or b""
            if graph is None:  # a graph format: the union of every graph's triples
                quads = self._store.quads_for_pattern(None, None, None)
                return (
                    ox.serialize(
                        (ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=fmt
                    )
                    or b""
                )
            node = ox.NamedNode(graph)
            if fmt.supports_datasets:
                return (
                    ox.serialize(self._store.quads_for_pattern(None, None, None, node), format=fmt)
                    or b""
                )
            return self._store.dump(format=fmt, from_graph=node) or b""
        except (OSError, RuntimeError) as exc:
            raise self._damaged(exc) from None

    def flush(self) -> None:
        """Move written data from memory to table files; once per run is enough."""
        self._store.flush()

    def verify(self) -> list[str]:
        return []  # RocksDB checks its blocks as they are read (see :meth:`counts`)

    def read_path(self) -> Path | None:
        return self.path if self._snapshot else None

    def publish(self, target: Path) -> None:
        """A RocksDB checkpoint of the current state in ``target/rdf``."""
        if self.path is None:
            raise StoreDamagedError(self.part, "an in-memory store cannot be published")
        self._store.flush()
        self._store.backup(str(target / SNAPSHOT))

    def close(self) -> None:
        """Release the store (RocksDB's lock goes with the last reference) and the lease."""
        self._open = None
        if self._lease is not None:
            self._lease.release()
            self._lease = None

    def _damaged(self, exc: Exception) -> KGError:
        if is_disk_full(exc):
            return DiskFullError(f"using the {self.part} in {self.path}")
        where = f"{self.path}: " if self.path else ""
        return StoreDamagedError(self.part, where + _first_line(exc))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def open_snapshot(path: Path) -> OxigraphDataset:
    """Open a published checkpoint read-only, holding its generation's lease while open.

    This is what a separate reader process (a SPARQL worker) calls with
    ``kb.rdf.read_path()``; the lease keeps the writer from removing the files under it.
    """
    lease = Lease(path.parent)
    try:
        store = ox.Store.read_only(str(path))
    except (OSError, RuntimeError) as exc:
        lease.release()
        raise StoreDamagedError(READER_PART, f"{path}: {_first_line(exc)}") from None
    return OxigraphDataset(store, path, READER_PART, lease, snapshot=True)


class OxigraphBackend:
    name = "oxigraph"

    def describe(self, settings: Settings) -> str:
        return f"oxigraph in {settings.rdf_dir}"

    def open_writer(self, settings: Settings) -> OxigraphDataset:
        path = settings.rdf_dir
        path.mkdir(parents=True, exist_ok=True)
        try:
            return OxigraphDataset(ox.Store(str(path)), path)
        except (OSError, RuntimeError) as exc:
            if is_disk_full(exc):
                raise DiskFullError(f"opening the {WRITER_PART} in {path}") from None
            raise StoreDamagedError(WRITER_PART, f"{path}: {_first_line(exc)}") from None

    def open_reader(self, settings: Settings, generation: Path) -> OxigraphDataset:
        """The generation's checkpoint; the caller already holds the generation's lease."""
        path = generation / SNAPSHOT
        try:
            store = ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            raise StoreDamagedError(READER_PART, f"{path}: {_first_line(exc)}") from None
        return OxigraphDataset(store, path, READER_PART, snapshot=True)

    def discard(self, settings: Settings) -> None:
        remove_tree(settings.rdf_dir)


RDF_STORES.register(OxigraphBackend())
