"""The stores of a knowledge base: one Protocol and one registry per kind.

A new backend is one module that implements a Protocol of :mod:`kg.stores.base` and
registers itself, plus its name in ``BUILTINS`` below (or an import of its own before the
knowledge base opens). ``KG_RDF_STORE``, ``KG_VECTOR_STORE`` and ``KG_LEXICAL_STORE`` pick one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kg.stores.base import (
    LEXICAL_STORES,
    RDF_STORES,
    VECTOR_STORES,
    LexicalBackend,
    LexicalIndex,
    RdfBackend,
    RdfDataset,
    Registry,
    VectorBackend,
    VectorHit,
    VectorIndex,
)

BUILTINS = (
    "kg.stores.rdf_embedded",
    "kg.stores.rdf_sparql",
    "kg.stores.vectors_chroma",
    "kg.stores.vectors_chroma_http",
    "kg.stores.lexical_bm25",
)

if TYPE_CHECKING:
    from kg.settings import Settings

for _module in BUILTINS:
    importlib.import_module(_module)


def describe_backends(settings: Settings) -> dict[str, str]:
    """Kind -> which backend holds it and where (`kg stats`, `kg check`; no passwords)."""
    return {
        "rdf": RDF_STORES.get(settings.rdf_store).describe(settings),
        "vectors": VECTOR_STORES.get(settings.vector_store).describe(settings),
        "lexical": LEXICAL_STORES.get(settings.lexical_store).name,
    }


__all__ = [
    "LEXICAL_STORES",
    "RDF_STORES",
    "VECTOR_STORES",
    "LexicalBackend",
    "LexicalIndex",
    "RdfBackend",
    "RdfDataset",
    "Registry",
    "VectorBackend",
    "VectorHit",
    "VectorIndex",
    "describe_backends",
]
