"""Plain text (.txt) and Markdown (.md, .markdown) loaders."""

from __future__ import annotations

import re

from ingest.loaders.base import LoadResult, decode_text
from ingest.loaders.clean import (
    TERMINAL,
    is_bullet,
    is_numbered,
    join_blocks,
    normalize_line,
)

_RULE_RE = re.compile(r"^\s*([-=_*~#])(?:\s*\1){2,}\s*$")


# --- plain text -------------------------------------------------------------------


def load_txt(data: bytes, name: str) -> LoadResult:
    """Blank lines separate blocks; hard-wrapped paragraphs are joined into one line."""
    text = decode_text(data, name).replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[str]] = []
    for raw_block in re.split(r"\n[ \t\u00a0]*\n", text):
        blocks.extend(_txt_block(raw_block.split("\n")))
    return LoadResult(join_blocks(blocks), None, {})


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip(" \t\u00a0"))


def _txt_block(raw_lines: list[str]) -> list[list[str]]:
    """Split one blank-line-separated chunk into blocks: lists apart from prose."""
    lines = [(_indent(raw), normalize_line(raw)) for raw in raw_lines if not _RULE_RE.match(raw)]
    lines = [(indent, line) for indent, line in lines if line]
    if _is_hard_wrapped([line for _, line in lines]):
        return [[" ".join(line for _, line in lines)]]
    blocks: list[list[str]] = []
    in_list = False
    for indent, line in lines:
        if blocks and _continues(blocks[-1][-1], line):
            blocks[-1][-1] += " " + line
            continue
        if is_bullet(line):
            if not in_list:
                blocks.append([])
            in_list = True
        elif in_list and indent == 0:
            blocks.append([])
            in_list = False
        elif not blocks:
            blocks.append([])
        blocks[-1].append(line)
    return blocks


def _continues(previous: str, line: str) -> bool:
    """A line that starts in lower case after an unfinished line is the same sentence."""
    return (
        line[:1].islower()
        and not is_bullet(line)
        and not is_numbered(line)
        and not previous.endswith(TERMINAL)
    )


def _is_hard_wrapped(lines: list[str]) -> bool:
    """Prose wrapped at a fixed width: every line but the last is about the same length."""
    body = lines[:-1]
    if not body or any(is_bullet(line) or is_numbered(line) for line in lines):
        return False
    lengths = [len(line) for line in body]
    return min(lengths) >= 40 and max(lengths) <= 100 and max(lengths) - min(lengths) <= 20


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
