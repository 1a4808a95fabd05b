"""The document as the extractor reads it: lines with their kind and section, sentences,
and the passage every span falls in (the provenance of a fact)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rdflib import URIRef

from ingest.loaders.clean import NUMBERED_RE
from ingest.segment import classify_blocks
from kg.errors import KGError
from kg.model import Document, Passage
from kg.namespaces import passage_iri
from kg.text import sentence_spans

_BULLET_RE = re.compile(r"^(?:•|[-*+])\s+")
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")


class ExtractionError(KGError):
    """The document cannot be read by the extractor (no passages, offsets out of range)."""


@dataclass(frozen=True)
class Line:
    """One non-empty line: ``body`` is the text without its bullet or Markdown marker."""

    index: int
    start: int
    end: int
    text: str
    kind: str  # heading | bullet | numbered | para
    section: str
    body_start: int
    number: str | None = None

    @property
    def body(self) -> str:
        return self.text[self.body_start - self.start :]


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    line: Line


def _line_kind(text: str, heading_starts: set[int], start: int) -> tuple[str, int, str | None]:
    """(kind, length of the marker before the body, item number)."""
    if m := _MD_HEADING_RE.match(text):
        return "heading", m.end(), None
    if m := _BULLET_RE.match(text):
        return "bullet", m.end(), None
    if m := NUMBERED_RE.match(text):
        number = m.group(0).strip().strip("().")
        return "numbered", m.end(), number
    return ("heading" if start in heading_starts else "para"), 0, None


def read_lines(text: str) -> list[Line]:
    """Every non-empty line with its kind and the heading of the section it sits in."""
    heading_starts = {b.start for b in classify_blocks(text) if b.kind == "heading"}
    lines: list[Line] = []
    section = ""
    for m in re.finditer(r"[^\n]+", text):
        raw = m.group(0)
        if not raw.strip():
            continue
        kind, marker, number = _line_kind(raw, heading_starts, m.start())
        if kind == "heading":
            section = raw[marker:].strip()
        lines.append(
            Line(len(lines), m.start(), m.end(), raw, kind, section, m.start() + marker, number)
        )
    return lines


def read_sentences(text: str, lines: list[Line]) -> list[Sentence]:
    sentences: list[Sentence] = []
    for line in lines:
        for s, e in sentence_spans(text, line.body_start, line.end):
            sentences.append(Sentence(s, e, text[s:e], line))
    return sentences


class PassageIndex:
    """Maps a character span to the passage that holds it (smallest containing passage)."""

    def __init__(self, doc: Document, passages: list[Passage]) -> None:
        if not passages:
            raise ExtractionError(f"{doc.doc_id}: no passages to derive facts from")
        self._doc_id = doc.doc_id
        self._spans = sorted((p.start, p.end) for p in passages)
        self._starts = [s for s, _ in self._spans]

    def find(self, start: int, end: int) -> URIRef:
        """The passage IRI of ``[start, end)``: containing, else most overlapping, else nearest."""
        i = bisect.bisect_right(self._starts, start)
        containing = [(e - s, s, e) for s, e in self._spans[:i] if e >= end]
        if containing:
            _, s, e = min(containing)
            return URIRef(passage_iri(self._doc_id, s, e))
        overlap = [(min(e, end) - max(s, start), -s, s, e) for s, e in self._spans]
        best = max(overlap)
        if best[0] <= 0:
            best = min(overlap, key=lambda o: (abs(o[2] - start), o[2]))
        return URIRef(passage_iri(self._doc_id, best[2], best[3]))


__all__ = ["ExtractionError", "Line", "PassageIndex", "Sentence", "read_lines", "read_sentences"]
