"""Settings from KG_* variables, backend registries with helpful errors, the fake embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kg.embed import HashingEmbedder, get_embedder
from kg.errors import ConfigError, UnknownBackendError
from kg.rdfstore import open_store
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
    with pytest.raises(UnknownBackendError, match="valid: memory, oxigraph, sparql"):
        open_store("jena", Path("/tmp/x"), False)


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    vectors = HashingEmbedder().embed(["a b c", "a b c", ""])
    assert np.allclose(vectors[0], vectors[1])
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0)
    assert not vectors[2].any()
