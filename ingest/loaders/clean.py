"""The clean-text contract every loader's output meets (the segmenter relies on it).

NFC text with "\\n" newlines, no leading or trailing spaces on lines, single spaces inside
lines, at most one blank line in a row, bullets written "• ", blocks separated by one
blank line, and list items of one list on consecutive lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# Characters that only look like spaces, or carry nothing readable.
_SPACE_CHARS = "\t\v\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACE_TABLE: dict[int, str | None] = {ord(ch): " " for ch in _SPACE_CHARS}
_SPACE_TABLE.update({ord(ch): "\n" for ch in "\r\f\u0085\u2028\u2029"})
_SPACE_TABLE.update({ord(ch): None for ch in "\u00ad\u200b\u200c\u200d\u2060\ufeff"})
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


def join_blocks(blocks: Iterable[str | Sequence[str]]) -> str:
    """Join blocks (a string, or lines that stay together) with one blank line between."""
    out: list[str] = []
    for block in blocks:
        lines = [block] if isinstance(block, str) else list(block)
        text = normalize_text("\n".join(lines))
        if text:
            out.append(_BLANKS_RE.sub("\n", text.replace("\n\n", "\n")))
    return normalize_text("\n\n".join(out))


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
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-–")
    return cut + "…"
