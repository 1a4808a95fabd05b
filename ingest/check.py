"""`kg check`: verify every store against the registry, and what an interrupted ingest left.

Two scopes. The newest *published generation* (what readers use) is always checked: its
files against the sizes and sha256 its manifest recorded, then its registry against its
texts (by their checksums), its RDF graphs (triples per graph), its vectors (ids per
document and version, plus a sample compared with fresh embeddings) and its BM25 ids.
The writer's *working stores* are checked too when no ingest is running (we take the
write lock for it, without waiting); while one runs, only the published generation is
checked, which nobody is writing, so an ingest never shows up as a false problem.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from kg.base import KnowledgeBase, read_records
from kg.errors import StoreDamagedError, StoreLockedError
from kg.lock import CHECK, write_lock
from kg.namespaces import GRAPH_BASE, REFERENCE_GRAPH
from kg.settings import Settings
from kg.stores import describe_backends
from kg.stores import generations as gens
from kg.stores.base import short_version, split_vector_id, vector_id
from kg.textstore import PART as TEXTS
from kg.textstore import Record, StoredText, TextStore

DOC_GRAPH = f"{GRAPH_BASE}doc/"
_SAME_VECTOR = 0.98  # cosine between a stored vector and a fresh embedding of its text


@dataclass(frozen=True)
class Problem:
    """One finding: which part, which document ("" for the part as a whole), what."""

    part: str
    doc_id: str
    what: str
    leftover: bool = False  # what an interrupted ingest leaves; the next ingest removes it

    def __str__(self) -> str:
        where = f"{self.doc_id}: " if self.doc_id else ""
        return f"{self.part}: {where}{self.what}"


@dataclass
class CheckReport:
    backends: dict[str, str] = field(default_factory=dict)
    generation: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(settings: Settings, fix: bool = False) -> CheckReport:
    """`kg check [--repair]`."""
    if fix:
        from ingest.repair import repair

        return repair(settings)
    report = CheckReport(backends=backend_names(settings))
    report.generation, report.problems = inspect_published(settings)
    try:
        with write_lock(settings.lock_path, CHECK):
            if settings.rdf_dir.exists():
                report.problems += inspect_working(settings)
    except StoreLockedError as exc:
        report.notes.append(f"{exc}: checked the published generation only")
    return report


def backend_names(settings: Settings) -> dict[str, str]:
    """Which backend holds each kind, and where (a server's URL)."""
    return describe_backends(settings)


# --- The published generation ------------------------------------------------------------


def inspect_published(settings: Settings) -> tuple[str, list[Problem]]:
    """(generation, problems) of the newest published generation; reads every file."""
    try:
        kb = KnowledgeBase(settings, read_only=True)
    except StoreDamagedError as exc:
        return "", _file_problems(settings) or [Problem(exc.part, "", exc.detail)]
    try:
        manifest, folder = kb.manifest, kb.folder
        if manifest is None or folder is None:  # a reader always has both
            raise StoreDamagedError(gens.PART, "the generation has no manifest")
        lines = gens.verify_hashes(folder, manifest)
        problems = [Problem(gens.part_of(line), "", line) for line in lines]
        return kb.generation, problems or _published_problems(kb, manifest)
    finally:
        kb.close()


def _file_problems(settings: Settings) -> list[Problem]:
    """Every file of the newest generation that is missing, cut or changed."""
    try:
        opened = gens.open_newest(settings.home)
    except StoreDamagedError as exc:
        return [Problem(exc.part, "", exc.detail)]
    try:
        lines = gens.verify_sizes(opened.folder, opened.manifest)
        lines += gens.verify_hashes(opened.folder, opened.manifest)
        return [
            Problem(gens.part_of(line), "", f"generation {opened.generation}: {line}")
            for line in lines
        ]
    finally:
        opened.lease.release()


def _published_problems(kb: KnowledgeBase, manifest: gens.Manifest) -> list[Problem]:
    try:
        records = read_records(kb.rdf)  # the snapshot's own registry, not the manifest's copy
    except StoreDamagedError as exc:
        return [Problem(exc.part, "", exc.detail)]
    if {d: (r.version, r.checksum, r.source) for d, r in records.items()} != manifest.records:
        return [Problem("published RDF snapshot", "", "its registry differs from the manifest")]
    problems, stored = verify_documents(kb, records, part_prefix="published ")
    lexical = kb.lexical
    expected = {p for texts in stored.values() for p in _passage_ids(texts)}
    if set(lexical.ids) != expected or len(lexical.ids) != len(expected):
        problems.append(Problem("published BM25 index", "", "its passages differ from the texts'"))
    if dict(lexical.versions) != {d: short_version(r.version) for d, r in records.items()}:
        problems.append(Problem("published BM25 index", "", "it was built from other versions"))
    problems += sample_vectors(kb, stored)
    return problems


# --- The working stores (writer only) ------------------------------------------------------


def inspect_working(settings: Settings) -> list[Problem]:
    """Problems of the writer's own stores; the caller holds the write lock."""
    try:
        kb = KnowledgeBase(settings, read_only=False)
    except StoreDamagedError as exc:
        return [Problem(exc.part, "", exc.detail)]
    try:
        records = kb.records()
        problems, _stored = verify_documents(kb, records)
        published = gens.newest(settings.home)
        if published is not None:
            manifest = gens.Manifest.load(gens.generation_dir(settings.home, published))
            if manifest.documents != {d: r.version for d, r in records.items()}:
                problems.append(
                    Problem(
                        "published generation",
                        "",
                        "older than the working stores (an ingest stopped before publishing)",
                        leftover=True,
                    )
                )
        return problems
    except StoreDamagedError as exc:
        return [Problem(exc.part, "", exc.detail)]
    finally:
        kb.close()


# --- Shared checks -----------------------------------------------------------------------


def verify_documents(
    kb: KnowledgeBase, records: Mapping[str, Record], part_prefix: str = ""
) -> tuple[list[Problem], dict[str, StoredText]]:
    """Texts, graphs and vectors of every registered document; the texts that passed."""
    problems: list[Problem] = []
    stored: dict[str, StoredText] = {}
    for doc_id, record in sorted(records.items()):
        found = _text(kb.store_texts, record)
        if isinstance(found, str):
            problems.append(Problem(TEXTS, doc_id, found))
        else:
            stored[doc_id] = found
    rdf_part = part_prefix + ("RDF snapshot" if part_prefix else "RDF store")
    problems += graph_problems(kb, stored, set(records), rdf_part)
    problems += vector_problems(kb.vectors.ids(), records, stored, part_prefix + "vector index")
    problems += [Problem(part_prefix + "vector index", "", p) for p in kb.vectors.verify()]
    problems += [Problem(rdf_part, "", p) for p in kb.rdf.verify()]
    return problems, stored


def _text(texts: TextStore, record: Record) -> StoredText | str:
    found = texts.load(record.doc_id, record.version)
    if found is None:
        return "its text is missing"
    if isinstance(found, str):
        return found
    if record.checksum and found.checksum != record.checksum:
        return "its metadata file was changed"
    return found


def graph_problems(
    kb: KnowledgeBase, stored: Mapping[str, StoredText], registered: set[str], part: str
) -> list[Problem]:
    """Each document graph has the triples its text's metadata recorded."""
    counts = kb.rdf.counts()
    problems = []
    if not counts.get(REFERENCE_GRAPH):
        problems.append(Problem(part, "", "the reference graph (ontology) is missing"))
    for doc_id, found in sorted(stored.items()):
        expected = found.meta.get("triples")
        actual = counts.get(DOC_GRAPH + doc_id, 0)
        if isinstance(expected, int) and actual != expected:
            problems.append(
                Problem(part, doc_id, f"its graph has {actual} triples, not {expected}")
            )
    for graph in sorted(counts):
        if graph.startswith(DOC_GRAPH) and graph.removeprefix(DOC_GRAPH) not in registered:
            doc_id = graph.removeprefix(DOC_GRAPH)
            problems.append(Problem(part, doc_id, "a graph nobody registered", leftover=True))
    return problems


def _passage_ids(found: StoredText) -> list[str]:
    doc_id = str(found.meta["doc_id"])
    return [p.passage_id for p in found.passages(doc_id)]


def vector_problems(
    ids: Iterable[str],
    records: Mapping[str, Record],
    stored: Mapping[str, StoredText],
    part: str,
) -> list[Problem]:
    """Every registered version has exactly its passages' vectors; nothing else is there."""
    by_doc: dict[str, set[str]] = {}
    stray = 0
    for vid in ids:
        passage_id, version = split_vector_id(vid)
        doc_id = passage_id.rpartition(":")[0]
        record = records.get(doc_id)
        if record is None or short_version(record.version) != version:
            stray += 1
            continue
        by_doc.setdefault(doc_id, set()).add(vid)
    problems = []
    for doc_id, found in sorted(stored.items()):
        version = records[doc_id].version
        expected = {vector_id(p, version) for p in _passage_ids(found)}
        have = by_doc.get(doc_id, set())
        if have != expected:
            missing, extra = len(expected - have), len(have - expected)
            problems.append(Problem(part, doc_id, f"{missing} vectors missing, {extra} unexpected"))
    if stray:
        problems.append(
            Problem(part, "", f"{stray} vectors of versions no document has", leftover=True)
        )
    return problems


def sample_vectors(kb: KnowledgeBase, stored: Mapping[str, StoredText]) -> list[Problem]:
    """Compare a sample of stored vectors with fresh embeddings of their passages.

    File checks cannot see an index whose vectors are wrong but well-formed (written from a
    garbled working copy); re-embedding a few dozen passages can.
    """
    size = kb.settings.check_sample
    passages = [p for found in stored.values() for p in found.passages(str(found.meta["doc_id"]))]
    if size <= 0 or not passages:
        return []
    chosen = random.Random(kb.generation).sample(passages, min(size, len(passages)))
    records = kb.records()
    ids = [vector_id(p.passage_id, records[p.doc_id].version) for p in chosen]
    try:
        got = kb.vectors.embeddings(ids)
    except StoreDamagedError as exc:
        return [Problem(exc.part, "", exc.detail)]
    fresh = kb.embedder.embed([p.embedding_text for p in chosen])
    wrong = [
        vid
        for vid, vector in zip(ids, fresh, strict=True)
        if vid in got and _cosine(got[vid], vector) < _SAME_VECTOR
    ]
    if not wrong:
        return []
    return [
        Problem(
            "published vector index",
            "",
            f"{len(wrong)} of {len(chosen)} sampled vectors differ from their passages' "
            f"embeddings (e.g. {wrong[0]})",
        )
    ]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b)) or 1.0
    return float(np.dot(a, b)) / denominator


# --- What an ingest does first ------------------------------------------------------------


def recover(kb: KnowledgeBase) -> list[str]:
    """Remove what an interrupted ingest left (writer, at the start of every ingest).

    Damage is not a leftover: a registered document whose vectors or metadata are wrong
    stops the ingest with StoreDamagedError, and `kg check --repair` fixes it. A text is
    not hashed here (that would double the time of an ingest with nothing to do); it is
    whenever it is read: for an answer, for BM25 at publish, by `kg check`.
    """
    records = kb.records()
    done: list[str] = []
    for doc_id in sorted(_doc_graphs(kb) - set(records)):
        kb.rdf.drop_graph(DOC_GRAPH + doc_id)
        done.append(f"{doc_id}: removed a graph an interrupted ingest left")
    expected: dict[str, set[str]] = {}
    for doc_id, record in records.items():  # the metadata only: texts are hashed when read
        meta = kb.store_texts.load_meta(record)
        if isinstance(meta, str):
            raise StoreDamagedError(TEXTS, f"{doc_id!r}: {meta}")
        expected[doc_id] = {
            vector_id(f"{doc_id}:{s}-{e}", record.version) for s, e, *_ in meta["passages"]
        }
    stray: list[str] = []
    damaged = []
    have: dict[str, set[str]] = {}
    for vid in kb.vectors.ids():
        passage_id, version = split_vector_id(vid)
        doc_id = passage_id.rpartition(":")[0]
        if doc_id in records and short_version(records[doc_id].version) == version:
            have.setdefault(doc_id, set()).add(vid)
        else:
            stray.append(vid)
    damaged = sorted(d for d, ids in expected.items() if have.get(d, set()) != ids)
    if damaged:
        raise StoreDamagedError(
            "vector index", f"{len(damaged)} documents have missing vectors, e.g. {damaged[0]!r}"
        )
    if stray:
        kb.vectors.delete(stray)
        done.append(f"removed {len(stray)} vectors an interrupted ingest left")
    return done


def _doc_graphs(kb: KnowledgeBase) -> set[str]:
    return {g.removeprefix(DOC_GRAPH) for g in kb.rdf.graph_names() if g.startswith(DOC_GRAPH)}


__all__ = [
    "CheckReport",
    "Problem",
    "check",
    "inspect_published",
    "inspect_working",
    "recover",
]
