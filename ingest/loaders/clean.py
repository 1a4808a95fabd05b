"""The clean-text contract every loader's output meets (the segmenter relies on it).

NFC text with "\\n" newlines, no trailing spaces on lines, single spaces inside lines,
at most one blank line in a row, bullets written "• ", blocks separated by one blank
line, and list items of one list on consecutive lines. No line starts with a space,
except a list item nested in another: it starts with two spaces per level of nesting
("  • sub-item"), so a sub-list keeps its place under the item that introduces it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# Characters that only look like spaces, or carry nothing readable.
_SPACE_CHARS = "\t\v\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACE_TABLE: dict[int, str | None] = {ord(ch): " " for ch in _SPACE_CHARS}
_SPACE_TABLE.update({ord(ch): "\n" for ch in "\r\f\u0085\u2028\u2029"})
_SPACE_TABLE.update({ord(ch): None for ch in "\u00ad\u200b\u200c\u200d\u2060\ufeff\ue001"})
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES_RE = re.compile(r" {2,}")
_BLANKS_RE = re.compile(r"\n{3,}")

# Bullet glyphs seen in Word, PDF (Symbol/Wingdings private-use code points) and plain text.
BULLET_CHARS = "•·▪▫◦‣●○■□►▸➢➤✓✔\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0a8"
_BULLET_RE = re.compile(rf"^(?:[{BULLET_CHARS}]+\s*|[-*+–](?:\s+|$))")
NUMBERED_RE = re.compile(
    r"^(?:\(?[ivxlc]{1,6}\)|[ivxlc]{1,6}\.|\(?\d{1,3}[.)]|\d{1,3}(?:\.\d{1,3})+\.?|\(?[a-z]\))\s",
    re.IGNORECASE,
)
TERMINAL = (".", "!", "?", ":", ";", "…", ".”", ".’", '."', "?”", "!”")


def normalize_line(line: str) -> str:
    """One line under the contract: single spaces, no edge spaces, bullets as "• "."""
    line = _SPACES_RE.sub(" ", line).strip()
    match = _BULLET_RE.match(line)
    if match:
        line = ("• " + line[match.end() :]).strip()
    return line


def normalize_text(text: str) -> str:
    """Bring any extracted text under the clean-text contract; idempotent.

    It fixes spacing, newlines and bullet glyphs only; block structure (which lines
    form a paragraph, where the blank lines go) is the loader's job.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = _CONTROL_RE.sub("", text.translate(_SPACE_TABLE))
    lines = [normalize_line(line) for line in text.split("\n")]
    text = _BLANKS_RE.sub("\n\n", "\n".join(lines)).strip()
    # NFC can change after a removed character joins a base letter and a combining mark.
    return unicodedata.normalize("NFC", text)


def is_bullet(line: str) -> bool:
    return line.startswith("• ") or line == "•"


def is_numbered(line: str) -> bool:
    return bool(NUMBERED_RE.match(line))


NEST = "\ue001"  # a loader's mark for one level of list nesting; join_blocks renders it
MAX_DEPTH = 8
_NEST_RE = re.compile(f"^{NEST}+")


def nested(line: str, depth: int) -> str:
    """A list item line marked ``depth`` levels deep (0: a top-level item)."""
    return NEST * min(max(depth, 0), MAX_DEPTH) + line


def _render(line: str) -> str:
    """One line under the contract, nesting marks turned into indentation."""
    mark = _NEST_RE.match(line)
    depth = len(mark.group(0)) if mark else 0
    text = normalize_text(line[depth:])
    if depth and "\n" not in text and (is_bullet(text) or is_numbered(text)):
        return "  " * depth + text
    return text


def join_blocks(blocks: Iterable[str | Sequence[str]]) -> str:
    """Join blocks (a string, or lines that stay together) with one blank line between."""
    out: list[str] = []
    for block in blocks:
        lines = [block] if isinstance(block, str) else list(block)
        rendered = [_render(line) for line in lines]
        text = "\n".join(line for line in rendered if line)
        if text:
            out.append(_BLANKS_RE.sub("\n", text.replace("\n\n", "\n")))
    return "\n\n".join(out)


class ListNesting:
    """The depth of each list item, from its indentation and its marker's style.

    A deeper indent opens a level; meeting an open level's indent and style again closes
    the levels below it. With ``styles_nest`` (PDF text, which keeps "•" then "o" or "–"
    but loses the indent) a new marker style at the same indent opens a level too;
    otherwise it continues the level at that indent.
    """

    def __init__(self, styles_nest: bool = False) -> None:
        self.styles_nest = styles_nest
        self._open: list[tuple[int, str, str]] = []  # (indent, style, last label)

    def reset(self) -> None:
        self._open.clear()

    def depth(self, indent: int, line: str) -> int:
        """Depth of the item ``line`` (its marker still on it) indented by ``indent``."""
        style, label = marker_style(line, [(s, last) for _, s, last in self._open])
        for level, (open_indent, open_style, _) in enumerate(self._open):
            if open_indent == indent and open_style == style:
                del self._open[level:]
                break
        else:
            while self._open and self._open[-1][0] > indent:
                self._open.pop()
            if self._open and self._open[-1][0] == indent and not self.styles_nest:
                self._open.pop()
        if len(self._open) >= MAX_DEPTH:
            return MAX_DEPTH
        self._open.append((indent, style, label))
        return len(self._open) - 1


_ROMAN_LETTERS = frozenset("ivxlc")


def marker_style(line: str, open_levels: Sequence[tuple[str, str]] = ()) -> tuple[str, str]:
    """(style, label) of a list marker: the bullet glyph, or the number's shape ("(a)").

    A lone "i" is a roman numeral unless it follows "h" in an open lettered list of that
    shape; a lone "v" or "x" is a letter unless a roman list of that shape is open; a lone
    "l" or "c" is a letter.
    """
    stripped = line.lstrip()
    if _BULLET_RE.match(stripped):
        return stripped[:1], ""
    number = NUMBERED_RE.match(stripped)
    if not number:
        return "", ""
    label = number.group(0).strip()
    core = label.strip("().")
    if core.isdigit():
        shape = "1"
    elif core.replace(".", "").isdigit():
        shape = "1" + ".1" * core.count(".")
    elif set(core.lower()) <= _ROMAN_LETTERS:
        shape = "i"
    else:
        shape = "a"
    if core.isupper():
        shape = shape.upper()
    style = label.replace(core, shape)
    if shape.lower() == "i" and len(core) == 1:
        letter = label.replace(core, "A" if core.isupper() else "a")
        if core.lower() == "i":  # roman, unless it follows "(h)"
            is_letter = (letter, chr(ord(core) - 1)) in open_levels
        elif core.lower() in "vx":  # a letter, unless a roman list of that shape is open
            is_letter = style not in {open_style for open_style, _ in open_levels}
        else:  # "l" and "c": letters (nobody numbers a list item 50 or 100 in roman)
            is_letter = True
        if is_letter:
            return letter, core
    return style, core


def group_blocks(items: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Group (kind, line) items into blocks: consecutive "li"/"row" items share a block.

    Every other kind ("p", "h", ...) is a block of its own, so headings stand alone.
    """
    blocks: list[list[str]] = []
    previous = ""
    for kind, line in items:
        if not line.strip():
            continue
        if kind in ("li", "row") and kind == previous and blocks:
            blocks[-1].append(line)
        else:
            blocks.append([line])
        previous = kind
    return blocks


def shorten(text: str, limit: int = 120) -> str:
    """A title-sized version of ``text``: cut at a word boundary, with an ellipsis."""
    text = " ".join(text[: limit * 4].split()) + (" …" if len(text) > limit * 4 else "")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-–")
    return cut + "…"
