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
    """Maps a character span to the passage that holds it (smallest containing passage).

    Bisection over the passages sorted by start, looking at a bounded neighbourhood:
    O(log n) per span, so provenance for a whole document stays near linear.
    """

    _NEIGHBOURS = 16  # passages nest at most a few deep; look no further back than this

    def __init__(self, doc: Document, passages: list[Passage]) -> None:
        if not passages:
            raise ExtractionError(f"{doc.doc_id}: no passages to derive facts from")
        self._doc_id = doc.doc_id
        self._spans = sorted({(p.start, p.end) for p in passages})
        self._starts = [s for s, _ in self._spans]

    def find(self, start: int, end: int) -> URIRef:
        """The passage IRI of ``[start, end)``: containing, else most overlapping, else nearest."""
        s, e = self.span(start, end)
        return URIRef(passage_iri(self._doc_id, s, e))

    def span(self, start: int, end: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._starts, start)
        window = self._spans[max(0, i - self._NEIGHBOURS) : i]
        containing = [(pe - ps, ps, pe) for ps, pe in window if pe >= end]
        if containing:
            _, ps, pe = min(containing)
            return ps, pe
        j = bisect.bisect_left(self._starts, end)
        near = self._spans[max(0, i - self._NEIGHBOURS) : min(len(self._spans), j + 1)]
        overlap = [(min(pe, end) - max(ps, start), -ps, ps, pe) for ps, pe in near]
        best = max(overlap)
        if best[0] <= 0:
            best = min(overlap, key=lambda o: (abs(o[2] - start), o[2]))
        return best[2], best[3]


def cased(text: str) -> str:
    """``text`` with lines in capitals written in title case, offsets unchanged.

    "HARROWDALE HEALTH AND WELLBEING BOARD" reads as "Harrowdale Health and Wellbeing
    Board", so names in capitalised headings are found like any other; acronyms (short
    all-capital words on a mixed line) are left alone.
    """
    out = []
    for line in text.split("\n"):
        letters = [c for c in line if c.isalpha()]
        if len(letters) >= 8 and not any(c.islower() for c in letters):
            line = _CAPS_WORD_RE.sub(_title_word, line)
        out.append(line)
    return "\n".join(out)


_CAPS_WORD_RE = re.compile(r"[A-Z][A-Z’']+")
_SMALL_WORDS = {"AND", "OF", "THE", "FOR", "IN", "ON", "AT", "TO", "BY", "WITH", "A", "AN"}


def _title_word(m: re.Match[str]) -> str:
    word = m.group(0)
    if word in _SMALL_WORDS and m.start() > 0:
        return word.lower()
    if len(word) <= 4 and word not in _SMALL_WORDS and not _looks_like_word(word):
        return word  # an acronym: NHS, ICB, GP
    return word[0] + word[1:].lower()


def _looks_like_word(word: str) -> bool:
    return any(v in word for v in "AEIOU") and len(word) >= 4


__all__ = [
    "ExtractionError",
    "Line",
    "PassageIndex",
    "Sentence",
    "cased",
    "read_lines",
    "read_sentences",
]
