"""`kg ingest`: bring the knowledge base in line with a set of source files."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from ingest.catalog import read_catalog
from ingest.check import recover
from ingest.load import discover, doc_id_for
from ingest.worker import Job, file_reader
from ingest.write import Prepared, remove_document, sync_reference, write_documents
from kg.base import KnowledgeBase, discard_working_stores, is_published, verify_published
from kg.errors import DocumentError, NotFoundError
from kg.lock import write_lock
from kg.model import Document, Passage
from kg.settings import Settings
from kg.stores.files import disk_full_is_one_line

Progress = Callable[[str, str], None]
EMBED_CHUNK = 1024  # passages embedded per model call, across documents: fewer, fuller batches


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    failed: list[DocumentError] = field(default_factory=list)
    passages: int = 0
    triples: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.repaired)


def _no_progress(_name: str, _status: str) -> None:
    return None


def ingest(
    settings: Settings,
    paths: Sequence[Path],
    prune: bool = False,
    rebuild: bool = False,
    progress: Progress = _no_progress,
    total: Callable[[int], None] | None = None,
    force: Collection[str] = (),
) -> IngestReport:
    """Add new and changed documents, skip unchanged ones, optionally prune missing ones.

    Documents whose ids are in ``force`` are processed again even if their bytes are
    unchanged (the app's "re-ingest", e.g. after the extraction rules improved).
    """
    started = time.perf_counter()
    report = IngestReport()
    with write_lock(settings.lock_path), disk_full_is_one_line(f"ingesting into {settings.home}"):
        if rebuild:
            discard_working_stores(settings)
        else:
            verify_published(settings)
        kb = KnowledgeBase(settings, read_only=False)
        try:
            report.repaired = recover(kb)
            sync_reference(kb)
            files, report.failed = discover(paths)
            if total is not None:
                total(len(files))
            seen = _ingest_files(kb, files, report, progress, frozenset(force))
            if prune:
                for doc_id in sorted(set(kb.registry()) - seen):
                    remove_document(kb, doc_id)
                    report.removed.append(doc_id)
            if report.changed or rebuild or not is_published(kb):
                kb.publish()
        finally:
            kb.close()
    report.seconds = time.perf_counter() - started
    return report


def _ingest_files(
    kb: KnowledgeBase,
    files: list[tuple[Path, Path]],
    report: IngestReport,
    progress: Progress,
    force: frozenset[str] = frozenset(),
) -> set[str]:
    """Read each new or changed file in the file reader's process (with its limits).

    The reader works a few files ahead, so reading overlaps embedding and writing.
    """
    settings = kb.settings
    reader = file_reader(settings.ontology, settings.file_memory_mb)
    registered = kb.registry()
    seen: set[str] = set()
    pending: list[tuple[Path, Document, list[Passage], Graph]] = []
    jobs = _jobs(files, registered, force, settings, seen, report, progress)
    for job, outcome in reader.read_all(jobs, settings.file_timeout):
        if isinstance(outcome, DocumentError):
            report.failed.append(outcome)
            progress(str(job.path), "failed")
            continue
        pending.append((job.path, outcome.doc, outcome.passages, outcome.facts))
        if sum(len(item[2]) for item in pending) >= EMBED_CHUNK:
            _write_pending(kb, pending, registered, report, progress)
    _write_pending(kb, pending, registered, report, progress)
    return seen


def _jobs(
    files: list[tuple[Path, Path]],
    registered: dict[str, str],
    force: frozenset[str],
    settings: Settings,
    seen: set[str],
    report: IngestReport,
    progress: Progress,
) -> Iterator[Job]:
    """The files to read: unchanged ones (unless forced) are skipped, a bad catalog fails
    its files."""
    max_bytes = settings.max_file_mb * 1024 * 1024
    catalogs: dict[Path, dict[str, dict[str, str]]] = {}
    for path, root in files:
        doc_id = doc_id_for(path, root)
        seen.add(doc_id)  # a file that fails to load is still there: never prune it
        sha = _file_sha256(path)
        if doc_id not in force and sha is not None and registered.get(doc_id) == sha:
            report.unchanged.append(doc_id)
            progress(str(path), "unchanged")
            continue
        try:
            if root not in catalogs:
                catalogs[root] = read_catalog(root)
        except DocumentError as error:
            # Without its traceback: the frames would keep this run's writable store alive
            # (a cycle through the report) and block the next ingest in the same process.
            report.failed.append(error.with_traceback(None))
            progress(str(path), "failed")
            continue
        yield Job(path, root, catalogs[root], max_bytes, ner=settings.ner)


def _write_pending(
    kb: KnowledgeBase,
    pending: list[tuple[Path, Document, list[Passage], Graph]],
    registered: dict[str, str],
    report: IngestReport,
    progress: Progress,
) -> None:
    """Embed the passages of several documents in one batch, then write them together."""
    if not pending:
        return
    vectors = kb.embedder.embed([p.embedding_text for _, _, ps, _ in pending for p in ps])
    items, offset = [], 0
    for path, doc, passages, facts in pending:
        chunk = vectors[offset : offset + len(passages)]
        items.append(Prepared(doc, passages, facts, chunk, str(path.resolve())))
        offset += len(passages)
    triples = write_documents(kb, items)
    for (path, doc, passages, _facts), count in zip(pending, triples, strict=True):
        report.triples += count
        report.passages += len(passages)
        status = "updated" if doc.doc_id in registered else "added"
        (report.updated if status == "updated" else report.added).append(doc.doc_id)
        progress(str(path), status)
    pending.clear()


def _file_sha256(path: Path) -> str | None:
    """Hash before parsing, so unchanged files cost a read, not a PDF parse."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def remove(settings: Settings, doc_ids: Sequence[str]) -> list[str]:
    """`kg remove`: take documents out of every store."""
    with write_lock(settings.lock_path), disk_full_is_one_line(f"removing from {settings.home}"):
        verify_published(settings)
        kb = KnowledgeBase(settings, read_only=False)
        try:
            recover(kb)
            registered = kb.registry()
            unknown = [d for d in doc_ids if d not in registered]
            if unknown:
                raise NotFoundError(f"no document {unknown[0]!r}; see `kg docs`")
            for doc_id in doc_ids:
                remove_document(kb, doc_id)
            kb.publish()
        finally:
            kb.close()
    return list(doc_ids)
