"""The dense passage index: a Chroma collection filled with our own embeddings."""

from __future__ import annotations

from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from kg.model import Passage

COLLECTION = "passages"


class VectorIndex:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        )
        # No embedding function: we always pass vectors, so Chroma never fetches a model.
        self._collection = self._client.get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def add(self, passages: list[Passage], vectors: np.ndarray, titles: dict[str, str]) -> None:
        if not passages:
            return
        self._collection.upsert(
            ids=[p.passage_id for p in passages],
            embeddings=vectors.tolist(),
            documents=[p.text for p in passages],
            metadatas=[
                {
                    "doc_id": p.doc_id,
                    "start": p.start,
                    "end": p.end,
                    "title": titles.get(p.doc_id, ""),
                }
                for p in passages
            ],
        )

    def delete_document(self, doc_id: str) -> None:
        self._collection.delete(where={"doc_id": doc_id})

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

    def count(self) -> int:
        return self._collection.count()

    def delete_ids(self, ids: set[str]) -> None:
        if ids:
            self._collection.delete(ids=sorted(ids))
