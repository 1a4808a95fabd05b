"""The benchmark corpus generator: deterministic, right-sized, and its answers are in its texts."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from benchmarks.generate import documents, norm, write_corpus
from benchmarks.run import percentile, table


def _read_tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_corpus(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 30, 20, seed=3)
    write_corpus(tmp_path / "b", 30, 20, seed=3)
    assert _read_tree(tmp_path / "a") == _read_tree(tmp_path / "b")


def test_other_seed_other_corpus() -> None:
    first = [d.text for d in documents(6, seed=1)]
    second = [d.text for d in documents(6, seed=2)]
    assert first != second


def test_sizes_and_catalog(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, 45, 50)
    texts = sorted(corpus.glob("*.txt"))
    assert len(texts) == 45
    catalog = tomllib.loads((corpus / "metadata.toml").read_text(encoding="utf-8"))
    assert sorted(catalog) == [p.name for p in texts]
    assert {entry["type"] for entry in catalog.values()} == {
        "minutes",
        "strategy paper",
        "PSU page",
    }
    lines = (tmp_path / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 50


def test_evidence_and_answers_occur_in_their_document(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, 60, 80)
    items = [json.loads(line) for line in (tmp_path / "questions.jsonl").read_text().splitlines()]
    assert {"id", "question", "must", "evidence", "answerable"} <= set(items[0])
    answerable = [i for i in items if i["answerable"]]
    assert answerable and len(answerable) < len(items)
    for item in answerable:
        text = (corpus / item["doc"]).read_text(encoding="utf-8")
        assert item["quote"] in text
        assert all(e in norm(text) for e in item["evidence"])
        for group in item["must"]:
            assert any(norm(alt) in norm(item["quote"]) for alt in group), item


def test_unanswerable_questions_name_nothing_in_the_corpus(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, 60, 80)
    everything = " ".join(p.read_text(encoding="utf-8") for p in corpus.glob("*.txt"))
    items = [json.loads(line) for line in (tmp_path / "questions.jsonl").read_text().splitlines()]
    for item in items:
        if not item["answerable"]:
            assert item["evidence"] == [] and item["must"] == []
            assert "Vale" in item["question"] or "shire" in item["question"]
            assert " Vale " not in everything and "shire" not in everything


def test_questions_name_unique_entities() -> None:
    questions = [q.question for d in documents(600) for q in d.questions]
    assert len(questions) == len(set(questions))


def test_percentile_and_table() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([float(n) for n in range(1, 101)], 95) == 95.0
    row = {
        "size": 10, "docs": 10, "passages": 40, "ingest_s": 4.0, "ceiling_s": 2.0,
        "model_load_s": 1.0, "ask_p50_ms": 50.0, "ask_p95_ms": 90.0, "questions": 50,
        "cold_ask_s": 5.0, "hit_rate": 0.9, "recall_at_k": 1.0, "accuracy": 0.8,
        "triples": 1000, "sparql_ms": {"timeline": 2.0}, "sparql_rows": {"timeline": 12},
        "sparql_floor_ms": 9.5, "ingest_rss_mb": 600.0,
        "ask_rss_mb": 700.0, "disk_mb": 3.0,
    }  # fmt: skip
    text = table([row])
    assert "| ingest / ceiling | 2.00 | ≤ 1.5 |" in text
    assert "SPARQL `timeline` median (ms), rows | 2.0, 12 | ≤ 50 |" in text
    assert "| SPARQL floor: read 10,000 rows of one quad scan (ms) | 9.5 |" in text
