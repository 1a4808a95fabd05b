"""Consistency across the stores: find and repair half-written documents after a crash."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.write import remove_document
from kg.base import KnowledgeBase
from kg.lock import write_lock
from kg.namespaces import GRAPH_BASE
from kg.settings import Settings


@dataclass(frozen=True)
class Problem:
    doc_id: str
    what: str

    def __str__(self) -> str:
        return f"{self.doc_id}: {self.what}"


def find_problems(kb: KnowledgeBase) -> list[Problem]:
    """Every way the RDF registry, the texts, the vectors and BM25 disagree."""
    registered = kb.registry()
    problems: list[Problem] = []
    text_ids = set(kb.texts.doc_ids())
    graph_ids = {
        g.removeprefix(f"{GRAPH_BASE}doc/")
        for g in kb.rdf.graph_names()
        if g.startswith(f"{GRAPH_BASE}doc/")
    }
    expected_ids: set[str] = set()
    stored = kb.vectors.ids_by_document()
    for doc_id in sorted(text_ids | set(registered) | graph_ids):
        if doc_id not in registered:
            problems.append(Problem(doc_id, "written but never registered (interrupted ingest)"))
            continue
        if doc_id not in text_ids:
            problems.append(Problem(doc_id, "registered but its text is missing"))
            continue
        if kb.texts.meta(doc_id).get("sha256") != registered[doc_id]:
            problems.append(Problem(doc_id, "text and graph hold different versions"))
            continue
        ids = {p.passage_id for p in kb.texts.passages(doc_id)}
        expected_ids |= ids
        if stored.get(doc_id, set()) != ids:
            problems.append(Problem(doc_id, "vector index does not match its passages"))
    stray = (
        set().union(*stored.values())
        - expected_ids
        - {pid for p in problems for pid in stored.get(p.doc_id, set())}
    )
    if stray:
        problems.append(Problem("*", f"{len(stray)} vectors belong to no document"))
    if not getattr(kb.rdf, "union_default", lambda: True)():
        problems.append(
            Problem("*", "the SPARQL server's default graph is not the union of its graphs")
        )
    if set(kb.lexical.ids) != expected_ids and not problems:
        problems.append(Problem("*", "BM25 index is out of date"))
    return problems


def repair(kb: KnowledgeBase) -> list[str]:
    """Remove every inconsistent document (a re-ingest restores it) and rebuild BM25."""
    problems = find_problems(kb)
    broken = sorted({p.doc_id for p in problems if p.doc_id != "*"})
    for doc_id in broken:
        remove_document(kb, doc_id)
    if problems:
        kb.vectors.delete_ids(
            kb.vectors.ids_for() - {p.passage_id for p in kb.texts.all_passages()}
        )
        kb.lexical.rebuild(kb.texts.all_passages())
        kb.bump_generation()
    return [str(p) for p in problems]


def check(settings: Settings, fix: bool = False) -> list[str]:
    """`kg check [--repair]`: list problems, and with ``fix`` repair them."""
    if fix:
        with write_lock(settings.lock_path):
            return repair(KnowledgeBase(settings, read_only=False))
    return [str(p) for p in find_problems(KnowledgeBase(settings, read_only=True))]
