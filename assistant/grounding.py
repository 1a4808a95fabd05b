"""The one grounding rule: nothing is said that a cited passage does not state.

A sentence of an answer is either a verbatim span of its cited passage, or a template over
graph labels whose every label (name, post, value) stands in the cited passage. "Stands in"
compares stemmed words in order, so "Chair" stands in "chaired by" and "GP PSU" in "the GP
PSU Steering Group", but "PSU Steering Group" does not stand in "the steering group".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kg.lexical import stems

_NORM_RE = re.compile(r"[^a-z0-9%£]+")


def norm(text: str) -> str:
    """Lower case, NFKC, punctuation as spaces: how texts are compared."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return " " + " ".join(_NORM_RE.sub(" ", text).split()) + " "


@lru_cache(maxsize=4096)
def _stem_seq(text: str) -> tuple[str, ...]:
    return tuple(stems(text))


def stands_in(phrase: str, text: str) -> bool:
    """``phrase`` is said in ``text``: its words, or their stems, appear there in order."""
    if not phrase.strip():
        return True
    if norm(phrase) in norm(text):
        return True
    needle, hay = _stem_seq(phrase), _stem_seq(text)
    if not needle:
        return False
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def grounded(labels: list[str], passage_text: str) -> bool:
    """Every label a template sentence used stands in the passage it cites."""
    return all(stands_in(label, passage_text) for label in labels)


__all__ = ["grounded", "norm", "stands_in"]
