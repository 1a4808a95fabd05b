"""Lexical matching: the stemmed content words BM25 indexes and answers compare."""

from __future__ import annotations

import re

import bm25s
import Stemmer

STEMMER = Stemmer.Stemmer("english")
_WORD_RE = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS = frozenset(bm25s.stopwords.STOPWORDS_EN)


def stems(text: str) -> list[str]:
    """Lower-cased, stemmed content words: the unit of lexical matching everywhere."""
    return STEMMER.stemWords([w for w in _WORD_RE.findall(text.lower()) if w not in STOPWORDS])


def tokenize(texts: list[str]) -> object:
    return bm25s.tokenize(texts, stopwords="en", stemmer=STEMMER, show_progress=False)
