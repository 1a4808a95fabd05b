"""Inputs that used to stop an ingest: deep nesting, huge paragraphs, slow files, odd links.

Each bad file must fail alone with one line, and every good file beside it must be
ingested. Speed is not asserted here; the coarse guards below only fail when growth is
pathological (the quadratic segmenter took thousands of seconds where the linear one
takes seconds), and benchmarks/inputs.py prints the real size ladder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from benchmarks.inputs import MB, measure, nested_html, paragraph
from ingest.load import discover, load_document
from ingest.loaders.html import MAX_DEPTH, bound_depth
from ingest.pipeline import ingest
from ingest.worker import FileReader
from kg.errors import DocumentError
from kg.namespaces import slug
from kg.settings import Settings
from tests.conftest import REPO

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "docs"
GENEROUS = 600.0  # seconds: two orders of magnitude above the linear code on a busy machine


# --- coarse guards against super-linear growth --------------------------------------


def test_a_4_mb_paragraph_segments_within_a_generous_limit() -> None:
    result = measure("paragraph", 4 * MB, GENEROUS)
    assert result is not None, f"segmenting a 4 MB paragraph took over {GENEROUS:g} s"
    assert "error" not in result, result
    assert result["passages"] > 1000  # cut into passages, not one 4 MB "sentence"


def test_html_nested_100000_deep_loads_within_a_generous_limit() -> None:
    result = measure("html-nested", 100_000, GENEROUS)
    assert result is not None, f"loading 100,000 nested elements took over {GENEROUS:g} s"
    assert "error" not in result, result  # no RecursionError
    assert result["passages"] >= 1


def test_depth_cap_keeps_every_word_and_bounds_the_tree() -> None:
    html = nested_html(5_000)
    capped = bound_depth(html)
    tree = LexborHTMLParser(capped)
    deepest = tree.css_first("p")
    depth = 0
    while deepest is not None:
        deepest, depth = deepest.parent, depth + 1
    assert depth <= MAX_DEPTH + 2
    assert tree.body is not None
    assert " ".join(tree.body.text().split()) == " ".join(paragraph(2000).split())
    shallow = "<html><body><div><p>Hello</p></div></body></html>"
    assert bound_depth(shallow) is shallow  # nothing to do: the page is not even copied


def test_unterminated_comments_and_tags_do_not_make_the_depth_scan_quadratic() -> None:
    for hostile in ("<!--" + "<div " * 200_000, "<div " * 200_000):  # no "-->", no ">"
        assert bound_depth(hostile) is hostile


# --- symbolic links -------------------------------------------------------------------


@pytest.fixture
def linked_corpus(tmp_path: Path) -> Path:
    """A corpus with every kind of link: good, broken, looping, and to folders."""
    corpus = tmp_path / "corpus"
    (corpus / "papers").mkdir(parents=True)
    outside = tmp_path / "shared"
    outside.mkdir()
    (corpus / "a.txt").write_text("The Board met and agreed the plan.")
    (corpus / "papers" / "b.txt").write_text("The Committee noted the report.")
    (outside / "c.txt").write_text("The Panel asked for an update.")
    (corpus / "good-link.txt").symlink_to(corpus / "a.txt")
    (corpus / "broken.txt").symlink_to(corpus / "nowhere.txt")
    (corpus / "loop-a.txt").symlink_to(corpus / "loop-b.txt")
    (corpus / "loop-b.txt").symlink_to(corpus / "loop-a.txt")
    (corpus / "papers" / "up").symlink_to(corpus, target_is_directory=True)
    (corpus / "again").symlink_to(corpus / "papers", target_is_directory=True)
    (corpus / "shared").symlink_to(outside, target_is_directory=True)
    os.mkfifo(corpus / "pipe.txt")
    return corpus


def test_links_are_followed_once_and_bad_ones_get_one_line_each(linked_corpus: Path) -> None:
    pairs, errors = discover([linked_corpus])
    found = sorted(str(path.relative_to(linked_corpus)) for path, _ in pairs)
    assert found == ["a.txt", "good-link.txt", "papers/b.txt", "shared/c.txt"]
    lines = {Path(e.path).name: e.reason for e in errors}
    assert len(errors) == len(lines) == 6, errors  # one line per bad entry, no repeats
    assert lines["broken.txt"].startswith("broken symbolic link")
    assert lines["loop-a.txt"].startswith("symbolic link loop")
    assert lines["loop-b.txt"].startswith("symbolic link loop")
    assert lines["up"].startswith("symbolic link loop")
    assert lines["again"].startswith("link to a folder already read")
    assert lines["pipe.txt"] == "not a regular file"


def test_a_looping_link_given_directly_is_one_line(linked_corpus: Path) -> None:
    pairs, errors = discover([linked_corpus / "loop-a.txt", linked_corpus / "broken.txt"])
    assert pairs == []
    assert [e.reason.split(":")[0] for e in errors] == [
        "symbolic link loop",
        "broken symbolic link",
    ]


# --- a whole run: good files beside bad ones ------------------------------------------


def test_kg_ingest_reads_every_good_file_beside_bad_ones(tmp_path: Path, kg_home: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES, corpus, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (corpus / "deep.html").write_text(nested_html(100_000), encoding="utf-8")
    (corpus / "long-paragraph.txt").write_text(paragraph(MB // 8), encoding="utf-8")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "note.txt").write_text("The Panel agreed the work programme.")
    bad = {
        "broken.txt": "broken symbolic link",
        "loop-a.txt": "symbolic link loop",
        "loop-b.txt": "symbolic link loop",
        "back-up": "symbolic link loop",
        "truncated.pdf": "not a valid PDF file",
        "empty.docx": "empty file",
    }
    (corpus / "broken.txt").symlink_to(corpus / "gone.txt")
    (corpus / "loop-a.txt").symlink_to(corpus / "loop-b.txt")
    (corpus / "loop-b.txt").symlink_to(corpus / "loop-a.txt")
    (corpus / "sub" / "back-up").symlink_to(corpus, target_is_directory=True)
    (corpus / "truncated.pdf").write_bytes(
        (FIXTURES / "north-vale-access-strategy.pdf").read_bytes()[:300]
    )
    (corpus / "empty.docx").write_bytes(b"")
    good = sorted(
        p.stem
        for p in corpus.rglob("*")
        if p.is_file() and not p.is_symlink() and p.name not in bad
    )
    run = subprocess.run(
        [str(REPO / ".venv" / "bin" / "kg"), "ingest", str(corpus)],
        capture_output=True,
        text=True,
        env={**os.environ, "KG_HOME": str(kg_home)},
        timeout=1200,
    )
    assert run.returncode == 1, run.stderr  # some files failed
    assert "Traceback" not in run.stderr + run.stdout
    failed = [line for line in run.stderr.splitlines() if line.startswith("failed:")]
    for name, reason in bad.items():
        mine = [line for line in failed if f"/{name}:" in line]
        assert len(mine) == 1 and reason in mine[0], (name, failed)
    assert len(failed) == len(bad), failed
    assert f"{len(good)} added" in run.stdout, run.stdout
    docs = subprocess.run(
        [str(REPO / ".venv" / "bin" / "kg"), "docs", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "KG_HOME": str(kg_home)},
        timeout=300,
    )
    listed = {record["id"] for record in json.loads(docs.stdout)}
    assert listed == {slug(stem) if stem != "note" else "sub-note" for stem in good}


def test_a_file_over_the_time_limit_fails_alone_and_the_run_goes_on(
    tmp_path: Path, kg_home: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a-before.txt").write_text("The Board met on Tuesday and agreed the plan.")
    (corpus / "b-huge.txt").write_text(paragraph(3 * MB), encoding="utf-8")
    (corpus / "c-after.txt").write_text("The Committee noted the report on access.")
    settings = Settings.from_env(file_timeout=5.0)
    report = ingest(settings, [corpus])
    assert sorted(report.added) == ["a-before", "c-after"]
    assert [Path(e.path).name for e in report.failed] == ["b-huge.txt"]
    assert report.failed[0].reason == "took longer than 5 s to read (KG_FILE_TIMEOUT); skipped"


def test_a_file_over_the_memory_limit_fails_alone(tmp_path: Path) -> None:
    """The reader's memory cap turns a greedy file into one line; the next file is read."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the address-space cap is enforced on Linux")
    (tmp_path / "greedy.html").write_text(
        "<html><body><main>" + "<p>the panel noted it</p>" * 1_200_000 + "</main></body></html>"
    )
    (tmp_path / "small.txt").write_text("The Board agreed the plan.")
    reader = FileReader(Settings.from_env().ontology, memory_mb=512)
    try:
        with pytest.raises(DocumentError) as info:
            reader.read(tmp_path / "greedy.html", tmp_path, {}, 60 * MB, GENEROUS)
        reason = info.value.reason
        assert reason == "needs more than 512 MB of memory (KG_FILE_MEMORY_MB)" or (
            reason.startswith("the process reading it stopped")  # died inside a C library
        )
        after = reader.read(tmp_path / "small.txt", tmp_path, {}, MB, GENEROUS)
        assert after.doc.text == "The Board agreed the plan."
    finally:
        reader.close()


def test_a_load_error_inside_the_reader_is_the_usual_one_line(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"")
    with pytest.raises(DocumentError) as direct:
        load_document(tmp_path / "x.txt", tmp_path, {})
    reader = FileReader(Settings.from_env().ontology, memory_mb=0)
    try:
        with pytest.raises(DocumentError) as isolated:
            reader.read(tmp_path / "x.txt", tmp_path, {}, MB, GENEROUS)
    finally:
        reader.close()
    assert str(isolated.value) == str(direct.value) == f"{tmp_path / 'x.txt'}: empty file"
