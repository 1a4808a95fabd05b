"""The reference graph (ontology, vocabularies, aliases) and the SHACL shapes in ``ontology/``."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.exceptions import ParserError

from kg.errors import ConfigError
from kg.namespaces import bind_prefixes

SHAPES_FILE = "shapes.ttl"


def _parse(graph: Graph, path: Path) -> None:
    try:
        graph.parse(path, format="turtle")
    except (ParserError, SyntaxError, ValueError) as exc:  # rdflib's Turtle errors
        raise ConfigError(f"{path}: invalid Turtle: {exc}") from exc


def _ontology_files(ontology_dir: Path) -> list[Path]:
    if not ontology_dir.is_dir():
        raise ConfigError(f"ontology folder not found: {ontology_dir}")
    return sorted(p for p in ontology_dir.glob("*.ttl") if p.name != SHAPES_FILE)


def load_reference_graph(ontology_dir: Path) -> Graph:
    """Every ``*.ttl`` in ``ontology_dir`` except the shapes: the reference named graph."""
    graph = bind_prefixes(Graph())
    for path in _ontology_files(Path(ontology_dir)):
        _parse(graph, path)
    return graph


def load_shapes(ontology_dir: Path) -> Graph:
    """The SHACL shapes that ``kg validate`` checks the dataset against."""
    path = Path(ontology_dir) / SHAPES_FILE
    if not path.is_file():
        raise ConfigError(f"SHACL shapes not found: {path}")
    graph = bind_prefixes(Graph())
    _parse(graph, path)
    return graph


__all__ = ["load_reference_graph", "load_shapes"]
