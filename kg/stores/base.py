"""The three store kinds as small Protocols, and one registry per kind.

Every caller (ingest, check, answers, SPARQL, export, validation) goes through these
interfaces; a backend is one module implementing one of them plus one ``register`` call.
The built-ins (Oxigraph, Chroma, BM25) register exactly the way a new backend would.

Versions: a document's version is the sha256 of its source bytes. Derived stores (vectors,
BM25, texts) keep the version each entry was made from, so a reader accepts an entry only
when its version is the one its registry holds. That is what lets a reader keep answering
while a writer adds the next version beside the old one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import numpy as np
import pyoxigraph as ox

from kg.errors import UnknownBackendError
from kg.model import Passage

if TYPE_CHECKING:
    from kg.settings import Settings

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
VERSION_CHARS = 16  # of the sha256 hex digest: enough to tell versions apart, short in ids


def short_version(version: str) -> str:
    return version.removeprefix("sha256:")[:VERSION_CHARS]


def vector_id(passage_id: str, version: str) -> str:
    """``doc:start-end@version``: two versions of a document never share a vector id."""
    return f"{passage_id}@{short_version(version)}"


def split_vector_id(vid: str) -> tuple[str, str]:
    """(passage id, short version) of a vector id; version "" for ids without one."""
    passage_id, _, version = vid.rpartition("@")
    return (passage_id, version) if passage_id else (vid, "")


def doc_of(passage_id: str) -> str:
    return passage_id.rpartition(":")[0]


def replace_update(graphs: Sequence[tuple[str, str]], extra_update: str = "") -> str:
    """One SPARQL UPDATE request that drops and refills named graphs (N-Triples bodies).

    A SPARQL 1.1 server applies one request atomically, so a remote backend can send
    exactly this text and keep the embedded store's guarantee.
    """
    parts = [
        f"DROP SILENT GRAPH <{iri}> ;\nINSERT DATA {{ GRAPH <{iri}> {{\n{ntriples}\n}} }}"
        for iri, ntriples in graphs
    ]
    return " ;\n".join(parts + ([extra_update] if extra_update else []))


def drop_update(graph: str, extra_update: str = "") -> str:
    return f"DROP SILENT GRAPH <{graph}>" + (f" ;\n{extra_update}" if extra_update else "")


class RdfDataset(Protocol):
    """A quad store: one named graph per document, plus reference and registry graphs."""

    backend: str

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
        """Evaluate a read-only query; with ``union`` the default graph is all graphs.

        ``bindings`` fills variables (name → term) without pasting terms into the text.
        Returns pyoxigraph's QuerySolutions, QueryBoolean or QueryTriples (a remote
        backend parses its results into the same types).
        """
        ...

    def replace_graphs(self, graphs: Sequence[tuple[str, str]], extra_update: str = "") -> None:
        """Drop and refill graphs (N-Triples text) plus ``extra_update``, atomically."""
        ...

    def drop_graph(self, graph: str, extra_update: str = "") -> None: ...

    def graph_names(self) -> list[str]: ...

    def count(self, graph: str | None = None) -> int: ...

    def counts(self) -> dict[str, int]:
        """Triples per named graph, in one pass (what `kg check` compares)."""
        ...

    def dump(self, fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
        """One graph or the whole dataset; dataset formats keep graph names."""
        ...

    def flush(self) -> None: ...

    def verify(self) -> list[str]:
        """Problems of the backend itself, [] when sound (a server's configuration)."""
        ...

    def read_path(self) -> Path | None:
        """A directory another process may open with ``pyoxigraph.Store.read_only``
        safely (an immutable published snapshot), or None (server backends)."""
        ...

    def publish(self, target: Path) -> None:
        """Writer: leave in ``target`` (new) what readers of the next generation open."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class VectorHit:
    passage_id: str
    version: str  # short version (see VERSION_CHARS)
    score: float  # cosine similarity


class VectorIndex(Protocol):
    """Passage embeddings; ids are :func:`vector_id` values."""

    backend: str

    def add(
        self,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        versions: Mapping[str, str],
        titles: Mapping[str, str],
    ) -> None: ...

    def delete(self, vector_ids: Iterable[str]) -> None: ...

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        """Every version of these documents."""
        ...

    def search(self, vector: np.ndarray, k: int) -> list[VectorHit]: ...

    def ids(self) -> list[str]: ...

    def count(self) -> int: ...

    def embeddings(self, vector_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of some ids (`kg check` compares a sample with fresh ones)."""
        ...

    def verify(self) -> list[str]:
        """Problems with the backend's own files, [] when sound (cheap; before opening)."""
        ...

    def publish(self, target: Path) -> None: ...

    def close(self) -> None: ...


class LexicalIndex(Protocol):
    """Keyword search over the passages of one published generation."""

    backend: str
    ids: list[str]
    doc_freq: dict[str, int]
    versions: dict[str, str]  # doc id -> short version the index was built from

    def search(self, query: str, k: int) -> list[tuple[str, float]]: ...


class RdfBackend(Protocol):
    name: str

    def describe(self, settings: Settings) -> str:
        """Which backend and where, for `kg stats` and `kg check` (never a password)."""
        ...

    def open_writer(self, settings: Settings) -> RdfDataset: ...

    def open_reader(self, settings: Settings, generation: Path) -> RdfDataset: ...

    def discard(self, settings: Settings) -> None:
        """Delete the writer's dataset entirely (repair re-derives it from the texts)."""
        ...


class VectorBackend(Protocol):
    name: str

    def describe(self, settings: Settings) -> str:
        """Which backend and where, for `kg stats` and `kg check` (never a password)."""
        ...

    def open_writer(self, settings: Settings) -> VectorIndex: ...

    def open_reader(self, settings: Settings, generation: Path) -> VectorIndex: ...

    def discard(self, settings: Settings) -> None:
        """Delete the writer's index entirely (repair rebuilds it by re-embedding)."""
        ...

    def verify_published(self, generation: Path) -> list[str]:
        """Cheap checks of what this backend published in ``generation`` ([] when sound)."""
        ...


class LexicalBackend(Protocol):
    name: str

    def build(self, target: Path, passages: Iterable[Passage], versions: Mapping[str, str]) -> None:
        """Write a complete index into ``target`` (a new folder of the next generation)."""
        ...

    def open(self, generation: Path) -> LexicalIndex: ...


class _Named(Protocol):
    name: str


B = TypeVar("B", bound=_Named)


class Registry(Generic[B]):
    """Backends of one kind by name: built-ins and new ones register the same way."""

    def __init__(self, kind: str, variable: str) -> None:
        self.kind = kind
        self.variable = variable
        self._backends: dict[str, B] = {}

    def register(self, backend: B) -> B:
        name = str(backend.name)
        if name in self._backends:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._backends[name] = backend
        return backend

    def get(self, name: str) -> B:
        try:
            return self._backends[name]
        except KeyError:
            raise UnknownBackendError(
                f"{self.kind} ({self.variable})", name, self.names()
            ) from None

    def names(self) -> list[str]:
        return sorted(self._backends)


RDF_STORES: Registry[RdfBackend] = Registry("RDF store", "KG_RDF_STORE")
VECTOR_STORES: Registry[VectorBackend] = Registry("vector store", "KG_VECTOR_STORE")
LEXICAL_STORES: Registry[LexicalBackend] = Registry("lexical index", "KG_LEXICAL_STORE")
