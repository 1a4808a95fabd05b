"""The dense passage index: a Chroma collection filled with our own embeddings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.types import Where
from chromadb.config import Settings as ChromaSettings

from kg.errors import UnknownBackendError
from kg.model import Passage
from kg.settings import Settings

COLLECTION = "passages"


class VectorIndex:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._use(
            chromadb.PersistentClient(
                path=str(path),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
        )

    def describe(self) -> dict[str, str]:
        """Nothing to add to the backend's name: it lives under KG_HOME."""
        return {}

    def _use(self, client: ClientAPI) -> None:
        """Open our collection on any Chroma client (embedded here, HTTP in a subclass)."""
        self._client = client
        # No embedding function: we always pass vectors, so Chroma never fetches a model.
        self._collection = client.get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def add(self, passages: list[Passage], vectors: np.ndarray, titles: dict[str, str]) -> None:
        """Upsert in as few calls as Chroma allows: each call has a fixed cost."""
        step = self._client.get_max_batch_size()
        for at in range(0, len(passages), step):
            batch = passages[at : at + step]
            self._collection.upsert(
                ids=[p.passage_id for p in batch],
                embeddings=vectors[at : at + step].tolist(),
                documents=[p.text for p in batch],
                metadatas=[
                    {
                        "doc_id": p.doc_id,
                        "start": p.start,
                        "end": p.end,
                        "title": titles.get(p.doc_id, ""),
                    }
                    for p in batch
                ],
            )

    def delete_documents(self, doc_ids: list[str]) -> None:
        if doc_ids:
            where = cast(Where, {"doc_id": {"$in": list(doc_ids)}})
            self._collection.delete(where=where)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first."""
        count = self._collection.count()
        if count == 0:
            return []
        result = self._collection.query(
            query_embeddings=[vector.tolist()], n_results=min(k, count), include=["distances"]
        )
        ids = result["ids"][0]
        distances = result["distances"][0] if result["distances"] else [1.0] * len(ids)
        return [(pid, 1.0 - float(d)) for pid, d in zip(ids, distances, strict=True)]

    def ids_for(self, doc_id: str | None = None) -> set[str]:
        if doc_id is None:
            return set(self._collection.get(include=[])["ids"])
        return set(self._collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def ids_by_document(self) -> dict[str, set[str]]:
        """Every stored passage id, grouped by document, in one read of the collection."""
        grouped: dict[str, set[str]] = {}
        for passage_id in self.ids_for():
            grouped.setdefault(passage_id.rpartition(":")[0], set()).add(passage_id)
        return grouped

    def count(self) -> int:
        return self._collection.count()

    def delete_ids(self, ids: set[str]) -> None:
        if ids:
            self._collection.delete(ids=sorted(ids))


def _chroma_http(settings: Settings) -> VectorIndex:
    from kg.stores.vectors_chroma_http import ChromaHttpIndex

    return ChromaHttpIndex(settings.chroma_host, settings.chroma_port)


VECTOR_STORES: dict[str, Callable[[Settings], VectorIndex]] = {
    "chroma": lambda settings: VectorIndex(settings.chroma_dir),
    "chroma-http": _chroma_http,
}


def open_vectors(settings: Settings) -> VectorIndex:
    try:
        factory = VECTOR_STORES[settings.vector_store]
    except KeyError:
        raise UnknownBackendError(
            "vector store", settings.vector_store, list(VECTOR_STORES)
        ) from None
    return factory(settings)
