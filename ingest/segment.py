"""Structure-aware segmentation of a document's clean text into retrieval passages.

Headings start sections, a list stays with its lead-in sentence (and a sub-list with
its parent item), no passage splits a sentence, and passages aim at 40-150 words. Every
passage is an exact ``[start, end)`` span of the document text; its retrieval context
(document title, section heading, the lead-in of a list it continues) is kept apart
from that text, in ``Passage.context``.

Everything here is one pass over the text (or over its lines), so time and memory grow
linearly with the document, however long its paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from kg.lexicon import default_lexicon
from kg.model import Document, Passage
from kg.text import BULLET_RE, LIST_ITEM_RE, line_spans, sentence_spans, word_count

MIN_WORDS = 40
MAX_WORDS = 150
TARGET_WORDS = 110
_HEADING_MAX_WORDS = 14
_HEADING_MAX_CHARS = 200
_CONTEXT_MAX_CHARS = 200  # one lead-in line of a passage's retrieval context
_TIMELINE_RE = re.compile(r"^[A-Z][a-z]{2} \d{2}\b")  # timeline lines "Nov 22 : ..."
_SECTION_NUMBER_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.? (?=[A-Z])")  # "2. ", "2.1 "


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    kind: str  # heading | list | para


@dataclass
class Unit:
    """Text that must stay together (a lead-in and its list), with the lines above it
    that a reader needs to understand its first line (its list's lead-in and parents)."""

    start: int
    end: int
    words: int
    context: tuple[str, ...] = ()


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Runs of non-blank lines, trimmed: one scan of the text's lines."""
    start = -1
    end = 0
    pos = 0
    size = len(text)
    while pos <= size:
        newline = text.find("\n", pos)
        stop = size if newline == -1 else newline
        first = _first_non_space(text, pos, stop)
        if first == -1:
            if start != -1:
                yield start, end
                start = -1
        else:
            if start == -1:
                start = first
            end = _last_non_space(text, first, stop)
        pos = stop + 1
    if start != -1:
        yield start, end


def _first_non_space(text: str, start: int, stop: int) -> int:
    for i in range(start, stop):
        if not text[i].isspace():
            return i
    return -1


def _last_non_space(text: str, start: int, stop: int) -> int:
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    return stop


def _classify(text: str, start: int, end: int) -> str:
    lines = list(line_spans(text, start, end))
    if len(lines) == 1 and _numbered_heading(text[start:end]):
        return "heading"  # "2. Access recovery plan" alone in its block heads a section
    if all(LIST_ITEM_RE.match(text, s, e) for s, e in lines):
        return "list"
    if len(lines) == 1 and _looks_like_heading(text[start:end]):
        return "heading"
    return "para"


def _numbered_heading(line: str) -> bool:
    marker = _SECTION_NUMBER_RE.match(line)
    return marker is not None and _looks_like_heading(line[marker.end() :])


def _looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    if len(stripped) > _HEADING_MAX_CHARS or word_count(stripped) > _HEADING_MAX_WORDS:
        return False
    if BULLET_RE.match(stripped) or stripped.endswith((".", ";", ",", ":")):
        return False
    return not _TIMELINE_RE.match(stripped) and not _is_date_line(stripped)


@cache
def _month_words() -> frozenset[str]:
    return default_lexicon().words("months")


def _is_date_line(line: str) -> bool:
    """A line that is only a date ("15 October 2024", "Wednesday 3 July 2024") dates a
    letter or a page; it heads nothing."""
    tokens = re.findall(r"[A-Za-z]+|\d+", line)
    months = _month_words()
    if not any(token.lower() in months for token in tokens):
        return False
    rest = [t for t in tokens if not t.isdigit() and t.lower() not in months]
    return len([t for t in rest if t.lower() not in ("st", "nd", "rd", "th")]) <= 1


def classify_blocks(text: str) -> list[Block]:
    return [Block(s, e, _classify(text, s, e)) for s, e in _blocks(text)]


def _units(text: str, blocks: list[Block]) -> list[Unit]:
    """Merge a lead-in ending with ':' with the list or numbered blocks after it."""
    units: list[Unit] = []
    glue = False
    for block in blocks:
        body = text[block.start : block.end]
        is_item = block.kind == "list" or BULLET_RE.match(body) is not None
        if units and glue and is_item:
            units[-1].end = block.end
            units[-1].words += word_count(body)
            continue
        units.append(Unit(block.start, block.end, word_count(body)))
        glue = body.endswith(":") or (glue and is_item)
    return units


def _depth(text: str, start: int) -> int:
    """Nesting depth of a list line (two spaces per level); -1 for a line of prose."""
    if not LIST_ITEM_RE.match(text, start):
        return -1
    indent = 0
    while text[start + indent] == " ":
        indent += 1
    return indent // 2


_TABLE_DEPTH = -2  # a table's header row, above its other rows


class _Outline:
    """The open lead-in, table header and parent items above the current line."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str]] = []  # (depth, line); a lead-in has depth -1

    def above(self, text: str, start: int, end: int) -> tuple[str, ...]:
        """The lines a reader needs above this one; then this line joins the outline."""
        line = text[start:end].strip()
        depth = _depth(text, start)
        if depth == -1 and " | " in line:  # a table row: the first row is the header
            if self.stack and self.stack[-1][0] == _TABLE_DEPTH:
                return tuple(entry for _, entry in self.stack)
            self.stack = [entry for entry in self.stack if entry[0] == -1]
            context = tuple(entry for _, entry in self.stack)
            self.stack.append((_TABLE_DEPTH, line[:_CONTEXT_MAX_CHARS]))
            return context
        if depth == -1:
            self.stack.clear()
            if line.endswith(":") and len(line) <= _CONTEXT_MAX_CHARS:
                self.stack.append((-1, line))
            return ()
        while self.stack and self.stack[-1][0] >= depth:
            self.stack.pop()
        context = tuple(entry for _, entry in self.stack)
        self.stack.append((depth, line[:_CONTEXT_MAX_CHARS]))
        return context


def _pieces(text: str, unit: Unit) -> Iterator[Unit]:
    """Sentences (or list lines) of a unit, each with its outline context.

    A sub-item (a list line deeper than the one before) stays with its parent item while
    they fit in a passage, so a sub-list is not cut from the item that introduces it.
    """
    outline = _Outline()
    group: Unit | None = None
    line_end = -1
    context: tuple[str, ...] = ()
    sub_item = False
    for s, e in sentence_spans(text, unit.start, unit.end):
        count = word_count(text[s:e])
        if s > line_end:  # the first sentence of a new line
            newline = text.rfind("\n", unit.start, s)
            line_start = unit.start if newline == -1 else newline + 1
            line_end = text.find("\n", s, unit.end)
            line_end = unit.end if line_end == -1 else line_end
            context = outline.above(text, line_start, line_end)
            sub_item = _depth(text, line_start) > 0
        if group is not None and sub_item and group.words + count <= MAX_WORDS:
            group.end, group.words = e, group.words + count
            continue
        if group is not None:
            yield group
        group = Unit(s, e, count, context)
    if group is not None:
        yield group


def _split_unit(text: str, unit: Unit) -> list[Unit]:
    """Split an over-long unit at sentence (or list-line) boundaries."""
    if unit.words <= MAX_WORDS:
        return [unit]
    pieces: list[Unit] = []
    for piece in _pieces(text, unit):
        if pieces and pieces[-1].words + piece.words <= TARGET_WORDS:
            pieces[-1].end = piece.end
            pieces[-1].words += piece.words
        else:
            pieces.append(piece)
    return pieces


def _pack(units: list[Unit]) -> list[Unit]:
    """Greedily pack units of one section into passages of about TARGET_WORDS."""
    passages: list[Unit] = []
    for unit in units:
        last = passages[-1] if passages else None
        fits = last is not None and last.words + unit.words <= TARGET_WORDS
        if last is not None and (
            fits or (last.words < MIN_WORDS and last.words + unit.words <= MAX_WORDS)
        ):
            last.end = unit.end
            last.words += unit.words
        else:
            passages.append(Unit(unit.start, unit.end, unit.words, unit.context))
    return passages


@dataclass
class Section:
    heading: str
    start: int
    heading_end: int
    blocks: list[Block]


_JOINED_HEADINGS = 3  # more heading-shaped lines in a row are a list of short lines


def _sections(text: str, blocks: list[Block]) -> list[Section]:
    """Sections in reading order; a few consecutive headings join into one section start.

    A long run of heading-shaped blocks (names one per paragraph, a column of short
    lines) heads nothing: after the first few, they are the section's content.
    """
    sections: list[Section] = []
    joined = 0
    for block in blocks:
        if block.kind == "heading" and not (sections and joined >= _JOINED_HEADINGS):
            heading = text[block.start : block.end]
            if sections and not sections[-1].blocks:
                sections[-1].heading, sections[-1].heading_end = heading, block.end
                joined += 1
                continue
            sections.append(Section(heading, block.start, block.end, []))
            joined = 1
        elif block.kind == "heading":
            sections[-1].blocks.append(Block(block.start, block.end, "para"))
        elif sections:
            sections[-1].blocks.append(block)
            joined = 0
        else:
            sections.append(Section("", block.start, block.start, [block]))
    return sections


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    section: str
    context: tuple[str, ...] = ()


def segment(doc: Document) -> list[Passage]:
    """Passages of ``doc`` in reading order with exact offsets into ``doc.text``."""
    text = doc.text
    spans: list[_Span] = []
    for section in _sections(text, classify_blocks(text)):
        units = [
            piece for unit in _units(text, section.blocks) for piece in _split_unit(text, unit)
        ]
        packed = _pack(units)
        if not packed:
            spans.append(_Span(section.start, section.heading_end, section.heading))
            continue
        packed[0].start = section.start
        spans.extend(_Span(u.start, u.end, section.heading, u.context) for u in packed)
    return [
        Passage(doc.doc_id, i, s.start, s.end, text[s.start : s.end], s.section, context)
        for i, s in enumerate(_merge_tiny(text, spans))
        for context in (_context(doc.title, s, text[s.start : s.end]),)
    ]


def _context(title: str, span: _Span, body: str) -> str:
    """Retrieval-only lines: the title, the section heading, the list lead-in and parents,
    each unless the passage's own text already starts with it."""
    lines: list[str] = []
    for line in (title, span.section, *span.context):
        line = line.strip()
        if line and line not in lines and not body.startswith(line):
            lines.append(line)
    return "\n".join(lines)


def _merge_tiny(text: str, spans: list[_Span]) -> list[_Span]:
    """A lone heading or very short section joins the next passage so nothing is orphaned."""
    merged: list[_Span] = []
    carry: _Span | None = None
    for index, span in enumerate(spans):
        if carry is not None:
            span = _Span(
                carry.start, span.end, carry.section or span.section, carry.context or span.context
            )
            carry = None
        if word_count(text[span.start : span.end]) < 12 and index < len(spans) - 1:
            carry = span
            continue
        merged.append(span)
    if carry is not None:
        if merged:
            last = merged[-1]
            merged[-1] = _Span(last.start, carry.end, last.section, last.context)
        else:
            merged.append(carry)
    return merged
