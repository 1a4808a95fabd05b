"""What a loader returns, and decoding of text-like files (UTF-8/16, BOMs, Windows-1252)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import NamedTuple

from charset_normalizer import from_bytes

from kg.errors import DocumentError


class LoadResult(NamedTuple):
    """A loader's output: clean text, the file's own title, metadata, page offsets."""

    text: str
    title: str | None
    meta: dict[str, str]
    page_starts: tuple[int, ...] = ()


Loader = Callable[[bytes, str], LoadResult]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_text(data: bytes, name: str, declared: str | None = None) -> str:
    """Decode a text file: BOM, then strict UTF-8, then a declared charset, then cp1252.

    Windows-1252 is what UK public-sector documents use when they are not UTF-8, so it
    is tried before statistical detection, which guesses badly on short English text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data, encoding, name)
    candidates = ["utf-8"]
    if declared:
        candidates.append(_known_encoding(declared))
    candidates.append("cp1252")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _looks_binary(text):
            return text
    best = from_bytes(data).best()
    if best is None or _looks_binary(str(best)):
        raise DocumentError(name, "not a text file (binary content)")
    return str(best)


def _known_encoding(declared: str) -> str:
    """Browsers read a declared ISO-8859-1 as Windows-1252; so do we."""
    try:
        name = codecs.lookup(declared.strip().strip("\"'")).name
    except LookupError:
        return "utf-8"
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise DocumentError(name, f"cannot decode text as {encoding}: {exc.reason}") from exc
    if _looks_binary(text):
        raise DocumentError(name, "not a text file (binary content)")
    return text


def _looks_binary(text: str) -> bool:
    """Binary content can decode as cp1252; real text has almost no control characters."""
    sample = text[:20000]
    return bool(sample) and len(_CONTROL_RE.findall(sample)) > max(2, len(sample) // 200)
