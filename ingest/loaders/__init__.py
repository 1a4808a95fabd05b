"""Format loaders: suffix → function(bytes, name) → LoadResult.

Each loader returns ``(clean_text, title_or_None, extra_metadata, page_starts)`` with the
text under the clean-text contract of ``ingest.loaders.clean``. Loaders raise
``DocumentError`` for content they cannot read; file-system problems are handled by
``ingest.load``.
"""

from __future__ import annotations

from importlib import import_module

from ingest.loaders.base import Loader, LoadResult

# suffix → (module, function); modules are imported on first use.
_REGISTRY: dict[str, tuple[str, str]] = {
    ".txt": ("ingest.loaders.text", "load_txt"),
    ".md": ("ingest.loaders.text", "load_markdown"),
    ".markdown": ("ingest.loaders.text", "load_markdown"),
    ".html": ("ingest.loaders.html", "load_html"),
    ".htm": ("ingest.loaders.html", "load_html"),
    ".pdf": ("ingest.loaders.pdf", "load_pdf"),
    ".docx": ("ingest.loaders.docx", "load_docx"),
}

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_REGISTRY)


def get_loader(suffix: str) -> Loader | None:
    """The loader for a file suffix (case-insensitive), or None if unsupported."""
    entry = _REGISTRY.get(suffix.lower())
    if entry is None:
        return None
    module, function = entry
    loader: Loader = getattr(import_module(module), function)
    return loader


__all__ = ["SUPPORTED_SUFFIXES", "LoadResult", "Loader", "get_loader"]
