"""Plain text (.txt) and Markdown (.md, .markdown) loaders."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ingest.loaders.base import LoadResult, decode_text
from ingest.loaders.clean import (
    TERMINAL,
    ListNesting,
    is_bullet,
    is_numbered,
    join_blocks,
    nested,
    normalize_line,
)
from kg.lexicon import default_lexicon

_RULE_RE = re.compile(r"^\s*([-=_*~#])(?:\s*\1){2,}\s*$")


# --- plain text -------------------------------------------------------------------

_WRAP_MIN = 40  # narrower "wrapping" is a column of short lines, not prose
_HEADING_MAX_WORDS = 12
_FIELD_RE = re.compile(r"^[A-Z][\w .&'’-]{0,30}:\s")  # "Date: ...", "Apr 23: ..."
# "Dr Amina Yusuf - Director of …", "Cllr A Rudd (Chair) – …": one entry of a list of people
_ENTRY_RE = re.compile(
    r"^(?:[A-Z][\w.'’-]*\s+){0,5}[A-Z][\w.'’-]*(?:\s+\([^)]{1,40}\))?\s+[-–—]\s+\S"
)


def load_txt(data: bytes, name: str) -> LoadResult:
    """Blank lines separate blocks; hard-wrapped lines are joined back into paragraphs."""
    text = decode_text(data, name).replace("\r\n", "\n").replace("\r", "\n")
    raw_blocks = re.split(r"\n[ \t\u00a0]*\n", text)
    width = _wrap_width(line for block in raw_blocks for line in block.split("\n"))
    blocks: list[list[str]] = []
    for raw_block in raw_blocks:
        blocks.extend(_txt_block(raw_block.split("\n"), width))
    return LoadResult(join_blocks(blocks), None, {})


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip(" \t\u00a0"))


def _wrap_width(raw_lines: Iterable[str]) -> int | None:
    """The width the text was wrapped at, or None when it was not hard-wrapped.

    Wrapped prose has many lines just under one width and almost none above it; the
    width is the longest line of that cluster (a stray long line, such as a web address,
    does not count).
    """
    lengths = sorted(len(line.rstrip()) for line in raw_lines if len(line.strip()) >= 20)
    if len(lengths) < 3:
        return None
    typical = lengths[int((len(lengths) - 1) * 0.95)]
    width = max(length for length in lengths if length <= typical * 1.1)
    if width < _WRAP_MIN or width > 200:
        return None
    near = sum(1 for length in lengths if width * 0.8 <= length <= width)
    long_lines = sum(1 for length in lengths if length >= width / 2)
    return width if near >= max(3, long_lines * 0.4) else None


def _first_word(line: str) -> str:
    return line.split(" ", 1)[0]


def _soft_break(previous_raw: str, line: str, width: int | None, previous: str) -> bool:
    """Was the break before ``line`` made by wrapping, not by the writer?

    With a known wrap width: yes when the next word would not have fitted on the line
    before. Without one: only when the line goes on in lower case after an unfinished
    line (the writer's own break in mid-sentence).
    """
    if is_bullet(line) or is_numbered(line):
        return False
    if _ENTRY_RE.match(line) and _ENTRY_RE.match(previous):
        return False  # the next entry of a list of people, however long the one before
    if line[:1].islower() and not previous.endswith(TERMINAL):
        return True
    if _continues(previous, line):
        return True
    if width is None:
        return False
    return len(previous_raw.rstrip()) + 1 + len(_first_word(line)) > width


def _continues(previous: str, line: str) -> bool:
    """Does ``previous`` go on in ``line``: it ends with a word no sentence ends with, or
    (in an all-capitals title block, where case says nothing) ``line`` starts with one?"""
    words = default_lexicon().words("line-continuing-words")
    last = previous.rsplit(" ", 1)[-1].lower()
    if last in words and not previous.endswith(TERMINAL):
        return True
    shouted = previous.isupper() and line.isupper() and not line.endswith(":")
    return shouted and _first_word(line).lower() in words


def _is_heading(line: str) -> bool:
    """A short line without end punctuation that is not a list item: heading-shaped."""
    if is_bullet(line) or is_numbered(line) or line.endswith((*TERMINAL, ",", "-", "–")):
        return False
    return len(line.split()) <= _HEADING_MAX_WORDS and (line[:1].isupper() or line[:1].isdigit())


def _is_prose(line: str) -> bool:
    return not (_is_heading(line) or is_bullet(line) or is_numbered(line))


def _headings(lines: list[str]) -> list[bool]:
    """Which lines are headings: heading-shaped and followed by a line of prose.

    Runs of "Label: value" lines (Date:, Venue:, To:) are a form, not headings.
    """
    count = len(lines)
    flags = []
    for i, line in enumerate(lines):
        following = i + 1 < count and _is_prose(lines[i + 1])
        form = _FIELD_RE.match(line) is not None and any(
            0 <= j < count and _FIELD_RE.match(lines[j]) for j in (i - 1, i + 1)
        )
        flags.append(following and not form and _is_heading(line))
    return flags


def _logical_lines(raw_lines: list[str], width: int | None) -> list[tuple[int, str, str]]:
    """(indent, text, raw) of each line as written, wrapped lines joined back together."""
    lines: list[tuple[int, str, str]] = []
    previous_raw = ""
    for raw in raw_lines:
        if _RULE_RE.match(raw):
            continue
        line = normalize_line(raw)
        if not line:
            continue
        if lines and _soft_break(previous_raw, line, width, lines[-1][1]):
            lines[-1] = (lines[-1][0], _mend(lines[-1][1], line), lines[-1][2])
        else:
            lines.append((_indent(raw), line, raw))
        previous_raw = raw
    return lines


def _txt_block(raw_lines: list[str], width: int | None) -> list[list[str]]:
    """Split one blank-line-separated chunk into blocks: lists apart from prose.

    Wrapped lines join their paragraph or list item; list items keep their nesting
    (by indent, then marker style); a heading line before prose becomes a block.
    """
    lines = _logical_lines(raw_lines, width)
    headings = _headings([line for _, line, _ in lines])
    blocks: list[list[str]] = []
    nesting = ListNesting()
    in_list = False
    after_heading = False
    item_indent = 0
    for (indent, line, raw), heading in zip(lines, headings, strict=True):
        if is_bullet(line) or is_numbered(line):
            if not in_list:
                nesting.reset()
                if not blocks or blocks[-1][-1].endswith(TERMINAL) or after_heading:
                    blocks.append([])  # an unfinished line ("RESOLVED: That") keeps its list
            in_list, after_heading, item_indent = True, False, indent
            blocks[-1].append(nested(line, nesting.depth(indent, raw)))
            continue
        if in_list and indent > item_indent:  # a paragraph inside the last item
            blocks[-1].append(line)
            continue
        if in_list or not blocks or heading or after_heading:
            blocks.append([])
        in_list, after_heading = False, heading
        blocks[-1].append(line)
    return blocks


def _mend(previous: str, line: str) -> str:
    """Join a wrapped line; a word broken after its hyphen ("Birmingham-" "based") is
    joined without a space (plain text is wrapped by editors, which never hyphenate)."""
    if previous.endswith("-") and previous[-2:-1].isalnum():
        return previous + line
    return f"{previous} {line}"


# --- Markdown ---------------------------------------------------------------------

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE_RE = re.compile(r"^ {0,3}(```|~~~)")
_MD_BULLET_RE = re.compile(r"^\s*[-*+][ \t]+(.*)$")
_MD_NUMBER_RE = re.compile(r"^\s*(\d{1,3}[.)])[ \t]+(.*)$")
_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+")
_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK_RE = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_EMPHASIS_RE = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE_RE = re.compile(r"`+([^`]*?)`+")
_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")


def load_markdown(data: bytes, name: str) -> LoadResult:
    """Markdown to clean text: marks dropped, headings and list items kept as lines."""
    text = decode_text(data, name).replace("\r\n", "\n").replace("\r", "\n")
    meta: dict[str, str] = {}
    front = _FRONT_MATTER_RE.match(text)
    if front:
        meta = _front_matter(front.group(1))
        text = text[front.end() :]
    blocks, title = _md_blocks(text.split("\n"))
    return LoadResult(join_blocks(blocks), meta.pop("title", None) or title, meta)


def _front_matter(body: str) -> dict[str, str]:
    """Simple ``key: value`` lines of a YAML front matter (title, date, publisher...)."""
    meta: dict[str, str] = {}
    for line in body.split("\n"):
        key, sep, value = line.partition(":")
        value = value.strip().strip("\"'")
        if sep and value and key.strip().isidentifier():
            key = key.strip().lower()
            meta["issued" if key == "date" else key] = value
    return meta


def _inline(text: str) -> str:
    """Drop inline Markdown: images, links (keep text), emphasis, code marks, tags."""
    text = _IMAGE_RE.sub(r"\1", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = _CODE_RE.sub(r"\1", text)
    for _ in range(3):
        text = _EMPHASIS_RE.sub(r"\2", text)
    text = _TAG_RE.sub("", text)
    return _ESCAPE_RE.sub(r"\1", text).strip()


class _MdState:
    """Blocks being built, and the first heading (the fallback title)."""

    def __init__(self) -> None:
        self.blocks: list[list[str]] = []
        self.kind = ""
        self.title: str | None = None
        self.title_level = 7

    def start(self, kind: str, line: str) -> None:
        self.blocks.append([line])
        self.kind = kind

    def add(self, kind: str, line: str) -> None:
        """Add a line; same-kind list items and table rows share a block."""
        same = self.kind == kind or (kind == "li" and self.kind == "li-gap")
        if same and kind in ("li", "row") and self.blocks:
            self.blocks[-1].append(line)
        else:
            self.start(kind, line)

    def heading(self, level: int, text: str) -> None:
        text = _inline(text)
        if text:
            self.start("h", text)
            self.kind = "h"
            if level < self.title_level:
                self.title, self.title_level = text, level


def _md_blocks(lines: list[str]) -> tuple[list[list[str]], str | None]:
    state = _MdState()
    fence: str | None = None
    for index, raw in enumerate(lines):
        if fence is not None:
            if raw.strip().startswith(fence):
                fence = None
            else:
                state.add("code", raw)
            continue
        fence_match = _FENCE_RE.match(raw)
        if fence_match:
            fence = fence_match.group(1)
            state.start("code", "")
            continue
        _md_line(state, raw, lines[index + 1] if index + 1 < len(lines) else "")
    return state.blocks, state.title


def _md_line(state: _MdState, raw: str, following: str) -> None:
    """Classify one Markdown line and add it to the blocks."""
    line = raw.rstrip()
    stripped = line.strip()
    while stripped.startswith(">"):
        stripped = stripped[1:].strip()
    if not stripped:
        state.kind = "li-gap" if state.kind in ("li", "li-gap") else ""
        return
    atx = _ATX_RE.match(stripped)
    if atx:
        state.heading(len(atx.group(1)), atx.group(2))
        return
    if _SETEXT_RE.match(stripped) and state.kind == "p" and state.blocks:
        text = " ".join(state.blocks.pop())
        state.heading(1 if stripped.startswith("=") else 2, text)
        return
    if _RULE_RE.match(stripped) or _REF_DEF_RE.match(stripped) or _TABLE_SEP_RE.match(stripped):
        return
    bullet = _MD_BULLET_RE.match(line)
    number = _MD_NUMBER_RE.match(line)
    if bullet:
        state.add("li", "• " + _inline(bullet.group(1)))
    elif number:
        state.add("li", f"{number.group(1)} {_inline(number.group(2))}")
    elif stripped.startswith("|") or (stripped.count("|") >= 2 and _TABLE_SEP_RE.match(following)):
        cells = [_inline(cell) for cell in stripped.strip("|").split("|")]
        state.add("row", " | ".join(cell for cell in cells))
    elif state.kind in ("p", "li") and state.blocks:
        hard_break = raw.endswith("  ") or raw.endswith("\\")
        separator = "\n" if hard_break and state.kind == "p" else " "
        state.blocks[-1][-1] = state.blocks[-1][-1].rstrip("\\") + separator + _inline(stripped)
    else:
        state.start("p", _inline(stripped))
