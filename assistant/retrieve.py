"""Hybrid retrieval: BM25 and dense passage rankings fused by reciprocal rank."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kg.base import KnowledgeBase
from kg.lexicon import default_lexicon
from kg.model import Passage
from kg.namespaces import GOV, REFERENCE_GRAPH, SKOS

RRF_K = 60


@dataclass(frozen=True)
class Hit:
    passage: Passage
    title: str
    fused: float
    dense: float
    lexical_rank: int | None


def alias_groups(kb: KnowledgeBase) -> list[frozenset[str]]:
    """Name variants of each entity in the reference graph (acronyms, alternative labels)."""
    rows = kb.rdf.query(
        f"SELECT ?e ?label WHERE {{ GRAPH <{REFERENCE_GRAPH}> {{ "
        f"?e <{SKOS.prefLabel}>|<{SKOS.altLabel}>|<{GOV.acronym}> ?label "
        f"FILTER NOT EXISTS {{ ?e a <{SKOS.Concept}> }} }} }}"
    )
    groups: dict[str, set[str]] = {}
    for row in rows:
        groups.setdefault(row["e"].value, set()).add(row["label"].value)
    return [frozenset(g) for g in groups.values() if len(g) > 1]


def _mentions(question: str, variant: str) -> bool:
    flags = 0 if variant.isupper() else re.IGNORECASE
    return re.search(rf"(?<!\w){re.escape(variant)}(?!\w)", question, flags) is not None


def expand_query(question: str, groups: list[frozenset[str]]) -> str:
    """Add the other names of every entity the question mentions, and short date forms."""
    extra: list[str] = []
    for group in groups:
        if any(_mentions(question, v) for v in group):
            extra.extend(sorted(v for v in group if not _mentions(question, v)))
    months = default_lexicon().words("months")
    for month, year in re.findall(r"\b([A-Z][a-z]+)\s+(\d{4})\b", question):
        if month.lower() in months:
            extra.append(f"{month[:3]} {year[2:]}")
    return question if not extra else question + " " + " ".join(extra)


def retrieve(kb: KnowledgeBase, question: str, k: int, query_vector: np.ndarray) -> list[Hit]:
    """The ``k`` best passages by reciprocal-rank fusion of lexical and dense rankings."""
    expanded = expand_query(question, _cached_groups(kb))
    depth = max(k * 3, 20)
    dense = kb.dense_search(query_vector, depth)
    lexical = kb.lexical_search(expanded, depth)
    fused: dict[str, float] = {}
    for rank, (pid, _) in enumerate(dense):
        fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    for rank, (pid, _) in enumerate(lexical):
        fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    dense_scores = dict(dense)
    lexical_ranks = {pid: rank for rank, (pid, _) in enumerate(lexical)}
    best = sorted(fused, key=lambda pid: (-fused[pid], pid))[:k]
    return [
        Hit(
            kb.passage(pid),
            kb.title(pid.rpartition(":")[0]),
            fused[pid],
            dense_scores.get(pid, 0.0),
            lexical_ranks.get(pid),
        )
        for pid in best
    ]


def _cached_groups(kb: KnowledgeBase) -> list[frozenset[str]]:
    return _groups_for(kb, kb.generation)


@lru_cache(maxsize=4)
def _groups_for(kb: KnowledgeBase, generation: str) -> list[frozenset[str]]:
    del generation
    return alias_groups(kb)
