"""`kg check --repair`: rebuild whatever is damaged from what is intact.

What is rebuilt from what:

- an unreadable RDF store: every document's graph re-derived from its stored text (the
  extraction is deterministic), the registry from the text files, the reference graph
  from ``ontology/``;
- one document's graph with the wrong number of triples: re-derived from its text;
- an unreadable vector index: re-embedded from the texts; one document's wrong vectors:
  only that document re-embedded;
- a damaged text: reloaded from its source file when the file is still there with the
  registered hash; otherwise the document is removed and the report says to re-ingest it;
- anything wrong in the published generation (snapshot files, BM25): a new generation
  is published from the repaired working stores.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ingest.check import (
    DOC_GRAPH,
    CheckReport,
    Problem,
    backend_names,
    graph_problems,
    inspect_published,
    vector_problems,
)
from ingest.extract import extract_facts, load_reference
from ingest.load import load_document
from ingest.segment import segment
from ingest.write import Prepared, remove_document, sync_reference, write_documents
from kg.base import KnowledgeBase, is_published
from kg.errors import DocumentError, StoreDamagedError
from kg.lock import write_lock
from kg.settings import Settings
from kg.stores import RDF_STORES, VECTOR_STORES
from kg.stores import generations as gens
from kg.stores.base import short_version, split_vector_id
from kg.stores.files import disk_full_is_one_line, sha256_file
from kg.textstore import PART as TEXTS
from kg.textstore import Record, StoredText

BATCH = 256  # documents re-derived per RDF transaction
EMBED_CHUNK = 1024  # passages per embedding call


def repair(settings: Settings) -> CheckReport:
    """Find every problem, fix it, and publish a sound generation."""
    report = CheckReport(backends=backend_names(settings))
    with (
        write_lock(settings.lock_path, "kg check --repair"),
        disk_full_is_one_line(f"repairing {settings.home}"),
    ):
        _inspect_published(settings, report)
        kb = _open_writer(settings, report)
        try:
            _Repair(kb, report).run()
        finally:
            kb.close()
    return report


def _inspect_published(settings: Settings, report: CheckReport) -> None:
    """Problems of the published generation; an unreadable pointer goes (publish renews it)."""
    try:
        published = gens.newest(settings.home)
    except StoreDamagedError as exc:
        report.problems.append(Problem(exc.part, "", exc.detail))
        gens.pointer_path(settings.home).unlink()
        report.repaired.append("published generation: removed the unreadable pointer")
        return
    if published is not None or gens.folder(settings.home).is_dir():
        report.generation, report.problems = inspect_published(settings)


def _open_writer(settings: Settings, report: CheckReport) -> KnowledgeBase:
    """The writer's stores, starting afresh with any that cannot even be opened."""
    for _ in range(3):
        try:
            return KnowledgeBase(settings, read_only=False)
        except StoreDamagedError as exc:
            _discard(settings, exc, report)
    return KnowledgeBase(settings, read_only=False)


def _discard(settings: Settings, exc: StoreDamagedError, report: CheckReport) -> None:
    report.problems.append(Problem(exc.part, "", exc.detail))
    if exc.part == "RDF store":
        RDF_STORES.get(settings.rdf_store).discard(settings)
        report.repaired.append("RDF store: unreadable; re-deriving every graph from the texts")
    elif exc.part == "vector index":
        VECTOR_STORES.get(settings.vector_store).discard(settings)
        report.repaired.append("vector index: unreadable; re-embedding every passage")
    else:
        raise exc


class _Repair:
    def __init__(self, kb: KnowledgeBase, report: CheckReport) -> None:
        self.kb = kb
        self.report = report
        self.changed = False

    def run(self) -> None:
        self._rdf()
        self._texts()
        self._graphs()
        self._vectors()
        kb = self.kb
        try:
            stale = not is_published(kb)
        except StoreDamagedError:
            stale = True
        if self.changed or stale or self.report.problems:
            generation = kb.publish()
            self.report.repaired.append(f"published generation {generation}")

    # --- RDF ----------------------------------------------------------------------------

    def _rdf(self) -> None:
        kb = self.kb
        try:
            counts = kb.rdf.counts()
            kb.records()
        except StoreDamagedError as exc:
            kb.rdf.close()
            _discard(kb.settings, StoreDamagedError("RDF store", exc.detail), self.report)
            kb.rdf = RDF_STORES.get(kb.settings.rdf_store).open_writer(kb.settings)
            kb.registry_changed()
            counts = {}
        if not counts:  # a new store: rebuild it from the texts
            self._rebuild_rdf()

    def _rebuild_rdf(self) -> None:
        kb = self.kb
        sync_reference(kb, force=True)
        chosen = _texts_to_register(kb)
        if chosen:
            self._rederive(chosen)
            self.report.repaired.append(
                f"RDF store: re-derived {len(chosen)} documents from their texts"
            )
        self.changed = True

    # --- texts --------------------------------------------------------------------------

    def _texts(self) -> None:
        kb = self.kb
        for doc_id, record in sorted(kb.records().items()):
            found = kb.store_texts.load(doc_id, record.version)
            if isinstance(found, StoredText) and (
                not record.checksum or found.checksum == record.checksum
            ):
                continue
            what = (
                "its text is missing"
                if found is None
                else (found if isinstance(found, str) else "its metadata file was changed")
            )
            self.report.problems.append(Problem(TEXTS, doc_id, what))
            source = _source_file(kb, record)
            if source is not None and self._reingest(record, *source):
                self.report.repaired.append(f"{doc_id}: text reloaded from {source[0]}")
            else:
                remove_document(kb, doc_id)
                self.report.repaired.append(
                    f"{doc_id}: removed (its text is damaged and its source file is gone "
                    "or changed); re-ingest it"
                )
            self.changed = True

    def _reingest(self, record: Record, path: Path, root: Path) -> bool:
        kb = self.kb
        try:
            doc = load_document(path, root, max_bytes=kb.settings.max_file_mb * 1024 * 1024)
        except DocumentError:
            return False
        if doc.doc_id != record.doc_id or doc.sha256 != record.version:
            return False
        passages = segment(doc)
        facts = extract_facts(doc, passages, load_reference(kb.settings.ontology))
        kb.vectors.delete_documents([doc.doc_id])
        vectors = _embed(kb, [p.embedding_text for p in passages])
        write_documents(kb, [Prepared(doc, passages, facts, vectors, str(path.resolve()))])
        return True

    # --- graphs -------------------------------------------------------------------------

    def _graphs(self) -> None:
        kb = self.kb
        records = kb.records()
        stored = _stored(kb, records)
        problems = graph_problems(kb, stored, set(records), "RDF store")
        if not problems:
            return
        self.report.problems += problems
        for problem in problems:
            if problem.leftover:
                kb.rdf.drop_graph(DOC_GRAPH + problem.doc_id)
        if any(not p.doc_id for p in problems):
            sync_reference(kb, force=True)
            self.report.repaired.append("RDF store: reloaded the reference graph")
        redo = [stored[p.doc_id] for p in problems if p.doc_id in stored and not p.leftover]
        if redo:
            self._rederive(redo)
            self.report.repaired.append(
                f"RDF store: re-derived {len(redo)} graphs from their texts"
            )
        self.changed = True

    def _rederive(self, found: list[StoredText]) -> None:
        """Graphs and registry entries from stored texts; their vectors stay as they are."""
        kb = self.kb
        reference = load_reference(kb.settings.ontology)
        for at in range(0, len(found), BATCH):
            items = []
            for stored in found[at : at + BATCH]:
                doc = stored.document()
                passages = stored.passages(doc.doc_id)
                facts = extract_facts(doc, passages, reference)
                source = str(stored.meta.get("source_file") or "")
                items.append(Prepared(doc, passages, facts, None, source))
            write_documents(kb, items)

    # --- vectors ------------------------------------------------------------------------

    def _vectors(self) -> None:
        kb = self.kb
        try:
            problems = [Problem("vector index", "", p) for p in kb.vectors.verify()]
            ids = kb.vectors.ids() if not problems else []
        except StoreDamagedError as exc:
            problems, ids = [Problem("vector index", "", exc.detail)], []
        if problems:
            self.report.problems += problems
            kb.vectors.close()
            _discard(kb.settings, StoreDamagedError("vector index", problems[0].what), self.report)
            kb.vectors = VECTOR_STORES.get(kb.settings.vector_store).open_writer(kb.settings)
        records = kb.records()
        stored = _stored(kb, records)
        found = vector_problems(ids, records, stored, "vector index")
        self.report.problems += [p for p in found if not problems]
        redo = sorted({p.doc_id for p in found if p.doc_id})
        if any(p.leftover for p in found):
            keep = {d: r.version for d, r in records.items()}
            kb.vectors.delete(_strays(ids, keep))
            self.report.repaired.append("vector index: removed vectors of versions no document has")
            self.changed = True
        if redo:
            kb.vectors.delete_documents(redo)
            self._embed_documents([stored[d] for d in redo if d in stored])
            self.report.repaired.append(f"vector index: re-embedded {len(redo)} documents")
            self.changed = True

    def _embed_documents(self, found: list[StoredText]) -> None:
        kb = self.kb
        for at in range(0, len(found), BATCH):
            batch = found[at : at + BATCH]
            passages = [p for s in batch for p in s.passages(str(s.meta["doc_id"]))]
            vectors = _embed(kb, [p.embedding_text for p in passages])
            versions = {str(s.meta["doc_id"]): str(s.meta["sha256"]) for s in batch}
            titles = {str(s.meta["doc_id"]): str(s.meta.get("title") or "") for s in batch}
            kb.vectors.add(passages, vectors, versions, titles)


def _stored(kb: KnowledgeBase, records: dict[str, Record]) -> dict[str, StoredText]:
    out = {}
    for doc_id, record in records.items():
        found = kb.store_texts.load(doc_id, record.version)
        if isinstance(found, StoredText):
            out[doc_id] = found
    return out


def _strays(ids: Iterable[str], keep: dict[str, str]) -> list[str]:
    out = []
    for vid in ids:
        passage_id, version = split_vector_id(vid)
        registered = keep.get(passage_id.rpartition(":")[0])
        if registered is None or short_version(registered) != version:
            out.append(vid)
    return out


def _embed(kb: KnowledgeBase, texts: list[str]) -> np.ndarray:
    chunks = [
        kb.embedder.embed(texts[at : at + EMBED_CHUNK]) for at in range(0, len(texts), EMBED_CHUNK)
    ]
    return np.concatenate(chunks) if chunks else np.empty((0, 0), dtype=np.float32)


def _texts_to_register(kb: KnowledgeBase) -> list[StoredText]:
    """With the registry lost: one intact stored version per document, preferring the one
    the newest readable generation had, else the most recently written."""
    published: dict[str, str] = {}
    generation = gens.newest(kb.home)
    if generation is not None:
        try:
            published = gens.Manifest.load(gens.generation_dir(kb.home, generation)).documents
        except StoreDamagedError:
            published = {}
    chosen = []
    for doc_id, versions in sorted(kb.store_texts.stored().items()):
        candidates = sorted(
            versions,
            key=lambda v: (
                published.get(doc_id, "")[:16] != v,
                -_mtime(kb.store_texts.paths(doc_id, v)[1]),
            ),
        )
        for version in candidates:
            found = kb.store_texts.load(doc_id, version)
            if isinstance(found, StoredText) and str(found.meta.get("doc_id")) == doc_id:
                chosen.append(found)
                break
    return chosen


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _source_file(kb: KnowledgeBase, record: Record) -> tuple[Path, Path] | None:
    """(file, corpus root) of a source that still has the registered hash, if any."""
    candidates: list[Path] = []
    meta = kb.store_texts.load_meta(Record(record.doc_id, record.version, ""))
    if isinstance(meta, dict) and meta.get("source_file"):
        candidates.append(Path(str(meta["source_file"])))
    if record.source:
        candidates.append(kb.settings.corpus / record.source)
    for path in candidates:
        if path.is_file() and sha256_file(path) == record.version:
            depth = len(Path(record.source).parts) if record.source else 1
            return path, path.parents[depth - 1]
    return None
