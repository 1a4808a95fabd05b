"""The app's few reads of the knowledge base, in one place so a store rename is one edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.base import KnowledgeBase
from kg.catalog import documents
from kg.errors import NotFoundError


@dataclass(frozen=True)
class DocumentInfo:
    """A document's metadata as the viewer and the Documents tab show it."""

    doc_id: str
    title: str
    doc_type: str
    issued: str | None
    publisher: str | None
    source: str | None
    path: str
    page_starts: tuple[int, ...]
    passages: tuple[tuple[int, int, str], ...]

    def page_at(self, offset: int) -> int | None:
        """1-based page holding ``offset`` (None for documents without pages)."""
        if not self.page_starts:
            return None
        return sum(1 for start in self.page_starts if start <= offset) or 1

    def section_at(self, start: int, end: int) -> str:
        """The section heading of the passage that holds [start, end)."""
        for s, e, section in self.passages:
            if s <= start < e or (s == start and e == end):
                return section
        return ""


def document_ids(kb: KnowledgeBase) -> set[str]:
    return set(kb.texts.doc_ids())


def document_info(kb: KnowledgeBase, doc_id: str) -> DocumentInfo:
    """Metadata of one document; NotFoundError for an id that is not in the store."""
    if doc_id not in document_ids(kb):  # never turn a user's string into a path unchecked
        raise NotFoundError(f"no document {doc_id!r}")
    meta: dict[str, Any] = kb.texts.meta(doc_id)
    return DocumentInfo(
        doc_id=doc_id,
        title=str(meta.get("title") or doc_id),
        doc_type=str(meta.get("doc_type") or "document"),
        issued=meta.get("issued") or None,
        publisher=meta.get("publisher") or None,
        source=meta.get("source") or None,
        path=str(meta.get("path") or ""),
        page_starts=tuple(int(p) for p in meta.get("page_starts") or ()),
        passages=tuple(
            (int(row[0]), int(row[1]), str(row[2])) for row in meta.get("passages") or ()
        ),  # a row is [start, end, section, context…] (Passage.to_row)
    )


def document_text(kb: KnowledgeBase, doc_id: str) -> str:
    if doc_id not in document_ids(kb):
        raise NotFoundError(f"no document {doc_id!r}")
    return kb.texts.text(doc_id)


def registered_documents(kb: KnowledgeBase) -> list[dict[str, str]]:
    """The registry's rows (id, title, type, source, modified, extent) for the Documents tab."""
    return documents(kb)
