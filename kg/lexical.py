"""BM25 over the same passages as the vector index (bm25s, English stemming)."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from kg.model import Passage

_STEMMER = Stemmer.Stemmer("english")
_WORD_RE = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS = frozenset(bm25s.stopwords.STOPWORDS_EN)


def stems(text: str) -> list[str]:
    """Lower-cased, stemmed content words: the unit of lexical matching everywhere."""
    return _STEMMER.stemWords([w for w in _WORD_RE.findall(text.lower()) if w not in STOPWORDS])


def tokenize(texts: list[str]) -> object:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False)


class LexicalIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._retriever: bm25s.BM25 | None = None
        self.ids: list[str] = []
        self.doc_freq: dict[str, int] = {}
        if (path / "ids.json").exists():
            self.ids = json.loads((path / "ids.json").read_text(encoding="utf-8"))
            self.doc_freq = json.loads((path / "df.json").read_text(encoding="utf-8"))
            if self.ids:
                self._retriever = bm25s.BM25.load(str(path / "bm25"))

    def rebuild(self, passages: Iterable[Passage]) -> None:
        """BM25 statistics are corpus-wide, so any change rebuilds the whole (small) index."""
        items = list(passages)
        staging = self.path.with_name(self.path.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        retriever = None
        if items:
            retriever = bm25s.BM25()
            retriever.index(tokenize([p.embedding_text for p in items]), show_progress=False)
            retriever.save(str(staging / "bm25"))
        doc_freq = Counter(stem for p in items for stem in set(stems(p.embedding_text)))
        (staging / "ids.json").write_text(
            json.dumps([p.passage_id for p in items]), encoding="utf-8"
        )
        (staging / "df.json").write_text(json.dumps(doc_freq), encoding="utf-8")
        old = self.path.with_name(self.path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.path.exists():
            os.replace(self.path, old)
        os.replace(staging, self.path)
        shutil.rmtree(old, ignore_errors=True)
        self._retriever, self.ids = retriever, [p.passage_id for p in items]
        self.doc_freq = dict(doc_freq)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        if self._retriever is None or not self.ids:
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
