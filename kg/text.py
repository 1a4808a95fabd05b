"""Text primitives shared by ingestion and answering: sentences and words with offsets.

Every function here is linear in its input: the sentence splitter looks back a bounded
number of characters at each full stop, never at the text before it as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from kg.lexicon import default_lexicon

# A list item: a bullet or a number, possibly indented by its nesting depth (two spaces a
# level). BULLET_RE tests a line; LIST_ITEM_RE.match(text, pos) tests the line at ``pos``.
_LIST_ITEM = r" *(?:•|\(?[ivxlc]+\)|\(?\d{1,2}[.)]|\(?[a-z]\))\s+"
BULLET_RE = re.compile("^" + _LIST_ITEM, re.IGNORECASE)
LIST_ITEM_RE = re.compile(_LIST_ITEM, re.IGNORECASE)
WORD_RE = re.compile(r"[A-Za-z0-9£%][A-Za-z0-9£%'’&.-]*")
# A run of terminators (and closing quotes), then the first character of what follows.
_TERMINATOR_RE = re.compile(r"[.!?]+[\"'’”)\]]*(?=[ \t]+(\S))")
_TOKEN_RE = re.compile(r"[A-Za-z.]+$")
_STARTS_SENTENCE = frozenset("‘“\"'(•0123456789")
# Run-on text with no full stop (a contents page, a list flattened by a converter) is cut
# into pieces of at most this many words, at a clause boundary where there is one.
MAX_SENTENCE_WORDS = 80
_CLAUSE_END = frozenset(";:,–—")


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def word_count(text: str) -> int:
    return sum(1 for _ in WORD_RE.finditer(text))


@cache
def abbreviations() -> frozenset[str]:
    """Tokens whose full stop ends no sentence, from the lexicon's ``abbreviations`` scheme.

    A concept's alternative and hidden labels are the tokens; its preferred label only
    names the group (unless it is the sole form).
    """
    entries = default_lexicon().entries("abbreviations")
    return frozenset(
        form.lower().rstrip(".")
        for entry in entries
        for form in entry.forms
        if form != entry.label or len(entry.forms) == 1
    )


@cache
def _look_back() -> int:
    """How far before a full stop the abbreviation token can start."""
    return max((len(token) for token in abbreviations()), default=1) + 2


def _is_abbreviation(text: str, dot: int, line_start: int = 0) -> bool:
    """True when the period at ``dot`` ends an abbreviation or an initial, not a sentence."""
    window_start = max(line_start, dot - _look_back())
    match = _TOKEN_RE.search(text, window_start, dot)
    if not match:
        return False
    if match.start() == window_start > line_start and _TOKEN_RE.match(text, window_start - 1, dot):
        return False  # the token runs on before the window: longer than any abbreviation
    token = match.group(0).lower().rstrip(".")
    return token in abbreviations() or (len(token) == 1 and token.isalpha())


def line_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The ``[start, end)`` of each line of ``text[start:end]``, without its newline."""
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
        following = match.group(1)
        if not (following.isupper() or following in _STARTS_SENTENCE):
            continue
        if text[match.start()] == "." and _is_abbreviation(text, match.start(), start):
            continue
        stop = match.end()
        yield begin, stop
        begin = stop
    yield begin, end


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as trimmed ``(start, end)`` offsets into ``text``.

    Lines are hard boundaries: list items, headings and timeline entries stand alone.
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line_start, line_end in line_spans(text, start, stop):
        for sentence in _split_line(text, line_start, line_end):
            for s, e in _run_on_pieces(text, *sentence):
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if s < e and _has_alnum(text, s, e):
                    spans.append((s, e))
    return spans


def _run_on_pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A sentence as is, or a run-on one cut every MAX_SENTENCE_WORDS words.

    The cut goes after the last clause mark (; : , dash) in the second half of the piece,
    else before the word that goes over the limit. One pass over the words.
    """
    begin, count, clause = start, 0, -1
    for match in WORD_RE.finditer(text, start, end):
        if count >= MAX_SENTENCE_WORDS:
            cut = clause if clause > begin else match.start()
            yield begin, cut
            begin, count, clause = cut, word_count(text[cut : match.start()]), -1
        count += 1
        after = match.end()
        if count >= MAX_SENTENCE_WORDS // 2 and after < end and text[after] in _CLAUSE_END:
            clause = after + 1
        elif (
            count >= MAX_SENTENCE_WORDS // 2
            and after + 1 < end
            and text[after] == " "
            and text[after + 1] in _CLAUSE_END
        ):
            clause = after + 2
    yield begin, end


def _has_alnum(text: str, start: int, end: int) -> bool:
    return any(text[i].isalnum() for i in range(start, end))


@cache
def _months() -> tuple[str, ...]:
    """Lower-case month names in calendar order, from the lexicon's ``months`` scheme."""
    entries = sorted(default_lexicon().entries("months"), key=lambda e: int(e.notation or 0))
    return tuple(entry.label.lower() for entry in entries)


def __getattr__(name: str) -> tuple[str, ...]:
    """``MONTHS`` (month names, January first) is read from the lexicon on first use."""
    if name == "MONTHS":
        return _months()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
