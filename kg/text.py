"""Text primitives shared by ingestion and answering: sentences and words with offsets."""

from __future__ import annotations

import re
from collections.abc import Iterator

ABBREVIATIONS = frozenset(
    "dr mr mrs ms prof st cllr rev sir no nos vs approx e.g i.e etc cf fig para ref jan feb mar "
    "apr jun jul aug sep sept oct nov dec inc ltd co corp dept est".split()
)
MONTHS = tuple(
    "january february march april may june july august september october november december".split()
)
BULLET_RE = re.compile(r"^(?:•|\(?[ivxlc]+\)|\(?\d{1,2}[.)]|\(?[a-z]\))\s+", re.IGNORECASE)
WORD_RE = re.compile(r"[A-Za-z0-9£%][A-Za-z0-9£%'’&.-]*")
_TERMINATOR_RE = re.compile(r"[.!?]+[\"'’”)\]]*(?=\s+)")


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def word_count(text: str) -> int:
    return len(WORD_RE.findall(text))


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` ends an abbreviation or an initial, not a sentence."""
    match = re.search(r"([A-Za-z.]+)$", text[:dot])
    if not match:
        return False
    token = match.group(1).lower().rstrip(".")
    return token in ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _line_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        stop = end if newline == -1 else newline
        yield pos, stop
        pos = stop + 1


def _split_line(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans of one line: split after . ! ? unless an abbreviation ends there."""
    begin = start
    for match in _TERMINATOR_RE.finditer(text, start, end):
        stop = match.end()
        following = text[stop:end].lstrip()
        if not following or not (following[0].isupper() or following[0] in "‘“\"'(•0123456789"):
            continue
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        yield begin, stop
        begin = stop
    yield begin, end


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as trimmed ``(start, end)`` offsets into ``text``.

    Lines are hard boundaries: list items, headings and timeline entries stand alone.
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line_start, line_end in _line_spans(text, start, stop):
        for s, e in _split_line(text, line_start, line_end):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e and any(ch.isalnum() for ch in text[s:e]):
                spans.append((s, e))
    return spans
