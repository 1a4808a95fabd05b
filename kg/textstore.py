"""Clean document texts and their passages on disk: the source of truth for citations.

One pair of files per document *version* (``texts/<doc>@<version>.txt`` and ``.json``),
so a writer adds the next version beside the one readers are citing. The ``.json`` holds
the document's metadata, its passage spans, the sha256 of the text and how many triples
its graph has; the registry holds the sha256 of the ``.json`` itself. Every read checks
both, so a cut or edited file is reported, never cited.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import NotFoundError, StoreDamagedError
from kg.model import Document, Passage
from kg.stores.base import short_version
from kg.stores.files import atomic_write, sha256_bytes

PART = "text store"


@dataclass(frozen=True)
class Record:
    """What the registry says about one document: which version, and its meta's checksum."""

    doc_id: str
    version: str  # sha256 of the source bytes
    checksum: str  # sha256 of the stored .json ("" for entries written before checksums)
    source: str = ""  # path relative to the corpus root


@dataclass(frozen=True)
class StoredText:
    text: str
    meta: dict[str, Any]
    checksum: str

    def passages(self, doc_id: str) -> list[Passage]:
        return [
            Passage.from_row(doc_id, i, self.text, row)
            for i, row in enumerate(self.meta["passages"])
        ]

    def document(self) -> Document:
        """The Document this text was stored from (repair re-derives graphs from it)."""
        fields = {k: v for k, v in self.meta.items() if k in Document.__dataclass_fields__}
        fields["page_starts"] = tuple(fields.get("page_starts") or ())
        return Document(text=self.text, **fields)


class TextStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def paths(self, doc_id: str, version: str) -> tuple[Path, Path]:
        stem = f"{doc_id}@{short_version(version)}" if version else doc_id
        return self.root / f"{stem}.txt", self.root / f"{stem}.json"

    def put(
        self, doc: Document, passages: list[Passage], triples: int, source_file: str = ""
    ) -> str:
        """Write one version (text first, then meta); return the meta's checksum."""
        self.root.mkdir(parents=True, exist_ok=True)
        text = doc.text.encode("utf-8")
        meta = {k: v for k, v in asdict(doc).items() if k != "text"}
        meta["passages"] = [p.to_row() for p in passages]
        meta["text_sha256"] = sha256_bytes(text)
        meta["triples"] = triples
        meta["source_file"] = source_file
        data = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
        text_path, meta_path = self.paths(doc.doc_id, doc.sha256)
        atomic_write(text_path, text)
        atomic_write(meta_path, data)
        return sha256_bytes(data)

    def read(self, record: Record) -> StoredText:
        """The registered version, checked against the registry's checksum."""
        found = self.load(record.doc_id, record.version)
        if found is None:
            raise StoreDamagedError(PART, f"the text of {record.doc_id!r} is missing")
        if isinstance(found, str):
            raise StoreDamagedError(PART, f"{record.doc_id!r}: {found}")
        if record.checksum and found.checksum != record.checksum:
            raise StoreDamagedError(PART, f"{record.doc_id!r}: its metadata file was changed")
        return found

    def load(self, doc_id: str, version: str) -> StoredText | str | None:
        """A stored version if its files agree with each other; a problem; None if absent."""
        text_path, meta_path = self.paths(doc_id, version)
        try:
            data = meta_path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            meta = json.loads(data)
            expected = str(meta["text_sha256"])
            spans = meta["passages"]
        except (ValueError, KeyError, TypeError):
            return f"{meta_path.name} is unreadable"
        try:
            raw = text_path.read_bytes()
        except FileNotFoundError:
            return f"{text_path.name} is missing"
        if sha256_bytes(raw) != expected:
            return f"{text_path.name} was cut or changed"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return f"{text_path.name} is not UTF-8"
        if not isinstance(spans, list) or any(
            not (isinstance(s, list) and len(s) in (3, 4) and 0 <= s[0] <= s[1] <= len(text))
            for s in spans
        ):
            return f"{meta_path.name} has passage spans outside the text"
        return StoredText(text, meta, sha256_bytes(data))

    def load_meta(self, record: Record) -> dict[str, Any] | str:
        """The registered version's metadata, checked against the registry (no text read)."""
        _text_path, meta_path = self.paths(record.doc_id, record.version)
        try:
            data = meta_path.read_bytes()
        except FileNotFoundError:
            return "its text is missing"
        if record.checksum and sha256_bytes(data) != record.checksum:
            return "its metadata file was changed"
        try:
            meta = json.loads(data)
        except ValueError:
            return f"{meta_path.name} is unreadable"
        if not isinstance(meta, dict) or not isinstance(meta.get("passages"), list):
            return f"{meta_path.name} is unreadable"
        return meta

    def stored(self) -> dict[str, set[str]]:
        """doc id -> short versions with files on disk (complete or not)."""
        out: dict[str, set[str]] = {}
        if self.root.exists():
            for path in self.root.iterdir():
                if path.suffix in {".txt", ".json"} and not path.name.startswith("."):
                    doc_id, _, version = path.stem.rpartition("@")  # "" for layout 1 names
                    out.setdefault(doc_id or path.stem, set()).add(version)
        return out

    def delete(self, doc_id: str, version: str) -> None:
        for path in self.paths(doc_id, version):
            path.unlink(missing_ok=True)

    def collect(self, keep: set[tuple[str, str]]) -> int:
        """Delete every version not in ``keep`` ((doc id, short version) pairs)."""
        removed = 0
        for doc_id, versions in self.stored().items():
            for version in versions:
                if (doc_id, version) not in keep:
                    self.delete(doc_id, version)
                    removed += 1
        for tmp in self.root.glob(".*.tmp") if self.root.exists() else ():
            tmp.unlink(missing_ok=True)
        return removed


class TextView:
    """The texts of the versions one registry holds: what ``kb.texts`` is."""

    def __init__(self, store: TextStore, records: Callable[[], Mapping[str, Record]]) -> None:
        self.store = store
        self._records = records
        self._read = lru_cache(maxsize=256)(store.read)

    def _stored(self, doc_id: str) -> StoredText:
        record = self._records().get(doc_id)
        if record is None:
            raise NotFoundError(f"no document {doc_id!r}")
        return self._read(record)

    def text(self, doc_id: str) -> str:
        return self._stored(doc_id).text

    def meta(self, doc_id: str) -> dict[str, Any]:
        return self._stored(doc_id).meta

    def doc_ids(self) -> list[str]:
        return sorted(self._records())

    def passages(self, doc_id: str) -> list[Passage]:
        return self._stored(doc_id).passages(doc_id)

    def all_passages(self) -> Iterator[Passage]:
        for doc_id in self.doc_ids():
            yield from self.store.read(self._records()[doc_id]).passages(doc_id)
