"""Ingestion into real stores: idempotent, replaces changed documents, removes, prunes, locks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answer import Answerer
from ingest.check import check
from ingest.pipeline import ingest, remove
from kg.base import KnowledgeBase
from kg.errors import NotFoundError, StoreLockedError
from kg.lock import write_lock
from kg.namespaces import PREFIXES, doc_graph_iri
from kg.settings import Settings
from tests.conftest import CORPUS

MINUTE = """Agenda item

Parking review

The Head of Estates presented the parking review to the Committee.

The Committee:

(i) Approved the new parking charges of £2 per hour from 1 April 2024.

(ii) Requested a further report in six months.
"""


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def _vector_ids(kb: KnowledgeBase, doc_id: str) -> set[str]:
    return {v for v in kb.vectors.ids() if v.startswith(doc_id + ":")}


def _state(settings: Settings) -> tuple[int, set[str], list[str], list[str]]:
    kb = KnowledgeBase(settings, read_only=True)
    return kb.rdf.count(), set(kb.vectors.ids()), sorted(kb.lexical.ids), kb.rdf.graph_names()


def test_reingesting_an_unchanged_corpus_changes_nothing(corpus_copy: Path, kg_home: Path) -> None:
    settings = Settings.from_env()
    first = ingest(settings, [corpus_copy])
    assert sorted(first.added) == sorted(p.stem for p in corpus_copy.glob("*.txt"))
    before = _state(settings)
    second = ingest(settings, [corpus_copy])
    assert second.added == second.updated == [] and len(second.unchanged) == 2
    assert _state(settings) == before
    assert check(settings).problems == []


def _as_html(text: str) -> str:
    """The minute as a committee-management system page: navigation, cookie banner, footer."""
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    body = "".join(f"<h2>{b}</h2>" if len(b.split()) < 4 else f"<p>{b}</p>" for b in blocks)
    return (
        "<html><head><title>Parking review</title><script>var x=1;</script></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/meetings'>Meetings</a></nav>"
        "<div id='cookie-banner'>We use cookies. Accept?</div>"
        f"<main>{body}</main><footer>Copyright Example Council</footer></body></html>"
    )


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_a_changed_document_is_replaced_everywhere(tmp_path: Path, suffix: str) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    source = folder / f"parking{suffix}"

    def write(text: str) -> None:
        source.write_text(_as_html(text) if suffix == ".html" else text, encoding="utf-8")

    write(MINUTE)
    settings = Settings.from_env()
    ingest(settings, [folder])
    old = Answerer(KnowledgeBase(settings)).ask("What parking charges did the Committee approve?")
    assert old.answered and "£2 per hour" in old.answer

    write(MINUTE.replace("£2 per hour", "£3 per hour"))
    report = ingest(settings, [folder])
    assert report.updated == ["parking"], report
    kb = KnowledgeBase(settings)
    new = Answerer(kb).ask("What parking charges did the Committee approve?")
    assert new.answered and "£3 per hour" in new.answer
    texts = [c.text for c in new.citations]
    assert all("£2" not in t for t in texts)
    assert not any("£2" in p.text for p in kb.texts.all_passages())
    rows = list(
        kb.rdf.query('SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "£2 per hour")) }')
    )
    assert rows == []
    assert len(_vector_ids(kb, "parking")) == len(kb.texts.passages("parking"))
    assert check(settings).problems == []


def test_remove_and_prune(corpus_copy: Path) -> None:
    settings = Settings.from_env()
    ingest(settings, [corpus_copy])
    remove(settings, ["gp-psu-developing-the-role"])
    kb = KnowledgeBase(settings)
    assert doc_graph_iri("gp-psu-developing-the-role") not in kb.rdf.graph_names()
    assert _vector_ids(kb, "gp-psu-developing-the-role") == set()
    assert all(not i.startswith("gp-psu") for i in kb.lexical.ids)
    with pytest.raises(NotFoundError):
        remove(settings, ["no-such-doc"])

    ingest(settings, [corpus_copy])
    (corpus_copy / "jhosc-enabling-primary-care-strategy-progress-report.txt").unlink()
    report = ingest(settings, [corpus_copy], prune=True)
    assert report.removed == ["jhosc-enabling-primary-care-strategy-progress-report"]
    assert set(KnowledgeBase(settings).registry()) == {"gp-psu-developing-the-role"}


def test_shared_entities_survive_removing_one_document(corpus_copy: Path) -> None:
    settings = Settings.from_env()
    ingest(settings, [corpus_copy])
    icb = (
        "SELECT DISTINCT ?g WHERE { ?icb gov:acronym 'ICB' . "
        "GRAPH ?g { { ?icb ?p ?o } UNION { ?s ?p ?icb } } }"
    )
    purposes = "SELECT ?p WHERE { ?o org:purpose ?p }"
    kb = KnowledgeBase(settings)
    both = {doc_graph_iri(d) for d in kb.registry()}
    assert both <= {row["g"].value for row in kb.rdf.query(icb, prefixes=PREFIXES)}
    assert list(kb.rdf.query(purposes, prefixes=PREFIXES))
    remove(settings, ["gp-psu-developing-the-role"])
    kb = KnowledgeBase(settings)
    graphs = {row["g"].value for row in kb.rdf.query(icb, prefixes=PREFIXES)}
    assert doc_graph_iri("jhosc-enabling-primary-care-strategy-progress-report") in graphs
    assert doc_graph_iri("gp-psu-developing-the-role") not in graphs
    assert list(kb.rdf.query(purposes, prefixes=PREFIXES)) == []  # only that document said so


def test_bad_files_fail_alone(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text(MINUTE, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "random.pdf").write_bytes(b"\x00\x01 not a pdf")
    (folder / "sheet.xlsx").write_bytes(b"PK")
    report = ingest(Settings.from_env(), [folder, tmp_path / "missing.txt"])
    assert report.added == ["good"]
    reasons = sorted(str(e) for e in report.failed)
    assert len(reasons) == 4
    assert any("empty file" in r for r in reasons)
    assert any("not a valid PDF" in r for r in reasons)


def test_a_second_writer_gets_a_clear_error() -> None:
    settings = Settings.from_env()
    with (
        write_lock(settings.lock_path),
        pytest.raises(StoreLockedError, match="another kg process"),
    ):
        ingest(settings, [CORPUS])


def test_rebuild_gives_the_same_graph(corpus_copy: Path) -> None:
    settings = Settings.from_env()
    ingest(settings, [corpus_copy])
    before = _state(settings)
    report = ingest(settings, [corpus_copy], rebuild=True)
    assert len(report.added) == 2
    after = _state(settings)
    assert after[1:] == before[1:]
    assert after[0] == before[0]
