"""The embedded vector index: a Chroma ``PersistentClient`` collection, backend ``chroma``.

Chroma's local client is not process-safe: its documentation allows one client per
directory; a process that loads the HNSW files while another rewrites them can read a
torn file (we have seen it abort the process); and even a client that only queries
writes to the folder it opened (a row in ``acquire_write``, rewritten HNSW files). So only
the writer opens ``KG_HOME/chroma``; publishing a generation copies the folder (about
120 MB at 10,000 documents) and each reader process queries a private copy of that,
made when it opens the generation (checked against the sha256 the manifest recorded)
and removed when it closes it.

Before Chroma touches a folder we check its files ourselves (the SQLite header and the
HNSW segment's sizes): Chroma reads a damaged HNSW segment without complaint, or
crashes, and either way answers change silently.
"""

from __future__ import annotations

import math
import pickle
import sqlite3
import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import chromadb
import numpy as np
from chromadb.api.types import Where
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, InvalidArgumentError, InvalidDimensionException

from kg.errors import ConfigError, DiskFullError, StoreDamagedError
from kg.model import Passage
from kg.stores.base import VECTOR_STORES, VectorHit, short_version, split_vector_id, vector_id
from kg.stores.files import copy_tree, disk_full_is_one_line, remove_tree
from kg.stores.generations import Manifest, Scratch

if TYPE_CHECKING:
    from kg.settings import Settings

COLLECTION = "passages"
SNAPSHOT = "chroma"
SQLITE = "chroma.sqlite3"
WRITER_PART = "vector index"
READER_PART = "published vector index"
_HNSW_TYPE = "urn:chroma:segment/vector/hnsw-local-persisted"
_HEADER = struct.Struct("<i6QiI3QdQ")  # Chroma's hnswlib header.bin (100 bytes)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_FULL_MESSAGES = ("disk is full", "no space left", "disk full", "quota exceeded")


class ChromaIndex:
    """A Chroma collection behind the :class:`~kg.stores.base.VectorIndex` protocol."""

    backend = "chroma"

    def __init__(
        self,
        path: Path,
        part: str = WRITER_PART,
        create: bool = True,
        scratch: Scratch | None = None,
    ) -> None:
        self.path = path
        self.part = part
        self._scratch = scratch
        problems = verify_folder(path)
        if problems:
            raise StoreDamagedError(part, f"{path}: {problems[0]}")
        with self._errors("opening"):
            self._client = chromadb.PersistentClient(
                path=str(path),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
            # No embedding function: we always pass vectors, so Chroma never fetches a model.
            if create:
                self._collection = self._client.get_or_create_collection(
                    COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
                )
            else:
                self._collection = self._client.get_collection(COLLECTION, embedding_function=None)

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Chroma's errors as ours: a full disk, a changed embedder, or a damaged index."""
        try:
            yield
        except (ChromaError, sqlite3.DatabaseError) as exc:
            text = " ".join(str(exc).split())[:300] or type(exc).__name__
            if any(m in text.lower() for m in _FULL_MESSAGES):
                raise DiskFullError(f"{doing} the vector index in {self.path}") from None
            if isinstance(exc, InvalidArgumentError | InvalidDimensionException):
                raise ConfigError(
                    f"the vector index refused the vectors ({text}); if KG_EMBEDDER or "
                    "KG_EMBED_MODEL changed, run `kg ingest --rebuild`"
                ) from None
            raise StoreDamagedError(self.part, f"{self.path}: {doing}: {text}") from None

    def add(
        self,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        versions: Mapping[str, str],
        titles: Mapping[str, str],
    ) -> None:
        """Upsert in as few calls as Chroma allows: each call has a fixed cost."""
        step = self._client.get_max_batch_size()
        for at in range(0, len(passages), step):
            batch = passages[at : at + step]
            with self._errors("writing"):
                self._collection.upsert(
                    ids=[vector_id(p.passage_id, versions[p.doc_id]) for p in batch],
                    embeddings=vectors[at : at + step].tolist(),
                    documents=[p.text for p in batch],
                    metadatas=[
                        {
                            "doc_id": p.doc_id,
                            "version": short_version(versions[p.doc_id]),
                            "start": p.start,
                            "end": p.end,
                            "title": titles.get(p.doc_id, ""),
                        }
                        for p in batch
                    ],
                )

    def delete(self, vector_ids: Iterable[str]) -> None:
        ids = sorted(set(vector_ids))
        step = self._client.get_max_batch_size()
        for at in range(0, len(ids), step):
            with self._errors("deleting from"):
                self._collection.delete(ids=ids[at : at + step])

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        wanted = sorted(set(doc_ids))
        if wanted:
            with self._errors("deleting from"):
                self._collection.delete(where=cast(Where, {"doc_id": {"$in": wanted}}))

    def search(self, vector: np.ndarray, k: int) -> list[VectorHit]:
        """Best first, cosine similarity."""
        with self._errors("searching"):
            count = self._collection.count()
            if count == 0 or k <= 0:
                return []
            result = self._collection.query(
                query_embeddings=[vector.tolist()], n_results=min(k, count), include=["distances"]
            )
        ids = result["ids"][0]
        distances = result["distances"][0] if result["distances"] else [1.0] * len(ids)
        hits = []
        for vid, distance in zip(ids, distances, strict=True):
            passage_id, version = split_vector_id(vid)
            hits.append(VectorHit(passage_id, version, 1.0 - float(distance)))
        return hits

    def ids(self) -> list[str]:
        with self._errors("reading"):
            return list(self._collection.get(include=[])["ids"])

    def count(self) -> int:
        with self._errors("reading"):
            return int(self._collection.count())

    def embeddings(self, vector_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not vector_ids:
            return {}
        with self._errors("reading"):
            got = self._collection.get(ids=list(vector_ids), include=["embeddings"])
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        return {
            vid: np.asarray(vec, dtype=np.float32)
            for vid, vec in zip(got["ids"], vectors, strict=True)
        }

    def verify(self) -> list[str]:
        return verify_folder(self.path)

    def publish(self, target: Path) -> None:
        """A byte copy of the folder: Chroma rewrites its files in place, so no hard links."""
        copy_tree(self.path, target / SNAPSHOT)

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
            self._client = None  # type: ignore[assignment]
        if self._scratch is not None:
            self._scratch.release()
            self._scratch = None


def verify_folder(path: Path) -> list[str]:
    """Damage Chroma would not report: a bad SQLite file, a missing or cut HNSW segment.

    Reads SQLite read-only and the small HNSW header and length files; a few milliseconds.
    """
    db = path / SQLITE
    if not db.exists():
        return []  # a new, empty index
    with open(db, "rb") as handle:
        if handle.read(16) != _SQLITE_MAGIC:
            return [f"{SQLITE} is not an SQLite database"]
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            segments = conn.execute(
                "SELECT s.id, m.seq_id FROM segments s JOIN max_seq_id m ON m.segment_id = s.id"
                " WHERE s.type = ?",
                (_HNSW_TYPE,),
            ).fetchall()
    except sqlite3.OperationalError as exc:
        if (path / f"{SQLITE}-journal").exists():
            # A hot journal: a write was interrupted (kill -9). A read-only connection may
            # not roll it back; Chroma's own read-write open does, so this is not damage.
            return []
        return [f"{SQLITE}: {exc}"]
    except sqlite3.DatabaseError as exc:
        return [f"{SQLITE}: {exc}"]
    problems: list[str] = []
    for segment, seq_id in segments:
        if _as_int(seq_id) > 0:
            problems += verify_hnsw(path / str(segment))
    return problems


def _as_int(value: Any) -> int:
    if isinstance(value, bytes):
        return int.from_bytes(value, "big")
    return int(value or 0)


def verify_hnsw(folder: Path) -> list[str]:
    """The persisted HNSW files agree with their header (what Chroma loads blindly).

    ``header.bin`` holds hnswlib's counts; ``data_level0.bin`` one fixed-size record per
    element; ``length.bin`` one float32 norm per element; ``link_lists.bin`` per element a
    uint32 byte count and that many bytes.
    """
    name = f"HNSW segment {folder.name}"
    if not folder.is_dir():
        return [f"{name} is missing"]
    try:
        header = (folder / "header.bin").read_bytes()
        data_size = (folder / "data_level0.bin").stat().st_size
        norms_size = (folder / "length.bin").stat().st_size
        links = (folder / "link_lists.bin").read_bytes()
        metadata = (folder / "index_metadata.pickle").read_bytes()
    except FileNotFoundError as exc:
        return [f"{name}: {Path(str(exc.filename)).name} is missing"]
    if len(header) != _HEADER.size:
        return [f"{name}: header.bin has {len(header)} bytes, not {_HEADER.size}"]
    fields = _HEADER.unpack(header)
    max_elements, count, per_element = fields[2], fields[3], fields[4]
    if not _sound_header(fields):
        return [f"{name}: header.bin is garbled"]
    problems = []
    if data_size not in {count * per_element, max_elements * per_element}:
        problems.append(
            f"{name}: data_level0.bin has {data_size} bytes, its header says {count * per_element}"
        )
    if norms_size not in {count * 4, max_elements * 4}:
        problems.append(f"{name}: length.bin has {norms_size} bytes for {count} elements")
    if not _whole_link_lists(links, count):
        problems.append(f"{name}: link_lists.bin is cut short or garbled")
    if not metadata.endswith(pickle.STOP):
        problems.append(f"{name}: index_metadata.pickle is cut short")
    return problems


def _sound_header(fields: tuple[Any, ...]) -> bool:
    """hnswlib's invariants: a garbled header makes Chroma crash the process, not fail."""
    (_version, level0, max_elements, count, per_element, label_at, data_at, max_level,
     entry, max_m, max_m0, m, mult, ef) = fields  # fmt: skip
    return (
        level0 == 0
        and count <= max_elements
        and 0 < m <= 4096
        and max_m == m
        and max_m0 == 2 * m
        and data_at == max_m0 * 4 + 4
        and label_at > data_at
        and (label_at - data_at) % 4 == 0
        and per_element == label_at + 8
        and 0 <= max_level < 64
        and (count == 0 or entry < count)
        and (m == 1 or abs(mult * math.log(m) - 1.0) < 1e-6)
        and ef > 0
    )


def _whole_link_lists(data: bytes, count: int) -> bool:
    offset = 0
    for _ in range(count):
        if offset + 4 > len(data):
            return False
        offset += 4 + int.from_bytes(data[offset : offset + 4], "little")
    return offset == len(data)


class ChromaBackend:
    name = "chroma"

    def describe(self, settings: Settings) -> str:
        return f"chroma in {settings.chroma_dir}"

    def open_writer(self, settings: Settings) -> ChromaIndex:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return ChromaIndex(settings.chroma_dir, WRITER_PART, create=True)

    def open_reader(self, settings: Settings, generation: Path) -> ChromaIndex:
        """A private copy of the generation's index: Chroma writes to the folder it opens
        (we measured: a reader's open adds a row to its SQLite file and rewrites HNSW
        files), so two readers must never open the same folder."""
        published = generation / SNAPSHOT
        if not (published / SQLITE).exists():
            raise StoreDamagedError(READER_PART, f"{published / SQLITE} is missing")
        problems = verify_folder(published)
        if problems:
            raise StoreDamagedError(READER_PART, f"{published}: {problems[0]}")
        expected = {
            rel.removeprefix(f"{SNAPSHOT}/"): sha
            for rel, (_size, sha) in Manifest.load(generation).files.items()
            if rel.startswith(f"{SNAPSHOT}/") and sha
        }
        scratch = Scratch(generation)
        try:
            with disk_full_is_one_line(f"copying the vector index to {scratch.path}"):
                copied = copy_tree(published, scratch.path / SNAPSHOT, durable=False)
            changed = sorted(rel for rel, sha in expected.items() if copied.get(rel) != sha)
            if changed:  # a garbled HNSW file can crash Chroma: never open one
                raise StoreDamagedError(
                    READER_PART, f"{published / changed[0]} changed since it was published"
                )
            return ChromaIndex(scratch.path / SNAPSHOT, READER_PART, create=False, scratch=scratch)
        except BaseException:
            scratch.release()
            raise

    def discard(self, settings: Settings) -> None:
        remove_tree(settings.chroma_dir)

    def verify_published(self, generation: Path) -> list[str]:
        return [f"{SNAPSHOT}/{p}" for p in verify_folder(generation / SNAPSHOT)]


VECTOR_STORES.register(ChromaBackend())
