"""The lexical index: BM25 over the passages (bm25s, English stemming), backend ``bm25``.

BM25 statistics are corpus-wide, so the index is built whole for each published
generation, into that generation's folder, and loaded into memory by readers.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import bm25s
import numpy as np

from kg.errors import StoreDamagedError
from kg.lexical import stems, tokenize
from kg.model import Passage
from kg.stores.base import LEXICAL_STORES, LexicalIndex, short_version

SNAPSHOT = "lexical"
PART = "published BM25 index"


class Bm25Index:
    """A loaded BM25 index behind the :class:`~kg.stores.base.LexicalIndex` protocol."""

    backend = "bm25"

    def __init__(
        self,
        retriever: bm25s.BM25 | None,
        ids: list[str],
        doc_freq: dict[str, int],
        versions: dict[str, str],
    ) -> None:
        self._retriever = retriever
        self.ids = ids
        self.doc_freq = doc_freq
        self.versions = versions

    @classmethod
    def load(cls, path: Path) -> Bm25Index:
        try:
            ids = json.loads((path / "ids.json").read_text(encoding="utf-8"))
            doc_freq = json.loads((path / "df.json").read_text(encoding="utf-8"))
            versions = json.loads((path / "versions.json").read_text(encoding="utf-8"))
            retriever = bm25s.BM25.load(str(path / "bm25")) if ids else None
            whole = retriever is None or _consistent(retriever, len(ids))
        except FileNotFoundError as exc:
            raise StoreDamagedError(PART, f"{exc.filename} is missing") from None
        except (ValueError, OSError, EOFError, KeyError, TypeError, IndexError) as exc:
            raise StoreDamagedError(PART, f"{path}: {' '.join(str(exc).split())[:200]}") from None
        if (
            not isinstance(ids, list)
            or not isinstance(doc_freq, dict)
            or not isinstance(versions, dict)
        ):
            raise StoreDamagedError(PART, f"{path}: ids.json or df.json has the wrong shape")
        if not whole:
            raise StoreDamagedError(PART, f"{path}: the index and ids.json disagree")
        return cls(retriever, ids, doc_freq, versions)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        if self._retriever is None or not self.ids or k <= 0:
            return []
        tokens = tokenize([query])
        if not any(len(t) for t in getattr(tokens, "ids", [[1]])):
            return []
        docs, scores = self._retriever.retrieve(
            tokens, k=min(k, len(self.ids)), show_progress=False
        )
        return [
            (self.ids[int(i)], float(s))
            for i, s in zip(np.asarray(docs)[0], np.asarray(scores)[0], strict=True)
            if s > 0
        ]


def _consistent(retriever: bm25s.BM25, passages: int) -> bool:
    """The sparse matrix is whole and has one column per passage id."""
    scores = retriever.scores
    indptr, data, indices = scores["indptr"], scores["data"], scores["indices"]
    return (
        int(scores.get("num_docs", -1)) == passages
        and len(data) == len(indices) == int(indptr[-1])
        and bool(np.all(np.diff(indptr) >= 0))
        and (len(indices) == 0 or int(indices.max()) < passages)
    )


class Bm25Backend:
    name = "bm25"

    def build(self, target: Path, passages: Iterable[Passage], versions: Mapping[str, str]) -> None:
        items = list(passages)
        folder = target / SNAPSHOT
        folder.mkdir(parents=True)
        if items:
            retriever = bm25s.BM25()
            retriever.index(tokenize([p.embedding_text for p in items]), show_progress=False)
            retriever.save(str(folder / "bm25"))
        doc_freq = Counter(stem for p in items for stem in set(stems(p.embedding_text)))
        short = {doc: short_version(v) for doc, v in versions.items()}
        for name, data in (
            ("ids.json", [p.passage_id for p in items]),
            ("df.json", doc_freq),
            ("versions.json", short),
        ):
            (folder / name).write_text(json.dumps(data), encoding="utf-8")

    def open(self, generation: Path) -> LexicalIndex:
        return Bm25Index.load(generation / SNAPSHOT)


LEXICAL_STORES.register(Bm25Backend())
