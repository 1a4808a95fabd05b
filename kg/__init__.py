"""govkg knowledge base: RDF store, vector and lexical indexes, SPARQL and graph views.

This package is the base layer: it imports neither ``ingest`` nor ``assistant``.
"""

__version__ = "0.1.0"
