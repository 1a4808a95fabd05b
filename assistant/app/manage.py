"""Document management from the app: add uploaded files, remove, re-ingest.

Each action runs ``ingest.pipeline.ingest`` / ``remove`` (and so takes the same write lock
as `kg ingest`). Uploaded files are kept under ``KG_HOME/uploads/`` so they can be
re-ingested later and their ids stay stable (the id is the file name's slug). A file
that fails to load leaves the knowledge base and the previous upload as they were.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.load import SUPPORTED_SUFFIXES, corpus_root, doc_id_for
from ingest.pipeline import IngestReport, ingest, remove
from kg.base import KnowledgeBase
from kg.errors import DocumentError, KGError, NotFoundError
from kg.settings import Settings

MB = 1024 * 1024
OnProgress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class FileResult:
    """One line of the result list: what happened to one file or document."""

    name: str
    status: str  # added | updated | unchanged | removed | failed
    doc_id: str = ""
    reason: str = ""

    def line(self) -> str:
        detail = f" ({self.doc_id})" if self.doc_id and self.doc_id != self.name else ""
        return f"{self.status}: {self.name}{detail}" + (f" — {self.reason}" if self.reason else "")


def uploads_dir(settings: Settings) -> Path:
    return settings.home / "uploads"


def _backups(settings: Settings) -> Path:
    return uploads_dir(settings) / ".previous"


def safe_name(name: str) -> str:
    """The file name an upload is stored under: its last path part, never hidden."""
    clean = Path(name.replace("\\", "/")).name.strip()
    if not clean or clean.startswith(".") or clean in {"..", "."}:
        raise DocumentError(name or "(no name)", "not a usable file name")
    return clean


def _check(name: str, size: int, limit_mb: int) -> str:
    """Why an upload is refused before it is stored, or '' when it may go ahead."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        return f"unsupported file type {shown}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
    if size > limit_mb * MB:
        return f"too large ({size / MB:.1f} MB; the upload limit is {limit_mb} MB)"
    return ""


def _statuses(report: IngestReport) -> dict[str, str]:
    status: dict[str, str] = {}
    for kind in ("added", "updated", "unchanged"):
        for doc_id in getattr(report, kind):
            status[doc_id] = kind
    return status


def _reasons(report: IngestReport) -> dict[str, str]:
    return {Path(e.path).name: e.reason for e in report.failed}


def _progress_adapter(on_progress: OnProgress | None) -> tuple[Callable, Callable]:
    state = {"done": 0, "total": 0}

    def total(n: int) -> None:
        state["total"] = n
        if on_progress:
            on_progress(0, n, "starting")

    def step(name: str, status: str) -> None:
        state["done"] += 1
        if on_progress:
            on_progress(state["done"], state["total"], f"{status}: {Path(name).name}")

    return step, total


def add_files(
    settings: Settings, files: Sequence[tuple[str, Path]], on_progress: OnProgress | None = None
) -> list[FileResult]:
    """Store each (original name, temporary path) under uploads/ and ingest them together."""
    results: list[FileResult] = []
    staged: list[tuple[str, Path, Path | None]] = []  # (name, stored file, previous version)
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    for original, temp in files:
        try:
            name = safe_name(original)
        except DocumentError as exc:
            results.append(FileResult(original, "failed", reason=exc.reason))
            continue
        refused = _check(name, temp.stat().st_size, settings.upload_max_mb)
        if refused:
            results.append(FileResult(name, "failed", reason=refused))
            continue
        if any(name == s[0] for s in staged):
            results.append(FileResult(name, "failed", reason="the same name twice in one upload"))
            continue
        target = folder / name
        previous = None
        if target.exists():
            _backups(settings).mkdir(exist_ok=True)
            previous = _backups(settings) / name
            shutil.copy2(target, previous)
        shutil.copyfile(temp, target)
        staged.append((name, target, previous))
    if not staged:
        return results
    step, total = _progress_adapter(on_progress)
    try:
        report = ingest(settings, [t for _, t, _ in staged], progress=step, total=total)
    except KGError:  # e.g. another ingest holds the lock: put every file back as it was
        for _name, target, previous in staged:
            _restore(target, previous)
        raise
    statuses, reasons = _statuses(report), _reasons(report)
    for name, target, previous in staged:
        doc_id = doc_id_for(target, folder)
        if doc_id in statuses:
            results.append(FileResult(name, statuses[doc_id], doc_id))
            if previous is not None:
                previous.unlink(missing_ok=True)
            continue
        results.append(FileResult(name, "failed", doc_id, reasons.get(name, "not ingested")))
        _restore(target, previous)
    return results


def _restore(target: Path, previous: Path | None) -> None:
    """Put back the version the knowledge base still holds (or nothing, for a new file)."""
    if previous is not None:
        shutil.move(previous, target)
    else:
        target.unlink(missing_ok=True)


def source_file(settings: Settings, relative: str) -> Path | None:
    """Where a document's source lives now: the uploads folder first, then KG_CORPUS."""
    if not relative:
        return None
    for root in (uploads_dir(settings), settings.corpus):
        candidate = root / relative
        if candidate.is_file() and root.resolve() in candidate.resolve().parents:
            return candidate
    return None


def _source_relative(kb: KnowledgeBase, doc_id: str) -> str:
    if doc_id not in kb.texts.doc_ids():
        raise NotFoundError(f"no document {doc_id!r}")
    return str(kb.texts.meta(doc_id).get("path") or "")


def remove_documents(settings: Settings, doc_ids: Sequence[str]) -> list[FileResult]:
    """Take documents out of every store; an uploaded source file goes with them."""
    kb = KnowledgeBase(settings, read_only=True)
    sources = {d: source_file(settings, _source_relative(kb, d)) for d in doc_ids}
    remove(settings, list(doc_ids))
    results = []
    for doc_id in doc_ids:
        source = sources[doc_id]
        if source is not None and uploads_dir(settings) in source.parents:
            source.unlink(missing_ok=True)
        results.append(FileResult(doc_id, "removed", doc_id))
    return results


def reingest(settings: Settings, doc_id: str, on_progress: OnProgress | None = None) -> FileResult:
    """Process one document again from its source file, even if the file is unchanged."""
    kb = KnowledgeBase(settings, read_only=True)
    relative = _source_relative(kb, doc_id)
    source = source_file(settings, relative)
    if source is None:
        return FileResult(
            doc_id,
            "failed",
            doc_id,
            f"its source file {relative!r} is in neither uploads nor KG_CORPUS",
        )
    root = corpus_root(source.parent, source.parent)
    # A file alone gets its folder as root; when that changes the id, ingest from the corpus root.
    paths = [source] if doc_id_for(source, root) == doc_id else [settings.corpus]
    step, total = _progress_adapter(on_progress)
    report = ingest(settings, paths, progress=step, total=total, force={doc_id})
    status = _statuses(report).get(doc_id)
    if status:
        return FileResult(doc_id, status, doc_id)
    return FileResult(doc_id, "failed", doc_id, _reasons(report).get(source.name, "not ingested"))
