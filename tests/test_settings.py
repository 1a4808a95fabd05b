"""Settings from KG_* variables, backend registries with helpful errors, the fake embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kg.base import KnowledgeBase
from kg.embed import HashingEmbedder, get_embedder
from kg.errors import ConfigError, UnknownBackendError
from kg.settings import Settings


def test_environment_overrides_defaults() -> None:
    s = Settings.from_env({"KG_HOME": "/x", "KG_TOP_K": "5", "KG_SPARQL_TIMEOUT": "2.5"})
    assert s.home == Path("/x") and s.top_k == 5 and s.sparql_timeout == 2.5
    assert Settings.from_env({}).port == 7860


def test_bad_values_and_unknown_backends_say_what_is_valid() -> None:
    with pytest.raises(ConfigError, match="KG_TOP_K"):
        Settings.from_env({"KG_TOP_K": "many"})
    with pytest.raises(UnknownBackendError, match="valid: hashing, minilm"):
        get_embedder("word2vec")
    for variable, valid in (
        ("KG_RDF_STORE", "oxigraph, sparql"),
        ("KG_VECTOR_STORE", "chroma, chroma-http"),
        ("KG_LEXICAL_STORE", "bm25"),
    ):
        settings = Settings.from_env({variable: "jena", "KG_HOME": "/tmp/never-created"})
        with pytest.raises(UnknownBackendError, match=f"{variable}.*'jena'; valid: {valid}"):
            KnowledgeBase(settings, read_only=False)
    assert not Path("/tmp/never-created").exists()


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    vectors = HashingEmbedder().embed(["a b c", "a b c", ""])
    assert np.allclose(vectors[0], vectors[1])
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0)
    assert not vectors[2].any()


def test_a_backend_registers_once_and_unknown_names_list_the_valid_ones() -> None:
    from kg.stores import Registry

    class Backend:
        name = "example"

    registry: Registry[Backend] = Registry("example store", "KG_EXAMPLE_STORE")
    registry.register(Backend())
    assert registry.get("example").name == "example"
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Backend())
    with pytest.raises(UnknownBackendError, match=r"KG_EXAMPLE_STORE.*'other'; valid: example"):
        registry.get("other")
