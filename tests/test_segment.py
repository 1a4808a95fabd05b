"""Sentences and passages: exact offsets, structure respected, sizes for retrieval."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.load import load_document
from ingest.segment import MAX_WORDS, segment
from kg.model import Document
from kg.text import sentence_spans, word_count
from tests.conftest import CORPUS


def _doc(text: str) -> Document:
    return Document("d", "d.txt", text, "0" * 64, "d")


def corpus_docs() -> list[Document]:
    return [load_document(p, CORPUS) for p in sorted(CORPUS.glob("*.txt"))]


def test_sentences_respect_abbreviations_and_lines() -> None:
    text = "Dr Subeena Suleman chaired it. The Board met.\n• An item\nNov 22 : Lift and shift"
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "Dr Subeena Suleman chaired it.",
        "The Board met.",
        "• An item",
        "Nov 22 : Lift and shift",
    ]


@given(st.text(alphabet=st.sampled_from(list("abc DEF.?!\n•:(i)12 ")), max_size=300))
@settings(max_examples=100, deadline=None)
def test_sentence_spans_are_trimmed_ordered_and_in_bounds(text: str) -> None:
    last = 0
    for s, e in sentence_spans(text):
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert "\n" not in text[s:e]
        last = e


@given(
    st.lists(
        st.one_of(
            st.from_regex(r"[A-Z][a-z]{2,8}( [a-z]{2,8}){3,30}\.", fullmatch=True),
            st.from_regex(r"• [A-Z][a-z]{2,8}( [a-z]{2,8}){1,12}", fullmatch=True),
            st.from_regex(r"[A-Z][a-z]{3,9}( [A-Z][a-z]{3,9}){0,3}", fullmatch=True),
        ),
        min_size=1,
        max_size=30,
    )
)
@settings(max_examples=100, deadline=None)
def test_passages_are_exact_ordered_and_cover_all_text(blocks: list[str]) -> None:
    text = "\n\n".join(blocks)
    passages = segment(_doc(text))
    covered = 0
    for p in passages:
        assert p.text == text[p.start : p.end]
        assert p.start >= covered
        assert not text[covered : p.start].strip(), "text between passages was lost"
        covered = p.end
    assert not text[covered:].strip()


def test_corpus_passages_are_sized_and_never_split_a_sentence() -> None:
    for doc in corpus_docs():
        passages = segment(doc)
        assert len(passages) >= 5
        boundaries = {e for s, e in sentence_spans(doc.text)} | {len(doc.text)}
        for p in passages:
            assert p.text == doc.text[p.start : p.end]
            assert word_count(p.text) <= MAX_WORDS + 10
            assert p.end in boundaries, f"passage ends mid-sentence: {p.text[-60:]!r}"


def test_a_list_stays_with_its_lead_in() -> None:
    doc = next(d for d in corpus_docs() if d.doc_id.startswith("jhosc"))
    resolution = next(p for p in segment(doc) if "(i) Endorsed" in p.text)
    assert "The Joint Health Overview and Scrutiny Committee:" in resolution.text
    assert "(ii) Requested" in resolution.text


def test_headings_start_sections() -> None:
    doc = next(d for d in corpus_docs() if d.doc_id.startswith("gp-psu"))
    passages = segment(doc)
    timeline = next(p for p in passages if "Nov 22" in p.text)
    assert timeline.section.startswith("GPPSU : steps in our development")
    assert timeline.text.startswith("GPPSU : steps in our development")


def test_segmenting_twice_gives_the_same_passages(tmp_path: Path) -> None:
    for doc in corpus_docs():
        assert segment(doc) == segment(doc)
