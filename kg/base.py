"""The knowledge base facade: one object that opens every store under KG_HOME.

A *reader* (``read_only=True``: `kg ask`, `kg serve`, `kg sparql`, `kg check`) opens the
newest published generation and leases it; :meth:`KnowledgeBase.refresh` moves to a
newer one. A *writer* (``read_only=False``, under the write lock: ingest, remove,
repair) opens the working stores that only it touches and ends with :meth:`publish`.
See :mod:`kg.stores.generations` for why readers and the writer never share a file.
"""

from __future__ import annotations

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
_MAX_SURPLUS = 4  # a dense search asks for at most this many times k to skip unknown versions


class KnowledgeBase:
    """RDF dataset, vector index, lexical index and texts, opened together."""

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
        self.generation = ""
        self._records: dict[str, Record] | None = None
        self._lease: gens.Lease | None = None
        self._lexical: LexicalIndex | None = None
        self.manifest: gens.Manifest | None = None
        if read_only:
            self._open_reader()
        else:
            self._open_writer()

    # --- opening ---------------------------------------------------------------------

    def _open_reader(self) -> None:
        s = self.settings
        opened = gens.open_newest(s.home)
        try:
            problems = gens.verify_sizes(opened.folder, opened.manifest)
            problems += gens.verify_hashes(opened.folder, opened.manifest, prefix="lexical/")
            if problems:
                part = gens.part_of(problems[0])
                raise StoreDamagedError(part, f"generation {opened.generation}: {problems[0]}")
            self.rdf: RdfDataset = RDF_STORES.get(s.rdf_store).open_reader(s, opened.folder)
            self.vectors: VectorIndex = VECTOR_STORES.get(s.vector_store).open_reader(
                s, opened.folder
            )
            self._lexical = LEXICAL_STORES.get(s.lexical_store).open(opened.folder)
        except KGError:
            for store in (getattr(self, "rdf", None), getattr(self, "vectors", None)):
                if store is not None:
                    store.close()
            opened.lease.release()
            raise
        self._lease, self.manifest = opened.lease, opened.manifest
        self.generation = str(opened.generation)
        self.folder = opened.folder

    def _open_writer(self) -> None:
        s = self.settings
        s.home.mkdir(parents=True, exist_ok=True)
        mark_layout(s)
        self.rdf = RDF_STORES.get(s.rdf_store).open_writer(s)
        try:
            self.vectors = VECTOR_STORES.get(s.vector_store).open_writer(s)
        except KGError:
            self.rdf.close()  # RocksDB's lock goes with it, so a repair can reopen it
            raise
        try:
            self.generation = str(gens.newest(s.home) or "")
        except StoreDamagedError:
            self.generation = ""  # an unreadable pointer: the next publish replaces it

    def close(self) -> None:
        """Release the stores and the generation's lease (readers keep nothing open)."""
        for store in (getattr(self, "rdf", None), getattr(self, "vectors", None)):
            if store is not None:
                store.close()
        if self._lease is not None:
            self._lease.release()
            self._lease = None

    def refresh(self) -> bool:
        """Reopen on the newest generation if a writer published one since we opened."""
        if not self.read_only or str(gens.newest(self.settings.home) or "") == self.generation:
            return False
        self.close()
        self._records = None
        self._open_reader()
        return True

    @property
    def lexical(self) -> LexicalIndex:
        """The published lexical index (a writer reads the newest generation's)."""
        if self._lexical is None:
            opened = gens.open_newest(self.settings.home)
            try:
                self._lexical = LEXICAL_STORES.get(self.settings.lexical_store).open(opened.folder)
            finally:
                opened.lease.release()
        return self._lexical

    @cached_property
    def embedder(self) -> Embedder:
        s = self.settings
        return get_embedder(s.embedder, s.embed_model, s.embed_batch)

    # --- the registry ------------------------------------------------------------------

    def records(self) -> dict[str, Record]:
        """doc id -> what the RDF registry says about it (cached until it changes)."""
        if self._records is None:
            self._records = read_records(self.rdf)
        return self._records

    def registry(self) -> dict[str, str]:
        """doc id -> sha256 of the version the RDF store holds."""
        return {doc_id: r.version for doc_id, r in self.records().items()}

    def registry_changed(self) -> None:
        """A writer calls this after each registry update."""
        self._records = None

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
        spans = self.texts.meta(doc_id)["passages"]
        index, section = next(
            ((i, sec) for i, (s, e, sec) in enumerate(spans) if s == int(start) and e == int(end)),
            (-1, ""),
        )
        return Passage(doc_id, index, int(start), int(end), text[int(start) : int(end)], section)

    def title(self, doc_id: str) -> str:
        return str(self.texts.meta(doc_id).get("title") or doc_id)

    # --- writing -----------------------------------------------------------------------

    def publish(self) -> int:
        """Writer: make the current state the newest generation, then drop what no
        reader needs any more (old generations, old text versions)."""
        records = self.records()
        versions = {doc_id: r.version for doc_id, r in records.items()}
        lexical = LEXICAL_STORES.get(self.settings.lexical_store)

        def fill(folder: Path) -> None:
            self.rdf.publish(folder)
            self.vectors.publish(folder)
            lexical.build(folder, self.texts.all_passages(), versions)

        generation = gens.publish(self.settings.home, fill, versions, self.backends)
        self.generation = str(generation)
        self._lexical = None
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
