"""What every tab shares: one knowledge base, one answerer, the graph view, the admin gate."""

from __future__ import annotations

import threading

import networkx as nx

from assistant.answer import Answerer
from assistant.app.auth import AdminAuth
from kg.base import KnowledgeBase
from kg.graphview import build_graph, term_labels
from kg.settings import Settings


class AppContext:
    """One per server process, shared by all sessions.

    The knowledge base is opened read-only; :meth:`kb` picks up a finished ingest (from
    `kg ingest` or from an upload in this app) before each use. The lock keeps a reopen
    from happening under a request that is still reading.
    """

    def __init__(self, settings: Settings, kb: KnowledgeBase | None = None) -> None:
        self.settings = settings
        self._kb = kb or KnowledgeBase(settings, read_only=True)
        self.lock = threading.RLock()
        self.answerer = Answerer(self._kb)
        self.auth = AdminAuth(settings)
        self._graph: nx.MultiDiGraph | None = None
        self._graph_generation: str | None = None
        self._labels: dict[str, str] = {}
        self._labels_generation: str | None = None

    def kb(self) -> KnowledgeBase:
        with self.lock:
            self._kb.refresh()
            return self._kb

    def graph(self) -> nx.MultiDiGraph:
        """The entity graph, rebuilt once per knowledge-base generation, not per click."""
        with self.lock:
            kb = self.kb()
            if self._graph is None or kb.generation != self._graph_generation:
                self._graph, self._graph_generation = build_graph(kb.rdf), kb.generation
            return self._graph

    def term_labels(self) -> dict[str, str]:
        """Class and property IRI → English label (the ontology's), per generation."""
        with self.lock:
            kb = self.kb()
            if self._labels_generation != kb.generation:
                self._labels, self._labels_generation = term_labels(kb.rdf), kb.generation
            return self._labels
