"""PDF loader: the text layer page by page (pypdf), paragraphs re-flowed, pages kept."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections import Counter
from datetime import datetime

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from ingest.loaders.base import LoadResult
from ingest.loaders.clean import (
    TERMINAL,
    ListNesting,
    is_bullet,
    is_numbered,
    join_blocks,
    marker_style,
    nested,
    normalize_text,
)
from kg.errors import DocumentError

# What pypdf raises on damaged files besides its own errors.
_CORRUPT: tuple[type[BaseException], ...] = (
    PyPdfError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    NotImplementedError,  # an unsupported stream filter
    RecursionError,
    struct.error,
    zlib.error,
    AssertionError,
)
# "3", "Page 3", "Page 3 of 12", "3/12", "- 3 -", "Page | 3"
_PAGE_NUMBER_RE = re.compile(
    r"^[-–—|(\[ ]*(?:page\s*[|:]?\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–—|)\] ]*$",
    re.IGNORECASE,
)
_MIN_TEXT_CHARS = 1
# Bullets some producers write with a missing glyph (DEL) or the cp1252 bullet code.
_GLYPH_BULLET_RE = re.compile(r"^[ \t]*[\x7f\x95](?=[ \t]|$)", re.MULTILINE)
_TITLE_PREFIX_RE = re.compile(r"^microsoft (?:word|powerpoint) - ", re.IGNORECASE)
_FILE_TITLE_RE = re.compile(r"\.(?:docx?|pptx?|xlsx?|pdf|rtf|odt)$", re.IGNORECASE)


def load_pdf(data: bytes, name: str) -> LoadResult:
    """Text per page joined by blank lines; ``page_starts`` holds each page's offset.

    Running headers and footers, page numbers and tables of contents are dropped; a
    sentence that runs over a page break is joined back together.
    """
    reader = _open(data, name)
    try:
        raw_pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError as exc:
        raise DocumentError(name, "PDF is encrypted (password-protected)") from exc
    except _CORRUPT as exc:
        raise DocumentError(name, f"not a valid PDF file (cannot extract text: {exc})") from exc
    lines = _without_running_lines([_page_lines(raw) for raw in raw_pages])
    pages = [_page_text(_without_contents(page)) for page in lines]
    if sum(len(page) for page in pages) < _MIN_TEXT_CHARS:
        raise DocumentError(name, "no text layer; OCR is not supported")
    text, starts = _join_pages(pages)
    title, meta = _metadata(reader)
    return LoadResult(text, title, meta, starts)


def _open(data: bytes, name: str) -> PdfReader:
    """Open and, for owner-password-only files, decrypt with the empty user password."""
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(name, "not a valid PDF file")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise DocumentError(name, "PDF is encrypted (password-protected)")
        _ = len(reader.pages)
    except DependencyError as exc:
        raise DocumentError(
            name, "PDF is encrypted with AES; reading it needs the 'cryptography' package"
        ) from exc
    except FileNotDecryptedError as exc:
        raise DocumentError(name, "PDF is encrypted (password-protected)") from exc
    except _CORRUPT as exc:
        raise DocumentError(name, "not a valid PDF file") from exc
    return reader


def _page_lines(raw: str) -> list[tuple[str, str]]:
    """A page's lines as (clean line, list-marker style); the style tells nesting apart."""
    lines = []
    for raw_line in _GLYPH_BULLET_RE.sub("•", raw).split("\n"):
        style = marker_style(raw_line)[0] if raw_line.strip() else ""
        lines.append((normalize_text(raw_line), style))
    return lines


def _join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """Pages joined by one blank line, or by a space where a sentence runs on.

    An empty page starts where the next one does.
    """
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for page in pages:
        if page and parts:
            separator = " " if _runs_on(parts[-1], page) else "\n\n"
            parts.append(separator)
            offset += len(separator)
        starts.append(offset)
        if page:
            parts.append(page)
            offset += len(page)
    return "".join(parts), tuple(starts)


def _runs_on(before: str, page: str) -> bool:
    """Does ``page`` open in the middle of the sentence that ends the page before?"""
    last_line = before.rsplit("\n", 1)[-1]
    return (
        page[:1].islower()
        and not last_line.endswith(TERMINAL)
        and not (is_bullet(page) or is_numbered(page))
    )


def _line_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


_EDGE_LINES = 3  # lines at the top and at the bottom of a page that may be furniture


def _edges(lines: list[tuple[str, str]]) -> set[int]:
    filled = [i for i, (line, _) in enumerate(lines) if line]
    return set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])


def _without_running_lines(pages: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """Page lines without page numbers and running headers/footers.

    A line near the top or bottom of a page is a running header or footer when, digits
    aside, the same line is near the top or bottom of at least half of the pages (and of
    two or more of them).
    """
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_line_key(lines[i][0]) for i in _edges(lines)})
    threshold = max(2, (len(pages) + 1) // 2)
    running = {key for key, count in counts.items() if count >= threshold}
    cleaned: list[list[tuple[str, str]]] = []
    for lines in pages:
        edge = _edges(lines)
        cleaned.append(
            [
                (line, style)
                for i, (line, style) in enumerate(lines)
                if not (i in edge and (_PAGE_NUMBER_RE.match(line) or _line_key(line) in running))
            ]
        )
    return cleaned


# A table-of-contents entry: a title, dot leaders (or "Page"), a page number.
_LEADER_ENTRY_RE = re.compile(r"(?:\.{3,}|…+|(?: \.){3,}|_{3,})\s*\d{1,4}\b")
_PAGE_ENTRY_RE = re.compile(r"\bpage\s+\d{1,4}\b", re.IGNORECASE)
_ENTRY_END_RE = re.compile(r"(?:(?:\.{3,}|…+|(?: \.){3,}|_{3,})\s*|\bpage\s+)\d{1,4}$", re.I)


def _entries(line: str) -> int:
    return len(_LEADER_ENTRY_RE.findall(line)) + len(_PAGE_ENTRY_RE.findall(line))


def _without_contents(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A page's lines without its table of contents.

    Contents lines end with a page number after dot leaders or "Page", or run several
    entries together ("Contents Executive Summary Page 3 Background Page 3 ..."). A run
    of two or more such lines, a line holding several entries, the lines continuing
    them, and a short heading line just above ("Contents") are dropped.
    """
    marks = [_entries(line) >= 2 or bool(_ENTRY_END_RE.search(line)) for line, _ in lines]
    drop = [False] * len(lines)
    for i, (line, _) in enumerate(lines):
        alone = (
            marks[i] and not (i > 0 and marks[i - 1]) and not (i + 1 < len(marks) and marks[i + 1])
        )
        if marks[i] and (not alone or _entries(line) >= 2):
            drop[i] = True
    for i in range(1, len(lines)):  # a wrapped run-on entry line continues the one above
        if drop[i - 1] and not drop[i] and _entries(lines[i][0]) >= 1:
            drop[i] = True
    for i in range(len(lines) - 1):  # the contents heading
        line = lines[i][0]
        if drop[i + 1] and not drop[i] and line and len(line.split()) <= 4:
            drop[i] = not any(ch.isdigit() for ch in line)
    return [pair for pair, dropped in zip(lines, drop, strict=True) if not dropped]


class _Reflow:
    """A page's blocks being rebuilt line by line; list items carry their depth."""

    def __init__(self) -> None:
        self.blocks: list[list[tuple[str, int]]] = []
        self.nesting = ListNesting(styles_nest=True)

    @property
    def last(self) -> str:
        return self.blocks[-1][-1][0] if self.blocks else ""

    def replace_last(self, line: str) -> None:
        depth = self.blocks[-1][-1][1]
        self.blocks[-1][-1] = (line, depth)

    def new_line(self, line: str, style: str, previous: str) -> None:
        """List items share a block with the item before them; other lines start one."""
        listy = is_bullet(line) or line == "•" or is_numbered(line)
        if not listy:
            self.nesting.reset()
            self.blocks.append([(line, 0)])
            return
        depth = self.nesting.depth(0, style or line)
        if previous and (is_bullet(previous) or is_numbered(previous)) and self.blocks:
            self.blocks[-1].append((line, depth))
        else:
            self.blocks.append([(line, depth)])

    def text(self) -> str:
        return join_blocks([[nested(line, depth) for line, depth in b] for b in self.blocks])


def _page_text(lines: list[tuple[str, str]]) -> str:
    """Re-flow one page: join wrapped lines, mend hyphenation, keep lists and headings.

    Decisions look at the previous physical line (its length tells a wrapped line from
    the short last line of a paragraph), not at the paragraph built so far.
    """
    widths = sorted(len(line) for line, _ in lines if len(line) > 20)
    full = widths[int(len(widths) * 0.8)] * 0.75 if widths else 60.0
    page = _Reflow()
    previous = ""  # the previous physical line, "" after a blank line
    for line, style in lines:
        if not line:
            previous = ""
        elif page.blocks and page.last == "•":
            page.replace_last("• " + line)  # a bullet glyph on a line of its own
            previous = page.last
        elif previous and _joins(previous, line, full):
            page.replace_last(_mend(page.last, line))
            previous = line
        else:
            page.new_line(line, style, page.last if previous else "")
            previous = line
    return page.text()


def _joins(previous: str, line: str, full: float) -> bool:
    """Does ``line`` continue the paragraph or list item ending in ``previous``?"""
    if is_bullet(line) or is_numbered(line):
        return False
    if previous.endswith("-") and line[:1].islower():
        return True
    if line[:1].islower() and not previous.endswith((".", "!", "?")):
        return True
    if len(previous) < full:
        return False
    if previous.endswith((".", "!", "?")) and _is_heading_line(line, full):
        return False
    return not previous.endswith(":") or line[:1].islower()


def _is_heading_line(line: str, full: float) -> bool:
    """A short capitalised line without end punctuation, after a finished sentence."""
    return line[:1].isupper() and len(line) < full * 0.6 and not line.endswith(TERMINAL)


def _mend(previous: str, line: str) -> str:
    """Join a wrapped line; "organ-" + "isation" becomes "organisation"."""
    hyphenated = previous.endswith("-") and previous[-2:-1].isalpha()
    if hyphenated and line[:1].islower():
        return previous[:-1] + line
    return f"{previous} {line}"


def _metadata(reader: PdfReader) -> tuple[str | None, dict[str, str]]:
    """Title, author and dates from the document information dictionary."""
    meta: dict[str, str] = {}
    try:
        info = reader.metadata
        if info is None:
            return None, meta
        title = _clean_title(info.title)
        if info.author:
            meta["author"] = str(info.author).strip()
        for key, getter in (("created", "creation_date"), ("modified", "modification_date")):
            value = _date(info, getter)
            if value:
                meta[key] = value
    except _CORRUPT:
        return None, meta
    issued = meta.get("created") or meta.get("modified")
    if issued:
        meta["issued"] = issued
    return title, meta


def _date(info: object, attribute: str) -> str | None:
    try:
        value = getattr(info, attribute)
    except _CORRUPT:
        return None
    return value.date().isoformat() if isinstance(value, datetime) else None


def _clean_title(value: object) -> str | None:
    """A usable title: no "Microsoft Word - " prefix, no file names."""
    if not value:
        return None
    title = _TITLE_PREFIX_RE.sub("", " ".join(str(value).split()))
    title = _FILE_TITLE_RE.sub("", title).strip()
    return title or None
