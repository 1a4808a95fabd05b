"""The knowledge base facade: one object that opens every store under KG_HOME.

A *reader* (``read_only=True``: `kg ask`, `kg serve`, `kg sparql`, `kg check`) opens the
newest published generation and leases it; :meth:`KnowledgeBase.refresh` moves to a
newer one. A *writer* (``read_only=False``, under the write lock: ingest, remove,
repair) opens the working stores that only it touches and ends with :meth:`publish`.
See :mod:`kg.stores.generations` for why readers and the writer never share a file.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from rdflib.namespace import DCTERMS

from kg.embed import Embedder, get_embedder
from kg.errors import KGError, NotFoundError, StoreDamagedError
from kg.model import Passage
from kg.namespaces import REGISTRY_GRAPH, SPDX
from kg.settings import Settings
from kg.stores import (
    LEXICAL_STORES,
    RDF_STORES,
    VECTOR_STORES,
    LexicalIndex,
    RdfDataset,
    VectorIndex,
)
from kg.stores import generations as gens
from kg.stores.base import doc_of, short_version
from kg.stores.files import atomic_write, remove_tree
from kg.textstore import Record, TextStore, TextView

LAYOUT = "2"  # KG_HOME/layout: bumped when the files under KG_HOME change shape
RETIRE_SECONDS = 120.0  # longer than any request runs (SPARQL stops at KG_SPARQL_TIMEOUT)
_MAX_SURPLUS = 4  # a dense search asks for at most this many times k to skip unknown versions


@dataclass
class _Stores:
    """The stores of one generation (a reader) or the working stores (the writer)."""

    rdf: RdfDataset
    vectors: VectorIndex
    generation: str
    lexical: LexicalIndex | None = None
    manifest: gens.Manifest | None = None
    folder: Path | None = None
    lease: gens.Lease | None = None
    records: dict[str, Record] | None = None

    def close(self) -> None:
        self.rdf.close()
        self.vectors.close()
        if self.lease is not None:
            self.lease.release()
            self.lease = None


class KnowledgeBase:
    """RDF dataset, vector index, lexical index and texts, opened together.

    A reader may be shared by threads (``kg serve``): :meth:`refresh` opens a newer
    generation beside the current one and pins it for the calling thread only, so a
    request that began on one generation ends on it; a replaced generation is closed
    once no request can still be using it.
    """

    def __init__(self, settings: Settings, read_only: bool = True) -> None:
        self.settings = settings
        self.read_only = read_only
        self.backends = {
            "rdf": RDF_STORES.get(settings.rdf_store).name,
            "vectors": VECTOR_STORES.get(settings.vector_store).name,
            "lexical": LEXICAL_STORES.get(settings.lexical_store).name,
        }
        check_layout(settings)
        self.store_texts = TextStore(settings.texts_dir)
        self.texts = TextView(self.store_texts, self.records)
        self._local = threading.local()
        self._swap = threading.Lock()
        self._retired: list[tuple[float, _Stores]] = []
        self._current = self._open_reader() if read_only else self._open_writer()

    # --- opening ---------------------------------------------------------------------

    def _open_reader(self) -> _Stores:
        s = self.settings
        opened = gens.open_newest(s.home)
        opened_stores: list[RdfDataset | VectorIndex] = []
        try:
            problems = gens.verify_sizes(opened.folder, opened.manifest)
            problems += gens.verify_hashes(opened.folder, opened.manifest, prefix="lexical/")
            if problems:
                part = gens.part_of(problems[0])
                raise StoreDamagedError(part, f"generation {opened.generation}: {problems[0]}")
            rdf = RDF_STORES.get(s.rdf_store).open_reader(s, opened.folder)
            opened_stores.append(rdf)
            vectors = VECTOR_STORES.get(s.vector_store).open_reader(s, opened.folder)
            opened_stores.append(vectors)
            lexical = LEXICAL_STORES.get(s.lexical_store).open(opened.folder)
        except KGError:
            for store in opened_stores:
                store.close()
            opened.lease.release()
            raise
        return _Stores(
            rdf,
            vectors,
            str(opened.generation),
            lexical,
            opened.manifest,
            opened.folder,
            opened.lease,
        )

    def _open_writer(self) -> _Stores:
        s = self.settings
        s.home.mkdir(parents=True, exist_ok=True)
        mark_layout(s)
        rdf = RDF_STORES.get(s.rdf_store).open_writer(s)
        try:
            vectors = VECTOR_STORES.get(s.vector_store).open_writer(s)
        except KGError:
            rdf.close()  # RocksDB's lock goes with it, so a repair can reopen it
            raise
        try:
            generation = str(gens.newest(s.home) or "")
        except StoreDamagedError:
            generation = ""  # an unreadable pointer: the next publish replaces it
        return _Stores(rdf, vectors, generation)

    @property
    def _stores(self) -> _Stores:
        return getattr(self._local, "stores", None) or self._current

    def close(self) -> None:
        """Release the stores and the generation's lease."""
        with self._swap:
            for _at, stores in self._retired:
                stores.close()
            self._current.close()
            self._retired = []

    def refresh(self) -> bool:
        """Move this thread to the newest generation if a writer published one.

        The replaced generation stays open for requests still running on it and is closed
        at the first refresh ``RETIRE_SECONDS`` later (every entry point refreshes first).
        """
        if not self.read_only:
            return False
        changed = False
        with self._swap:
            now = time.monotonic()
            if str(gens.newest(self.settings.home) or "") != self._current.generation:
                self._retired.append((now, self._current))
                self._current = self._open_reader()
                changed = True
            for retired_at, old in [r for r in self._retired if now - r[0] > RETIRE_SECONDS]:
                old.close()
                self._retired.remove((retired_at, old))
            self._local.stores = self._current
        return changed

    # --- the stores of this thread's generation -----------------------------------------

    @property
    def rdf(self) -> RdfDataset:
        return self._stores.rdf

    @rdf.setter
    def rdf(self, store: RdfDataset) -> None:  # repair swaps in a rebuilt store
        self._stores.rdf = store
        self._stores.records = None

    @property
    def vectors(self) -> VectorIndex:
        return self._stores.vectors

    @vectors.setter
    def vectors(self, store: VectorIndex) -> None:
        self._stores.vectors = store

    @property
    def generation(self) -> str:
        return self._stores.generation

    @property
    def manifest(self) -> gens.Manifest | None:
        return self._stores.manifest

    @property
    def folder(self) -> Path | None:
        return self._stores.folder

    @property
    def lexical(self) -> LexicalIndex:
        """The published lexical index (a writer reads the newest generation's)."""
        stores = self._stores
        if stores.lexical is None:
            opened = gens.open_newest(self.settings.home)
            try:
                stores.lexical = LEXICAL_STORES.get(self.settings.lexical_store).open(opened.folder)
            finally:
                opened.lease.release()
        return stores.lexical

    @cached_property
    def embedder(self) -> Embedder:
        s = self.settings
        return get_embedder(s.embedder, s.embed_model, s.embed_batch)

    # --- the registry ------------------------------------------------------------------

    def records(self) -> dict[str, Record]:
        """doc id -> what the RDF registry says about it (cached until it changes)."""
        stores = self._stores
        if stores.records is None and stores.manifest is not None and stores.rdf.read_path():
            # A snapshot's registry is its manifest's, already read: no query at open.
            stores.records = {
                doc_id: Record(doc_id, *record)
                for doc_id, record in stores.manifest.records.items()
            }
        if stores.records is None:
            stores.records = read_records(stores.rdf)
        return stores.records

    def registry(self) -> dict[str, str]:
        """doc id -> sha256 of the version the RDF store holds."""
        return {doc_id: r.version for doc_id, r in self.records().items()}

    def registry_changed(self) -> None:
        """A writer calls this after each registry update."""
        self._stores.records = None

    # --- what answers read --------------------------------------------------------------

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(passage id, cosine), best first, only of the versions our registry holds.

        A live index may also hold a newer version being written; we ask for that many
        more results (up to a bound) and drop them.
        """
        records = self.records()
        surplus = max(0, self.vectors.count() - len(self.lexical.ids))
        hits = self.vectors.search(vector, k + min(surplus, k * (_MAX_SURPLUS - 1)))
        kept = [
            (h.passage_id, h.score)
            for h in hits
            if (r := records.get(doc_of(h.passage_id))) and short_version(r.version) == h.version
        ]
        return kept[:k]

    def lexical_search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(passage id, BM25 score), best first, only of the versions our registry holds."""
        records, versions = self.records(), self.lexical.versions
        return [
            (pid, score)
            for pid, score in self.lexical.search(query, k)
            if (r := records.get(doc_of(pid)))
            and versions.get(doc_of(pid)) == short_version(r.version)
        ]

    def passage(self, passage_id: str) -> Passage:
        doc_id, _, span = passage_id.rpartition(":")
        start, _, end = span.partition("-")
        if not doc_id or not start.isdigit() or not end.isdigit():
            raise NotFoundError(f"no passage {passage_id!r}")
        text = self.texts.text(doc_id)
        rows = self.texts.meta(doc_id)["passages"]
        for index, row in enumerate(rows):
            if int(row[0]) == int(start) and int(row[1]) == int(end):
                return Passage.from_row(doc_id, index, text, row)
        return Passage(doc_id, -1, int(start), int(end), text[int(start) : int(end)], "")

    def title(self, doc_id: str) -> str:
        return str(self.texts.meta(doc_id).get("title") or doc_id)

    # --- writing -----------------------------------------------------------------------

    def publish(self) -> int:
        """Writer: make the current state the newest generation, then drop what no
        reader needs any more (old generations, old text versions)."""
        records = self.records()
        versions = {doc_id: r.version for doc_id, r in records.items()}
        described = {d: (r.version, r.checksum, r.source) for d, r in records.items()}
        lexical = LEXICAL_STORES.get(self.settings.lexical_store)

        def fill(folder: Path) -> None:
            self.rdf.publish(folder)
            self.vectors.publish(folder)
            lexical.build(folder, self.texts.all_passages(), versions)

        generation = gens.publish(self.settings.home, fill, described, self.backends)
        self._current.generation = str(generation)
        self._current.lexical = None
        kept = gens.cleanup(self.settings.home)
        keep = {(d, short_version(v)) for m in kept for d, v in m.documents.items()}
        keep |= {(d, short_version(v)) for d, v in versions.items()}
        self.store_texts.collect(keep)
        return generation

    @property
    def home(self) -> Path:
        return self.settings.home


def read_records(rdf: RdfDataset) -> dict[str, Record]:
    rows = rdf.query(
        f"""SELECT ?id ?hash ?sum ?source WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{
          ?r <{DCTERMS.identifier}> ?id ; <{DCTERMS.hasVersion}> ?hash .
          OPTIONAL {{ ?r <{SPDX.checksumValue}> ?sum }}
          OPTIONAL {{ ?r <{DCTERMS.source}> ?source }} }} }}"""
    )
    out: dict[str, Record] = {}
    for row in rows:
        doc_id = row["id"].value
        out[doc_id] = Record(
            doc_id,
            row["hash"].value.removeprefix("sha256:"),
            row["sum"].value if row["sum"] is not None else "",
            row["source"].value if row["source"] is not None else "",
        )
    return out


def verify_published(settings: Settings) -> None:
    """Cheap checks of the newest generation (sizes; BM25 hashes), for commands that do
    not open it but must not run on top of damage: ingest and remove."""
    if gens.newest(settings.home) is None:
        return
    opened = gens.open_newest(settings.home)
    try:
        problems = gens.verify_sizes(opened.folder, opened.manifest)
        problems += gens.verify_hashes(opened.folder, opened.manifest, prefix="lexical/")
        problems += VECTOR_STORES.get(settings.vector_store).verify_published(opened.folder)
    finally:
        opened.lease.release()
    if problems:
        raise StoreDamagedError(
            gens.part_of(problems[0]), f"generation {opened.generation}: {problems[0]}"
        )


def is_published(kb: KnowledgeBase) -> bool:
    """Whether the newest generation holds what the writer's registry holds."""
    generation = gens.newest(kb.home)
    if generation is None:
        return False
    return gens.Manifest.load(gens.generation_dir(kb.home, generation)).documents == kb.registry()


def discard_working_stores(settings: Settings) -> None:
    """`kg ingest --rebuild`: drop the writer's stores (damaged or of an older layout).

    Published generations and text files stay for the readers that hold them; the next
    publish removes what nobody holds.
    """
    RDF_STORES.get(settings.rdf_store).discard(settings)
    VECTOR_STORES.get(settings.vector_store).discard(settings)
    remove_tree(settings.home / "lexical")  # layout 1 kept BM25 here
    for name in ("layout", "reference.sha256"):
        (settings.home / name).unlink(missing_ok=True)
    try:
        gens.newest(settings.home)
    except StoreDamagedError:
        gens.pointer_path(settings.home).unlink()


class OldLayoutError(KGError):
    """KG_HOME was written by an earlier govkg whose files had another shape."""


def _layout_path(settings: Settings) -> Path:
    return settings.home / "layout"


def check_layout(settings: Settings) -> None:
    """Refuse a KG_HOME of another layout (one line, with what to do)."""
    path = _layout_path(settings)
    if path.exists():
        found = path.read_text(encoding="utf-8").strip()
        if found != LAYOUT:
            raise OldLayoutError(
                f"{settings.home} has layout {found!r}, this govkg reads {LAYOUT!r}; "
                "run `kg ingest --rebuild`"
            )
    elif settings.rdf_dir.exists():
        raise OldLayoutError(
            f"{settings.home} was written by an older govkg; run `kg ingest --rebuild`"
        )


def mark_layout(settings: Settings) -> None:
    """Written before the first store is created, so a store never lacks it."""
    path = _layout_path(settings)
    if not path.exists():
        atomic_write(path, LAYOUT.encode(), durable=True)
