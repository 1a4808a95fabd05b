"""The passage vectors on a Chroma server (``chroma run``), backend ``chroma-http``.

The same collection, metadata and calls as the embedded index (:class:`ChromaIndex`); only
the client differs, and there is nothing to publish or copy: every reader queries the
server, which is the one copy. Failures are one line naming the server, never its reply:
transport failures are :class:`StoreUnavailableError`, errors the server reports are
:class:`StoreError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, InvalidArgumentError, InvalidDimensionException

from kg.errors import ConfigError, StoreError, StoreUnavailableError
from kg.stores.base import VECTOR_STORES
from kg.stores.vectors_chroma import COLLECTION, ChromaIndex

if TYPE_CHECKING:
    from kg.settings import Settings

PART = "vector index (Chroma server)"


class ChromaHttpIndex(ChromaIndex):
    """A :class:`ChromaIndex` whose collection lives on a Chroma server."""

    backend = "chroma-http"

    def __init__(self, host: str, port: int) -> None:
        self.where = f"{host}:{port}"
        self.path = Path(f"http://{self.where}")  # only ever printed
        self.part = PART
        self._scratch = None
        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        with self._errors("opening"):
            try:
                client: ClientAPI = chromadb.HttpClient(host=host, port=port, settings=settings)
            except ValueError:  # chromadb's own "Could not connect to a Chroma server"
                raise StoreUnavailableError(
                    f"cannot reach the Chroma server at {self.where}; "
                    "check KG_CHROMA_HOST and KG_CHROMA_PORT"
                ) from None
            self._client = client
            # No embedding function: we always pass vectors, so Chroma never fetches a model.
            self._collection = client.get_or_create_collection(
                COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """The server's failures as ours, in one line; a changed embedder as ConfigError."""
        try:
            yield
        except (httpx.TransportError, ConnectionError) as exc:
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {self.where} ({doing}): {type(exc).__name__}"
            ) from None
        except (InvalidArgumentError, InvalidDimensionException) as exc:
            text = " ".join(str(exc).split())[:200]
            raise ConfigError(
                f"the Chroma server at {self.where} refused the vectors ({text}); if "
                "KG_EMBEDDER or KG_EMBED_MODEL changed, run `kg ingest --rebuild`"
            ) from None
        except ChromaError as exc:
            raise StoreError(
                f"the Chroma server at {self.where} failed while {doing} ({type(exc).__name__})"
            ) from None

    def verify(self) -> list[str]:
        return []  # no files of ours to check: the server keeps its own

    def publish(self, target: Path) -> None:
        """Nothing to copy: readers query the server."""

    def close(self) -> None:
        self._client = None  # type: ignore[assignment]  # HTTP clients hold no files


class ChromaHttpBackend:
    name = "chroma-http"

    def describe(self, settings: Settings) -> str:
        return f"chroma-http at {settings.chroma_host}:{settings.chroma_port}"

    def open_writer(self, settings: Settings) -> ChromaHttpIndex:
        return ChromaHttpIndex(settings.chroma_host, settings.chroma_port)

    def open_reader(self, settings: Settings, generation: Path) -> ChromaHttpIndex:
        return ChromaHttpIndex(settings.chroma_host, settings.chroma_port)

    def discard(self, settings: Settings) -> None:
        """Drop the collection on the server (repair re-embeds every passage)."""
        index = ChromaHttpIndex(settings.chroma_host, settings.chroma_port)
        with index._errors("deleting the collection"):
            index._client.delete_collection(COLLECTION)

    def verify_published(self, generation: Path) -> list[str]:
        return []


VECTOR_STORES.register(ChromaHttpBackend())
