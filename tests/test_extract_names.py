"""The string search for a document's learned names finds exactly what the alias table's
regular expressions would find for the same names."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from ingest.extract.entities import _compile_names, _learned_spans
from ingest.extract.reference import Entity

NAMES = ["Ab Board", "ab", "a-b", "Éa Unit"]
ACRONYMS = ["AB", "ABs", "XY"]
TEXT = st.text(alphabet=list("aAbBsxXyY -_.\n()É1"), max_size=60).map(
    lambda t: t.replace("x", "Ab Board ").replace("1", "ABs")
)


def _regex_spans(text: str, names: list[str], acronyms: list[str]) -> set[tuple[int, int, bool]]:
    name_re, acronym_re = _compile_names(
        tuple(sorted({n.lower() for n in names}, key=lambda n: (-len(n), n))),
        tuple(sorted(set(acronyms), key=lambda n: (-len(n), n))),
    )
    return {(m.start(), m.end(), False) for m in name_re.finditer(text)} | {
        (m.start(), m.end(), True) for m in acronym_re.finditer(text)
    }


@settings(max_examples=400, deadline=None)
@given(text=TEXT, name=st.sampled_from(NAMES), acronym=st.sampled_from(ACRONYMS))
def test_string_search_matches_the_regex(text: str, name: str, acronym: str) -> None:
    entity = Entity(URIRef("https://example.org/e"), "org", name, (acronym,))
    assert set(_learned_spans(text, [entity])) == _regex_spans(text, [name], [acronym])


def test_plural_and_word_boundaries() -> None:
    entity = Entity(URIRef("https://example.org/e"), "org", "Ab Board", ("AB",))
    text = "The ab boards met; AB's chair and ABs, not ABC or x-AB or Ab Boardroom."
    found = sorted(_learned_spans(text, [entity]))
    assert [text[s:e] for s, e, _ in found] == ["ab boards", "AB", "AB"]
