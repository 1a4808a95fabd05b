"""The passage vectors on a Chroma server (``chroma run``), through ``chromadb.HttpClient``.

The same collection, metadata and calls as the embedded index; only the client differs.
Every call that reaches the server turns its failures into one line naming the server,
never its reply: transport failures are :class:`StoreUnavailableError`, errors the server
reports are :class:`StoreError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError

from kg.errors import StoreError, StoreUnavailableError
from kg.model import Passage
from kg.vectors import VectorIndex

T = TypeVar("T")


class ChromaHttpIndex(VectorIndex):
    """A :class:`VectorIndex` whose collection lives on a Chroma server."""

    name = "chroma-http"

    def __init__(self, host: str, port: int) -> None:
        self.where = f"{host}:{port}"
        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            client = chromadb.HttpClient(host=host, port=port, settings=settings)
        except ValueError:  # chromadb's own "Could not connect to a Chroma server"
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {self.where}; "
                "check KG_CHROMA_HOST and KG_CHROMA_PORT"
            ) from None
        with self._server():
            self._use(client)

    def describe(self) -> dict[str, str]:
        return {"vector_store": self.name, "chroma_server": self.where}

    @contextmanager
    def _server(self) -> Iterator[None]:
        try:
            yield
        except (httpx.TransportError, ConnectionError) as exc:
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {self.where}: {type(exc).__name__}"
            ) from None
        except ChromaError as exc:
            raise StoreError(
                f"the Chroma server at {self.where} failed ({type(exc).__name__})"
            ) from None

    def _call(self, method: Callable[..., T], *args: Any) -> T:
        with self._server():
            return method(*args)

    def add(self, passages: list[Passage], vectors: np.ndarray, titles: dict[str, str]) -> None:
        self._call(super().add, passages, vectors, titles)

    def delete_documents(self, doc_ids: list[str]) -> None:
        self._call(super().delete_documents, doc_ids)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        return self._call(super().search, vector, k)

    def ids_for(self, doc_id: str | None = None) -> set[str]:
        return self._call(super().ids_for, doc_id)

    def count(self) -> int:
        return self._call(super().count)

    def delete_ids(self, ids: set[str]) -> None:
        self._call(super().delete_ids, ids)
