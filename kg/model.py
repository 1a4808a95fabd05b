"""The records that flow between ingestion, the stores and the assistant."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One source document as clean text; every offset in govkg indexes into ``text``."""

    doc_id: str
    path: str
    text: str
    sha256: str
    title: str
    doc_type: str = "document"
    publisher: str | None = None
    issued: str | None = None
    source: str | None = None
    page_starts: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """1-based page number holding ``offset``, for documents that have pages."""
        if not self.page_starts:
            return None
        page = 0
        for number, start in enumerate(self.page_starts):
            if start <= offset:
                page = number
            else:
                break
        return page + 1


@dataclass(frozen=True)
class Passage:
    """A retrievable span ``[start, end)`` of a document's text."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    section: str = ""
    context: str = ""  # retrieval-only lines: title, section, list lead-in (never cited)

    @property
    def passage_id(self) -> str:
        return f"{self.doc_id}:{self.start}-{self.end}"

    @property
    def embedding_text(self) -> str:
        """What retrieval (embeddings and BM25) reads: the context lines, then the text.

        A passage of minutes that says only "the Board" is found by the board's name
        because the document title and the section heading come first. Passages stored
        before contexts were recorded fall back to the section heading.
        """
        if self.context:
            return f"{self.context}\n{self.text}"
        if self.section and not self.text.startswith(self.section):
            return f"{self.section}\n{self.text}"
        return self.text

    def to_row(self) -> list[int | str]:
        """The passage as stored beside its document's text (the text is cut from that)."""
        return [self.start, self.end, self.section, self.context]

    @classmethod
    def from_row(cls, doc_id: str, index: int, text: str, row: list[int | str]) -> Passage:
        """A stored passage; rows written before contexts existed have three fields."""
        start, end, section, *rest = row
        s, e = int(start), int(end)
        return cls(doc_id, index, s, e, text[s:e], str(section), str(rest[0]) if rest else "")


@dataclass(frozen=True)
class DocumentRecord:
    """What the registry knows about an ingested document."""

    doc_id: str
    path: str
    sha256: str
    title: str
    doc_type: str
    ingested: str
    passages: int = 0
    triples: int = 0
    extra: dict[str, str] = field(default_factory=dict)
