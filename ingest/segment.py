"""Structure-aware segmentation of a document's clean text into retrieval passages.

Headings start sections, a list stays with its lead-in sentence, no passage splits a
sentence, and passages aim at 40-150 words. Every passage is an exact ``[start, end)``
span of the document text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import Document, Passage
from kg.text import BULLET_RE, sentence_spans, word_count

MIN_WORDS = 40
MAX_WORDS = 150
TARGET_WORDS = 110
_HEADING_MAX_WORDS = 14


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    kind: str  # heading | list | para


@dataclass
class Unit:
    """Blocks that must stay together (a lead-in and its list)."""

    start: int
    end: int
    words: int


def _blocks(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text)]


def _classify(text: str, start: int, end: int) -> str:
    body = text[start:end]
    lines = body.split("\n")
    if all(BULLET_RE.match(line) for line in lines):
        return "list"
    if len(lines) == 1 and _looks_like_heading(body):
        return "heading"
    return "para"


def _looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    if word_count(stripped) > _HEADING_MAX_WORDS or BULLET_RE.match(stripped):
        return False
    if stripped.endswith((".", ";", ",", ":")):
        return False
    return not re.match(r"^[A-Z][a-z]{2} \d{2}\b", stripped)  # timeline lines "Nov 22 : ..."


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
        glue = body.rstrip().endswith(":") or (glue and is_item)
    return units


def _split_unit(text: str, unit: Unit) -> list[Unit]:
    """Split an over-long unit at sentence (or list-line) boundaries."""
    if unit.words <= MAX_WORDS:
        return [unit]
    pieces: list[Unit] = []
    for s, e in sentence_spans(text, unit.start, unit.end):
        count = word_count(text[s:e])
        if pieces and pieces[-1].words + count <= TARGET_WORDS:
            pieces[-1].end = e
            pieces[-1].words += count
        else:
            pieces.append(Unit(s, e, count))
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
            passages.append(Unit(unit.start, unit.end, unit.words))
    return passages


@dataclass
class Section:
    heading: str
    start: int
    heading_end: int
    blocks: list[Block]


def _sections(text: str, blocks: list[Block]) -> list[Section]:
    """Sections in reading order; consecutive headings join into one section start."""
    sections: list[Section] = []
    for block in blocks:
        if block.kind == "heading":
            heading = text[block.start : block.end]
            if sections and not sections[-1].blocks:
                sections[-1].heading, sections[-1].heading_end = heading, block.end
                continue
            sections.append(Section(heading, block.start, block.end, []))
        elif sections:
            sections[-1].blocks.append(block)
        else:
            sections.append(Section("", block.start, block.start, [block]))
    return sections


def segment(doc: Document) -> list[Passage]:
    """Passages of ``doc`` in reading order with exact offsets into ``doc.text``."""
    text = doc.text
    spans: list[tuple[int, int, str]] = []
    for section in _sections(text, classify_blocks(text)):
        units = [
            piece for unit in _units(text, section.blocks) for piece in _split_unit(text, unit)
        ]
        packed = _pack(units)
        if not packed:
            spans.append((section.start, section.heading_end, section.heading))
            continue
        packed[0].start = section.start
        spans.extend((unit.start, unit.end, section.heading) for unit in packed)
    return [
        Passage(doc.doc_id, i, s, e, text[s:e], section)
        for i, (s, e, section) in enumerate(_merge_tiny(text, spans))
    ]


def _merge_tiny(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A lone heading or very short section joins the next passage so nothing is orphaned."""
    merged: list[tuple[int, int, str]] = []
    carry: tuple[int, int, str] | None = None
    for start, end, section in spans:
        if carry is not None:
            start, section = carry[0], carry[2] or section
            carry = None
        if word_count(text[start:end]) < 12 and (start, end, section) != spans[-1]:
            carry = (start, end, section)
            continue
        merged.append((start, end, section))
    if carry is not None:
        if merged:
            s, _, sec = merged[-1]
            merged[-1] = (s, carry[1], sec)
        else:
            merged.append(carry)
    return merged
