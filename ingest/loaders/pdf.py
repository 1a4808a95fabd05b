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
    is_bullet,
    is_numbered,
    join_blocks,
    normalize_line,
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
_PAGE_NUMBER_RE = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_MIN_TEXT_CHARS = 1
# Bullets some producers write with a missing glyph (DEL) or the cp1252 bullet code.
_GLYPH_BULLET_RE = re.compile(r"^[ \t]*[\x7f\x95](?=[ \t]|$)", re.MULTILINE)
_TITLE_PREFIX_RE = re.compile(r"^microsoft (?:word|powerpoint) - ", re.IGNORECASE)
_FILE_TITLE_RE = re.compile(r"\.(?:docx?|pptx?|xlsx?|pdf|rtf|odt)$", re.IGNORECASE)


def load_pdf(data: bytes, name: str) -> LoadResult:
    """Text per page joined by blank lines; ``page_starts`` holds each page's offset."""
    reader = _open(data, name)
    try:
        raw_pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError as exc:
        raise DocumentError(name, "PDF is encrypted (password-protected)") from exc
    except _CORRUPT as exc:
        raise DocumentError(name, f"not a valid PDF file (cannot extract text: {exc})") from exc
    pages = [_page_text(lines) for lines in _without_running_lines(raw_pages)]
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


def _join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """Pages joined by one blank line; an empty page starts where the next one does."""
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for page in pages:
        if page and parts:
            offset += 2
        starts.append(offset)
        if page:
            parts.append(page)
            offset += len(page)
    return "\n\n".join(parts), tuple(starts)


def _line_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _without_running_lines(raw_pages: list[str]) -> list[list[str]]:
    """Page lines without page numbers and running headers/footers.

    A line is a running header or footer when, digits aside, the same line opens or
    closes at least half of the pages (and three or more of them).
    """
    pages = [normalize_text(_GLYPH_BULLET_RE.sub("•", raw)).split("\n") for raw in raw_pages]
    edges: Counter[str] = Counter()
    for lines in pages:
        content = [line for line in lines if line]
        edges.update({_line_key(line) for line in content[:2] + content[-2:]})
    threshold = max(3, (len(pages) + 1) // 2)
    running = {key for key, count in edges.items() if count >= threshold}
    cleaned: list[list[str]] = []
    for lines in pages:
        filled = [i for i, line in enumerate(lines) if line]
        edge = set(filled[:2] + filled[-2:])
        cleaned.append(
            [
                line
                for i, line in enumerate(lines)
                if not (i in edge and (_PAGE_NUMBER_RE.match(line) or _line_key(line) in running))
            ]
        )
    return cleaned


def _page_text(lines: list[str]) -> str:
    """Re-flow one page: join wrapped lines, mend hyphenation, keep lists and headings.

    Decisions look at the previous physical line (its length tells a wrapped line from
    the short last line of a paragraph), not at the paragraph built so far.
    """
    widths = sorted(len(line) for line in lines if len(line) > 20)
    full = widths[int(len(widths) * 0.8)] * 0.75 if widths else 60.0
    blocks: list[list[str]] = []
    previous = ""  # the previous physical line, "" after a blank line
    for raw in lines:
        line = normalize_line(raw)
        if not line:
            previous = ""
        elif blocks and blocks[-1][-1] == "•":
            blocks[-1][-1] = "• " + line  # a bullet glyph on a line of its own
            previous = blocks[-1][-1]
        elif previous and _joins(previous, line, full):
            blocks[-1][-1] = _mend(blocks[-1][-1], line)
            previous = line
        else:
            _new_block_for(blocks, line, blocks[-1][-1] if previous else "")
            previous = line
    return join_blocks(blocks)


def _new_block_for(blocks: list[list[str]], line: str, previous: str) -> None:
    """List items and numbered items share a block with the item before them."""
    listy = is_bullet(line) or line == "•" or is_numbered(line)
    if previous and listy and (is_bullet(previous) or is_numbered(previous)) and blocks:
        blocks[-1].append(line)
    else:
        blocks.append([line])


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
    return not previous.endswith(":") or line[:1].islower()


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
