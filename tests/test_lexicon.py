"""The lexicon: word lists as data, shared by extraction and answering."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import ConfigError
from kg.lexicon import load_lexicon, read_lexicon
from tests.extract_helpers import ONTOLOGY


@pytest.fixture(scope="module")
def lexicon():  # type: ignore[no-untyped-def]
    return load_lexicon(ONTOLOGY)


def test_schemes_from_both_files(lexicon) -> None:  # type: ignore[no-untyped-def]
    names = set(lexicon.scheme_names)
    assert {"titles", "months", "synonyms", "roles", "decision-verbs"} <= names
    assert "chair" in lexicon.words("roles") and "endorsed" in lexicon.words("decision-verbs")


def test_lookups_ignore_case_and_give_the_canonical_label(lexicon) -> None:  # type: ignore[no-untyped-def]
    assert lexicon.entry_for("titles", "cllr").label == "Councillor"
    assert lexicon.entry_for("months", "SEPT").notation == "9"
    assert lexicon.entry_for("months", "Smarch") is None


def test_pattern_matches_whole_words_longest_first(lexicon) -> None:  # type: ignore[no-untyped-def]
    pattern = lexicon.pattern("synonyms")
    assert pattern.search("the board was made up of ten")[0] == "made up of"
    assert pattern.search("unestablished") is None


def test_synonyms_are_symmetric(lexicon) -> None:  # type: ignore[no-untyped-def]
    assert "established" in lexicon.synonyms("set up")
    assert "set up" in lexicon.synonyms("Established")
    assert lexicon.synonyms("zebra") == {"zebra"}


def test_unknown_scheme_and_missing_files_are_config_errors(lexicon, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="valid:"):
        lexicon.entries("colours")
    with pytest.raises(ConfigError, match="lexicon file not found"):
        read_lexicon(tmp_path)
