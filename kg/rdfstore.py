"""Deprecated location of the RDF store: use :mod:`kg.stores` (``kb.rdf``).

Kept so that modules written against the old name keep importing until they move.
"""

from __future__ import annotations

from kg.stores.base import RdfDataset as RdfStore
from kg.stores.rdf_embedded import open_snapshot

__all__ = ["RdfStore", "open_snapshot"]
