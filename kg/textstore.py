"""Clean document texts and their passages on disk: the source of truth for citations."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from kg.errors import NotFoundError
from kg.model import Document, Passage


def _atomic_write(path: Path, data: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(data, encoding="utf-8")
    os.replace(tmp, path)


class TextStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _text_path(self, doc_id: str) -> Path:
        return self.root / f"{doc_id}.txt"

    def _meta_path(self, doc_id: str) -> Path:
        return self.root / f"{doc_id}.json"

    def put(self, doc: Document, passages: list[Passage]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        meta = {k: v for k, v in asdict(doc).items() if k != "text"}
        meta["passages"] = [p.to_row() for p in passages]
        _atomic_write(self._text_path(doc.doc_id), doc.text)
        _atomic_write(self._meta_path(doc.doc_id), json.dumps(meta, ensure_ascii=False))

    def delete(self, doc_id: str) -> None:
        for path in (self._meta_path(doc_id), self._text_path(doc_id)):
            path.unlink(missing_ok=True)

    def text(self, doc_id: str) -> str:
        try:
            return self._text_path(doc_id).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFoundError(f"no document {doc_id!r}") from None

    def meta(self, doc_id: str) -> dict:
        try:
            return json.loads(self._meta_path(doc_id).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFoundError(f"no document {doc_id!r}") from None

    def doc_ids(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.stem for p in self.root.glob("*.json"))

    def passages(self, doc_id: str) -> list[Passage]:
        text = self.text(doc_id)
        spans = self.meta(doc_id)["passages"]
        return [Passage.from_row(doc_id, i, text, row) for i, row in enumerate(spans)]

    def all_passages(self) -> Iterator[Passage]:
        for doc_id in self.doc_ids():
            yield from self.passages(doc_id)
