"""Finding source documents and loading each into a ``kg.model.Document``.

Every problem with one file becomes a ``DocumentError`` with a one-line reason, so a
run can report it and go on with the other files.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from ingest.catalog import CATALOG_NAME, read_catalog
from ingest.loaders import SUPPORTED_SUFFIXES, get_loader
from ingest.loaders.clean import is_bullet, shorten
from kg.errors import DocumentError
from kg.model import Document
from kg.namespaces import slug

__all__ = ["SUPPORTED_SUFFIXES", "discover", "doc_id_for", "load_document"]

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 50 * MB
_GENERIC_TITLES = frozenset(
    {"untitled", "document", "word document", "document1", "microsoft word", "title", "home"}
)
_MINUTES_MARKERS = (
    re.compile(r"\bminutes\b", re.IGNORECASE),
    re.compile(r"^(?:present|in attendance|apologies(?: for absence)?)\b", re.I | re.M),
    re.compile(r"\bresolved\b", re.IGNORECASE),
    re.compile(r"^agenda item\b", re.IGNORECASE | re.MULTILINE),
    re.compile(r"\bdeclarations? of interests?\b", re.IGNORECASE),
    re.compile(r"^\(?[ivx]{1,4}\)\s+(?:noted|agreed|approved|endorsed|requested)", re.I | re.M),
    re.compile(
        r"\bthe (?:committee|board|chair(?:man)?)\b[^.\n]{0,60}"
        r"\b(?:noted|agreed|resolved|endorsed|approved|requested)\b",
        re.IGNORECASE,
    ),
)


def _unsupported(suffix: str) -> str:
    shown = f"'{suffix}'" if suffix else "(no extension)"
    return f"unsupported file type {shown}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"


def discover(paths: Sequence[Path]) -> tuple[list[tuple[Path, Path]], list[DocumentError]]:
    """Expand files and folders into sorted (file, root) pairs, plus errors for bad paths.

    Folders are searched recursively, skipping hidden entries and ``metadata.toml``. A
    file's root is the folder argument it was found in (a file argument: its parent),
    or the nearest folder above that holds a ``metadata.toml``, so ids stay stable.
    Missing paths, broken or looping links, unsupported and duplicate-id files are
    reported, one line each, not raised.
    """
    found: dict[Path, Path] = {}
    errors: list[DocumentError] = []
    for given in paths:
        path = Path(given)
        problem = _link_problem(path) if path.is_symlink() else None
        if problem is not None:
            errors.append(DocumentError(str(path), problem))
        elif path.is_dir():
            root = corpus_root(path, path)
            files, problems = _walk(path)
            errors.extend(problems)
            for file in files:
                if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                    errors.append(DocumentError(str(file), _unsupported(file.suffix.lower())))
                else:
                    found.setdefault(file, root)
        elif not path.exists():
            errors.append(DocumentError(str(path), "no such file or directory"))
        elif not path.is_file():
            errors.append(DocumentError(str(path), "not a regular file"))
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            errors.append(DocumentError(str(path), _unsupported(path.suffix.lower())))
        else:
            found.setdefault(path, corpus_root(path.parent, path.parent))
    pairs = sorted(found.items(), key=lambda pair: str(pair[0]))
    return _drop_duplicate_ids(pairs, errors), errors


def _link_problem(link: Path) -> str | None:
    """Why a symbolic link cannot be followed (broken, or a loop), or None if it can."""
    try:
        target = os.readlink(link)
    except OSError:
        target = "?"
    try:
        os.stat(link)
    except FileNotFoundError:
        return f"broken symbolic link: {target} does not exist"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"symbolic link loop: {target} leads back to itself"
        return f"cannot follow symbolic link to {target}: {(exc.strerror or str(exc)).lower()}"
    return None


def _walk(top: Path) -> tuple[list[Path], list[DocumentError]]:
    """Every file under ``top`` (hidden entries and catalogs left out), and the problems.

    Real folders are read first; then each link to a folder is followed once, unless the
    folder it leads to was read already (a loop, or a second way to the same files).
    """
    files: list[Path] = []
    errors: list[DocumentError] = []
    visited = {os.path.realpath(top)}
    folders = [top]
    links: list[Path] = []
    while folders or links:
        if not folders:
            link = links.pop(0)
            real = os.path.realpath(link)
            if Path(os.path.realpath(link.parent)).is_relative_to(real):
                message = f"symbolic link loop: leads back to {real}, a folder above it"
                errors.append(DocumentError(str(link), message + "; not followed"))
                continue
            if real in visited:
                message = f"link to a folder already read ({real}); not followed twice"
                errors.append(DocumentError(str(link), message))
                continue
            visited.add(real)
            folders.append(link)
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            errors.append(DocumentError(str(folder), f"cannot read folder: {reason}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith(".") or entry.name == CATALOG_NAME:
                continue
            problem = _link_problem(path) if entry.is_symlink() else None
            if problem is not None:
                errors.append(DocumentError(str(path), problem))
            elif entry.is_dir():
                if entry.is_symlink():
                    links.append(path)
                elif os.path.realpath(path) not in visited:
                    visited.add(os.path.realpath(path))
                    folders.append(path)
            elif entry.is_file():
                files.append(path)
            else:
                errors.append(DocumentError(str(path), "not a regular file"))
    return sorted(files), errors


def corpus_root(start: Path, fallback: Path) -> Path:
    """The nearest folder at or above ``start`` holding a catalog, else ``fallback``.

    This keeps a document's id the same whether the whole corpus, one sub-folder or the
    file alone is ingested.
    """
    for folder in (start, *start.parents):
        if (folder / CATALOG_NAME).is_file():
            return folder
    return fallback


def _drop_duplicate_ids(
    pairs: list[tuple[Path, Path]], errors: list[DocumentError]
) -> list[tuple[Path, Path]]:
    """Two files whose ids collide ("a.pdf", "a.docx") would overwrite each other's graph."""
    seen: dict[tuple[Path, str], Path] = {}
    kept: list[tuple[Path, Path]] = []
    for file, root in pairs:
        key = (root.resolve(), doc_id_for(file, root))
        if key in seen:
            errors.append(
                DocumentError(
                    str(file),
                    f"same document id '{key[1]}' as {seen[key].name}; rename one of them",
                )
            )
            continue
        seen[key] = file
        kept.append((file, root))
    return kept


def doc_id_for(path: Path, root: Path) -> str:
    """The stable id: a slug of the path relative to ``root``, without the suffix."""
    return slug(_relative(path, root).with_suffix("").as_posix().replace("/", "-"))


def _relative(path: Path, root: Path) -> Path:
    try:
        return Path(path).relative_to(root)
    except ValueError:
        try:
            return Path(path).resolve().relative_to(Path(root).resolve())
        except ValueError:
            return Path(Path(path).name)


def _read(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, with file-system failures as one-line reasons."""
    name = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise DocumentError(name, "is a directory, not a file")
        if size > max_bytes:
            raise DocumentError(
                name,
                f"file is {size / MB:.1f} MB, over the {max_bytes / MB:g} MB limit "
                "(KG_MAX_FILE_MB)",
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(name, "no such file or directory") from exc
    except PermissionError as exc:
        raise DocumentError(name, "cannot read file: permission denied") from exc
    except IsADirectoryError as exc:
        raise DocumentError(name, "is a directory, not a file") from exc
    except OSError as exc:
        reason = exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))
        raise DocumentError(name, f"cannot read file: {reason.lower()}") from exc
    if len(data) > max_bytes:
        raise DocumentError(name, f"file is over the {max_bytes / MB:g} MB limit (KG_MAX_FILE_MB)")
    return data


def load_document(
    path: Path,
    root: Path,
    catalog: Mapping[str, Mapping[str, str]] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Read, clean and describe one document; raise ``DocumentError`` if it cannot be used.

    ``catalog`` maps paths relative to ``root`` to metadata; with None it is read from
    ``root/metadata.toml``. Catalog values win over what the file says about itself.
    """
    path, root = Path(path), Path(root)
    name = str(path)
    suffix = path.suffix.lower()
    loader = get_loader(suffix)
    if loader is None:
        if not path.exists() and not path.is_symlink():
            raise DocumentError(name, "no such file or directory")
        raise DocumentError(name, _unsupported(suffix))
    data = _read(path, max_bytes)
    if not data:
        raise DocumentError(name, "empty file")
    result = loader(data, name)
    if not result.text:
        raise DocumentError(name, "no text")
    relative = _relative(path, root).as_posix()
    entry = (read_catalog(root) if catalog is None else catalog).get(relative, {})
    return Document(
        doc_id=doc_id_for(path, root),
        path=relative,
        text=result.text,
        sha256=hashlib.sha256(data).hexdigest(),
        title=_title(entry.get("title"), result.title, result.text, path),
        doc_type=entry.get("type") or _guess_type(result.text, result.title),
        publisher=entry.get("publisher") or result.meta.get("publisher") or None,
        issued=entry.get("issued") or result.meta.get("issued") or None,
        source=entry.get("source") or result.meta.get("source") or None,
        page_starts=tuple(result.page_starts),
    )


def _title(catalog_title: str | None, own: str | None, text: str, path: Path) -> str:
    """Catalog title, else the file's own title, else its first line, else its name."""
    for candidate in (catalog_title, own):
        if candidate and candidate.strip().lower() not in _GENERIC_TITLES:
            return shorten(candidate)
    for line in text.split("\n"):
        line = line.removeprefix("• ").strip() if is_bullet(line) else line.strip()
        if any(ch.isalnum() for ch in line):
            return shorten(line)
    return path.stem


def _guess_type(text: str, title: str | None) -> str:
    """ "minutes" when the text reads like a meeting record, else "document"."""
    if title and re.search(r"\bminutes\b", title, re.IGNORECASE):
        return "minutes"
    sample = text[:20000]
    hits = sum(1 for marker in _MINUTES_MARKERS if marker.search(sample))
    return "minutes" if hits >= 2 else "document"
