"""The stores of a knowledge base: one Protocol and one registry per kind.

A new backend is one module that implements a Protocol of :mod:`kg.stores.base` and
registers itself, plus its name in ``BUILTINS`` below (or an import of its own before the
knowledge base opens). ``KG_RDF_STORE``, ``KG_VECTOR_STORE`` and ``KG_LEXICAL_STORE`` pick one.
"""

from __future__ import annotations

import importlib

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

BUILTINS = ("kg.stores.rdf_embedded", "kg.stores.vectors_chroma", "kg.stores.lexical_bm25")

for _module in BUILTINS:
    importlib.import_module(_module)

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
]
