"""The knowledge base facade: one object that opens every store under KG_HOME."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from chromadb.api.shared_system_client import SharedSystemClient
from rdflib.namespace import DCTERMS

from kg.embed import Embedder, get_embedder
from kg.errors import NotFoundError
from kg.lexical import LexicalIndex
from kg.model import Passage
from kg.namespaces import REGISTRY_GRAPH
from kg.rdfstore import open_store
from kg.settings import Settings
from kg.textstore import TextStore
from kg.vectors import VectorIndex, open_vectors

if TYPE_CHECKING:
    from kg.rdfstore import RdfDataset


class KnowledgeBase:
    """RDF dataset, vector index, BM25 index and texts, opened together.

    Readers (``read_only=True``) see a snapshot and call :meth:`refresh` to pick up a
    finished ingest without a restart.
    """

    def __init__(self, settings: Settings, read_only: bool = True) -> None:
        self.settings = settings
        self.read_only = read_only
        self.generation = self._read_generation()
        self._open()

    def _open(self) -> None:
        s = self.settings
        if not self.read_only:
            s.home.mkdir(parents=True, exist_ok=True)
        self.rdf: RdfDataset = open_store(s.rdf_store, s, self.read_only)
        self.vectors: VectorIndex = open_vectors(s)
        self.lexical = LexicalIndex(s.lexical_dir)
        self.texts = TextStore(s.texts_dir)

    @cached_property
    def embedder(self) -> Embedder:
        s = self.settings
        return get_embedder(s.embedder, s.embed_model, s.embed_batch)

    def _read_generation(self) -> str:
        try:
            return self.settings.generation_path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def bump_generation(self) -> None:
        """Tell readers in other processes that a write finished (after making it durable)."""
        self.rdf.flush()
        path = self.settings.generation_path
        value = str(int(self._read_generation() or 0) + 1)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(value, encoding="utf-8")
        os.replace(tmp, path)
        self.generation = value

    def refresh(self) -> bool:
        """Reopen the stores if another process has finished writing since we opened them."""
        current = self._read_generation()
        if current == self.generation:
            return False
        SharedSystemClient.clear_system_cache()
        self.generation = current
        self._open()
        return True

    def passage(self, passage_id: str) -> Passage:
        doc_id, _, span = passage_id.rpartition(":")
        start, _, end = span.partition("-")
        if not doc_id or not start.isdigit() or not end.isdigit():
            raise NotFoundError(f"no passage {passage_id!r}")
        text = self.texts.text(doc_id)
        meta = self.texts.meta(doc_id)
        index, section = next(
            (
                (i, sec)
                for i, (s, e, sec) in enumerate(meta["passages"])
                if s == int(start) and e == int(end)
            ),
            (-1, ""),
        )
        return Passage(doc_id, index, int(start), int(end), text[int(start) : int(end)], section)

    def title(self, doc_id: str) -> str:
        return str(self.texts.meta(doc_id).get("title") or doc_id)

    def registry(self) -> dict[str, str]:
        """doc id -> sha256 of the version the RDF store holds."""
        rows = self.rdf.query(
            f"SELECT ?id ?hash WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?r <{DCTERMS.identifier}> ?id ;"
            f" <{DCTERMS.hasVersion}> ?hash }} }}"
        )
        return {row["id"].value: row["hash"].value.removeprefix("sha256:") for row in rows}

    def backends(self) -> dict[str, str]:
        """Which stores are in use and where, for `kg stats` and `kg check`."""
        s = self.settings
        info = {"rdf_store": s.rdf_store, "vector_store": s.vector_store}
        return {**info, **self.rdf.describe(), **self.vectors.describe()}

    @property
    def home(self) -> Path:
        return self.settings.home
